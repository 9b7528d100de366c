// The keys the IPsec ESP security associations between UE and P-CSCF would use (TS 33.203 7.1,
// Annex I "key expansion"): derived from the IMS AKA session keys CK and IK (TS 33.102 6.3,
// Milenage f3 and f4). The harness sets up no ESP (no XFRM), but derives them as a UE and a P-CSCF
// would, so that a report can show which keys the agreed SAs stand on.
//
// The rule, TS 33.203 Annex I (as the expansion is implemented by Kamailio's ims_ipsec_pcscf,
// Wireshark's IMS ESP decoder and other stacks that cite the annex; see the report of issue 16):
//   integrity,  hmac-md5-96:   IK_ESP = IK_IM (128 bits, HMAC-MD5's key length, RFC 2403)
//   integrity,  hmac-sha-1-96: IK_ESP = IK_IM || 32 zero bits (160 bits, RFC 2404)
//   encryption, aes-cbc:       CK_ESP = CK_IM (128 bits, AES-128-CBC, RFC 3602)
//   encryption, null:          no key (RFC 2410)
// des-ede3-cbc (deprecated since Rel-12) is not offered by the simulated UE and not derived here.
//
// These are secrets derived from CK and IK: nothing here formats a key but `keyFingerprint`,
// which shows the first 4 octets of its SHA-256 and its length only (no octet of the key).
import { createHash } from "node:crypto";

/** TS 33.203 7.1: the integrity algorithms of ipsec-3gpp (the `alg` parameter). */
export const INTEGRITY_ALGORITHMS = ["hmac-sha-1-96", "hmac-md5-96"] as const;
export type IntegrityAlgorithm = (typeof INTEGRITY_ALGORITHMS)[number];

/** TS 33.203 7.1: the encryption algorithms of ipsec-3gpp (the `ealg` parameter) the harness derives keys for. */
export const ENCRYPTION_ALGORITHMS = ["aes-cbc", "null"] as const;
export type EncryptionAlgorithm = (typeof ENCRYPTION_ALGORITHMS)[number];

export function isIntegrityAlgorithm(a: string): a is IntegrityAlgorithm {
  return (INTEGRITY_ALGORITHMS as readonly string[]).includes(a.toLowerCase());
}

export function isEncryptionAlgorithm(a: string): a is EncryptionAlgorithm {
  return (ENCRYPTION_ALGORITHMS as readonly string[]).includes(a.toLowerCase());
}

/** The ESP keys of one agreed mechanism: the same for all four SAs (TS 33.203 7.1). */
export interface EspKeys {
  readonly alg: IntegrityAlgorithm;
  readonly ealg: EncryptionAlgorithm;
  /** IK_ESP: 16 octets (hmac-md5-96) or 20 (hmac-sha-1-96). */
  readonly integrityKey: Buffer;
  /** CK_ESP: 16 octets (aes-cbc), empty for null encryption. */
  readonly encryptionKey: Buffer;
}

function checkKey(name: string, key: Uint8Array): void {
  // The message names the key and its length, never its value
  if (key.length !== 16) throw new RangeError(`${name} must be 16 octets (128 bits), not ${key.length}`);
}

/** TS 33.203 Annex I: IK_ESP from the 128-bit IK of AKA. */
export function espIntegrityKey(alg: IntegrityAlgorithm, ik: Uint8Array): Buffer {
  checkKey("IK", ik);
  const a = alg.toLowerCase() as IntegrityAlgorithm;
  if (a === "hmac-md5-96") return Buffer.from(ik);
  if (a === "hmac-sha-1-96") return Buffer.concat([Buffer.from(ik), Buffer.alloc(4)]);
  throw new RangeError(`no ESP integrity key expansion for alg "${String(alg)}"`);
}

/** TS 33.203 Annex I: CK_ESP from the 128-bit CK of AKA (empty for null encryption). */
export function espEncryptionKey(ealg: EncryptionAlgorithm, ck: Uint8Array): Buffer {
  checkKey("CK", ck);
  const e = ealg.toLowerCase() as EncryptionAlgorithm;
  if (e === "aes-cbc") return Buffer.from(ck);
  if (e === "null") return Buffer.alloc(0);
  throw new RangeError(`no ESP encryption key expansion for ealg "${String(ealg)}"`);
}

/** Both ESP keys of an agreed alg/ealg pair. */
export function deriveEspKeys(alg: IntegrityAlgorithm, ealg: EncryptionAlgorithm, ck: Uint8Array, ik: Uint8Array): EspKeys {
  return { alg, ealg, integrityKey: espIntegrityKey(alg, ik), encryptionKey: espEncryptionKey(ealg, ck) };
}

/**
 * What a report may show of a secret key: the first 4 octets of its SHA-256 and its length, e.g.
 * "sha256 6f1c02e4... (20 octets)": enough to see that two sides derived the same key, nothing of
 * the key itself; "none (0 octets)" for an empty key.
 */
export function keyFingerprint(key: Uint8Array): string {
  if (key.length === 0) return "none (0 octets)";
  return `sha256 ${createHash("sha256").update(key).digest("hex").slice(0, 8)}... (${key.length} octets)`;
}

// IMS AKA for SIP: TS 33.102 6.3 authentication vectors and USIM checks, RFC 3310 (Digest AKAv1)
// and RFC 4169 (Digest AKAv2), TS 24.229 5.1.1 UE REGISTER authorisation. Secrets (K, OPc,
// RES, CK, IK) are never put into error messages or thrown values.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { AuthCredentials } from "./challenge.ts";
import type { RespondOptions } from "./digest.ts";
import { f1Both, f2345 } from "./milenage.ts";

/** A sequence number: 6 octets, or its integer value (0 .. 2^48 - 1). */
export type Sqn = Uint8Array | bigint | number;

const SQN_MAX = (1n << 48n) - 1n;

/** The 6-octet big-endian form of a sequence number. */
export function sqnToBuffer(sqn: Sqn): Buffer {
  if (sqn instanceof Uint8Array) {
    if (sqn.length !== 6) throw new RangeError("SQN must be 6 octets");
    return Buffer.from(sqn);
  }
  const v = BigInt(sqn);
  if (v < 0n || v > SQN_MAX) throw new RangeError("SQN must be in 0 .. 2^48-1");
  const out = Buffer.alloc(6);
  out.writeUIntBE(Number(v), 0, 6);
  return out;
}

/** The integer value of a 6-octet sequence number. */
export function sqnToBigInt(sqn: Uint8Array): bigint {
  if (sqn.length !== 6) throw new RangeError("SQN must be 6 octets");
  return BigInt(Buffer.from(sqn).readUIntBE(0, 6));
}

/** TS 33.102 6.3.2: an authentication vector (quintet) as the HSS hands it to the S-CSCF. */
export interface AuthVector {
  rand: Buffer;
  /** AUTN = (SQN xor AK) || AMF || MAC-A */
  autn: Buffer;
  xres: Buffer;
  ck: Buffer;
  ik: Buffer;
  sqn: Buffer;
  amf: Buffer;
}

export interface GenerateAuthVectorInput {
  k: Uint8Array;
  opc: Uint8Array;
  /** Authentication management field, 2 octets. */
  amf: Uint8Array;
  sqn: Sqn;
  /** A fixed RAND (tests); otherwise `random` or node:crypto randomBytes supplies one. */
  rand?: Uint8Array;
  random?: (size: number) => Uint8Array;
}

/** TS 33.102 6.3.2: network side (HSS) generation of one authentication vector. */
export function generateAuthVector(input: GenerateAuthVectorInput): AuthVector {
  const sqn = sqnToBuffer(input.sqn);
  const amf = Buffer.from(input.amf);
  if (amf.length !== 2) throw new RangeError("AMF must be 2 octets");
  const rand = Buffer.from(input.rand ?? (input.random ?? randomBytes)(16));
  if (rand.length !== 16) throw new RangeError("RAND must be 16 octets");
  const { macA } = f1Both(input.k, input.opc, rand, sqn, amf);
  const { res, ck, ik, ak } = f2345(input.k, input.opc, rand);
  const autn = Buffer.concat([xor(sqn, ak), amf, macA]);
  return { rand, autn, xres: res, ck, ik, sqn, amf };
}

/** RFC 3310 3.2: nonce = base64(RAND || AUTN || server specific data). */
export function akaNonce(rand: Uint8Array, autn: Uint8Array, serverData?: Uint8Array): string {
  if (rand.length !== 16) throw new RangeError("RAND must be 16 octets");
  if (autn.length !== 16) throw new RangeError("AUTN must be 16 octets");
  return Buffer.concat([rand, autn, serverData ?? Buffer.alloc(0)]).toString("base64");
}

/** Splits an RFC 3310 nonce; undefined when it is not base64 of at least 32 octets. */
export function parseAkaNonce(nonce: string): { rand: Buffer; autn: Buffer; serverData: Buffer } | undefined {
  const text = nonce.trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 === 1) return undefined;
  const bytes = Buffer.from(text, "base64");
  if (bytes.length < 32) return undefined;
  return { rand: bytes.subarray(0, 16), autn: bytes.subarray(16, 32), serverData: bytes.subarray(32) };
}

/** The USIM's verdict on a challenge (TS 33.102 6.3.3). */
export type AkaResult =
  | { kind: "ok"; res: Buffer; ck: Buffer; ik: Buffer; /** the accepted SQN: store it as the new SQNms */ sqn: Buffer; amf: Buffer }
  | { kind: "mac-failure" }
  | { kind: "sync-failure"; auts: Buffer; /** the SQN the network sent (diagnostic) */ sqn: Buffer }
  | { kind: "invalid-nonce"; reason: string };

export interface AkaRespondInput {
  k: Uint8Array;
  opc: Uint8Array;
  /** The base64 nonce of the challenge (RFC 3310 3.2). */
  nonce: string;
  /** SQNms: the highest SQN accepted so far. */
  sqnMs: Sqn;
  /** Optional limit Δ on how far ahead SQN may be (TS 33.102 C.2.2); absent means no limit. */
  delta?: bigint | number;
}

/**
 * TS 33.102 6.3.3: UE / USIM side. Checks MAC-A, then SQN freshness with the simplest scheme:
 * the single highest accepted value SQNms, SQN accepted iff SQNms < SQN (and SQN - SQNms <= Δ when a
 * Δ is given). The SEQ/IND array of TS 33.102 Annex C.1-C.2 (out-of-order acceptance) is not modelled.
 * On a synchronisation failure AUTS = (SQNms xor AK*) || MAC-S with MAC-S = f1*(K, SQNms, RAND, AMF = 0).
 */
export function akaRespond(input: AkaRespondInput): AkaResult {
  const parts = parseAkaNonce(input.nonce);
  if (!parts) return { kind: "invalid-nonce", reason: "nonce is not base64 of RAND || AUTN" };
  const { rand, autn } = parts;
  const sqnMs = sqnToBuffer(input.sqnMs);
  const { res, ck, ik, ak, akStar } = f2345(input.k, input.opc, rand);
  const sqn = xor(autn.subarray(0, 6), ak);
  const amf = Buffer.from(autn.subarray(6, 8));
  const mac = autn.subarray(8, 16);
  const xmac = f1Both(input.k, input.opc, rand, sqn, amf).macA;
  if (!timingSafeEqual(mac, xmac)) return { kind: "mac-failure" };

  const sqnValue = sqnToBigInt(sqn);
  const msValue = sqnToBigInt(sqnMs);
  const fresh = sqnValue > msValue && (input.delta === undefined || sqnValue - msValue <= BigInt(input.delta));
  if (!fresh) {
    // TS 33.102 6.3.3 / 6.3.5: AMF* = 0x0000 in MAC-S.
    const macS = f1Both(input.k, input.opc, rand, sqnMs, Buffer.alloc(2)).macS;
    return { kind: "sync-failure", auts: Buffer.concat([xor(sqnMs, akStar), macS]), sqn };
  }
  return { kind: "ok", res, ck, ik, sqn, amf };
}

export type ResyncResult = { ok: true; sqnMs: Buffer } | { ok: false; reason: "invalid-auts" | "mac-failure" };

/** TS 33.102 6.3.5: network side (HSS) check of AUTS and recovery of SQNms. */
export function resynchronise(input: { k: Uint8Array; opc: Uint8Array; rand: Uint8Array; auts: Uint8Array }): ResyncResult {
  if (input.auts.length !== 14) return { ok: false, reason: "invalid-auts" };
  if (input.rand.length !== 16) throw new RangeError("RAND must be 16 octets");
  const { akStar } = f2345(input.k, input.opc, input.rand);
  const sqnMs = xor(input.auts.subarray(0, 6), akStar);
  const macS = Buffer.from(input.auts.subarray(6, 14));
  const xmacS = f1Both(input.k, input.opc, input.rand, sqnMs, Buffer.alloc(2)).macS;
  if (!timingSafeEqual(macS, xmacS)) return { ok: false, reason: "mac-failure" };
  return { ok: true, sqnMs };
}

/**
 * The Digest "password" for Digest AKA.
 * RFC 3310 3.3 (AKAv1-MD5): RES itself, as raw octets.
 * RFC 4169 3 (AKAv2-MD5): base64(PRF(RES || IK || CK, "http-digest-akav2-password")) with PRF = HMAC-MD5
 * keyed with RES || IK || CK; the base64 text is the password.
 */
export function akaDigestPassword(version: 1 | 2, res: Uint8Array, ik: Uint8Array, ck: Uint8Array): Buffer {
  if (version === 1) return Buffer.from(res);
  const prf = createHmac("md5", Buffer.concat([res, ik, ck]))
    .update("http-digest-akav2-password")
    .digest();
  return Buffer.from(prf.toString("base64"), "ascii");
}

/**
 * What to pass to DigestClient.respond for a USIM result: the AKA password, or after a
 * synchronisation failure an empty password and the base64 AUTS (RFC 3310 3.4).
 * Undefined for a MAC failure or an invalid nonce (see macFailureAuthorization).
 */
export function akaRespondOptions(result: AkaResult, version: 1 | 2): RespondOptions | undefined {
  if (result.kind === "ok") return { password: akaDigestPassword(version, result.res, result.ik, result.ck) };
  if (result.kind === "sync-failure") return { password: Buffer.alloc(0), auts: result.auts.toString("base64") };
  return undefined;
}

/** The Digest-AKA algorithm token for a version (RFC 3310 3.1; RFC 4169). */
export function akaAlgorithm(version: 1 | 2): "AKAv1-MD5" | "AKAv2-MD5" {
  return version === 1 ? "AKAv1-MD5" : "AKAv2-MD5";
}

const QUOTED_INITIAL: ReadonlySet<string> = new Set(["username", "realm", "nonce", "uri", "response"]);

/**
 * TS 24.229 5.1.1.2.1: the Authorization of the initial (unprotected) REGISTER: username = IMPI,
 * realm = home domain, uri = Request-URI, and nonce and response present but empty (quoted "").
 */
export function initialAuthorization(input: { username: string; realm: string; uri: string }): AuthCredentials {
  return {
    scheme: "Digest",
    params: { username: input.username, realm: input.realm, nonce: "", uri: input.uri, response: "" },
    quoted: QUOTED_INITIAL,
  };
}

/**
 * TS 24.229 5.1.1.5.3: when the UE deems the challenge invalid (MAC-A failure) it answers with an
 * Authorization whose response is empty and which carries no auts.
 */
export function macFailureAuthorization(input: { username: string; realm: string; nonce: string; uri: string; algorithm?: string; opaque?: string }): AuthCredentials {
  const params: Record<string, string> = {
    username: input.username,
    realm: input.realm,
    nonce: input.nonce,
    uri: input.uri,
    response: "",
  };
  if (input.algorithm !== undefined) params["algorithm"] = input.algorithm;
  if (input.opaque !== undefined) params["opaque"] = input.opaque;
  return { scheme: "Digest", params, quoted: new Set([...QUOTED_INITIAL, "opaque"]) };
}

function xor(a: Uint8Array, b: Uint8Array): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] ?? 0) ^ (b[i] ?? 0);
  return out;
}

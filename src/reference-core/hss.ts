// The HSS of the reference core (TS 23.228 5.1, TS 29.228): the subscribers with their private and
// public identities, and for IMS AKA the network side SQN and authentication vectors (TS 33.102
// 6.3.2, resynchronisation 6.3.5). Secrets (password, K, OPc, XRES) never leave this module and
// the authenticator in a log line or an error.
import type { Subscriber } from "../profile/profile.ts";
import { type AuthVector, generateAuthVector, resynchronise, sqnToBigInt } from "../sip/auth/index.ts";
import { type Uri, isSipUri, isTelUri, isUriParseError, parseUri, telDigits, unescapeUriPart } from "../sip/message/index.ts";

const SQN_MAX = (1n << 48n) - 1n;

/** A subscriber as the HSS holds it: the provisioned data plus the network's AKA sequence number. */
export class SubscriberRecord {
  /** TS 33.102 6.3.2: the SQN of the last vector generated (SQN_HE). */
  sqn: bigint;
  /** TS 24.228 6.8: the next REGISTER is challenged even with valid credentials. */
  reauthenticate = false;

  constructor(
    readonly subscriber: Subscriber,
    readonly index: number,
  ) {
    this.sqn = subscriber.auth.kind === "aka" ? subscriber.auth.sqn : 0n;
  }

  get impi(): string {
    return this.subscriber.impi;
  }

  /** TS 23.228 4.3.3.2: the implicit registration set; the first is the default public identity. */
  get impus(): readonly string[] {
    return this.subscriber.impus;
  }

  get defaultImpu(): string {
    return this.subscriber.impus[0] ?? `sip:${this.subscriber.impi}`;
  }

  get authKind(): "digest" | "aka" {
    return this.subscriber.auth.kind;
  }
}

export class Hss {
  readonly records: readonly SubscriberRecord[];

  constructor(subscribers: readonly Subscriber[]) {
    this.records = subscribers.map((s, i) => new SubscriberRecord(s, i));
  }

  byImpi(impi: string): SubscriberRecord | undefined {
    return this.records.find((r) => r.impi === impi);
  }

  /** The subscriber one of whose public identities is `uri` (sip: user@host, tel: by its digits). */
  byImpu(uri: string | Uri): SubscriberRecord | undefined {
    return this.records.find((r) => r.impus.some((i) => sameIdentity(i, uri)));
  }

  /** TS 33.102 6.3.2: a fresh vector with SQN one higher than the last one issued. */
  nextVector(record: SubscriberRecord): AuthVector {
    const auth = record.subscriber.auth;
    if (auth.kind !== "aka") throw new Error(`subscriber ${record.impi} is not provisioned for IMS AKA`);
    record.sqn = record.sqn >= SQN_MAX ? 1n : record.sqn + 1n;
    return generateAuthVector({ k: auth.k, opc: auth.opc, amf: auth.amf, sqn: record.sqn });
  }

  /**
   * TS 33.102 6.3.5: checks AUTS against the RAND it answers and, when MAC-S is right, takes
   * SQN_HE = SQN_MS so that the next vector carries SQN_MS + 1. Returns the SQN_MS or a reason.
   */
  resynchronise(record: SubscriberRecord, rand: Uint8Array, auts: Uint8Array): { ok: true; sqnMs: bigint } | { ok: false; reason: string } {
    const auth = record.subscriber.auth;
    if (auth.kind !== "aka") return { ok: false, reason: "not an AKA subscriber" };
    const r = resynchronise({ k: auth.k, opc: auth.opc, rand, auts });
    if (!r.ok) return { ok: false, reason: r.reason === "mac-failure" ? "MAC-S of AUTS does not verify" : "AUTS is not 14 octets" };
    const sqnMs = sqnToBigInt(r.sqnMs);
    record.sqn = sqnMs;
    return { ok: true, sqnMs };
  }
}

/**
 * Whether two public identities are the same: SIP URIs by unescaped user and case-insensitive
 * host (RFC 3261 19.1.4, ignoring port and parameters as an AoR does), tel URIs by their digits
 * without visual separators (RFC 3966 4).
 */
export function sameIdentity(a: string | Uri, b: string | Uri): boolean {
  const ua = typeof a === "string" ? parseUri(a) : a;
  const ub = typeof b === "string" ? parseUri(b) : b;
  if (isUriParseError(ua) || isUriParseError(ub)) return false;
  if (isTelUri(ua) && isTelUri(ub)) return telDigits(ua.number) === telDigits(ub.number);
  if (isSipUri(ua) && isSipUri(ub)) {
    if (ua.user === undefined || ub.user === undefined) return false;
    return unescapeUriPart(ua.user) === unescapeUriPart(ub.user) && ua.host.toLowerCase() === ub.host.toLowerCase();
  }
  return false;
}

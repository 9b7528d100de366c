// The S-CSCF's authentication of REGISTER (TS 24.229 5.4.1.2, TS 33.203 6.1): Digest challenges
// (RFC 7616, TS 24.229 5.4.1.2.1B) and IMS AKA challenges (RFC 3310, RFC 4169), verification of
// the answer, resynchronisation (RFC 3310 3.4) and the nonce-count replay check (RFC 7616 3.4).
// The reasons it gives never carry a secret (password, K, OPc, XRES): they go into the core's log.
import { randomBytes } from "node:crypto";
import type { Clock } from "../sip/clock.ts";
import { NonceCountTracker, akaAlgorithm, akaDigestPassword, akaNonce, formatChallenge, verifyDigest } from "../sip/auth/index.ts";
import type { Hss, SubscriberRecord } from "./hss.ts";

/** One challenge the core issued and still accepts answers to. */
interface IssuedChallenge {
  readonly nonce: string;
  readonly algorithm: string;
  /** The Digest password, or for AKA the RFC 3310 / RFC 4169 password derived from XRES. */
  readonly secret: string | Buffer;
  /** AKA: the RAND of the vector, needed to check AUTS (TS 33.102 6.3.5). */
  readonly rand?: Buffer;
  readonly issuedAt: number;
  /** Answered successfully at least once (an answer without qop may be used once only). */
  used: boolean;
}

export type AuthVerdict =
  { readonly kind: "challenge"; readonly why: string; readonly stale?: boolean } | { readonly kind: "forbidden"; readonly why: string } | { readonly kind: "authenticated"; readonly why: string };

export class Authenticator {
  private readonly issued = new Map<string, IssuedChallenge>();
  private readonly nonceCounts = new NonceCountTracker();

  constructor(
    private readonly hss: Hss,
    private readonly realm: string,
    private readonly clock: Clock,
    /** How long a nonce stays valid for re-registrations without a new challenge. */
    private readonly nonceLifetimeMs = 3_600_000,
  ) {}

  /**
   * TS 24.229 5.4.1.2.1 (AKA) and 5.4.1.2.1B (SIP Digest): a fresh challenge for the subscriber,
   * replacing any earlier one. Returns the WWW-Authenticate value and a loggable description.
   */
  challenge(record: SubscriberRecord, stale = false): { header: string; description: string } {
    const auth = record.subscriber.auth;
    let issued: IssuedChallenge;
    let description: string;
    if (auth.kind === "aka") {
      const v = this.hss.nextVector(record);
      const algorithm = akaAlgorithm(auth.version);
      // RFC 3310 3.2: nonce = base64(RAND || AUTN); RFC 3310 3.3 / RFC 4169 3: the password from XRES
      issued = { nonce: akaNonce(v.rand, v.autn), algorithm, secret: akaDigestPassword(auth.version, v.xres, v.ik, v.ck), rand: v.rand, issuedAt: this.clock.now(), used: false };
      description = `${algorithm} challenge, SQN ${record.sqn}`;
    } else {
      issued = { nonce: randomBytes(16).toString("hex"), algorithm: auth.algorithm, secret: auth.password, issuedAt: this.clock.now(), used: false };
      description = `Digest ${auth.algorithm} challenge`;
    }
    const previous = this.issued.get(record.impi);
    if (previous) this.nonceCounts.forget(previous.nonce);
    this.issued.set(record.impi, issued);
    // TS 24.228 6.8: a challenge is the re-authentication that was asked for
    record.reauthenticate = false;
    const params: Record<string, string> = { realm: this.realm, nonce: issued.nonce, algorithm: issued.algorithm, qop: "auth" };
    if (stale) params["stale"] = "true";
    return { header: formatChallenge({ scheme: "Digest", params }), description: stale ? `${description}, stale=true` : description };
  }

  /** Judges the Authorization of a REGISTER (parameters as parsed by parseAuthParams). */
  check(record: SubscriberRecord, params: Readonly<Record<string, string>>, method: string): AuthVerdict {
    const nonce = params["nonce"] ?? "";
    const response = params["response"] ?? "";
    const issued = this.issued.get(record.impi);
    // TS 24.229 5.1.1.2.1 / 5.4.1.2.1: the initial REGISTER carries an empty nonce: challenge it
    if (nonce === "") return { kind: "challenge", why: "no credentials for a challenge (initial REGISTER)" };
    if (!issued || issued.nonce !== nonce) return { kind: "challenge", why: "the nonce is not the one last issued" };
    const auts = params["auts"];
    if (auts !== undefined) {
      // RFC 3310 3.4, TS 24.229 5.4.1.2.3: synchronisation failure: resynchronise and challenge again
      if (!issued.rand) return { kind: "forbidden", why: "auts in an answer to a Digest challenge" };
      const r = this.hss.resynchronise(record, issued.rand, Buffer.from(auts, "base64"));
      this.issued.delete(record.impi);
      if (!r.ok) return { kind: "forbidden", why: `resynchronisation failed: ${r.reason}` };
      return { kind: "challenge", why: `synchronisation failure, SQN resynchronised to SQNms ${r.sqnMs}` };
    }
    if (response === "") {
      // TS 24.229 5.4.1.2.3: the UE found the challenge invalid (MAC failure): authentication fails
      this.issued.delete(record.impi);
      return { kind: "forbidden", why: "the UE answered the challenge with an empty response (network authentication failure)" };
    }
    if (record.reauthenticate) return { kind: "challenge", why: "re-authentication required (TS 24.228 6.8)" };
    if (this.clock.now() - issued.issuedAt > this.nonceLifetimeMs) return { kind: "challenge", why: "the nonce has expired", stale: true };
    const verdict = verifyDigest(params, { method, password: issued.secret, realm: this.realm, nonce: issued.nonce, username: record.impi, algorithm: issued.algorithm, allowedQop: ["auth"] });
    if (!verdict.ok) {
      // TS 24.229 5.4.1.2.3: a wrong response (RES != XRES, or a wrong Digest) is refused with 403
      this.issued.delete(record.impi);
      return { kind: "forbidden", why: `authentication failed: ${verdict.detail} (${verdict.reason})` };
    }
    if (verdict.nc !== undefined) {
      // RFC 7616 3.4: nc must increase for each use of a nonce; a replay is challenged again
      if (!this.nonceCounts.accept(issued.nonce, verdict.nc)) return { kind: "challenge", why: `nonce-count ${params["nc"] ?? ""} is not higher than the last one (replay)` };
    } else if (issued.used) {
      return { kind: "challenge", why: "a nonce answered without qop is valid once only" };
    }
    const again = issued.used;
    issued.used = true;
    return { kind: "authenticated", why: again ? `credentials valid for the nonce issued earlier (nc ${params["nc"] ?? "none"})` : "credentials valid" };
  }
}

// How a simulated UE answers authentication challenges: SIP Digest (RFC 7616, TS 24.229 5.1.1.2.3)
// or IMS-AKA (RFC 3310/4169, TS 33.203) with a USIM holding K, OPc and SQNms. Secrets never leave
// this module in any message, log or error.
import {
  type AuthChallenge,
  DigestClient,
  akaRespond,
  akaRespondOptions,
  formatCredentials,
  type EncryptionAlgorithm,
  type IntegrityAlgorithm,
  deriveEspKeys,
  initialAuthorization,
  keyFingerprint,
  macFailureAuthorization,
  parseAuthChallenges,
  selectDigestChallenge,
  sqnToBigInt,
} from "../auth/index.ts";
import type { SipResponse } from "../message/index.ts";

export type UeCredentials =
  { readonly kind: "digest"; readonly password: string } | { readonly kind: "aka"; readonly k: Buffer; readonly opc: Buffer; /** SQNms: highest SQN the USIM accepted */ readonly sqn?: bigint };

export interface ChallengeAnswer {
  readonly header: "Authorization" | "Proxy-Authorization";
  readonly value: string;
  /** What the USIM concluded, for steps that assert on resynchronisation (RFC 3310 3.4). */
  readonly aka?: "ok" | "sync-failure" | "mac-failure";
}

export class UeAuthenticator {
  private readonly digest: DigestClient;
  private sqnMs: bigint;
  /** The last challenge answered successfully and its secret, reused while its nonce is valid (TS 24.229 5.1.1.4.1). */
  private last: { challenge: AuthChallenge; header: ChallengeAnswer["header"]; password?: Buffer } | undefined;
  /** CK and IK of the last AKA challenge the USIM accepted (TS 33.102 6.3.3): the keys of the IPsec SAs (TS 33.203 7.1). */
  private sessionKeys: { ck: Buffer; ik: Buffer } | undefined;

  constructor(
    readonly impi: string,
    private readonly credentials: UeCredentials,
  ) {
    this.digest = new DigestClient({ username: impi, ...(credentials.kind === "digest" ? { password: credentials.password } : {}) });
    this.sqnMs = credentials.kind === "aka" ? (credentials.sqn ?? 0n) : 0n;
  }

  get kind(): UeCredentials["kind"] {
    return this.credentials.kind;
  }

  /** TS 24.229 5.1.1.2.1: the initial REGISTER carries username, realm, uri and empty nonce/response. */
  initial(realm: string, uri: string): string {
    return formatCredentials(initialAuthorization({ username: this.impi, realm, uri }));
  }

  /** Answers a 401 or 407; a description of why not (without secrets) otherwise. */
  answer(response: SipResponse, request: { method: string; uri: string; body?: Buffer }): ChallengeAnswer | { error: string } {
    const proxy = response.status === 407;
    const headerName = proxy ? "proxy-authenticate" : "www-authenticate";
    const challenges: AuthChallenge[] = response.headerValues(headerName).flatMap((v) => parseAuthChallenges(v));
    const header = proxy ? "Proxy-Authorization" : "Authorization";
    const c = selectDigestChallenge(challenges);
    if (!c) return { error: `no usable Digest challenge in ${proxy ? "Proxy-Authenticate" : "WWW-Authenticate"} of ${response.status}` };
    const algorithm = (c.params["algorithm"] ?? "MD5").toUpperCase();
    const isAka = algorithm.startsWith("AKAV");
    const digestRequest = { method: request.method, uri: request.uri, ...(request.body && request.body.length ? { body: request.body } : {}) };
    if (!isAka) {
      if (this.credentials.kind !== "digest") return { error: `challenged with ${algorithm} but the UE holds AKA credentials` };
      const a = this.digest.respond(c, digestRequest);
      if (a.kind !== "credentials") return { error: a.message };
      this.last = { challenge: c, header };
      return { header, value: a.value };
    }
    if (this.credentials.kind !== "aka") return { error: `challenged with ${algorithm} but the UE holds a Digest password` };
    const version = algorithm === "AKAV2-MD5" ? 2 : 1;
    const usim = akaRespond({ k: this.credentials.k, opc: this.credentials.opc, nonce: c.params["nonce"] ?? "", sqnMs: this.sqnMs });
    if (usim.kind === "ok") {
      this.sqnMs = sqnToBigInt(usim.sqn);
      this.sessionKeys = { ck: usim.ck, ik: usim.ik };
    }
    const options = akaRespondOptions(usim, version);
    if (!options) {
      // TS 24.229 5.1.1.5.3: an invalid challenge is answered with an empty response and no auts
      const cred = macFailureAuthorization({ username: this.impi, realm: c.params["realm"] ?? "", nonce: c.params["nonce"] ?? "", uri: request.uri, algorithm: c.params["algorithm"] ?? "AKAv1-MD5" });
      return { header, value: formatCredentials(cred), aka: "mac-failure" };
    }
    const a = this.digest.respond(c, digestRequest, options);
    if (a.kind !== "credentials") return { error: a.message };
    this.last = usim.kind === "ok" && options.password !== undefined ? { challenge: c, header, password: Buffer.from(options.password) } : undefined;
    return { header, value: a.value, aka: usim.kind === "ok" ? "ok" : "sync-failure" };
  }

  /**
   * TS 24.229 5.1.1.4.1 / RFC 7616 3.4: credentials for a new request with the last nonce and the
   * next nonce count, or undefined before any successful answer.
   */
  reuse(request: { method: string; uri: string }): ChallengeAnswer | undefined {
    if (!this.last) return undefined;
    const a = this.digest.respond(this.last.challenge, request, this.last.password ? { password: this.last.password } : {});
    return a.kind === "credentials" ? { header: this.last.header, value: a.value } : undefined;
  }

  /** Forgets the last challenge (after a de-registration). */
  forget(): void {
    this.last = undefined;
    this.sessionKeys = undefined;
  }

  /**
   * TS 33.203 7.1, Annex I: what a report may show of the ESP keys derived from the last AKA
   * challenge's CK and IK: fingerprints only (4 octets of the SHA-256 and the length), never the keys; undefined
   * before an accepted AKA challenge.
   */
  espKeyFingerprints(alg: IntegrityAlgorithm, ealg: EncryptionAlgorithm): { integrity: string; encryption: string } | undefined {
    if (!this.sessionKeys) return undefined;
    const k = deriveEspKeys(alg, ealg, this.sessionKeys.ck, this.sessionKeys.ik);
    return { integrity: keyFingerprint(k.integrityKey), encryption: keyFingerprint(k.encryptionKey) };
  }

  /** Sets SQNms, e.g. to provoke a synchronisation failure in a test (RFC 3310 3.4). */
  setSqn(sqn: bigint): void {
    this.sqnMs = sqn;
  }
}

// RFC 7616 / RFC 2617 / RFC 2069 HTTP Digest as used by SIP (RFC 3261 22.4, RFC 8760),
// including the Digest-AKA algorithm names of RFC 3310 / RFC 4169 (MD5 with an AKA-derived password).
import { createHash, randomBytes } from "node:crypto";
import type { AuthChallenge, AuthCredentials } from "./challenge.ts";
import { formatCredentials } from "./challenge.ts";

/** A password as text, or raw bytes (for Digest-AKA the "password" is RES or a value derived from it). */
export type DigestSecret = string | Uint8Array;

/** The hash and session flavour behind an algorithm token ("SHA-256-sess", "AKAv1-MD5", ...). */
export interface DigestAlgorithmInfo {
  /** The token as written in the challenge. */
  name: string;
  hash: "md5" | "sha256";
  /** RFC 7616 3.4.2: "-sess" variants hash A1 again with the nonce and cnonce. */
  session: boolean;
  /** RFC 3310 / RFC 4169: 1 or 2 for AKAv1-MD5 / AKAv2-MD5, undefined for plain Digest. */
  aka?: 1 | 2;
}

/**
 * Maps an algorithm token to its hash. Matching is case-insensitive; absent means MD5 (RFC 7616 3.3).
 * Returns undefined for algorithms this module does not implement.
 */
export function digestAlgorithm(name: string | undefined): DigestAlgorithmInfo | undefined {
  const written = name ?? "MD5";
  let rest = written.toUpperCase();
  let aka: 1 | 2 | undefined;
  const m = /^AKAV([12])-/.exec(rest);
  if (m) {
    aka = m[1] === "1" ? 1 : 2;
    rest = rest.slice(m[0].length);
  }
  const session = rest.endsWith("-SESS");
  if (session) rest = rest.slice(0, -5);
  let hash: "md5" | "sha256";
  if (rest === "MD5") hash = "md5";
  else if (rest === "SHA-256") hash = "sha256";
  else return undefined;
  // RFC 3310 3 / RFC 4169 3 define only AKAv1-MD5 and AKAv2-MD5.
  if (aka !== undefined && (hash !== "md5" || session)) return undefined;
  const info: DigestAlgorithmInfo = { name: written, hash, session };
  if (aka !== undefined) info.aka = aka;
  return info;
}

/** Everything that enters the request-digest (RFC 7616 3.4.1). */
export interface DigestInput {
  /** Algorithm token; absent means MD5. */
  algorithm?: string;
  username: string;
  realm: string;
  /** The password, or `ha1` (H(username:realm:password)) instead. */
  password?: DigestSecret;
  ha1?: string;
  nonce: string;
  method: string;
  uri: string;
  /** Absent for the RFC 2069 form. */
  qop?: "auth" | "auth-int";
  /** 8 hex digits; required with qop. */
  nc?: string;
  /** Required with qop or a -sess algorithm. */
  cnonce?: string;
  /** The message body, for qop=auth-int (RFC 7616 3.4.3); absent means empty. */
  body?: string | Uint8Array;
}

/** H(data) as lower-case hex. */
function h(hash: string, ...parts: (string | Uint8Array)[]): string {
  const md = createHash(hash);
  for (const p of parts) md.update(p);
  return md.digest("hex");
}

/** RFC 7616 3.4.2: H(username ":" realm ":" passwd), the value a registrar may store instead of the password. */
export function computeHA1(algorithm: string | undefined, username: string, realm: string, password: DigestSecret): string {
  const info = digestAlgorithm(algorithm);
  if (!info) throw new RangeError(`unsupported digest algorithm ${JSON.stringify(algorithm)}`);
  return h(info.hash, `${username}:${realm}:`, typeof password === "string" ? Buffer.from(password, "utf8") : password);
}

/** RFC 7616 3.4.1 request-digest (the `response` parameter), lower-case hex. Throws RangeError on unusable input. */
export function computeDigestResponse(input: DigestInput): string {
  const info = digestAlgorithm(input.algorithm);
  if (!info) throw new RangeError(`unsupported digest algorithm ${JSON.stringify(input.algorithm)}`);
  let ha1: string;
  if (input.ha1 !== undefined) ha1 = input.ha1.toLowerCase();
  else if (input.password !== undefined) ha1 = computeHA1(info.name, input.username, input.realm, input.password);
  else throw new RangeError("digest response needs a password or HA1");
  if (info.session) {
    // RFC 7616 3.4.2: A1 = H(unq(username):unq(realm):passwd):unq(nonce-prime):unq(cnonce-prime)
    if (input.cnonce === undefined) throw new RangeError("a -sess algorithm needs a cnonce");
    ha1 = h(info.hash, `${ha1}:${input.nonce}:${input.cnonce}`);
  }
  // RFC 7616 3.4.3: A2 = Method ":" request-uri [ ":" H(entity-body) ]
  const a2 = input.qop === "auth-int" ? `${input.method}:${input.uri}:${h(info.hash, input.body ?? "")}` : `${input.method}:${input.uri}`;
  const ha2 = h(info.hash, a2);
  if (input.qop === undefined) {
    // RFC 2069 2.1.2 / RFC 2617 3.2.2.1: KD(H(A1), nonce ":" H(A2))
    return h(info.hash, `${ha1}:${input.nonce}:${ha2}`);
  }
  if (input.nc === undefined || input.cnonce === undefined) throw new RangeError("qop needs nc and cnonce");
  // RFC 7616 3.4.1: KD(H(A1), nonce ":" nc ":" cnonce ":" qop ":" H(A2))
  return h(info.hash, `${ha1}:${input.nonce}:${input.nc}:${input.cnonce}:${input.qop}:${ha2}`);
}

/** RFC 7616 3.4: nc is 8 lower-case hex digits. */
export function formatNonceCount(n: number): string {
  return n.toString(16).padStart(8, "0");
}

/** The request being authorised. */
export interface DigestRequest {
  method: string;
  /** The digest-uri: the Request-URI of the SIP request (RFC 3261 22.4). */
  uri: string;
  body?: string | Uint8Array;
}

export type DigestErrorCode = "unsupported-scheme" | "unsupported-algorithm" | "unsupported-qop" | "missing-parameter" | "credentials-required";

/** An answer to a challenge: credentials, or why none could be produced (never contains secrets). */
export type DigestAnswer =
  | {
      kind: "credentials";
      credentials: AuthCredentials;
      /** The formatted header value. */
      value: string;
      qop?: "auth" | "auth-int";
      nc?: string;
      cnonce?: string;
      stale: boolean;
    }
  | { kind: "error"; code: DigestErrorCode; message: string };

export interface DigestClientOptions {
  username: string;
  /** Default password for any realm; a per-call password takes precedence. */
  password?: DigestSecret;
  /** Random source for cnonce generation (default node:crypto randomBytes). */
  random?: (size: number) => Uint8Array;
  /** Overrides cnonce generation entirely (tests, RFC examples). */
  cnonce?: () => string;
  /** Prefer qop=auth-int when the challenge offers both (default auth). */
  preferAuthInt?: boolean;
  /** How many nonces' counters to remember (default 64; the oldest are forgotten first). */
  maxNonces?: number;
}

export interface RespondOptions {
  /** The secret for this challenge (for Digest-AKA: the output of akaDigestPassword). */
  password?: DigestSecret;
  /** H(A1) instead of a password. */
  ha1?: string;
  /** RFC 3310 3.4: base64 AUTS to send after a synchronisation failure. */
  auts?: string;
  /** Overrides the username given at construction. */
  username?: string;
}

// RFC 3261 25.1 / RFC 7616 3.4: the parameters written as quoted-strings in credentials.
const QUOTED: ReadonlySet<string> = new Set(["username", "realm", "nonce", "uri", "response", "cnonce", "opaque", "auts"]);

/** Client side of Digest: builds Authorization / Proxy-Authorization credentials from challenges. */
export class DigestClient {
  readonly #options: DigestClientOptions;
  /** nonce-count per (realm, nonce), RFC 7616 3.4: incremented for each request with the same nonce. */
  readonly #counts = new Map<string, number>();
  /** Last secret used per realm, for stale=true re-challenges (RFC 7616 3.3 stale). */
  readonly #secrets = new Map<string, { password?: DigestSecret; ha1?: string }>();

  constructor(options: DigestClientOptions) {
    this.#options = options;
  }

  /** Answers a challenge for `request`. Unsupported algorithms and qop values are reported, not thrown. */
  respond(challenge: AuthChallenge, request: DigestRequest, options: RespondOptions = {}): DigestAnswer {
    if (challenge.scheme.toLowerCase() !== "digest") {
      return fail("unsupported-scheme", `auth-scheme ${challenge.scheme} is not Digest`);
    }
    const p = challenge.params;
    const realm = p["realm"];
    const nonce = p["nonce"];
    if (realm === undefined) return fail("missing-parameter", "challenge has no realm");
    if (nonce === undefined) return fail("missing-parameter", "challenge has no nonce");
    const info = digestAlgorithm(p["algorithm"]);
    if (!info) return fail("unsupported-algorithm", `algorithm ${p["algorithm"] ?? ""} is not supported`);

    let qop: "auth" | "auth-int" | undefined;
    const qopOptions = p["qop"];
    if (qopOptions !== undefined) {
      // RFC 7616 3.3: qop is a quoted, comma-separated list of tokens.
      const offered = qopOptions
        .split(",")
        .map((q) => q.trim().toLowerCase())
        .filter((q) => q !== "");
      const auth = offered.includes("auth");
      const authInt = offered.includes("auth-int");
      if (authInt && (this.#options.preferAuthInt || !auth)) qop = "auth-int";
      else if (auth) qop = "auth";
      else return fail("unsupported-qop", `qop ${JSON.stringify(qopOptions)} offers neither auth nor auth-int`);
    }

    // RFC 2617 3.2.1 / RFC 7616 3.3 stale: "the client may wish to simply retry the request with a new encrypted
    // response, without reprompting the user". AKA passwords are per-nonce and never reused.
    const stale = (p["stale"] ?? "").toLowerCase() === "true";
    let secret: { password?: DigestSecret; ha1?: string } | undefined;
    if (options.password !== undefined) secret = { password: options.password };
    else if (options.ha1 !== undefined) secret = { ha1: options.ha1 };
    else if (stale && info.aka === undefined) secret = this.#secrets.get(realm);
    if (secret === undefined && info.aka === undefined && this.#options.password !== undefined) {
      secret = { password: this.#options.password };
    }
    if (secret === undefined) {
      return fail("credentials-required", `no password for realm ${JSON.stringify(realm)}`);
    }
    if (info.aka === undefined) this.#secrets.set(realm, secret);

    const username = options.username ?? this.#options.username;
    let nc: string | undefined;
    let cnonce: string | undefined;
    if (qop !== undefined || info.session) cnonce = this.#newCnonce();
    if (qop !== undefined) nc = formatNonceCount(this.#nextCount(realm, nonce));

    const input: DigestInput = { algorithm: info.name, username, realm, nonce, method: request.method, uri: request.uri };
    if (secret.ha1 !== undefined) input.ha1 = secret.ha1;
    else if (secret.password !== undefined) input.password = secret.password;
    if (qop !== undefined) input.qop = qop;
    if (nc !== undefined) input.nc = nc;
    if (cnonce !== undefined) input.cnonce = cnonce;
    if (request.body !== undefined) input.body = request.body;
    const response = computeDigestResponse(input);

    // RFC 3261 25.1 digest-response (parameter order is not significant).
    const params: Record<string, string> = { username, realm, nonce, uri: request.uri, response };
    params["algorithm"] = info.name;
    if (cnonce !== undefined) params["cnonce"] = cnonce;
    const opaque = p["opaque"];
    if (opaque !== undefined) params["opaque"] = opaque; // RFC 7616 3.4: returned unchanged
    if (qop !== undefined && nc !== undefined) {
      params["qop"] = qop;
      params["nc"] = nc;
    }
    if (options.auts !== undefined) params["auts"] = options.auts;
    const credentials: AuthCredentials = { scheme: "Digest", params, quoted: QUOTED };
    const answer: DigestAnswer = { kind: "credentials", credentials, value: formatCredentials(credentials), stale };
    if (qop !== undefined) answer.qop = qop;
    if (nc !== undefined) answer.nc = nc;
    if (cnonce !== undefined) answer.cnonce = cnonce;
    return answer;
  }

  /** Forgets counters and cached secrets (e.g. on de-registration). */
  reset(): void {
    this.#counts.clear();
    this.#secrets.clear();
  }

  #nextCount(realm: string, nonce: string): number {
    const key = `${realm}\u0000${nonce}`;
    const n = (this.#counts.get(key) ?? 0) + 1;
    this.#counts.delete(key); // re-insert so that Map order is least-recently-used first
    this.#counts.set(key, n);
    const max = this.#options.maxNonces ?? 64;
    while (this.#counts.size > max) {
      const oldest = this.#counts.keys().next().value;
      if (oldest === undefined) break;
      this.#counts.delete(oldest);
    }
    return n;
  }

  #newCnonce(): string {
    if (this.#options.cnonce) return this.#options.cnonce();
    const random = this.#options.random ?? randomBytes;
    return Buffer.from(random(16)).toString("hex");
  }
}

function fail(code: DigestErrorCode, message: string): DigestAnswer {
  return { kind: "error", code, message };
}

/** Picks the challenge to answer among several: SHA-256 before MD5 (RFC 8760: the UAC uses the strongest it supports), first supported wins. */
export function selectDigestChallenge(challenges: readonly AuthChallenge[]): AuthChallenge | undefined {
  let best: AuthChallenge | undefined;
  let bestRank = -1;
  for (const c of challenges) {
    if (c.scheme.toLowerCase() !== "digest") continue;
    const info = digestAlgorithm(c.params["algorithm"]);
    if (!info) continue;
    const rank = info.aka !== undefined ? 1 : info.hash === "sha256" ? 3 : 2;
    if (rank > bestRank) {
      best = c;
      bestRank = rank;
    }
  }
  return best;
}

// RFC 7616 3.4: server-side Digest checks for the registrar / S-CSCF of the reference core,
// and the nonce-count replay check (RFC 7616 3.4 nc; replay attacks in its security considerations).
import { timingSafeEqual } from "node:crypto";
import type { DigestInput, DigestSecret } from "./digest.ts";
import { computeDigestResponse, digestAlgorithm } from "./digest.ts";

export type DigestVerifyFailure =
  | "missing-parameter"
  | "unsupported-algorithm"
  | "algorithm-mismatch"
  | "realm-mismatch"
  | "nonce-mismatch"
  | "username-mismatch"
  | "uri-mismatch"
  | "unsupported-qop"
  | "qop-required"
  | "bad-nc"
  | "response-mismatch";

export type DigestVerifyResult = { ok: true; qop?: "auth" | "auth-int"; nc?: number } | { ok: false; reason: DigestVerifyFailure; detail: string };

export interface VerifyDigestOptions {
  method: string;
  body?: string | Uint8Array;
  /** The password (for AKA: XRES or akaDigestPassword of XRES), or HA1. One is required. */
  password?: DigestSecret;
  ha1?: string;
  /** Expected values; each is checked only when given. */
  realm?: string;
  nonce?: string;
  username?: string;
  /** The algorithm that was challenged (compared case-insensitively); absent accepts any supported. */
  algorithm?: string;
  /** Expected digest-uri (RFC 7616 3.4.6); compared exactly. */
  uri?: string;
  /** qop values the challenge offered (default auth and auth-int). */
  allowedQop?: readonly ("auth" | "auth-int")[];
  /** Reject the RFC 2069 (no qop) form. */
  requireQop?: boolean;
}

/** Checks the `response` of Digest credentials (parameters as parsed by parseAuthParams). */
export function verifyDigest(params: Readonly<Record<string, string>>, opts: VerifyDigestOptions): DigestVerifyResult {
  for (const name of ["username", "realm", "nonce", "uri", "response"] as const) {
    if (params[name] === undefined) return reject("missing-parameter", `credentials have no ${name}`);
  }
  const username = params["username"] ?? "";
  const realm = params["realm"] ?? "";
  const nonce = params["nonce"] ?? "";
  const uri = params["uri"] ?? "";
  const response = params["response"] ?? "";
  const info = digestAlgorithm(params["algorithm"]);
  if (!info) return reject("unsupported-algorithm", `algorithm ${params["algorithm"] ?? ""} is not supported`);
  // An absent algorithm parameter means MD5 (RFC 7616 3.4), so it matches a challenge for MD5.
  if (opts.algorithm !== undefined && info.name.toLowerCase() !== opts.algorithm.toLowerCase()) {
    return reject("algorithm-mismatch", `algorithm ${info.name} was not challenged`);
  }
  if (opts.realm !== undefined && realm !== opts.realm) return reject("realm-mismatch", `realm ${realm} was not challenged`);
  if (opts.nonce !== undefined && nonce !== opts.nonce) return reject("nonce-mismatch", "nonce was not issued");
  if (opts.username !== undefined && username !== opts.username) return reject("username-mismatch", `unexpected username ${username}`);
  if (opts.uri !== undefined && uri !== opts.uri) return reject("uri-mismatch", `digest-uri ${uri} does not match`);

  let qop: "auth" | "auth-int" | undefined;
  let nc: number | undefined;
  const qopParam = params["qop"];
  if (qopParam !== undefined) {
    const q = qopParam.toLowerCase();
    const allowed = opts.allowedQop ?? ["auth", "auth-int"];
    if ((q !== "auth" && q !== "auth-int") || !allowed.includes(q)) return reject("unsupported-qop", `qop ${qopParam} was not offered`);
    qop = q;
    const ncParam = params["nc"];
    if (params["cnonce"] === undefined) return reject("missing-parameter", "credentials with qop have no cnonce");
    if (ncParam === undefined) return reject("missing-parameter", "credentials with qop have no nc");
    if (!/^[0-9a-fA-F]{8}$/.test(ncParam)) return reject("bad-nc", `nc ${ncParam} is not 8 hex digits`);
    nc = parseInt(ncParam, 16);
  } else if (opts.requireQop) {
    return reject("qop-required", "credentials have no qop");
  }
  if (info.session && params["cnonce"] === undefined) return reject("missing-parameter", "a -sess algorithm needs a cnonce");

  const input: DigestInput = { algorithm: info.name, username, realm, nonce, method: opts.method, uri };
  if (opts.ha1 !== undefined) input.ha1 = opts.ha1;
  else if (opts.password !== undefined) input.password = opts.password;
  else throw new RangeError("verifyDigest needs a password or HA1");
  if (qop !== undefined) input.qop = qop;
  if (params["nc"] !== undefined && qop !== undefined) input.nc = params["nc"];
  const cnonce = params["cnonce"];
  if (cnonce !== undefined) input.cnonce = cnonce;
  if (opts.body !== undefined) input.body = opts.body;
  const expected = Buffer.from(computeDigestResponse(input), "utf8");
  const got = Buffer.from(response.toLowerCase(), "utf8");
  if (got.length !== expected.length || !timingSafeEqual(got, expected)) {
    return reject("response-mismatch", "response does not match");
  }
  const ok: DigestVerifyResult = { ok: true };
  if (qop !== undefined) ok.qop = qop;
  if (nc !== undefined) ok.nc = nc;
  return ok;
}

function reject(reason: DigestVerifyFailure, detail: string): DigestVerifyResult {
  return { ok: false, reason, detail };
}

/**
 * RFC 7616 3.4 (nc): replay protection for the server. Remembers the highest nc seen per nonce
 * and accepts only larger ones. Bounded: the least recently used nonces are forgotten first.
 */
export class NonceCountTracker {
  readonly #seen = new Map<string, number>();
  readonly #max: number;

  constructor(maxNonces = 4096) {
    this.#max = maxNonces;
  }

  /** True (and recorded) when `nc` is greater than any nc seen before with `nonce`. */
  accept(nonce: string, nc: string | number): boolean {
    const n = typeof nc === "number" ? nc : /^[0-9a-fA-F]{1,8}$/.test(nc) ? parseInt(nc, 16) : NaN;
    if (!Number.isInteger(n) || n < 1) return false;
    const last = this.#seen.get(nonce) ?? 0;
    if (n <= last) return false;
    this.#seen.delete(nonce);
    this.#seen.set(nonce, n);
    while (this.#seen.size > this.#max) {
      const oldest = this.#seen.keys().next().value;
      if (oldest === undefined) break;
      this.#seen.delete(oldest);
    }
    return true;
  }

  forget(nonce: string): void {
    this.#seen.delete(nonce);
  }
}

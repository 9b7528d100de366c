// RFC 3261 25.1 / RFC 7235 2.1 / RFC 7616 3.3-3.4: the auth-param lists carried by
// WWW-Authenticate, Proxy-Authenticate, Authorization and Proxy-Authorization.
// These are the canonical parse/format functions for those headers; the message layer re-exports them.

/** A challenge from WWW-Authenticate / Proxy-Authenticate: parameter names lower-cased, values unquoted. */
export interface AuthChallenge {
  /** The auth-scheme as written ("Digest"); compare it case-insensitively (RFC 7235 2.1). */
  scheme: string;
  params: Record<string, string>;
  /** Set when the text was not well formed; `params` then holds what could be recovered. */
  malformed?: string;
}

/** Credentials for Authorization / Proxy-Authorization. */
export interface AuthCredentials {
  scheme: string;
  params: Record<string, string>;
  /**
   * Names of the parameters written as quoted-strings. When absent the RFC 3261 25.1 /
   * RFC 7616 3.4 convention applies: algorithm, qop, nc, stale and userhash are tokens,
   * everything else (username, realm, nonce, uri, response, cnonce, opaque, auts, ...) is quoted.
   */
  quoted?: ReadonlySet<string>;
}

/** Parsed credentials keep track of which values were quoted on the wire. */
export interface ParsedCredentials extends AuthCredentials {
  quoted: ReadonlySet<string>;
  malformed?: string;
}

// RFC 3261 25.1: dig-resp / digest-cln values that are tokens, not quoted-strings.
const TOKEN_PARAMS: ReadonlySet<string> = new Set(["algorithm", "qop", "nc", "stale", "userhash"]);
// RFC 3261 25.1 digest-cln: in a challenge qop-options is a quoted list; only stale and algorithm are tokens.
const CHALLENGE_TOKEN_PARAMS: ReadonlySet<string> = new Set(["algorithm", "stale", "userhash"]);

/** Parses one challenge (or credentials) such as `Digest realm="x", nonce="y", qop="auth,auth-int"`. Never throws. */
export function parseAuthParams(value: string): AuthChallenge {
  const r = parseOne(value, 0);
  return toChallenge(r);
}

/** Like parseAuthParams, but also reports which parameters were quoted (for the server side). */
export function parseCredentials(value: string): ParsedCredentials {
  const r = parseOne(value, 0);
  const out: ParsedCredentials = { scheme: r.scheme, params: r.params, quoted: r.quoted };
  const malformed = r.problems[0];
  if (malformed !== undefined) out.malformed = malformed;
  return out;
}

/**
 * RFC 7235 4.1: an HTTP-style header value may carry several challenges separated by commas
 * (`Digest realm="a", nonce="1", Digest realm="b", ...`). SIP normally uses one per header field,
 * but a lenient peer may not. Never throws; returns at least one element.
 */
export function parseAuthChallenges(value: string): AuthChallenge[] {
  const out: AuthChallenge[] = [];
  let pos = 0;
  do {
    const r = parseOne(value, pos);
    out.push(toChallenge(r));
    if (r.next <= pos) break;
    pos = r.next;
  } while (pos < value.length);
  return out;
}

/** Renders credentials: `Digest username="...", realm="...", ..., qop=auth, nc=00000001`. */
export function formatCredentials(c: AuthCredentials): string {
  return formatAuth(c.scheme, c.params, (name) => (c.quoted ? c.quoted.has(name) : !TOKEN_PARAMS.has(name)));
}

/** Renders a challenge: realm, domain, nonce, opaque and qop quoted; stale and algorithm tokens (RFC 3261 25.1). */
export function formatChallenge(c: AuthChallenge | AuthCredentials): string {
  const quoted = "quoted" in c ? c.quoted : undefined;
  return formatAuth(c.scheme, c.params, (name) => (quoted ? quoted.has(name) : !CHALLENGE_TOKEN_PARAMS.has(name)));
}

/** RFC 3261 25.1 quoted-string: backslash-escapes `"` and `\`. CR and LF cannot be represented. */
export function quoteString(value: string): string {
  if (/[\r\n]/.test(value)) throw new RangeError("auth-param value contains CR or LF");
  return `"${value.replace(/["\\]/g, (ch) => `\\${ch}`)}"`;
}

function formatAuth(scheme: string, params: Record<string, string>, isQuoted: (name: string) => boolean): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(params)) {
    if (!isToken(name)) throw new RangeError(`auth-param name is not a token: ${JSON.stringify(name)}`);
    // A value that is not a valid token (e.g. empty) must be quoted whatever the convention says.
    const quote = isQuoted(name) || !isToken(value);
    if (quote && /[\r\n]/.test(value)) throw new RangeError(`auth-param ${name} contains CR or LF`);
    parts.push(`${name}=${quote ? quoteString(value) : value}`);
  }
  return parts.length === 0 ? scheme : `${scheme} ${parts.join(", ")}`;
}

interface ParseResult {
  scheme: string;
  params: Record<string, string>;
  quoted: Set<string>;
  problems: string[];
  /** Where the next challenge starts (value.length when none). */
  next: number;
}

function toChallenge(r: ParseResult): AuthChallenge {
  const out: AuthChallenge = { scheme: r.scheme, params: r.params };
  const malformed = r.problems[0];
  if (malformed !== undefined) out.malformed = malformed;
  return out;
}

function parseOne(text: string, start: number): ParseResult {
  const params: Record<string, string> = Object.create(null) as Record<string, string>;
  const quoted = new Set<string>();
  const problems: string[] = [];
  const end = text.length;
  let i = skipLws(text, start);
  while (i < end && text[i] === ",") i = skipLws(text, i + 1);
  let j = i;
  while (j < end && isTokenChar(text.charCodeAt(j))) j++;
  const scheme = text.slice(i, j);
  if (scheme === "") {
    problems.push(i >= end ? "empty value" : `expected an auth-scheme at offset ${i}`);
    return { scheme, params: plain(params), quoted, problems, next: end };
  }
  i = j;
  if (i < end && !isLws(text.charCodeAt(i)) && text[i] !== ",") {
    problems.push(`unexpected character after auth-scheme at offset ${i}`);
    i = skipTo(text, i, ",");
  }
  // RFC 7235 2.1: challenge = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
  for (;;) {
    i = skipLws(text, i);
    while (i < end && text[i] === ",") i = skipLws(text, i + 1);
    if (i >= end) break;
    const nameStart = i;
    while (i < end && isTokenChar(text.charCodeAt(i))) i++;
    const name = text.slice(nameStart, i).toLowerCase();
    if (name === "") {
      problems.push(`unexpected character at offset ${i}`);
      i = skipTo(text, i + 1, ",");
      continue;
    }
    if (Object.keys(params).length === 0 && isToken68At(text, nameStart)) {
      // RFC 7235 2.1 token68 (e.g. Basic credentials): not an auth-param list.
      problems.push("token68 form is not an auth-param list");
      i = skipTo(text, nameStart, ",");
      continue;
    }
    const afterName = skipLws(text, i);
    if (text[afterName] !== "=") {
      if (afterName < end && afterName > i && isTokenChar(text.charCodeAt(afterName))) {
        // `token SP token...`: the next challenge's auth-scheme (RFC 7235 4.1).
        return { scheme, params: plain(params), quoted, problems, next: nameStart };
      }
      problems.push(`parameter ${name} has no value`);
      i = skipTo(text, i, ",");
      continue;
    }
    i = skipLws(text, afterName + 1);
    let value: string;
    let wasQuoted = false;
    if (text[i] === '"') {
      const q = readQuoted(text, i);
      value = q.value;
      wasQuoted = true;
      i = q.end;
      if (!q.closed) problems.push(`unterminated quoted-string in ${name}`);
    } else {
      const vs = i;
      while (i < end && text[i] !== "," && !isLws(text.charCodeAt(i))) i++;
      value = text.slice(vs, i);
      if (value === "") problems.push(`parameter ${name} has an empty value`);
    }
    if (name in params) {
      problems.push(`duplicate parameter ${name}`);
    } else {
      params[name] = value;
      if (wasQuoted) quoted.add(name);
    }
    i = skipLws(text, i);
    if (i < end && text[i] !== ",") {
      problems.push(`expected ',' at offset ${i}`);
      i = skipTo(text, i, ",");
    }
  }
  return { scheme, params: plain(params), quoted, problems, next: end };
}

/** RFC 3261 25.1 quoted-string with quoted-pair; stops at the closing quote or the end of text. */
function readQuoted(text: string, open: number): { value: string; end: number; closed: boolean } {
  let out = "";
  let i = open + 1;
  while (i < text.length) {
    const ch = text[i];
    if (ch === "\\" && i + 1 < text.length) {
      out += text[i + 1];
      i += 2;
    } else if (ch === '"') {
      return { value: out, end: i + 1, closed: true };
    } else {
      out += ch;
      i++;
    }
  }
  return { value: out, end: i, closed: false };
}

// RFC 7235 2.1: token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=", alone in its element.
function isToken68At(text: string, start: number): boolean {
  let i = start;
  while (i < text.length && /[A-Za-z0-9\-._~+/]/.test(text[i] ?? "")) i++;
  if (i === start) return false;
  while (i < text.length && text[i] === "=") i++;
  i = skipLws(text, i);
  return i >= text.length || text[i] === ",";
}

function plain(params: Record<string, string>): Record<string, string> {
  return { ...params };
}

function skipTo(text: string, i: number, ch: string): number {
  // Skips to the next `ch` outside a quoted-string.
  while (i < text.length && text[i] !== ch) {
    if (text[i] === '"') i = readQuoted(text, i).end;
    else i++;
  }
  return i;
}

function skipLws(text: string, i: number): number {
  while (i < text.length && isLws(text.charCodeAt(i))) i++;
  return i;
}

// RFC 3261 25.1 LWS = [*WSP CRLF] 1*WSP; folded lines are treated as plain whitespace.
function isLws(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

// RFC 3261 25.1 token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")
function isTokenChar(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    c === 0x2d ||
    c === 0x2e ||
    c === 0x21 ||
    c === 0x25 ||
    c === 0x2a ||
    c === 0x5f ||
    c === 0x2b ||
    c === 0x60 ||
    c === 0x27 ||
    c === 0x7e
  );
}

function isToken(s: string): boolean {
  if (s === "") return false;
  for (let i = 0; i < s.length; i++) if (!isTokenChar(s.charCodeAt(i))) return false;
  return true;
}

// RFC 3261 19.1: SIP and SIPS URIs; RFC 3966: tel URIs. Components keep their received (escaped) text.
import { type Param, formatParams, getParam, parseParams } from "./params.ts";

export interface SipUri {
  readonly scheme: "sip" | "sips";
  /** The userinfo's user part, still %-escaped as received. */
  readonly user?: string;
  readonly password?: string;
  /** Host name, IPv4 address or bracketed IPv6 reference (`[::1]`). */
  readonly host: string;
  readonly port?: number;
  readonly params: readonly Param[];
  /** `?name=value&...` headers, escaped as received. */
  readonly headers: readonly Param[];
}

export interface TelUri {
  readonly scheme: "tel";
  /** The telephone-subscriber: global (`+...`) or local number, visual separators kept. */
  readonly number: string;
  readonly params: readonly Param[];
}

/** Any other absolute URI (http:, urn:, mailto: ...), kept verbatim. */
export interface OtherUri {
  readonly scheme: string;
  readonly text: string;
}

export type Uri = SipUri | TelUri | OtherUri;

export interface UriParseError {
  readonly error: string;
}

export function isSipUri(u: Uri): u is SipUri {
  return u.scheme === "sip" || u.scheme === "sips";
}

export function isTelUri(u: Uri): u is TelUri {
  return u.scheme === "tel";
}

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*$/;
const HOSTNAME = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?\.?$/;
const IPV6REF = /^\[[0-9A-Fa-f:.]+\]$/;
// RFC 3966 3: global-number-digits = "+" *phonedigit DIGIT *phonedigit; local-number-digits likewise
// with HEXDIG / "*" / "#". Tested as "allowed characters" plus "one digit" so the test stays linear
// (the single-regex form backtracks quadratically on a long invalid number).
const TEL_GLOBAL = /^\+[0-9().-]+$/;
const TEL_LOCAL = /^[0-9A-Fa-f*#().-]+$/;

/** Parses an absolute URI. Never throws: returns `{ error }` with the reason. */
export function parseUri(text: string): Uri | UriParseError {
  const colon = text.indexOf(":");
  if (colon <= 0) return { error: `no scheme in URI "${text}"` };
  const scheme = text.slice(0, colon).toLowerCase();
  if (!SCHEME.test(scheme)) return { error: `invalid URI scheme "${text.slice(0, colon)}"` };
  if (/[\s<>"]/.test(text)) return { error: `URI "${text}" contains whitespace, quotes or angle brackets` };
  if (scheme === "sip" || scheme === "sips") return parseSipUri(scheme, text, colon + 1);
  if (scheme === "tel") return parseTelUri(text, colon + 1);
  return { scheme, text };
}

function parseSipUri(scheme: "sip" | "sips", text: string, start: number): SipUri | UriParseError {
  let i = start;
  let user: string | undefined;
  let password: string | undefined;
  const at = text.indexOf("@", i);
  if (at >= 0) {
    const userinfo = text.slice(i, at);
    const pc = userinfo.indexOf(":");
    user = pc >= 0 ? userinfo.slice(0, pc) : userinfo;
    if (pc >= 0) password = userinfo.slice(pc + 1);
    if (user === "") return { error: `empty user part in "${text}"` };
    i = at + 1;
  }
  let host: string;
  if (text[i] === "[") {
    const close = text.indexOf("]", i);
    if (close < 0) return { error: `unterminated IPv6 reference in "${text}"` };
    host = text.slice(i, close + 1);
    i = close + 1;
    if (!IPV6REF.test(host)) return { error: `invalid IPv6 reference "${host}"` };
  } else {
    let j = i;
    while (j < text.length && text[j] !== ":" && text[j] !== ";" && text[j] !== "?") j++;
    host = text.slice(i, j);
    i = j;
    if (!HOSTNAME.test(host)) return { error: `invalid host "${host}" in "${text}"` };
  }
  let port: number | undefined;
  if (text[i] === ":") {
    let j = i + 1;
    while (j < text.length && text.charCodeAt(j) >= 48 && text.charCodeAt(j) <= 57) j++;
    const digits = text.slice(i + 1, j);
    port = Number(digits);
    if (digits === "" || port > 65535) return { error: `invalid port "${digits}" in "${text}"` };
    i = j;
  }
  const q = text.indexOf("?", i);
  const paramsEnd = q >= 0 ? q : text.length;
  const params = parseParams(text, i, paramsEnd);
  if (!params) return { error: `malformed URI parameters in "${text}"` };
  const headers: Param[] = [];
  if (q >= 0) {
    // RFC 3261 19.1.1: headers = "?" header *( "&" header ); header = hname "=" hvalue
    for (const pair of text.slice(q + 1).split("&")) {
      const eq = pair.indexOf("=");
      if (eq <= 0) return { error: `malformed URI header "${pair}" in "${text}"` };
      headers.push({ name: pair.slice(0, eq), value: pair.slice(eq + 1) });
    }
  }
  // One object shape for every SIP URI keeps property access monomorphic on the hot path.
  return { scheme, user, password, host, port, params, headers };
}

function parseTelUri(text: string, start: number): TelUri | UriParseError {
  const semi = text.indexOf(";", start);
  const number = text.slice(start, semi >= 0 ? semi : text.length);
  const valid = number.startsWith("+") ? TEL_GLOBAL.test(number) && /[0-9]/.test(number) : TEL_LOCAL.test(number) && /[0-9A-Fa-f*#]/.test(number);
  if (!valid) return { error: `invalid telephone-subscriber "${number}" in "${text}"` };
  const params = semi >= 0 ? parseParams(text, semi) : [];
  if (!params) return { error: `malformed tel URI parameters in "${text}"` };
  // RFC 3966 5.1.4: a local number requires phone-context
  if (!number.startsWith("+") && !getParam(params, "phone-context")) {
    return { error: `local number "${number}" without phone-context (RFC 3966 5.1.4)` };
  }
  return { scheme: "tel", number, params };
}

export function isUriParseError(u: Uri | UriParseError): u is UriParseError {
  return (u as UriParseError).error !== undefined;
}

/** Renders a URI; a parsed URI renders to its received text modulo parameter spacing. */
export function formatUri(u: Uri): string {
  if (isSipUri(u)) {
    let s = `${u.scheme}:`;
    if (u.user !== undefined) s += u.password !== undefined ? `${u.user}:${u.password}@` : `${u.user}@`;
    s += u.host;
    if (u.port !== undefined) s += `:${u.port}`;
    s += formatParams(u.params);
    if (u.headers.length > 0) s += "?" + u.headers.map((h) => `${h.name}=${h.value ?? ""}`).join("&");
    return s;
  }
  if (isTelUri(u)) return `tel:${u.number}${formatParams(u.params)}`;
  return u.text;
}

/** Decodes %HH escapes (RFC 3261 19.1.4 compares unescaped). */
export function unescapeUriPart(s: string): string {
  if (!s.includes("%")) return s;
  return s.replace(/%([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}

const COMPARED_IF_EITHER = ["user", "ttl", "method", "maddr", "transport"];

/** Parameters or headers as unescaped "name=value" entries (RFC 3261 19.1.4: %HH equals the character). */
function normalized(params: readonly Param[], lowerValues: boolean): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const p of params) {
    const name = unescapeUriPart(p.name).toLowerCase();
    const raw = unescapeUriPart(p.value ?? "");
    const value = lowerValues ? raw.toLowerCase() : raw;
    const list = out.get(name);
    if (list) list.push(value);
    else out.set(name, [value]);
  }
  return out;
}

function sameEntries(a: Map<string, string[]>, b: Map<string, string[]>): boolean {
  if (a.size !== b.size) return false;
  for (const [name, va] of a) {
    const vb = b.get(name);
    if (!vb || va.length !== vb.length) return false;
    const sa = [...va].sort();
    const sb = [...vb].sort();
    for (let i = 0; i < sa.length; i++) if (sa[i] !== sb[i]) return false;
  }
  return true;
}

/** RFC 3261 19.1.4 URI comparison for SIP/SIPS; tel URIs per RFC 3966 4; others textually. */
export function uriEquals(a: Uri, b: Uri): boolean {
  if (a.scheme !== b.scheme) return false;
  if (isSipUri(a) && isSipUri(b)) {
    // RFC 3261 19.1.4: userinfo is compared case-sensitively, after unescaping
    if ((a.user === undefined) !== (b.user === undefined) || unescapeUriPart(a.user ?? "") !== unescapeUriPart(b.user ?? "")) return false;
    if ((a.password === undefined) !== (b.password === undefined) || unescapeUriPart(a.password ?? "") !== unescapeUriPart(b.password ?? "")) return false;
    if (a.host.toLowerCase() !== b.host.toLowerCase()) return false;
    if (a.port !== b.port) return false;
    // RFC 3261 19.1.4: a uri-parameter in both must match; user, ttl, method, maddr (and transport,
    // a component with a default) in only one never match; other parameters in one only are ignored
    const pa = normalized(a.params, true);
    const pb = normalized(b.params, true);
    for (const name of COMPARED_IF_EITHER) if (pa.has(name) !== pb.has(name)) return false;
    for (const [name, va] of pa) {
      const vb = pb.get(name);
      if (vb && va[0] !== vb[0]) return false;
    }
    // RFC 3261 19.1.4: header components are never ignored; any present must be present in both and match
    return sameEntries(normalized(a.headers, false), normalized(b.headers, false));
  }
  if (isTelUri(a) && isTelUri(b)) {
    // RFC 3966 4: numbers compare without visual separators; parameters compare by name regardless
    // of order, and a parameter present in only one URI makes them differ
    if (telDigits(a.number) !== telDigits(b.number)) return false;
    return sameEntries(telParams(a.params), telParams(b.params));
  }
  return (a as OtherUri).text === (b as OtherUri).text;
}

function telParams(params: readonly Param[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [name, values] of normalized(params, true)) {
    // RFC 3966 5.1.5, 5.1.4: ext, isub and a global-number phone-context may carry visual separators
    const digits = (v: string): boolean => name === "ext" || name === "isub" || (name === "phone-context" && v.startsWith("+"));
    out.set(
      name,
      values.map((v) => (digits(v) ? telDigits(v) : v)),
    );
  }
  return out;
}

/** The digits of a telephone-subscriber without visual separators (RFC 3966 5.1.1). */
export function telDigits(number: string): string {
  return number.replace(/[().-]/g, "").toLowerCase();
}

// RFC 3261 20.10, 25.1: (name-addr / addr-spec) *( SEMI generic-param ), used by From, To, Contact,
// Route, Record-Route, Path, Service-Route, P-Associated-URI, P-Asserted-Identity.
import { type Param, findQuoteEnd, formatParams, paramValue, parseParams, quote, unquote } from "./params.ts";
import { isTokenChar, scanPlainParams, scanPort } from "./plain-scan.ts";
import { type Uri, formatUri, isUriParseError, parseUri, uriEquals } from "./uri.ts";

export interface NameAddr {
  /** Display name without quotes, or undefined when absent. */
  readonly displayName?: string;
  readonly uri: Uri;
  /** Header parameters (tag, expires, q, +sip.instance ...), not URI parameters. */
  readonly params: readonly Param[];
}

export interface NameAddrParseError {
  readonly error: string;
}

export function isNameAddrError(v: NameAddr | NameAddrParseError): v is NameAddrParseError {
  return (v as NameAddrParseError).error !== undefined;
}

const TOKEN_DISPLAY = /^[A-Za-z0-9\-.!%*_+`'~ \t]*$/;

/** Parses one name-addr or addr-spec with its header parameters. Never throws. */
export function parseNameAddr(text: string): NameAddr | NameAddrParseError {
  const s = text.trim();
  let displayName: string | undefined;
  let uriText: string;
  let rest: number;
  const lt = findAngle(s);
  if (lt >= 0) {
    const before = s.slice(0, lt).trim();
    if (before.startsWith('"')) {
      const close = findQuoteEnd(before, 0);
      if (close < 0) return { error: `unterminated quoted display name in "${s}"` };
      if (close !== before.length - 1) return { error: `text after the quoted display name in "${s}"` };
      displayName = unquote(before);
    } else if (before !== "") {
      // RFC 3261 25.1: display-name = *(token LWS) / quoted-string
      if (!TOKEN_DISPLAY.test(before)) return { error: `display name "${before}" has characters that need quoting (RFC 3261 25.1)` };
      displayName = before.replace(/[ \t]+/g, " ");
    }
    const gt = s.indexOf(">", lt);
    if (gt < 0) return { error: `missing ">" in "${s}"` };
    uriText = s.slice(lt + 1, gt);
    rest = gt + 1;
  } else {
    if (s.startsWith('"')) return { error: `quoted display name without <URI> in "${s}"` };
    // RFC 3261 20.10: in an addr-spec, parameters after the URI are header parameters
    const semi = s.indexOf(";");
    uriText = semi >= 0 ? s.slice(0, semi) : s;
    rest = semi >= 0 ? semi : s.length;
    if (/\s/.test(uriText.trim())) return { error: `URI "${uriText.trim()}" contains whitespace: a display name needs <URI> (RFC 3261 20.10)` };
    uriText = uriText.trim();
    // RFC 3261 20.10: a URI containing a comma, question mark or semicolon MUST be in <> (RFC 4475 3.1.2.13)
    if (uriText.includes("?")) return { error: `URI "${uriText}" has headers ("?") but is not enclosed in <> (RFC 3261 20.10)` };
  }
  const uri = parseUri(uriText);
  if (isUriParseError(uri)) return { error: uri.error };
  const params = parseParams(s, rest);
  if (!params) return { error: `malformed parameters after the URI in "${s}"` };
  return displayName === undefined ? { uri, params } : { displayName, uri, params };
}

/** What plainNameAddr read: the URI as formatUri writes it back, and the tag parameter. */
export interface PlainNameAddr {
  readonly uri: string;
  readonly tag: string | undefined;
}

/** RFC 3261 25.1 user characters, less ";", "?", "/" and "," (left to the full parser): alphanum, -_.!~*'()&=+$ and %. */
function isPlainUserChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) ||
    (c >= 65 && c <= 90) ||
    (c >= 48 && c <= 57) ||
    c === 45 ||
    c === 95 ||
    c === 46 ||
    c === 33 ||
    c === 126 ||
    c === 42 ||
    c === 39 ||
    c === 40 ||
    c === 41 ||
    c === 38 ||
    c === 61 ||
    c === 43 ||
    c === 36 ||
    c === 37
  );
}

function isAlnumOrUnderscore(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}

/** text[a, b) as uri.ts's HOSTNAME: alphanum or "_" at both ends, ".", "-" between, one "." after. */
function isPlainHostname(text: string, a: number, b: number): boolean {
  if (b > a && text.charCodeAt(b - 1) === 46) b--;
  if (b <= a || !isAlnumOrUnderscore(text.charCodeAt(a)) || !isAlnumOrUnderscore(text.charCodeAt(b - 1))) return false;
  for (let k = a + 1; k < b - 1; k++) {
    const c = text.charCodeAt(k);
    if (!isAlnumOrUnderscore(c) && c !== 46 && c !== 45) return false;
  }
  return true;
}

/**
 * A name-addr written as nearly every From, To and Contact is: an optional display name of token
 * characters and spaces, then <sip: or sips: URI> (a user of plain user characters, a host name or
 * IPv4 address, a port without a leading zero, token parameters), then token parameters. Such text
 * is one that parseNameAddr reads without error; the URI is formatUri of what it reads, and the tag
 * tagOf it. null for any other text, which parseNameAddr decides.
 */
export function plainNameAddr(text: string): PlainNameAddr | null {
  const n = text.length;
  let i = 0;
  // RFC 3261 25.1: display-name = *(token LWS)
  for (let c = text.charCodeAt(0); i < n && c !== 60 /* < */; c = text.charCodeAt(++i)) if (c !== 32 && !isTokenChar(c)) return null;
  const uriStart = ++i;
  if (text.startsWith("sip:", i)) i += 4;
  else if (text.startsWith("sips:", i)) i += 5;
  else return null;
  const run = i;
  while (i < n && isPlainUserChar(text.charCodeAt(i))) i++;
  let host = run;
  if (text.charCodeAt(i) === 64 /* @ */) {
    if (i === run) return null;
    host = ++i;
    while (i < n && isPlainUserChar(text.charCodeAt(i))) i++;
  }
  if (!isPlainHostname(text, host, i)) return null;
  if (text.charCodeAt(i) === 58 /* : */) {
    i = scanPort(text, i + 1);
    if (i < 0) return null;
  }
  const uriEnd = scanPlainParams(text, i, "").end;
  if (uriEnd < 0 || text.charCodeAt(uriEnd) !== 62 /* > */) return null;
  const params = scanPlainParams(text, uriEnd + 1, "tag");
  if (params.end !== n) return null;
  return { uri: text.slice(uriStart, uriEnd), tag: params.value === null ? undefined : params.value };
}

/** Index of the "<" that opens the URI, skipping a quoted display name. */
function findAngle(s: string): number {
  let i = 0;
  if (s.startsWith('"')) {
    const close = findQuoteEnd(s, 0);
    if (close < 0) return s.indexOf("<");
    i = close + 1;
  }
  return s.indexOf("<", i);
}

/** Renders as name-addr (always with angle brackets: RFC 3261 20.10 requires them with URI parameters). */
export function formatNameAddr(na: NameAddr): string {
  const name = na.displayName === undefined ? "" : `${quote(na.displayName)} `;
  return `${name}<${formatUri(na.uri)}>${formatParams(na.params)}`;
}

export function tagOf(na: NameAddr): string | undefined {
  const t = paramValue(na.params, "tag");
  return t === "" ? undefined : t;
}

/** The URI of a header value written as name-addr or addr-spec; undefined when it is neither. */
export function uriOfValue(text: string): Uri | undefined {
  const na = parseNameAddr(text);
  if (!isNameAddrError(na)) return na.uri;
  const u = parseUri(text.trim());
  return isUriParseError(u) ? undefined : u;
}

/** Whether two Contact values (name-addr or URI) name the same contact: URIs compared without their parameters, which a registrar or notifier may add or drop. */
export function sameContact(a: string, b: string): boolean {
  const ua = uriOfValue(a);
  const ub = uriOfValue(b);
  return !!ua && !!ub && uriEquals({ ...ua, params: [] } as Uri, { ...ub, params: [] } as Uri);
}

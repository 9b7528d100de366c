// RFC 3261 20.42, 18.2.1: Via: SIP/2.0/UDP host:port;branch=z9hG4bK...;received=...;rport=...
import { type Param, paramValue, parseParams } from "./params.ts";
import { isTokenChar } from "./plain-scan.ts";

export interface Via {
  readonly protocolName: string;
  readonly protocolVersion: string;
  /** Transport token as received, e.g. "UDP", "TCP", "TLS", "WS", "WSS", "SCTP". */
  readonly transport: string;
  readonly host: string;
  readonly port?: number;
  readonly params: readonly Param[];
}

export interface ViaParseError {
  readonly error: string;
}

export function isViaError(v: Via | ViaParseError): v is ViaParseError {
  return (v as ViaParseError).error !== undefined;
}

/** RFC 3261 8.1.1.7: branches of RFC 3261 compliant elements start with this magic cookie. */
export const MAGIC_COOKIE = "z9hG4bK";

const SENT_PROTOCOL = /^\s*([A-Za-z0-9.!%*_+`'~-]+)\s*\/\s*([A-Za-z0-9.!%*_+`'~-]+)\s*\/\s*([A-Za-z0-9.!%*_+`'~-]+)\s+/;

const SIP_2_0 = "SIP/2.0/";

/**
 * The sent-protocol as nearly every Via writes it ("SIP/2.0/UDP " with no LWS inside), read without
 * a regular expression; undefined for any other spelling, which SENT_PROTOCOL reads.
 */
function plainSentProtocol(text: string): { transport: string; end: number } | undefined {
  if (!text.startsWith(SIP_2_0)) return undefined;
  let i = SIP_2_0.length;
  while (i < text.length && isTokenChar(text.charCodeAt(i))) i++;
  if (i === SIP_2_0.length || (text[i] !== " " && text[i] !== "\t")) return undefined;
  const transport = text.slice(SIP_2_0.length, i);
  while (text[i] === " " || text[i] === "\t") i++;
  // Other whitespace after the blanks (\s+ takes it too): left to the regular expression
  if (i < text.length && /\s/.test(text[i])) return undefined;
  return { transport, end: i };
}

/** Parses one via-parm. Never throws. */
export function parseVia(text: string): Via | ViaParseError {
  let protocolName = "SIP";
  let protocolVersion = "2.0";
  let transport: string;
  let i: number;
  const plain = plainSentProtocol(text);
  if (plain) {
    transport = plain.transport;
    i = plain.end;
  } else {
    const m = SENT_PROTOCOL.exec(text);
    if (!m) return { error: `malformed sent-protocol in Via "${text}"` };
    protocolName = m[1];
    protocolVersion = m[2];
    transport = m[3];
    i = m[0].length;
  }
  let host: string;
  if (text[i] === "[") {
    const close = text.indexOf("]", i);
    if (close < 0) return { error: `unterminated IPv6 reference in Via "${text}"` };
    host = text.slice(i, close + 1);
    i = close + 1;
  } else {
    let j = i;
    for (; j < text.length; j++) {
      const c = text.charCodeAt(j);
      if (c === 58 || c === 59 || c === 32 || c === 9 || c === 13 || c === 10) break; // ":" ";" or whitespace
    }
    host = text.slice(i, j);
    i = j;
  }
  if (host === "") return { error: `missing sent-by host in Via "${text}"` };
  while (text[i] === " " || text[i] === "\t") i++;
  let port: number | undefined;
  if (text[i] === ":") {
    i++;
    while (text[i] === " " || text[i] === "\t") i++;
    let j = i;
    while (j < text.length && text.charCodeAt(j) >= 48 && text.charCodeAt(j) <= 57) j++;
    const digits = text.slice(i, j);
    port = Number(digits);
    if (digits === "" || port > 65535) return { error: `invalid sent-by port "${digits}" in Via "${text}"` };
    i = j;
  }
  const params = parseParams(text, i);
  if (!params) return { error: `malformed Via parameters in "${text}"` };
  return { protocolName, protocolVersion, transport: transport.toUpperCase(), host, port, params };
}

export function formatVia(v: Via): string {
  let s = `${v.protocolName}/${v.protocolVersion}/${v.transport} ${v.host}`;
  if (v.port !== undefined) s += `:${v.port}`;
  for (const p of v.params) s += p.value === undefined ? `;${p.name}` : `;${p.name}=${p.value}`;
  return s;
}

/**
 * The plain spelling: "SIP/2.0/" transport, one SP, a host name or IPv4 address, an optional port
 * of 1 to 5 digits, then ";name" or ";name=value" parameters of token characters (RFC 3261 25.1),
 * with no LWS, comma or quote anywhere.
 */
const PLAIN_VIA = /^SIP\/2\.0\/[A-Za-z0-9.!%*_+`'~-]+ [A-Za-z0-9.-]+(?::\d{1,5})?(?:;[A-Za-z0-9.!%*_+`'~-]+(?:=[A-Za-z0-9.!%*_+`'~-]*)?)*$/;
/** RFC 3261 7.3.1: parameter names are case-insensitive; in plain text ";branch" can only start a parameter. */
const BRANCH_PARAM = /;branch(?:=([^;]*))?(?=;|$)/i;

/**
 * The branch of a via-parm in the plain spelling (PLAIN_VIA), read without building the Via (a load
 * reads the branch of every message): such text is one that parseVia reads without error (a port
 * above 65535 excepted here), and the result is viaBranch of it. `null` for any other text, which
 * parseVia decides. Two regular expressions: compiled, they scan faster than a loop over characters.
 */
export function plainViaBranch(text: string): string | undefined | null {
  if (!PLAIN_VIA.test(text)) return null;
  // The first ":" after "SIP/2.0/" is the port's: neither the transport, the host nor a parameter has one
  const colon = text.indexOf(":", 8);
  if (colon >= 0) {
    let port = 0;
    for (let i = colon + 1, c = text.charCodeAt(i); c >= 48 && c <= 57; c = text.charCodeAt(++i)) port = port * 10 + c - 48;
    if (port > 65535) return null;
  }
  const m = BRANCH_PARAM.exec(text);
  return m === null || !m[1] ? undefined : m[1];
}

export function viaBranch(v: Via): string | undefined {
  return paramValue(v.params, "branch") || undefined;
}

/** RFC 3581 4: rport without value asks for it; with a value it carries the source port. */
export function viaRport(v: Via): number | "requested" | undefined {
  const r = paramValue(v.params, "rport");
  if (r === undefined) return undefined;
  if (r === "") return "requested";
  const n = Number(r);
  return Number.isInteger(n) ? n : undefined;
}

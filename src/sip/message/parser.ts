// RFC 3261 7 and 18.3: the message grammar at the level needed to route it: start line, header
// lines (folding, compact names), body framed by Content-Length. Never throws: a malformed message
// yields a ParseError with the position and the reason.
import { headerKey, internHeaderName, isKnownHeaderSpelling, knownHeaderAt } from "./header-names.ts";
import { REASON_PHRASES } from "./reason-phrases.ts";
import { type SipHeader, type SipMessage, SipRequest, SipResponse, internMethod } from "./sip-message.ts";

export interface ParseError {
  /** Offset in the input (bytes of the header section, 0-based) where the problem was found. */
  readonly position: number;
  /** 1-based line number. */
  readonly line: number;
  readonly reason: string;
}

export type ParseResult = { readonly ok: true; readonly message: SipMessage } | { readonly ok: false; readonly error: ParseError };

const TOKEN = /^[A-Za-z0-9.!%*_+`'~-]+$/;
const VERSION = /^SIP\/\d+\.\d+$/i;
const CRLFCRLF = Buffer.from("\r\n\r\n");
const LFLF = Buffer.from("\n\n");
const LFCRLF = Buffer.from("\n\r\n");

function fail(position: number, line: number, reason: string): ParseResult {
  return { ok: false, error: { position, line, reason } };
}

/**
 * Parses one whole message. Without Content-Length the body runs to the end of the input (RFC 3261
 * 18.3 allows it for datagrams; stream transports frame by Content-Length before parsing); bytes
 * beyond Content-Length are discarded.
 */
export function parseMessage(input: Buffer | string): ParseResult {
  const buf = typeof input === "string" ? Buffer.from(input, "utf8") : input;
  // RFC 3261 7.5: CRLFs before the start line are ignored
  let start = 0;
  while (start < buf.length && (buf[start] === 13 || buf[start] === 10)) start++;
  if (start >= buf.length) return fail(0, 1, "empty message");
  let headEnd = buf.indexOf(CRLFCRLF, start);
  let sepLen = 4;
  if (headEnd < 0) {
    headEnd = buf.indexOf(LFLF, start);
    sepLen = 2;
  }
  if (headEnd < 0) {
    // a bare-LF header line followed by a CRLF empty line
    headEnd = buf.indexOf(LFCRLF, start);
    sepLen = 3;
  }
  if (headEnd < 0) return fail(buf.length, 0, "no empty line after the header fields (RFC 3261 7)");
  const head = buf.toString("utf8", start, headEnd);
  let bodyStart = headEnd + sepLen;

  // Start line
  let eol = head.indexOf("\n");
  const startLine = stripCr(eol < 0 ? head : head.slice(0, eol));
  const first = parseStartLine(startLine);
  if (typeof first === "string") return fail(start, 1, first);
  const message = first;

  // Header lines, with RFC 3261 7.3.1 folding: a line starting with SP or HT continues the previous one.
  // A line is head[pendingPos, pendingEnd) without its CR, read in place; only a folded one is copied.
  let pos = eol < 0 ? head.length : eol + 1;
  let lineNo = 1;
  let pendingPos = -1;
  let pendingEnd = 0;
  let folded: string | undefined;
  let pendingLine = 0;
  while (pos < head.length) {
    eol = head.indexOf("\n", pos);
    const lineEnd = eol < 0 ? head.length : eol;
    const end = lineEnd > pos && head.charCodeAt(lineEnd - 1) === 13 ? lineEnd - 1 : lineEnd;
    if (end === pos) {
      // RFC 3261 7.5 (bare LF tolerated): an empty line before the first CRLF CRLF ends the header
      // section there, so a CRLF CRLF inside the body of an LF-framed message does not frame it
      bodyStart = emptyLineEnd(buf, start);
      break;
    }
    lineNo++;
    const c = head.charCodeAt(pos);
    if (c === 32 || c === 9) {
      if (pendingPos < 0) return fail(start + pos, lineNo, "continuation line before any header");
      folded = (folded ?? head.slice(pendingPos, pendingEnd)) + "\r\n" + head.slice(pos, end);
    } else {
      if (pendingPos >= 0) {
        const reason = folded === undefined ? pushHeader(message, head, pendingPos, pendingEnd, false) : pushHeader(message, folded, 0, folded.length, true);
        if (reason !== undefined) return fail(start + pendingPos, pendingLine, reason);
      }
      pendingPos = pos;
      pendingEnd = end;
      folded = undefined;
      pendingLine = lineNo;
    }
    pos = lineEnd + 1;
  }
  if (pendingPos >= 0) {
    const reason = folded === undefined ? pushHeader(message, head, pendingPos, pendingEnd, false) : pushHeader(message, folded, 0, folded.length, true);
    if (reason !== undefined) return fail(start + pendingPos, pendingLine, reason);
  }

  // RFC 3261 18.3 / 20.14: the body is Content-Length bytes
  const available = buf.length - bodyStart;
  let contentLength: number | undefined;
  for (const h of message.headers) {
    if (h.key !== "content-length") continue;
    if (!/^\d+$/.test(h.value)) return fail(start, 0, `Content-Length "${clip(h.value)}" is not a number of bytes (RFC 3261 20.14)`);
    const n = Number(h.value);
    if (contentLength !== undefined && n !== contentLength) return fail(start, 0, "two different Content-Length values");
    contentLength = n;
  }
  if (contentLength === undefined) {
    message.body = available > 0 ? buf.subarray(bodyStart) : message.body;
  } else if (contentLength > available) {
    return fail(buf.length, lineNo, `Content-Length ${contentLength} exceeds the ${available} bytes of body received (RFC 3261 18.3)`);
  } else {
    // RFC 3261 18.3: bytes beyond Content-Length in a datagram are discarded
    message.body = contentLength > 0 ? buf.subarray(bodyStart, bodyStart + contentLength) : message.body;
  }
  return { ok: true, message };
}

/**
 * Adds the header line text[start, end) to the message (`folded`: the line and its continuation
 * lines, joined by CRLF); returns the reason when the line is malformed.
 */
function pushHeader(message: SipMessage, text: string, start: number, end: number, folded: boolean): string | undefined {
  const colon = text.indexOf(":", start);
  if (colon < 0 || colon >= end) return `header line without ":" ("${clip(text.slice(start, end))}")`;
  // Messages may be kept for 64*T1 (RFC 6026 Timer M): common names, methods and phrases are shared strings
  const known = knownHeaderAt(text, start, colon);
  let name: string;
  let key: string;
  if (known !== undefined) {
    name = known.name;
    key = known.key;
  } else {
    const spelled = colon > start && !isLwsCode(text.charCodeAt(start)) && !isLwsCode(text.charCodeAt(colon - 1)) ? text.slice(start, colon) : trimLws(text.slice(start, colon));
    if (!isKnownHeaderSpelling(spelled) && !TOKEN.test(spelled)) return `invalid header name "${clip(spelled)}"`;
    name = internHeaderName(spelled);
    key = headerKey(name);
  }
  if (folded) {
    // RFC 3261 7.3.1: a folded value is one line, each fold replaced by a single SP
    const value = trimLws(text.slice(colon + 1, end).replace(/\r?\n[ \t]+/g, " "));
    message.headers.push({ name, key, value, raw: text.slice(start, end) });
    return undefined;
  }
  let a = colon + 1;
  let b = end;
  while (a < b && isLwsCode(text.charCodeAt(a))) a++;
  while (b > a && isLwsCode(text.charCodeAt(b - 1))) b--;
  const value = text.slice(a, b);
  // "Name: value" exactly as the serializer writes it needs no copy of the line (a message may be kept for 64*T1)
  const plain = name.length === colon - start && a === colon + 2 && text.charCodeAt(colon + 1) === 32 && b === end;
  const h: SipHeader = plain ? { name, key, value } : { name, key, value, raw: text.slice(start, end) };
  message.headers.push(h);
  return undefined;
}

function parseStartLine(line: string): SipMessage | string {
  if (line.startsWith("SIP/")) {
    // RFC 3261 7.2: Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
    const sp1 = line.indexOf(" ");
    if (sp1 < 0) return `malformed Status-Line "${clip(line)}"`;
    const version = line.slice(0, sp1);
    if (!VERSION.test(version)) return `malformed SIP-Version "${clip(version)}" in Status-Line`;
    const sp2 = line.indexOf(" ", sp1 + 1);
    const code = sp2 < 0 ? line.slice(sp1 + 1) : line.slice(sp1 + 1, sp2);
    if (!/^[1-6]\d\d$/.test(code)) return `Status-Code "${clip(code)}" is not three digits from 100 to 699 (RFC 3261 7.2)`;
    const status = Number(code);
    const reason = sp2 < 0 ? "" : line.slice(sp2 + 1);
    return new SipResponse(status, REASON_PHRASES[status] === reason ? REASON_PHRASES[status] : reason, internVersion(version));
  }
  // RFC 3261 7.1: Request-Line = Method SP Request-URI SP SIP-Version CRLF
  const parts = line.split(" ");
  if (parts.length !== 3) {
    return parts.length > 3 ? `Request-Line "${clip(line)}" has more than three parts: whitespace inside the Request-URI? (RFC 3261 7.1)` : `malformed Request-Line "${clip(line)}" (RFC 3261 7.1)`;
  }
  const [method, uri, version] = parts as [string, string, string];
  if (!TOKEN.test(method)) return `invalid method "${clip(method)}" in Request-Line`;
  if (uri === "" || uri.startsWith("<")) return `Request-URI "${clip(uri)}" is not an absolute URI (RFC 3261 7.1)`;
  if (!VERSION.test(version)) return `malformed SIP-Version "${clip(version)}" in Request-Line`;
  return new SipRequest(internMethod(method), uri, internVersion(version));
}

function internVersion(version: string): string {
  return version === "SIP/2.0" ? "SIP/2.0" : version;
}

/**
 * Removes SP, HTAB, CR and LF at both ends (RFC 3261 25.1 LWS). Not String.prototype.trim, which
 * also strips U+FEFF, U+00A0 and other Unicode spaces that are UTF8-NONASCII data in a header value
 * (RFC 4475 3.1.1.2: the extension header value starts with U+FEFF).
 */
function trimLws(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isLwsCode(s.charCodeAt(a))) a++;
  while (b > a && isLwsCode(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

function isLwsCode(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 10;
}

/** Offset just after the first empty line ("\n\n" or "\n\r\n") at or after `from`; only called once one was seen. */
function emptyLineEnd(buf: Buffer, from: number): number {
  for (let i = buf.indexOf(10, from); i >= 0; i = buf.indexOf(10, i + 1)) {
    if (buf[i + 1] === 10) return i + 2;
    if (buf[i + 1] === 13 && buf[i + 2] === 10) return i + 3;
  }
  return buf.length;
}

function stripCr(s: string): string {
  return s.charCodeAt(s.length - 1) === 13 ? s.slice(0, -1) : s;
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

// SDP: Session Description Protocol (RFC 8866, which obsoletes RFC 4566).
// Parsing never throws: it returns a result naming the first offending line.

export interface Origin {
  username: string;
  /** Numeric string (RFC 8866 5.2); kept as text since it may exceed 2^53. */
  sessionId: string;
  sessionVersion: string;
  netType: string;
  addrType: string;
  unicastAddress: string;
}

export interface Connection {
  netType: string;
  addrType: string;
  /** Connection address verbatim, including any /ttl or /number suffix. */
  address: string;
}

export interface Bandwidth {
  /** AS, CT, TIAS, RS, RR (RFC 8866 5.8, RFC 3556, RFC 3890) or any other token. */
  type: string;
  value: number;
}

export interface Timing {
  start: number;
  stop: number;
  /** r= lines following this t= line, verbatim. */
  repeats: string[];
}

/** RFC 8866 5.13: property attribute (no value) or value attribute. */
export interface Attribute {
  name: string;
  value?: string;
}

export interface MediaDescription {
  media: string;
  port: number;
  numberOfPorts?: number;
  proto: string;
  formats: string[];
  title?: string;
  connection?: Connection;
  bandwidths: Bandwidth[];
  key?: string;
  attributes: Attribute[];
}

export interface Sdp {
  version: 0;
  origin: Origin;
  sessionName: string;
  information?: string;
  uri?: string;
  emails: string[];
  phones: string[];
  connection?: Connection;
  bandwidths: Bandwidth[];
  timing: Timing[];
  timeZones?: string;
  key?: string;
  attributes: Attribute[];
  media: MediaDescription[];
}

export interface SdpParseError {
  /** 1-based line number; 0 when the description as a whole is at fault. */
  line: number;
  reason: string;
}

export type SdpParseResult = { ok: true; sdp: Sdp } | { ok: false; error: SdpParseError };

export type Direction = "sendrecv" | "sendonly" | "recvonly" | "inactive";

const DIRECTIONS: readonly string[] = ["sendrecv", "sendonly", "recvonly", "inactive"];

// RFC 8866 9: token = 1*(token-char), token-char excludes space, controls and tspecials-like chars.
const TOKEN = /^[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+$/;
const DIGITS = /^[0-9]+$/;

class LineError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

function parseConnection(value: string, line: number): Connection {
  // RFC 8866 5.7: c=<nettype> <addrtype> <connection-address>
  const parts = value.split(" ");
  if (parts.length !== 3 || parts.some((p) => p === "")) {
    throw new LineError(line, "c= must be '<nettype> <addrtype> <connection-address>'");
  }
  const [netType, addrType, address] = parts as [string, string, string];
  return { netType, addrType, address };
}

function parseBandwidth(value: string, line: number): Bandwidth {
  // RFC 8866 5.8: b=<bwtype>:<bandwidth>
  const colon = value.indexOf(":");
  const type = colon < 0 ? "" : value.slice(0, colon);
  const amount = colon < 0 ? "" : value.slice(colon + 1);
  if (!TOKEN.test(type) || !DIGITS.test(amount)) {
    throw new LineError(line, "b= must be '<bwtype>:<bandwidth>' with a decimal bandwidth");
  }
  return { type, value: Number(amount) };
}

function parseAttribute(value: string, line: number): Attribute {
  // RFC 8866 5.13: a=<attribute-name> | a=<attribute-name>:<attribute-value>
  const colon = value.indexOf(":");
  const name = colon < 0 ? value : value.slice(0, colon);
  if (!TOKEN.test(name)) {
    throw new LineError(line, `invalid attribute name '${name}'`);
  }
  return colon < 0 ? { name } : { name, value: value.slice(colon + 1) };
}

function parseOrigin(value: string, line: number): Origin {
  // RFC 8866 5.2: o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>
  const parts = value.split(" ");
  if (parts.length !== 6 || parts.some((p) => p === "")) {
    throw new LineError(line, "o= must have 6 fields separated by single spaces");
  }
  const [username, sessionId, sessionVersion, netType, addrType, unicastAddress] = parts as [string, string, string, string, string, string];
  if (!DIGITS.test(sessionId) || !DIGITS.test(sessionVersion)) {
    throw new LineError(line, "o= <sess-id> and <sess-version> must be numeric");
  }
  return { username, sessionId, sessionVersion, netType, addrType, unicastAddress };
}

function parseTiming(value: string, line: number): Timing {
  // RFC 8866 5.9: t=<start-time> <stop-time>
  const parts = value.split(" ");
  if (parts.length !== 2 || !parts.every((p) => DIGITS.test(p))) {
    throw new LineError(line, "t= must be '<start-time> <stop-time>' in decimal");
  }
  return { start: Number(parts[0]), stop: Number(parts[1]), repeats: [] };
}

function parseMediaLine(value: string, line: number): MediaDescription {
  // RFC 8866 5.14: m=<media> <port>[/<number of ports>] <proto> <fmt> ...
  const parts = value.split(" ");
  if (parts.length < 4 || parts.some((p) => p === "")) {
    throw new LineError(line, "m= must be '<media> <port> <proto> <fmt> ...' with at least one format");
  }
  const [media, portField, proto, ...formats] = parts as [string, string, string, ...string[]];
  if (!TOKEN.test(media)) {
    throw new LineError(line, `invalid media type '${media}'`);
  }
  const match = /^([0-9]+)(?:\/([0-9]+))?$/.exec(portField);
  const port = match ? Number(match[1]) : NaN;
  if (!match || port > 65535) {
    throw new LineError(line, `invalid port '${portField}'`);
  }
  if (!/^[!#$%&'*+\-./0-9A-Z^_`a-z{|}~]+$/.test(proto)) {
    throw new LineError(line, `invalid proto '${proto}'`);
  }
  const description: MediaDescription = {
    media,
    port,
    proto,
    formats,
    bandwidths: [],
    attributes: [],
  };
  if (match[2] !== undefined) description.numberOfPorts = Number(match[2]);
  return description;
}

// RFC 8866 5: session-level fields in their mandated order; a= may be followed only by m=.
const SESSION_ORDER = "vosiuepcbtrzka";
// RFC 8866 5: media-level fields in order (after m=).
const MEDIA_ORDER = "icbka";

function parseLines(text: string): Sdp {
  // RFC 8866 5: lines end in CRLF; parsers SHOULD also accept a bare LF.
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  if (lines.length === 0) throw new LineError(0, "empty session description");

  const sdp: Omit<Sdp, "version" | "origin" | "sessionName"> & Partial<Sdp> = {
    emails: [],
    phones: [],
    bandwidths: [],
    timing: [],
    attributes: [],
    media: [],
  };
  let current: MediaDescription | undefined;
  let sessionPosition = -1;
  let mediaPosition = -1;
  let mediaLine = 0;

  const finishMedia = (): void => {
    if (current && !current.connection && !sdp.connection) {
      // RFC 8866 5.7: c= in the session or in every media description.
      throw new LineError(mediaLine, "no c= at session level nor in this media description");
    }
  };

  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    const raw = lines[i];
    if (raw === "") throw new LineError(n, "empty line");
    if (raw.length < 2 || raw[1] !== "=") throw new LineError(n, "line must be '<type>=<value>'");
    const type = raw[0];
    const value = raw.slice(2);
    if (!/^[a-z]$/.test(type)) throw new LineError(n, `invalid type '${type}'`);
    // RFC 8866 5: no whitespace on either side of "=" (s= may be a single space, 5.3).
    if (/^\s/.test(value) && type !== "s") throw new LineError(n, "whitespace after '=' is not allowed");

    if (i === 0 && type !== "v") throw new LineError(n, "first line must be v=");
    if (i === 1 && type !== "o") throw new LineError(n, "o= must follow v=");
    if (i === 2 && type !== "s") throw new LineError(n, "s= must follow o=");

    if (type === "m") {
      finishMedia();
      if (sdp.timing.length === 0) throw new LineError(n, "m= before any t= line");
      current = parseMediaLine(value, n);
      mediaLine = n;
      mediaPosition = -1;
      sdp.media.push(current);
      continue;
    }

    if (current) {
      const position = MEDIA_ORDER.indexOf(type);
      if (position < 0) throw new LineError(n, `${type}= not allowed in a media description`);
      if (position < mediaPosition) throw new LineError(n, `${type}= out of order in media description`);
      mediaPosition = position;
      switch (type) {
        case "i":
          if (current.title !== undefined) throw new LineError(n, "duplicate i= in media description");
          current.title = value;
          break;
        case "c":
          if (current.connection) throw new LineError(n, "multiple c= lines in one media description are not supported");
          current.connection = parseConnection(value, n);
          break;
        case "b":
          current.bandwidths.push(parseBandwidth(value, n));
          break;
        case "k":
          current.key = value;
          break;
        case "a":
          current.attributes.push(parseAttribute(value, n));
          break;
      }
      continue;
    }

    const position = SESSION_ORDER.indexOf(type);
    if (position < 0) throw new LineError(n, `unknown type '${type}='`);
    // RFC 8866 5: r= repeats t=; t= r= pairs may repeat; everything else appears once in order.
    const repeatable = type === "t" || type === "r" || type === "e" || type === "p" || type === "b" || type === "a";
    if (position < sessionPosition && !(type === "t" && sessionPosition === SESSION_ORDER.indexOf("r"))) {
      throw new LineError(n, `${type}= out of order at session level`);
    }
    if (position === sessionPosition && !repeatable) throw new LineError(n, `duplicate ${type}= line`);
    sessionPosition = position;
    switch (type) {
      case "v":
        if (value !== "0") throw new LineError(n, "unsupported protocol version (v=0 expected)");
        sdp.version = 0;
        break;
      case "o":
        sdp.origin = parseOrigin(value, n);
        break;
      case "s":
        if (value === "") throw new LineError(n, "s= must not be empty (use s=- or s= with a space)");
        sdp.sessionName = value;
        break;
      case "i":
        sdp.information = value;
        break;
      case "u":
        sdp.uri = value;
        break;
      case "e":
        sdp.emails.push(value);
        break;
      case "p":
        sdp.phones.push(value);
        break;
      case "c":
        sdp.connection = parseConnection(value, n);
        break;
      case "b":
        sdp.bandwidths.push(parseBandwidth(value, n));
        break;
      case "t":
        sdp.timing.push(parseTiming(value, n));
        break;
      case "r": {
        const last = sdp.timing[sdp.timing.length - 1];
        if (!last) throw new LineError(n, "r= without a preceding t=");
        last.repeats.push(value);
        break;
      }
      case "z":
        sdp.timeZones = value;
        break;
      case "k":
        sdp.key = value;
        break;
      case "a":
        sdp.attributes.push(parseAttribute(value, n));
        break;
    }
  }
  finishMedia();
  if (sdp.version === undefined || !sdp.origin || sdp.sessionName === undefined) {
    throw new LineError(lines.length, "truncated: v=, o= and s= are required");
  }
  if (sdp.timing.length === 0) throw new LineError(lines.length, "missing t= line");
  return sdp as Sdp;
}

/** Parse an SDP body (RFC 8866 5). Never throws. */
export function parseSdp(text: string): SdpParseResult {
  try {
    return { ok: true, sdp: parseLines(text) };
  } catch (err) {
    if (err instanceof LineError) return { ok: false, error: { line: err.line, reason: err.reason } };
    return { ok: false, error: { line: 0, reason: `internal parser error: ${String(err)}` } };
  }
}

function formatAttribute(a: Attribute): string {
  return a.value === undefined ? `a=${a.name}` : `a=${a.name}:${a.value}`;
}

function formatConnection(c: Connection): string {
  return `c=${c.netType} ${c.addrType} ${c.address}`;
}

/** Serialize in the RFC 8866 5 field order, CRLF after every line (including the last). */
export function serializeSdp(sdp: Sdp): string {
  const o = sdp.origin;
  const out: string[] = [`v=${sdp.version}`, `o=${o.username} ${o.sessionId} ${o.sessionVersion} ${o.netType} ${o.addrType} ${o.unicastAddress}`, `s=${sdp.sessionName}`];
  if (sdp.information !== undefined) out.push(`i=${sdp.information}`);
  if (sdp.uri !== undefined) out.push(`u=${sdp.uri}`);
  for (const e of sdp.emails) out.push(`e=${e}`);
  for (const p of sdp.phones) out.push(`p=${p}`);
  if (sdp.connection) out.push(formatConnection(sdp.connection));
  for (const b of sdp.bandwidths) out.push(`b=${b.type}:${b.value}`);
  for (const t of sdp.timing) {
    out.push(`t=${t.start} ${t.stop}`);
    for (const r of t.repeats) out.push(`r=${r}`);
  }
  if (sdp.timeZones !== undefined) out.push(`z=${sdp.timeZones}`);
  if (sdp.key !== undefined) out.push(`k=${sdp.key}`);
  for (const a of sdp.attributes) out.push(formatAttribute(a));
  for (const m of sdp.media) {
    const port = m.numberOfPorts === undefined ? `${m.port}` : `${m.port}/${m.numberOfPorts}`;
    out.push(`m=${m.media} ${port} ${m.proto} ${m.formats.join(" ")}`);
    if (m.title !== undefined) out.push(`i=${m.title}`);
    if (m.connection) out.push(formatConnection(m.connection));
    for (const b of m.bandwidths) out.push(`b=${b.type}:${b.value}`);
    if (m.key !== undefined) out.push(`k=${m.key}`);
    for (const a of m.attributes) out.push(formatAttribute(a));
  }
  return out.map((line) => `${line}\r\n`).join("");
}

/** All attributes named `name`, in order. */
export function findAttributes(attributes: readonly Attribute[], name: string): Attribute[] {
  return attributes.filter((a) => a.name === name);
}

/** First attribute named `name`. */
export function findAttribute(attributes: readonly Attribute[], name: string): Attribute | undefined {
  return attributes.find((a) => a.name === name);
}

/**
 * RFC 8866 6.7 / RFC 3264 5.1: the media direction, from the media-level attribute,
 * else the session-level one, else sendrecv.
 */
export function mediaDirection(sdp: Sdp, media: MediaDescription): Direction {
  const pick = (attrs: readonly Attribute[]): Direction | undefined => attrs.find((a) => a.value === undefined && DIRECTIONS.includes(a.name))?.name as Direction | undefined;
  return pick(media.attributes) ?? pick(sdp.attributes) ?? "sendrecv";
}

/** RFC 8866 5.7: the media-level c= overrides the session-level one. */
export function mediaConnection(sdp: Sdp, media: MediaDescription): Connection | undefined {
  return media.connection ?? sdp.connection;
}

export function isDirection(name: string): name is Direction {
  return DIRECTIONS.includes(name);
}

// The session descriptions a message carries (RFC 3261 13.2.1, RFC 3264) and their reading by the
// media layer's SDP parser (RFC 8866), for the requirements on offers and answers. Every function
// reads leniently and never throws: what does not parse is judged by sdp.syntax, not a harness error.
import { type Sdp, type SdpParseResult, parseSdp } from "../media/index.ts";
import type { SipMessage } from "../sip/message/index.ts";

const mediaType = (contentType: string | undefined): string | undefined => contentType?.split(";")[0]?.trim().toLowerCase();

/** RFC 3261 13.2.1: a body is a session description when its disposition is "session" (the default for SDP). */
function sessionDisposition(value: string | undefined): boolean {
  return value === undefined || value.split(";")[0].trim().toLowerCase() === "session";
}

/** The SDP part of a multipart body (RFC 2046 5.1), read leniently. */
function sdpPart(contentType: string, body: string): string | undefined {
  const b = /;\s*boundary\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(contentType);
  const boundary = b ? (b[1] ?? b[2]) : undefined;
  if (!boundary) return undefined;
  for (const part of body.split(`--${boundary}`)) {
    const sep = /\r?\n\r?\n/.exec(part);
    if (!sep) continue;
    const head = part.slice(0, sep.index);
    if (!/^\s*content-type\s*:\s*application\/sdp\b/im.test(head)) continue;
    const disposition = /^\s*content-disposition\s*:\s*(.*)$/im.exec(head)?.[1];
    if (!sessionDisposition(disposition)) continue;
    // RFC 2046 5.1.1: the CRLF before a boundary delimiter belongs to the delimiter, not to the part
    const sdp = part.slice(sep.index + sep[0].length).replace(/\r?\n$/, "");
    if (sdp.trim() !== "") return sdp;
  }
  return undefined;
}

/** The session description (offer or answer) a message carries, or undefined (RFC 3261 13.2.1, RFC 3264). */
export function sessionDescription(m: SipMessage): string | undefined {
  if (m.body.length === 0 || !sessionDisposition(m.header("content-disposition"))) return undefined;
  const type = mediaType(m.contentType);
  const text = m.bodyText;
  if (type === "application/sdp") return text.trim() === "" ? undefined : text;
  if (type?.startsWith("multipart/")) return sdpPart(m.contentType!, text);
  return undefined;
}

/**
 * The SDP text a message carries for the syntax check: a non-empty body of Content-Type
 * application/sdp (whatever its disposition, whitespace too), or the session part of a multipart body.
 */
export function sdpBody(m: SipMessage): string | undefined {
  if (m.body.length === 0) return undefined;
  const type = mediaType(m.contentType);
  if (type === "application/sdp") return m.bodyText;
  if (type?.startsWith("multipart/")) return sdpPart(m.contentType!, m.bodyText);
  return undefined;
}

/** The lines of an SDP text (RFC 8866 5: CRLF, a bare LF accepted), without the empty line after the last CRLF. */
export function sdpLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** The "m=" lines of an SDP text as sent, in order: the i-th is the parser's i-th media description. */
export const rawMediaLines = (text: string): string[] => sdpLines(text).filter((l) => l.startsWith("m="));

/** What a line scan finds of the c= lines (RFC 8866 5.7), whether the rest parses or not. */
export interface ConnectionScan {
  readonly session: boolean;
  /** Per media description: its m= line as sent and how many c= lines it has. */
  readonly media: readonly { readonly line: string; readonly connections: number }[];
}

export function scanConnections(text: string): ConnectionScan {
  let session = false;
  const media: { line: string; connections: number }[] = [];
  for (const line of sdpLines(text)) {
    if (line.startsWith("m=")) media.push({ line, connections: 0 });
    else if (line.startsWith("c=")) {
      const current = media[media.length - 1];
      if (current) current.connections++;
      else session = true;
    }
  }
  return { session, media };
}

/**
 * The text as the media layer's parser should read it for a syntax verdict: RFC 8866 9 allows
 * several c= lines in a media description (multicast layers, 5.7) and a leading space in an i=
 * value (5: "the value can contain a leading whitespace"), which that parser refuses; the extra
 * c= lines are left out and the space removed, so that only what RFC 8866 forbids is reported.
 * `original[i]` is the line number, in `text`, of the line i + 1 of the result.
 */
export function forSyntaxCheck(text: string): { readonly text: string; readonly original: readonly number[] } {
  const out: string[] = [];
  const original: number[] = [];
  let inMedia = false;
  let connections = 0;
  text.split(/(?<=\n)/).forEach((line, i) => {
    if (line.startsWith("m=")) {
      inMedia = true;
      connections = 0;
    } else if (inMedia && line.startsWith("c=") && ++connections > 1) return;
    out.push(line.startsWith("i=") ? `i=${line.slice(2).replace(/^[ \t]+/, "")}` : line);
    original.push(i + 1);
  });
  return { text: out.join(""), original };
}

const parsed = new WeakMap<SipMessage, SdpParseResult | null>();

/** The session description of a message parsed (memoised per message), or undefined when it has none. */
export function parsedSessionDescription(m: SipMessage): SdpParseResult | undefined {
  let result = parsed.get(m);
  if (result === undefined) {
    const text = sessionDescription(m);
    result = text === undefined ? null : parseSdp(text);
    parsed.set(m, result);
  }
  return result ?? undefined;
}

/** The session description of a message when it has one that parses. */
export function sdpOf(m: SipMessage): Sdp | undefined {
  const r = parsedSessionDescription(m);
  return r?.ok ? r.sdp : undefined;
}

/** RFC 8866 5.7 with RFC 1112 4 and RFC 4291 2.7: an IP4 address in 224.0.0.0/4 or an IP6 address in ff00::/8. */
export function isMulticast(addrType: string, address: string): boolean {
  const host = address.split("/")[0].toLowerCase();
  if (addrType.toUpperCase() === "IP4") {
    const first = /^(\d{1,3})\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.exec(host);
    return first !== null && Number(first[1]) >= 224 && Number(first[1]) <= 239;
  }
  if (addrType.toUpperCase() === "IP6") return host.includes(":") && host.startsWith("ff");
  return false;
}

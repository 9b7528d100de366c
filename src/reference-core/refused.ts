// What the reference core answers to a request its endpoint refused (RFC 3261 8.2, 16.3 item 1, 18.3;
// RFC 4475 3.1.2): a stateless 400 (505 for an unknown SIP version) built from the header lines that
// can be read, even when the message as a whole does not parse. Responses are discarded (RFC 4475
// 3.1.2.5, 3.1.2.19).
import { type Destination, type RefusedMessage, responseDestination } from "../sip/endpoint/index.ts";

const PHRASES: Readonly<Record<number, string>> = { 200: "OK", 400: "Bad Request", 505: "Version Not Supported" };

/** RFC 3261 8.2.6.2: the header fields a response copies from its request. */
const COPIED = new Set(["via", "v", "from", "f", "to", "t", "call-id", "i", "cseq"]);

/**
 * The response to a refused request as octets: the status line, the request's Via, From, To (with a
 * tag added), Call-ID and CSeq lines as they arrived (unfolded), Content-Length 0. Undefined for a
 * response, or for octets with no header line at all.
 */
export function refusalResponse(bytes: Buffer, status: number, toTag: string): Buffer | undefined {
  const text = bytes.toString("latin1");
  if (/^SIP\//i.test(text)) return undefined;
  const end = text.indexOf("\r\n\r\n");
  const lines = (end >= 0 ? text.slice(0, end) : text).split(/\r?\n/).slice(1);
  const unfolded: string[] = [];
  for (const l of lines) {
    if (/^[ \t]/.test(l) && unfolded.length > 0) unfolded[unfolded.length - 1] += ` ${l.trim()}`;
    else unfolded.push(l);
  }
  const copied = unfolded
    .filter((l) =>
      COPIED.has(
        l
          .slice(0, Math.max(0, l.indexOf(":")))
          .trim()
          .toLowerCase(),
      ),
    )
    .map((l) => {
      const name = l.slice(0, l.indexOf(":")).trim().toLowerCase();
      return (name === "to" || name === "t") && !/;\s*tag\s*=/i.test(l) ? `${l.trimEnd()};tag=${toTag}` : l;
    });
  if (copied.length === 0) return undefined;
  return Buffer.from(`SIP/2.0 ${status} ${PHRASES[status] ?? "Bad Request"}\r\n${copied.join("\r\n")}\r\nContent-Length: 0\r\n\r\n`, "latin1");
}

/** RFC 3261 18.2.2: where the response goes: by the top Via when the request parsed, else back to its source. */
export function refusalDestination(refused: RefusedMessage): Destination {
  if (refused.request) {
    try {
      return responseDestination(refused.request.topVia, refused.source);
    } catch {
      // a Via that does not parse: the source is all there is
    }
  }
  return refused.source;
}

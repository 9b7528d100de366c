// RFC 3261 7: start line, header lines, empty line, body.
import type { SipMessage } from "./sip-message.ts";

export interface SerializeOptions {
  /**
   * "auto" (default): Content-Length is written to match the body (RFC 3261 20.14; always present,
   * as stream transports require it). "keep": headers are written as they are, so a test can send
   * a deliberately wrong Content-Length.
   */
  readonly contentLength?: "auto" | "keep";
}

export function serializeMessage(message: SipMessage, options: SerializeOptions = {}): Buffer {
  const head = serializeHead(message, options);
  const body = message.body;
  if (body.length === 0) return Buffer.from(head, "utf8");
  // One buffer for the header section and the body: no intermediate copy
  const headLength = Buffer.byteLength(head, "utf8");
  const out = Buffer.allocUnsafe(headLength + body.length);
  out.write(head, 0, "utf8");
  out.set(body, headLength); // TypedArray set: what Buffer.copy ends in, without its argument handling
  return out;
}

/** Start line, header lines and the empty line, as text. */
function serializeHead(message: SipMessage, options: SerializeOptions): string {
  const auto = options.contentLength !== "keep";
  let head = message.startLine() + "\r\n";
  let wroteLength = false;
  for (const h of message.headers) {
    if (auto && h.key === "content-length") {
      if (wroteLength) continue;
      head += `${h.name}: ${message.body.length}\r\n`;
      wroteLength = true;
      continue;
    }
    head += h.raw !== undefined ? h.raw + "\r\n" : `${h.name}: ${h.value}\r\n`;
  }
  if (auto && !wroteLength) head += `Content-Length: ${message.body.length}\r\n`;
  return head + "\r\n";
}

export function messageToString(message: SipMessage, options: SerializeOptions = {}): string {
  return serializeMessage(message, options).toString("utf8");
}

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

/**
 * Start line, header lines and the empty line, as text. Lines joined once rather than appended one
 * by one: the same time, without an intermediate string per line (issue 17).
 */
function serializeHead(message: SipMessage, options: SerializeOptions): string {
  const auto = options.contentLength !== "keep";
  const lines = [message.startLine()];
  let wroteLength = false;
  for (const h of message.headers) {
    if (auto && h.key === "content-length") {
      if (wroteLength) continue;
      lines.push(`${h.name}: ${message.body.length}`);
      wroteLength = true;
      continue;
    }
    lines.push(h.raw !== undefined ? h.raw : `${h.name}: ${h.value}`);
  }
  if (auto && !wroteLength) lines.push(`Content-Length: ${message.body.length}`);
  lines.push("", "");
  return lines.join("\r\n");
}

export function messageToString(message: SipMessage, options: SerializeOptions = {}): string {
  return serializeMessage(message, options).toString("utf8");
}

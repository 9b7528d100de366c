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
  head += "\r\n";
  if (message.body.length === 0) return Buffer.from(head, "utf8");
  return Buffer.concat([Buffer.from(head, "utf8"), message.body]);
}

export function messageToString(message: SipMessage, options: SerializeOptions = {}): string {
  return serializeMessage(message, options).toString("utf8");
}

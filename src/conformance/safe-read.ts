// Typed views of a received message that may not parse: a requirement judges what it can read and
// leaves a malformed header to the requirement about that header (or to request.mandatory-headers).
import type { SipMessage } from "../sip/message/index.ts";

/** The value `read` gives, or undefined when the view it reads throws (a HeaderError). */
export function safe<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

export const toTagOf = (m: SipMessage): string | undefined => safe(() => m.toTag);
export const cseqOf = (m: SipMessage): { seq: number; method: string } | undefined => safe(() => m.cseq);

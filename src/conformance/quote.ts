// How checks quote what arrived: each header as the sender spelled it, and "absent" when it is not there.
import { type SipMessage, canonicalHeaderName, headerKey } from "../sip/message/index.ts";

/** Every line of a header as sent ("Call-ID: abc"), joined by " | "; "<Name>: absent" when there is none. */
export function quoteHeader(m: SipMessage, name: string): string {
  const key = headerKey(name);
  const lines = m.headers.filter((h) => h.key === key).map((h) => `${h.name}: ${h.value}`);
  return lines.length > 0 ? lines.join(" | ") : `${canonicalHeaderName(key)}: absent`;
}

/** `quoteHeader` followed by where it stood: "CSeq: 8 REGISTER in SIP/2.0 200 OK". */
export function quoteIn(m: SipMessage, name: string): string {
  return `${quoteHeader(m, name)} in ${m.startLine()}`;
}

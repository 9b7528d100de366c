// Semantic checks of a received message beyond what parsing needs: the mandatory headers of
// RFC 3261 8.1.1 read by their grammar, CSeq method against the Request-Line (RFC 3261 8.1.1.5),
// single-valued headers (RFC 3261 7.3.1), the protocol version (RFC 3261 8.2.2... 21.5.20).
import { SINGLE_VALUED, canonicalHeaderName } from "./header-names.ts";
import { HeaderError, type SipMessage } from "./sip-message.ts";
import { isSipUri } from "./uri.ts";

export interface MessageProblem {
  readonly header: string;
  readonly reason: string;
  /** The response a UAS would send for it: 400 by default, 505 for the version, 416 for a URI scheme. */
  readonly status: number;
}

const NAME_ADDR_LISTS = ["contact", "route", "record-route", "path", "service-route", "p-associated-uri", "p-asserted-identity"];

export function checkMessage(m: SipMessage): MessageProblem[] {
  const problems: MessageProblem[] = [];
  const attempt = (read: () => unknown, status = 400): void => {
    try {
      read();
    } catch (e) {
      if (e instanceof HeaderError) problems.push({ header: e.header, reason: e.reason, status });
      else throw e;
    }
  };
  if (m.version.toUpperCase() !== "SIP/2.0") {
    problems.push({ header: m.kind === "request" ? "Request-Line" : "Status-Line", reason: `unsupported version ${m.version} (RFC 3261 21.5.20)`, status: 505 });
  }
  for (const key of ["via", "from", "to", "call-id", "cseq"]) {
    if (!m.hasHeader(key)) problems.push({ header: canonicalHeaderName(key), reason: "missing (RFC 3261 8.1.1)", status: 400 });
  }
  if (m.hasHeader("via")) attempt(() => m.vias);
  if (m.hasHeader("from")) attempt(() => m.from);
  if (m.hasHeader("to")) attempt(() => m.to);
  if (m.hasHeader("cseq")) attempt(() => m.cseq);
  for (const key of SINGLE_VALUED) {
    const n = m.headerValues(key).length;
    const lines = m.headers.filter((h) => h.key === key).length;
    if (lines > 1 || n > 1) problems.push({ header: canonicalHeaderName(key), reason: `appears ${Math.max(n, lines)} times; it takes one value (RFC 3261 7.3.1)`, status: 400 });
  }
  for (const key of NAME_ADDR_LISTS) if (m.hasHeader(key)) attempt(() => m.nameAddrs(key));
  if (m.hasHeader("expires")) attempt(() => m.expires);
  if (m.kind === "request") {
    attempt(() => {
      const u = m.uri;
      // RFC 3261 19.1.1 (Table 1): headers are not allowed in a Request-URI (RFC 4475 3.1.2.11)
      if (isSipUri(u) && u.headers.length > 0)
        throw new HeaderError("Request-URI", `escaped headers "?${u.headers.map((h) => `${h.name}=${h.value ?? ""}`).join("&")}" are not allowed in a Request-URI (RFC 3261 19.1.1)`);
    }, 400);
    const mf = m.header("max-forwards");
    if (mf === undefined) problems.push({ header: "Max-Forwards", reason: "missing (RFC 3261 8.1.1.6)", status: 400 });
    // RFC 3261 20.22: Max-Forwards = 1*DIGIT, so leading zeros are allowed (RFC 4475 3.1.1.1: "0068")
    else if (!/^\d+$/.test(mf) || Number(mf) > 255) problems.push({ header: "Max-Forwards", reason: `"${mf}" is not 0 to 255 (RFC 3261 20.22)`, status: 400 });
    try {
      const cseq = m.cseq;
      // RFC 3261 8.1.1.5: the CSeq method MUST match that of the request
      if (cseq.method !== m.method) problems.push({ header: "CSeq", reason: `method ${cseq.method} does not match the Request-Line method ${m.method} (RFC 3261 8.1.1.5)`, status: 400 });
    } catch {
      // reported above
    }
  }
  return problems;
}

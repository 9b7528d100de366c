// RFC 3261 8.2.6.2: a response copies Via, From, To, Call-ID and CSeq of the request; the UAS adds
// a To tag unless the request already had one (or the response is 100 Trying).
import { type SipRequest, SipResponse } from "./sip-message.ts";
import { REASON_PHRASES } from "./reason-phrases.ts";

export function createResponse(request: SipRequest, status: number, options: { reason?: string; toTag?: string } = {}): SipResponse {
  const response = new SipResponse(status, options.reason ?? REASON_PHRASES[status] ?? "Unknown");
  for (const h of request.headers) {
    if (h.key === "via" || h.key === "from" || h.key === "call-id" || h.key === "cseq") response.headers.push({ name: h.name, key: h.key, value: h.value });
    else if (h.key === "to") {
      const hasTag = /;\s*tag\s*=/i.test(h.value);
      const value = !hasTag && options.toTag && status > 100 ? `${h.value};tag=${options.toTag}` : h.value;
      response.headers.push({ name: h.name, key: h.key, value });
    }
  }
  // RFC 3261 8.2.6.1: a 100 Trying copies the Timestamp header
  if (status === 100) {
    const ts = request.header("timestamp");
    if (ts !== undefined) response.addHeader("Timestamp", ts);
  }
  return response;
}

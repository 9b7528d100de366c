// Copies of received messages for forwarding (RFC 3261 16.6 item 1: the proxy works on a copy of
// the request) and for relaying responses (16.7 item 9). Unchanged header lines keep their text.
import { SipRequest, SipResponse } from "../sip/message/index.ts";

export function copyRequest(r: SipRequest): SipRequest {
  const c = new SipRequest(r.method, r.uriText, r.version);
  for (const h of r.headers) c.headers.push({ ...h });
  c.body = r.body;
  return c;
}

export function copyResponse(r: SipResponse): SipResponse {
  const c = new SipResponse(r.status, r.reason, r.version);
  for (const h of r.headers) c.headers.push({ ...h });
  c.body = r.body;
  return c;
}

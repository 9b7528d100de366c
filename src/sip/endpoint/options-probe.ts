// The OPTIONS that asks whether a SIP element listens and answers (RFC 3261 11): the pre-flight of
// every target and the liveness probe of the torture test case send the same request.
import { newCallId, newTag } from "../identifiers.ts";
import { SipRequest } from "../message/index.ts";

/** An out-of-dialog OPTIONS to the domain itself (RFC 3261 11.1), from the harness. */
export function optionsProbe(domain: string): SipRequest {
  const r = new SipRequest("OPTIONS", `sip:${domain}`);
  r.addHeader("Max-Forwards", 70);
  r.addHeader("From", `<sip:ims-interop@${domain}>;tag=${newTag()}`);
  r.addHeader("To", `<sip:${domain}>`);
  r.addHeader("Call-ID", newCallId());
  r.addHeader("CSeq", "1 OPTIONS");
  r.addHeader("Accept", "application/sdp");
  return r;
}

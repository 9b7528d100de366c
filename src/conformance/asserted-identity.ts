// P-Asserted-Identity as a UE receives it on a request from the trust domain (RFC 3325 9.1,
// TS 24.229 5.2.6.3.1), and the URI of a header value read bare or as name-addr: shared by the
// requirements on the INVITE and on the MESSAGE a UE receives.
import { type SipMessage, type Uri, isSipUri, isTelUri, isUriParseError, parseUri, uriOfValue } from "../sip/message/index.ts";
import { quoteHeader, quoteIn } from "./quote.ts";
import type { Finding } from "./requirement.ts";

/** A URI written bare (a Request-URI: its parameters are the URI's) or as name-addr; undefined when unreadable. */
export function bareOrNameAddrUri(text: string): Uri | undefined {
  const t = text.trim();
  if (t.includes("<")) return uriOfValue(t);
  const u = parseUri(t);
  return isUriParseError(u) ? undefined : u;
}

/** RFC 3323 4.2: a priv-value other than "none" asks the network to withhold the identity. */
export function privacyRequested(m: SipMessage): boolean {
  return m
    .headerValues("privacy")
    .flatMap((v) => v.split(";"))
    .map((t) => t.trim().toLowerCase())
    .some((t) => t !== "" && t !== "none");
}

/**
 * RFC 3325 9.1: P-Asserted-Identity present (unless privacy was asked for), one or two values, at
 * most one SIP or SIPS URI and at most one tel URI. `whose` names the party: "caller", "sender".
 */
export function assertedIdentityFinding(m: SipMessage, whose: string): Finding | undefined {
  const values = m.headerValues("p-asserted-identity");
  const expected = `P-Asserted-Identity with the ${whose}'s asserted identity: one SIP or SIPS URI and/or one tel URI`;
  if (values.length === 0) return privacyRequested(m) ? undefined : { expected, received: `${quoteHeader(m, "p-asserted-identity")}, ${quoteHeader(m, "privacy")} in ${m.startLine()}` };
  let sip = 0;
  let tel = 0;
  for (const v of values) {
    const uri = uriOfValue(v);
    if (uri && isSipUri(uri)) sip++;
    else if (uri && isTelUri(uri)) tel++;
    else return { expected: `${expected}; "${v}" is neither`, received: quoteIn(m, "p-asserted-identity") };
  }
  return sip <= 1 && tel <= 1 ? undefined : { expected: `${expected}, not ${sip} SIP and ${tel} tel URIs`, received: quoteIn(m, "p-asserted-identity") };
}

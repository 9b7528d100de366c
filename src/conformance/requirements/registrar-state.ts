// Requirements on the registrar's state as later responses show it (RFC 3261 10.3): a binding the
// UE removed stays removed. The test case's postamble queries the bindings after de-registering
// (RFC 3261 10.2.3), so a registrar that keeps them is caught in the test case that removed them.
import { type SipRequest, type SipResponse, sameContact } from "../../sip/message/index.ts";
import { quoteIn } from "../quote.ts";
import type { Observation, Requirement } from "../requirement.ts";

/** The expiry a REGISTER asked for the UE's contact: its expires parameter, else the Expires header; undefined without that contact. */
function askedExpiry(request: SipRequest, contact: string): number | undefined {
  const value = request.headerValues("contact").find((v) => sameContact(v, contact));
  if (value === undefined) return undefined;
  const param = /;\s*expires\s*=\s*(\d+)/i.exec(value)?.[1];
  return param !== undefined ? Number(param) : (request.expires ?? 3600);
}

const isRegister2xx = (o: Observation): boolean => o.message.kind === "response" && o.message.status >= 200 && o.message.status < 300 && o.request?.method === "REGISTER";

export const REGISTRAR_STATE_REQUIREMENTS: readonly Requirement[] = [
  {
    id: "registrar.binding-removed",
    clause: "RFC 3261 10.3",
    statement: "once a REGISTER with expires 0 for a contact got a 2xx, the registrar lists no binding for that contact until it is registered again",
    constrains: "network",
    appliesTo: { kind: "response", methods: ["REGISTER"], status: [200, 299] },
    // Only after this UE removed its contact in this test case, and did not register it again
    when: (o) => {
      for (const e of [...o.earlier].reverse()) {
        if (!isRegister2xx(e)) continue;
        const asked = askedExpiry(e.request!, o.ue.contact);
        if (asked === undefined) continue;
        return asked === 0;
      }
      return false;
    },
    check: (o) => {
      const r = o.message as SipResponse;
      if (o.request && (askedExpiry(o.request, o.ue.contact) ?? 0) > 0) return undefined;
      const still = r.headerValues("contact").filter((v) => sameContact(v, o.ue.contact));
      return still.length === 0 ? undefined : { expected: `no binding for ${o.ue.contact}: the UE removed it with expires 0 earlier in this test case`, received: quoteIn(r, "contact") };
    },
  },
];

// Requirements on every message the network sends a UE, whatever its kind (RFC 3261 7, 8.1.1),
// and on the UE's automatic requests being answered. Their checks run in the monitor, which sees
// the parser's and the endpoint's problems and the UE's incidents.
import type { Finding, Observation, Requirement } from "../requirement.ts";

const none = (): undefined => undefined;

function notTwoHundred(o: Observation, method: string): Finding | undefined {
  const m = o.message;
  if (m.kind !== "response" || m.status < 300) return undefined;
  return { expected: `a 2xx to the ${method}`, received: m.startLine() };
}

export const MESSAGE_REQUIREMENTS: readonly Requirement[] = [
  {
    id: "message.well-formed",
    clause: "RFC 3261 7, 25.1",
    statement: "every message the network sends a UE (or a UE under test sends the network) is a SIP message as RFC 3261 25 defines its syntax",
    constrains: "any",
    appliesTo: { kind: "message" },
    // Checked by the monitor on the parser's result: a message that parsed meets it
    check: none,
  },
  {
    id: "request.mandatory-headers",
    clause: "RFC 3261 8.1.1",
    statement: "a request carries To, From, CSeq, Call-ID and Via, each well formed, and a valid Request-Line (Max-Forwards is judged per method, e.g. invite.max-forwards)",
    constrains: "any",
    appliesTo: { kind: "request" },
    // Checked by the endpoint before the request reaches a transaction (RFC 3261 8.2, 16.3)
    check: none,
  },
  {
    id: "prack.answered",
    clause: "RFC 3262 3",
    statement: "a PRACK that matches an unacknowledged reliable provisional response is answered with a 2xx",
    constrains: "network",
    appliesTo: { kind: "response", methods: ["PRACK"] },
    // Also checked on the outcome of the UE's automatic PRACK: no final response at all violates it too
    check: (o) => notTwoHundred(o, "PRACK"),
  },
  {
    id: "bye.answered",
    clause: "RFC 3261 15.1.2",
    statement: "a BYE within a confirmed dialog is answered with a 2xx by the UAS core and forwarded so by proxies",
    constrains: "network",
    appliesTo: { kind: "response", methods: ["BYE"] },
    check: (o) => notTwoHundred(o, "BYE"),
  },
];

// Requirements for IMS-MSG-004 large requests over a congestion-controlled transport (RFC 3261 18.1.1, TS 24.229 4.2A).
import { UNKNOWN_MTU_UDP_LIMIT, isCongestionControlled } from "../../sip/endpoint/index.ts";
import { serializeMessage } from "../../sip/message/index.ts";
import type { Observation, Requirement } from "../requirement.ts";

/** The size of a received message as it crossed the wire (the parser keeps every line as received). */
function wireSize(o: Observation): number {
  return serializeMessage(o.message).length;
}

export const MESSAGE_SIZE_REQUIREMENTS: readonly Requirement[] = [
  {
    id: "request.congestion-controlled-transport",
    clause: "RFC 3261 18.1.1; TS 24.229 4.2A",
    statement: `a request larger than ${UNKNOWN_MTU_UDP_LIMIT} bytes (the path MTU unknown, or 200 bytes under an Ethernet MTU of 1500) is sent over a congestion-controlled transport (TCP, TLS, WS, WSS), not UDP`,
    constrains: "network",
    appliesTo: { kind: "request" },
    // Only large requests whose transport is known are judged (the count of checks is theirs)
    when: (o) => o.transport !== undefined && wireSize(o) > UNKNOWN_MTU_UDP_LIMIT,
    check: (o) => {
      if (o.transport === undefined || isCongestionControlled(o.transport)) return undefined;
      const size = wireSize(o);
      return {
        expected: `a request of ${size} bytes (over ${UNKNOWN_MTU_UDP_LIMIT}) over TCP, TLS, WS or WSS`,
        received: `${o.message.startLine()}: ${size} bytes over ${o.transport.toUpperCase()}`,
      };
    },
  },
];

// What an endpoint lets an observer see: every message it receives, with the request a response
// answers, and every message it could not accept. The conformance layer subscribes here, so that
// each received message is judged whatever the test asked of it; the driver knows nothing of it.
import type { SipMessage, SipRequest } from "../message/index.ts";
import type { Destination } from "./destination.ts";

export interface ObservedMessage {
  readonly message: SipMessage;
  readonly source: Destination;
  readonly at: number;
  /** For a response: the request of the client transaction it matched (RFC 3261 17.1.3); absent for a stray response. */
  readonly request?: SipRequest;
  /** A request the server transaction absorbed as a retransmission (RFC 3261 17.2.1, 17.2.2). */
  readonly retransmission: boolean;
}

/**
 * Something the endpoint received or met that no test asked for: evidence for the report.
 * "protocol": a message a transaction's state has no transition for (RFC 3261 17, RFC 6026 7).
 * "handler": a behaviour of the harness threw while handling a received message (a harness bug).
 */
export interface EndpointProblem {
  readonly kind: "unparsable" | "invalid" | "transport" | "handler" | "protocol";
  readonly description: string;
  readonly source?: Destination;
  readonly at: number;
}

export interface EndpointObserver {
  received?(observed: ObservedMessage): void;
  problem?(problem: EndpointProblem): void;
}

// A normative requirement as data (like a TTCN-3 receive template with its default altstep): the
// clause it comes from, the messages it constrains, and a check of one received message.
import type { SipMessage, SipRequest } from "../sip/message/index.ts";
import type { TransportProtocol } from "../sip/transport/address.ts";

/** Which received messages a requirement constrains. */
export interface Applicability {
  /** "message": every message, whatever its kind. */
  readonly kind: "request" | "response" | "message";
  /** Requests of these methods; responses to requests of these methods. Any when absent. */
  readonly methods?: readonly string[];
  /** Responses only: status codes from the first to the second, inclusive. */
  readonly status?: readonly [number, number];
}

/** What the monitor knows of the simulated UE that received the message. */
export interface UeFacts {
  readonly name: string;
  /** The public user identity the UE uses (TS 23.228 4.3.3.2). */
  readonly impu: string;
  /** The Contact URI of the UE. */
  readonly contact: string;
  /** An interop run (issue 15): the network that delivers this UE's messages, named in violations ("from network Y"). */
  readonly network?: string;
}

/** A message the observing side sent to the party it observes (the network side of a UE under test). */
export interface SentMessage {
  readonly message: SipMessage;
  /** When it was sent (ms since the epoch). */
  readonly at: number;
}

/** Which party a requirement binds: the SUT network (seen from a simulated UE), a UE under test (seen from the harness's network), or any SIP element (RFC 3261's rules for every UA and proxy). */
export type Constrained = "network" | "ue" | "any";

/** One message a simulated UE (or the harness's network, observing a UE under test) received, with what a check may need to judge it. */
export interface Observation {
  readonly ue: UeFacts;
  readonly message: SipMessage;
  /** When it arrived (ms since the epoch), when known. */
  readonly at?: number;
  /** The network side of a UE under test: what it sent to that UE before this message, oldest first. */
  readonly sent?: readonly SentMessage[];
  /** For a response: the request it answers (its client transaction's). */
  readonly request?: SipRequest;
  /** A request absorbed by the UE's server transaction as a retransmission. */
  readonly retransmission: boolean;
  /** The transport it arrived over (RFC 3261 18.1.1: a large request over a congestion-controlled one), when known. */
  readonly transport?: TransportProtocol;
  /** What the same UE received earlier in this test case, oldest first. */
  readonly earlier: readonly Observation[];
}

/** Why a message does not meet a requirement: what the clause asks, what arrived (as sent). */
export interface Finding {
  readonly expected: string;
  readonly received: string;
}

export interface Requirement {
  /** Stable identifier, e.g. "response.call-id": the report, the summary and Allure group by it. */
  readonly id: string;
  /** The clause it implements, e.g. "RFC 3261 8.1.3.3". */
  readonly clause: string;
  /** The normative sentence, in short. */
  readonly statement: string;
  /** The party the requirement binds: "network" (observed from a simulated UE), "ue" (a UE under test, observed from the harness's network), "any". */
  readonly constrains: Constrained;
  readonly appliesTo: Applicability;
  /** A narrower condition read from the message (e.g. a reliable provisional response); all when absent. */
  readonly when?: (o: Observation) => boolean;
  /** undefined when the message meets the requirement. */
  readonly check: (o: Observation) => Finding | undefined;
}

/** Whether the requirement applies to this observation (kind, method, status, then `when`). */
export function applies(r: Requirement, o: Observation): boolean {
  const a = r.appliesTo;
  const m = o.message;
  if (a.kind !== "message" && a.kind !== m.kind) return false;
  if (m.kind === "request") {
    if (a.methods && !a.methods.includes(m.method)) return false;
  } else {
    // A response is judged against the request it answers; a stray one is judged at the end of the test case
    if (!o.request) return false;
    if (a.methods && !a.methods.includes(o.request.method)) return false;
    if (a.status && (m.status < a.status[0] || m.status > a.status[1])) return false;
  }
  return r.when ? r.when(o) : true;
}

/** A short description of the messages a requirement constrains, for docs/requirements.md. */
export function describeApplicability(a: Applicability): string {
  const methods = a.methods ? a.methods.join(", ") : "any method";
  if (a.kind === "message") return "every message";
  if (a.kind === "request") return `${methods} request`;
  const status = a.status ? (a.status[0] === a.status[1] ? `${a.status[0]}` : `${a.status[0]}-${a.status[1]}`) : "any";
  return `${status} response to ${methods}`;
}

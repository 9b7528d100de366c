// The conformance monitor of one test case: it sees every message each simulated UE receives and
// runs every requirement that applies to it, whatever the step asked (TTCN-3 default altsteps).
// Steps take its new violations after each step; the After hook adds what was never consumed.
import { summarizeMessage } from "../sip/failure.ts";
import type { EndpointObserver, EndpointProblem, ObservedMessage } from "../sip/endpoint/index.ts";
import type { SipMessage } from "../sip/message/index.ts";
import { addressKey } from "../sip/transport/address.ts";
import type { TraceEntry, TraceListener } from "../sip/transport/trace.ts";
import type { AutomaticRequestIncident } from "../sip/ue/index.ts";
import { REQUIREMENTS, requirement } from "./catalogue.ts";
import { type Constrained, type Finding, type Observation, type Requirement, type SentMessage, type UeFacts, applies } from "./requirement.ts";
import type { Violation } from "./violation.ts";

/** What the monitor needs of a UE: its facts, where to observe its messages and its automatic requests. */
export interface ObservableUe extends UeFacts {
  readonly endpoint: { observe(observer: EndpointObserver): () => void };
  onIncident(listener: (incident: AutomaticRequestIncident) => void): void;
}

/**
 * The harness's network observing a UE under test: every message the network received from that UE,
 * and what the network sent to it (the context of checks such as "the Route set follows the
 * Service-Route the network sent").
 */
export interface ObservableNetwork extends UeFacts {
  observe(observer: { received(m: ObservedMessage): void; problem?(p: EndpointProblem): void; sent?(m: SentMessage): void }): () => void;
}

/** Per requirement: how many messages it was checked on and how many violated it. */
export interface RequirementTally {
  readonly id: string;
  readonly clause: string;
  checked: number;
  violated: number;
}

export interface MonitorNews {
  readonly violations: readonly Violation[];
  /** Faults of the harness met while checking (a check that threw): the test case's verdict is error. */
  readonly harnessErrors: readonly string[];
}

/** The trace the UEs record into: the monitor learns from it which entry each observed message is. */
export interface FollowedTrace {
  subscribe(listener: TraceListener): () => void;
}

/** How the evidence names a UE: "UE-A (sip:alice@ims.example.test)". */
export function ueLabel(ue: { readonly name: string; readonly impu: string }): string {
  return `${ue.name} (${ue.impu})`;
}

/** How findings name the UE that received a message: its label, and in an interop run the network that delivered it. */
function receiverLabel(ue: UeFacts): string {
  return ue.network ? `${ueLabel(ue)} from ${ue.network}` : ueLabel(ue);
}

export class ConformanceMonitor {
  readonly violations: Violation[] = [];
  readonly harnessErrors: string[] = [];
  private readonly tallies = new Map<string, RequirementTally>();
  private readonly history = new Map<string, Observation[]>();
  private readonly seen = new Set<string>();
  private taken = { violations: 0, errors: 0 };
  /** UE name -> its label, for findings that name a UE by name only. */
  private readonly labels = new Map<string, string>();
  /** The trace entry of every message observed (for the violations found later, at the end). */
  private readonly seqs = new WeakMap<SipMessage, number>();
  /** The newest received entry of the followed trace, until an observed message claims it. */
  private lastReceived: TraceEntry | undefined;

  constructor(private readonly catalogue: readonly Requirement[] = REQUIREMENTS) {}

  /**
   * Follows the trace the watched UEs record into. A transport records a received message in the
   * trace and hands it to its endpoint in the same synchronous call, and the endpoint parses it and
   * tells its observers before anything else is received: the newest received entry from the same
   * address is the message observed. Violations then carry its seq (the ladder's "#7").
   */
  follow(trace: FollowedTrace): () => void {
    return trace.subscribe((e) => {
      if (e.direction === "received" && !e.note?.startsWith("keep-alive")) this.lastReceived = e;
    });
  }

  /**
   * Observes, from the harness's network, every message a UE under test sends (requirements that
   * constrain "ue" or "any"); returns the function that stops it.
   */
  watchNetwork(network: ObservableNetwork): () => void {
    const facts: UeFacts = { name: network.name, impu: network.impu, contact: network.contact };
    this.labels.set(network.name, ueLabel(network));
    const sent: SentMessage[] = [];
    return network.observe({
      received: (m) => this.received(facts, m, "ue", sent),
      problem: (p) => this.problem(facts, p),
      sent: (m) => sent.push(m),
    });
  }

  /**
   * Observes every message the UE receives from now on; `network`, in an interop run, names the
   * network the UE is registered in: the side whose messages break a requirement.
   */
  watch(ue: ObservableUe, network?: string): void {
    const facts: UeFacts = { name: ue.name, impu: ue.impu, contact: ue.contact, ...(network ? { network } : {}) };
    this.labels.set(ue.name, receiverLabel(facts));
    ue.endpoint.observe({
      received: (m) => this.received(facts, m),
      problem: (p) => this.problem(facts, p),
    });
    ue.onIncident((i) => this.incident(i));
  }

  /** The trace entry of a message that just arrived from `source`, claimed once. */
  private claimEntry(source: { protocol: string; host: string; port: number } | undefined): number | undefined {
    const e = this.lastReceived;
    if (!e || !source || e.protocol !== source.protocol || addressKey(e.remote) !== addressKey(source)) return undefined;
    this.lastReceived = undefined;
    return e.seq;
  }

  /**
   * Runs every applicable requirement on one received message: those binding the network (and any
   * element) for a simulated UE, those binding a UE under test (and any element) for the network side.
   */
  received(ue: UeFacts, m: ObservedMessage, binds: Exclude<Constrained, "any"> = "network", sent?: readonly SentMessage[]): void {
    const seq = this.claimEntry(m.source);
    if (seq !== undefined) this.seqs.set(m.message, seq);
    const label = receiverLabel(ue);
    const earlier = this.history.get(ue.name) ?? [];
    const o: Observation = {
      ue,
      message: m.message,
      at: m.at,
      ...(m.request ? { request: m.request } : {}),
      ...(sent ? { sent: [...sent] } : {}),
      retransmission: m.retransmission,
      transport: m.source.protocol,
      earlier: [...earlier],
    };
    this.tally(requirement("message.well-formed"), undefined, label, m.message.startLine());
    for (const r of this.catalogue) {
      if (r.id === "message.well-formed" || (r.constrains !== "any" && r.constrains !== binds)) continue;
      let finding: Finding | undefined;
      try {
        if (!applies(r, o)) continue;
        finding = r.check(o);
      } catch (e) {
        this.harnessErrors.push(`requirement ${r.id} could not check ${m.message.startLine()} received by ${ue.name}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        continue;
      }
      this.tally(r, finding, label, summarizeMessage(m.message, ["cseq", "call-id"]), seq);
    }
    earlier.push(o);
    this.history.set(ue.name, earlier);
  }

  /** RFC 3261 7, 25: bytes that are not a SIP message; RFC 3261 8.1.1: a request without its mandatory headers. */
  problem(ue: UeFacts, p: EndpointProblem): void {
    if (p.kind === "transport" || p.kind === "protocol") return;
    if (p.kind === "handler") {
      this.harnessErrors.push(`${ue.name}'s handling of a received message threw: ${p.description}`);
      return;
    }
    const r = requirement(p.kind === "unparsable" ? "message.well-formed" : "request.mandatory-headers");
    this.tally(r, { expected: r.statement, received: p.description }, receiverLabel(ue), p.description.slice(0, 120), this.claimEntry(p.source));
  }

  /** An automatic PRACK or BYE that did not end in 2xx is the SUT's; a harness exception is the harness's. */
  incident(i: AutomaticRequestIncident): void {
    if (i.harnessError) {
      this.harnessErrors.push(`${i.ue}'s ${i.what} failed in the harness: ${i.harnessError.stack ?? i.harnessError.message}`);
      return;
    }
    const id = i.method === "PRACK" ? "prack.answered" : i.method === "BYE" ? "bye.answered" : undefined;
    if (!id) {
      // An ACK that could not be sent: the UE's own transport, not the SUT
      this.harnessErrors.push(`${i.ue} could not send the ${i.what}: ${i.noAnswer?.message ?? "no response"}`);
      return;
    }
    // A non-2xx final response was judged when it arrived; here only the request that got none
    if (i.response || !i.noAnswer) return;
    const r = requirement(id);
    const received = i.noAnswer.message
      .split("\n")
      .filter((l) => l.startsWith("Received:") || l.startsWith("Timeout:"))
      .join("; ");
    this.tally(r, { expected: `a final response to the ${i.what}`, received }, this.labels.get(i.ue) ?? i.ue, i.what);
  }

  /**
   * Adds a check made outside a message check (e.g. of what was left unconsumed at the end); a
   * finding is a violation. `about`: the received message it is about, when there is one.
   */
  record(r: Requirement, finding: Finding | undefined, ue: string, message: string, about?: SipMessage): void {
    this.tally(r, finding, this.labels.get(ue) ?? ue, message, about ? this.seqs.get(about) : undefined);
  }

  /** Violations and harness errors found since the last call. */
  takeNew(): MonitorNews {
    const news = { violations: this.violations.slice(this.taken.violations), harnessErrors: this.harnessErrors.slice(this.taken.errors) };
    this.taken = { violations: this.violations.length, errors: this.harnessErrors.length };
    return news;
  }

  /** Every requirement checked in this test case, with how often it was checked and violated. */
  tallied(): RequirementTally[] {
    return [...this.tallies.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  private tally(r: Requirement, finding: Finding | undefined, ue: string, message: string, seq?: number): void {
    let t = this.tallies.get(r.id);
    if (!t) this.tallies.set(r.id, (t = { id: r.id, clause: r.clause, checked: 0, violated: 0 }));
    t.checked++;
    if (!finding) return;
    // A retransmission repeats its violation: it is recorded once
    const key = `${r.id}|${ue}|${message}|${finding.received}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    t.violated++;
    this.violations.push({ requirement: r, finding, ue, message, at: Date.now(), ...(seq === undefined ? {} : { seq }) });
  }
}

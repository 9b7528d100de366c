// The network the harness plays against a UE under test (TS 34.229's system simulator): the
// reference core at the P-CSCF address the UE is configured with, holding the UE's subscription
// and the peer UEs' (TS 24.229 5.2, 5.4 collapsed as in the reference core). A test case tells it
// what to do next (grant a short expiry, de-register the UE through its reg event) and observes
// every message the UE sends it, with what it sent the UE before (src/conformance/monitor.ts
// watchNetwork). Its messages with the UE go into the running test case's trace; those with the
// harness's own simulated UEs are left out (they record their side themselves).
import type { Profile, Subscriber } from "../profile/profile.ts";
import { ReferenceCore } from "../reference-core/index.ts";
import { sameIdentity } from "../reference-core/hss.ts";
import type { EndpointProblem, ObservedMessage } from "../sip/endpoint/index.ts";
import { type SipMessage, parseMessage } from "../sip/message/index.ts";
import { type TransportAddress, addressKey } from "../sip/transport/address.ts";
import type { TraceEntry, TraceSink } from "../sip/transport/trace.ts";
import { WaitableQueue } from "../sip/waitable-queue.ts";
import { summarizeMessage } from "../sip/failure.ts";

/** A message the network sent the UE under test, and when (ms since the epoch). */
export interface SentMessage {
  readonly message: SipMessage;
  readonly at: number;
}

/** What the running test case gives the network: its trace, and which addresses are the harness's own UEs. */
export interface NetworkFollower {
  readonly trace: TraceSink;
  readonly isHarnessAddress: (a: TransportAddress) => boolean;
}

/** What a test case sees of the UE under test on the network, with observers for the monitor. */
export interface NetworkObserver {
  received(m: ObservedMessage): void;
  problem?(p: EndpointProblem): void;
  sent?(m: SentMessage): void;
}

export class HarnessNetwork {
  /** Every message the UE under test sent the network in the running test case, in order. */
  fromUe: WaitableQueue<ObservedMessage>;
  /** What the network sent the UE under test in the running test case, in order. */
  toUe: WaitableQueue<SentMessage>;
  private follower: NetworkFollower | undefined;
  private readonly observers = new Set<NetworkObserver>();
  /** Where the UE under test sends from (learned from its messages). */
  private readonly ueAddresses = new Set<string>();

  private constructor(
    readonly core: ReferenceCore,
    /** The UE under test's subscription (role UE-SUT). */
    readonly ue: Subscriber,
  ) {
    this.fromUe = this.newFromUe();
    this.toUe = this.newToUe();
    core.observe({
      received: (m) => {
        if (!this.fromTheUe(m.message)) return;
        this.ueAddresses.add(addressKey(m.source));
        this.fromUe.push(m);
        for (const o of this.observers) o.received(m);
      },
      problem: (p) => {
        if (p.source && this.ueAddresses.has(addressKey(p.source))) for (const o of this.observers) o.problem?.(p);
      },
    });
  }

  /** Starts the network at the profile's P-CSCF address (any free port when it gives 0: the self-test UE learns it). */
  static async start(profile: Profile, ue: Subscriber): Promise<HarnessNetwork> {
    const relay = new TraceRelay();
    const { pcscf, domain, transports, subscribers, timers } = profile.ixit;
    const core = await ReferenceCore.start({
      domain,
      host: pcscf.host,
      port: pcscf.port,
      transports: transports.filter((t) => t === "udp" || t === "tcp"),
      subscribers,
      timers,
      trace: relay,
    });
    const network = new HarnessNetwork(core, ue);
    relay.deliver = (e) => network.recorded(e);
    return network;
  }

  get address(): { readonly host: string; readonly port: number } {
    return this.core.address;
  }

  /** A test case starts: its trace receives the network's messages with the UE; the UE's bindings and the expiry grant start afresh. */
  follow(follower: NetworkFollower): void {
    this.follower = follower;
    this.fromUe = this.newFromUe();
    this.toUe = this.newToUe();
    this.ueAddresses.clear();
    for (const impu of this.ue.impus) this.core.forgetBindings(impu);
    this.core.grantExpiresAtMost(undefined);
  }

  /** The test case ended: nothing more goes to its trace or its observers. */
  unfollow(): void {
    this.follower = undefined;
    this.observers.clear();
  }

  /** The addresses ("host:port") the UE under test sent from in the running test case. */
  ueAddressKeys(): string[] {
    return [...this.ueAddresses];
  }

  /** Sees every message the UE under test sends, and what the network sends it (for the monitor's watchNetwork). */
  observe(observer: NetworkObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  /** Requests from the UE are those with its identity in From (REGISTER: To); responses, those with it in To. */
  private fromTheUe(m: SipMessage): boolean {
    try {
      const uri = m.kind === "request" ? (m.method === "REGISTER" ? m.to.uri : m.from.uri) : m.to.uri;
      return this.ue.impus.some((i) => sameIdentity(i, uri));
    } catch {
      // A message whose From or To does not parse: the UE's if it came from where the UE sends
      return false;
    }
  }

  /** An entry of the core's trace: to the test case's trace unless it is with a harness UE; a message sent to the UE is observed as sent. */
  private recorded(e: Omit<TraceEntry, "seq">): void {
    const f = this.follower;
    if (!f || f.isHarnessAddress(e.remote)) return;
    f.trace.record(e);
    if (e.direction !== "sent" || !this.ueAddresses.has(addressKey(e.remote)) || e.note?.startsWith("keep-alive")) return;
    const parsed = parseMessage(e.bytes);
    if (!parsed.ok) return;
    const sent: SentMessage = { message: parsed.message, at: e.time };
    this.toUe.push(sent);
    for (const o of this.observers) o.sent?.(sent);
  }

  private newFromUe(): WaitableQueue<ObservedMessage> {
    return new WaitableQueue((m) => summarizeMessage(m.message));
  }

  private newToUe(): WaitableQueue<SentMessage> {
    return new WaitableQueue((m) => summarizeMessage(m.message));
  }

  stop(): Promise<void> {
    return this.core.stop();
  }
}

/** The core's trace sink: hands every entry to the network, which decides where it goes. */
class TraceRelay implements TraceSink {
  deliver: (e: Omit<TraceEntry, "seq">) => void = () => undefined;
  record(entry: Omit<TraceEntry, "seq">): void {
    this.deliver(entry);
  }
}

// A standing registration of a load run (issue 17): a UE of a pool slot that stays registered from
// one flow to the next, so that a flow's precondition "UE-A is registered" is met by the registration
// an earlier flow of the slot made (the pool registers once, then the scenarios run on it). The UE is
// started once with its trace, its step budget and its observers behind switches; each flow that
// adopts it binds them to its own trace, budget and monitor, so every message it receives in that
// flow is judged by that flow's requirements and enters that flow's trace. Between flows nothing is
// bound: what arrives then is judged by no flow, and a UE that holds anything unconsumed when a flow
// would adopt it is released instead (a leftover never counts against the next flow).
import type { EndpointObserver } from "../../src/sip/endpoint/index.ts";
import { Deadline } from "../../src/sip/deadline.ts";
import type { AutomaticRequestIncident, ImsUe, RegistrationOutcome } from "../../src/sip/ue/index.ts";
import type { TraceEntry, TraceSink } from "../../src/sip/transport/trace.ts";
import type { ObservableUe } from "../../src/conformance/monitor.ts";

/** What a flow binds a standing UE to. */
export interface FlowBinding {
  readonly trace: TraceSink;
  readonly budget: () => Deadline;
}

export class StandingUe {
  private binding: FlowBinding | undefined;
  private observer: EndpointObserver | undefined;
  private incident: ((i: AutomaticRequestIncident) => void) | undefined;
  private ue: ImsUe | undefined;
  /** The registration that stands: what the flow that made it saw (the steps of a later flow may read it). */
  outcome: RegistrationOutcome | undefined;

  /** The trace sink to start the UE with: the bound flow's trace, or none between flows. */
  readonly trace: TraceSink = { record: (e: Omit<TraceEntry, "seq">) => this.binding?.trace.record(e) };
  /** The budget to start the UE with: the bound flow's running step's; between flows, what an automatic answer needs (64*T1 of RFC 3261's default T1). */
  readonly budget = (): Deadline => this.binding?.budget() ?? Deadline.after(32_000, "the time between two flows of a load run");

  /** The UE started with `trace` and `budget`: its observers forward to the bound flow's monitor. */
  attach(ue: ImsUe): void {
    this.ue = ue;
    ue.endpoint.observe({
      received: (m) => this.observer?.received?.(m),
      problem: (p) => this.observer?.problem?.(p),
    });
    ue.onIncident((i) => this.incident?.(i));
  }

  get started(): ImsUe {
    if (!this.ue) throw new Error("a standing UE used before it started");
    return this.ue;
  }

  /** A flow takes the UE: its trace, budget and (through `observable`) its monitor. */
  bind(binding: FlowBinding): void {
    this.binding = binding;
  }

  /** The flow ended: nothing is bound until the next flow adopts the UE, which keeps nothing of this one's calls. */
  unbind(): void {
    this.binding = undefined;
    this.observer = undefined;
    this.incident = undefined;
    this.ue?.forgetHistory();
  }

  /** What a ConformanceMonitor watches: the UE, its observers switched to the bound flow's. */
  observable(): ObservableUe {
    const ue = this.started;
    return {
      name: ue.name,
      impu: ue.impu,
      contact: ue.contact,
      endpoint: {
        observe: (o: EndpointObserver) => {
          this.observer = o;
          return () => {
            if (this.observer === o) this.observer = undefined;
          };
        },
      },
      onIncident: (listener) => {
        this.incident = listener;
      },
    };
  }

  /** The UE holds something no flow consumed (a request or response that arrived between flows). */
  holdsLeftovers(): boolean {
    const ue = this.started;
    return ue.endpoint.inbox.unconsumed().length > 0 || ue.incomingCalls.pending().length > 0 || ue.messages.pending().length > 0;
  }

  /** The end of the run (or a UE no flow may adopt): de-registered within a second, then closed. */
  async release(): Promise<void> {
    const ue = this.ue;
    if (!ue) return;
    this.unbind();
    if (ue.registration.registered) await ue.deregister({ deadline: Deadline.after(1000, `de-registration of ${ue.name} (end of the load run)`), maxChallenges: 2 }).catch(() => undefined);
    await ue.close();
  }
}

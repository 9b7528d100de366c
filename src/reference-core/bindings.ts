// The registration state of the S-CSCF (RFC 3261 10.3, TS 24.229 5.4.1.2.2): contact bindings per
// subscriber. The implicit registration set (TS 23.228 4.3.3.2) shares them: registering one
// public identity of a subscriber registers all of them. Expired bindings are dropped when read.
import type { Clock } from "../sip/clock.ts";
import type { Destination } from "../sip/endpoint/index.ts";
import type { Param } from "../sip/message/index.ts";
import type { TransportProtocol } from "../sip/transport/address.ts";
import type { SubscriberRecord } from "./hss.ts";

export interface Binding {
  /** The contact id in reginfo documents (RFC 3680 5.3). */
  readonly id: string;
  /** The Contact URI as registered. */
  readonly contact: string;
  /** Header parameters of the Contact other than expires (+sip.instance, reg-id ...). */
  params: readonly Param[];
  expiresAt: number;
  /** RFC 3261 10.3 step 7: Call-ID and CSeq of the REGISTER that last updated the binding. */
  callId: string;
  cseq: number;
  readonly protocol: TransportProtocol;
  /**
   * The flow the REGISTER that last updated the binding came on: protocol, source address and, on
   * a connection, its id. RFC 7118 5: requests for a WebSocket binding go down this flow, since the
   * client's Contact (a host under .invalid) cannot be reached.
   */
  flow: Destination;
}

export interface BindingUpdate {
  readonly contact: string;
  readonly params: readonly Param[];
  /** Seconds granted; 0 removes the binding. */
  readonly expires: number;
  readonly callId: string;
  readonly cseq: number;
  readonly protocol: TransportProtocol;
  readonly flow: Destination;
}

/** RFC 3680 5.3 contact events: what happened to a binding. */
export interface BindingChange {
  readonly binding: Binding;
  readonly state: "active" | "terminated";
  readonly event: "registered" | "refreshed" | "shortened" | "unregistered" | "deactivated" | "rejected";
}

let bindingCounter = 0;

export class BindingStore {
  private readonly bySubscriber = new Map<number, Binding[]>();

  constructor(private readonly clock: Clock) {}

  /** The bindings still valid, oldest first. */
  live(record: SubscriberRecord): Binding[] {
    const now = this.clock.now();
    const list = (this.bySubscriber.get(record.index) ?? []).filter((b) => b.expiresAt > now);
    this.bySubscriber.set(record.index, list);
    return list;
  }

  isRegistered(record: SubscriberRecord): boolean {
    return this.live(record).length > 0;
  }

  /** Seconds left of a binding (RFC 3261 10.3 step 8: the 200 lists each with its expires). */
  remaining(binding: Binding): number {
    return Math.max(0, Math.round((binding.expiresAt - this.clock.now()) / 1000));
  }

  find(record: SubscriberRecord, contact: string): Binding | undefined {
    return this.live(record).find((b) => b.contact === contact);
  }

  /** The contacts terminating requests go to, oldest first: one branch each (RFC 3261 16.6, parallel forking). */
  targets(record: SubscriberRecord): Binding[] {
    return this.live(record);
  }

  /** RFC 3261 10.3 step 7: adds, refreshes or (expires 0) removes one binding. */
  apply(record: SubscriberRecord, u: BindingUpdate): BindingChange | undefined {
    const list = this.live(record);
    const i = list.findIndex((b) => b.contact === u.contact);
    const existing = i >= 0 ? list[i] : undefined;
    if (u.expires === 0) {
      if (!existing) return undefined;
      list.splice(i, 1);
      existing.expiresAt = this.clock.now();
      return { binding: existing, state: "terminated", event: "unregistered" };
    }
    const expiresAt = this.clock.now() + u.expires * 1000;
    if (existing) {
      const event = expiresAt < existing.expiresAt ? "shortened" : "refreshed";
      existing.expiresAt = expiresAt;
      existing.callId = u.callId;
      existing.cseq = u.cseq;
      existing.params = u.params;
      existing.flow = u.flow;
      return { binding: existing, state: "active", event };
    }
    const binding: Binding = { id: `c${++bindingCounter}`, contact: u.contact, params: u.params, expiresAt, callId: u.callId, cseq: u.cseq, protocol: u.protocol, flow: u.flow };
    list.push(binding);
    return { binding, state: "active", event: "registered" };
  }

  /** Removes every binding of the subscriber (network-initiated deregistration, Contact: *). */
  removeAll(record: SubscriberRecord): Binding[] {
    const list = this.live(record);
    this.bySubscriber.set(record.index, []);
    return list;
  }
}

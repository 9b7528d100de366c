// The S-CSCF as notifier of the reg event package (TS 24.229 5.4.2.1, RFC 3680, RFC 6665): the
// SUBSCRIBE of a registered UE to its own registration state, NOTIFYs with reginfo documents on
// every change, and the network-initiated deregistration of TS 24.228 6.7.
import { Deadline } from "../sip/deadline.ts";
import { Dialog, dialogKey } from "../sip/dialog/index.ts";
import type { Received } from "../sip/endpoint/index.ts";
import { type ReginfoContact, type ReginfoRegistration, buildReginfo } from "../sip/event/reginfo.ts";
import { newTag } from "../sip/identifiers.ts";
import { type SipRequest, formatUri, isUriParseError, parseUri } from "../sip/message/index.ts";
import { transactionTimeout } from "../sip/transaction/index.ts";
import type { TransportProtocol } from "../sip/transport/address.ts";
import type { Binding, BindingChange } from "./bindings.ts";
import type { CoreContext } from "./core-context.ts";
import type { SubscriberRecord } from "./hss.ts";

/** RFC 3680 6.4 suggests 3761 s; TS 24.229 5.1.1.3 UEs ask for 600000. */
const MAX_SUBSCRIPTION_EXPIRES = 600000;
const DEFAULT_SUBSCRIPTION_EXPIRES = 600000;

interface RegSubscription {
  readonly dialog: Dialog;
  readonly record: SubscriberRecord;
  readonly protocol: TransportProtocol;
  expiresAt: number;
  /** RFC 3680 5.3: the version of the next document. */
  version: number;
  /** NOTIFYs built so far (the first one is what drop-first-notify drops). */
  notifies: number;
  /** NOTIFYs go out one after the other so that versions arrive in order. */
  chain: Promise<void>;
}

type DocState = "full" | "partial";

export class RegEventNotifier {
  private readonly subscriptions = new Map<string, RegSubscription>();

  constructor(private readonly ctx: CoreContext) {}

  /** TS 24.229 5.4.2.1.1: an initial SUBSCRIBE for the reg event of `target`. */
  subscribe(rec: Received, req: SipRequest, target: SubscriberRecord): void {
    const { endpoint, hss, bindings, addressing } = this.ctx;
    const what = `SUBSCRIBE (reg) ${req.uriText}`;
    const subscriber = hss.byImpu(req.from.uri);
    // TS 24.229 5.4.2.1.1: only the user's own UE (a public identity of the same implicit set) may subscribe
    if (subscriber !== target || !bindings.isRegistered(target)) {
      endpoint.reply(rec, 403, { toTag: newTag() });
      this.ctx.log(`${what}: 403 (subscriber ${formatUri(req.from.uri)} is not a registered identity of ${target.defaultImpu})`);
      return;
    }
    const accept = req.headerValues("accept");
    if (accept.length > 0 && !accept.some((a) => a.split(";")[0].trim().toLowerCase() === "application/reginfo+xml")) {
      // RFC 6665 4.2.1.1 / RFC 3261 21.4.7: the only body this notifier produces
      endpoint.reply(rec, 406, { toTag: newTag() });
      this.ctx.log(`${what}: 406 (Accept has no application/reginfo+xml)`);
      return;
    }
    const contact = req.nameAddrs("contact")[0];
    if (!contact) {
      endpoint.reply(rec, 400, { toTag: newTag(), reason: "Missing Contact" });
      this.ctx.log(`${what}: 400 (no Contact, RFC 6665 4.1.2.1)`);
      return;
    }
    addressing.learn(contact.uri, rec.source.protocol);
    const localTag = newTag();
    const expires = Math.min(req.expires ?? DEFAULT_SUBSCRIPTION_EXPIRES, MAX_SUBSCRIPTION_EXPIRES);
    // RFC 6665 4.2.1.1: 200 with Expires, the notifier's To tag and Contact
    endpoint.reply(rec, 200, { toTag: localTag, headers: { Expires: expires, Contact: addressing.contact(rec.source.protocol) } });
    const dialog = Dialog.asUas(req, localTag, "confirmed");
    const sub: RegSubscription = { dialog, record: target, protocol: rec.source.protocol, expiresAt: this.ctx.clock.now() + expires * 1000, version: 0, notifies: 0, chain: Promise.resolve() };
    this.ctx.log(`${what}: 200 (subscription for ${expires} s)`);
    if (expires === 0) {
      // RFC 6665 4.4.3 (fetch): one NOTIFY with the state, the subscription terminated
      void this.notify(sub, "full", this.fullState(target), "terminated;reason=timeout");
      return;
    }
    this.subscriptions.set(dialog.key, sub);
    // RFC 3680 5.2 / TS 24.229 5.4.2.1.2: the first NOTIFY carries the full state, version 0
    void this.notify(sub, "full", this.fullState(target), `active;expires=${expires}`);
  }

  /** Requests within one of our subscription dialogs (refresh, unsubscribe); false if none matches. */
  inDialog(rec: Received, req: SipRequest): boolean {
    const key = dialogKey({ callId: req.callId, localTag: req.toTag ?? "", remoteTag: req.fromTag ?? "" });
    const sub = this.subscriptions.get(key);
    if (!sub) return false;
    const { endpoint, addressing } = this.ctx;
    if (req.method !== "SUBSCRIBE") {
      endpoint.reply(rec, 405, { headers: { Allow: "SUBSCRIBE" } });
      return true;
    }
    const check = sub.dialog.receiveRequest(req);
    if (!check.ok) {
      endpoint.reply(rec, check.status, { reason: "Server Internal Error" });
      return true;
    }
    const expires = Math.min(req.expires ?? DEFAULT_SUBSCRIPTION_EXPIRES, MAX_SUBSCRIPTION_EXPIRES);
    endpoint.reply(rec, 200, { headers: { Expires: expires, Contact: addressing.contact(sub.protocol) } });
    if (expires === 0) {
      // RFC 6665 4.1.2.3 / 4.2.1.4: unsubscribe: a final NOTIFY, the subscription ends
      this.subscriptions.delete(key);
      this.ctx.log(`SUBSCRIBE (reg) ${sub.record.defaultImpu} Expires 0: 200, subscription terminated`);
      void this.notify(sub, "full", this.fullState(sub.record), "terminated;reason=timeout");
      return true;
    }
    // RFC 6665 4.2.1.2 / RFC 3680 5.2: a refresh gets the full state again
    sub.expiresAt = this.ctx.clock.now() + expires * 1000;
    this.ctx.log(`SUBSCRIBE (reg) ${sub.record.defaultImpu} refreshed for ${expires} s`);
    void this.notify(sub, "full", this.fullState(sub.record), `active;expires=${expires}`);
    return true;
  }

  /**
   * TS 24.229 5.4.2.1.2: a partial NOTIFY for the bindings that changed. When no binding is left
   * the registration is terminated and so is the subscription.
   */
  registrationChanged(record: SubscriberRecord, changes: readonly BindingChange[]): void {
    const registered = this.ctx.bindings.isRegistered(record);
    const registrations = this.registrations(
      record,
      registered ? "active" : "terminated",
      changes.map((c) => this.contact(c.binding, c.state, c.event)),
    );
    for (const [key, sub] of this.live(record)) {
      if (registered) {
        void this.notify(sub, "partial", registrations, `active;expires=${this.remaining(sub)}`);
      } else {
        this.subscriptions.delete(key);
        void this.notify(sub, "partial", registrations, "terminated;reason=noresource");
      }
    }
  }

  /**
   * TS 24.228 6.7, TS 24.229 5.4.1.5: network-initiated deregistration: every subscription of the
   * subscriber gets a NOTIFY with the registration and its contacts terminated and ends with it.
   */
  async deregister(record: SubscriberRecord, event: "deactivated" | "rejected"): Promise<void> {
    const contacts = this.ctx.bindings.live(record).map((b) => this.contact(b, "terminated", event));
    const registrations = this.registrations(record, "terminated", contacts);
    const sent: Promise<void>[] = [];
    for (const [key, sub] of this.live(record)) {
      this.subscriptions.delete(key);
      sent.push(this.notify(sub, "full", registrations, `terminated;reason=${event}`));
    }
    await Promise.all(sent);
  }

  private live(record: SubscriberRecord): [string, RegSubscription][] {
    const now = this.ctx.clock.now();
    const out: [string, RegSubscription][] = [];
    for (const [key, sub] of this.subscriptions) {
      if (sub.record !== record) continue;
      // Simplified RFC 6665 4.2.2: an expired subscription is dropped without a final NOTIFY
      if (sub.expiresAt <= now) this.subscriptions.delete(key);
      else out.push([key, sub]);
    }
    return out;
  }

  private remaining(sub: RegSubscription): number {
    return Math.max(0, Math.round((sub.expiresAt - this.ctx.clock.now()) / 1000));
  }

  private fullState(record: SubscriberRecord): ReginfoRegistration[] {
    const live = this.ctx.bindings.live(record);
    return this.registrations(
      record,
      live.length > 0 ? "active" : "terminated",
      live.map((b) => this.contact(b, "active", "registered")),
    );
  }

  /** RFC 3680 5.3: one registration element per public identity of the implicit set. */
  private registrations(record: SubscriberRecord, state: "active" | "terminated", contacts: ReginfoContact[]): ReginfoRegistration[] {
    return record.impus.map((aor, i) => ({ aor, id: `r${record.index}-${i}`, state, contacts }));
  }

  private contact(b: Binding, state: "active" | "terminated", event: string): ReginfoContact {
    const c: ReginfoContact = { id: b.id, state, event, uri: b.contact };
    return state === "active" ? { ...c, expires: this.ctx.bindings.remaining(b) } : c;
  }

  /** RFC 6665 4.2.2: a NOTIFY in the subscription dialog; resolves when answered or given up. */
  private notify(sub: RegSubscription, state: DocState, registrations: ReginfoRegistration[], subscriptionState: string): Promise<void> {
    const { endpoint, addressing, faults } = this.ctx;
    const version = faults.has("reginfo-version-stuck") ? 0 : sub.version++;
    const first = sub.notifies++ === 0;
    const n = sub.dialog.createRequest("NOTIFY", endpoint.via(sub.protocol));
    n.addHeader("Contact", addressing.contact(sub.protocol));
    n.addHeader("Event", "reg");
    n.addHeader("Subscription-State", subscriptionState);
    n.setBody(buildReginfo({ version, state, registrations }), "application/reginfo+xml");
    const to = sub.dialog.remoteTarget;
    if (first && faults.has("drop-first-notify")) {
      this.ctx.log(`fault drop-first-notify: NOTIFY (reg, version ${version}, ${subscriptionState}) to ${to} not sent`);
      return Promise.resolve();
    }
    const uri = parseUri(to);
    const destination = isUriParseError(uri) ? undefined : addressing.destination(uri, sub.protocol);
    if (!destination) {
      this.ctx.log(`NOTIFY (reg) to ${to}: no route to the subscriber's Contact`);
      return Promise.resolve();
    }
    const budget = Math.min(transactionTimeout(endpoint.timers), 8000);
    const send = async (): Promise<void> => {
      try {
        const r = await endpoint.request(n, destination, { deadline: Deadline.after(budget, "answer to NOTIFY (reg)", endpoint.clock), clause: "RFC 6665 4.2.2" });
        this.ctx.log(`NOTIFY (reg, version ${version}, ${subscriptionState}) to ${to}: ${r.status}`);
        // RFC 6665 4.2.2: a 481 (or any failure) ends the subscription
        if (r.status >= 300) this.subscriptions.delete(sub.dialog.key);
      } catch (e) {
        this.ctx.log(`NOTIFY (reg, version ${version}) to ${to}: no answer (${e instanceof Error ? e.message.split("\n")[0] : String(e)})`);
      }
    };
    sub.chain = sub.chain.then(send);
    return sub.chain;
  }
}

/** The event package of a SUBSCRIBE (RFC 6665 8.2.1: Event = event-type *( SEMI event-param )). */
export function eventPackage(req: SipRequest): string | undefined {
  const e = req.header("event");
  return e === undefined ? undefined : e.split(";")[0].trim().toLowerCase();
}

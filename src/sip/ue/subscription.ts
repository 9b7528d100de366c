// RFC 6665: a subscription (SUBSCRIBE dialog) and the NOTIFYs it receives; TS 24.229 5.1.1.3 uses it
// for the reg event package.
import type { Deadline } from "../deadline.ts";
import { Dialog, type SubscriptionState, parseSubscriptionState } from "../dialog/index.ts";
import type { Received } from "../endpoint/index.ts";
import { newCallId, newTag } from "../identifiers.ts";
import { SipRequest, type SipResponse, createResponse } from "../message/index.ts";
import { WaitableQueue } from "../waitable-queue.ts";
import type { UeContext } from "./ue-context.ts";

export interface Notification {
  readonly request: SipRequest;
  readonly state: SubscriptionState | undefined;
  readonly body: string;
  readonly contentType: string | undefined;
}

export class Subscription {
  readonly request: SipRequest;
  readonly notifications: WaitableQueue<Notification>;
  dialog: Dialog | undefined;
  response: SipResponse | undefined;
  /** The NOTIFY handler answers each NOTIFY with this status (200 by default; a test may refuse). */
  notifyAnswer = 200;

  constructor(
    private readonly ctx: UeContext,
    readonly event: string,
    readonly target: string,
    readonly expires: number,
  ) {
    this.notifications = new WaitableQueue((n) => `NOTIFY ${n.state ? `Subscription-State: ${n.state.state}` : "without Subscription-State"} (${n.body.length} bytes)`, ctx.endpoint.clock);
    const r = new SipRequest("SUBSCRIBE", target);
    r.addHeader("Via", ctx.via());
    r.addHeader("Max-Forwards", 70);
    for (const route of ctx.preloadedRoute()) r.addHeader("Route", route);
    r.addHeader("From", `<${ctx.impu}>;tag=${newTag()}`);
    r.addHeader("To", `<${target}>`);
    r.addHeader("Call-ID", newCallId());
    r.addHeader("CSeq", "1 SUBSCRIBE");
    r.addHeader("Contact", `<${ctx.contact}>`);
    r.addHeader("Event", event);
    r.addHeader("Expires", expires);
    if (event === "reg") r.addHeader("Accept", "application/reginfo+xml");
    this.request = r;
  }

  /** The key under which NOTIFYs arrive before the 2xx (RFC 6665 4.1.2.4): Call-ID and our tag. */
  get pendingKey(): string {
    return `${this.request.callId}|${this.request.fromTag ?? ""}`;
  }

  /** Sends the SUBSCRIBE and resolves with its final response. */
  async start(deadline?: Deadline): Promise<SipResponse> {
    const response = await this.ctx.endpoint.request(this.request, this.ctx.outbound, { ...this.ctx.within(deadline), clause: "RFC 6665 4.1.2.1" });
    this.response = response;
    if (response.status >= 200 && response.status < 300 && !this.dialog) this.adopt(Dialog.asUac(this.request, response));
    return response;
  }

  private adopt(dialog: Dialog): void {
    this.dialog = dialog;
    this.ctx.addDialog(dialog.key, (rec) => this.receive(rec));
  }

  /** A NOTIFY in this subscription (also one that arrives before the 2xx: RFC 6665 4.1.2.4). */
  receive(rec: Received): void {
    const m = rec.message;
    if (m.kind !== "request") return;
    let created = false;
    if (!this.dialog && m.method === "NOTIFY") {
      // RFC 6665 4.1.2.4: the NOTIFY creates the dialog; the notifier's tag is its From tag
      const d = Dialog.asUas(m, this.request.fromTag ?? "", "confirmed");
      // RFC 3261 12.1.2: we sent the SUBSCRIBE, so our sequence numbers continue from its CSeq
      d.localSeq = this.request.cseq.seq;
      this.adopt(d);
      created = true;
    }
    if (m.method !== "NOTIFY") {
      rec.transaction?.respond(createResponse(m, 405));
      return;
    }
    if (this.dialog) {
      // RFC 3261 12.2.2: a NOTIFY with a lower CSeq than the last is out of order: 500
      const check = created ? undefined : this.dialog.receiveRequest(m);
      if (check && !check.ok) {
        rec.transaction?.respond(createResponse(m, check.status));
        return;
      }
      this.dialog.refreshTarget(m);
    }
    rec.transaction?.respond(createResponse(m, this.notifyAnswer));
    const state = parseSubscriptionState(m.header("subscription-state"));
    this.notifications.push({ request: m, state, body: m.bodyText, contentType: m.contentType });
    if (state?.state === "terminated" && this.dialog) {
      this.dialog.terminate();
      this.ctx.removeDialog(this.dialog.key, false);
    }
  }

  waitForNotify(match: (n: Notification) => boolean = () => true, deadline?: Deadline, expected = `NOTIFY for the ${this.event} subscription`, clause?: string): Promise<Notification> {
    return this.notifications.next(match, deadline ?? this.ctx.deadline(expected), expected, clause);
  }

  /** RFC 6665 4.1.2.3: SUBSCRIBE with Expires: 0 ends the subscription. */
  async unsubscribe(deadline?: Deadline): Promise<SipResponse> {
    if (!this.dialog) throw new Error(`the ${this.event} subscription has no dialog to end`);
    const r = this.dialog.createRequest("SUBSCRIBE", this.ctx.via());
    r.addHeader("Event", this.event);
    r.addHeader("Expires", 0);
    r.addHeader("Contact", `<${this.ctx.contact}>`);
    return this.ctx.endpoint.request(r, this.ctx.outbound, { ...this.ctx.within(deadline), clause: "RFC 6665 4.1.2.3" });
  }
}

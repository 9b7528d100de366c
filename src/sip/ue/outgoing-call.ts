// The caller's side of a call (UAC): INVITE (RFC 3261 13.2), early dialogs and forking
// (12.1.2, 13.2.2.4), PRACK for reliable provisional responses (RFC 3262), UPDATE (RFC 3311),
// CANCEL (RFC 3261 9.1), ACK for 2xx, re-INVITE and BYE (15.1.1).
import type { Deadline } from "../deadline.ts";
import { Dialog, checkRSeq, isReliableProvisional, rackValue } from "../dialog/index.ts";
import { summarizeMessage } from "../failure.ts";
import { newCallId, newTag } from "../identifiers.ts";
import type { Received } from "../endpoint/index.ts";
import { type ClientTransaction, type ClientTransactionUser, type LateInviteUser, byteString } from "../transaction/index.ts";
import { SipRequest, type SipResponse, createResponse, serializeMessage } from "../message/index.ts";
import { WaitableQueue } from "../waitable-queue.ts";
import { addRequestHeaders as addSessionTimerHeaders, retryAfter422 } from "../dialog/session-timer.ts";
import { SessionTimer, type SessionTimerRequest } from "./session-timer.ts";
import type { CallMedia } from "./call-media.ts";
import type { UeContext } from "./ue-context.ts";

export interface CallOptions {
  /** RFC 4028 7.1: Supported: timer, Session-Expires and Min-SE on the INVITE; a 422 is retried (7.4) and the 2xx starts the session timer. */
  readonly sessionTimer?: SessionTimerRequest;
  /** SDP offer carried by the INVITE. */
  readonly sdp?: string;
  /** The call's media (ImsUe.openMedia): the INVITE offers it unless `sdp` is given; it follows every answer and stops with the call. */
  readonly media?: CallMedia;
  /** RFC 3262: "supported" (default) or "required" puts 100rel in Supported or Require; false leaves it out. */
  readonly reliable?: "supported" | "required" | false;
  /** RFC 3312: adds the precondition option tag (TS 24.229 5.1.3.1). */
  readonly preconditions?: boolean;
  /** PRACK each reliable provisional response automatically (default true, RFC 3262 4). */
  readonly autoPrack?: boolean;
  /** SDP to put in PRACK when the reliable 1xx carried an answer and preconditions are used. */
  readonly prackSdp?: (response: SipResponse) => string | undefined;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface PrackExchange {
  readonly provisional: SipResponse;
  readonly prack: SipRequest;
  readonly response: SipResponse;
}

export class OutgoingCall {
  /** The INVITE sent last: a retry after 422 replaces the first one (RFC 4028 7.4). */
  invite: SipRequest;
  /** The 422 responses the INVITE was sent again after (RFC 4028 7.4), in order. */
  readonly retriedAfter: SipResponse[] = [];
  /** RFC 4028: the session timer of the confirmed dialog, when the 2xx carried a Session-Expires. */
  sessionTimer: SessionTimer | undefined;
  /** Every response to the INVITE the transaction passed up, in order. */
  readonly responses: WaitableQueue<SipResponse>;
  #requests: WaitableQueue<Received> | undefined;
  #pracks: WaitableQueue<PrackExchange> | undefined;
  /** Early and confirmed dialogs by the callee's To tag (forking gives several, RFC 3261 13.2.2.4). */
  readonly dialogs = new Map<string, Dialog>();
  confirmed: Dialog | undefined;
  /** The ACK sent for each 2xx, by To tag, as sent: kept for the retransmissions of the 2xx (RFC 3261 13.2.2.4). */
  private readonly acks = new Map<string, Buffer>();
  /** The callee sent a re-INVITE in the call (see removeDialog): only then can an ACK come for it after the call. */
  private invited = false;

  private final: SipResponse | undefined;
  /** The user of the INVITE's client transaction, told when the call has ended (see letGo). */
  private user: InviteUser | undefined;

  constructor(
    private readonly ctx: UeContext,
    readonly target: string,
    private readonly options: CallOptions = {},
  ) {
    this.responses = new WaitableQueue((r) => summarizeMessage(r), ctx.endpoint.clock);
    this.invite = this.buildInvite();
  }

  /** Requests the callee sent within the call (BYE, UPDATE, re-INVITE, INFO); made when first used, as most calls have none. */
  get requests(): WaitableQueue<Received> {
    return (this.#requests ??= new WaitableQueue((r) => summarizeMessage(r.message), this.ctx.endpoint.clock));
  }

  /** PRACK exchanges (RFC 3262 4); made when first used. */
  get pracks(): WaitableQueue<PrackExchange> {
    return (this.#pracks ??= new WaitableQueue((p) => `PRACK for RSeq ${p.provisional.header("rseq")} -> ${p.response.status}`, this.ctx.endpoint.clock));
  }

  private buildInvite(): SipRequest {
    const r = new SipRequest("INVITE", this.target);
    r.addHeader("Via", this.ctx.via());
    r.addHeader("Max-Forwards", 70);
    for (const route of this.ctx.preloadedRoute()) r.addHeader("Route", route);
    const from = this.ctx.displayName ? `"${this.ctx.displayName}" <${this.ctx.impu}>` : `<${this.ctx.impu}>`;
    r.addHeader("From", `${from};tag=${newTag()}`);
    r.addHeader("To", `<${this.target}>`);
    r.addHeader("Call-ID", newCallId());
    r.addHeader("CSeq", "1 INVITE");
    r.addHeader("Contact", `<${this.ctx.contact}>`);
    r.addHeader("Allow", "INVITE, ACK, CANCEL, BYE, PRACK, UPDATE, MESSAGE, OPTIONS, NOTIFY");
    const tags: string[] = [];
    if (this.options.reliable !== false) tags.push("100rel");
    if (this.options.preconditions) tags.push("precondition");
    // TS 24.229 5.1.3.1: precondition and 100rel are indicated in Supported (or Require when insisted on)
    if (this.options.reliable === "required") r.addHeader("Require", "100rel");
    const supported = this.options.reliable === "required" ? tags.filter((t) => t !== "100rel") : tags;
    if (supported.length) r.addHeader("Supported", supported.join(", "));
    const st = this.options.sessionTimer;
    if (st) addSessionTimerHeaders(r, st.refresher ? { seconds: st.expires, refresher: st.refresher } : { seconds: st.expires }, st.minSE ?? st.expires);
    for (const [n, v] of Object.entries(this.options.headers ?? {})) r.addHeader(n, v);
    const sdp = this.options.sdp ?? this.options.media?.offer();
    if (sdp) r.setBody(sdp, "application/sdp");
    return r;
  }

  get callId(): string {
    return this.invite.callId;
  }

  /** The call's media stream, when the call was made with one. */
  get media(): CallMedia | undefined {
    return this.options.media;
  }

  /** RFC 3264 5.1: a response carrying SDP answers our offer: media flows as it says (a 183 too: early media). */
  private followAnswer(r: SipResponse): void {
    const media = this.options.media;
    if (!media || media.stopped || !r.body.length || r.status < 101 || r.status >= 300) return;
    if (!(r.header("content-type") ?? "").toLowerCase().startsWith("application/sdp")) return;
    media.applyAnswer(r.bodyText);
  }

  private stopMedia(reason: string): void {
    // the stream's stop does not reject; the UE's close awaits it (ImsUe.close)
    void this.options.media?.stop(reason);
  }

  /** Sends the INVITE. */
  start(): this {
    const user = new InviteUser(this, this.ctx);
    this.user = user;
    user.transaction = this.ctx.endpoint.send(this.invite, this.ctx.outbound, user);
    return this;
  }

  /**
   * RFC 6026 7.2: the INVITE's transaction stays in Accepted for 64*T1 after the 2xx. Once every
   * dialog of the call has ended, it keeps only the INVITE and the ACKs sent, not the call.
   */
  private letGo(): void {
    if (this.confirmed && [...this.dialogs.values()].every((d) => d.state === "terminated")) this.user?.release(this.acks);
  }

  /** A response the INVITE's client transaction passed up while the call lasts. */
  onResponse(r: SipResponse): void {
    const tag = r.toTag;
    if (!this.confirmed) this.followAnswer(r);
    if (r.status < 200) {
      if (tag && r.status > 100) this.earlyDialog(r, tag);
      this.responses.push(r);
      if (tag && isReliableProvisional(r) && this.options.autoPrack !== false)
        this.ctx.automatic(
          "PRACK",
          `PRACK for the reliable ${r.status} (RSeq ${r.header("rseq") ?? "?"})`,
          this.prackFor(r, tag).then((x) => x?.response),
        );
      return;
    }
    if (r.status < 300 && tag) {
      const seen = this.acks.get(tag);
      if (seen) return resendAck(this.ctx, seen, r);
      let dialog = this.dialogs.get(tag);
      if (dialog) dialog.confirm(r);
      else {
        dialog = Dialog.asUac(this.invite, r);
        this.dialogs.set(tag, dialog);
        this.ctx.addDialog(dialog.key, (rec) => this.inDialog(rec, dialog!));
      }
      this.acks.set(tag, sendAck(this.ctx, dialog, this.invite, r));
      if (this.confirmed) return endSecondFork(this.ctx, dialog, tag);
      this.confirmed = dialog;
      this.final = r;
      // RFC 4028 7.2: the session interval and the refresher come from the 2xx
      if (this.options.sessionTimer) this.sessionTimer = SessionTimer.asUac(this.ctx, dialog, this.invite, r);
      for (const [t, d] of this.dialogs) if (t !== tag && d.state === "early") d.terminate();
      this.responses.push(r);
      return;
    }
    // RFC 4028 7.4: after a 422 the INVITE goes again with the Min-SE it gives (a few times at most)
    const retry = r.status === 422 && this.options.sessionTimer && this.retriedAfter.length < 3 ? retryAfter422(this.invite, r, this.ctx.via()) : undefined;
    if (retry) {
      this.retriedAfter.push(r);
      this.invite = retry;
      this.start();
      return;
    }
    this.final = r;
    for (const d of this.dialogs.values()) d.terminate();
    this.stopMedia(`the INVITE got ${r.status}`);
    this.responses.push(r);
  }

  private earlyDialog(r: SipResponse, tag: string): void {
    const existing = this.dialogs.get(tag);
    if (existing) {
      existing.refreshTarget(r);
      return;
    }
    const d = Dialog.asUac(this.invite, r);
    this.dialogs.set(tag, d);
    this.ctx.addDialog(d.key, (rec) => this.inDialog(rec, d));
  }

  /** RFC 3262 4: PRACK a reliable provisional response with RAck; retransmissions are not PRACKed twice. */
  async prackFor(provisional: SipResponse, tag = provisional.toTag ?? ""): Promise<PrackExchange | undefined> {
    const dialog = this.dialogs.get(tag);
    if (!dialog) return undefined;
    const check = checkRSeq(dialog.lastRSeq, provisional);
    if (check.verdict !== "new") return undefined;
    dialog.lastRSeq = check.rseq;
    const prack = dialog.createRequest("PRACK", this.ctx.via());
    prack.addHeader("RAck", rackValue(provisional));
    const sdp = this.options.prackSdp?.(provisional);
    if (sdp) prack.setBody(sdp, "application/sdp");
    const response = await this.ctx.endpoint.request(prack, this.ctx.outbound, { clause: "RFC 3262 4" });
    const exchange = { provisional, prack, response };
    this.pracks.push(exchange);
    return exchange;
  }

  /** Waits for a response to the INVITE with this status (or matching the predicate). */
  waitForResponse(status: number | ((r: SipResponse) => boolean), deadline?: Deadline, clause?: string): Promise<SipResponse> {
    const match = typeof status === "number" ? (r: SipResponse) => r.status === status : status;
    const what = typeof status === "number" ? `${status} to INVITE ${this.target}` : `a matching response to INVITE ${this.target}`;
    return this.responses.next(match, deadline ?? this.ctx.deadline(what), what, clause);
  }

  /** Waits for the final response to the INVITE. */
  waitForFinal(deadline?: Deadline): Promise<SipResponse> {
    if (this.final) return Promise.resolve(this.final);
    return this.waitForResponse((r) => r.status >= 200, deadline);
  }

  /** RFC 3311: UPDATE within the (early or confirmed) dialog, e.g. with resources reserved (RFC 3312). */
  update(sdp?: string, deadline?: Deadline, tag?: string): Promise<SipResponse> {
    const dialog = this.dialogFor(tag);
    return this.sendInDialog(dialog, "UPDATE", sdp, deadline, "RFC 3311 5.1");
  }

  /**
   * RFC 3264 8.4, RFC 6337 5.3: a re-INVITE offering the call's media with `direction` (sendonly to
   * hold, sendrecv to resume); the stream follows the answer.
   */
  async changeDirection(direction: "sendrecv" | "sendonly" | "recvonly" | "inactive", deadline?: Deadline): Promise<SipResponse> {
    const media = this.options.media;
    if (!media) throw new Error(`the call to ${this.target} has no media stream to re-offer`);
    const response = await this.reinvite(media.offer(direction), deadline);
    if (response.status >= 200 && response.status < 300 && response.body.length) media.applyAnswer(response.bodyText);
    return response;
  }

  /** RFC 3261 14.1: a re-INVITE in the confirmed dialog (hold/resume); ACKs its 2xx. */
  async reinvite(sdp: string, deadline?: Deadline): Promise<SipResponse> {
    const dialog = this.dialogFor();
    const req = dialog.createRequest("INVITE", this.ctx.via());
    req.addHeader("Contact", `<${this.ctx.contact}>`);
    req.setBody(sdp, "application/sdp");
    const response = await this.ctx.endpoint.request(req, this.ctx.outbound, { ...this.ctx.within(deadline), clause: "RFC 3261 14.1" });
    if (response.status >= 200 && response.status < 300) {
      dialog.refreshTarget(response);
      await this.ctx.endpoint.sendStateless(dialog.createRequest("ACK", this.ctx.via(), { cseq: req.cseq.seq }), this.ctx.outbound);
    }
    return response;
  }

  /** RFC 3261 15.1.1: BYE in the confirmed dialog. */
  async bye(deadline?: Deadline): Promise<SipResponse> {
    const dialog = this.dialogFor();
    this.sessionTimer?.stop();
    this.stopMedia("BYE sent");
    const response = await this.sendInDialog(dialog, "BYE", undefined, deadline, "RFC 3261 15.1.1");
    dialog.terminate();
    this.ctx.removeDialog(dialog.key, this.invited);
    this.letGo();
    return response;
  }

  /**
   * RFC 3261 9.1: CANCEL with the INVITE's Request-URI, Call-ID, From, To, CSeq number and top Via,
   * sent only after a provisional response. Resolves with the CANCEL's response.
   */
  cancel(deadline?: Deadline): Promise<SipResponse> {
    const c = new SipRequest("CANCEL", this.invite.uriText);
    c.addHeader("Via", this.invite.headerValues("via")[0]);
    c.addHeader("Max-Forwards", 70);
    for (const route of this.invite.headerValues("route")) c.addHeader("Route", route);
    c.addHeader("From", this.invite.header("from")!);
    c.addHeader("To", this.invite.header("to")!);
    c.addHeader("Call-ID", this.invite.callId);
    c.addHeader("CSeq", `${this.invite.cseq.seq} CANCEL`);
    return this.ctx.endpoint.request(c, this.ctx.outbound, { ...this.ctx.within(deadline), clause: "RFC 3261 9.1" });
  }

  /** Waits for a request from the callee within the call (BYE is answered 200 automatically). */
  waitForRequest(method: string, deadline?: Deadline): Promise<Received> {
    const what = `${method} from ${this.target} within the call`;
    return this.requests.next((r) => r.message.kind === "request" && r.message.method === method, deadline ?? this.ctx.deadline(what), what);
  }

  private dialogFor(tag?: string): Dialog {
    if (tag) {
      const d = this.dialogs.get(tag);
      if (d) return d;
    }
    if (this.confirmed && this.confirmed.state !== "terminated") return this.confirmed;
    const early = [...this.dialogs.values()].find((d) => d.state === "early");
    if (early) return early;
    throw new Error(`no dialog for the call to ${this.target}: no response with a To tag arrived`);
  }

  private sendInDialog(dialog: Dialog, method: string, sdp?: string, deadline?: Deadline, clause?: string): Promise<SipResponse> {
    const req = dialog.createRequest(method, this.ctx.via());
    if (method === "UPDATE") req.addHeader("Contact", `<${this.ctx.contact}>`);
    if (sdp) req.setBody(sdp, "application/sdp");
    return this.ctx.endpoint.request(req, this.ctx.outbound, { ...this.ctx.within(deadline), ...(clause ? { clause } : {}) });
  }

  /** Requests from the callee within one of our dialogs. */
  private inDialog(rec: Received, dialog: Dialog): void {
    const m = rec.message;
    if (m.kind !== "request") return;
    if (m.method === "BYE") this.stopMedia("BYE received");
    // RFC 4028 9: a session refresh is answered by the session timer (which checks its CSeq); a BYE stops it
    if (this.sessionTimer?.receive(rec)) return void this.requests.push(rec);
    if (m.method === "ACK") return;
    // The callee's re-INVITE is answered by the test: its 2xx may be ACKed after the call ended
    if (m.method === "INVITE") this.invited = true;
    const check = dialog.receiveRequest(m);
    if (!check.ok) {
      if (rec.transaction) rec.transaction.respond(createResponse(m, check.status, { reason: "Server Internal Error" }));
      return;
    }
    if (m.method === "BYE") {
      // RFC 3261 15.1.2: the UAS core answers BYE 200 and ends the dialog
      if (rec.transaction) rec.transaction.respond(createResponse(m, 200));
      dialog.terminate();
      this.ctx.removeDialog(dialog.key, this.invited);
      this.letGo();
    }
    this.requests.push(rec);
  }
}

/**
 * The INVITE client transaction's user (RFC 3261 17.1.1): one object, not a closure per event.
 * While the call lasts it hands responses to the call. Once the call has ended (release), the
 * transaction waits out Accepted (RFC 6026 7.2) as a record of its layer, with the ACKs sent, and
 * the UE's LateInviteUser answers what it still passes up; where it cannot, this object does.
 */
class InviteUser implements ClientTransactionUser {
  private call: OutgoingCall | undefined;
  /** After the call, when the transaction could not be retired: what lateInviteResponse keeps. */
  private held: readonly (string | Buffer)[] = [];
  /** The INVITE's client transaction, which holds the INVITE. */
  transaction: ClientTransaction | undefined;

  constructor(
    call: OutgoingCall,
    private readonly ctx: UeContext,
  ) {
    this.call = call;
  }

  onResponse(r: SipResponse): void {
    if (this.call) return this.call.onResponse(r);
    const invite = this.transaction?.request;
    if (invite) this.held = lateInviteResponse(this.ctx, r, invite, this.held) ?? this.held;
  }

  onTimeout(): void {
    if (this.call) this.call.responses.push(timeoutMarker(this.call.invite));
  }

  onTransportError(): void {
    if (this.call) this.call.responses.push(timeoutMarker(this.call.invite, 503));
  }

  /** The call has ended: only the ACKs sent, by the To tag of the 2xx each answered, are kept. */
  release(acks: ReadonlyMap<string, Buffer>): void {
    this.call = undefined;
    const held: (string | Buffer)[] = [];
    for (const [tag, ack] of acks) held.push(byteString(tag), ack);
    if (this.transaction?.retireAccepted?.(lateUserOf(this.ctx), held)) this.transaction = undefined;
    else this.held = held;
  }
}

/** One LateInviteUser per UE: what Accepted passes up after a call goes to lateInviteResponse. */
const lateUsers = new WeakMap<UeContext, LateInviteUser>();
function lateUserOf(ctx: UeContext): LateInviteUser {
  let user = lateUsers.get(ctx);
  if (!user) lateUsers.set(ctx, (user = { lateResponse: (r, invite, held) => lateInviteResponse(ctx, r, invite, held) }));
  return user;
}

/**
 * A 2xx after the call ended (only a 2xx reaches the user in Accepted, RFC 6026 7.2); `held` is the
 * To tags (as byte strings) and ACKs sent, in pairs. RFC 3261 13.2.2.4: a retransmitted 2xx gets its
 * ACK again; another fork's 2xx gets an ACK and a BYE, and the pairs with its ACK are returned.
 */
function lateInviteResponse(ctx: UeContext, r: SipResponse, invite: SipRequest, held: readonly (string | Buffer)[]): readonly (string | Buffer)[] | undefined {
  const tag = r.toTag;
  if (r.status < 200 || r.status >= 300 || !tag || held.length === 0) return undefined;
  const key = byteString(tag);
  for (let i = 0; i < held.length; i += 2) if (held[i] === key) return void resendAck(ctx, held[i + 1], r);
  const dialog = Dialog.asUac(invite, r);
  const ack = sendAck(ctx, dialog, invite, r);
  endSecondFork(ctx, dialog, tag);
  return [...held, key, ack];
}

/** RFC 3261 13.2.2.4: the ACK for a 2xx, sent; returns its bytes, kept for the 2xx's retransmissions. */
function sendAck(ctx: UeContext, dialog: Dialog, invite: SipRequest, r: SipResponse): Buffer {
  const ack = serializeMessage(dialog.createRequest("ACK", ctx.via(), { cseq: invite.cseq.seq }));
  ctx.automatic("ACK", `ACK for the ${r.status} (INVITE)`, ctx.endpoint.sendStateless(ack, ctx.outbound));
  return ack;
}

/** RFC 3261 13.2.2.4: a retransmitted 2xx gets the same ACK again (its bytes, or a byte string of them). */
function resendAck(ctx: UeContext, held: Buffer | string, r: SipResponse): void {
  ctx.automatic("ACK", `ACK for the retransmitted ${r.status} (INVITE)`, ctx.endpoint.sendStateless(typeof held === "string" ? Buffer.from(held, "latin1") : held, ctx.outbound));
}

/** RFC 3261 13.2.2.4: a 2xx from another fork, once ACKed, has its dialog ended with BYE. */
function endSecondFork(ctx: UeContext, dialog: Dialog, tag: string): void {
  const bye = dialog.createRequest("BYE", ctx.via());
  ctx.automatic("BYE", `BYE ending the dialog of a second 2xx (To tag ${tag})`, ctx.endpoint.request(bye, ctx.outbound, { ...ctx.within(undefined), clause: "RFC 3261 13.2.2.4" }));
  dialog.terminate();
}

/** A synthetic final response standing for Timer B (408) or a transport failure (503), RFC 3261 8.1.3.1. */
function timeoutMarker(invite: SipRequest, status = 408): SipResponse {
  return createResponse(invite, status, { reason: status === 408 ? "Request Timeout (Timer B, no response)" : "Service Unavailable (transport error)" });
}

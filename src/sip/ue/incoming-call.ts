// The callee's side of a call (UAS): provisional responses, reliably with RSeq when asked
// (RFC 3262 3), the 2xx retransmitted until the ACK (RFC 3261 13.3.1.4), UPDATE (RFC 3311),
// CANCEL (9.2) and BYE (15.1.2).
import type { Deadline } from "../deadline.ts";
import { Dialog, RSeqCounter, parseRAck } from "../dialog/index.ts";
import type { Received } from "../endpoint/index.ts";
import { ExpectationError, summarizeMessage } from "../failure.ts";
import { newTag } from "../identifiers.ts";
import { type SipRequest, type SipResponse, createResponse } from "../message/index.ts";
import type { ServerTransaction } from "../transaction/index.ts";
import { WaitableQueue } from "../waitable-queue.ts";
import { SessionTimer, type SessionTimerAnswer } from "./session-timer.ts";
import type { CallMedia } from "./call-media.ts";
import type { UeContext } from "./ue-context.ts";

export interface RespondOptions {
  /** accept(): RFC 4028 9, the 2xx carries the session interval (Session-Expires, Require: timer when the caller refreshes) and starts the session timer. */
  readonly sessionTimer?: SessionTimerAnswer;
  readonly sdp?: string;
  /** The call's media (ImsUe.openMedia with the INVITE's offer): without `sdp`, the response answers the offer from it and media flows. */
  readonly media?: CallMedia;
  /** RFC 3262 3: send the provisional response reliably (Require: 100rel, RSeq) and wait for its PRACK. */
  readonly reliable?: boolean;
  readonly headers?: Readonly<Record<string, string>>;
  readonly reason?: string;
  readonly deadline?: Deadline;
}

export class IncomingCall {
  readonly invite: SipRequest;
  readonly localTag = newTag();
  readonly dialog: Dialog;
  /** Requests within the call: PRACK, UPDATE, ACK, BYE, CANCEL, re-INVITE. */
  readonly requests: WaitableQueue<Received>;
  /** RFC 4028: the session timer, when accept() was told to support one and the INVITE asked for it. */
  sessionTimer: SessionTimer | undefined;
  private readonly transaction: ServerTransaction;
  private readonly source: Received["source"];
  private readonly rseq = new RSeqCounter();
  private registered = false;
  private finalSent = false;
  private callMedia: CallMedia | undefined;
  private mediaAnswer: string | undefined;

  constructor(
    private readonly ctx: UeContext,
    received: Received,
  ) {
    if (received.message.kind !== "request" || !received.transaction) throw new Error("an incoming call needs an INVITE with its server transaction");
    this.invite = received.message;
    this.transaction = received.transaction;
    this.source = received.source;
    this.dialog = Dialog.asUas(this.invite, this.localTag);
    this.requests = new WaitableQueue((r) => summarizeMessage(r.message), ctx.endpoint.clock);
  }

  get callId(): string {
    return this.invite.callId;
  }

  /** The call's media stream, once a response answered the offer with one. */
  get media(): CallMedia | undefined {
    return this.callMedia;
  }

  /** RFC 3264 6: the answer to the INVITE's offer from `media`, made once (a 183 and the 200 carry the same answer). */
  private sdpFor(options: RespondOptions): string | undefined {
    if (options.sdp !== undefined || !options.media) return options.sdp;
    this.callMedia = options.media;
    if (!this.invite.body.length) return undefined;
    this.mediaAnswer ??= options.media.answer(this.invite.bodyText);
    return this.mediaAnswer;
  }

  private stopMedia(reason: string): void {
    // the stream's stop does not reject; the UE's close awaits it (ImsUe.close)
    void this.callMedia?.stop(reason);
  }

  /** The caller offered 100rel (Supported or Require), RFC 3262 3. */
  get callerSupports100rel(): boolean {
    return [...this.invite.optionTags("supported"), ...this.invite.optionTags("require")].includes("100rel");
  }

  private build(status: number, options: RespondOptions): SipResponse {
    const r = createResponse(this.invite, status, { toTag: this.localTag, ...(options.reason ? { reason: options.reason } : {}) });
    if (status > 100 && status < 300) {
      // RFC 3261 12.1.1: the response that creates the dialog carries Record-Route and Contact
      for (const rr of this.invite.headerValues("record-route")) r.addHeader("Record-Route", rr);
      r.addHeader("Contact", `<${this.ctx.contact}>`);
    }
    for (const [n, v] of Object.entries(options.headers ?? {})) r.addHeader(n, v);
    const sdp = status > 100 && status < 300 ? this.sdpFor(options) : options.sdp;
    if (sdp) r.setBody(sdp, "application/sdp");
    return r;
  }

  private ensureDialog(): void {
    if (this.registered) return;
    this.registered = true;
    this.ctx.addDialog(this.dialog.key, (rec) => this.inDialog(rec));
  }

  /**
   * Sends a provisional response. With `reliable`, RFC 3262 3: Require: 100rel and RSeq, resent at
   * T1, 2*T1 ... until the PRACK arrives (answered 200), and the promise resolves with the PRACK.
   */
  async provisional(status: number, options: RespondOptions = {}): Promise<Received | undefined> {
    this.ensureDialog();
    const r = this.build(status, options);
    if (!options.reliable) {
      this.transaction.respond(r);
      return undefined;
    }
    const rseq = this.rseq.take();
    r.addHeader("Require", "100rel");
    r.addHeader("RSeq", rseq);
    const timers = this.ctx.endpoint.timers;
    this.transaction.respond(r);
    // RFC 3262 3: retransmitted at T1, 2*T1, 4*T1 ... until the PRACK (or a final response)
    const stop = this.retransmit(r, Number.POSITIVE_INFINITY, () => this.finalSent);
    const deadline = options.deadline ?? this.ctx.deadline(`PRACK for ${status} (RSeq ${rseq})`, 64 * timers.t1);
    try {
      const prack = await this.requests.next(
        (rec) => rec.message.kind === "request" && rec.message.method === "PRACK" && parseRAck(rec.message.header("rack"))?.rseq === rseq,
        deadline,
        `PRACK with RAck "${rseq} ${this.invite.cseq.seq} INVITE" for the reliable ${status}`,
        "RFC 3262 3",
      );
      if (prack.transaction && prack.message.kind === "request") prack.transaction.respond(createResponse(prack.message, 200));
      return prack;
    } finally {
      stop();
    }
  }

  /**
   * RFC 3261 13.3.1.4: 2xx with Contact and SDP, retransmitted at T1 doubling to T2 until the ACK,
   * which the promise resolves with. No ACK within 64*T1 rejects (the UAS then sends BYE).
   */
  async accept(options: RespondOptions = {}): Promise<Received> {
    this.ensureDialog();
    const r = this.build(200, options);
    if (options.sessionTimer) this.sessionTimer = SessionTimer.asUas(this.ctx, this.dialog, this.invite, r, options.sessionTimer, options.sdp ?? this.mediaAnswer);
    this.finalSent = true;
    this.dialog.state = "confirmed";
    const timers = this.ctx.endpoint.timers;
    this.transaction.respond(r);
    // RFC 3261 13.3.1.4: the 2xx is retransmitted at T1 doubling up to T2 until the ACK
    const stop = this.retransmit(r, timers.t2, () => false);
    try {
      return await this.requests.next(
        (rec) => rec.message.kind === "request" && rec.message.method === "ACK",
        options.deadline ?? this.ctx.deadline("ACK for 200 (INVITE)", 64 * timers.t1),
        "ACK for the 200 (INVITE)",
        "RFC 3261 13.3.1.4",
      );
    } catch (e) {
      // RFC 3261 13.3.1.4: no ACK within 64*T1: the UAS ends the dialog with BYE
      if (e instanceof ExpectationError) this.ctx.automatic("BYE", "BYE after no ACK for the 200 (INVITE)", this.bye());
      throw e;
    } finally {
      stop();
    }
  }

  /** Sends `response` again at T1, 2*T1 ... (capped at `cap`) until stopped or `done()` says so. */
  private retransmit(response: SipResponse, cap: number, done: () => boolean): () => void {
    const clock = this.ctx.endpoint.clock;
    let interval = this.ctx.endpoint.timers.t1;
    let handle: ReturnType<typeof clock.setTimeout> | undefined;
    const schedule = (): void => {
      handle = clock.setTimeout(() => {
        // RFC 3261 13.3.1.4, RFC 3262 3: retransmissions end with the transaction (Timer L, or the UE closed)
        if (done() || this.transaction.terminated) return;
        this.transaction.respond(response);
        interval = Math.min(interval * 2, cap);
        schedule();
      }, interval);
    };
    schedule();
    return () => {
      if (handle !== undefined) clock.clearTimeout(handle);
    };
  }

  /** A final non-2xx response (486, 603, 480 ...); the transaction retransmits it and absorbs the ACK, which is reported. */
  reject(status: number, options: RespondOptions = {}): SipResponse {
    const r = this.build(status, options);
    this.finalSent = true;
    // RFC 3261 17.2.1: the ACK for a non-2xx stays in the transaction; it is reported for steps to see
    this.transaction.setUser({ onAck: (ack) => this.requests.push({ message: ack, source: this.source, at: this.ctx.endpoint.clock.now() }) });
    this.transaction.respond(r);
    this.dialog.terminate();
    this.ctx.removeDialog(this.dialog.key);
    this.stopMedia(`the INVITE answered ${status}`);
    return r;
  }

  /** Waits for a request within the call: UPDATE, PRACK, BYE, CANCEL, re-INVITE, INFO. */
  waitForRequest(method: string, deadline?: Deadline, clause?: string): Promise<Received> {
    const what = `${method} within the call from ${this.invite.header("from") ?? "the caller"}`;
    return this.requests.next((r) => r.message.kind === "request" && r.message.method === method, deadline ?? this.ctx.deadline(what), what, clause);
  }

  /**
   * Answers an UPDATE or re-INVITE that arrived in the call (RFC 3311 5.2). A 2xx without `sdp`
   * to a request with an offer answers it from the call's media (RFC 3264 8, 6.1: the direction mirrors the offer's).
   */
  answer(rec: Received, status: number, sdp?: string): SipResponse {
    if (rec.message.kind !== "request" || !rec.transaction) throw new Error("only a received request can be answered");
    if (sdp === undefined && this.callMedia && status >= 200 && status < 300 && rec.message.body.length) sdp = this.callMedia.answer(rec.message.bodyText);
    const r = createResponse(rec.message, status, { toTag: this.localTag });
    if (status >= 200 && status < 300) r.addHeader("Contact", `<${this.ctx.contact}>`);
    if (sdp) r.setBody(sdp, "application/sdp");
    rec.transaction.respond(r);
    return r;
  }

  /** RFC 3261 15.1.1: BYE from the callee. */
  async bye(deadline?: Deadline): Promise<SipResponse> {
    const req = this.dialog.createRequest("BYE", this.ctx.via());
    this.sessionTimer?.stop();
    this.stopMedia("BYE sent");
    const response = await this.ctx.endpoint.request(req, this.ctx.outbound, { ...this.ctx.within(deadline), clause: "RFC 3261 15.1.1" });
    this.dialog.terminate();
    this.ctx.removeDialog(this.dialog.key);
    return response;
  }

  /** RFC 3261 9.2: the CANCEL is answered 200 and the INVITE 487, unless a final response went out. */
  cancelled(cancel: Received): void {
    if (cancel.transaction && cancel.message.kind === "request") cancel.transaction.respond(createResponse(cancel.message, 200, { toTag: this.localTag }));
    if (!this.finalSent) this.reject(487);
    this.requests.push(cancel);
  }

  private inDialog(rec: Received): void {
    const m = rec.message;
    if (m.kind !== "request") return;
    if (m.method === "BYE") this.stopMedia("BYE received");
    // RFC 4028 9: a session refresh is answered by the session timer (which checks its CSeq); a BYE stops it
    if (this.sessionTimer?.receive(rec)) return void this.requests.push(rec);
    if (m.method !== "ACK") {
      const check = this.dialog.receiveRequest(m);
      if (!check.ok) {
        rec.transaction?.respond(createResponse(m, check.status));
        return;
      }
    }
    if (m.method === "BYE") {
      // RFC 3261 15.1.2
      rec.transaction?.respond(createResponse(m, 200));
      this.dialog.terminate();
      this.ctx.removeDialog(this.dialog.key);
    }
    this.requests.push(rec);
  }
}

// The session timer of one call (RFC 4028 10), on the UE's clock. The refresher sends a session
// refresh request at half the session interval: UPDATE when the peer allows it, else a re-INVITE with
// the session description unchanged (RFC 4028 7.4 / 10: UPDATE is preferred, it needs no offer). The
// other end sends BYE min(32 s, interval/3) before the session expires when no refresh came. A
// refresh the peer sends is answered 2xx with the session interval (9), which restarts the timer.
// What happens is an event steps wait for (`events`); the refresh itself is not an automatic request
// of the UE (nobody else awaits it), its outcome is one of these events. The expiry BYE is an
// automatic request, judged as every other (bye.answered).
import type { TimerHandle } from "../clock.ts";
import type { Deadline } from "../deadline.ts";
import type { Dialog } from "../dialog/index.ts";
import {
  type Refresher,
  type SessionExpires,
  type UasSessionTimer,
  addOptionTag,
  addRequestHeaders,
  byeAfterMs,
  formatSessionExpires,
  minSEOf,
  refreshAfterMs,
  sessionExpiresOf,
  uasSessionTimer,
  weRefresh,
} from "../dialog/session-timer.ts";
import type { Received } from "../endpoint/index.ts";
import { summarizeMessage } from "../failure.ts";
import { HeaderError, type SipRequest, type SipResponse, createResponse } from "../message/index.ts";
import { WaitableQueue } from "../waitable-queue.ts";
import type { UeContext } from "./ue-context.ts";

/** The methods a simulated UE accepts within a call (as the Allow of its INVITE). */
const UE_ALLOW = "INVITE, ACK, CANCEL, BYE, PRACK, UPDATE, MESSAGE, OPTIONS, NOTIFY";

/** What a caller asks for in its INVITE (RFC 4028 7.1). */
export interface SessionTimerRequest {
  /** Session-Expires in seconds (RFC 4028 4: not below 90; 1800 recommended). */
  readonly expires: number;
  /** Min-SE in seconds (RFC 4028 5); default `expires`, so that no element reduces the interval. */
  readonly minSE?: number;
  /** The refresher parameter; absent leaves the choice to the UAS (RFC 4028 7.1). */
  readonly refresher?: Refresher;
}

/** How a callee that supports session timers answers (RFC 4028 9). */
export interface SessionTimerAnswer {
  /** The refresher when the INVITE left it open (RFC 4028 9: the UAS chooses); default "uac". */
  readonly refresher?: Refresher;
  /** A session interval for an INVITE that supports timer without asking for one (RFC 4028 9); default none. */
  readonly expires?: number;
}

/** What the session timer of a call did, in order. */
export type SessionTimerEvent =
  /** This end's refresh got a 2xx (its Session-Expires is the new interval, RFC 4028 7.2). */
  | { readonly kind: "refreshed"; readonly at: number; readonly request: SipRequest; readonly response: SipResponse }
  /** This end's refresh got a final response other than 2xx, or none (`error`). */
  | { readonly kind: "refresh-failed"; readonly at: number; readonly request: SipRequest; readonly response?: SipResponse; readonly error?: Error }
  /** The peer's refresh, answered with `response` (RFC 4028 9). */
  | { readonly kind: "refresh-received"; readonly at: number; readonly request: SipRequest; readonly response: SipResponse }
  /** No refresh came: this end sent `bye` (RFC 4028 10), answered `response`, or not (`error`). */
  | { readonly kind: "expired"; readonly at: number; readonly bye: SipRequest; readonly response?: SipResponse; readonly error?: Error };

function describe(e: SessionTimerEvent): string {
  switch (e.kind) {
    case "refreshed":
      return `${e.request.method} refresh answered ${e.response.startLine()}`;
    case "refresh-failed":
      return `${e.request.method} refresh ${e.response ? `answered ${e.response.startLine()}` : `not answered (${e.error?.message.split("\n")[0] ?? "no response"})`}`;
    case "refresh-received":
      return `${summarizeMessage(e.request)} received, answered ${e.response.status}`;
    case "expired":
      return `BYE at the session's end ${e.response ? `answered ${e.response.status}` : "not answered"}`;
  }
}

export interface SessionTimerSetup {
  /** This end sent the INVITE (its UAC) or answered it. */
  readonly uac: boolean;
  /** The peer's Allow lists UPDATE (RFC 3311 5.1): refreshes go by UPDATE, else by re-INVITE. */
  readonly peerAllowsUpdate: boolean;
  /** This end's current session description: the body of a refresh re-INVITE and of the 2xx to one. */
  readonly localSdp: () => string | undefined;
  /** The Min-SE this end sent or learnt (RFC 4028 7.4: later refreshes carry it). */
  readonly minSE?: number;
}

export class SessionTimer {
  readonly events: WaitableQueue<SessionTimerEvent>;
  /** The session interval in seconds (RFC 4028 4). */
  seconds: number;
  /** Whether this end is the refresher. */
  refresher: boolean;
  /** When the session expires unless refreshed, on the UE's clock (ms). */
  expiresAt: number;
  /** When the interval last started (the 2xx to the INVITE or to the last refresh), on the UE's clock (ms). */
  startedAt: number;
  private refreshing = true;
  private stopped = false;
  /** CSeq numbers of the refresh re-INVITEs whose 2xx was ACKed (their retransmissions stop). */
  private readonly ackedSeqs = new Set<number>();
  private timer: TimerHandle | undefined;

  private constructor(
    private readonly ctx: UeContext,
    readonly dialog: Dialog,
    private readonly setup: SessionTimerSetup,
  ) {
    this.events = new WaitableQueue(describe, ctx.endpoint.clock);
    this.seconds = 0;
    this.refresher = false;
    this.expiresAt = this.startedAt = ctx.endpoint.clock.now();
  }

  /**
   * RFC 4028 7.2: the caller's session timer from the 2xx to its INVITE: the interval of its
   * Session-Expires, refreshed by the end its refresher names. Without a (readable) Session-Expires
   * there is no session expiration: undefined.
   */
  static asUac(ctx: UeContext, dialog: Dialog, invite: SipRequest, response: SipResponse): SessionTimer | undefined {
    let se: SessionExpires | undefined;
    let minSE: number | undefined;
    try {
      se = sessionExpiresOf(response);
      // RFC 4028 7.4: the Min-SE of the INVITE (raised after a 422) goes on in the refreshes
      minSE = minSEOf(invite);
    } catch {
      // The step that reads the 2xx names the malformed header; here it means no session timer
      return undefined;
    }
    if (!se) return undefined;
    const t = new SessionTimer(ctx, dialog, {
      uac: true,
      peerAllowsUpdate: allows(response, "UPDATE"),
      localSdp: () => (invite.body.length ? invite.bodyText : undefined),
      ...(minSE === undefined ? {} : { minSE }),
    });
    // A 2xx without the refresher parameter breaks RFC 4028 9; the caller, which asked for the timer, refreshes
    t.restart(se.seconds, se.refresher === undefined ? true : weRefresh(se.refresher, true));
    return t;
  }

  /**
   * RFC 4028 9: the callee's session timer. Puts Supported: timer, the Session-Expires and, when the
   * caller refreshes, Require: timer into its 2xx `response`, and starts the timer. Undefined when the
   * INVITE asks for no session timer (and `answer` offers none).
   */
  static asUas(ctx: UeContext, dialog: Dialog, invite: SipRequest, response: SipResponse, answer: SessionTimerAnswer, localSdp: string | undefined): SessionTimer | undefined {
    const decided = uasSessionTimer(invite, { prefer: answer.refresher ?? "uac", ...(answer.expires === undefined ? {} : { expires: answer.expires }) });
    if (!decided) return undefined;
    addOptionTag(response, "Supported", "timer");
    response.setHeader("Session-Expires", formatSessionExpires(decided.sessionExpires));
    if (decided.requireTimer) addOptionTag(response, "Require", "timer");
    // RFC 3261 13.3.1.4: the 2xx SHOULD list Allow; from it the caller knows its refreshes may go by UPDATE (RFC 3311 5.1)
    if (!response.hasHeader("allow")) response.addHeader("Allow", UE_ALLOW);
    const t = new SessionTimer(ctx, dialog, { uac: false, peerAllowsUpdate: allows(invite, "UPDATE"), localSdp: () => localSdp });
    t.restart(decided.sessionExpires.seconds, weRefresh(decided.sessionExpires.refresher, false));
    return t;
  }

  /** A refresher that stops refreshing (a test's simulated fault): no refresh, and no BYE from this end either. */
  stopRefreshing(): void {
    this.refreshing = false;
    if (this.refresher) this.clearTimer();
  }

  /** The session ended (BYE sent or received): no more timers. */
  stop(): void {
    this.stopped = true;
    this.clearTimer();
  }

  /** How long until the session expires unless refreshed, on the UE's clock (ms, 0 once past). */
  remainingMs(): number {
    return Math.max(0, this.expiresAt - this.now());
  }

  get active(): boolean {
    return !this.stopped && this.dialog.state !== "terminated";
  }

  /**
   * A request within the call: a session refresh (UPDATE without a body, re-INVITE) is checked
   * against the dialog's CSeq and answered here, and true is returned; a BYE stops the timer. Other
   * requests, and requests of other dialogs, are the call's (false).
   */
  receive(rec: Received): boolean {
    const m = rec.message;
    if (m.kind !== "request" || m.toTag !== this.dialog.id.localTag || m.fromTag !== this.dialog.id.remoteTag || m.callId !== this.dialog.id.callId) return false;
    if (m.method === "BYE") {
      this.stop();
      return false;
    }
    if (m.method === "ACK") {
      this.ackedSeqs.add(m.cseq.seq);
      return false;
    }
    const refresh = m.method === "INVITE" || (m.method === "UPDATE" && m.body.length === 0);
    if (!refresh || !this.active || !rec.transaction) return false;
    const check = this.dialog.receiveRequest(m);
    if (!check.ok) {
      rec.transaction.respond(createResponse(m, check.status));
      return true;
    }
    let decided: UasSessionTimer | undefined;
    try {
      // Whoever refreshed so far goes on when the refresh leaves it open (RFC 4028 9: the UAS chooses)
      decided = uasSessionTimer(m, { prefer: this.refresher ? "uas" : "uac", expires: this.seconds });
    } catch (e) {
      rec.transaction.respond(createResponse(m, 400, { reason: e instanceof HeaderError ? `Bad ${e.header}` : "Bad Request" }));
      return true;
    }
    const r = createResponse(m, 200);
    r.addHeader("Contact", `<${this.ctx.contact}>`);
    if (decided) {
      addOptionTag(r, "Supported", "timer");
      r.addHeader("Session-Expires", formatSessionExpires(decided.sessionExpires));
      if (decided.requireTimer) addOptionTag(r, "Require", "timer");
    }
    const sdp = m.method === "INVITE" ? this.setup.localSdp() : undefined;
    if (sdp !== undefined) r.setBody(sdp, "application/sdp");
    this.dialog.refreshTarget(m);
    rec.transaction.respond(r);
    if (m.method === "INVITE") this.retransmitUntilAck(rec, r);
    this.events.push({ kind: "refresh-received", at: this.now(), request: m, response: r });
    // RFC 4028 9: the interval of the 2xx starts now; without one the session has no expiration any more
    if (decided) this.restart(decided.sessionExpires.seconds, weRefresh(decided.sessionExpires.refresher, false));
    else this.stop();
    return true;
  }

  private now(): number {
    return this.ctx.endpoint.clock.now();
  }

  private restart(seconds: number, refresher: boolean): void {
    this.clearTimer();
    this.seconds = seconds;
    this.refresher = refresher;
    this.startedAt = this.now();
    this.expiresAt = this.startedAt + seconds * 1000;
    if (!this.active) return;
    if (refresher) {
      if (this.refreshing) this.arm(refreshAfterMs(seconds), () => this.refresh());
    } else this.arm(byeAfterMs(seconds), () => this.expire());
  }

  private arm(ms: number, fn: () => void): void {
    this.timer = this.ctx.endpoint.clock.setTimeout(() => {
      this.timer = undefined;
      if (this.active) fn();
    }, ms);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.ctx.endpoint.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** RFC 4028 10: the refresher's session refresh request, with the interval and refresher of this end (7.4). */
  private refresh(): void {
    const method = this.setup.peerAllowsUpdate ? "UPDATE" : "INVITE";
    let req: SipRequest;
    try {
      req = this.dialog.createRequest(method, this.ctx.via());
      req.addHeader("Contact", `<${this.ctx.contact}>`);
      addRequestHeaders(req, { seconds: this.seconds, refresher: "uac" }, this.setup.minSE);
      const sdp = method === "INVITE" ? this.setup.localSdp() : undefined;
      if (sdp !== undefined) req.setBody(sdp, "application/sdp");
    } catch (e) {
      // A fault of the harness: reported as one (the monitor makes it the test case's error), never thrown from a timer
      this.stop();
      this.ctx.automatic(method, "the session refresh request (RFC 4028 10)", Promise.reject(e instanceof Error ? e : new Error(String(e))));
      return;
    }
    // Bounded by its own transaction (Timer F or B), not by the step running when it fires
    this.ctx.endpoint.request(req, this.ctx.outbound, { clause: "RFC 4028 10" }).then(
      (response) => this.refreshed(req, response),
      (e: unknown) => this.refreshFailed(req, undefined, e instanceof Error ? e : new Error(String(e))),
    );
  }

  private refreshed(req: SipRequest, response: SipResponse): void {
    if (response.status >= 300) return this.refreshFailed(req, response);
    if (req.method === "INVITE") {
      const ack = this.dialog.createRequest("ACK", this.ctx.via(), { cseq: req.cseq.seq });
      this.ctx.automatic("ACK", `ACK for the ${response.status} to the refresh re-INVITE`, this.ctx.endpoint.sendStateless(ack, this.ctx.outbound));
    }
    this.dialog.refreshTarget(response);
    this.events.push({ kind: "refreshed", at: this.now(), request: req, response });
    let se: SessionExpires | undefined;
    try {
      se = sessionExpiresOf(response);
    } catch {
      se = undefined;
    }
    // RFC 4028 7.2: the 2xx's interval and refresher hold from now on; without one, no session expiration
    if (se) this.restart(se.seconds, se.refresher === undefined ? true : weRefresh(se.refresher, true));
    else this.stop();
  }

  /**
   * RFC 4028 10: "If the session refresh request transaction times out or generates a 408 or 481
   * response, then the UAC sends a BYE request to terminate the session"; after another failure the
   * session lasts until it expires, and this end ends it then.
   */
  private refreshFailed(req: SipRequest, response?: SipResponse, error?: Error): void {
    this.events.push({ kind: "refresh-failed", at: this.now(), request: req, ...(response ? { response } : {}), ...(error ? { error } : {}) });
    if (!this.active) return;
    const fatal = !response || response.status === 408 || response.status === 481;
    const left = this.expiresAt - this.now() - (this.seconds * 1000 - byeAfterMs(this.seconds));
    if (fatal || left <= 0) this.expire();
    else this.arm(left, () => this.expire());
  }

  /** RFC 4028 10: the session ends with a BYE from this end (the automatic request is judged as every BYE). */
  private expire(): void {
    this.stop();
    let bye: SipRequest;
    try {
      bye = this.dialog.createRequest("BYE", this.ctx.via());
    } catch (e) {
      this.ctx.automatic("BYE", "BYE at the end of the session interval (RFC 4028 10)", Promise.reject(e instanceof Error ? e : new Error(String(e))));
      return;
    }
    this.dialog.terminate();
    const outcome = this.ctx.endpoint.request(bye, this.ctx.outbound, { clause: "RFC 4028 10" });
    this.ctx.automatic("BYE", `BYE at the end of the session interval: no session refresh within ${this.seconds} s (RFC 4028 10)`, outcome);
    outcome.then(
      (response) => {
        this.ctx.removeDialog(this.dialog.key);
        this.events.push({ kind: "expired", at: this.now(), bye, response });
      },
      (e: unknown) => {
        this.ctx.removeDialog(this.dialog.key);
        this.events.push({ kind: "expired", at: this.now(), bye, error: e instanceof Error ? e : new Error(String(e)) });
      },
    );
  }

  /** RFC 3261 13.3.1.4: the 2xx to a refresh re-INVITE is sent again at T1 doubling to T2 until the ACK (or its transaction ends). */
  private retransmitUntilAck(rec: Received, response: SipResponse): void {
    const clock = this.ctx.endpoint.clock;
    const { t1, t2 } = this.ctx.endpoint.timers;
    const tx = rec.transaction;
    const seq = response.cseq.seq;
    let interval = t1;
    const acked = (): boolean => this.ackedSeqs.has(seq);
    const again = (): void => {
      clock.setTimeout(() => {
        if (acked() || !tx || tx.terminated) return;
        tx.respond(response);
        interval = Math.min(interval * 2, t2);
        again();
      }, interval);
    };
    again();
  }

  /** Waits for the next event matching `kind` (and `match`). */
  next<K extends SessionTimerEvent["kind"]>(
    kind: K,
    deadline: Deadline,
    expected: string,
    clause?: string,
    match: (e: Extract<SessionTimerEvent, { kind: K }>) => boolean = () => true,
  ): Promise<Extract<SessionTimerEvent, { kind: K }>> {
    return this.events.next((e) => e.kind === kind && match(e as Extract<SessionTimerEvent, { kind: K }>), deadline, expected, clause) as Promise<Extract<SessionTimerEvent, { kind: K }>>;
  }
}

/** Whether a message's Allow lists the method (RFC 3261 20.5). */
function allows(m: SipRequest | SipResponse, method: string): boolean {
  return m.headerValues("allow").some((v) => v.trim().toUpperCase() === method);
}

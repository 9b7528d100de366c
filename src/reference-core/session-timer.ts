// The reference core's part in RFC 4028 session timers. TS 24.229 5.2.7.2 and 5.2.7.3 let the
// P-CSCF "require the periodic refreshment of the session to avoid hung states", applying RFC 4028
// clause 8; the core does so for the sessions whose caller asks for a session timer (it inserts none
// into a call that asked for none, which RFC 4028 8.1 allows but does not require):
// - 8.1, a session refresh request (INVITE, UPDATE) on its way: an interval below the core's minimum
//   is refused with 422 and the core's Min-SE when the UAC supports timer (6: the 422 MUST carry
//   Min-SE); for a UAC without timer, Min-SE is inserted or raised and Session-Expires raised to it.
//   The interval is never lowered below Min-SE, Min-SE never lowered, the refresher never touched.
// - 8.2, the 2xx on its way back: one without Session-Expires, to a request that had one from a UAC
//   that supports timer, gets the request's interval with refresher=uac and Require: timer.
// - 8.3, expiry: when no refresh came within the interval, the session's state is dropped (a log
//   line: the core keeps no other call state); "Unlike the UA, it MUST NOT send a BYE".
// Its minimum is RFC 4028's 90 s (4, 5) unless the core is started with a smaller one: the embedded
// profiles do so on purpose (a deliberate deviation, so that IMS-CALL-015 takes seconds).
import type { Clock, TimerHandle } from "../sip/clock.ts";
import { MIN_SE_FLOOR, addOptionTag, minSEOf, sessionExpiresOf, supportsTimer } from "../sip/dialog/session-timer.ts";
import type { Received } from "../sip/endpoint/index.ts";
import { newTag } from "../sip/identifiers.ts";
import { type SipRequest, type SipResponse, createResponse } from "../sip/message/index.ts";
import { stripSessionExpires, type FaultSet } from "./faults.ts";

/** The session refresh requests (RFC 4028 2). */
const REFRESH_METHODS: ReadonlySet<string> = new Set(["INVITE", "UPDATE"]);
/** How long a forwarded request is remembered for its responses (longer than any transaction, 64*T1 with T1 up to a few seconds). */
const REMEMBER_MS = 5 * 60 * 1000;
const REMEMBER_MAX = 10000;

interface Forwarded {
  readonly callId: string;
  readonly method: string;
  /** The UAC listed timer in Supported or Require. */
  readonly uacSupports: boolean;
  /** The Session-Expires the request was forwarded with, in seconds. */
  readonly seconds: number | undefined;
  readonly at: number;
}

export interface SessionTimerContext {
  readonly clock: Clock;
  readonly faults: FaultSet;
  log(line: string): void;
}

export class CoreSessionTimers {
  /** Requests forwarded, by the branch of the core's Via on them. */
  private readonly forwarded = new Map<string, Forwarded>();
  /** The expiry of each session with a session timer, by Call-ID. */
  private readonly sessions = new Map<string, TimerHandle>();

  constructor(
    private readonly ctx: SessionTimerContext,
    /** The smallest session interval the core accepts, in seconds (RFC 4028 8.1: its local policy). */
    readonly minSE: number = MIN_SE_FLOOR,
  ) {}

  /**
   * RFC 4028 8.1, on a request about to be forwarded (`copies`: one per target). False when the core
   * answered it (422). A BYE ends the session. A Session-Expires or Min-SE that does not follow its
   * grammar throws the HeaderError (the router answers 400).
   */
  request(rec: Received, req: SipRequest, copies: readonly SipRequest[]): boolean {
    if (req.method === "BYE") {
      this.end(req.callId);
      return true;
    }
    if (!REFRESH_METHODS.has(req.method)) return true;
    const se = sessionExpiresOf(req);
    const minSE = minSEOf(req);
    if (!se || se.seconds >= this.minSE) return true;
    if (supportsTimer(req)) {
      // RFC 4028 8.1: "the proxy MAY reject the INVITE request with a 422"; 6: with the core's Min-SE
      const r = createResponse(req, 422, { toTag: newTag() });
      r.addHeader("Min-SE", this.minSE);
      rec.transaction?.respond(r);
      this.ctx.log(`${req.method} ${req.uriText}: 422 (Session-Expires ${se.seconds} s is below the core's minimum of ${this.minSE} s, RFC 4028 8.1)`);
      return false;
    }
    // RFC 4028 8.1: the UAC cannot read a 422: Min-SE raised (never lowered), Session-Expires raised to it
    const floor = Math.max(this.minSE, minSE ?? 0);
    for (const c of copies) {
      c.setHeader("Min-SE", floor);
      c.setHeader("Session-Expires", se.refresher === undefined ? String(floor) : `${floor};refresher=${se.refresher}`);
    }
    this.ctx.log(`${req.method} ${req.uriText}: Session-Expires raised from ${se.seconds} s to ${floor} s, with Min-SE (the UAC does not support timer, RFC 4028 8.1)`);
    return true;
  }

  /** Remembers requests the proxy has just forwarded (their top Via is now the core's), for their responses. */
  sent(copies: readonly SipRequest[], from: SipRequest): void {
    if (!REFRESH_METHODS.has(from.method)) return;
    const now = this.ctx.clock.now();
    for (const [branch, f] of this.forwarded) if (now - f.at > REMEMBER_MS || this.forwarded.size > REMEMBER_MAX) this.forwarded.delete(branch);
    for (const c of copies) {
      const branch = c.branch;
      if (branch === undefined) continue;
      let seconds: number | undefined;
      try {
        seconds = sessionExpiresOf(c)?.seconds;
      } catch {
        seconds = undefined;
      }
      this.forwarded.set(branch, { callId: c.callId, method: c.method, uacSupports: supportsTimer(from), seconds, at: now });
    }
  }

  /**
   * RFC 4028 8.2 and 8.3, on a response relayed upstream: `downstream` as received (the core's Via
   * on top), `up` the copy going to the UAC, changed here; then the faults in force.
   */
  response(downstream: SipResponse, up: SipResponse): void {
    const method = up.cseq.method;
    if (!REFRESH_METHODS.has(method) || up.status < 200 || up.status >= 300) return;
    const branch = downstream.branch;
    const f = branch === undefined ? undefined : this.forwarded.get(branch);
    let seconds: number | undefined;
    try {
      seconds = sessionExpiresOf(up)?.seconds;
    } catch {
      // Not the core's to judge on the way back: relayed as it is, with no session state
      seconds = undefined;
    }
    if (seconds === undefined && f?.uacSupports && f.seconds !== undefined) {
      // RFC 4028 8.2: the UAS does not support session timers; the UAC, which does, refreshes
      up.addHeader("Session-Expires", `${f.seconds};refresher=uac`);
      addOptionTag(up, "Require", "timer");
      seconds = f.seconds;
      this.ctx.log(`${up.status} (${method}): Session-Expires ${f.seconds};refresher=uac and Require: timer added (the UAS does not support session timers, RFC 4028 8.2)`);
    }
    if (seconds !== undefined) this.track(up.callId, seconds);
    if (this.ctx.faults.has("strip-session-expires") && up.hasHeader("session-expires")) {
      stripSessionExpires(up);
      this.ctx.log(`fault strip-session-expires: ${up.status} (${method}) relayed without Session-Expires and Require: timer`);
    }
  }

  /** RFC 4028 8.3: the session expires `seconds` from now unless a refresh's 2xx comes first. */
  private track(callId: string, seconds: number): void {
    const known = this.sessions.get(callId);
    if (known !== undefined) this.ctx.clock.clearTimeout(known);
    else this.ctx.log(`session timer of Call-ID ${callId}: ${seconds} s`);
    this.sessions.set(
      callId,
      this.ctx.clock.setTimeout(() => {
        this.sessions.delete(callId);
        this.ctx.log(`session timer of Call-ID ${callId}: expired with no refresh in ${seconds} s; its state dropped, no BYE sent (RFC 4028 8.3)`);
      }, seconds * 1000),
    );
  }

  private end(callId: string): void {
    const known = this.sessions.get(callId);
    if (known === undefined) return;
    this.ctx.clock.clearTimeout(known);
    this.sessions.delete(callId);
  }

  /** The sessions tracked now (Call-IDs), for tests and the log. */
  get tracked(): readonly string[] {
    return [...this.sessions.keys()];
  }

  /** Clears every timer (the core stops). */
  dispose(): void {
    for (const t of this.sessions.values()) this.ctx.clock.clearTimeout(t);
    this.sessions.clear();
    this.forwarded.clear();
  }
}

// RFC 3261 17.1.2 non-INVITE client transaction.
import type { SipRequest, SipResponse } from "../message/index.ts";
import { type ClientTransaction, type ClientTransactionUser, HeldRequest, RELEASED_USER } from "./client-transaction.ts";
import { transactionTimeout } from "./timer-settings.ts";
import { Transaction, type TransactionContext } from "./transaction.ts";

export type NonInviteClientState = "trying" | "proceeding" | "completed" | "terminated";

export class NonInviteClientTransaction extends Transaction<NonInviteClientState> implements ClientTransaction {
  readonly kind = "nict";
  private readonly held: HeldRequest;
  /** The status of the final response that moved the transaction to Completed (the response itself is not kept for Timer K). */
  private finalStatus: number | undefined;

  constructor(
    id: string,
    request: SipRequest,
    ctx: TransactionContext,
    private user: ClientTransactionUser,
  ) {
    super(id, ctx, "trying");
    this.held = new HeldRequest(request);
    this.held.sent(this.ctx.send(request));
    // RFC 3261 17.1.2.2: Timer E starts at T1 for unreliable transports
    if (!ctx.reliable) this.scheduleTimerE(ctx.timers.t1);
    this.startTimer("F", transactionTimeout(ctx.timers), () => {
      this.terminate();
      this.user.onTimeout();
    });
  }

  private scheduleTimerE(interval: number): void {
    this.startTimer("E", interval, () => {
      this.ctx.send(this.request);
      // RFC 3261 17.1.2.2: in Trying the interval doubles up to T2; in Proceeding it stays at T2
      const next = this.state === "trying" ? Math.min(interval * 2, this.ctx.timers.t2) : this.ctx.timers.t2;
      this.scheduleTimerE(next);
    });
  }

  get request(): SipRequest {
    return this.held.request;
  }

  receiveResponse(response: SipResponse): void {
    if (this.state === "completed") {
      // RFC 3261 17.1.2.2: in Completed, retransmissions of the final response are absorbed
      if (response.status !== this.finalStatus) this.illegal(response, afterCompleted(response.status, this.finalStatus));
      return;
    }
    if (this.terminated) {
      // RFC 3261 17.1.2.2: a terminated transaction takes no message; a response for it is a stray (18.1.2)
      this.illegal(response, "the transaction is terminated (RFC 3261 17.1.2.2)");
      return;
    }
    if (response.status < 200) {
      // RFC 3261 17.1.2.2: in Proceeding, Timer E is reset to T2 when it next fires
      if (this.state === "trying") this.state = "proceeding";
      this.user.onResponse(response);
      return;
    }
    this.state = "completed";
    this.finalStatus = response.status;
    this.stopTimer("E");
    this.stopTimer("F");
    // RFC 3261 17.1.2.2: Completed passes nothing up, so the user is not kept for Timer K
    const user = this.user;
    this.user = RELEASED_USER;
    // RFC 3261 17.1.2.2: Timer K is T4 for unreliable transports, zero for reliable ones
    if (this.ctx.reliable) this.terminate();
    else if (!this.retireCompleted(response.status)) {
      this.held.release();
      this.linger("K", this.ctx.timers.t4, false);
    }
    user.onResponse(response);
  }

  /** Timer K waits as a record of the layer (RetiredTransactions), with the request's bytes. */
  private retireCompleted(status: number): boolean {
    const bytes = this.held.sentBytes;
    if (bytes === undefined) return false;
    const due = this.ctx.clock.now() + this.ctx.timers.t4;
    return this.retire(due, (retired) => retired.retire("nict", this.id, due, bytes, status));
  }

  transportError(error: Error): void {
    if (this.terminated) return;
    this.terminate();
    this.user.onTransportError(error);
  }
}

/**
 * RFC 3261 17.1.2.2 (Figure 6), and 17.1.1.2 (Figure 5) for INVITE: Completed has no transition for a
 * 1xx or another final response than `final`.
 */
export function afterCompleted(status: number, final: number | undefined, clause = "RFC 3261 17.1.2.2"): string {
  return `${status < 200 ? "a provisional response" : "a different final response"} after the final ${final ?? ""} (${clause})`;
}

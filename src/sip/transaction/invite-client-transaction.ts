// RFC 3261 17.1.1 INVITE client transaction, with the Accepted state of RFC 6026 7.2.
import { SipRequest, type SipResponse } from "../message/index.ts";
import { type ClientTransaction, type ClientTransactionUser, HeldRequest, RELEASED_USER } from "./client-transaction.ts";
import { timerD, transactionTimeout } from "./timer-settings.ts";
import { afterCompleted } from "./non-invite-client-transaction.ts";
import type { LateInviteUser } from "./retired-transactions.ts";
import { Transaction, type TransactionContext } from "./transaction.ts";

export type InviteClientState = "calling" | "proceeding" | "accepted" | "completed" | "terminated";

export class InviteClientTransaction extends Transaction<InviteClientState> implements ClientTransaction {
  readonly kind = "ict";
  private readonly held: HeldRequest;
  private ack: SipRequest | undefined;
  /** The status of the non-2xx final response that moved the transaction to Completed (the response is not kept for Timer D). */
  private finalStatus: number | undefined;

  constructor(
    id: string,
    request: SipRequest,
    ctx: TransactionContext,
    private user: ClientTransactionUser,
  ) {
    super(id, ctx, "calling");
    this.held = new HeldRequest(request);
    this.held.sent(this.ctx.send(request));
    // RFC 3261 17.1.1.2: for an unreliable transport Timer A starts at T1 and doubles
    if (!ctx.reliable) this.scheduleTimerA(ctx.timers.t1);
    this.startTimer("B", transactionTimeout(ctx.timers), () => {
      if (this.state !== "calling") return;
      this.terminate();
      this.user.onTimeout();
    });
  }

  private scheduleTimerA(interval: number): void {
    this.startTimer("A", interval, () => {
      if (this.state !== "calling") return;
      this.ctx.send(this.request);
      this.scheduleTimerA(interval * 2);
    });
  }

  get request(): SipRequest {
    return this.held.request;
  }

  receiveResponse(response: SipResponse): void {
    const s = response.status;
    switch (this.state) {
      case "calling":
      case "proceeding":
        if (s < 200) {
          this.state = "proceeding";
          this.stopTimer("A");
          this.user.onResponse(response);
        } else if (s < 300) {
          // RFC 6026 7.2: a 2xx moves the transaction to Accepted; Timer M absorbs retransmissions
          this.state = "accepted";
          this.stopTimer("A");
          this.stopTimer("B");
          this.linger("M", transactionTimeout(this.ctx.timers), false);
          this.user.onResponse(response);
        } else {
          // RFC 3261 17.1.1.2: 300-699 -> Completed, ACK sent by the transaction, Timer D
          this.state = "completed";
          this.finalStatus = s;
          this.stopTimer("A");
          this.stopTimer("B");
          this.ack = buildNon2xxAck(this.request, response);
          this.held.release();
          this.ctx.send(this.ack);
          // RFC 3261 17.1.1.2: Completed passes nothing up, so the user is not kept for Timer D
          const user = this.user;
          this.user = RELEASED_USER;
          // RFC 3261 17.1.1.2: Timer D is zero for reliable transports: Terminated at once
          if (this.ctx.reliable) this.terminate();
          else this.linger("D", timerD(this.ctx.timers, false), true);
          user.onResponse(response);
        }
        return;
      case "accepted":
        // RFC 6026 7.2: further 2xx (retransmissions, other forks) are passed up so the TU can ACK them
        if (s >= 200 && s < 300) this.user.onResponse(response);
        else this.illegal(response, afterAccepted(s));
        return;
      case "completed":
        // RFC 3261 17.1.1.2: retransmissions of the final response are answered with the ACK again, not passed up
        if (s === this.finalStatus) {
          if (this.ack) this.ctx.send(this.ack);
        } else {
          // RFC 3261 17.1.1.2 (Figure 5): Completed has a transition only for the final response retransmitted
          this.illegal(response, afterCompleted(s, this.finalStatus, "RFC 3261 17.1.1.2"));
        }
        return;
      case "terminated":
        // RFC 3261 17.1.1.2: a terminated transaction takes no message; a response for it is a stray (18.1.2)
        this.illegal(response, "the transaction is terminated (RFC 3261 17.1.1.2)");
        return;
    }
  }

  /** The call has ended: the rest of Accepted is a record of the layer; else the INVITE is kept as bytes only. */
  retireAccepted(user: LateInviteUser, held: readonly (string | Buffer)[]): boolean {
    const bytes = this.held.sentBytes;
    if (this.state !== "accepted") return false;
    if (bytes !== undefined && this.retire(this.lingerAt, (retired) => retired.retire("ict", this.id, this.lingerAt, bytes, 200, user, held))) return true;
    this.held.release();
    return false;
  }

  transportError(error: Error): void {
    if (this.terminated) return;
    this.terminate();
    this.user.onTransportError(error);
  }
}

/** RFC 6026 7.2: Accepted has a transition for 2xx only; a 1xx or a non-2xx final after a 2xx has none. */
export function afterAccepted(status: number): string {
  return status < 200 ? "a provisional response after a 2xx (RFC 6026 7.2)" : "a non-2xx final response after a 2xx (RFC 6026 7.2)";
}

/** RFC 3261 17.1.1.3: the ACK for a non-2xx final response, built by the transaction. */
export function buildNon2xxAck(invite: SipRequest, response: SipResponse): SipRequest {
  const ack = new SipRequest("ACK", invite.uriText);
  const topVia = invite.headerValues("via")[0];
  if (topVia !== undefined) ack.addHeader("Via", topVia);
  for (const route of invite.headers.filter((h) => h.key === "route")) ack.addHeader("Route", route.value);
  ack.addHeader("Max-Forwards", invite.header("max-forwards") ?? "70");
  ack.addHeader("From", invite.header("from") ?? "");
  // The To header equals the To of the response being acknowledged (it carries the tag)
  ack.addHeader("To", response.header("to") ?? invite.header("to") ?? "");
  ack.addHeader("Call-ID", invite.header("call-id") ?? "");
  ack.addHeader("CSeq", `${invite.cseq.seq} ACK`);
  return ack;
}

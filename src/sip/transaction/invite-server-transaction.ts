// RFC 3261 17.2.1 INVITE server transaction, with the Accepted state of RFC 6026 7.1.
import type { SipRequest, SipResponse } from "../message/index.ts";
import { ServerTransactionBase } from "./server-transaction.ts";
import { transactionTimeout } from "./timer-settings.ts";
import type { TransactionContext } from "./transaction.ts";

export type InviteServerState = "proceeding" | "accepted" | "completed" | "confirmed" | "terminated";

export class InviteServerTransaction extends ServerTransactionBase<InviteServerState> {
  readonly kind = "ist";
  constructor(id: string, request: SipRequest, ctx: TransactionContext) {
    super(id, request, ctx, "proceeding");
  }

  respond(response: SipResponse): void {
    const s = response.status;
    if (this.state === "proceeding") {
      this.lastResponse = response;
      this.ctx.send(response);
      if (s < 200) return;
      if (s < 300) {
        // RFC 6026 7.1: 2xx -> Accepted; the TU retransmits the 2xx; Timer L ends the state
        this.state = "accepted";
        this.linger("L", transactionTimeout(this.ctx.timers), true);
        return;
      }
      // RFC 3261 17.2.1: 300-699 -> Completed; Timer G retransmits over UDP, Timer H waits for the ACK
      this.state = "completed";
      if (!this.ctx.reliable) this.scheduleTimerG(this.ctx.timers.t1);
      this.startTimer("H", transactionTimeout(this.ctx.timers), () => {
        this.terminate();
        this.user.onTimeout?.();
      });
      return;
    }
    if (this.state === "accepted") {
      // RFC 6026 7.1: retransmissions of the 2xx from the TU pass through in Accepted
      if (s >= 200 && s < 300) {
        this.ctx.send(response);
        return;
      }
      // RFC 6026 7.1: Accepted takes only 2xx from the TU; no 1xx or non-2xx after a 2xx
      this.misuse(`respond ${s}`, `${s < 200 ? "a provisional" : "a non-2xx final"} response after the 2xx ${this.lastResponse?.status ?? ""} (RFC 6026 7.1)`);
    }
    // RFC 3261 17.2.1 (Figure 7): after a non-2xx final response (Completed, Confirmed) or in Terminated
    // the TU sends nothing more; the transaction alone retransmits the final response
    this.misuse(
      `respond ${s}`,
      this.terminated
        ? "the transaction is terminated (RFC 3261 17.2.1)"
        : `the final response ${this.lastResponse?.status ?? ""} was already sent; only the transaction retransmits it (RFC 3261 17.2.1)`,
    );
  }

  private scheduleTimerG(interval: number): void {
    this.startTimer("G", interval, () => {
      if (this.state !== "completed" || !this.lastResponse) return;
      this.ctx.send(this.lastResponse);
      this.scheduleTimerG(Math.min(interval * 2, this.ctx.timers.t2));
    });
  }

  receiveRequest(request: SipRequest): void {
    if (this.terminated) {
      // RFC 3261 17.2.1: a terminated transaction takes no message (the layer creates a new one instead)
      this.illegal(request, "the transaction is terminated (RFC 3261 17.2.1)");
      return;
    }
    if (request.method === "ACK") {
      switch (this.state) {
        case "completed":
          // RFC 3261 17.2.1: ACK -> Confirmed; Timer I absorbs further ACKs (T4 over UDP, 0 otherwise)
          this.state = "confirmed";
          this.stopTimer("G");
          this.stopTimer("H");
          this.user.onAck?.(request);
          if (this.ctx.reliable) this.terminate();
          else this.linger("I", this.ctx.timers.t4, false);
          return;
        case "confirmed":
          // RFC 3261 17.2.1: Confirmed absorbs the ACKs triggered by retransmitted final responses
          return;
        case "accepted":
          // RFC 6026 7.1: the ACK of the 2xx belongs to the TU; the layer hands it there, not here
          return;
        case "proceeding":
          // RFC 3261 17.2.1 (Figure 7): no final response was sent yet, so there is nothing to acknowledge
          this.illegal(request, "an ACK before any final response was sent (RFC 3261 17.2.1)");
          return;
      }
    }
    if (request.method !== "INVITE") {
      // RFC 3261 17.2.3: only the INVITE and its ACK match an INVITE server transaction
      this.illegal(request, `a ${request.method} cannot match an INVITE server transaction (RFC 3261 17.2.3)`);
      return;
    }
    switch (this.state) {
      case "proceeding":
      case "completed":
        // RFC 3261 17.2.1: a retransmitted INVITE gets the most recent provisional or final response again
        if (this.lastResponse) this.ctx.send(this.lastResponse);
        return;
      case "accepted":
        // RFC 6026 7.1: INVITE retransmissions are absorbed in Accepted (the TU retransmits the 2xx)
        return;
      case "confirmed":
        // RFC 3261 17.2.1 (Figure 7): Confirmed absorbs ACKs only; the peer retransmitted its INVITE after its ACK
        this.illegal(request, "an INVITE retransmission after the ACK (RFC 3261 17.2.1)");
        return;
    }
  }

  transportError(error: Error): void {
    if (this.terminated) return;
    // RFC 6026 7.1 (updating RFC 3261 17.2.4): a transport error when sending a response does not
    // discard the state; the TU is informed and the timers end the transaction
    this.user.onTransportError?.(error);
  }
}

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
        this.startTimer("L", transactionTimeout(this.ctx.timers), () => this.terminate());
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
    if (this.state === "accepted" && s >= 200 && s < 300) {
      // RFC 6026 7.1: retransmissions of the 2xx from the TU pass through in Accepted
      this.ctx.send(response);
    }
  }

  private scheduleTimerG(interval: number): void {
    this.startTimer("G", interval, () => {
      if (this.state !== "completed" || !this.lastResponse) return;
      this.ctx.send(this.lastResponse);
      this.scheduleTimerG(Math.min(interval * 2, this.ctx.timers.t2));
    });
  }

  receiveRequest(request: SipRequest): void {
    if (request.method === "ACK") {
      if (this.state !== "completed") return;
      // RFC 3261 17.2.1: ACK -> Confirmed; Timer I absorbs further ACKs (T4 over UDP, 0 otherwise)
      this.state = "confirmed";
      this.stopTimer("G");
      this.stopTimer("H");
      this.user.onAck?.(request);
      if (this.ctx.reliable) this.terminate();
      else this.startTimer("I", this.ctx.timers.t4, () => this.terminate());
      return;
    }
    // RFC 3261 17.2.1: a retransmitted INVITE gets the most recent provisional or final response again
    if ((this.state === "proceeding" || this.state === "completed") && this.lastResponse) this.ctx.send(this.lastResponse);
  }

  transportError(error: Error): void {
    if (this.terminated) return;
    // RFC 6026 7.1 (updating RFC 3261 17.2.4): a transport error when sending a response does not
    // discard the state; the TU is informed and the timers end the transaction
    this.user.onTransportError?.(error);
  }
}

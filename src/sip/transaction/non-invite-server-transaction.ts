// RFC 3261 17.2.2 non-INVITE server transaction.
import type { SipRequest, SipResponse } from "../message/index.ts";
import { ServerTransactionBase } from "./server-transaction.ts";
import { transactionTimeout } from "./timer-settings.ts";
import type { TransactionContext } from "./transaction.ts";

export type NonInviteServerState = "trying" | "proceeding" | "completed" | "terminated";

export class NonInviteServerTransaction extends ServerTransactionBase<NonInviteServerState> {
  readonly kind = "nist";
  /**
   * @param received the request's bytes as they arrived, when the endpoint gives them: with the
   * final response's, what the transaction is kept as once retired (RetiredTransactions)
   */
  constructor(
    id: string,
    request: SipRequest,
    ctx: TransactionContext,
    private received?: Buffer,
  ) {
    super(id, request, ctx, "trying");
  }

  respond(response: SipResponse): void {
    if (this.state === "completed" || this.terminated) this.misuse(`respond ${response.status}`, nothingAfterFinal(this.state, this.lastResponse?.status));
    this.lastResponse = response;
    const bytes = this.ctx.send(response);
    if (response.status < 200) {
      this.state = "proceeding";
      return;
    }
    // RFC 3261 17.2.2: final response -> Completed; Timer J is 64*T1 for UDP, 0 for reliable transports
    this.state = "completed";
    if (this.ctx.reliable) return this.terminate();
    const received = this.received;
    this.received = undefined;
    const timerJ = transactionTimeout(this.ctx.timers);
    const due = this.ctx.clock.now() + timerJ;
    // Timer J waits as a record of the layer with the request and response bytes, where it can
    if (bytes && received && this.retire(due, (retired) => retired.retireServer(this.id, due, received, bytes, response.status))) return;
    this.linger("J", timerJ, true);
  }

  receiveRequest(request: SipRequest): void {
    if (request.method !== this.request.method) return this.illegal(request, notThisMethod(request, this.request.method));
    switch (this.state) {
      case "trying":
        // RFC 3261 17.2.2: retransmissions in Trying are discarded (no response to resend yet)
        return;
      case "proceeding":
      case "completed":
        // RFC 3261 17.2.2: a retransmission in Proceeding or Completed gets the last response again
        if (this.lastResponse) this.ctx.send(this.lastResponse);
        return;
      case "terminated":
        // RFC 3261 17.2.2: a terminated transaction takes no message (the layer creates a new one instead)
        this.illegal(request, "the transaction is terminated (RFC 3261 17.2.2)");
        return;
    }
  }

  transportError(error: Error): void {
    if (this.terminated) return;
    this.terminate();
    this.user.onTransportError?.(error);
  }
}

/** RFC 3261 17.2.2 (Figure 8): after the final response (Completed) or in Terminated the TU sends nothing more. */
export function nothingAfterFinal(state: string, final: number | undefined): string {
  return state === "completed" ? `the final response ${final ?? ""} was already sent (RFC 3261 17.2.2)` : "the transaction is terminated (RFC 3261 17.2.2)";
}

/** RFC 3261 17.2.3: an ACK (or any other method) never matches a non-INVITE server transaction. */
export function notThisMethod(request: SipRequest, method: string): string {
  return `a ${request.method} cannot match a ${method} server transaction (RFC 3261 17.2.3)`;
}

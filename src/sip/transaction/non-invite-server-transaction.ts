// RFC 3261 17.2.2 non-INVITE server transaction.
import type { SipRequest, SipResponse } from "../message/index.ts";
import { ServerTransactionBase } from "./server-transaction.ts";
import { transactionTimeout } from "./timer-settings.ts";
import type { TransactionContext } from "./transaction.ts";

export type NonInviteServerState = "trying" | "proceeding" | "completed" | "terminated";

export class NonInviteServerTransaction extends ServerTransactionBase<NonInviteServerState> {
  readonly kind = "nist";
  constructor(id: string, request: SipRequest, ctx: TransactionContext) {
    super(id, request, ctx, "trying");
  }

  respond(response: SipResponse): void {
    // RFC 3261 17.2.2 (Figure 8): after the final response (Completed) or in Terminated the TU sends nothing more
    if (this.state === "completed") this.misuse(`respond ${response.status}`, `the final response ${this.lastResponse?.status ?? ""} was already sent (RFC 3261 17.2.2)`);
    if (this.terminated) this.misuse(`respond ${response.status}`, "the transaction is terminated (RFC 3261 17.2.2)");
    this.lastResponse = response;
    this.ctx.send(response);
    if (response.status < 200) {
      this.state = "proceeding";
      return;
    }
    // RFC 3261 17.2.2: final response -> Completed; Timer J is 64*T1 for UDP, 0 for reliable transports
    this.state = "completed";
    if (this.ctx.reliable) this.terminate();
    else this.linger("J", transactionTimeout(this.ctx.timers), true);
  }

  receiveRequest(request: SipRequest): void {
    if (request.method !== this.request.method) {
      // RFC 3261 17.2.3: an ACK (or any other method) never matches a non-INVITE server transaction
      this.illegal(request, `a ${request.method} cannot match a ${this.request.method} server transaction (RFC 3261 17.2.3)`);
      return;
    }
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

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
    if (this.state === "completed" || this.terminated) return;
    this.lastResponse = response;
    this.ctx.send(response);
    if (response.status < 200) {
      this.state = "proceeding";
      return;
    }
    // RFC 3261 17.2.2: final response -> Completed; Timer J is 64*T1 for UDP, 0 for reliable transports
    this.state = "completed";
    if (this.ctx.reliable) this.terminate();
    else this.startTimer("J", transactionTimeout(this.ctx.timers), () => this.terminate());
  }

  receiveRequest(_request: SipRequest): void {
    // RFC 3261 17.2.2: a retransmission in Proceeding or Completed gets the last response again
    if (this.lastResponse && (this.state === "proceeding" || this.state === "completed")) this.ctx.send(this.lastResponse);
  }

  transportError(error: Error): void {
    if (this.terminated) return;
    this.terminate();
    this.user.onTransportError?.(error);
  }
}

// RFC 3261 17.2.2 non-INVITE server transaction.
import type { SipRequest, SipResponse } from "../message/index.ts";
import type { ServerTransaction, ServerTransactionUser } from "./server-transaction.ts";
import { transactionTimeout } from "./timer-settings.ts";
import { Transaction, type TransactionContext } from "./transaction.ts";

export type NonInviteServerState = "trying" | "proceeding" | "completed" | "terminated";

export class NonInviteServerTransaction extends Transaction<NonInviteServerState> implements ServerTransaction {
  readonly kind = "nist";
  lastResponse: SipResponse | undefined;
  private user: ServerTransactionUser = {};

  constructor(
    id: string,
    readonly request: SipRequest,
    ctx: TransactionContext,
  ) {
    super(id, ctx, "trying");
  }

  setUser(user: ServerTransactionUser): void {
    this.user = user;
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

// RFC 3261 17.2: what the INVITE and non-INVITE server transactions share with their user.
import type { SipRequest, SipResponse } from "../message/index.ts";
import { Transaction, type TransactionContext } from "./transaction.ts";

export interface ServerTransactionUser {
  /** RFC 3261 17.2.1: Timer H fired, no ACK for a non-2xx final response. */
  onTimeout?(): void;
  onTransportError?(error: Error): void;
  /** RFC 3261 17.2.1: the ACK for a non-2xx final response (absorbed; reported for traces and tests). */
  onAck?(ack: SipRequest): void;
}

export interface ServerTransaction {
  readonly id: string;
  readonly request: SipRequest;
  readonly state: string;
  readonly terminated: boolean;
  /** The last response sent, resent on a retransmitted request (RFC 3261 17.2.1, 17.2.2). */
  readonly lastResponse: SipResponse | undefined;
  respond(response: SipResponse): void;
  receiveRequest(request: SipRequest): void;
  transportError(error: Error): void;
  setUser(user: ServerTransactionUser): void;
  onTerminated(fn: () => void): void;
  dispose(): void;
}

/** What both server transactions keep: the request, the last response sent, and their user. */
export abstract class ServerTransactionBase<State extends string> extends Transaction<State> implements ServerTransaction {
  lastResponse: SipResponse | undefined;
  protected user: ServerTransactionUser = {};

  protected constructor(
    id: string,
    readonly request: SipRequest,
    ctx: TransactionContext,
    initial: State,
  ) {
    super(id, ctx, initial);
  }

  setUser(user: ServerTransactionUser): void {
    this.user = user;
  }

  abstract respond(response: SipResponse): void;
  abstract receiveRequest(request: SipRequest): void;
  abstract transportError(error: Error): void;
}

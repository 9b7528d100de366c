// RFC 3261 17 (Figures 5 to 8) and RFC 6026 7: the events each transaction state has a transition
// for. An event with none is illegal: one the network caused (a response or request that cannot
// arrive in this state) is evidence about the peer and is reported, then absorbed; one the TU
// caused (respond() where no response may be sent) is a bug of the harness and throws.
import type { SipMessage } from "../message/index.ts";

export type TransactionKind = "ict" | "nict" | "ist" | "nist";

/** A message from the network that the transaction's state has no transition for. */
export interface IllegalTransactionEvent {
  /** The transaction's id (its key in the transaction layer). */
  readonly transaction: string;
  readonly kind: TransactionKind;
  /** The state the event arrived in: "completed", "accepted" ... */
  readonly state: string;
  /** What arrived: "response 180 Ringing", "request ACK". */
  readonly event: string;
  /** Why no transition exists, with the clause. */
  readonly detail: string;
  readonly at: number;
}

export type IllegalEventListener = (event: IllegalTransactionEvent) => void;

/** The TU asked a transaction for something its state forbids (a second final response ...). */
export class TransactionUserError extends Error {
  readonly transaction: string;
  readonly kind: TransactionKind;
  readonly state: string;
  readonly event: string;

  constructor(transaction: string, kind: TransactionKind, state: string, event: string, detail: string) {
    super(`${kind.toUpperCase()} ${transaction} in state ${state}: ${event} is illegal (${detail})`);
    this.name = "TransactionUserError";
    this.transaction = transaction;
    this.kind = kind;
    this.state = state;
    this.event = event;
  }
}

/** "response 180 Ringing" or "request ACK": the event as reports name it. */
export function describeMessageEvent(message: SipMessage): string {
  return message.kind === "request" ? `request ${message.method}` : `response ${message.status} ${message.reason}`;
}

/** The report of `message` arriving in `state`, which has no transition for it. */
export function illegalEvent(transaction: string, kind: TransactionKind, state: string, message: SipMessage, detail: string, at: number): IllegalTransactionEvent {
  return { transaction, kind, state, event: describeMessageEvent(message), detail, at };
}

// RFC 3261 17.1: what the INVITE and non-INVITE client transactions report to their user.
import { type SipMessage, type SipRequest, type SipResponse, parseMessage } from "../message/index.ts";
import type { LateInviteUser } from "./retired-transactions.ts";

export interface ClientTransactionUser {
  /** Every response the transaction passes up (RFC 3261 17.1.1.2, 17.1.2.2; RFC 6026 7.2 for 2xx retransmissions). */
  onResponse(response: SipResponse): void;
  /** Timer B or F fired: no final response within 64*T1 (RFC 3261 17.1.1.2, 17.1.2.2). */
  onTimeout(): void;
  /** RFC 3261 17.1.4: the transport layer could not send the request. */
  onTransportError(error: Error): void;
}

/** The user of a transaction in Completed (RFC 3261 17.1.1.2, 17.1.2.2), which passes nothing up: the TU it had is let go. */
export const RELEASED_USER: ClientTransactionUser = {
  onResponse() {},
  onTimeout() {},
  onTransportError() {},
};

export interface ClientTransaction {
  readonly id: string;
  readonly request: SipRequest;
  readonly state: string;
  readonly terminated: boolean;
  receiveResponse(response: SipResponse): void;
  transportError(error: Error): void;
  onTerminated(fn: () => void): void;
  dispose(): void;
  /**
   * RFC 6026 7.2: the call of an INVITE transaction in Accepted has ended; what it still passes up
   * goes to `user` with `held`, and the transaction waits as a record (RetiredTransactions). False when
   * it cannot (not in Accepted, not an INVITE, or the layer keeps no records): it stays as it is.
   */
  retireAccepted?(user: LateInviteUser, held: readonly (string | Buffer)[]): boolean;
}

/**
 * The request of a client transaction. Once the transaction sends it no more (Completed, or Accepted
 * of RFC 6026 7.2, up to 64*T1), it keeps the bytes it sent, as one flat string with one character
 * per byte (latin1), rather than the message and its headers: one object for the collector instead
 * of dozens. The message is read back from them when asked for, as sent.
 */
export class HeldRequest {
  private message: SipRequest | undefined;
  private bytes: Buffer | string | undefined;

  constructor(message: SipRequest) {
    this.message = message;
  }

  /** What the flow returned for the first send, if it returned the bytes. */
  sent(bytes: Buffer | void): void {
    this.bytes ??= bytes ?? undefined;
  }

  get request(): SipRequest {
    return (this.message ??= requestFromBytes(this.bytes!));
  }

  /** The bytes sent, when the flow gave them. */
  get sentBytes(): Buffer | string | undefined {
    return this.bytes;
  }

  /** Keeps only the bytes, when the flow gave them. */
  release(): void {
    if (!this.bytes || !this.message) return;
    this.bytes = heldBytes(this.bytes);
    this.message = undefined;
  }
}

/** A client transaction's own request read back from the bytes it sent (a Buffer, or a latin1 string, see heldBytes). */
export function requestFromBytes(bytes: Buffer | string): SipRequest {
  return ownMessage(bytes, "request", "a client transaction's own");
}

/**
 * A message this process sent or received, read back from the bytes it kept (a Buffer, or a latin1
 * string, see heldBytes); `whose` names the keeper in the error, which is a harness bug.
 */
export function ownMessage<K extends SipMessage["kind"]>(bytes: Buffer | string, kind: K, whose: string): Extract<SipMessage, { kind: K }> {
  const parsed = parseMessage(typeof bytes === "string" ? Buffer.from(bytes, "latin1") : bytes);
  // The bytes were serialized by this process, or parsed by it once already: they parse as before
  if (!parsed.ok || parsed.message.kind !== kind) throw new Error(`${whose} ${kind} no longer parses`);
  return parsed.message as Extract<SipMessage, { kind: K }>;
}

/** Bytes kept for long as one flat string of latin1 characters, one per byte: Buffer.from(s, "latin1") gives them back. */
export function heldBytes(bytes: Buffer | string): string {
  return typeof bytes === "string" ? bytes : bytes.toString("latin1");
}

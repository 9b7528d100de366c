// RFC 3261 17.1: what the INVITE and non-INVITE client transactions report to their user.
import { type SipRequest, type SipResponse, parseMessage } from "../message/index.ts";

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
    if (this.message) return this.message;
    const bytes = this.bytes!;
    const parsed = parseMessage(typeof bytes === "string" ? Buffer.from(bytes, "latin1") : bytes);
    // The bytes were serialized from a request by this process: they parse as one
    if (!parsed.ok || parsed.message.kind !== "request") throw new Error("a client transaction's own request no longer parses");
    return (this.message = parsed.message);
  }

  /** Keeps only the bytes, when the flow gave them. */
  release(): void {
    if (!this.bytes || !this.message) return;
    this.bytes = heldBytes(this.bytes);
    this.message = undefined;
  }
}

/** Bytes kept for long as one flat string of latin1 characters, one per byte: Buffer.from(s, "latin1") gives them back. */
export function heldBytes(bytes: Buffer | string): string {
  return typeof bytes === "string" ? bytes : bytes.toString("latin1");
}

// RFC 3261 17.1: what the INVITE and non-INVITE client transactions report to their user.
import type { SipRequest, SipResponse } from "../message/index.ts";

export interface ClientTransactionUser {
  /** Every response the transaction passes up (RFC 3261 17.1.1.2, 17.1.2.2; RFC 6026 7.2 for 2xx retransmissions). */
  onResponse(response: SipResponse): void;
  /** Timer B or F fired: no final response within 64*T1 (RFC 3261 17.1.1.2, 17.1.2.2). */
  onTimeout(): void;
  /** RFC 3261 17.1.4: the transport layer could not send the request. */
  onTransportError(error: Error): void;
}

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

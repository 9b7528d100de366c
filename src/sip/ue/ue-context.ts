// What calls, registrations and subscriptions of one simulated UE share: its endpoint, where it
// sends requests (the P-CSCF, TS 24.229 5.1.1.1), its identity and its dialogs.
import type { Deadline } from "../deadline.ts";
import type { Received, SipEndpoint } from "../endpoint/index.ts";
import type { Destination } from "../endpoint/destination.ts";
import type { SipResponse } from "../message/index.ts";
import type { TransportProtocol } from "../transport/address.ts";

export type DialogHandler = (received: Received) => void;

export interface UeContext {
  readonly name: string;
  readonly endpoint: SipEndpoint;
  /** Every request of this UE goes to its P-CSCF (or, in direct tests, to the peer). */
  readonly outbound: Destination;
  readonly protocol: TransportProtocol;
  /** The public user identity used in From (TS 24.229 5.1.2A.1.1). */
  readonly impu: string;
  readonly displayName?: string;
  /** Contact URI of this UE. */
  readonly contact: string;
  /** TS 24.229 5.1.2A.1.1: P-CSCF URI then the Service-Route of the last registration. */
  preloadedRoute(): string[];
  /** The default budget of a wait: 64*T1 unless the test asks for less, never past budget(). */
  deadline(label: string, ms?: number): Deadline;
  /** The deadline of whatever drives the UE (a test step), which no wait of the UE outlives; undefined when none was given. */
  budget(): Deadline | undefined;
  /** Request options with the caller's deadline, else the budget's (else none: Timer B/F ends the wait). */
  within(deadline: Deadline | undefined): { deadline?: Deadline };
  via(): string;
  /** Reports how a request the UE sent on its own ended, when it did not end in 2xx (see automatic-request.ts). */
  automatic(method: string, what: string, outcome: Promise<SipResponse | undefined | void>): void;
  addDialog(key: string, handler: DialogHandler): void;
  /** The dialog has ended; `lateAcks`: an ACK for a 2xx it sent may still come (RFC 3261 13.2.2.4), so one is absorbed for 64*T1. */
  removeDialog(key: string, lateAcks?: boolean): void;
}

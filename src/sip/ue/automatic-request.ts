// Requests and responses a UE sends on its own (PRACK, ACK, the BYE for a second 2xx, the BYE after
// a missing ACK): nobody awaits them, so how each ended is reported as an incident rather than lost.
import { ExpectationError } from "../failure.ts";
import type { SipResponse } from "../message/index.ts";

export interface AutomaticRequestIncident {
  /** The UE that sent it. */
  readonly ue: string;
  /** What was sent and why, e.g. "PRACK for the reliable 183 (RSeq 1)". */
  readonly what: string;
  /** The method of the request sent: PRACK, ACK, BYE. */
  readonly method: string;
  /** A final response other than 2xx. */
  readonly response?: SipResponse;
  /** No final response (Timer F, the deadline, a transport error): the driver's ExpectationError. */
  readonly noAnswer?: ExpectationError;
  /** A fault of the harness itself (any other exception). */
  readonly harnessError?: Error;
  readonly at: number;
}

export type IncidentListener = (incident: AutomaticRequestIncident) => void;

/** Watches the outcome of an automatic request and tells the listener when it did not end in 2xx. */
export function watchAutomatic(ue: string, method: string, what: string, outcome: Promise<SipResponse | undefined | void>, now: () => number, report: IncidentListener): void {
  outcome.then(
    (response) => {
      if (response && response.status >= 300) report({ ue, method, what, response, at: now() });
    },
    (e: unknown) => {
      if (e instanceof ExpectationError) report({ ue, method, what, noAnswer: e, at: now() });
      else report({ ue, method, what, harnessError: e instanceof Error ? e : new Error(String(e)), at: now() });
    },
  );
}

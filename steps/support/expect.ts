// Assertions for steps, all through the driver's one failure formatter: what was expected, what
// arrived, and the clause that says so.
import { ExpectationError, describeMessageInDetail } from "../../src/sip/failure.ts";
import type { SipMessage, SipResponse } from "../../src/sip/message/index.ts";

export function fail(expected: string, received: string | SipMessage | undefined, clause?: string): never {
  const r = received === undefined ? [] : [typeof received === "string" ? received : describeMessageInDetail(received)];
  throw new ExpectationError({ expected, received: r, ...(clause ? { clause } : {}) });
}

export function expectThat(ok: boolean, expected: string, received: string | SipMessage | undefined, clause?: string): void {
  if (!ok) fail(expected, received, clause);
}

/**
 * A response with one of these statuses. That it belongs to its request (Call-ID, CSeq, From, To,
 * Via: RFC 3261 8.2.6.2) is judged by the requirements layer on every response, not here.
 */
export function expectStatus(response: SipResponse, statuses: readonly number[], what: string, clause?: string): void {
  expectThat(statuses.includes(response.status), `${statuses.join(" or ")} ${what}`, response, clause);
}

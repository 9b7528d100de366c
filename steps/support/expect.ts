// Assertions for steps, all through the driver's one failure formatter: what was expected, what
// arrived, and the clause that says so.
import { ExpectationError, describeMessageInDetail } from "../../src/sip/failure.ts";
import type { SipMessage, SipRequest, SipResponse } from "../../src/sip/message/index.ts";

export function fail(expected: string, received: string | SipMessage | undefined, clause?: string): never {
  const r = received === undefined ? [] : [typeof received === "string" ? received : describeMessageInDetail(received)];
  throw new ExpectationError({ expected, received: r, ...(clause ? { clause } : {}) });
}

export function expectThat(ok: boolean, expected: string, received: string | SipMessage | undefined, clause?: string): void {
  if (!ok) fail(expected, received, clause);
}

/** A response with one of these statuses, whose CSeq echoes the request (RFC 3261 8.2.6.2). */
export function expectStatus(response: SipResponse, statuses: readonly number[], what: string, request?: SipRequest, clause?: string): void {
  expectThat(statuses.includes(response.status), `${statuses.join(" or ")} ${what}`, response, clause);
  if (request) {
    const got = response.cseq;
    const want = request.cseq;
    expectThat(got.seq === want.seq && got.method === want.method, `the response's CSeq to echo the request's "${want.seq} ${want.method}"`, `CSeq: ${got.seq} ${got.method} in ${response.startLine()}`, "RFC 3261 8.2.6.2");
  }
}

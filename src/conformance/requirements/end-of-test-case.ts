// Requirements judged when a test case ends, on what the UEs received and nobody consumed: a
// response that matched none of the UE's transactions or dialogs, a request the test did not cause.
import type { Requirement } from "../requirement.ts";

const atEnd = (): undefined => undefined;

export const END_OF_TEST_CASE_REQUIREMENTS: readonly Requirement[] = [
  {
    id: "response.matches-transaction",
    clause: "RFC 3261 16.7 step 3, 17.1.3, 18.2.2",
    statement: "a response the network sends a UE answers a request of that UE: it matches one of its client transactions or dialogs",
    constrains: "network",
    appliesTo: { kind: "response" },
    // Judged at the end of the test case on the responses left in the UE's inbox
    when: () => false,
    check: atEnd,
  },
  {
    id: "request.expected",
    clause: "TS 24.229 5.1 (the test case's flow)",
    statement: "the network sends a UE only the requests the test case's flow causes (no stray INVITE, MESSAGE or out-of-dialog request)",
    constrains: "network",
    appliesTo: { kind: "request" },
    when: () => false,
    check: atEnd,
  },
];

// A requirement violated by a message a simulated UE received, and the error that makes it the
// test case's verdict (fail), naming the requirement, its clause, what was expected and what arrived.
import { ExpectationError, type FailureParts } from "../sip/failure.ts";
import type { Finding, Requirement } from "./requirement.ts";

export interface Violation {
  readonly requirement: Requirement;
  readonly finding: Finding;
  /** The UE that received the message, as the evidence names it: "UE-A (sip:alice@ims.example.test)". */
  readonly ue: string;
  /** The message's start line and key headers, as sent. */
  readonly message: string;
  readonly at: number;
  /**
   * The trace entry of the message (TraceEntry.seq of the test case's trace): the arrow the ladder
   * draws red and the "#7" of its message list. Absent when the violation is about no one message
   * (an automatic request that got no answer) or the monitor follows no trace.
   */
  readonly seq?: number;
}

/** How a failure names the message in the evidence: "message #7 in the SIP ladder". */
export function ladderReference(seq: number): string {
  return `message #${seq} in the SIP ladder`;
}

export function failureOf(v: Violation): FailureParts {
  const r = v.requirement;
  const where = v.seq === undefined ? "" : `, ${ladderReference(v.seq)}`;
  return { requirement: { id: r.id, statement: r.statement }, expected: v.finding.expected, received: [v.finding.received, `(received by ${v.ue}${where}: ${v.message})`], clause: r.clause };
}

/** Fails the test case: the SUT broke one or more requirements (the first is the message's head). */
export class RequirementViolationError extends ExpectationError {
  constructor(
    readonly violations: readonly Violation[],
    /** The step's own failure, when it failed too: kept below the violations. */
    readonly stepError?: unknown,
    callLog?: readonly string[],
  ) {
    super({ ...failureOf(violations[0]), ...(callLog ? { callLog } : {}) });
    this.name = "RequirementViolationError";
    const more = violations.slice(1).map((v) => `Also violated: ${v.requirement.id} (${v.requirement.clause}): ${v.finding.received}${v.seq === undefined ? "" : ` (${ladderReference(v.seq)})`}`);
    const step = stepError instanceof Error ? [`The step failed too:`, ...stepError.message.split("\n").map((l) => `  ${l}`)] : [];
    if (more.length + step.length > 0) this.message = [this.message, ...more, ...step].join("\n");
  }
}

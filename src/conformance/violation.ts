// A requirement violated by a message a simulated UE received, and the error that makes it the
// test case's verdict (fail), naming the requirement, its clause, what was expected and what arrived.
import { ExpectationError, type FailureParts } from "../sip/failure.ts";
import type { Finding, Requirement } from "./requirement.ts";

export interface Violation {
  readonly requirement: Requirement;
  readonly finding: Finding;
  /** The UE that received the message. */
  readonly ue: string;
  /** The message's start line and key headers, as sent. */
  readonly message: string;
  readonly at: number;
}

export function failureOf(v: Violation): FailureParts {
  const r = v.requirement;
  return { requirement: { id: r.id, statement: r.statement }, expected: v.finding.expected, received: [v.finding.received, `(received by ${v.ue}: ${v.message})`], clause: r.clause };
}

/** Fails the test case: the SUT broke one or more requirements (the first is the message's head). */
export class RequirementViolationError extends ExpectationError {
  constructor(
    readonly violations: readonly Violation[],
    /** The step's own failure, when it failed too: kept below the violations. */
    readonly stepError?: unknown,
    callLog?: readonly string[],
  ) {
    super({ ...failureOf(violations[0]!), ...(callLog ? { callLog } : {}) });
    this.name = "RequirementViolationError";
    const more = violations.slice(1).map((v) => `Also violated: ${v.requirement.id} (${v.requirement.clause}): ${v.finding.received}`);
    const step = stepError instanceof Error ? [`The step failed too:`, ...stepError.message.split("\n").map((l) => `  ${l}`)] : [];
    if (more.length + step.length > 0) this.message = [this.message, ...more, ...step].join("\n");
  }
}

// The verdicts of a test case (TTCN-3 sense) and the errors steps throw to ask for one.

export type Verdict = "pass" | "fail" | "inconclusive" | "not-applicable" | "error";
export const VERDICTS: readonly Verdict[] = ["pass", "fail", "inconclusive", "not-applicable", "error"];

/** A precondition of the test could not be established (e.g. UE-A could not register): not the SUT's fault for this test case. */
export class InconclusiveError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "InconclusiveError";
  }
}

/** A fault of the harness or the test bed (SUT unreachable, missing trigger): never counted against the vendor. */
export class TestBedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "TestBedError";
  }
}

/** A fault of the harness itself (a requirement check that threw, an automatic request it could not send): error. */
export class HarnessError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "HarnessError";
  }
}

/** The run was interrupted (a signal) while this test case ran: error, the SUT is not judged on it. */
export class InterruptedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InterruptedError";
  }
}

/** Errors that say the SUT broke an expectation or a requirement: the only ones that make `fail`. */
const SUT_FAILURES: ReadonlySet<string> = new Set(["ExpectationError", "RequirementViolationError"]);

/**
 * Cucumber's step status and exception class -> verdict. Only an expectation or a requirement the
 * SUT broke is `fail`; any other exception (a TypeError, a hook that threw, Cucumber's own step
 * timeout) is the harness's: `error`. A skipped step with no failure before it means the test case
 * did not run to its end: `inconclusive`, never `pass`.
 */
export function verdictOfStep(status: string, exceptionType: string | undefined): Verdict {
  if (status === "PASSED") return "pass";
  if (status === "SKIPPED") return "inconclusive";
  if (status === "FAILED") {
    if (exceptionType === "InconclusiveError") return "inconclusive";
    if (exceptionType !== undefined && SUT_FAILURES.has(exceptionType)) return "fail";
    return "error";
  }
  // UNDEFINED, AMBIGUOUS, PENDING, UNKNOWN: the suite itself is broken
  return "error";
}

/** The worst verdict wins, in the order error > fail > inconclusive > pass (TTCN-3 verdict overwriting, with error on top). */
export function worse(a: Verdict, b: Verdict): Verdict {
  const rank: Record<Verdict, number> = { "not-applicable": 0, pass: 1, inconclusive: 2, fail: 3, error: 4 };
  return rank[b] > rank[a] ? b : a;
}

// What `ims-interop run` prints: one line per test case as it finishes, then the verdict count.
import type { RunResult, TestCaseResult } from "../runner/index.ts";
import type { Verdict } from "../runner/verdict.ts";

const MARK: Record<Verdict, string> = { pass: "pass", fail: "FAIL", inconclusive: "INCONC", "not-applicable": "n/a", error: "ERROR" };

export function progressLine(r: TestCaseResult): string {
  const secs = r.durationMs > 0 ? ` (${(r.durationMs / 1000).toFixed(2)} s)` : "";
  const why = r.verdict === "pass" ? "" : `\n      ${(r.reason ?? "").split("\n").slice(0, r.verdict === "not-applicable" ? 1 : 4).join("\n      ")}`;
  return `  ${MARK[r.verdict].padEnd(6)} ${r.testCase.id.padEnd(13)} ${r.testCase.name}${secs}${why}`;
}

export function summaryLines(run: RunResult): string[] {
  const c = run.counts;
  const total = run.results.length;
  return [
    "",
    `${total} test cases against ${run.sut} (profile ${run.profile.name}) in ${(run.durationMs / 1000).toFixed(1)} s:`,
    `  ${c.pass} pass, ${c.fail} fail, ${c.inconclusive} inconclusive, ${c["not-applicable"]} not applicable, ${c.error} error`,
  ];
}


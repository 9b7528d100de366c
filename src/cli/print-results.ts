// What `ims-interop run` prints: one line per test case as it finishes, then the verdict count.
// Every text goes through escapeControlCharacters first: a reason quotes the SUT's bytes, and an
// escape sequence in them must not reach the terminal (issue 10, gap 4).
import { escapeControlCharacters, escapeControlCharactersInSipText } from "../report/control-characters.ts";
import type { RunResult, TestCaseResult } from "../runner/index.ts";
import type { Verdict } from "../runner/verdict.ts";

const MARK: Record<Verdict, string> = { pass: "pass", fail: "FAIL", inconclusive: "INCONC", "not-applicable": "n/a", error: "ERROR" };

/** A single line: line feeds shown as \n too, so a name cannot start a line of its own. */
function oneLine(text: string): string {
  return escapeControlCharacters(text).replace(/\n/g, "\\n");
}

export function progressLine(r: TestCaseResult): string {
  const secs = r.durationMs > 0 ? ` (${(r.durationMs / 1000).toFixed(2)} s)` : "";
  // The reason keeps its lines (a SIP message's CRLF read as line ends); a bare CR is escaped
  const reason = escapeControlCharactersInSipText(r.reason ?? "");
  const why = r.verdict === "pass" ? "" : `\n      ${reason.split("\n").slice(0, r.verdict === "not-applicable" ? 1 : 4).join("\n      ")}`;
  return `  ${MARK[r.verdict].padEnd(6)} ${oneLine(r.testCase.id).padEnd(13)} ${oneLine(r.testCase.name)}${secs}${why}`;
}

export function summaryLines(run: RunResult): string[] {
  const c = run.counts;
  const total = run.results.length;
  return [
    "",
    `${total} test cases against ${oneLine(run.sut)} (profile ${oneLine(run.profile.name)}) in ${(run.durationMs / 1000).toFixed(1)} s:`,
    `  ${c.pass} pass, ${c.fail} fail, ${c.inconclusive} inconclusive, ${c["not-applicable"]} not applicable, ${c.error} error`,
  ];
}

// JUnit XML for CI systems, from the verdicts: fail -> <failure>, error and inconclusive -> <error>
// (typed), not applicable -> <skipped> with the reason. A known deviation the profile declares is a
// property of its test case (and ends the message of a verdict other than pass): it changes nothing.
import type { RunResult, TestCaseResult } from "../runner/index.ts";

function esc(s: string): string {
  return (
    s
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      // eslint-disable-next-line no-control-regex -- XML 1.0 (2.2) allows no C0 character but tab, LF and CR
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "")
  );
}

/** The first line of the reason, with the known deviation after it (one line: CI shows it as the message). */
function message(r: TestCaseResult): string {
  const first = (r.reason ?? "").split("\n")[0] ?? "";
  return r.knownDeviation === undefined ? first : `${first} (known deviation: ${r.knownDeviation.replace(/\s*\n\s*/g, " ")})`;
}

export function junitXml(run: RunResult): string {
  const c = run.counts;
  const cases = run.results.map((r) => {
    const attrs = `classname="${esc(r.testCase.feature)}" name="${esc(`${r.testCase.id} ${r.testCase.name}`)}" time="${(r.durationMs / 1000).toFixed(3)}"`;
    const properties = r.knownDeviation === undefined ? "" : `\n      <properties>\n        <property name="knownDeviation" value="${esc(r.knownDeviation)}"/>\n      </properties>`;
    const reason = esc(r.reason ?? "");
    const first = esc(message(r));
    switch (r.verdict) {
      case "pass":
        return properties ? `    <testcase ${attrs}>${properties}\n    </testcase>` : `    <testcase ${attrs}/>`;
      case "fail":
        return `    <testcase ${attrs}>${properties}\n      <failure type="fail" message="${first}">${reason}</failure>\n    </testcase>`;
      case "not-applicable":
        return `    <testcase ${attrs}>${properties}\n      <skipped message="not applicable: ${first}"/>\n    </testcase>`;
      default:
        return `    <testcase ${attrs}>${properties}\n      <error type="${r.verdict}" message="${first}">${reason}</error>\n    </testcase>`;
    }
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="ims-interop" tests="${run.results.length}" failures="${c.fail}" errors="${c.error + c.inconclusive}" skipped="${c["not-applicable"]}" time="${(run.durationMs / 1000).toFixed(3)}">`,
    `  <testsuite name="${esc(`${run.profile.name}: ${run.sut}`)}" tests="${run.results.length}" failures="${c.fail}" errors="${c.error + c.inconclusive}" skipped="${c["not-applicable"]}">`,
    ...cases,
    "  </testsuite>",
    "</testsuites>",
    "",
  ].join("\n");
}

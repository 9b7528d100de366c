// JUnit XML for CI systems, from the verdicts: fail -> <failure>, error and inconclusive -> <error>
// (typed), not applicable -> <skipped> with the reason.
import type { RunResult } from "../runner/index.ts";

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");
}

export function junitXml(run: RunResult): string {
  const c = run.counts;
  const cases = run.results.map((r) => {
    const attrs = `classname="${esc(r.testCase.feature)}" name="${esc(`${r.testCase.id} ${r.testCase.name}`)}" time="${(r.durationMs / 1000).toFixed(3)}"`;
    const reason = esc(r.reason ?? "");
    const first = esc((r.reason ?? "").split("\n")[0] ?? "");
    switch (r.verdict) {
      case "pass":
        return `    <testcase ${attrs}/>`;
      case "fail":
        return `    <testcase ${attrs}>\n      <failure type="fail" message="${first}">${reason}</failure>\n    </testcase>`;
      case "not-applicable":
        return `    <testcase ${attrs}>\n      <skipped message="not applicable: ${first}"/>\n    </testcase>`;
      default:
        return `    <testcase ${attrs}>\n      <error type="${r.verdict}" message="${first}">${reason}</error>\n    </testcase>`;
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

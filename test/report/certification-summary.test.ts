// The exit code says who failed the gate (exitCodeOf: 1 the SUT, 3 the test bed or the harness),
// the same in run and merge; a profile's knownDeviations are listed in summary.json and junit.xml
// and change neither a verdict nor the gate.
import assert from "node:assert/strict";
import { mkdtemp, mkdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, test } from "node:test";
import { loadProfile } from "../../src/profile/index.ts";
import { type GateCase, cutAtWord, exitCodeOf, gate, gateOf, summaryJson } from "../../src/report/certification-summary.ts";
import { junitXml } from "../../src/report/junit.ts";
import { MergeInputError, mergeReports } from "../../src/report/merge-results.ts";
import type { RunResult, TestCaseResult, Verdict } from "../../src/runner/index.ts";
import type { TestCase } from "../../src/runner/test-case.ts";

const PROJECT = resolve(import.meta.dirname, "../..");
const KAMAILIO_ENV = { IMS_UE_A_PASSWORD: "a", IMS_UE_B_PASSWORD: "b", IMS_UE_C_PASSWORD: "c", IMS_UE_W_PASSWORD: "w", IMS_UE_V_PASSWORD: "v" };

function testCase(id: string, level: "mandatory" | "optional" = "mandatory"): TestCase {
  return { id, name: `test case ${id}`, feature: "Registration", uri: "features/x.feature", line: 1, level, references: ["TS24.229-5.1.1.2"], picsTags: [], severity: "critical", tags: [`@${id}`] };
}

function cases(...spec: Array<[string, Verdict, ("mandatory" | "optional")?]>): GateCase[] {
  return spec.map(([id, verdict, level]) => ({ id, verdict, level: level ?? "mandatory" }));
}

describe("exitCodeOf", () => {
  const code = (c: GateCase[], max?: number): number => {
    const options = max === undefined ? {} : { maxOptionalFailures: max };
    return exitCodeOf(c, gateOf(c, options), options);
  };

  test("0 when the gate passes, not applicable and optional failures within the threshold included", () => {
    assert.equal(code(cases(["A", "pass"], ["B", "not-applicable"], ["C", "fail", "optional"])), 0);
    assert.equal(code(cases(["A", "pass"], ["C", "error", "optional"]), 1), 0);
  });

  test("1 when an applicable mandatory test case is fail, whatever else errs", () => {
    assert.equal(code(cases(["A", "fail"])), 1);
    assert.equal(code(cases(["A", "fail"], ["B", "error"], ["C", "inconclusive"])), 1);
  });

  test("1 when the optional fails alone are over --max-optional-failures", () => {
    assert.equal(code(cases(["A", "pass"], ["O1", "fail", "optional"], ["O2", "fail", "optional"]), 1), 1);
  });

  test("3 when the gate fails without such a fail: errors, inconclusive verdicts, optional errors over the threshold", () => {
    assert.equal(code(cases(["A", "error"], ["B", "pass"])), 3);
    assert.equal(code(cases(["A", "inconclusive"])), 3);
    // Two optional test cases did not pass, one allowed; only one of them is the SUT's fail
    assert.equal(code(cases(["A", "pass"], ["O1", "fail", "optional"], ["O2", "error", "optional"]), 1), 3);
  });

  test("a run: every test case error (an unreachable SUT) is 3; an interrupted run's gate fails too", async () => {
    const profile = await loadProfile(join(PROJECT, "profiles/embedded.yaml"), {});
    const results: TestCaseResult[] = ["IMS-REG-001", "IMS-REG-002"].map((id) => ({ testCase: testCase(id), verdict: "error", reason: "the SUT is unreachable: no answer to OPTIONS", durationMs: 0 }));
    const run: RunResult = { profile, sut: "remote SUT", results, counts: { pass: 0, fail: 0, inconclusive: 0, "not-applicable": 0, error: 2 }, durationMs: 10 };
    assert.equal(exitCodeOf(run, gate(run)), 3);
    const interrupted = gate({ ...run, interrupted: "interrupted by SIGINT" });
    assert.equal(interrupted.passed, false);
    assert.match(interrupted.reasons[0], /^the run was interrupted by SIGINT/);
  });
});

test("cutAtWord: at a space before the limit with an ellipsis, never inside a word", () => {
  assert.equal(cutAtWord("short", 10), "short");
  assert.equal(cutAtWord("Requirement: response.to-tag: a response other than 100", 30), "Requirement: response.to-tag…");
  assert.equal(cutAtWord("one two three", 9), "one two…");
  assert.equal(cutAtWord("averyveryverylongword and more", 10), "averyveryverylongword…");
  assert.equal(cutAtWord("averyveryverylongword", 10), "averyveryverylongword");
  for (const max of [5, 12, 20, 33, 50]) {
    const cut = cutAtWord("the SUT is unreachable: no answer to OPTIONS from UDP 127.0.0.1:9 within 3000 ms", max);
    const kept = cut.replace(/…$/, "");
    assert.ok("the SUT is unreachable: no answer to OPTIONS from UDP 127.0.0.1:9 within 3000 ms".startsWith(kept));
    assert.match("the SUT is unreachable: no answer to OPTIONS from UDP 127.0.0.1:9 within 3000 ms".slice(kept.length), /^([\s,;:]|$)/, `cut inside a word: ${cut}`);
  }
});

/** A Kamailio-like run: the profile's knownDeviations on REG-007 (fail), REG-001 (not applicable), REG-008 (fail). */
async function kamailioRun(): Promise<RunResult> {
  const profile = await loadProfile(join(PROJECT, "profiles/kamailio.yaml"), KAMAILIO_ENV);
  const deviation = (id: string): { knownDeviation?: string } => (profile.knownDeviations[id] === undefined ? {} : { knownDeviation: profile.knownDeviations[id] });
  const results: TestCaseResult[] = [
    { testCase: testCase("IMS-REG-001"), verdict: "not-applicable", reason: 'PICS "aka" not claimed by the profile: aka=false', durationMs: 0, ...deviation("IMS-REG-001") },
    { testCase: testCase("IMS-REG-002"), verdict: "pass", durationMs: 120 },
    {
      testCase: testCase("IMS-REG-007"),
      verdict: "fail",
      reason: "Requirement: reginfo.version: the version of a reginfo document is one more than the previous one\nExpected: version 1",
      durationMs: 300,
      ...deviation("IMS-REG-007"),
    },
    {
      testCase: testCase("IMS-REG-008"),
      verdict: "fail",
      reason: "Requirement: reginfo.version: the version of a reginfo document is one more than the previous one",
      durationMs: 310,
      ...deviation("IMS-REG-008"),
    },
  ];
  return { profile, sut: "process SUT at UDP 127.0.0.1:25070", results, counts: { pass: 1, fail: 2, inconclusive: 0, "not-applicable": 1, error: 0 }, durationMs: 1000 };
}

describe("known deviations", () => {
  test("profiles/kamailio.yaml declares them, and a run carries them on its results", async () => {
    const run = await kamailioRun();
    assert.match(run.results[2].knownDeviation!, /^fail, a defect of Kamailio 5\.6/);
  });

  test("summary.json: per test case and a top-level list with the verdicts; the verdicts and the gate unchanged", async () => {
    const run = await kamailioRun();
    const g = gate(run);
    assert.equal(g.passed, false, "a declared deviation does not excuse a mandatory fail");
    assert.deepEqual(g.reasons, ["mandatory IMS-REG-007 is fail", "mandatory IMS-REG-008 is fail"]);
    assert.equal(exitCodeOf(run, g), 1);
    const summary = JSON.parse(summaryJson(run, g)) as {
      knownDeviations: Array<{ id: string; verdict: string; deviation: string }>;
      testCases: Array<{ id: string; verdict: string; knownDeviation?: string }>;
    };
    assert.deepEqual(
      summary.knownDeviations.map((d) => [d.id, d.verdict]),
      [
        ["IMS-REG-001", "not-applicable"],
        ["IMS-REG-007", "fail"],
        ["IMS-REG-008", "fail"],
      ],
    );
    assert.match(summary.knownDeviations[1].deviation, /reginfo\.version/);
    assert.equal(summary.testCases.find((t) => t.id === "IMS-REG-007")!.verdict, "fail");
    assert.match(summary.testCases.find((t) => t.id === "IMS-REG-007")!.knownDeviation!, /^fail, a defect of Kamailio 5\.6/);
    assert.equal(summary.testCases.find((t) => t.id === "IMS-REG-002")!.knownDeviation, undefined);
    // What compare reads to tell the runs of a product apart: its version and the run's date
    const dated = JSON.parse(summaryJson({ ...run, startedAt: "2026-12-07T03:00:00.000Z" }, g)) as { product: string; productVersion: string; date: string };
    assert.deepEqual([dated.product, dated.productVersion, dated.date], ["kamailio", "5.6", "2026-12-07T03:00:00.000Z"]);
  });

  test("junit.xml: a knownDeviation property, and the deviation at the end of the failure message", async () => {
    const xml = junitXml(await kamailioRun());
    const reg007 = /<testcase [^>]*name="IMS-REG-007[^"]*"[^>]*>([\s\S]*?)<\/testcase>/.exec(xml)![1];
    assert.match(reg007, /<property name="knownDeviation" value="fail, a defect of Kamailio 5\.6 \(presence_reginfo\/pua_reginfo/);
    assert.match(reg007, /<failure type="fail" message="Requirement: reginfo\.version: [^"]*\(known deviation: fail, a defect of Kamailio 5\.6[^"]*\)">/);
    assert.match(xml, /failures="2"/, "still counted as failures");
    assert.match(xml, /<testcase [^>]*name="IMS-REG-002[^"]*"[^>]*\/>/, "no property where nothing is declared");
  });
});

describe("mergeReports", () => {
  async function shard(base: string, name: string, testCases: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}): Promise<string> {
    const dir = join(base, name);
    await mkdir(join(dir, "allure-results"), { recursive: true });
    await writeFile(join(dir, "summary.json"), JSON.stringify({ sut: "s", profile: "p", counts: {}, gate: { passed: true, reasons: [] }, testCases, ...extra }));
    return dir;
  }

  test("the gate and the exit code recomputed by the rules of a run; deviations listed; interrupted shards named", async () => {
    const base = await mkdtemp(join(tmpdir(), "ims-interop-merge-"));
    const one = await shard(
      base,
      "one",
      [
        { id: "IMS-REG-001", verdict: "pass", level: "mandatory" },
        { id: "IMS-REG-007", verdict: "fail", level: "mandatory", knownDeviation: "Kamailio 5.6" },
      ],
      { date: "2026-12-01T09:05:00.000Z" },
    );
    const two = await shard(base, "two", [{ id: "IMS-REG-002", verdict: "error", level: "mandatory", notRun: true }], { interrupted: "interrupted by SIGTERM", date: "2026-12-01T09:00:00.000Z" });
    const m = await mergeReports([one, two], join(base, "into"));
    assert.equal(m.exitCode, 1);
    assert.deepEqual(m.gate.reasons, [`the run of ${two} was interrupted by SIGTERM`, "mandatory IMS-REG-002 is error", "mandatory IMS-REG-007 is fail"]);
    const merged = JSON.parse(await readFile(join(base, "into", "summary.json"), "utf8")) as { knownDeviations: unknown; interrupted: string; counts: Record<string, number> };
    assert.deepEqual(merged.knownDeviations, [{ id: "IMS-REG-007", verdict: "fail", deviation: "Kamailio 5.6" }]);
    assert.equal(merged.interrupted, "interrupted by SIGTERM");
    assert.deepEqual(merged.counts, { pass: 1, fail: 1, inconclusive: 0, "not-applicable": 0, error: 1 });
    assert.equal((merged as { date?: string }).date, "2026-12-01T09:00:00.000Z", "the date of the earliest shard");
    const errorsOnly = await mergeReports([two], join(base, "into2"));
    assert.equal(errorsOnly.exitCode, 3);
  });

  test("an input without summary.json is refused before anything is written", async () => {
    const base = await mkdtemp(join(tmpdir(), "ims-interop-merge-"));
    const one = await shard(base, "one", [{ id: "IMS-REG-001", verdict: "pass", level: "mandatory" }]);
    await assert.rejects(mergeReports([one, join(base, "missing")], join(base, "into")), (e: unknown) => e instanceof MergeInputError && /missing holds no summary\.json \(ENOENT\)/.test(e.message));
    await assert.rejects(readFile(join(base, "into", "summary.json")));
  });
});

// Issue 10, gap 4: what `run` prints carries an SUT's bytes (a reason phrase); no escape sequence of
// theirs reaches the terminal, each is shown as a visible escape. Issue 11: the live lines (a progress
// line on a terminal only), the compact summary (a reason never cut inside a word, a reason shared
// by every test case said once), the gate, and the profile's known deviations beside the verdict.
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { test } from "node:test";
import { LiveOutput, deviationNote, gateLines, notPassedLines, progressLine, summaryLines } from "../../src/cli/print-results.ts";
import { loadProfile } from "../../src/profile/index.ts";
import { gate, summaryTable } from "../../src/report/certification-summary.ts";
import type { RunResult, TestCaseResult } from "../../src/runner/index.ts";
import type { TestCase } from "../../src/runner/test-case.ts";

/** Nothing a terminal would interpret: C0 but TAB and LF, DEL, C1, bidi overrides and isolates. */
// eslint-disable-next-line no-control-regex -- the raw control characters that must not reach a terminal
const RAW = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

const TC: TestCase = {
  id: "IMS-REG-001",
  name: "Initial registration with IMS-AKA",
  feature: "Registration",
  uri: "features/registration/reg.feature",
  line: 3,
  level: "mandatory",
  references: [],
  picsTags: [],
  severity: "critical",
  tags: [],
};

// An SUT's reason phrase that sets the terminal's title, rings the bell, clears the screen (CSI as
// ESC [ and as the C1 byte 0x9b), hides the rest of a line behind a CR and reverses text (U+202E).
const REASON = "Expected: 200 (REGISTER)\nReceived: SIP/2.0 200 \x1b]0;pwned\x07OK\x1b[2J\x9b2J\r\u202eevil\nClause:   TS 24.229 5.1.1.2";
const failed: TestCaseResult = { testCase: TC, verdict: "fail", reason: REASON, durationMs: 1234 };

test("progressLine: the reason's ESC, BEL, CSI, CR and U+202E are shown as escapes, its lines kept", () => {
  const line = progressLine(failed);
  assert.doesNotMatch(line, RAW);
  assert.ok(line.includes("SIP/2.0 200 \\x1b]0;pwned\\x07OK\\x1b[2J\\x9b2J\\r\\u202eevil"), line);
  assert.deepEqual(line.split("\n").slice(1), ["      Expected: 200 (REGISTER)", "      Received: SIP/2.0 200 \\x1b]0;pwned\\x07OK\\x1b[2J\\x9b2J\\r\\u202eevil", "      Clause:   TS 24.229 5.1.1.2"]);
});

test("progressLine: a SIP message quoted with CRLF reads as lines; a test case name cannot carry controls or a line break", () => {
  const line = progressLine({ testCase: { ...TC, name: "Register\x1b[31m red\nfake line" }, verdict: "error", reason: "Received: SIP/2.0 500 Oops\r\nVia: x\r\n", durationMs: 0 });
  assert.doesNotMatch(line, RAW);
  assert.equal(line.split("\n")[0], "  ERROR  IMS-REG-001   Register\\x1b[31m red\\nfake line");
  assert.deepEqual(line.split("\n").slice(1, 3), ["      Received: SIP/2.0 500 Oops", "      Via: x"]);
});

test("progressLine: plain text is unchanged", () => {
  assert.equal(
    progressLine({ testCase: TC, verdict: "fail", reason: "Expected: 200\nReceived: 403 Forbidden", durationMs: 500 }),
    "  FAIL   IMS-REG-001   Initial registration with IMS-AKA (0.50 s)\n      Expected: 200\n      Received: 403 Forbidden",
  );
  assert.equal(progressLine({ testCase: TC, verdict: "pass", durationMs: 0 }), "  pass   IMS-REG-001   Initial registration with IMS-AKA");
});

test("summaryLines and summaryTable: the SUT, the profile name and the reasons are escaped", async () => {
  const profile = await loadProfile(resolve(import.meta.dirname, "../../profiles/embedded.yaml"), {});
  const run: RunResult = {
    profile: { ...profile, name: "lab\x1b]0;x\x07" },
    sut: "remote SUT at \x9b2J192.0.2.1",
    results: [failed, { testCase: { ...TC, id: "IMS-REG-002" }, verdict: "pass", durationMs: 10 }],
    counts: { pass: 1, fail: 1, inconclusive: 0, "not-applicable": 0, error: 0 },
    durationMs: 2000,
  };
  const lines = summaryLines(run).join("\n");
  assert.doesNotMatch(lines, RAW);
  assert.match(lines, /against remote SUT at \\x9b2J192\.0\.2\.1 \(profile lab\\x1b\]0;x\\x07\)/);
  const table = summaryTable({ ...run, results: [{ ...failed, reason: "SIP/2.0 200 \x1b]0;pwned\x07OK\r\nVia: x" }] });
  assert.doesNotMatch(table, RAW);
  assert.match(table, /IMS-REG-001 +mandatory +fail +1\.23 s +SIP\/2\.0 200 \\x1b\]0;pwned\\x07OK$/m);
});

/** A stream that keeps what is written, as a terminal or as a CI log. */
function stream(isTTY: boolean, columns = 100): { write: (t: string) => boolean; isTTY: boolean; columns: number; text: string } {
  const s = { isTTY, columns, text: "", write: (t: string): boolean => ((s.text += t), true) };
  return s;
}

const tc = (id: string, name = `name of ${id}`): TestCase => ({ ...TC, id, name });

test("LiveOutput on a terminal: a progress line rewritten in place while a test case runs, erased before its verdict line", () => {
  const out = stream(true, 60);
  const live = new LiveOutput(out, 25);
  live.start(tc("IMS-CALL-004", "Caller cancels before answer"));
  assert.equal(out.text, "\r\x1b[2K[1/25] running IMS-CALL-004 Caller cancels before answer");
  live.result({ testCase: tc("IMS-CALL-004", "Caller cancels before answer"), verdict: "pass", durationMs: 100 });
  assert.equal(out.text.slice("\r\x1b[2K[1/25] running IMS-CALL-004 Caller cancels before answer".length), "\r\x1b[2K  pass   IMS-CALL-004  Caller cancels before answer (0.10 s)\n");
  // Never wider than the terminal (a wrapped line cannot be rewritten)
  out.text = "";
  live.start(tc("IMS-CALL-005", "A name long enough to wrap a narrow terminal of sixty columns"));
  assert.ok(out.text.length - "\r\x1b[2K".length <= 59, out.text);
  live.clear();
  assert.ok(out.text.endsWith("\r\x1b[2K"));
});

test("LiveOutput in a CI log: no progress line, no control character; a test case that never started is left to the summary", () => {
  const out = stream(false);
  const live = new LiveOutput(out, 3);
  live.result({ testCase: tc("IMS-REG-001"), verdict: "not-applicable", reason: 'PICS "aka" not claimed', durationMs: 0 });
  live.start(tc("IMS-REG-002"));
  live.result({ testCase: tc("IMS-REG-002"), verdict: "error", reason: "the SUT is down: UDP 127.0.0.1:5060 stopped answering", durationMs: 3200 });
  live.start(tc("IMS-REG-003"));
  live.result({ testCase: tc("IMS-REG-003"), verdict: "error", reason: "the SUT is down: UDP 127.0.0.1:5060 stopped answering", durationMs: 1 });
  live.result({ testCase: tc("IMS-REG-004"), verdict: "error", reason: "not run: the run was interrupted by SIGINT before this test case started", durationMs: 0, notRun: true });
  assert.doesNotMatch(out.text, RAW);
  assert.equal(
    out.text,
    [
      "  n/a    IMS-REG-001   name of IMS-REG-001",
      '      PICS "aka" not claimed',
      "  ERROR  IMS-REG-002   name of IMS-REG-002 (3.20 s)",
      "      the SUT is down: UDP 127.0.0.1:5060 stopped answering",
      "  ERROR  IMS-REG-003   name of IMS-REG-003 (0.00 s), same reason as IMS-REG-002",
      "",
    ].join("\n"),
  );
});

async function runOf(results: TestCaseResult[], profileFile = "profiles/embedded.yaml", env: Record<string, string> = {}): Promise<RunResult> {
  const profile = await loadProfile(resolve(import.meta.dirname, "../..", profileFile), env);
  const counts = { pass: 0, fail: 0, inconclusive: 0, "not-applicable": 0, error: 0 };
  for (const r of results) counts[r.verdict]++;
  return { profile, sut: "SUT", results, counts, durationMs: 1000 };
}

test("notPassedLines: one line per test case that did not pass, the reason's first line cut at a word boundary", async () => {
  const long = "Requirement: response.to-tag: a response other than 100 (Trying) to a request without To tag carries a To tag";
  const run = await runOf([
    { testCase: tc("IMS-CALL-003"), verdict: "pass", durationMs: 1 },
    { testCase: tc("IMS-CALL-004"), verdict: "fail", reason: `${long}\nExpected: a To header with a tag parameter`, durationMs: 1 },
    { testCase: tc("IMS-REG-001"), verdict: "not-applicable", reason: "PICS", durationMs: 0 },
    { testCase: tc("IMS-REG-002"), verdict: "inconclusive", reason: "UE-B could not register", durationMs: 1 },
  ]);
  const lines = notPassedLines(run);
  assert.deepEqual(lines, ["  FAIL   IMS-CALL-004  Requirement: response.to-tag: a response other than 100 (Trying) to a request without To…", "  INCONC IMS-REG-002   UE-B could not register"]);
  const kept = lines[0].slice("  FAIL   IMS-CALL-004  ".length, -1);
  assert.ok(long.startsWith(kept) && long[kept.length] === " ", "cut before a space, never inside a word");
});

test("notPassedLines: the same error for every applicable test case (an unreachable SUT) is one line with the reason once", async () => {
  const reason = "the SUT is unreachable: no answer to OPTIONS from UDP 127.0.0.1:9 within 3000 ms (Received: nothing)";
  const errors = ["IMS-CALL-001", "IMS-CALL-002", "IMS-REG-002"].map((id): TestCaseResult => ({ testCase: tc(id), verdict: "error", reason, durationMs: 0 }));
  const all = await runOf([...errors, { testCase: tc("IMS-REG-001"), verdict: "not-applicable", reason: "PICS", durationMs: 0 }]);
  assert.deepEqual(notPassedLines(all), [`  ERROR  3 test cases: ${reason}`]);
  const some = await runOf([
    ...["IMS-CALL-001", "IMS-CALL-002"].map((id) => ({
      testCase: tc(id),
      verdict: "error" as const,
      reason: "not run: the run was interrupted by SIGINT before this test case started",
      durationMs: 0,
    })),
    { testCase: tc("IMS-REG-002"), verdict: "pass", durationMs: 1 },
  ]);
  assert.deepEqual(notPassedLines(some), ["  ERROR  2 test cases: not run: the run was interrupted by SIGINT before this test case started", "         IMS-CALL-001, IMS-CALL-002"]);
});

test("known deviations (profiles/kamailio.yaml): one line beside the verdict, live and in the summary; the verdict and the gate unchanged", async () => {
  const run0 = await runOf([], "profiles/kamailio.yaml", { IMS_UE_A_PASSWORD: "a", IMS_UE_B_PASSWORD: "b", IMS_UE_C_PASSWORD: "c", IMS_UE_W_PASSWORD: "w", IMS_UE_V_PASSWORD: "v" });
  const deviation = run0.profile.knownDeviations["IMS-REG-007"];
  assert.ok(deviation, "kamailio.yaml declares IMS-REG-007");
  const failed007: TestCaseResult = {
    testCase: tc("IMS-REG-007", "Subscription to the reg event package"),
    verdict: "fail",
    reason: "Requirement: reginfo.version: versions count up by one\nExpected: version 1",
    durationMs: 310,
    knownDeviation: deviation,
  };
  const first = progressLine(failed007).split("\n")[0];
  assert.equal(first, "  FAIL   IMS-REG-007   Subscription to the reg event package (0.31 s) (known deviation: fail, a defect of Kamailio 5.6…)");
  // Live, the deviation comes from the profile (the runner adds it to the results at the end)
  const out = stream(false);
  const live = new LiveOutput(out, 1, run0.profile.knownDeviations);
  live.start(failed007.testCase);
  live.result({ ...failed007, knownDeviation: undefined });
  assert.equal(out.text.split("\n")[0], first);
  const run = { ...run0, results: [failed007], counts: { ...run0.counts, fail: 1 } };
  assert.deepEqual(notPassedLines(run), ["  FAIL   IMS-REG-007   Requirement: reginfo.version: versions count up by one (known deviation: fail, a defect of Kamailio 5.6…)"]);
  assert.deepEqual(gateLines(gate(run)), ["gate: FAILED", "  mandatory IMS-REG-007 is fail"]);
  assert.equal(deviationNote("a\nb"), " (known deviation: a b)");
});

test("gateLines: reasons naming many test cases of one verdict fold into one line", () => {
  assert.deepEqual(gateLines({ passed: true, reasons: [] }), ["gate: passed (every applicable mandatory test case passed)"]);
  const ids = ["IMS-CALL-001", "IMS-CALL-002", "IMS-CALL-003", "IMS-REG-001", "IMS-REG-002"];
  assert.deepEqual(
    gateLines({ passed: false, reasons: ["the run was interrupted by SIGINT: 5 test case(s) did not run", ...ids.map((id) => `mandatory ${id} is error`), "mandatory IMS-REG-007 is fail"] }),
    [
      "gate: FAILED",
      "  the run was interrupted by SIGINT: 5 test case(s) did not run",
      "  5 mandatory test cases are error: IMS-CALL-001, IMS-CALL-002, IMS-CALL-003 and 2 more",
      "  mandatory IMS-REG-007 is fail",
    ],
  );
});

test("summaryTable (--verbose): the reason cut at a word boundary", async () => {
  const run = await runOf([
    { testCase: tc("IMS-CALL-004"), verdict: "fail", reason: "Requirement: response.to-tag: a response other than 100 (Trying) to a request without To tag carries a To tag", durationMs: 1 },
  ]);
  assert.match(summaryTable(run), /IMS-CALL-004 +mandatory +fail +0\.00 s +Requirement: response\.to-tag: a response other than 100 \(Trying\) to a request…$/m);
});

// Issue 10, gap 4: what `run` prints carries an SUT's bytes (a reason phrase); no escape sequence of
// theirs reaches the terminal, each is shown as a visible escape.
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { test } from "node:test";
import { progressLine, summaryLines } from "../../src/cli/print-results.ts";
import { loadProfile } from "../../src/profile/index.ts";
import { summaryTable } from "../../src/report/certification-summary.ts";
import type { RunResult, TestCaseResult } from "../../src/runner/index.ts";
import type { TestCase } from "../../src/runner/test-case.ts";

/** Nothing a terminal would interpret: C0 but TAB and LF, DEL, C1, bidi overrides and isolates. */
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

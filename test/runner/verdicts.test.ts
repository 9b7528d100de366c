// Verdict discipline, end to end through Cucumber with the suite's own World, hooks and step
// wrapper (test/fixtures/verdicts): fail only for the SUT's broken expectations and requirements;
// a harness bug, a failing hook and Cucumber's own timeout are error; a skipped step is not a pass.
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { test } from "node:test";
import { runSuite } from "../../src/runner/index.ts";

const PROJECT = resolve(import.meta.dirname, "../..");

test("each way a test case can end gets its verdict, with the reason", { timeout: 120000 }, async () => {
  const r = await runSuite({ profileFile: resolve(PROJECT, "test/fixtures/profiles/embedded-fast.yaml"), projectDir: resolve(PROJECT, "test/fixtures/verdicts") });
  const by = Object.fromEntries(r.results.map((x) => [x.testCase.id, x]));
  const verdicts = Object.fromEntries(r.results.map((x) => [x.testCase.id, x.verdict]));
  assert.deepEqual(
    verdicts,
    {
      "IMS-VRD-001": "pass",
      "IMS-VRD-002": "error",
      "IMS-VRD-003": "fail",
      "IMS-VRD-004": "inconclusive",
      "IMS-VRD-005": "error",
      "IMS-VRD-006": "error",
      "IMS-VRD-007": "fail",
      "IMS-VRD-008": "fail",
    },
    r.results.map((x) => `${x.testCase.id} ${x.verdict}: ${x.reason ?? ""}`).join("\n"),
  );
  assert.match(by["IMS-VRD-002"].reason!, /Cannot read properties of undefined/);
  assert.match(by["IMS-VRD-004"].reason!, /skipped/);
  assert.match(by["IMS-VRD-005"].reason!, /timed out/);
  assert.match(by["IMS-VRD-006"].reason!, /a Before hook of the harness broke/);
  // The requirement, its clause, expected and received as the peer sent it, and the call log
  assert.match(
    by["IMS-VRD-007"].reason!,
    /^Requirement: response\.call-id: .*\nExpected: Call-ID: right-call-id .*\nReceived: Call-ID: wrong-call-id in SIP\/2\.0 200 OK[\s\S]*Clause: {3}RFC 3261 8\.2\.6\.2[\s\S]*Call log:\n {2}\+0\.\d{3} s UE-A \(sip:alice@ims\.example\.test\) -> 127\.0\.0\.1:\d+: OPTIONS/,
  );
  assert.match(by["IMS-VRD-008"].reason!, /^Requirement: request\.expected: [\s\S]*MESSAGE sip:alice@127\.0\.0\.1/);
  // The requirements each test case checked come back from the worker
  assert.ok(by["IMS-VRD-007"].requirements?.some((q) => q.id === "response.call-id" && q.violated === 1));
});

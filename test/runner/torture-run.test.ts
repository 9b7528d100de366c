// IMS-ROB-001 against the embedded reference core (test/fixtures/profiles/embedded-fast.yaml): it
// passes with every RFC 4475 message treated as the RFC says; with hang-on-torture it fails naming
// the message after which the core went silent (a fail, not a test-bed error); with
// accept-invalid-torture it fails naming the first invalid message answered 200, and its section.
import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { describe, test } from "node:test";
import type { FaultName } from "../../src/profile/profile.ts";
import { runSuite, type TestCaseResult } from "../../src/runner/index.ts";

const PROJECT = resolve(import.meta.dirname, "../..");
const FAST = join(PROJECT, "test/fixtures/profiles/embedded-fast.yaml");

async function torture(faults: FaultName[] = []): Promise<TestCaseResult> {
  const r = await runSuite({ profileFile: FAST, projectDir: PROJECT, faults, tags: "@IMS-ROB-001" });
  assert.deepEqual(
    r.results.map((x) => x.testCase.id),
    ["IMS-ROB-001"],
  );
  return r.results[0];
}

describe("IMS-ROB-001 torture messages against the embedded core", () => {
  test("passes: each of the 49 messages answered as RFC 4475 expects, OPTIONS answered after each, well under 30 s", async () => {
    const r = await torture();
    assert.equal(r.verdict, "pass", r.reason);
    assert.ok(r.durationMs < 30000, `${r.durationMs} ms`);
  });

  test("hang-on-torture: fail, naming the message after which the core stopped answering", async () => {
    const r = await torture(["hang-on-torture"]);
    assert.equal(r.verdict, "fail", r.reason);
    assert.match(r.reason ?? "", /^Expected: the network answers OPTIONS after RFC 4475 3\.1\.2\.2 clerr \(Content Length Larger Than Message\)\n/);
    assert.match(r.reason ?? "", /Received: the SUT stopped answering after RFC 4475 3\.1\.2\.2 clerr: no answer to OPTIONS sip:ims\.example\.test within 1000 ms/);
    assert.doesNotMatch(r.reason ?? "", /\nTimeout: /);
  });

  test("accept-invalid-torture: fail, naming each invalid message answered 200 and its section", async () => {
    const r = await torture(["accept-invalid-torture"]);
    assert.equal(r.verdict, "fail", r.reason);
    const reason = r.reason ?? "";
    assert.match(reason, /^Expected: each of the 49 RFC 4475 messages treated as RFC 4475 says \(\d+ not\)\n/);
    assert.match(reason, /Received: RFC 4475 3\.1\.2\.1 badinv01 \(Extraneous Header Field Separators\): expected a final response 400; received 200 OK: 200 where RFC 4475 says 400\n/);
    assert.match(reason, /RFC 4475 3\.1\.2\.16 badvers \(Unknown Protocol Version\): expected a final response 505; received 200 OK/);
    assert.match(reason, /Clause: +RFC 4475 3\.1\.2\.1, /);
    // the valid messages are still processed: none of them is among the failures
    assert.doesNotMatch(reason, /RFC 4475 3\.1\.1\./);
  });
});

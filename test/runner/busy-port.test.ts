// A process target whose port another process holds (an orphan SUT from an interrupted run, a second
// run against the same profile): no test case is judged against the process that happens to answer.
// Every applicable test case is error, naming the port and its owner; none passes.
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { after, test } from "node:test";
import { runSuite } from "../../src/runner/index.ts";
import { liveProcessGroups } from "../../src/targets/index.ts";
import { pickFreePort } from "../support/sipp.ts";
import { shellProfile, RUN_RESPONDER } from "../targets/fixtures/process-profile.ts";
import { startResponder } from "../targets/fixtures/sip-responder.ts";

const PROJECT = resolve(import.meta.dirname, "../..");
const closers: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of closers) await c();
});

test("a busy port: every applicable test case is error naming the port's owner, none is judged against it", { timeout: 60_000 }, async () => {
  const port = await pickFreePort();
  // It answers every request with 200: the old pre-flight, and IMS-CALL-001, took it for the SUT
  const squatter = await startResponder({ host: "127.0.0.1", port });
  closers.push(() => squatter.close());
  const profile = shellProfile(port, `exec ${RUN_RESPONDER}`);
  const r = await runSuite({ profileFile: profile.file, profile, projectDir: PROJECT });
  const applicable = r.results.filter((x) => x.verdict !== "not-applicable");
  assert.ok(applicable.length > 0);
  for (const x of applicable) {
    assert.equal(x.verdict, "error", `${x.testCase.id}: ${x.reason}`);
    assert.match(x.reason!, new RegExp(`^port ${port} \\((UDP|TCP)\\) on 127\\.0\\.0\\.1 is in use by another process \\(pid ${process.pid} `));
  }
  assert.deepEqual(liveProcessGroups(), [], "the SUT program was not left running");
});

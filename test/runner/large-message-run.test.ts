// IMS-MSG-004 (large message over TCP, RFC 3261 18.1.1, TS 24.229 4.2A) against the embedded core:
// it passes as the core is, and the fault large-message-over-udp (the core forwards a large request
// to a contact registered over UDP over UDP anyway) fails it on request.congestion-controlled-transport.
import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { describe, test } from "node:test";
import type { FaultName } from "../../src/profile/profile.ts";
import { runSuite, type RunResult } from "../../src/runner/index.ts";

const PROJECT = resolve(import.meta.dirname, "../..");
const FAST = join(PROJECT, "test/fixtures/profiles/embedded-fast.yaml");

function run(faults: FaultName[] = []): Promise<RunResult> {
  return runSuite({ profileFile: FAST, projectDir: PROJECT, faults, tags: "@IMS-MSG-004" });
}

describe("IMS-MSG-004 against the embedded reference core", () => {
  test("passes: the MESSAGE goes over TCP both ways and its large requests were judged", async () => {
    const r = await run();
    assert.deepEqual(
      r.results.map((x) => [x.testCase.id, x.verdict, x.reason ?? ""]),
      [["IMS-MSG-004", "pass", ""]],
    );
    const checked = r.results[0]?.requirements?.find((q) => q.id === "request.congestion-controlled-transport");
    assert.ok(checked && checked.checked >= 1 && checked.violated === 0, `request.congestion-controlled-transport checked on the large MESSAGE UE-B received: ${JSON.stringify(checked)}`);
  });

  test("with fault large-message-over-udp it fails on request.congestion-controlled-transport, naming the size and UDP", async () => {
    const r = await run(["large-message-over-udp"]);
    const x = r.results.find((y) => y.testCase.id === "IMS-MSG-004");
    assert.equal(x?.verdict, "fail", x?.reason);
    const reason = x.reason ?? "";
    assert.match(reason, /request\.congestion-controlled-transport/);
    assert.match(reason, /RFC 3261 18\.1\.1; TS 24\.229 4\.2A/);
    assert.match(reason, /Received: MESSAGE sip:bob@127\.0\.0\.1:\d+ SIP\/2\.0: \d{4} bytes over UDP/);
    const violated = x.requirements?.find((q) => q.id === "request.congestion-controlled-transport");
    assert.equal(violated?.violated, 1);
  });
});

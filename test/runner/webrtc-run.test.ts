// The WebRTC test cases (features/webrtc) in Debian's Chromium against the embedded core with its
// WS and WSS listeners (test/fixtures/profiles/embedded-websocket.yaml): with no fault all pass; a
// fault of the core fails exactly the test cases it breaks, through the requirements layer judging
// what the browser received, or the flow's own expectation. No chromium: skipped, naming it (CI fails).
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, test } from "node:test";
import type { FaultName } from "../../src/profile/profile.ts";
import { type RunResult, runSuite } from "../../src/runner/index.ts";
import { DEFAULT_CHROMIUM } from "../../src/webrtc/index.ts";

const PROJECT = resolve(import.meta.dirname, "../..");
const PROFILE = join(PROJECT, "test/fixtures/profiles/embedded-websocket.yaml");
const TAGS = "@IMS-RTC-001 or @IMS-RTC-002 or @IMS-RTC-003";

function chromiumSkip(): string | false {
  if (existsSync(DEFAULT_CHROMIUM) || process.env["CI"]) return false;
  return `chromium (Debian package chromium) is not installed at ${DEFAULT_CHROMIUM}`;
}

const verdicts = (r: RunResult): Record<string, string> => Object.fromEntries(r.results.map((x) => [x.testCase.id, x.verdict]));
const reasonOf = (r: RunResult, id: string): string => r.results.find((x) => x.testCase.id === id)?.reason ?? "";

const EXPECTED: Record<string, { readonly verdicts: Record<string, string>; readonly symptoms: Record<string, RegExp> }> = {
  // The 200 to every REGISTER lacks Service-Route: judged on what the browser received (TS 24.229 5.4.1.2.2)
  "no-service-route": {
    verdicts: { "IMS-RTC-001": "fail", "IMS-RTC-002": "fail", "IMS-RTC-003": "fail" },
    symptoms: { "IMS-RTC-001": /^example 1 of 2: Requirement: register-2xx\.service-route: [\s\S]*Received: Service-Route: absent in SIP\/2\.0 200 OK/ },
  },
  // RFC 7118 5: requests for a WebSocket client sent to its .invalid Contact, not down its connection
  "ignore-ws-flow": {
    verdicts: { "IMS-RTC-001": "pass", "IMS-RTC-002": "fail", "IMS-RTC-003": "fail" },
    symptoms: {
      "IMS-RTC-002": /^Requirement: bye\.answered: [\s\S]*503/,
      "IMS-RTC-003": /^Expected: an INVITE for UE-V's browser\nReceived: UE-W's call was answered 503 by the network instead/,
    },
  },
};

describe("the WebRTC test cases in Chromium against the embedded core", { skip: chromiumSkip() }, () => {
  test("with no fault, the three pass: a browser registers over WS and WSS, calls an IMS UE, and two browsers talk", { timeout: 120_000 }, async () => {
    const r = await runSuite({ profileFile: PROFILE, projectDir: PROJECT, tags: TAGS });
    assert.deepEqual(verdicts(r), { "IMS-RTC-001": "pass", "IMS-RTC-002": "pass", "IMS-RTC-003": "pass" }, r.results.map((x) => `${x.testCase.id}: ${x.reason ?? ""}`).join("\n"));
    // What the browser received was judged as any UE's messages are
    const checked = (r.results.find((x) => x.testCase.id === "IMS-RTC-001")?.requirements ?? []).map((q) => q.id);
    assert.ok(checked.includes("register-2xx.service-route") && checked.includes("response.cseq"), checked.join(", "));
  });

  for (const [fault, expected] of Object.entries(EXPECTED)) {
    test(`with fault ${fault}, exactly the expected WebRTC test cases fail`, { timeout: 120_000 }, async () => {
      const r = await runSuite({ profileFile: PROFILE, projectDir: PROJECT, tags: TAGS, faults: [fault as FaultName] });
      assert.deepEqual(verdicts(r), expected.verdicts, r.results.map((x) => `${x.testCase.id}: ${x.reason ?? ""}`).join("\n"));
      for (const [id, symptom] of Object.entries(expected.symptoms)) assert.match(reasonOf(r, id), symptom, `${id}: ${reasonOf(r, id)}`);
    });
  }
});

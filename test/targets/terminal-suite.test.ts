// The terminal suite against third-party UEs from Debian's packages: baresip 1.0.0 and Linphone's
// linphonec 5.1, each started as a process target for every test case (profiles/baresip.yaml,
// profiles/linphone.yaml), with the harness playing the network. Every test case has an expected
// verdict; every one that is not pass is explained in the profile's knownDeviations, naming the
// requirement the softphone breaks.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { test } from "node:test";
import { type RunResult, runSuite } from "../../src/runner/index.ts";
import { liveProcessGroups } from "../../src/targets/index.ts";

const PROJECT = resolve(import.meta.dirname, "../..");
const PASSWORDS = { IMS_UE_SUT_PASSWORD: "ue-Secret-4711", IMS_UE_B_PASSWORD: "bob-Secret-0815" };

/** For node:test `{ skip }`: skip when the program is missing, except under CI, where the test runs and fails. */
function missing(command: string, versionArgs: string[], pkg: string): string | false {
  const r = spawnSync(command, versionArgs, { stdio: "ignore", timeout: 10_000 });
  if (r.error === undefined || process.env["CI"]) return false;
  return `${command} (Debian package ${pkg}) is not installed`;
}

/** Both softphones register without Supported: path and without the initial Authorization: each test case fails on that REGISTER. */
const REGISTER_FINDINGS = ["ue-register.authorization", "ue-register.supported-path"];

async function run(profile: string): Promise<RunResult> {
  Object.assign(process.env, PASSWORDS);
  try {
    return await runSuite({ profileFile: resolve(PROJECT, profile), projectDir: PROJECT });
  } finally {
    for (const k of Object.keys(PASSWORDS)) delete process.env[k];
  }
}

function expectVerdicts(r: RunResult, expected: Record<string, string>): void {
  const got = Object.fromEntries(r.results.map((x) => [x.testCase.id, x.verdict]));
  assert.deepEqual(got, expected, r.results.map((x) => `${x.testCase.id} ${x.verdict}: ${x.reason ?? ""}`).join("\n"));
  for (const x of r.results) {
    if (x.verdict === "pass") continue;
    // Every verdict that is not pass is explained in the profile, for the engineer reading the report
    assert.ok(r.profile.knownDeviations[x.testCase.id], `${r.profile.file} explains ${x.testCase.id}`);
    if (x.verdict !== "fail") continue;
    // ... and a fail is the UE's REGISTER breaking exactly these requirements, found by the network side
    const violated = (x.requirements ?? []).filter((q) => q.violated > 0).map((q) => q.id);
    assert.deepEqual(violated, REGISTER_FINDINGS, `${x.testCase.id}: ${x.reason ?? ""}`);
  }
  // Each test case switched the UE on and off: no process of it is left
  assert.deepEqual(liveProcessGroups(), [], "every UE process group stopped");
}

/** What a SIP softphone gets: every test case it can take part in fails at its first REGISTER; AKA, the reg event and preconditions are not claimed. */
const SOFTPHONE: Record<string, string> = {
  "IMS-UE-001": "fail",
  "IMS-UE-002": "not-applicable",
  "IMS-UE-003": "fail",
  "IMS-UE-004": "fail",
  "IMS-UE-005": "fail",
  "IMS-UE-006": "not-applicable",
  "IMS-UE-007": "fail",
  "IMS-UE-008": "fail",
  "IMS-UE-009": "fail",
  "IMS-UE-010": "not-applicable",
  "IMS-UE-011": "not-applicable",
};

test("baresip 1.0.0 as the UE under test gets the expected verdict for every terminal test case", { skip: missing("baresip", ["-h"], "baresip-core"), timeout: 180_000 }, async () => {
  const r = await run("profiles/baresip.yaml");
  expectVerdicts(r, SOFTPHONE);
  assert.match(r.sut, /^a process UE at 127\.0\.0\.1:25092, against the harness's network at UDP 127\.0\.0\.1:25090$/);
});

test("linphonec 5.1 as the UE under test gets the expected verdict for every terminal test case", { skip: missing("linphonec", ["--version"], "linphone-cli"), timeout: 180_000 }, async () => {
  const r = await run("profiles/linphone.yaml");
  // linphonec claims 100rel: IMS-UE-010 applies, and fails at the same REGISTER
  expectVerdicts(r, { ...SOFTPHONE, "IMS-UE-010": "fail" });
});

// The suite against a real third-party core: Kamailio 5.6 from Debian's packages, started as a local
// process by the process target of profiles/kamailio.yaml. Every test case has an expected verdict;
// the ones that are not pass are explained in the profile's knownDeviations.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { test } from "node:test";
import { type RunResult, runSuite } from "../../src/runner/index.ts";
import { kamailioSkip, KAMAILIO_PASSWORDS } from "../support/kamailio.ts";

const PROJECT = resolve(import.meta.dirname, "../..");
const PASSWORDS = KAMAILIO_PASSWORDS;

const EXPECTED_NOT_PASS: Record<string, string> = {
  "IMS-REG-001": "not-applicable",
  "IMS-REG-009": "not-applicable",
  "IMS-REG-010": "not-applicable",
  // RFC 4028: the configuration loads no session timer module (sst); the profile does not claim session-timer
  "IMS-CALL-015": "not-applicable",
  // Kamailio 5.6's reginfo documents all carry version="0" (RFC 3680 5.1): requirement reginfo.version
  "IMS-REG-007": "fail",
  "IMS-REG-008": "fail",
  // IMS-RTC-001..003 pass: the configuration loads the websocket module (WS and WSS), the profiles claim websocket
  // No SMSC (TS 24.341) and no security agreement (RFC 3329): the profiles claim neither
  "IMS-MSG-002": "not-applicable",
  "IMS-REG-012": "not-applicable",
  // RFC 4475: INVITEs of unregistered callers relayed without P-Asserted-Identity, invalid requests dropped without 400
  "IMS-ROB-001": "fail",
  // IMS-MSG-004 passes: udp_mtu=1300 and udp_mtu_try_proto=TCP make Kamailio relay large requests over TCP (RFC 3261 18.1.1)
};

test("the suite against Kamailio (process target) gives the expected verdict for every test case", { skip: kamailioSkip(), timeout: 300000 }, async () => {
  const r = await expectKamailioVerdicts("profiles/kamailio.yaml");
  assert.equal(r.results.length, 37);
  // Every expected deviation is explained in the profile, for the engineer reading the report
  for (const id of Object.keys(EXPECTED_NOT_PASS)) assert.ok(r.profile.knownDeviations[id], `profiles/kamailio.yaml explains ${id}`);
});

test("the suite against Kamailio on two parallel workers gives the same verdicts: each worker uses its own subscribers", { skip: kamailioSkip(), timeout: 300000 }, async () => {
  const r = await expectKamailioVerdicts("profiles/kamailio.yaml", 2);
  assert.equal(r.results.length, 37);
});

function dockerSkip(): string | false {
  if (spawnSync("docker", ["info"], { stdio: "ignore", timeout: 20000 }).status === 0) return false;
  if (process.env["CI"]) throw new Error("a Docker engine (Debian package docker.io, started) is not available, and CI must not skip this test");
  return "a Docker engine (Debian package docker.io, started) is not available";
}

test("the suite against Kamailio in a container (testcontainers) gives the same verdicts as the process", { skip: dockerSkip(), timeout: 300000 }, async () => {
  const r = await expectKamailioVerdicts("profiles/kamailio-container.yaml");
  assert.match(r.sut, /container ims-interop-\d+-\d+-[0-9a-f]+ \(image ims-interop\/kamailio-ims/);
});

/** Runs the suite against a Kamailio profile with the subscribers' passwords set; the verdicts must be EXPECTED_NOT_PASS. */
async function expectKamailioVerdicts(profile: string, parallel = 0): Promise<RunResult> {
  Object.assign(process.env, PASSWORDS);
  try {
    const r = await runSuite({ profileFile: join(profile), projectDir: PROJECT, parallel });
    const notPass = Object.fromEntries(r.results.filter((x) => x.verdict !== "pass").map((x) => [x.testCase.id, x.verdict]));
    assert.deepEqual(
      notPass,
      EXPECTED_NOT_PASS,
      r.results
        .filter((x) => x.verdict !== "pass")
        .map((x) => `${x.testCase.id}: ${x.reason}`)
        .join("\n"),
    );
    return r;
  } finally {
    for (const k of Object.keys(PASSWORDS)) delete process.env[k];
  }
}

function join(p: string): string {
  return resolve(PROJECT, p);
}

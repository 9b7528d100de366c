// The terminal suite (features/terminal) against the self-test UE: with no fault every applicable
// test case passes; with each fault of the self-test UE exactly the test cases of the table fail, for
// the requirement the fault breaks. This proves each terminal test case can fail, and for the right reason.
import assert from "node:assert/strict";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, test } from "node:test";
import type { UeFaultName } from "../../src/profile/profile.ts";
import { type RunResult, runSuite } from "../../src/runner/index.ts";

const PROJECT = resolve(import.meta.dirname, "../..");
const SELF_TEST = join(PROJECT, "profiles/self-test-ue.yaml");
const SELF_TEST_AKA = join(PROJECT, "profiles/self-test-ue-aka.yaml");

const verdicts = (r: RunResult): Record<string, string> => Object.fromEntries(r.results.map((x) => [x.testCase.id, x.verdict]));
const notPassing = (r: RunResult): Record<string, string> => Object.fromEntries(r.results.filter((x) => x.verdict !== "pass").map((x) => [x.testCase.id, x.verdict]));

const UE_CASES = ["IMS-UE-001", "IMS-UE-002", "IMS-UE-003", "IMS-UE-004", "IMS-UE-005", "IMS-UE-006", "IMS-UE-007", "IMS-UE-008", "IMS-UE-009", "IMS-UE-010", "IMS-UE-011"];
/** The Digest self-test UE: IMS-UE-002 (AKA) is not applicable; it runs with the AKA profile. */
const DIGEST_ONLY = { "IMS-UE-002": "not-applicable" };
const fails = (ids: string[]): Record<string, string> => Object.fromEntries(ids.map((id) => [id, "fail"]));
/** Every test case registers the UE (and its registration subscribes to the reg event). */
const REGISTERING = UE_CASES.filter((id) => id !== "IMS-UE-002");

/** Per fault: the test cases that must not pass (beside DIGEST_ONLY), and the requirement or expectation that says why. */
const EXPECTED: Record<UeFaultName, { readonly cases: string[]; readonly symptom: RegExp }> = {
  // TS 24.229 5.1.1.2.1: every REGISTER fails the requirement, so every test case that registers fails
  "no-initial-authorization": { cases: REGISTERING, symptom: /^Requirement: ue-register\.authorization: [\s\S]*Received: Authorization: absent in REGISTER/ },
  // TS 24.229 5.1.2A.1.1: the reg event SUBSCRIBE after each registration is the first initial request without the Service-Route
  "ignore-service-route": { cases: REGISTERING, symptom: /^Requirement: ue-request\.route: [\s\S]*Received: Route: absent in SUBSCRIBE/ },
  // TS 24.229 5.1.1.4.1: no re-registration before the 10 s granted run out
  "no-refresh": { cases: ["IMS-UE-003"], symptom: /^Expected: a REGISTER refreshing the registration before the granted 10 s run out/ },
  // TS 24.229 5.1.1.7: the INVITE after the network terminated the registration
  "use-deregistered-registration": { cases: ["IMS-UE-006"], symptom: /^Requirement: ue-request\.registered: [\s\S]*Received: INVITE sip:bob@ims\.example\.test SIP\/2\.0 after NOTIFY/ },
  // RFC 3261 13.3.1.4: the 2xx retransmitted after the ACK
  "no-ack-handling": { cases: ["IMS-UE-007"], symptom: /^Requirement: ue-invite\.2xx-after-ack: [\s\S]*Received: SIP\/2\.0 200 OK/ },
  // RFC 3262 3: the 180 (IMS-UE-010) and the 183 with preconditions (IMS-UE-011) sent unreliably although the INVITE required 100rel
  "unreliable-provisional": { cases: ["IMS-UE-010", "IMS-UE-011"], symptom: /^Expected: 18[03] with Require: 100rel and an RSeq/ },
};

describe("the terminal suite against the self-test UE", () => {
  test("with no fault, every applicable test case passes (Digest, and IMS-AKA for IMS-UE-002)", async () => {
    const r = await runSuite({ profileFile: SELF_TEST, projectDir: PROJECT });
    assert.deepEqual(
      r.results.map((x) => x.testCase.id),
      UE_CASES,
      "a terminal profile runs the terminal suite only",
    );
    assert.deepEqual(notPassing(r), DIGEST_ONLY);
    // Every test case judged what the UE sent the network against the requirements that bind a UE
    for (const x of r.results.filter((y) => y.verdict === "pass"))
      assert.ok(
        (x.requirements ?? []).some((q) => q.id === "ue-register.supported-path" && q.checked > 0),
        `${x.testCase.id} checked ue-register.supported-path`,
      );
    const aka = await runSuite({ profileFile: SELF_TEST_AKA, projectDir: PROJECT, tags: "@IMS-UE-001 or @IMS-UE-002" });
    assert.deepEqual(verdicts(aka), { "IMS-UE-001": "not-applicable", "IMS-UE-002": "pass" });
  });

  for (const [fault, expected] of Object.entries(EXPECTED) as [UeFaultName, (typeof EXPECTED)[UeFaultName]][]) {
    test(`with fault ${fault}, exactly ${expected.cases.length === 1 ? expected.cases[0] : `${expected.cases.length} test cases`} fail`, async () => {
      const r = await runSuite({ profileFile: SELF_TEST, projectDir: PROJECT, faults: [fault] });
      assert.deepEqual(notPassing(r), { ...DIGEST_ONLY, ...fails(expected.cases) });
      for (const id of expected.cases) {
        const reason = r.results.find((x) => x.testCase.id === id)?.reason ?? "";
        assert.match(reason, expected.symptom, `${id}: ${reason}`);
      }
    });
  }
});

test("a network profile never runs the terminal suite, and a terminal profile never the network one", async () => {
  const r = await runSuite({ profileFile: join(PROJECT, "test/fixtures/profiles/embedded-fast.yaml"), projectDir: PROJECT, tags: "@IMS-UE-001 or @IMS-REG-002" });
  assert.deepEqual(verdicts(r), { "IMS-REG-002": "pass" });
  const t = await runSuite({ profileFile: SELF_TEST, projectDir: PROJECT, tags: "@IMS-UE-001 or @IMS-REG-002" });
  assert.deepEqual(verdicts(t), { "IMS-UE-001": "pass" });
});

test("the ladder of a terminal test case names the UE under test, the harness's network and the simulated peer", async () => {
  const dir = await mkdtemp(join(tmpdir(), "terminal-ladder-"));
  try {
    const r = await runSuite({ profileFile: SELF_TEST, projectDir: PROJECT, tags: "@IMS-UE-004", allureResultsDir: dir });
    assert.deepEqual(verdicts(r), { "IMS-UE-004": "pass" });
    const svgs = (await readdir(dir)).filter((f) => f.endsWith(".svg"));
    assert.equal(svgs.length, 1, "one SIP ladder.svg");
    const svg = await readFile(join(dir, svgs[0]), "utf8");
    const columns = [...svg.matchAll(/class="participant-(?:name|identity)"[^>]*>([^<]*)</g)].map((m) => m[1]);
    assert.deepEqual(columns, ["UE under test", "sip:ue@ims.example.test", "network", "the harness: P-CSCF, S-CSCF", "UE-B", "sip:bob@ims.example.test"]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

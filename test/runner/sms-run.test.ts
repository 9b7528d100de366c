// IMS-MSG-002 (SMS over IP, TS 24.341) against the embedded reference core through runSuite: it
// passes with no fault, and each SMS fault makes it fail with the symptom and the clause an engineer
// looks for. The fast fixture profile is used with PICS sms-over-ip claimed and the SMSC's public
// service identity named (ixit.sms.smsc), as profiles/embedded.yaml does.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, describe, test } from "node:test";
import type { FaultName } from "../../src/profile/profile.ts";
import { type RunResult, runSuite } from "../../src/runner/index.ts";

const PROJECT = resolve(import.meta.dirname, "../..");
const FAST = join(PROJECT, "test/fixtures/profiles/embedded-fast.yaml");

/** The fast fixture, claiming sms-over-ip and naming the SMSC (whether or not the fixture already does). */
function smsProfile(): string {
  const dir = mkdtempSync(join(tmpdir(), "sms-run-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let text = readFileSync(FAST, "utf8").replace(/^(\s*)sms-over-ip:\s*false/m, "$1sms-over-ip: true");
  if (!/^\s{2}sms:/m.test(text)) text = text.replace(/^(\s*unknownImpi:.*)$/m, "$1\n  sms: { smsc: sip:smsc@ims.example.test }");
  const file = join(dir, "embedded-sms.yaml");
  writeFileSync(file, text);
  return file;
}

const PROFILE = smsProfile();

async function run(faults: FaultName[] = []): Promise<RunResult> {
  return runSuite({ profileFile: PROFILE, projectDir: PROJECT, faults, tags: "@IMS-MSG-002" });
}

/** Each fault: IMS-MSG-002 fails, and its reason names the symptom and the clause. */
const SYMPTOM: Partial<Record<FaultName, RegExp>> = {
  "sms-200-instead-of-202":
    /^example 1 of 2: Requirement: sms\.accepted-202: [\s\S]*Expected: 202 Accepted for the MESSAGE with RP-DATA ms-to-network \(RP-MR \d+, SMS-SUBMIT\)\nReceived: SIP\/2\.0 200 OK[\s\S]*Clause: {3}TS 24\.341 5\.3\.3/,
  "sms-rp-error":
    /^example 1 of 2: Expected: RP-ACK \(network to MS\) with RP-MR (\d+): the SC accepted the short message\nReceived: RP-ERROR network-to-ms \(RP-MR \1, cause 38 Network out of order\)\nClause: {3}TS 24\.341 5\.3\.1\.2, TS 24\.011 7\.3\.3/,
  "sms-corrupt-tpdu":
    /^example 1 of 2: Requirement: sms\.tpdu: [\s\S]*Received: SMS-DELIVER: TP-UDL \d+ septets needs \d+ octets of TP-UD, \d+ present \(TS 23\.040 9\.2\.3\.16\)[\s\S]*received by UE-B[\s\S]*Clause: {3}TS 23\.040 9\.2\.2\.1, 9\.2\.3\.16/,
};

describe("IMS-MSG-002 against the embedded reference core", () => {
  test("passes with no fault, both examples (GSM 7-bit and UCS2), checking every sms.* requirement", async () => {
    const r = await run();
    assert.deepEqual(
      r.results.map((x) => [x.testCase.id, x.verdict, x.reason ?? ""]),
      [["IMS-MSG-002", "pass", ""]],
    );
    const checked = new Map((r.results[0]?.requirements ?? []).map((q) => [q.id, q.checked]));
    for (const id of ["sms.accepted-202", "sms.rp-message", "sms.tpdu", "sms.report-reference"]) assert.ok((checked.get(id) ?? 0) > 0, `${id} checked`);
    // Two examples: two submissions and two delivery reports answered 202, four RP messages received by the UEs
    assert.equal(checked.get("sms.accepted-202"), 4);
    assert.equal(checked.get("sms.rp-message"), 4);
  });
  for (const [fault, symptom] of Object.entries(SYMPTOM) as [FaultName, RegExp][])
    test(`fails with ${fault}, naming the symptom and the clause`, async () => {
      const r = await run([fault]);
      const x = r.results.find((y) => y.testCase.id === "IMS-MSG-002");
      assert.equal(x?.verdict, "fail", `${fault}: ${x?.reason ?? "no result"}`);
      assert.match(x.reason ?? "", symptom, `its reason was:\n${x.reason ?? ""}`);
    });
});

// The conformance suite against the embedded reference core: with no fault every applicable test
// case passes; with each fault exactly the test cases of the table fail (or turn inconclusive where
// the fault breaks a precondition), and every other one still passes. This is what proves that the
// suite can fail, and fails for the right reason.
import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { describe, test } from "node:test";
import type { FaultName } from "../../src/profile/profile.ts";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { exercisedBy, renderRequirementsDoc } from "../../src/report/requirements-doc.ts";
import { runSuite, type RunResult } from "../../src/runner/index.ts";

const PROJECT = resolve(import.meta.dirname, "../..");
const FAST = join(PROJECT, "test/fixtures/profiles/embedded-fast.yaml");

/**
 * FAST with T1 = 20 ms, for the faults whose test cases wait out 64*T1 one after the other (1.3 s
 * each instead of 3.2 s): the verdicts are the same, the file's run is a minute shorter.
 */
async function faster(): Promise<string> {
  const text = (await readFile(FAST, "utf8")).replace(/timers: \{ t1: 50, t2: 400, t4: 500 \}/, "timers: { t1: 20, t2: 160, t4: 200 }");
  assert.match(text, /t1: 20,/);
  const dir = await mkdtemp(join(tmpdir(), "ims-interop-faster-"));
  const file = join(dir, "embedded-faster.yaml");
  await writeFile(file, text);
  return file;
}
/** The faults whose test cases end in timeouts (no answer, or answers that are no SIP). */
const WAITING_FAULTS: ReadonlySet<FaultName> = new Set(["silent-after-401", "garbage-to-message"]);

async function run(faults: FaultName[] = [], profileFile = FAST, tags?: string): Promise<RunResult> {
  return runSuite({ profileFile, projectDir: PROJECT, faults, ...(tags ? { tags } : {}) });
}

/**
 * The test cases that did not pass, but for the WebRTC ones, which this profile does not claim
 * (PICS websocket): they run with the browser against test/fixtures/profiles/embedded-websocket.yaml
 * (test/runner/webrtc-run.test.ts), and are listed here as not applicable.
 */
function notPassing(r: RunResult): Record<string, string> {
  const out = Object.fromEntries(r.results.filter((x) => x.verdict !== "pass").map((x) => [x.testCase.id, x.verdict]));
  // (a terminal profile's run has none of them)
  for (const id of WEBRTC.filter((x) => r.results.some((y) => y.testCase.id === x))) {
    assert.equal(out[id], "not-applicable", `${id} without PICS websocket`);
    delete out[id];
  }
  return out;
}

const ALL = [
  "IMS-CALL-001",
  "IMS-CALL-002",
  "IMS-CALL-003",
  "IMS-CALL-004",
  "IMS-CALL-005",
  "IMS-CALL-006",
  "IMS-CALL-007",
  "IMS-CALL-008",
  "IMS-CALL-009",
  "IMS-CALL-010",
  "IMS-CALL-011",
  "IMS-CALL-012",
  "IMS-CALL-013",
  "IMS-CALL-014",
  "IMS-CALL-015",
  "IMS-MSG-001",
  "IMS-MSG-002",
  "IMS-MSG-003",
  "IMS-MSG-004",
  "IMS-REG-001",
  "IMS-REG-002",
  "IMS-REG-003",
  "IMS-REG-004",
  "IMS-REG-005",
  "IMS-REG-006",
  "IMS-REG-007",
  "IMS-REG-008",
  "IMS-REG-009",
  "IMS-REG-010",
  "IMS-REG-011",
  "IMS-REG-012",
  "IMS-ROB-001",
  "IMS-ROB-002",
  "IMS-ROB-003",
  "IMS-RTC-001",
  "IMS-RTC-002",
  "IMS-RTC-003",
];
const WEBRTC = ALL.filter((id) => id.startsWith("IMS-RTC-"));

const CALLS = ALL.filter((id) => id.startsWith("IMS-CALL-"));
const f = (ids: string[]): Record<string, string> => Object.fromEntries(ids.map((id) => [id, "fail"]));
const i = (ids: string[]): Record<string, string> => Object.fromEntries(ids.map((id) => [id, "inconclusive"]));
/** Registration broken outright: the REG test cases fail, every test case that registers first is inconclusive. */
const REGISTRATION_BROKEN = {
  ...i([
    ...CALLS,
    "IMS-MSG-001",
    "IMS-MSG-002",
    "IMS-MSG-003",
    "IMS-MSG-004",
    "IMS-REG-003",
    "IMS-REG-005",
    "IMS-REG-006",
    "IMS-REG-007",
    "IMS-REG-008",
    "IMS-REG-009",
    "IMS-ROB-001",
    "IMS-ROB-002",
    "IMS-ROB-003",
  ]),
  ...f(["IMS-REG-001", "IMS-REG-002", "IMS-REG-010", "IMS-REG-011", "IMS-REG-012"]),
};

/** Every test case but REG-004 registers a UE: a defect in every 2xx to REGISTER fails them all. */
const REGISTERING = ALL.filter((id) => id !== "IMS-REG-004" && !WEBRTC.includes(id));
/** After keep-bindings-on-deregister: the test cases whose preamble finds the leftover bindings of an earlier one. */
const PREAMBLE_FINDS_LEFTOVERS = REGISTERING.filter((id) => !["IMS-CALL-001", "IMS-REG-001", "IMS-REG-002", "IMS-REG-010", "IMS-REG-011", "IMS-REG-012"].includes(id));

/**
 * Fault -> the test cases that must not pass, with their verdict; all others must pass. Since every
 * received message is judged against the requirements, a fault fails every test case whose
 * messages carry it, not only the one whose steps look at it.
 */
const EXPECTED: Record<FaultName, Record<string, string>> = {
  "no-service-route": f(REGISTERING),
  "wrong-p-associated-uri": f(REGISTERING),
  "drop-first-notify": f(["IMS-REG-007", "IMS-REG-008"]),
  "no-100rel": f(["IMS-CALL-002", "IMS-CALL-003", "IMS-CALL-011"]),
  // Every test case that receives a relayed response to INVITE, MESSAGE or BYE: CALL-008 and MSG-001
  // only looked at the status before the requirements layer judged every response
  "cseq-mismatch-in-response": f([
    "IMS-CALL-001",
    "IMS-CALL-002",
    "IMS-CALL-003",
    "IMS-CALL-004",
    "IMS-CALL-005",
    "IMS-CALL-006",
    "IMS-CALL-008",
    "IMS-CALL-009",
    "IMS-CALL-010",
    "IMS-CALL-011",
    "IMS-CALL-012",
    "IMS-CALL-013",
    "IMS-CALL-014",
    "IMS-CALL-015",
    "IMS-MSG-001",
    "IMS-MSG-004",
    "IMS-ROB-002",
  ]),
  "silent-after-401": REGISTRATION_BROKEN,
  "stale-nonce-loop": REGISTRATION_BROKEN,
  "500-on-invite": { ...f(CALLS.filter((c) => c !== "IMS-CALL-008")), ...i(["IMS-CALL-008"]), ...f(["IMS-REG-006"]) },
  "strip-record-route": f(["IMS-CALL-001"]),
  // (the SMSC answers IMS-MSG-002's MESSAGEs itself: the fault garbles only routed ones)
  "garbage-to-message": f(["IMS-MSG-001", "IMS-MSG-003", "IMS-MSG-004", "IMS-REG-003", "IMS-ROB-002"]),
  "wrong-call-id-in-register-200": f(REGISTERING),
  "superstring-p-asserted-identity": f(["IMS-CALL-001", "IMS-CALL-012", "IMS-MSG-001"]),
  // The postamble of the first test case finds the binding kept (fail there); later preambles find it
  // left (inconclusive, naming that test case); REG test cases register a new UE without preamble
  "keep-bindings-on-deregister": { ...f(["IMS-CALL-001", "IMS-REG-001", "IMS-REG-002", "IMS-REG-010", "IMS-REG-011", "IMS-REG-012"]), ...i(PREAMBLE_FINDS_LEFTOVERS) },
  "reginfo-version-stuck": f(["IMS-REG-007", "IMS-REG-008"]),
  "no-to-tag-on-cancel-200": f(["IMS-CALL-004"]),
  // Only IMS-CALL-015 asks for a session timer: the caller's 200 comes without the interval
  "strip-session-expires": f(["IMS-CALL-015"]),
  // The caller's address in every offer the callee gets points nowhere: UE-B -> UE-A is lost in early
  // media (CALL-010), in the call (CALL-013) and after the resume (CALL-009); DTMF goes the other way (CALL-014 passes)
  "one-way-audio": f(["IMS-CALL-009", "IMS-CALL-010", "IMS-CALL-013"]),
  // Only CALL-014 looks at telephone-event; the others' answers follow the stripped offer
  "strip-telephone-event": f(["IMS-CALL-014"]),
  // Only CALL-009 re-INVITEs with sendonly
  "wrong-hold-direction": f(["IMS-CALL-009"]),
  // Only CALL-010 sends early media
  "strip-p-early-media": f(["IMS-CALL-010"]),
  // Only requests to a client registered over WebSocket go astray, and embedded.yaml claims no
  // PICS websocket yet: no test case of this run reaches the fault (the IMS-RTC test cases will)
  "ignore-ws-flow": {},
  // Interconnect faults act only on requests to another network of an interop run: a run with one
  // network has none (test/runner/run-interop.test.ts shows the pairs and cases each breaks)
  "drop-pai-at-boundary": {},
  "lose-record-route-across": {},
  "reject-foreign-domain": {},
  // Only IMS-ROB-001 sends RFC 4475's messages
  "hang-on-torture": f(["IMS-ROB-001"]),
  "accept-invalid-torture": f(["IMS-ROB-001"]),
  // Only IMS-MSG-002 submits an SMS
  "sms-200-instead-of-202": f(["IMS-MSG-002"]),
  "sms-rp-error": f(["IMS-MSG-002"]),
  "sms-corrupt-tpdu": f(["IMS-MSG-002"]),
  // Only IMS-MSG-004 sends a request over 1300 bytes
  "large-message-over-udp": f(["IMS-MSG-004"]),
  // UE-A (AKA) offers sec-agree in every REGISTER (the profile claims it): every test case in which
  // it registers fails on the 401; REG-002 and ROB-001 register only Digest UEs
  "no-security-server": f(REGISTERING.filter((id) => !["IMS-REG-002", "IMS-ROB-001"].includes(id))),
};

/** A phrase each fault's first failure message must contain: the symptom an engineer looks for (none for a fault no test case of this run reaches). */
const SYMPTOM: Partial<Record<FaultName, [string, RegExp]>> = {
  "no-service-route": ["IMS-REG-001", /^Requirement: register-2xx\.service-route: /],
  "wrong-p-associated-uri": ["IMS-REG-002", /^Requirement: register-2xx\.p-associated-uri: [\s\S]*Received: P-Associated-URI: <sip:someone-else@ims\.example\.test>/],
  "drop-first-notify": ["IMS-REG-007", /NOTIFY with Content-Type: application\/reginfo\+xml[\s\S]*Timeout/],
  "no-100rel": ["IMS-CALL-003", /Require: 100rel and an RSeq/],
  "cseq-mismatch-in-response": [
    "IMS-MSG-001",
    /^Requirement: response\.cseq: [\s\S]*Expected: CSeq: 1 MESSAGE[\s\S]*Received: CSeq: 2 MESSAGE in SIP\/2\.0 200 OK[\s\S]*Clause: {3}RFC 3261 8\.2\.6\.2/,
  ],
  "silent-after-401": ["IMS-REG-002", /final response to REGISTER[\s\S]*Timeout: +1\.3 s \((64\*T1 = 1280 ms, Timer F|the step's budget of 64\*T1 = 1280 ms)\)/],
  "stale-nonce-loop": ["IMS-REG-002", /401 -> 401 -> 401 -> 401/],
  "500-on-invite": ["IMS-CALL-001", /500 Server Internal Error/],
  "strip-record-route": ["IMS-CALL-001", /Record-Route/],
  "garbage-to-message": ["IMS-MSG-003", /Received: unparsable message \(line 1, offset 0\): Status-Code "2OO" is not three digits/],
  "wrong-call-id-in-register-200": ["IMS-REG-002", /^Requirement: response\.call-id: [\s\S]*Received: Call-ID: wrong-/],
  "superstring-p-asserted-identity": ["IMS-MSG-001", /P-Asserted-Identity: <sip:alice@ims\.example\.test\.invalid>/],
  "keep-bindings-on-deregister": ["IMS-CALL-002", /^preamble: UE-A's public identity sip:alice@ims\.example\.test already has bindings [\s\S]*left by IMS-CALL-001/],
  "reginfo-version-stuck": ["IMS-REG-007", /^Requirement: reginfo\.version: [\s\S]*Clause: {3}RFC 3680/],
  "no-to-tag-on-cancel-200": ["IMS-CALL-004", /^Requirement: response\.to-tag: [\s\S]*in SIP\/2\.0 200 OK[\s\S]*CSeq: 1 CANCEL/],
  "strip-session-expires": ["IMS-CALL-015", /^Expected: Session-Expires: 2;refresher=uac as UE-B sent it in its 200\nReceived: SIP\/2\.0 200 OK [\s\S]*Clause: {3}RFC 4028 8\.2/],
  "one-way-audio": ["IMS-CALL-013", /^Expected: media UE-B -> UE-A: 50 RTP packets [\s\S]*Received: 0 RTP packets/],
  "strip-telephone-event": ["IMS-CALL-014", /^Expected: an SDP offer with a=rtpmap:<pt> telephone-event\/8000/],
  "strip-p-early-media": ["IMS-CALL-010", /^Expected: P-Early-Media: sendrecv \(or sendonly\) on the 183[\s\S]*Clause: {3}RFC 5009 8/],
  "wrong-hold-direction": ["IMS-CALL-009", /^Requirement: sdp-answer\.direction: [\s\S]*Expected: stream 1 offered sendonly: answered recvonly or inactive\nReceived: a=sendrecv/],
  "hang-on-torture": ["IMS-ROB-001", /Received: the SUT stopped answering after RFC 4475 3\.1\.2\.2 clerr: no answer to OPTIONS/],
  "accept-invalid-torture": ["IMS-ROB-001", /RFC 4475 3\.1\.2\.1 badinv01 \(Extraneous Header Field Separators\): expected a final response 400; received 200 OK/],
  "sms-200-instead-of-202": ["IMS-MSG-002", /^(example \d of 2: )?Requirement: sms\.accepted-202: [\s\S]*Received: SIP\/2\.0 200 OK/],
  "sms-rp-error": ["IMS-MSG-002", /RP-ERROR[\s\S]*cause 38/],
  "sms-corrupt-tpdu": ["IMS-MSG-002", /Requirement: sms\.tpdu: [\s\S]*TS 23\.040 9\.2\.3\.16/],
  "large-message-over-udp": ["IMS-MSG-004", /^Requirement: request\.congestion-controlled-transport: [\s\S]*\d{4} bytes over UDP/],
  "no-security-server": ["IMS-REG-012", /Requirement: register-401\.security-server: [\s\S]*Received: Security-Server: absent in SIP\/2\.0 401 Unauthorized/],
};

describe("the suite against the embedded reference core", () => {
  test("with no fault, every applicable test case passes, and docs/requirements.md says what it exercised", async () => {
    const r = await run();
    assert.deepEqual(notPassing(r), {});
    assert.deepEqual(
      r.results.map((x) => x.testCase.id),
      ALL,
    );
    // Every test case that ran judged the messages it received against the catalogue
    for (const x of r.results.filter((y) => !WEBRTC.includes(y.testCase.id)))
      assert.ok(
        (x.requirements ?? []).some((q) => q.id === "response.cseq" && q.checked > 0),
        `${x.testCase.id} checked response.cseq`,
      );
    // The requirements that bind a UE are exercised by the terminal suite against the self-test UE
    const terminal = await run([], join(PROJECT, "profiles/self-test-ue.yaml"));
    assert.deepEqual(
      Object.values(notPassing(terminal)).filter((v) => v !== "not-applicable"),
      [],
    );
    const doc = await readFile(join(PROJECT, "docs/requirements.md"), "utf8");
    assert.equal(doc, renderRequirementsDoc(exercisedBy(r, terminal)), "docs/requirements.md is out of date: run npm run requirements-doc");
  });

  for (const [fault, expected] of Object.entries(EXPECTED) as [FaultName, Record<string, string>][]) {
    test(`with fault ${fault}, exactly the expected test cases do not pass`, async () => {
      const r = await run([fault], WAITING_FAULTS.has(fault) ? await faster() : FAST);
      assert.deepEqual(notPassing(r), expected);
      if (!SYMPTOM[fault]) return;
      const [id, symptom] = SYMPTOM[fault];
      const reason = r.results.find((x) => x.testCase.id === id)?.reason ?? "";
      assert.match(reason, symptom, `${id} under ${fault} should name the symptom; its message was:\n${reason}`);
    });
  }
});

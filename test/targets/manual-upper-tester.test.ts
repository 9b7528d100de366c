// A manual (MMI) session against a remote UE: the console tells the operator what to do and the test
// case waits for the effect on the network. Here the "handset" is a UE of the driver that this test,
// playing the operator, makes act when it reads each OPERATOR line; an operator who does nothing
// leaves the test case inconclusive once the operator's time has run out.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { type RunResult, runSuite } from "../../src/runner/index.ts";
import { ImsUe } from "../../src/sip/ue/index.ts";

const PROJECT = resolve(import.meta.dirname, "../..");
const PASSWORDS = { IMS_UE_SUT_PASSWORD: "handset-Secret-1", IMS_UE_B_PASSWORD: "bob-Secret-2" };
const PCSCF_PORT = 25110;

const PROFILE = `
name: A handset in a lab (manual)
vendor: test
product: handset
version: "1"
target: { kind: remote }
terminal:
  upperTester:
    kind: manual
    operatorTimeoutMs: 3000
    actions:
      register: switch the IMS account on
      deregister: switch the IMS account off
ixit:
  domain: ims.example.test
  pcscf: { host: 127.0.0.1, port: ${PCSCF_PORT} }
  transports: [udp]
  timers: { t1: 50, t2: 400, t4: 500 }
  unregisteredImpu: sip:nobody-here@ims.example.test
  unknownImpi: nobody@ims.example.test
  subscribers:
    - role: UE-SUT
      impi: handset@ims.example.test
      impus: [sip:handset@ims.example.test]
      auth: { kind: digest, passwordEnv: IMS_UE_SUT_PASSWORD }
    - role: UE-B
      impi: bob@ims.example.test
      impus: [sip:bob@ims.example.test]
      auth: { kind: digest, passwordEnv: IMS_UE_B_PASSWORD }
pics: { digest: true }
`;

/** Runs IMS-UE-005 with the OPERATOR lines of stderr handed to `operator` (and kept). */
async function session(operator: (instruction: string) => void): Promise<{ run: RunResult; lines: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), "manual-"));
  const file = join(dir, "handset.yaml");
  await writeFile(file, PROFILE);
  const lines: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    for (const line of text.split("\n").filter((l) => l.startsWith("OPERATOR: "))) {
      lines.push(line);
      operator(line.slice("OPERATOR: ".length));
    }
    return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
  };
  Object.assign(process.env, PASSWORDS);
  try {
    return { run: await runSuite({ profileFile: file, projectDir: PROJECT, tags: "@IMS-UE-005" }), lines };
  } finally {
    process.stderr.write = write;
    for (const k of Object.keys(PASSWORDS)) delete process.env[k];
    await rm(dir, { recursive: true, force: true });
  }
}

test("a manual session: the operator is told each action, and the device's REGISTERs are judged as any UE's", { timeout: 60_000 }, async () => {
  const handset = await ImsUe.start({
    name: "handset",
    impi: "handset@ims.example.test",
    impu: "sip:handset@ims.example.test",
    domain: "ims.example.test",
    credentials: { kind: "digest", password: PASSWORDS.IMS_UE_SUT_PASSWORD },
    pcscf: { protocol: "udp", host: "127.0.0.1", port: PCSCF_PORT },
    protocol: "udp",
  });
  const done: Promise<unknown>[] = [];
  try {
    const { run, lines } = await session((instruction) => {
      // The operator reads the instruction, then acts on the device a moment later
      const act = instruction.startsWith("switch the IMS account on") ? () => handset.register({ expires: 600000 }) : () => handset.deregister();
      done.push(new Promise((r) => setTimeout(r, 200)).then(act));
    });
    await Promise.all(done);
    assert.deepEqual(
      run.results.map((r) => [r.testCase.id, r.verdict, r.reason ?? ""]),
      [["IMS-UE-005", "pass", ""]],
    );
    assert.deepEqual(lines, ["OPERATOR: switch the IMS account on (within 3 s)", "OPERATOR: switch the IMS account off (within 3 s)"]);
    // The network judged the handset's REGISTERs against the requirements that bind a UE
    const checked = (run.results[0].requirements ?? []).map((q) => q.id);
    assert.ok(checked.includes("ue-register.supported-path") && checked.includes("ue-register.authorization"), checked.join(", "));
  } finally {
    await handset.close();
  }
});

test("a manual session whose operator does nothing ends within the operator's time plus 64*T1, inconclusive", { timeout: 60_000 }, async () => {
  const { run, lines } = await session(() => undefined);
  assert.equal(run.results[0].verdict, "inconclusive");
  // The wait ended at the step's budget, which gives the operator's time on top of 64*T1
  assert.match(
    run.results[0].reason ?? "",
    /^precondition: the UE under test did not register: Expected: a 2xx from the network to a REGISTER of the UE under test \(sip:handset@ims\.example\.test\)\nReceived: nothing\nTimeout: +[\d.]+ s \(the step's budget of 64\*T1 \+ the operator's 3000 ms = 6200 ms\)/,
  );
  assert.deepEqual(lines, ["OPERATOR: switch the IMS account on (within 3 s)"]);
});

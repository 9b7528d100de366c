// A SUT that answers the pre-flight OPTIONS and then goes silent: the first test case that times
// out probes it, finds nothing there, and ends with the error verdict naming the address and when
// it went silent; every later test case ends at once with the same error. Nothing is a fail.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";

const PROJECT = resolve(import.meta.dirname, "../..");

/** Answers the first OPTIONS with 200 (the runner's pre-flight), then never answers anything. */
async function silentAfterPreflight(): Promise<{ port: number; close: () => void }> {
  const s = createSocket("udp4");
  let answered = false;
  s.on("message", (msg, rinfo) => {
    const text = msg.toString("utf8");
    if (answered || !text.startsWith("OPTIONS ")) return;
    answered = true;
    const keep = text.split("\r\n").filter((l) => /^(via|from|to|call-id|cseq):/i.test(l));
    s.send(Buffer.from(["SIP/2.0 200 OK", ...keep.map((l) => (/^to:/i.test(l) ? `${l};tag=silent` : l)), "Content-Length: 0", "", ""].join("\r\n")), rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => s.bind(0, "127.0.0.1", () => r()));
  return { port: s.address().port, close: () => s.close() };
}

test("a SUT silent after the pre-flight: one test case times out, the probe finds it silent, every test case is error", async () => {
  const dir = await mkdtemp(join(tmpdir(), "ims-interop-silent-"));
  const sut = await silentAfterPreflight();
  try {
    const text = (await readFile(join(PROJECT, "test/fixtures/profiles/embedded-fast.yaml"), "utf8"))
      .replace(/\n {2}kind: embedded[^\n]*\n {2}faults: \[\][^\n]*/, "\n  kind: remote")
      .replace(/(\n\s*domain: [^\n]*)/, `$1\n  pcscf: { host: 127.0.0.1, port: ${sut.port} }`);
    const profileFile = join(dir, "silent.yaml");
    await writeFile(profileFile, text);
    const env = { ...process.env, IMS_UE_A_K: "465b5ce8b199b49faa5f0a2ee238a6bc", IMS_UE_A_OPC: "cd63cb71954a9f4e48a5994e37a02baf", IMS_UE_B_PASSWORD: "b-secret", IMS_UE_C_PASSWORD: "c-secret" };
    const child = spawn(process.execPath, [join(PROJECT, "bin/ims-interop.mjs"), "run", "--profile", profileFile, "--reports", dir], { cwd: PROJECT, env });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const status = await new Promise<number | null>((r) => child.on("close", r));
    // Exit 3: the gate failed on the test bed, not on a fail of the SUT
    assert.equal(status, 3, out);
    assert.match(out, /0 pass, 0 fail, 0 inconclusive, 3 not applicable, 34 error/);
    const summary = JSON.parse(await readFile(join(dir, "summary.json"), "utf8")) as { testCases: Array<{ id: string; verdict: string; reason: string }> };
    const where = `UDP 127\\.0\\.0\\.1:${sut.port} stopped answering`;
    // The three WebRTC test cases are not applicable (no websocket claimed); every other one is the error
    const ran = summary.testCases.filter((tc) => tc.verdict !== "not-applicable");
    for (const tc of ran) assert.match(tc.reason, new RegExp(where), `${tc.id}: ${tc.reason}`);
    // Exactly one test case waited for its timeout; the others ended at once, told by the marker
    // (an outline's reason names its example first: "example 1 of 2: the SUT is down ...")
    const timedOut = ran.filter((tc) => !tc.reason.replace(/^example \d+ of \d+: /, "").startsWith("the SUT is down"));
    assert.equal(timedOut.length, 1, summary.testCases.map((tc) => `${tc.id}: ${tc.reason}`).join("\n"));
  } finally {
    sut.close();
  }
});

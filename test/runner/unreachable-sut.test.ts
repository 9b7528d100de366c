// A remote SUT that is down: the pre-flight OPTIONS finds it once, within seconds, every applicable
// test case gets the error verdict naming the address tried, and the summary is still written.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createSocket } from "node:dgram";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";

const PROJECT = resolve(import.meta.dirname, "../..");

/** A UDP port with nothing listening on it: bound, read, closed. */
async function deadPort(): Promise<number> {
  const s = createSocket("udp4");
  await new Promise<void>((r) => s.bind(0, "127.0.0.1", () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

test("an unreachable remote SUT gives every applicable test case the error verdict with the address", async () => {
  const dir = await mkdtemp(join(tmpdir(), "ims-interop-down-"));
  const port = await deadPort();
  const text = (await readFile(join(PROJECT, "profiles/embedded.yaml"), "utf8"))
    .replace(/\n {2}kind: embedded[^\n]*\n {2}faults: \[\][^\n]*/, "\n  kind: remote")
    .replace(/(\n\s*domain: [^\n]*)/, `$1\n  pcscf: { host: 127.0.0.1, port: ${port} }`);
  const profileFile = join(dir, "down.yaml");
  await writeFile(profileFile, text);
  const env = {
    ...process.env,
    IMS_UE_A_K: "465b5ce8b199b49faa5f0a2ee238a6bc",
    IMS_UE_A_OPC: "cd63cb71954a9f4e48a5994e37a02baf",
    IMS_UE_B_PASSWORD: "b-secret",
    IMS_UE_C_PASSWORD: "c-secret",
    IMS_UE_W_PASSWORD: "w-secret",
    IMS_UE_V_PASSWORD: "v-secret",
  };
  const started = Date.now();
  const r = spawnSync(process.execPath, [join(PROJECT, "bin/ims-interop.mjs"), "run", "--profile", profileFile, "--reports", dir], { cwd: PROJECT, env, encoding: "utf8", timeout: 120000 });
  const seconds = (Date.now() - started) / 1000;
  // Exit 3: the gate failed on the test bed, not on a fail of the SUT
  assert.equal(r.status, 3, r.stdout + r.stderr);
  assert.match(r.stdout, /0 pass, 0 fail, 0 inconclusive, 3 not applicable, 34 error/);
  assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/, "no stack trace");
  // One pre-flight, not one 64*T1 timeout per test case (25 * 32 s); a generous bound for a noisy machine
  assert.ok(seconds < 60, `the run took ${seconds} s`);
  const summary = JSON.parse(await readFile(join(dir, "summary.json"), "utf8")) as { testCases: Array<{ verdict: string; reason: string }> };
  // The three WebRTC test cases are not applicable (embedded.yaml does not claim websocket); every other one is the error
  assert.equal(summary.testCases.length, 37);
  for (const tc of summary.testCases.filter((t) => t.verdict !== "not-applicable")) {
    assert.equal(tc.verdict, "error");
    assert.match(tc.reason, new RegExp(`no answer to OPTIONS from UDP 127\\.0\\.0\\.1:${port} within 3000 ms`));
  }
});

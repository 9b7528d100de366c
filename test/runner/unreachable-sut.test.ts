// A remote SUT that is down: the pre-flight OPTIONS finds it once, within seconds, and every
// applicable test case gets the error verdict naming the address tried; the results are written.
import assert from "node:assert/strict";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { createSocket } from "node:dgram";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { runSuite } from "../../src/runner/index.ts";

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
    .replace(/kind: embedded[^\n]*\n\s*faults: \[\][^\n]*/, "kind: remote")
    .replace(/(\n\s*domain: [^\n]*)/, `$1\n  pcscf: { host: 127.0.0.1, port: ${port} }`);
  const profileFile = join(dir, "down.yaml");
  await writeFile(profileFile, text);
  const env = { IMS_UE_A_K: "465b5ce8b199b49faa5f0a2ee238a6bc", IMS_UE_A_OPC: "cd63cb71954a9f4e48a5994e37a02baf", IMS_UE_B_PASSWORD: "b-secret", IMS_UE_C_PASSWORD: "c-secret" };
  Object.assign(process.env, env);
  try {
    const started = Date.now();
    const r = await runSuite({ profileFile, projectDir: PROJECT, reportsDir: dir });
    const seconds = (Date.now() - started) / 1000;
    assert.equal(r.counts.error, r.results.length);
    for (const x of r.results) assert.match(x.reason ?? "", new RegExp(`no answer to OPTIONS from UDP 127\\.0\\.0\\.1:${port} within 3000 ms`));
    // One pre-flight, not one 64*T1 timeout per test case (25 * 32 s); generous bound for a noisy machine
    assert.ok(seconds < 60, `the run took ${seconds} s`);
    const written = JSON.parse(await readFile(join(dir, "results.json"), "utf8")) as { counts: { error: number } };
    assert.equal(written.counts.error, r.results.length);
  } finally {
    for (const k of Object.keys(env)) delete process.env[k];
  }
});

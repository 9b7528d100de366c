// The SUT's container is stopped in the middle of a run: the test case running then ends with the
// error verdict naming the container, the later ones end at once with error, the run ends, the
// summary is written, and `docker ps -a` shows nothing left behind.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";

const PROJECT = resolve(import.meta.dirname, "../..");
const ENV = { IMS_UE_A_PASSWORD: "alice-c-1", IMS_UE_B_PASSWORD: "bob-c-2", IMS_UE_C_PASSWORD: "carol-c-3", IMS_UE_W_PASSWORD: "walter-c-4", IMS_UE_V_PASSWORD: "victor-c-5" };

function skip(): string | false {
  if (spawnSync("docker", ["info"], { stdio: "ignore", timeout: 20000 }).status === 0) return false;
  if (process.env["CI"]) throw new Error("a Docker engine (Debian package docker.io, started) is not available, and CI must not skip this test");
  return "a Docker engine (Debian package docker.io, started) is not available";
}

function ours(label: string): string[] {
  const r = spawnSync("docker", ["ps", "-a", "-q", "--filter", `label=${label}`], { encoding: "utf8" });
  return r.stdout.split("\n").filter((l) => l.trim());
}

test("a container stopped mid-run: error verdict, the run ends, the report is written, nothing left", { skip: skip(), timeout: 240000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), "ims-interop-down-"));
  // Slow timers so that the running test case is still waiting when the container goes
  const profile = join(dir, "kamailio-container.yaml");
  const text = (await readFile(join(PROJECT, "profiles/kamailio-container.yaml"), "utf8"))
    .replace(/build: kamailio-ims/, `build: ${join(PROJECT, "docker/kamailio-ims")}`)
    .replace(/port: 25060/, "port: 25062")
    .replace(/port: 25081/, "port: 25082")
    .replace(/port: 25444/, "port: 25445");
  await writeFile(profile, text);
  const child = spawn(process.execPath, [join(PROJECT, "bin/ims-interop.mjs"), "run", "--profile", profile, "--reports", dir], { cwd: PROJECT, env: { ...process.env, ...ENV } });
  let out = "";
  child.stdout.on("data", (b: Buffer) => (out += b.toString()));
  child.stderr.on("data", (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  // Wait until some test cases have passed, then stop the SUT's container
  const label = `org.ims-interop.run=${child.pid}`;
  for (let i = 0; i < 600 && !/pass +IMS-CALL-00[3-9]/.test(out); i++) await new Promise((r) => setTimeout(r, 100));
  const running = ours(label);
  assert.equal(running.length, 1, `one container of this run is up:\n${out}`);
  spawnSync("docker", ["stop", "-t", "0", running[0]], { stdio: "ignore" });
  const code = await exited;
  assert.equal(code, 3, out); // the test bed failed, not the SUT
  const summary = JSON.parse(await readFile(join(dir, "summary.json"), "utf8")) as { testCases: Array<{ id: string; verdict: string; reason?: string }> };
  const errors = summary.testCases.filter((t) => t.verdict === "error");
  assert.ok(errors.length >= 1, `at least the running test case has the error verdict:\n${out}`);
  for (const e of errors) assert.match(e.reason ?? "", /the SUT (container|is down).*(stopped|exit)/i);
  assert.equal(summary.testCases.filter((t) => t.verdict === "fail").length, 0, "nothing is blamed on the SUT after it went down");
  assert.equal(ours(label).length, 0, "docker ps -a shows nothing left");
});

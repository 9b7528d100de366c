// A terminal in a container as the SUT: the suite runs against profiles/baresip-container.yaml
// (baresip 1.0.0 built from docker/baresip-ue, host network), the harness playing the network and
// switching the UE on per test case by starting a container, driven through baresip's cons console
// over TCP. The verdicts are those of the same baresip run as a process (profiles/baresip.yaml), and
// no container of this process is left afterwards. Without an engine the test skips (under CI it fails).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createSocket } from "node:dgram";
import { resolve } from "node:path";
import { test } from "node:test";
import { loadProfile } from "../../src/profile/index.ts";
import type { Profile, TargetConfig } from "../../src/profile/profile.ts";
import { runSuite } from "../../src/runner/index.ts";
import { CONTAINER_RUN_LABEL, ContainerTarget, containerEnvironment } from "../../src/targets/container-target.ts";
import { TargetUnavailableError } from "../../src/targets/target.ts";
import { pickFreePort } from "../support/sipp.ts";

const PROJECT = resolve(import.meta.dirname, "../..");
const PROFILE = resolve(PROJECT, "profiles/baresip-container.yaml");
const PASSWORDS = { IMS_UE_SUT_PASSWORD: "ue-container-1", IMS_UE_B_PASSWORD: "bob-container-2" };

/** baresip 1.0.0 sends no Supported: path and no Authorization on its first REGISTER (docker/baresip-ue/README.md, finding a), in a container as in a process. */
const EXPECTED: Record<string, string> = { "IMS-UE-001": "fail", "IMS-UE-009": "fail" };

function dockerSkip(): string | false {
  if (spawnSync("docker", ["info"], { stdio: "ignore", timeout: 20000 }).status === 0) return false;
  if (process.env["CI"]) throw new Error("a Docker engine (Debian package docker.io, started) is not available, and CI must not skip this test");
  return "a Docker engine (Debian package docker.io, started) is not available";
}

function docker(...args: string[]): string {
  const r = spawnSync("docker", args, { encoding: "utf8", timeout: 30000 });
  if (r.status !== 0) throw new Error(`docker ${args.join(" ")} failed: ${r.stderr}`);
  return r.stdout.trim();
}

/** The containers of this process (runSuite runs here), running or not. */
function ourContainers(): string[] {
  const out = docker("ps", "--all", "--filter", `label=${CONTAINER_RUN_LABEL}=${process.pid}`, "--format", "{{.Names}}");
  return out ? out.split("\n") : [];
}

/** The container profile with its own free ports and `target` fields replaced. */
async function baresipProfile(target: Partial<Extract<TargetConfig, { kind: "container" }>> = {}): Promise<Profile> {
  const p = await loadProfile(PROFILE, { ...process.env, ...PASSWORDS });
  assert.equal(p.target.kind, "container");
  return {
    ...p,
    target: { ...p.target, ...target } as TargetConfig,
    ixit: { ...p.ixit, pcscf: { host: "127.0.0.1", port: await pickFreePort() } },
    terminal: { ...p.terminal, address: { host: "127.0.0.1", port: await pickFreePort() } },
  };
}

test("a UE's container gets the harness's network as SIP_HOST/SIP_PORT, its own address as UE_SIP_HOST/UE_SIP_PORT, the env and the secrets", async () => {
  const p = await loadProfile(PROFILE, { ...process.env, ...PASSWORDS });
  assert.deepEqual(containerEnvironment(p), {
    SIP_HOST: "127.0.0.1",
    SIP_PORT: "25100",
    SIP_DOMAIN: "ims.example.test",
    UE_SIP_HOST: "127.0.0.1",
    UE_SIP_PORT: "25102",
    CTRL_PORT: "25104",
    UE_REGINT: "600000",
    UE_ANSWERMODE: "manual",
    UE_STDIN: "no",
    IMS_UE_SUT_PASSWORD: "ue-container-1",
    IMS_UE_B_PASSWORD: "bob-container-2",
  });
});

test("a UE's container that does not answer at terminal.address is removed, and the error names that address", { skip: dockerSkip(), timeout: 600000 }, async () => {
  // baresip listens on another port than the one the profile gives: the probe at terminal.address is never answered
  const p = await baresipProfile({ startTimeoutMs: 1500, env: { UE_SIP_PORT: String(await pickFreePort()) } });
  const ue = p.terminal?.address;
  await assert.rejects(new ContainerTarget(p).start(), (e: unknown) => {
    assert.ok(e instanceof TargetUnavailableError);
    assert.match(e.message, new RegExp(`did not answer SIP OPTIONS at UDP 127\\.0\\.0\\.1:${ue?.port} \\(terminal\\.address\\): awaited an answer for 1500 ms`));
    return true;
  });
  assert.deepEqual(ourContainers(), [], "the container was removed");
});

test("a UE's container is not started while terminal.address is taken: the error names the port and terminal.address", { skip: dockerSkip() }, async () => {
  const p = await baresipProfile();
  const ue = p.terminal?.address;
  const squatter = createSocket("udp4");
  await new Promise<void>((done) => squatter.bind(ue?.port, "127.0.0.1", done));
  try {
    await assert.rejects(
      new ContainerTarget(p).start(),
      /port \d+ \(UDP\) on 127\.0\.0\.1 is in use by another process \(pid \d+ .*\); stop it or choose another port in the profile \(terminal\.address\.port\) before the UE.s container starts/,
    );
  } finally {
    squatter.close();
  }
  assert.deepEqual(ourContainers(), []);
});

test("the suite against baresip in a container: a container per test case, the verdicts of the process, none left", { skip: dockerSkip(), timeout: 600000 }, async () => {
  Object.assign(process.env, PASSWORDS);
  const since = (Date.now() / 1000).toFixed(3);
  try {
    const r = await runSuite({ profileFile: PROFILE, projectDir: PROJECT, tags: "@IMS-UE-001 or @IMS-UE-009" });
    assert.match(r.sut, /^a container UE at 127\.0\.0\.1:25102, against the harness's network at UDP 127\.0\.0\.1:25100$/);
    const verdicts = Object.fromEntries(r.results.map((x) => [x.testCase.id, x.verdict]));
    const reasons = r.results.map((x) => `${x.testCase.id}: ${x.verdict}: ${x.reason ?? ""}`).join("\n");
    assert.deepEqual(verdicts, EXPECTED, reasons);
    // The UE's own REGISTER breaks a ue-register requirement (never a test-bed error)
    for (const x of r.results) {
      assert.match(x.reason ?? "", /ue-register\./, reasons);
      const violated = (x.requirements ?? []).filter((q) => q.violated > 0).map((q) => q.id);
      assert.deepEqual(violated.sort(), ["ue-register.authorization", "ue-register.supported-path"], `${x.testCase.id}: the requirements violated as with the process`);
    }
    // Switched on per test case: one container started for each
    const until = Math.ceil(Date.now() / 1000) + 1;
    const starts = docker(
      "events",
      "--since",
      since,
      "--until",
      String(until),
      "--filter",
      `label=${CONTAINER_RUN_LABEL}=${process.pid}`,
      "--filter",
      "event=start",
      "--format",
      "{{.Actor.Attributes.name}}",
    );
    assert.equal(new Set(starts.split("\n").filter((l) => l)).size, 2, `two containers started:\n${starts}`);
  } finally {
    for (const k of Object.keys(PASSWORDS)) delete process.env[k];
  }
  assert.deepEqual(ourContainers(), [], "docker ps -a shows no container of this process");
});

// The container target against a real Docker engine: Kamailio built from docker/kamailio-ims and
// run on the host network answers OPTIONS, and a simulated UE registers with Digest through it over
// UDP and TCP; stop() leaves no container; a failed start removes its container and names what it
// awaited; a container killed from outside still has its logs and stops cleanly; Ctrl-C removes
// the containers. Without an engine the tests skip (under CI they fail).
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { loadProfile } from "../../src/profile/index.ts";
import type { Profile, TargetConfig } from "../../src/profile/profile.ts";
import { ImsUe } from "../../src/sip/ue/index.ts";
import { liveContainerNames } from "../../src/targets/container-cleanup.ts";
import { buildTag, contextDigest } from "../../src/targets/container-image.ts";
import { CONTAINER_RUN_LABEL, ContainerTarget, type StartedContainerTarget, containerEnvironment } from "../../src/targets/container-target.ts";
import { createTarget } from "../../src/targets/create-target.ts";
import { preflightOptions } from "../../src/targets/preflight.ts";
import { TargetUnavailableError } from "../../src/targets/target.ts";
import { pickFreePort } from "../support/sipp.ts";

const PROJECT = fileURLToPath(new URL("../../", import.meta.url));
const PROFILE = join(PROJECT, "profiles/kamailio-container.yaml");
const DOMAIN = "ims.example.test";
const PASSWORDS = {
  IMS_UE_A_PASSWORD: "container-a-pw",
  IMS_UE_B_PASSWORD: "container-b-pw",
  IMS_UE_C_PASSWORD: "container-c-pw",
  IMS_UE_W_PASSWORD: "container-w-pw",
  IMS_UE_V_PASSWORD: "container-v-pw",
};
const DOCKER_MISSING = "a Docker engine (Debian package docker.io, started) is not available";

function dockerSkip(): string | false {
  const info = spawnSync("docker", ["info"], { stdio: "ignore", timeout: 20_000 });
  if (info.status === 0 || process.env["CI"]) return false;
  return DOCKER_MISSING;
}

function docker(...args: string[]): string {
  const r = spawnSync("docker", args, { encoding: "utf8", timeout: 30_000 });
  if (r.status !== 0) throw new Error(`docker ${args.join(" ")} failed: ${r.stderr}`);
  return r.stdout.trim();
}

/** Names of this process's containers, running or not. */
function ourContainers(): string[] {
  const out = docker("ps", "--all", "--filter", `label=${CONTAINER_RUN_LABEL}=${process.pid}`, "--format", "{{.Names}}");
  return out ? out.split("\n") : [];
}

/** The Kamailio profile on a free port, with `target` fields replaced. */
async function kamailioProfile(target: Partial<Extract<TargetConfig, { kind: "container" }>> = {}, port?: number): Promise<Profile> {
  const p = await loadProfile(PROFILE, { ...process.env, ...PASSWORDS });
  const t = p.target;
  assert.equal(t.kind, "container");
  // no WebSocket listeners (their fixed ports could be another test's Kamailio's; kamailio-suite.test.ts runs them)
  return { ...p, target: { ...t, ...target } as TargetConfig, ixit: { ...p.ixit, pcscf: { host: "127.0.0.1", port: port ?? (await pickFreePort()) }, websocket: undefined } };
}

describe("container environment and image tags (no engine needed)", () => {
  test("the container gets SIP_HOST, SIP_PORT, SIP_DOMAIN, the profile's env and the passwords by their variable names", async () => {
    const p = await kamailioProfile({ env: { EXTRA: "1", SIP_PORT: "overridden" } }, 35999);
    assert.deepEqual(containerEnvironment(p), {
      SIP_HOST: "127.0.0.1",
      SIP_PORT: "overridden",
      SIP_DOMAIN: DOMAIN,
      EXTRA: "1",
      IMS_UE_A_PASSWORD: "container-a-pw",
      IMS_UE_B_PASSWORD: "container-b-pw",
      IMS_UE_C_PASSWORD: "container-c-pw",
      IMS_UE_W_PASSWORD: "container-w-pw",
      IMS_UE_V_PASSWORD: "container-v-pw",
    });
  });

  test("the image tag is the folder name and the digest of its files: paths and contents, in order", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ctx-"));
    try {
      mkdirSync(join(dir, "sub"));
      writeFileSync(join(dir, "Dockerfile"), "FROM x\n");
      writeFileSync(join(dir, "sub", "a.cfg"), "a");
      const digest = await contextDigest(dir);
      assert.equal(digest, createHash("sha256").update("Dockerfile\0FROM x\n\0sub/a.cfg\0a\0").digest("hex"));
      writeFileSync(join(dir, "sub", "a.cfg"), "b");
      assert.notEqual(await contextDigest(dir), digest);
      assert.equal(buildTag("/x/Kamailio IMS", digest), `ims-interop/kamailio-ims:${digest.slice(0, 12)}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** The container's log once it shows `pattern`, or as it is after `ms`: the assertion that follows says what is missing. */
async function logsShowing(sut: StartedContainerTarget, pattern: RegExp, ms = 5000): Promise<string> {
  const end = Date.now() + ms;
  while (!pattern.test(sut.logs()) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  return sut.logs();
}

describe("container target with Kamailio from docker/kamailio-ims", { skip: dockerSkip() }, () => {
  const started: StartedContainerTarget[] = [];
  const ues: ImsUe[] = [];
  after(async () => {
    await Promise.all(ues.map((u) => u.close()));
    await Promise.all(started.map((s) => s.stop().catch(() => undefined)));
  });

  test("starts on the host network, answers OPTIONS over UDP and TCP, and registers UEs with Digest over both", async () => {
    const profile = await kamailioProfile();
    const target = createTarget(profile);
    assert.equal(target.kind, "container");
    const sut = (await target.start()) as StartedContainerTarget;
    started.push(sut);
    const { port } = profile.ixit.pcscf;
    assert.deepEqual(sut.pcscf, { host: "127.0.0.1", port });
    assert.match(sut.description, new RegExp(`^container ${sut.containerName} \\(image ims-interop/kamailio-ims:[0-9a-f]{12}, .*host network\\) at UDP/TCP 127\\.0\\.0\\.1:${port}, answered OPTIONS`));
    assert.deepEqual(ourContainers(), [sut.containerName]);
    assert.equal(docker("inspect", "--format", "{{.HostConfig.NetworkMode}} {{.State.Running}}", sut.containerName), "host true");
    // the passwords reach the container under the names the profile gives
    assert.match(docker("inspect", "--format", "{{json .Config.Env}}", sut.containerName), /"IMS_UE_B_PASSWORD=container-b-pw"/);

    for (const protocol of ["udp", "tcp"] as const) {
      const probe = await preflightOptions(sut.pcscf, protocol, DOMAIN);
      assert.equal(probe.ok, true, probe.detail);
      assert.match(probe.detail, new RegExp(`^200 OK from ${protocol.toUpperCase()} 127\\.0\\.0\\.1:${port} in`));
    }
    for (const [user, protocol, password] of [
      ["alice", "udp", PASSWORDS.IMS_UE_A_PASSWORD],
      ["bob", "tcp", PASSWORDS.IMS_UE_B_PASSWORD],
    ] as const) {
      const ue = await ImsUe.start({
        name: `UE-${user}`,
        impi: `${user}@${DOMAIN}`,
        impu: `sip:${user}@${DOMAIN}`,
        domain: DOMAIN,
        credentials: { kind: "digest", password },
        pcscf: { protocol, host: "127.0.0.1", port },
        protocol,
      });
      ues.push(ue);
      const reg = await ue.register({ expires: 600 });
      assert.deepEqual(
        reg.exchanges.map((e) => e.response.status),
        [401, 200],
        `${user} over ${protocol}`,
      );
      // no NAT between UE and SUT: the Service-Route names the address the UE sent to
      assert.deepEqual(reg.serviceRoute, [`<sip:orig@127.0.0.1:${port};lr>`]);
      assert.equal(reg.associatedUris[0], `<sip:${user}@${DOMAIN}>`);
      assert.equal((await ue.deregister()).final.status, 200);
    }
    // The log arrives through `docker logs --follow`, which may lag a loaded machine by a moment
    assert.match(await logsShowing(sut, /REGISTER sip:ims\.example\.test from udp:127\.0\.0\.1:\d+/), /REGISTER sip:ims\.example\.test from udp:127\.0\.0\.1:\d+/);
    assert.match(await logsShowing(sut, /REGISTER sip:ims\.example\.test from tcp:127\.0\.0\.1:\d+/), /REGISTER sip:ims\.example\.test from tcp:127\.0\.0\.1:\d+/);

    await sut.stop();
    assert.deepEqual(ourContainers(), []);
    assert.deepEqual(liveContainerNames(), []);
    await sut.stop(); // idempotent
    const gone = await preflightOptions(sut.pcscf, "udp", DOMAIN, 300);
    assert.equal(gone.ok, false, "nothing answers once the container is removed");
  });

  test("a start that never gets an OPTIONS answer removes its container and says what it awaited for how long", async () => {
    // Kamailio listens on 127.0.0.2 (a loopback address too), not on the profile's 127.0.0.1
    const profile = await kamailioProfile({ env: { LISTEN_IP: "127.0.0.2" }, startTimeoutMs: 1500 });
    const err = await new ContainerTarget(profile).start().then(
      () => assert.fail("the start succeeded"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof TargetUnavailableError);
    assert.match(err.message, new RegExp(`did not answer SIP OPTIONS at UDP 127\\.0\\.0\\.1:${profile.ixit.pcscf.port}: awaited an answer for 1500 ms \\(target\\.startTimeoutMs\\)`));
    assert.match(err.message, /container output \(last lines\):[\s\S]*udp: 127\.0\.0\.2/);
    assert.doesNotMatch(err.message, /container-a-pw/);
    assert.deepEqual(ourContainers(), []);
    assert.deepEqual(liveContainerNames(), []);
  });

  test("a container whose SUT exits at once is removed, and the error names the exit and the output", async () => {
    // 192.0.2.1 (TEST-NET-1) is no address of this host: Kamailio cannot bind it and exits
    const profile = await kamailioProfile({ env: { LISTEN_IP: "192.0.2.1" }, startTimeoutMs: 30_000 });
    const err = await new ContainerTarget(profile).start().then(
      () => assert.fail("the start succeeded"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof TargetUnavailableError);
    assert.match(err.message, /stopped \(exited, exit code [1-9]\d*\) before it answered SIP OPTIONS at UDP 127\.0\.0\.1:\d+; awaited for \d+ ms of 30000 ms/);
    assert.match(err.message, /192\.0\.2\.1/);
    assert.deepEqual(ourContainers(), []);
  });

  test("a WebSocket port of the profile held by another process: refused before any container starts, naming the port, its owner and the field", async () => {
    const base = await kamailioProfile();
    const [ws, wss] = [await pickFreePort(), await pickFreePort()];
    const listener: Server = createServer();
    await new Promise<void>((done) => listener.listen({ port: wss, host: "127.0.0.1", exclusive: true }, done));
    try {
      const profile: Profile = { ...base, ixit: { ...base.ixit, websocket: { ws: { host: "127.0.0.1", port: ws }, wss: { host: "127.0.0.1", port: wss } } } };
      const err = await new ContainerTarget(profile).start().then(
        () => assert.fail("the start succeeded"),
        (e: unknown) => e,
      );
      assert.ok(err instanceof TargetUnavailableError, String(err));
      assert.match(
        err.message,
        new RegExp(
          `^port ${wss} \\(TCP\\) on 127\\.0\\.0\\.1 is in use by another process \\(pid ${process.pid} "[^"]+"\\); stop it or choose another port in the profile \\(ixit\\.websocket\\.wss\\.port\\) before the SUT's container starts$`,
        ),
      );
      assert.deepEqual(ourContainers(), []);
    } finally {
      await new Promise((done) => listener.close(done));
    }
  });

  test("a container killed from outside keeps its logs, and stop() still succeeds", async () => {
    const sut = await new ContainerTarget(await kamailioProfile()).start();
    started.push(sut);
    docker("kill", sut.containerName);
    assert.equal(docker("inspect", "--format", "{{.State.Running}}", sut.containerName), "false");
    assert.match(sut.logs(), /Listening on[\s\S]*udp: 127\.0\.0\.1 \[127\.0\.0\.1\]:\d+/);
    await sut.stop();
    assert.match(sut.logs(), /Listening on/);
    assert.deepEqual(ourContainers(), []);
  });

  test("Ctrl-C (SIGINT) removes the running containers and ends the process by the signal", async () => {
    const profile = await kamailioProfile();
    const script = [
      `import { loadProfile } from ${JSON.stringify(join(PROJECT, "src/profile/index.ts"))};`,
      `import { ContainerTarget } from ${JSON.stringify(join(PROJECT, "src/targets/container-target.ts"))};`,
      `const p = await loadProfile(${JSON.stringify(PROFILE)});`,
      // a free port and no WebSocket listeners: kamailio-suite.test.ts may run the profile's own ports meanwhile
      `const sut = await new ContainerTarget({ ...p, ixit: { ...p.ixit, pcscf: { host: "127.0.0.1", port: ${profile.ixit.pcscf.port} }, websocket: undefined } }).start();`,
      `process.stdout.write("ready " + sut.containerName + "\\n");`,
      "setInterval(() => undefined, 1000);",
    ].join("\n");
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: PROJECT, env: { ...process.env, ...PASSWORDS }, stdio: ["ignore", "pipe", "pipe"] });
    const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once("exit", (code, signal) => done({ code, signal })));
    let out = "";
    let errors = "";
    let name: string | undefined;
    child.stderr.on("data", (b: Buffer) => (errors += b.toString()));
    try {
      name = await new Promise<string>((done, fail) => {
        child.stdout.on("data", (b: Buffer) => {
          out += b.toString();
          const m = /^ready (\S+)$/m.exec(out);
          if (m) done(m[1]);
        });
        void ended.then(({ code, signal }) => fail(new Error(`the child ended before it was ready (${code ?? signal}): ${errors}`)));
      });
      assert.equal(docker("inspect", "--format", "{{.State.Running}}", name), "true");
      child.kill("SIGINT");
      // a child that ignores the signal is killed, so the test ends (and fails) rather than hangs
      const guard = setTimeout(() => child.kill("SIGKILL"), 30_000);
      const end = await ended;
      clearTimeout(guard);
      assert.deepEqual(end, { code: null, signal: "SIGINT" }, errors);
      assert.equal(docker("ps", "--all", "--filter", `name=^${name}$`, "--format", "{{.Names}}"), "");
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      if (name) spawnSync("docker", ["rm", "--force", name], { stdio: "ignore" });
    }
  });
});

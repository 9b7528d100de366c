// The process target never leaves a SUT behind and never tests the wrong process (issue 10, gap 2):
// a busy P-CSCF port is refused naming its owner, a wrapper script and its children are killed on
// stop() and by killStartedProcessesSync(), an early exit quotes the last output, the pre-flight's
// answer must come from the started process group, down() tells how the SUT went, a harness dying
// (uncaught exception, unhandled rejection, a signal) takes its SUT along, and Kamailio
// (profiles/kamailio.yaml) started and stopped leaves no process and no bound port behind.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { loadProfile } from "../../src/profile/index.ts";
import type { Profile } from "../../src/profile/profile.ts";
import {
  killStartedProcessesSync,
  liveProcessGroups,
  portFree,
  portOwners,
  processGroupMembers,
  processInfo,
  ProcessTarget,
  type StartedProcessTarget,
  TargetUnavailableError,
} from "../../src/targets/index.ts";
import { kamailioSkip } from "../support/kamailio.ts";
import { pickFreePort } from "../support/sipp.ts";
import { PROJECT, profileFor, RUN_RESPONDER, shellProfile } from "./fixtures/process-profile.ts";
import { startResponder } from "./fixtures/sip-responder.ts";

const linux = process.platform === "linux" ? false : "process groups and ports are read from Linux's /proc";
const MY_NAME = process.platform === "linux" ? readFileSync("/proc/self/comm", "utf8").trim() : "node";
const HARNESS = fileURLToPath(new URL("./fixtures/dying-harness.ts", import.meta.url));

let scratch: string | undefined;
function scratchFile(name: string): string {
  scratch ??= mkdtempSync(join(tmpdir(), "process-target-test-"));
  return join(scratch, name);
}

async function waitFor<T>(what: string, probe: () => T | undefined, ms = 10000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Nothing of the group is left, none of `pids` lives, and the port is free on UDP and TCP. */
async function assertNothingLeft(pgid: number, port: number, pids: readonly number[] = []): Promise<void> {
  assert.deepEqual(processGroupMembers(pgid), [], `no process of group ${pgid} is left`);
  // a zombie is dead too (an orphan waits for PID 1 to reap it, which some containers' PID 1 never does)
  for (const pid of pids) assert.match(processInfo(pid)?.state ?? "gone", /^(gone|Z)$/, `pid ${pid} is gone`);
  // Free, or taken meanwhile by another test file's process (tests run two at a time), never by the SUT's
  // In use with no owner visible is a moment between a bind and /proc (another file's socket that
  // came and went, or a dying SUT's socket not yet released): ask again for a few seconds.
  for (const protocol of ["udp", "tcp"] as const) {
    let free: boolean;
    let holders: number[] = [];
    for (const until = Date.now() + 5000; ;) {
      free = (await portFree(protocol, "127.0.0.1", port)) === true;
      if (free) break;
      holders = (portOwners(protocol, port)?.owners ?? []).map((o) => o.pid);
      if (holders.length > 0 || Date.now() > until) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    if (free) continue;
    assert.ok(
      holders.length > 0 && holders.every((h) => h !== pgid && !pids.includes(h)),
      `${protocol.toUpperCase()} port ${port} is not held by the SUT (held by ${holders.join(", ") || "nobody visible"})`,
    );
  }
  assert.ok(!liveProcessGroups().includes(pgid), "the group is no longer listed as live");
}

describe("process target", { skip: linux }, () => {
  const started: StartedProcessTarget[] = [];
  const closers: (() => Promise<unknown>)[] = [];

  afterEach(async () => {
    for (const s of started.splice(0)) await s.stop().catch(() => undefined);
    for (const c of closers.splice(0)) await c();
  });
  after(() => {
    killStartedProcessesSync("SIGKILL", { graceMs: 1000 });
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  async function start(profile: Profile, options = {}): Promise<StartedProcessTarget> {
    const s = await new ProcessTarget(profile, options).start();
    started.push(s);
    return s;
  }

  test("refuses a port held over UDP by another process that answers OPTIONS, naming its pid, and starts nothing", async () => {
    const port = await pickFreePort();
    // this test process answers OPTIONS on the port: the old pre-flight took it for the SUT
    const squatter = await startResponder({ host: "127.0.0.1", port, tcp: false });
    closers.push(() => squatter.close());
    const mark = scratchFile("udp-started");
    const profile = shellProfile(port, `touch "$MARK"; exec ${RUN_RESPONDER}`, { MARK: mark });
    await assert.rejects(start(profile), (e: Error) => {
      assert.ok(e instanceof TargetUnavailableError, String(e));
      assert.equal(e.message, `port ${port} (UDP) on 127.0.0.1 is in use by another process (pid ${process.pid} "${MY_NAME}"); stop it or choose another port in the profile (ixit.pcscf.port)`);
      return true;
    });
    assert.equal(existsSync(mark), false, "the program was not started");
    assert.deepEqual(liveProcessGroups(), []);
  });

  test("refuses a port held by a TCP listener that answers nothing, naming its pid", async () => {
    const port = await pickFreePort();
    const listener: Server = createServer((c) => c.on("error", () => undefined));
    await new Promise<void>((done) => listener.listen(port, "127.0.0.1", done));
    closers.push(() => new Promise((done) => listener.close(done)));
    const mark = scratchFile("tcp-started");
    const profile = shellProfile(port, `touch "$MARK"; exec ${RUN_RESPONDER}`, { MARK: mark });
    await assert.rejects(start(profile), (e: Error) => {
      assert.ok(e instanceof TargetUnavailableError, String(e));
      assert.equal(e.message, `port ${port} (TCP) on 127.0.0.1 is in use by another process (pid ${process.pid} "${MY_NAME}"); stop it or choose another port in the profile (ixit.pcscf.port)`);
      return true;
    });
    assert.equal(existsSync(mark), false, "the program was not started");
  });

  test("stop() kills a wrapper script and all its children, also one that ignores SIGTERM, and frees the port", async () => {
    const port = await pickFreePort();
    const sut = await start(shellProfile(port, `${RUN_RESPONDER} --ignore-term & sleep 300 & wait`), { stopGraceMs: 500 });
    const members = processGroupMembers(sut.pid)!
      .map((p) => p.name)
      .sort();
    assert.deepEqual(members, ["node", "sh", "sleep"]);
    const pids = processGroupMembers(sut.pid)!.map((p) => p.pid);
    await sut.stop();
    await assertNothingLeft(sut.pid, port, pids);
    assert.match(sut.logs(), /ignoring SIGTERM/);
  });

  test("killStartedProcessesSync() kills them too: the signal given, then SIGKILL after the grace period", async () => {
    const port = await pickFreePort();
    const sut = await start(shellProfile(port, `${RUN_RESPONDER} --ignore-term & sleep 300 & wait`));
    const pids = processGroupMembers(sut.pid)!.map((p) => p.pid);
    // SIGTERM alone: the responder ignores it, so its group is still there
    assert.deepEqual(killStartedProcessesSync("SIGTERM"), [sut.pid]);
    const t0 = Date.now();
    assert.deepEqual(killStartedProcessesSync("SIGTERM", { graceMs: 300 }), []);
    assert.ok(Date.now() - t0 < 3000, "returns soon after the SIGKILL");
    await assertNothingLeft(sut.pid, port, pids);
    // stop() afterwards has nothing left to do
    await sut.stop();
  });

  test("a program that exits at once: the error quotes the last 20 lines of its output and nothing is left", async () => {
    const port = await pickFreePort();
    const script = `i=1; while [ $i -le 40 ]; do echo "line $i"; i=$((i+1)); done; echo "fatal: cannot open the configuration" >&2; exit 3`;
    await assert.rejects(start(shellProfile(port, script)), (e: Error) => {
      assert.ok(e instanceof TargetUnavailableError);
      assert.match(e.message, new RegExp(`^the SUT process "sh -c .*" did not start: it exited with code 3 before it answered OPTIONS at 127\\.0\\.0\\.1:${port}; its last output:\\n`));
      const quoted = e.message.split("its last output:\n")[1].split("\n");
      assert.equal(quoted.length, 20);
      assert.equal(quoted[0], "  line 22");
      assert.equal(quoted.at(-1), "  fatal: cannot open the configuration");
      return true;
    });
    assert.deepEqual(liveProcessGroups(), []);
  });

  test("a program that prints nothing and exits: the error says so", async () => {
    const port = await pickFreePort();
    await assert.rejects(start(shellProfile(port, "exit 0")), /it exited with code 0 before it answered OPTIONS at 127\.0\.0\.1:\d+; it printed nothing$/);
  });

  test("a program that cannot be started: the error says why", async () => {
    const port = await pickFreePort();
    await assert.rejects(start(profileFor(port, "no-such-program-ims")), (e: Error) => {
      assert.ok(e instanceof TargetUnavailableError);
      assert.equal(e.message, 'the SUT process "no-such-program-ims" could not be started: spawn no-such-program-ims ENOENT');
      return true;
    });
  });

  test("the pre-flight answer must come from the started process: a port taken after the start is refused", async () => {
    const port = await pickFreePort();
    const mark = scratchFile("spawned");
    // the program never listens; once it runs, this test process takes the port and answers OPTIONS
    const pending = start(shellProfile(port, `touch "$MARK"; exec sleep 300`, { MARK: mark }));
    pending.catch(() => undefined);
    await waitFor("the program to start", () => existsSync(mark));
    const [pgid] = liveProcessGroups();
    assert.ok(pgid !== undefined);
    const squatter = await startResponder({ host: "127.0.0.1", port });
    closers.push(() => squatter.close());
    await assert.rejects(pending, (e: Error) => {
      assert.ok(e instanceof TargetUnavailableError);
      assert.match(
        e.message,
        new RegExp(`^the SIP port UDP 127\\.0\\.0\\.1:${port} answered, but the process holding it \\(pid ${process.pid} "${MY_NAME}"\\) is not the one started \\("sh", pid \\d+\\)`),
      );
      return true;
    });
    // and the program (sleep) was stopped
    assert.deepEqual(processGroupMembers(pgid), []);
    assert.deepEqual(liveProcessGroups(), []);
  });

  test("down(): the wrapper exited while its group still runs, with the last output", async () => {
    const port = await pickFreePort();
    const stopFile = scratchFile("wrapper-stop");
    const sut = await start(shellProfile(port, `${RUN_RESPONDER} & while [ ! -e "$STOP" ]; do sleep 0.1; done; echo "wrapper leaves"; exit 0`, { STOP: stopFile }));
    assert.equal(sut.down!(), undefined);
    writeFileSync(stopFile, "");
    const down = await waitFor("down()", () => sut.down!());
    assert.match(down.reason, new RegExp(`^the SUT process "sh" \\(pid ${sut.pid}\\) exited with code 0; its process group still runs: pid \\d+ "node"; its last output:\\n(.*\\n)*  wrapper leaves$`));
    const pids = processGroupMembers(sut.pid)!.map((p) => p.pid);
    await sut.stop();
    await assertNothingLeft(sut.pid, port, pids);
  });

  test("down(): the wrapper runs on but its SIP socket is gone", async () => {
    const port = await pickFreePort();
    const sut = await start(shellProfile(port, `${RUN_RESPONDER} & wait; echo "responder ended"; exec sleep 300`));
    const responder = processGroupMembers(sut.pid)!.find((p) => p.name === "node")!;
    process.kill(responder.pid, "SIGKILL");
    const down = await waitFor("down()", () => sut.down!());
    assert.match(down.reason, new RegExp(`^the SUT process "sh" \\(pid ${sut.pid}\\) still runs, but nothing of it listens on UDP 127\\.0\\.0\\.1:${port} any more; its last output:\\n`));
    await sut.stop();
    await assertNothingLeft(sut.pid, port);
  });

  test("down(): the wrapper and its whole group ended", async () => {
    const port = await pickFreePort();
    const sut = await start(shellProfile(port, `${RUN_RESPONDER} & echo "$!" > "$PIDFILE"; wait`, { PIDFILE: scratchFile("responder.pid") }));
    process.kill(Number(readFileSync(scratchFile("responder.pid"), "utf8")), "SIGKILL");
    const down = await waitFor("down()", () => sut.down!());
    // whichever came first: the socket closing, or the leader's exit with nothing of the group left
    assert.match(
      down.reason,
      new RegExp(`^the SUT process "sh" \\(pid ${sut.pid}\\) (exited with code 0; no process of its group is left|still runs, but nothing of it listens on UDP 127\\.0\\.0\\.1:${port} any more);`),
    );
    await sut.stop();
    await assertNothingLeft(sut.pid, port);
  });

  for (const how of ["throw", "reject", "signal"] as const) {
    const end = { throw: "an uncaught exception", reject: "an unhandled rejection", signal: "SIGTERM handled with killStartedProcessesSync()" }[how];
    test(`a harness ending by ${end} leaves nothing of the SUT behind, also after its wrapper exited`, async () => {
      const port = await pickFreePort();
      const harness = spawn(process.execPath, ["--import", "tsx", HARNESS, String(port), scratchFile(`harness-${how}`), how], { cwd: PROJECT, stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      harness.stdout.on("data", (d: Buffer) => (out += d.toString()));
      harness.stderr.on("data", (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((done) => harness.once("exit", (code) => done(code)));
      closers.push(() => Promise.resolve(void (harness.exitCode === null && harness.signalCode === null && harness.kill("SIGKILL"))));
      const pgid = Number(await waitFor("the harness's SUT", () => /pgid (\d+)/.exec(out)?.[1]));
      assert.ok(
        processGroupMembers(pgid)!.some((p) => p.name === "node"),
        "the responder runs on after the wrapper's exit",
      );
      if (how === "signal") harness.kill("SIGTERM");
      assert.equal(await exited, how === "signal" ? 143 : 1, out);
      await assertNothingLeft(pgid, port);
    });
  }

  describe("with Kamailio (profiles/kamailio.yaml)", { skip: kamailioSkip() }, () => {
    const env = { IMS_UE_A_PASSWORD: "a-secret", IMS_UE_B_PASSWORD: "b-secret", IMS_UE_C_PASSWORD: "c-secret", IMS_UE_W_PASSWORD: "w-secret", IMS_UE_V_PASSWORD: "v-secret" };

    async function kamailioProfile(port: number): Promise<Profile> {
      const p = await loadProfile(join(PROJECT, "profiles/kamailio.yaml"), env);
      assert.equal(p.target.kind, "process");
      // a free port instead of 25070, and the project as the working directory of run-kamailio.sh; no
      // WebSocket listeners (their fixed ports could be another test's Kamailio's)
      return {
        ...p,
        target: { ...p.target, cwd: PROJECT, env: { ...(p.target.kind === "process" ? p.target.env : {}), ...env } },
        ixit: { ...p.ixit, pcscf: { ...p.ixit.pcscf, port }, websocket: undefined },
      };
    }

    /** Processes (of any group) started for this port: kamailio and its wrapper name it on their command line. */
    function processesOnPort(port: number): number[] {
      return readdirSync("/proc")
        .filter((p) => /^\d+$/.test(p))
        .filter((p) => {
          try {
            const argv = readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0");
            return argv.includes(`SIP_PORT=${port}`) || (argv.includes("docker/kamailio-ims/run-kamailio.sh") && argv.includes(String(port)));
          } catch {
            return false;
          }
        })
        .map(Number);
    }

    test("a second Kamailio on a port the first holds is refused naming the first; stopping leaves no kamailio and no bound port", { timeout: 60000 }, async () => {
      const port = await pickFreePort();
      const profile = await kamailioProfile(port);
      const first = await start(profile);
      const group = processGroupMembers(first.pid)!;
      assert.ok(group.filter((p) => p.name === "kamailio").length > 1, `Kamailio and its workers run in the group: ${JSON.stringify(group)}`);
      const before = processesOnPort(port);
      await assert.rejects(new ProcessTarget(profile).start(), (e: Error) => {
        const m = new RegExp(
          `^port ${port} \\(UDP\\) on 127\\.0\\.0\\.1 is in use by another process \\(pid (\\d+) "kamailio"( and \\d+ more)?\\); stop it or choose another port in the profile \\(ixit\\.pcscf\\.port\\)$`,
        ).exec(e.message);
        assert.ok(m, e.message);
        assert.equal(processInfo(Number(m[1]))?.pgid, first.pid, "the owner named is the first Kamailio");
        return true;
      });
      assert.deepEqual(processesOnPort(port), before, "the refused start started nothing");
      await first.stop();
      assert.deepEqual(processesOnPort(port), [], "no kamailio (nor its wrapper) is left");
      await assertNothingLeft(
        first.pid,
        port,
        group.map((p) => p.pid),
      );
      // the next run binds the port and is the one that answers
      const next = await start(profile);
      await next.stop();
      assert.deepEqual(processesOnPort(port), []);
    });
  });
});

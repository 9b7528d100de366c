// A run that always ends cleanly: Ctrl-C (SIGINT) or SIGTERM in mid-run writes summary.json and
// junit.xml for what ran, with the rest not run and the gate failed, and leaves no process and no
// bound port behind (embedded core, parallel workers, Kamailio as a process target); an invalid
// profile touches none of the previous run's outputs; two runs into one reports folder are refused.
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, test } from "node:test";
import { pickFreePort } from "../support/sipp.ts";
import { kamailioSkip, KAMAILIO_PASSWORDS } from "../support/kamailio.ts";
import { freeForUdpAndTcp } from "../support/ports.ts";

const PROJECT = resolve(import.meta.dirname, "../..");
const BIN = join(PROJECT, "bin/ims-interop.mjs");
const PASSWORDS = KAMAILIO_PASSWORDS;

interface Running {
  readonly child: ChildProcess;
  /** Every process started under this run carries this value in its environment. */
  readonly mark: string;
  out: string;
  err: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(args: string[], env: Record<string, string> = {}): Running {
  const mark = randomUUID();
  const child = spawn(process.execPath, [BIN, ...args], { cwd: PROJECT, env: { ...process.env, ...env, IMS_INTEROP_TEST_MARK: mark }, stdio: ["ignore", "pipe", "pipe"] });
  const r: Running = {
    child,
    mark,
    out: "",
    err: "",
    exited: new Promise((done) => child.once("exit", (code, signal) => done({ code, signal }))),
  };
  child.stdout.on("data", (b: Buffer) => (r.out += b.toString()));
  child.stderr.on("data", (b: Buffer) => (r.err += b.toString()));
  return r;
}

/** Resolves once the run has printed `n` verdict lines. */
async function verdictLines(r: Running, n: number, timeoutMs = 120_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while ((r.out.match(/^ {2}(pass|FAIL|INCONC|ERROR) +IMS-/gm) ?? []).length < n) {
    if (Date.now() > until) throw new Error(`no ${n} verdicts within ${timeoutMs} ms:\n${r.out}\n${r.err}`);
    if (r.child.exitCode !== null) throw new Error(`the run ended first:\n${r.out}\n${r.err}`);
    await new Promise((d) => setTimeout(d, 50));
  }
}

/** Processes (other than this test's) whose environment carries the mark. */
function marked(mark: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    if (Number(pid) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${pid}/environ`, "latin1").includes(`IMS_INTEROP_TEST_MARK=${mark}`)) found.push(`${pid} ${readFileSync(`/proc/${pid}/cmdline`, "latin1").replaceAll("\0", " ")}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

interface Summary {
  gate: { passed: boolean; reasons: string[] };
  interrupted?: string;
  testCases: Array<{ id: string; verdict: string; notRun?: boolean; reason?: string }>;
}

/** What a previous green run left: the interrupted run must not leave it standing. */
async function previousGreenRun(reports: string): Promise<void> {
  await mkdir(reports, { recursive: true });
  await writeFile(join(reports, "summary.json"), JSON.stringify({ gate: { passed: true, reasons: [] }, previous: true }));
  await writeFile(join(reports, "junit.xml"), '<testsuites previous="true"/>');
}

async function assertInterrupted(reports: string, signal: string): Promise<Summary> {
  const summary = JSON.parse(await readFile(join(reports, "summary.json"), "utf8")) as Summary;
  assert.equal(summary.gate.passed, false);
  assert.equal(summary.interrupted, `interrupted by ${signal}`);
  assert.match(summary.gate.reasons[0], new RegExp(`^the run was interrupted by ${signal}: \\d+ test case\\(s\\) did not run`));
  const notRun = summary.testCases.filter((t) => t.notRun);
  assert.ok(notRun.length > 0, "some test cases did not run");
  for (const t of notRun) {
    assert.equal(t.verdict, "error");
    assert.match(t.reason!, new RegExp(`^not run: the run was interrupted by ${signal} before this test case started`));
  }
  assert.equal(summary.testCases.length, 37, "every selected test case is listed, run or not (the three WebRTC ones not applicable)");
  const junit = await readFile(join(reports, "junit.xml"), "utf8");
  assert.doesNotMatch(junit, /previous="true"/);
  assert.match(junit, /not run: the run was interrupted/);
  assert.ok(!existsSync(join(reports, ".ims-interop.lock")), "the lock is released");
  return summary;
}

describe("an interrupted run", { timeout: 300_000 }, () => {
  test("SIGINT against the embedded core: exit 130, summary and JUnit of what ran, the gate failed, nothing left", async () => {
    const reports = await mkdtemp(join(tmpdir(), "ims-interop-interrupt-"));
    await previousGreenRun(reports);
    const r = start(["run", "--profile", "profiles/embedded.yaml", "--reports", reports]);
    await verdictLines(r, 2);
    r.child.kill("SIGINT");
    const { code } = await r.exited;
    assert.equal(code, 130, r.err);
    assert.match(r.err, /SIGINT: stopping the running test case, then writing the reports of what ran/);
    const summary = await assertInterrupted(reports, "SIGINT");
    assert.ok(summary.testCases.filter((t) => t.verdict === "pass").length >= 2, "what ran before the signal keeps its verdict");
    const core = /against embedded reference core at UDP\/TCP 127\.0\.0\.1:(\d+)/.exec(r.out);
    assert.ok(core, r.out);
    assert.ok(await freeForUdpAndTcp(Number(core[1])), `the core's port ${core[1]} is free again`);
    assert.deepEqual(marked(r.mark), []);
  });

  test(
    "SIGINT while a browser UE is in a call: exit 130, the reports written, no Chromium left",
    { skip: !existsSync("/usr/bin/chromium") && !process.env["CI"] ? "chromium (Debian package chromium) is not installed" : false },
    async () => {
      const reports = await mkdtemp(join(tmpdir(), "ims-interop-interrupt-"));
      const r = start(["run", "--profile", "test/fixtures/profiles/embedded-websocket.yaml", "--tags", "@IMS-RTC-001 or @IMS-RTC-003", "--reports", reports]);
      // RTC-001 has ended; RTC-003 starts its two browsers
      await verdictLines(r, 1);
      await new Promise((d) => setTimeout(d, 1500));
      r.child.kill("SIGINT");
      const { code } = await r.exited;
      // Playwright must leave the signal to the harness: it would otherwise exit at once, without reports
      assert.equal(code, 130, r.out + r.err);
      const summary = JSON.parse(await readFile(join(reports, "summary.json"), "utf8")) as { interrupted?: string };
      assert.equal(summary.interrupted, "interrupted by SIGINT");
      for (let i = 0; i < 50 && marked(r.mark).length > 0; i++) await new Promise((d) => setTimeout(d, 100));
      assert.deepEqual(marked(r.mark), [], "no Chromium (nor anything else of the run) left");
    },
  );

  test("SIGTERM with two parallel workers: exit 143, the reports written, no worker left", async () => {
    const reports = await mkdtemp(join(tmpdir(), "ims-interop-interrupt-"));
    await previousGreenRun(reports);
    const r = start(["run", "--profile", "profiles/embedded.yaml", "--parallel", "2", "--reports", reports]);
    await verdictLines(r, 2);
    r.child.kill("SIGTERM");
    const { code } = await r.exited;
    assert.equal(code, 143, r.err);
    await assertInterrupted(reports, "SIGTERM");
    // Workers notice the parent's end through their IPC channel: give them a moment
    for (let i = 0; i < 50 && marked(r.mark).length > 0; i++) await new Promise((d) => setTimeout(d, 100));
    assert.deepEqual(marked(r.mark), []);
  });

  test("a second SIGINT exits at once, killing a SUT that ignores SIGTERM", async () => {
    const port = await pickFreePort();
    const dir = await mkdtemp(join(tmpdir(), "ims-interop-interrupt-"));
    const profile = join(dir, "stubborn.yaml");
    const kamailio = await readFile(join(PROJECT, "profiles/kamailio.yaml"), "utf8");
    await writeFile(
      profile,
      kamailio
        .replace(/port: 25070/, `port: ${port}`)
        .replace("command: sh", "command: node")
        .replace(/args: \[[^\]]*\]/, 'args: [test/fixtures/sut/stubborn-responder.mjs, "${port}", "${host}"]')
        // the responder has no WebSocket listeners and makes no WSS certificate
        .replace(/\n {2}websocket:[^\n]*\n( {4}[^\n]*\n)+/, "\n")
        .replace("websocket: true", "websocket: false"),
    );
    const r = start(["run", "--profile", profile, "--reports", join(dir, "reports")], PASSWORDS);
    await verdictLines(r, 1);
    r.child.kill("SIGINT");
    // The first signal ends the running test case; stopping the SUT then waits for its grace period
    await new Promise((d) => setTimeout(d, 1000));
    assert.equal(r.child.exitCode, null, "still stopping the SUT");
    r.child.kill("SIGINT");
    const { code } = await r.exited;
    assert.equal(code, 130, r.err);
    assert.match(r.err, /SIGINT again: stopping the SUT and exiting without reports/);
    assert.deepEqual(marked(r.mark), [], "the SUT that ignored SIGTERM is gone");
    assert.ok(await freeForUdpAndTcp(port));
  });

  test("SIGINT against Kamailio as a process target: the reports written, no Kamailio and no bound port left", { skip: kamailioSkip() }, async () => {
    const port = await pickFreePort();
    const dir = await mkdtemp(join(tmpdir(), "ims-interop-interrupt-"));
    const profile = join(dir, "kamailio.yaml");
    // free ports for SIP and the WebSocket listeners, the WSS certificate in the test's directory
    const [wsPort, wssPort] = [await pickFreePort(), await pickFreePort()];
    await writeFile(
      profile,
      (await readFile(join(PROJECT, "profiles/kamailio.yaml"), "utf8"))
        .replace(/port: 25070/, `port: ${port}`)
        .replace(/port: 25080/, `port: ${wsPort}`)
        .replace(/port: 25443/, `port: ${wssPort}`)
        .replace(/certificate: \S+/, `certificate: ${join(dir, "wss-cert.pem")}`),
    );
    const reports = join(dir, "reports");
    await previousGreenRun(reports);
    const r = start(["run", "--profile", profile, "--reports", reports], PASSWORDS);
    await verdictLines(r, 2);
    assert.ok(
      marked(r.mark).some((p) => p.includes("kamailio")),
      "Kamailio runs under this run",
    );
    r.child.kill("SIGINT");
    const { code } = await r.exited;
    assert.equal(code, 130, r.err);
    await assertInterrupted(reports, "SIGINT");
    assert.deepEqual(marked(r.mark), [], "no process of the run is left (Kamailio, its wrapper script)");
    assert.ok(await freeForUdpAndTcp(port), `port ${port} is free again`);
  });
});

describe("the reports folder", { timeout: 300_000 }, () => {
  test("an invalid profile leaves the previous run's outputs as they were", async () => {
    const reports = await mkdtemp(join(tmpdir(), "ims-interop-outputs-"));
    await previousGreenRun(reports);
    await mkdir(join(reports, "allure-results"));
    await writeFile(join(reports, "allure-results", "previous-result.json"), "{}");
    const bad = join(reports, "..", `bad-${randomUUID()}.yaml`);
    await writeFile(bad, (await readFile(join(PROJECT, "profiles/embedded.yaml"), "utf8")).replace(/\n\s*domain: [^\n]*/, ""));
    const r = spawnSync(process.execPath, [BIN, "run", "--profile", bad, "--reports", reports], { cwd: PROJECT, encoding: "utf8" });
    assert.equal(r.status, 2, r.stderr);
    assert.match(await readFile(join(reports, "summary.json"), "utf8"), /"previous":true/);
    assert.ok(existsSync(join(reports, "allure-results", "previous-result.json")));
    const badTags = spawnSync(process.execPath, [BIN, "run", "--tags", "@IMS-REG-001 or", "--reports", reports], { cwd: PROJECT, encoding: "utf8" });
    assert.equal(badTags.status, 2, badTags.stderr);
    assert.match(badTags.stderr, /--tags "@IMS-REG-001 or" is not a tag expression/);
    assert.ok(existsSync(join(reports, "allure-results", "previous-result.json")));
  });

  test("a second run into a folder in use is refused with one line; the first completes alone", async () => {
    const reports = await mkdtemp(join(tmpdir(), "ims-interop-lock-"));
    const first = start(["run", "--profile", "profiles/embedded.yaml", "--reports", reports]);
    await verdictLines(first, 1);
    const second = spawnSync(process.execPath, [BIN, "run", "--profile", "profiles/embedded.yaml", "--reports", reports], { cwd: PROJECT, encoding: "utf8" });
    assert.equal(second.status, 2, second.stderr);
    assert.equal(second.stderr.trim().split("\n").length, 1, second.stderr);
    assert.match(second.stderr, new RegExp(`the reports folder .* is in use by another run \\(pid ${first.child.pid}, since`));
    const { code } = await first.exited;
    assert.equal(code, 0, first.out + first.err);
    const summary = JSON.parse(await readFile(join(reports, "summary.json"), "utf8")) as Summary;
    assert.equal(summary.testCases.length, 37);
    const results = readdirSync(join(reports, "allure-results")).filter((f) => f.endsWith("-result.json"));
    // one result per example of an outline: IMS-MSG-002 has two (GSM 7-bit, UCS2)
    assert.equal(results.length, 38, results.join(", "));
    // A lock whose run is gone (killed -9) is taken over
    await writeFile(join(reports, ".ims-interop.lock"), JSON.stringify({ pid: 2 ** 22 + 1, since: "earlier" }));
    const after = spawnSync(process.execPath, [BIN, "run", "--profile", "profiles/embedded.yaml", "--tags", "@IMS-REG-002", "--reports", reports], { cwd: PROJECT, encoding: "utf8" });
    assert.equal(after.status, 0, after.stderr);
  });
});

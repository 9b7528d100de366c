// Issue 11: the exit code says who failed the gate, the same in run and merge: 0 passed, 1 the SUT
// (a mandatory fail), 2 bad input, 3 the test bed or the harness (an unreachable SUT: the reason
// printed once). What run prints: the live lines, then a compact summary (the full table with
// --verbose). report --serve serves a report newer than every result without generating it again.
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createSocket } from "node:dgram";
import { mkdir, mkdtemp, readFile, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, test } from "node:test";
import { javaAvailable } from "../../src/report/allure-report.ts";

const PROJECT = resolve(import.meta.dirname, "../..");
const BIN = join(PROJECT, "bin/ims-interop.mjs");
const FAST = "test/fixtures/profiles/embedded-fast.yaml";
const SECRETS = { IMS_UE_A_K: "465b5ce8b199b49faa5f0a2ee238a6bc", IMS_UE_A_OPC: "cd63cb71954a9f4e48a5994e37a02baf", IMS_UE_B_PASSWORD: "b-secret", IMS_UE_C_PASSWORD: "c-secret" };

function cli(args: string[], env: Record<string, string> = {}): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: PROJECT, env: { ...process.env, ...env }, encoding: "utf8", timeout: 120000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A UDP port with nothing listening on it: bound, read, closed. */
async function deadPort(): Promise<number> {
  const s = createSocket("udp4");
  await new Promise<void>((r) => s.bind(0, "127.0.0.1", () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe("run", () => {
  test("an unreachable SUT: exit 3, the reason printed once for the 34 test cases that apply, the summary written", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ims-interop-unreachable-"));
    const port = await deadPort();
    const profile = join(dir, "down.yaml");
    await writeFile(
      profile,
      (await readFile(join(PROJECT, FAST), "utf8"))
        .replace(/\n {2}kind: embedded[^\n]*\n {2}faults: \[\][^\n]*/, "\n  kind: remote")
        .replace(/(\n\s*domain: [^\n]*)/, `$1\n  pcscf: { host: 127.0.0.1, port: ${port} }`),
    );
    const r = cli(["run", "--profile", profile, "--reports", dir], SECRETS);
    assert.equal(r.code, 3, r.out + r.err);
    const all = r.out + r.err;
    assert.equal(all.split("no answer to OPTIONS").length - 1, 1, all);
    assert.match(r.out, new RegExp(`^ {2}ERROR {2}34 test cases: the SUT is unreachable: no answer to OPTIONS from UDP 127\\.0\\.0\\.1:${port} within 3000 ms`, "m"));
    assert.match(r.out, /^ {2}33 mandatory test cases are error: IMS-CALL-001, IMS-CALL-002, IMS-CALL-003 and 30 more$/m);
    assert.match(r.out, /^exit 3: the gate failed on errors or inconclusive verdicts, not on a fail of the SUT/m);
    // The reason once, not 34 times; the three WebRTC test cases' not-applicable lines come first
    assert.ok(r.out.split("\n").length < 21, r.out);
    const summary = JSON.parse(await readFile(join(dir, "summary.json"), "utf8")) as { testCases: unknown[]; gate: { passed: boolean } };
    assert.equal(summary.testCases.length, 37);
    assert.equal(summary.gate.passed, false);
  });

  test("a fail of the SUT: exit 1; the compact summary lists it on one line; --verbose adds the table", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ims-interop-fail-"));
    const args = ["run", "--profile", FAST, "--tags", "@IMS-CALL-004 or @IMS-MSG-001", "--fault", "no-to-tag-on-cancel-200", "--reports", dir];
    const r = cli(args);
    assert.equal(r.code, 1, r.out + r.err);
    assert.equal(r.out.split(/^ {2}FAIL +IMS-CALL-004/m).length - 1, 2, "the live line and the summary's");
    assert.match(r.out, /^ {2}FAIL {3}IMS-CALL-004 {2}Requirement: response\.to-tag: a response other than 100 \(Trying\) to a request without To…$/m);
    assert.doesNotMatch(r.out, /^test case +level +verdict/m, "no table without --verbose");
    assert.match(r.out, /^gate: FAILED\n {2}mandatory IMS-CALL-004 is fail$/m);
    const verbose = cli([...args, "--verbose"]);
    assert.equal(verbose.code, 1);
    assert.match(verbose.out, /^test case +level +verdict +time +reason$/m);
    assert.match(verbose.out, /^IMS-MSG-001 +mandatory +pass/m);
    // Not a terminal (a CI log): no progress line, no carriage return, no escape sequence
    // eslint-disable-next-line no-control-regex -- the escape sequence a TTY progress line would leave
    assert.doesNotMatch(r.out, /running IMS-|\r|\x1b/);
  });

  test("on a terminal: a progress line per test case, rewritten in place and erased before its verdict line", { skip: hasScript() ? false : "script (util-linux) is not installed" }, async () => {
    const dir = await mkdtemp(join(tmpdir(), "ims-interop-tty-"));
    // script(1) gives the run a pseudo-terminal; its output is the terminal's bytes
    const command = [process.execPath, BIN, "run", "--profile", FAST, "--tags", "'@IMS-REG-002 or @IMS-MSG-001'", "--reports", dir].join(" ");
    const r = spawnSync("script", ["-qec", `stty cols 120; ${command}`, "/dev/null"], { cwd: PROJECT, encoding: "utf8", timeout: 120000 });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const out = r.stdout.replace(/\r\n/g, "\n");
    assert.ok(out.includes("\r\x1b[2K[1/2] running IMS-MSG-001 Page-mode text message\r\x1b[2K  pass   IMS-MSG-001 "), JSON.stringify(out));
    assert.ok(out.includes("\r\x1b[2K[2/2] running IMS-REG-002 Initial registration with SIP Digest\r\x1b[2K  pass   IMS-REG-002 "), JSON.stringify(out));
    assert.match(out, /^2 pass, 0 fail|^ {2}2 pass, 0 fail/m);
  });
});

function hasScript(): boolean {
  return spawnSync("script", ["--version"], { stdio: "ignore" }).status === 0;
}

describe("merge", () => {
  async function shard(base: string, name: string, testCases: Array<{ id: string; verdict: string; level: string }>): Promise<string> {
    const dir = join(base, name);
    await mkdir(join(dir, "allure-results"), { recursive: true });
    await writeFile(join(dir, "summary.json"), JSON.stringify({ sut: "s", profile: "p", counts: {}, gate: { passed: true, reasons: [] }, testCases }));
    return dir;
  }

  test("exits like run: 0, 1 for a mandatory fail, 3 for errors alone, 2 for a test case in two inputs or an input that is no run's", async () => {
    const base = await mkdtemp(join(tmpdir(), "ims-interop-merge-"));
    const pass = await shard(base, "pass", [{ id: "IMS-REG-001", verdict: "pass", level: "mandatory" }]);
    const fail = await shard(base, "fail", [{ id: "IMS-REG-002", verdict: "fail", level: "mandatory" }]);
    const error = await shard(base, "error", [{ id: "IMS-REG-003", verdict: "error", level: "mandatory" }]);
    const ok = cli(["merge", pass, "--into", join(base, "a")]);
    assert.equal(ok.code, 0, ok.out + ok.err);
    assert.match(ok.out, /merged 1 result sets into .*: 1 test cases\n {2}1 pass, 0 fail, 0 inconclusive, 0 not applicable, 0 error\ngate: passed/);
    const failed = cli(["merge", pass, fail, error, "--into", join(base, "b")]);
    assert.equal(failed.code, 1, failed.out);
    assert.match(failed.out, /mandatory IMS-REG-002 is fail/);
    const errored = cli(["merge", pass, error, "--into", join(base, "c")]);
    assert.equal(errored.code, 3, errored.out);
    assert.match(errored.out, /^exit 3: /m);
    const twice = cli(["merge", pass, pass, "--into", join(base, "d")]);
    assert.equal(twice.code, 2, twice.out);
    assert.match(twice.out, /1 reported twice \(IMS-REG-001\)/);
    const missing = cli(["merge", pass, join(base, "nothing"), "--into", join(base, "e")]);
    assert.equal(missing.code, 2);
    assert.equal(missing.err, `ims-interop: ${join(base, "nothing")} holds no summary.json (ENOENT): merge takes the reports folders of runs (--reports of each shard)\n`);
  });
});

describe("report --serve", { skip: javaAvailable() ? false : "no Java runtime (install default-jre-headless)" }, () => {
  /** Starts `report --serve`, resolves with its output once it serves. */
  async function serve(reports: string): Promise<{ child: ChildProcess; out: string }> {
    const child = spawn(process.execPath, [BIN, "report", "--serve", "--reports", reports], { cwd: PROJECT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    child.stderr.on("data", (b: Buffer) => (out += b.toString()));
    for (let i = 0; i < 600 && !/serving the report at http/.test(out); i++) {
      if (child.exitCode !== null) throw new Error(`report --serve ended: ${out}`);
      await new Promise((d) => setTimeout(d, 100));
    }
    const exited = new Promise((d) => child.once("exit", d));
    child.kill("SIGTERM");
    await exited;
    return { child, out };
  }

  const trend = async (reports: string): Promise<number> => (JSON.parse(await readFile(join(reports, "allure-report", "history", "history-trend.json"), "utf8")) as unknown[]).length;

  test("a report newer than every result is served as it is (no second history entry); older, it is generated once", { timeout: 180000 }, async () => {
    const reports = await mkdtemp(join(tmpdir(), "ims-interop-serve-"));
    const run = cli(["run", "--profile", FAST, "--tags", "@IMS-REG-002", "--reports", reports, "--report"]);
    assert.equal(run.code, 0, run.out + run.err);
    assert.match(run.out, new RegExp(`serve it with: ims-interop report --serve --reports ${reports}\\)`));
    assert.equal(await trend(reports), 1);
    const fresh = await serve(reports);
    assert.match(fresh.out, /index\.html is newer than every result: serving it as it is/);
    assert.equal(await trend(reports), 1, "no duplicate history entry");
    // A result changed after the report: generated once, then served
    const categories = join(reports, "allure-results", "categories.json");
    await writeFile(categories, (await readFile(categories, "utf8")) + "\n");
    const later = new Date(Date.now() + 5000);
    await utimes(categories, later, later);
    const stale = await serve(reports);
    assert.doesNotMatch(stale.out, /serving it as it is/);
    assert.match(stale.out, /report: .*index\.html/);
    assert.equal(await trend(reports), 2);
  });
});

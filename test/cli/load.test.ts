// `ims-interop load` (issue 17): test cases as many flows against the embedded core; the console's
// figures, load.json and load.html agree with the flows; a fault is counted under what it broke and
// makes the exit code 1; the profile's thresholds decide the exit code; shards merge into one result.
// No timing is asserted.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, describe, test } from "node:test";

const PROJECT = resolve(import.meta.dirname, "../..");
const BIN = join(PROJECT, "bin/ims-interop.mjs");
const FAST = "test/fixtures/profiles/embedded-fast.yaml";

function cli(args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: PROJECT, encoding: "utf8", timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

interface LoadJson {
  format: string;
  testCases: string[];
  flowsStarted: number;
  flowsPassed: number;
  flowsFailed: number;
  result: { counts: Record<string, number>; failures: Record<string, number> };
  failedFlows: { failure: string; reason: string }[];
  figures: { ser?: number; delays: { srd: { count: number } } };
  thresholds: { threshold: string; actual?: number; ok: boolean }[];
  mergedFrom?: string[];
}

/** The fast embedded profile with a load section of thresholds, in `dir`. */
async function profileWithThresholds(dir: string, thresholds: string[]): Promise<string> {
  const file = join(dir, "with-thresholds.yaml");
  await copyFile(join(PROJECT, FAST), file);
  const text = await readFile(file, "utf8");
  await writeFile(file, text.replace("../../../schema/", join(PROJECT, "schema") + "/") + `\nload:\n  thresholds:\n${thresholds.map((t) => `    - "${t}"`).join("\n")}\n`);
  return file;
}

describe("ims-interop load", () => {
  const dirs: string[] = [];
  after(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });
  const scratch = async (): Promise<string> => {
    const d = await mkdtemp(join(tmpdir(), "ims-interop-load-"));
    dirs.push(d);
    return d;
  };

  test("IMS-CALL-001 as 16 flows, 4 at a time: all pass, exit 0, load.json counts every flow once", async () => {
    const reports = await scratch();
    const r = cli(["load", "--profile", FAST, "--tags", "@IMS-CALL-001", "--flows", "16", "--concurrency", "4", "--reports", reports]);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /^16 flows against embedded reference core .*: 16 passed, 0 failed$/m);
    assert.match(r.out, /^ {2}SER 100\.0 %, SEER 100\.0 %, ISA 0\.0 %, SCR 100\.0 %$/m);
    const j = JSON.parse(await readFile(join(reports, "load", "load.json"), "utf8")) as LoadJson;
    assert.equal(j.format, "ims-interop-load-run/1");
    assert.deepEqual(j.testCases, ["IMS-CALL-001"]);
    assert.deepEqual([j.flowsStarted, j.flowsPassed, j.flowsFailed], [16, 16, 0]);
    assert.ok(existsSync(join(reports, "load", "load.html")));
    assert.equal(j.result.counts["invites"], 16);
    assert.equal(j.result.counts["sessionsCompleted"], 16);
    assert.equal(j.figures.delays.srd.count, 16);
    assert.deepEqual(j.result.failures, {});
  });

  test("a fault of the core: every flow fails, counted under the requirement it broke; exit 1", async () => {
    const reports = await scratch();
    const r = cli(["load", "--profile", FAST, "--tags", "@IMS-CALL-001", "--flows", "8", "--concurrency", "4", "--fault", "cseq-mismatch-in-response", "--reports", reports]);
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.out, /^ +8 failed on response\.cseq$/m);
    const j = JSON.parse(await readFile(join(reports, "load", "load.json"), "utf8")) as LoadJson;
    assert.deepEqual(j.result.failures, { "response.cseq": 8 });
    assert.equal(j.flowsFailed, 8);
    assert.ok(j.failedFlows.every((f) => f.failure === "response.cseq"));
  });

  test("thresholds of the profile decide the exit code: met 0, not met 1, each printed with its figure", async () => {
    const dir = await scratch();
    const file = await profileWithThresholds(dir, ["ser >= 99.9", "failed == 0"]);
    const met = cli(["load", "--profile", file, "--tags", "@IMS-CALL-001", "--flows", "4", "--concurrency", "2", "--reports", join(dir, "met")]);
    assert.equal(met.code, 0, met.out + met.err);
    assert.match(met.out, /^ {2}threshold ser >= 99\.9: 100 met$/m);
    assert.match(met.out, /^ {2}threshold failed == 0: 0 met$/m);
    const notMet = cli(["load", "--profile", file, "--tags", "@IMS-CALL-001", "--flows", "4", "--concurrency", "2", "--fault", "cseq-mismatch-in-response", "--reports", join(dir, "not-met")]);
    assert.equal(notMet.code, 1, notMet.out + notMet.err);
    assert.match(notMet.out, /^ {2}threshold ser >= 99\.9: 0 NOT MET$/m);
    assert.match(notMet.out, /^ {2}threshold failed == 0: 4 NOT MET$/m);
    const j = JSON.parse(await readFile(join(dir, "not-met", "load", "load.json"), "utf8")) as LoadJson;
    assert.deepEqual(
      j.thresholds.map((t) => [t.threshold, t.actual, t.ok]),
      [
        ["ser >= 99.9", 0, false],
        ["failed == 0", 4, false],
      ],
    );
  });

  test("two shards at a rate, merged: one load.json with the flows of both and the histograms added", async () => {
    const dir = await scratch();
    const shard = (i: number) =>
      cli(["load", "--profile", FAST, "--tags", "@IMS-REG-001, @IMS-CALL-001", "--ues", "12", "--rate", "20", "--flows", "9", "--shard", `${i}/2`, "--reports", join(dir, `s${i}`)]);
    const [one, two] = [shard(1), shard(2)];
    assert.equal(one.code, 0, one.out + one.err);
    assert.equal(two.code, 0, two.out + two.err);
    assert.match(one.out, /^5 flows against .*: 5 passed, 0 failed$/m);
    assert.match(two.out, /^4 flows against .*: 4 passed, 0 failed$/m);
    const m = cli(["merge", join(dir, "s1"), join(dir, "s2"), "--into", join(dir, "merged")]);
    assert.equal(m.code, 0, m.out + m.err);
    assert.match(m.out, /^merged 2 load results \(1\/2, 2\/2\)/m);
    assert.match(m.out, /^9 flows against .*: 9 passed, 0 failed$/m);
    const [j1, j2, jm] = await Promise.all(["s1", "s2", "merged"].map(async (d) => JSON.parse(await readFile(join(dir, d, "load", "load.json"), "utf8")) as LoadJson));
    assert.equal(jm.flowsStarted, 9);
    assert.deepEqual(jm.mergedFrom, ["1/2", "2/2"]);
    assert.equal(jm.result.counts["registrations"], j1.result.counts["registrations"] + j2.result.counts["registrations"]);
    assert.equal(jm.figures.delays.srd.count, j1.figures.delays.srd.count + j2.figures.delays.srd.count);
    assert.ok(existsSync(join(dir, "merged", "load", "load.html")));
  });

  test("Ctrl-C: no new flow starts, those in flight end, load.json and load.html hold what ran, exit 130", async () => {
    const reports = await scratch();
    const child = spawn(process.execPath, [BIN, "load", "--profile", FAST, "--tags", "@IMS-CALL-001", "--concurrency", "2", "--duration", "10m", "--reports", reports], { cwd: PROJECT });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
    // Interrupted once the run prints its first line (the flows start right after it)
    while (!out.includes("as load with")) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 2000));
    child.kill("SIGINT");
    assert.equal(await exited, 130, out + err);
    assert.match(err, /SIGINT: no new flow starts; the flows in flight end, then what ran is written/);
    const j = JSON.parse(await readFile(join(reports, "load", "load.json"), "utf8")) as LoadJson;
    assert.equal(j.flowsPassed + j.flowsFailed, j.flowsStarted);
    assert.match(out, new RegExp(`^${j.flowsStarted} flows against .*: ${j.flowsPassed} passed, ${j.flowsFailed} failed$`, "m"));
    assert.ok(existsSync(join(reports, "load", "load.html")));
  });

  test("bad input: tags that are not test cases, an unknown fault, zero flows, a bad rate or duration: one line, exit 2", () => {
    const tag = cli(["load", "--tags", "@mandatory and not @IMS-CALL-001"]);
    assert.equal(tag.code, 2);
    assert.match(tag.err, /load takes test cases by identifier: --tags @IMS-CALL-001/);
    const rate = cli(["load", "--tags", "@IMS-CALL-001", "--rate", "fast"]);
    assert.equal(rate.code, 2);
    assert.match(rate.err, /--rate takes flows per second above 0, not "fast"/);
    const duration = cli(["load", "--tags", "@IMS-CALL-001", "--duration", "forever"]);
    assert.equal(duration.code, 2);
    assert.match(duration.err, /--duration takes a time such as 30s, 2m or 500ms, not "forever"/);
    const fault = cli(["load", "--tags", "@IMS-CALL-001", "--fault", "explode"]);
    assert.equal(fault.code, 2);
    assert.match(fault.err, /unknown fault "explode"/);
    const zero = cli(["load", "--tags", "@IMS-CALL-001", "--flows", "0"]);
    assert.equal(zero.code, 2);
  });
});

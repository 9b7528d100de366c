// `ims-interop load` (issue 17, first part): one test case as many flows against the embedded core;
// the console's figures and load.json agree with the flows; a fault is counted under what it broke
// and makes the exit code 1; anything but one test case is bad input. No timing is asserted.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
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
  testCase: string;
  result: { counts: Record<string, number>; failures: Record<string, number> };
  flows: { ok: boolean; failure?: string }[];
  figures: { ser?: number; delays: { srd: { count: number } } };
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
    assert.equal(j.testCase, "IMS-CALL-001");
    assert.equal(j.flows.length, 16);
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
    assert.ok(j.flows.every((f) => !f.ok && f.failure === "response.cseq"));
  });

  test("bad input: more than one test case, an unknown fault, zero flows: one line, exit 2", () => {
    const two = cli(["load", "--tags", "@IMS-CALL-001 or @IMS-MSG-001"]);
    assert.equal(two.code, 2);
    assert.match(two.err, /load needs one test case: --tags @IMS-CALL-001/);
    const fault = cli(["load", "--tags", "@IMS-CALL-001", "--fault", "explode"]);
    assert.equal(fault.code, 2);
    assert.match(fault.err, /unknown fault "explode"/);
    const zero = cli(["load", "--tags", "@IMS-CALL-001", "--flows", "0"]);
    assert.equal(zero.code, 2);
  });
});

// --shard i/n: two shards of the suite run, their results merge into one summary and one Allure
// results folder with every test case present once.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { parseShard, selectShard } from "../../src/runner/shard.ts";

const PROJECT = resolve(import.meta.dirname, "../..");

test("shards partition the test cases deterministically", () => {
  const cases = ["IMS-REG-002", "IMS-CALL-001", "IMS-REG-001", "IMS-MSG-001", "IMS-ROB-003"].map((id) => ({ id }));
  const one = selectShard(cases, { index: 1, total: 2 }).map((c) => c.id);
  const two = selectShard(cases, { index: 2, total: 2 }).map((c) => c.id);
  assert.deepEqual(one, ["IMS-CALL-001", "IMS-REG-001", "IMS-ROB-003"]);
  assert.deepEqual(two, ["IMS-MSG-001", "IMS-REG-002"]);
  assert.deepEqual(parseShard("3/2"), { error: "--shard 3/2: i must be from 1 to n" });
  assert.deepEqual(parseShard("x"), { error: '--shard takes i/n, e.g. 1/2; not "x"' });
});

test("two shards of the suite merge into one result set with every test case once", { timeout: 240000 }, async () => {
  const base = await mkdtemp(join(tmpdir(), "ims-interop-shards-"));
  const dirs = [join(base, "shard-1"), join(base, "shard-2")];
  for (const [i, dir] of dirs.entries()) {
    const r = spawnSync(process.execPath, [join(PROJECT, "bin/ims-interop.mjs"), "run", "--profile", "test/fixtures/profiles/embedded-fast.yaml", "--shard", `${i + 1}/2`, "--reports", dir], {
      cwd: PROJECT,
      encoding: "utf8",
      timeout: 120000,
    });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  }
  const into = join(base, "merged");
  const m = spawnSync(process.execPath, [join(PROJECT, "bin/ims-interop.mjs"), "merge", ...dirs, "--into", into], { cwd: PROJECT, encoding: "utf8" });
  assert.equal(m.status, 0, m.stdout + m.stderr);
  assert.match(m.stdout, /merged 2 result sets into .*: 37 test cases/);
  const summary = JSON.parse(await readFile(join(into, "summary.json"), "utf8")) as { testCases: Array<{ id: string }>; counts: { pass: number } };
  // The three WebRTC test cases are not applicable: embedded-fast.yaml does not claim websocket
  assert.equal(summary.testCases.length, 37);
  assert.equal(new Set(summary.testCases.map((t) => t.id)).size, 37);
  assert.equal(summary.counts.pass, 34);
  // One Allure result per test case (per example of an outline) in the merged folder
  const ids: string[] = [];
  for (const f of (await readdir(join(into, "allure-results"))).filter((f) => f.endsWith("-result.json"))) {
    const r = JSON.parse(await readFile(join(into, "allure-results", f), "utf8")) as { testCaseId: string };
    ids.push(r.testCaseId);
  }
  // IMS-MSG-002 is a scenario outline: one result per example (GSM 7-bit and UCS2), one test case
  assert.equal(ids.length, 38);
  assert.equal(new Set(ids).size, 37);
});

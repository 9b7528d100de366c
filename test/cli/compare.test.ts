// Issue 15, `ims-interop compare` as a user meets it: two releases of a product with a regression
// exit 1 and name it, compare.html and compare.json written under --out; one file, or a file that is
// not a summary.json, is bad input (exit 2, the file named) and writes nothing.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, test } from "node:test";

const PROJECT = resolve(import.meta.dirname, "../..");
const BIN = join(PROJECT, "bin/ims-interop.mjs");

function cli(args: string[], cwd: string): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: "utf8", timeout: 60000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A summary.json as run writes it (the fields compare reads, and some it does not). */
function summary(version: string, date: string, verdicts: Record<string, string>): string {
  return JSON.stringify({
    sut: "process SUT",
    vendor: "Kamailio project",
    product: "kamailio",
    productVersion: version,
    profile: `Kamailio ${version}`,
    date,
    counts: {},
    gate: { passed: true, reasons: [] },
    testCases: Object.entries(verdicts).map(([id, verdict]) => ({ id, name: `test case ${id}`, verdict, level: "mandatory" })),
  });
}

describe("compare", () => {
  test("a regression between two releases: exit 1, the regression line first, compare.html and compare.json written", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ims-interop-compare-"));
    await writeFile(join(dir, "a.json"), summary("5.6", "2026-11-01T10:00:00.000Z", { "IMS-REG-001": "fail", "IMS-REG-005": "pass" }));
    await writeFile(join(dir, "b.json"), summary("5.7", "2026-12-01T10:00:00.000Z", { "IMS-REG-001": "pass", "IMS-REG-005": "fail" }));
    // The newer release first on the command line: the order comes from the dates
    const r = cli(["compare", "b.json", "a.json", "--out", "dir"], dir);
    assert.equal(r.code, 1, r.out + r.err);
    assert.equal(r.err, "");
    const lines = r.out.split("\n");
    const regression = lines.indexOf("regressions: IMS-REG-005 pass -> fail (kamailio 5.6 -> 5.7)");
    const fix = lines.indexOf("fixes: IMS-REG-001 fail -> pass (kamailio 5.6 -> 5.7)");
    assert.ok(regression >= 0 && fix > regression, r.out);
    assert.match(r.out, /^test case +kamailio +kamailio$/m);
    assert.match(r.out, /^ +5\.6 +5\.7$/m);
    assert.match(r.out, /^written: dir\/compare\.html, compare\.json$/m);
    const json = JSON.parse(await readFile(join(dir, "dir", "compare.json"), "utf8")) as { runs: Array<{ version: string }>; counts: Record<string, number> };
    assert.deepEqual(
      json.runs.map((x) => x.version),
      ["5.6", "5.7"],
    );
    assert.deepEqual(json.counts, { regressions: 1, fixes: 1, otherChanges: 0 });
    const html = await readFile(join(dir, "dir", "compare.html"), "utf8");
    assert.match(html, /<td class="verdict-fail regression">fail \(regression\)<\/td>/);

    // Without a regression: exit 0
    const fixed = cli(["compare", "a.json", "a.json", "--out", "same"], dir);
    assert.equal(fixed.code, 0, fixed.out + fixed.err);
    assert.match(fixed.out, /0 regression\(s\), 0 fix\(es\), 0 other change\(s\)/);
  });

  test("bad input: exit 2 and nothing written, for one file, a file that is not a summary and one that is missing", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ims-interop-compare-"));
    await writeFile(join(dir, "a.json"), summary("5.6", "2026-11-01T10:00:00.000Z", { "IMS-REG-001": "pass" }));
    await writeFile(join(dir, "profile.json"), JSON.stringify({ name: "not a summary" }));
    const one = cli(["compare", "a.json", "--out", "out"], dir);
    assert.equal(one.code, 2);
    assert.equal(one.err, "ims-interop: compare needs two summary.json files or more; only a.json given\nsee: ims-interop help compare\n");
    const notSummary = cli(["compare", "a.json", "profile.json", "--out", "out"], dir);
    assert.equal(notSummary.code, 2);
    assert.equal(notSummary.err, "ims-interop: profile.json: is not a summary.json of a run (no testCases list)\n");
    const missing = cli(["compare", "a.json", "gone.json", "--out", "out"], dir);
    assert.equal(missing.code, 2);
    assert.equal(missing.err, "ims-interop: gone.json: cannot be read (ENOENT)\n");
    assert.ok(!existsSync(join(dir, "out")), "nothing written");
  });

  test("help compare: the command, its output and its exit codes", () => {
    const r = cli(["help", "compare"], PROJECT);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^ims-interop compare <summary\.json> <summary\.json>\.\.\. \[--out <dir>\]/);
    assert.match(r.out, /Exit 0 without regression, 1 with one, 2 for bad input/);
  });
});

// `ims-interop interop` as a plugfest runs it (issue 15): two embedded reference cores with their own
// domains, every ordered pair, the matrix written as matrix.json and matrix.html with the gate over
// all pairs and its exit code; an interconnect fault fails exactly its pairs; --pair shards merge
// into the full matrix; bad input is one line and exit 2.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, describe, test } from "node:test";

const PROJECT = resolve(import.meta.dirname, "../..");
const BIN = join(PROJECT, "bin/ims-interop.mjs");
const A = "Embedded reference core";
const B = "Reference core B";
const PROFILES = ["--profiles", "profiles/embedded.yaml", "profiles/embedded-b.yaml"];

function cli(args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: PROJECT, env: process.env, encoding: "utf8", timeout: 240_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

interface MatrixJson {
  gate: { passed: boolean; reasons: string[] };
  counts: { pairs: number; pairsRun: number; pairsNotRun: number };
  networks: { name: string; domain: string }[];
  pairs: { label: string; status: string; worst: string | null; testCases: { id: string; verdict: string; reason?: string }[] }[];
}

async function matrixOf(reports: string): Promise<MatrixJson> {
  return JSON.parse(await readFile(join(reports, "interop", "matrix.json"), "utf8")) as MatrixJson;
}

/** pair label -> test case id -> verdict. */
function verdicts(m: MatrixJson): Record<string, Record<string, string>> {
  return Object.fromEntries(m.pairs.map((p) => [p.label, Object.fromEntries(p.testCases.map((t) => [t.id, t.verdict]))]));
}

const ALL_PASS = { "IMS-IOP-001": "pass", "IMS-IOP-002": "pass", "IMS-IOP-003": "pass" };

describe("ims-interop interop", () => {
  const dirs: string[] = [];
  const scratch = async (): Promise<string> => {
    const d = await mkdtemp(join(tmpdir(), "ims-interop-iop-"));
    dirs.push(d);
    return d;
  };
  after(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  test("two reference cores: every ordered pair passes; the console has a line per pair, matrix.json and matrix.html are written, exit 0", async () => {
    const reports = await scratch();
    const r = cli(["interop", ...PROFILES, "--reports", reports]);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, new RegExp(`^${A} -> ${B}: IMS-IOP-001 pass, IMS-IOP-002 pass, IMS-IOP-003 pass$`, "m"));
    assert.match(r.out, new RegExp(`^${B} -> ${A}: IMS-IOP-001 pass, IMS-IOP-002 pass, IMS-IOP-003 pass$`, "m"));
    assert.match(r.out, /^interop gate: passed \(2 of 2 pairs run\)$/m);
    const m = await matrixOf(reports);
    assert.deepEqual(
      m.networks.map((n) => [n.name, n.domain]),
      [
        [A, "ims.example.test"],
        [B, "ims-b.example.test"],
      ],
    );
    assert.deepEqual(verdicts(m), { [`${A} -> ${B}`]: ALL_PASS, [`${B} -> ${A}`]: ALL_PASS });
    assert.equal(m.gate.passed, true);
    const html = await readFile(join(reports, "interop", "matrix.html"), "utf8");
    assert.match(html, /Gate: <b>passed<\/b>|Gate:\s*<[^>]+>passed/i);
    // One Allure result per pair and test case, under the pair's parentSuite, carrying the pair as a parameter
    const results = await readdir(join(reports, "allure-results"));
    const parsed = await Promise.all(
      results
        .filter((f) => f.endsWith("-result.json"))
        .map(
          async (f) =>
            JSON.parse(await readFile(join(reports, "allure-results", f), "utf8")) as { labels: { name: string; value: string }[]; parameters: { name: string; value: string }[]; testCaseId: string },
        ),
    );
    const seen = parsed.map((x) => `${x.labels.find((l) => l.name === "parentSuite")?.value} | ${x.testCaseId} | ${x.parameters.find((p) => p.name === "pair")?.value}`).sort();
    assert.deepEqual(seen, [
      `${A} -> ${B} | IMS-IOP-001 | ${A} -> ${B}`,
      `${A} -> ${B} | IMS-IOP-002 | ${A} -> ${B}`,
      `${A} -> ${B} | IMS-IOP-003 | ${A} -> ${B}`,
      `${B} -> ${A} | IMS-IOP-001 | ${B} -> ${A}`,
      `${B} -> ${A} | IMS-IOP-002 | ${B} -> ${A}`,
      `${B} -> ${A} | IMS-IOP-003 | ${B} -> ${A}`,
    ]);
    assert.equal(existsSync(join(reports, "interop", "pairs")), false, "the per-pair scratch folders are removed");
  });

  test("--fault 2:reject-foreign-domain: only the pairs that network originates fail, named in the gate; exit 1", async () => {
    const reports = await scratch();
    const r = cli(["interop", ...PROFILES, "--fault", "2:reject-foreign-domain", "--reports", reports]);
    assert.equal(r.code, 1, r.out + r.err);
    const m = await matrixOf(reports);
    assert.deepEqual(verdicts(m), {
      [`${A} -> ${B}`]: ALL_PASS,
      [`${B} -> ${A}`]: { "IMS-IOP-001": "fail", "IMS-IOP-002": "fail", "IMS-IOP-003": "fail" },
    });
    assert.equal(m.gate.passed, false);
    assert.deepEqual(
      m.gate.reasons,
      [1, 2, 3].map((n) => `${B} -> ${A}: mandatory IMS-IOP-00${n} is fail`),
    );
    assert.match(r.out, new RegExp(`^FAIL +${B} -> ${A}: IMS-IOP-002 Message across networks \\(Expected: a MESSAGE for UE-B`, "m"));
  });

  test("--pair 1/2 and 2/2 each run one pair; merge rebuilds the full matrix and its gate", async () => {
    const [s1, s2, into] = [await scratch(), await scratch(), await scratch()];
    for (const [i, dir] of [
      [1, s1],
      [2, s2],
    ] as const) {
      const r = cli(["interop", ...PROFILES, "--pair", `${i}/2`, "--reports", dir]);
      assert.equal(r.code, 0, r.out + r.err);
      const m = await matrixOf(dir);
      assert.deepEqual(
        m.pairs.map((p) => p.status),
        i === 1 ? ["ran", "not run in this run"] : ["not run in this run", "ran"],
      );
    }
    const r = cli(["merge", s1, s2, "--into", into]);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /^interop gate: passed \(2 of 2 pairs run\)$/m);
    const m = await matrixOf(into);
    assert.deepEqual(verdicts(m), { [`${A} -> ${B}`]: ALL_PASS, [`${B} -> ${A}`]: ALL_PASS });
    assert.equal((await readdir(join(into, "allure-results"))).filter((f) => f.endsWith("-result.json")).length, 6);
    assert.ok(existsSync(join(into, "interop", "matrix.html")));
    // A shard merged twice: the pair is in two inputs
    const twice = cli(["merge", s1, s1, "--into", await scratch()]);
    assert.equal(twice.code, 2, twice.out + twice.err);
  });

  test("SIGINT after the first verdict: exit 130, matrix.json and matrix.html of what ran, the interruption in the gate", async () => {
    const reports = await scratch();
    const child = spawn(process.execPath, [BIN, "interop", ...PROFILES, "--reports", reports], { cwd: PROJECT, env: process.env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    child.stderr.on("data", (b: Buffer) => (err += b.toString()));
    const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
    const until = Date.now() + 120_000;
    while (!/^PASS +/m.test(out)) {
      if (Date.now() > until || child.exitCode !== null) assert.fail(`no verdict line:\n${out}\n${err}`);
      await new Promise((d) => setTimeout(d, 50));
    }
    child.kill("SIGINT");
    assert.equal(await exited, 130, out + err);
    const m = await matrixOf(reports);
    assert.equal(m.gate.passed, false);
    assert.ok(
      m.gate.reasons.some((r) => /interrupted by SIGINT/.test(r)),
      m.gate.reasons.join("\n"),
    );
    const all = m.pairs.flatMap((p) => p.testCases);
    assert.ok(
      all.some((t) => t.verdict === "pass"),
      "what ran before the signal keeps its verdict",
    );
    assert.ok(existsSync(join(reports, "interop", "matrix.html")));
  });

  test("bad input: one profile, two networks with one domain, an unknown fault: one line, exit 2, nothing run", () => {
    const one = cli(["interop", "--profiles", "profiles/embedded.yaml"]);
    assert.equal(one.code, 2);
    assert.match(one.err, /interop needs two profiles or more/);
    const same = cli(["interop", "--profiles", "profiles/embedded.yaml", "profiles/embedded.yaml"]);
    assert.equal(same.code, 2);
    assert.match(same.err, /^ims-interop: profiles\/embedded\.yaml and profiles\/embedded\.yaml both serve the domain ims\.example\.test/);
    const fault = cli(["interop", ...PROFILES, "--fault", "2:lose-everything"]);
    assert.equal(fault.code, 2);
    assert.match(fault.err, /unknown fault "lose-everything"/);
    const none = cli(["interop", ...PROFILES, "--tags", "@IMS-CALL-001"]);
    assert.equal(none.code, 2);
    assert.match(none.err, /--tags @IMS-CALL-001 selects no interop test case/);
    const pair = cli(["interop", ...PROFILES, "--pair", "3/2"]);
    assert.equal(pair.code, 2);
    assert.match(pair.err, /--pair 3\/2: i must be from 1 to n/);
  });
});

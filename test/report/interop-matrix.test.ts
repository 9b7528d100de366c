// Issue 15, the vendor x vendor interoperability matrix: rows the originating network, columns the
// terminating one, a cell per ordered pair with its test cases' verdicts (the diagonal empty, a
// pair this run did not run "not run in this run"), the gate over all pairs, matrix.json and its
// merge from shards, the console lines, and matrix.html as a browser shows it: the failing pair's
// cell red, the badges labelled for assistive technology, each badge a link that opens that pair's
// test result in a real generated Allure report.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { type Locator, chromium } from "playwright-core";
import { generateReport, javaAvailable, serveDirectory } from "../../src/report/allure-report.ts";
import {
  CELL_BACKGROUND,
  MATRIX_FORMAT,
  MatrixInputError,
  NOT_RUN_IN_THIS_RUN,
  allureLinkIndex,
  cellAt,
  interopMatrix,
  matrixConsoleLines,
  matrixExitCode,
  matrixHtml,
  matrixJson,
  mergeMatrices,
  readMatrixJson,
} from "../../src/report/interop-matrix.ts";
import type { InteropNetwork, InteropPair, InteropResult } from "../../src/runner/interop-result.ts";
import { orderedPairs, pairLabel } from "../../src/runner/interop-result.ts";
import type { TestCaseResult } from "../../src/runner/run-suite.ts";
import { type TestCase, testCaseFromTags } from "../../src/runner/test-case.ts";
import { VERDICTS, type Verdict } from "../../src/runner/verdict.ts";

const CHROMIUM = "/usr/bin/chromium";

/** The page's window as far as these tests use it (the project compiles without the DOM library). */
interface PageWindow {
  getComputedStyle(element: unknown): { getPropertyValue(property: string): string };
}

/** A CSS property as the browser computed it for the element. */
async function computed(locator: Locator, property: string): Promise<string> {
  return locator.evaluate((el: unknown, p: string) => (globalThis as unknown as PageWindow).getComputedStyle(el).getPropertyValue(p), property);
}

function javaSkip(): string | false {
  if (javaAvailable()) return false;
  if (process.env["CI"]) throw new Error("java (Debian package default-jre-headless) is not installed, and CI must not skip this test");
  return "java (Debian package default-jre-headless) is not installed";
}

function browserSkip(): string | false {
  const missing = !existsSync(CHROMIUM) ? "chromium (Debian package chromium) is not installed" : !javaAvailable() ? "java (Debian package default-jre-headless) is not installed" : undefined;
  if (!missing) return false;
  if (process.env["CI"]) throw new Error(`${missing}, and CI must not skip this test`);
  return missing;
}

function testCase(tags: string, name: string): TestCase {
  const tc = testCaseFromTags(tags.split(" "), name, "Interoperability between networks", "features/interop/interop.feature", 5);
  if ("error" in tc) throw new Error(tc.error);
  return tc;
}

const IOP_001 = testCase("@IMS-IOP-001 @mandatory @ref=TS24.229-5.1.3", "Basic call between networks");
const IOP_002 = testCase("@IMS-IOP-002 @mandatory @ref=TS24.229-5.1.4", "Call with ringing across the interconnect");
const IOP_003 = testCase("@IMS-IOP-003 @optional @pics:sms-over-ip @ref=RFC3428-10", "MESSAGE between networks");
const CASES = [IOP_001, IOP_002, IOP_003];

function network(name: string, vendor: string, product: string, productVersion: string, domain: string): InteropNetwork {
  return { name, vendor, product, productVersion, domain, profileFile: `profiles/${name}.yaml`, sut: `${product} at UDP 127.0.0.1:25060` };
}

const NETWORKS = [
  network("ims-core-a", "ims-interop", "reference-core", "0.1.0", "a.ims.test"),
  network("kamailio", "Kamailio project", "kamailio", "5.7.4", "b.ims.test"),
  network("open5gs", "Open5GS", "open5gs-ims", "2.7.2", "c.ims.test"),
];

const RINGING = "Expected: 180 Ringing before 200 OK\nReceived: 480 Temporarily Unavailable";
const NA = 'PICS "sms-over-ip" not claimed by the profile of kamailio';

type Given = Verdict | { verdict: Verdict; reason?: string; notRun?: true };

function pair(networks: readonly InteropNetwork[], originating: number, terminating: number, verdicts: readonly Given[]): InteropPair {
  const results: TestCaseResult[] = verdicts.map((g, i) => {
    const v = typeof g === "string" ? { verdict: g } : g;
    return { testCase: CASES[i], verdict: v.verdict, ...(v.reason ? { reason: v.reason } : {}), ...(v.notRun ? { notRun: true as const } : {}), durationMs: 10 };
  });
  const counts = Object.fromEntries(VERDICTS.map((v) => [v, results.filter((r) => r.verdict === v).length])) as Record<Verdict, number>;
  return { originating, terminating, label: pairLabel(networks[originating].name, networks[terminating].name), results, counts };
}

/** 3 networks, 6 ordered pairs: ims-core-a -> kamailio fails mandatory IMS-IOP-002, kamailio terminates no SMS (not applicable), open5gs -> ims-core-a missing. */
function fullResult(): InteropResult {
  const pairs = [
    pair(NETWORKS, 0, 1, ["pass", { verdict: "fail", reason: RINGING }, { verdict: "not-applicable", reason: NA }]),
    pair(NETWORKS, 0, 2, ["pass", "pass", "pass"]),
    pair(NETWORKS, 1, 0, ["pass", "pass", "pass"]),
    pair(NETWORKS, 1, 2, ["pass", "pass", "pass"]),
    pair(NETWORKS, 2, 1, ["pass", "pass", { verdict: "not-applicable", reason: NA }]),
  ];
  return { networks: NETWORKS, pairs, pairCount: 6, durationMs: 5000, startedAt: "2026-12-07T04:00:00.000Z" };
}

/** The i-th of n shards of a result (`--pair i/n`: position k when k % n == i - 1). */
function shard(r: InteropResult, i: number, n: number): InteropResult {
  const positions = orderedPairs(r.networks.length).map((p) => `${p.originating} ${p.terminating}`);
  return { ...r, pairs: r.pairs.filter((p) => positions.indexOf(`${p.originating} ${p.terminating}`) % n === i - 1) };
}

describe("interopMatrix: the model", () => {
  test("networks, the union of test cases, a cell per ordered pair with verdicts, worst verdict and counts; the diagonal empty; a missing pair not run", () => {
    const m = interopMatrix(fullResult());
    assert.deepEqual(m.networks[1], { name: "kamailio", vendor: "Kamailio project", product: "kamailio", version: "5.7.4", domain: "b.ims.test", sut: "kamailio at UDP 127.0.0.1:25060" });
    assert.deepEqual(
      m.testCases.map((tc) => [tc.id, tc.level]),
      [
        ["IMS-IOP-001", "mandatory"],
        ["IMS-IOP-002", "mandatory"],
        ["IMS-IOP-003", "optional"],
      ],
    );
    assert.equal(m.pairs.length, 6);
    for (let i = 0; i < 3; i++) assert.equal(cellAt(m, i, i), undefined, "a network is not paired with itself");
    const failing = cellAt(m, 0, 1)!;
    assert.equal(failing.label, "ims-core-a -> kamailio");
    assert.equal(failing.status, "ran");
    assert.equal(failing.worst, "fail");
    assert.deepEqual(failing.verdicts, [
      { id: "IMS-IOP-001", verdict: "pass" },
      { id: "IMS-IOP-002", verdict: "fail", reason: "Expected: 180 Ringing before 200 OK" },
      { id: "IMS-IOP-003", verdict: "not-applicable", reason: NA },
    ]);
    assert.deepEqual(failing.counts, { pass: 1, fail: 1, inconclusive: 0, "not-applicable": 1, error: 0 });
    assert.equal(cellAt(m, 2, 1)!.worst, "pass", "not applicable is below pass (verdict.ts worse)");
    const missing = cellAt(m, 2, 0)!;
    assert.equal(missing.status, NOT_RUN_IN_THIS_RUN);
    assert.equal(missing.label, "open5gs -> ims-core-a");
    assert.deepEqual(missing.verdicts, []);
    assert.equal(missing.worst, undefined, "no verdict: not a pass, not a fail");
  });

  test("the gate fails on a mandatory test case failed in any pair, naming the pair and the case; a missing pair does not fail it", () => {
    const m = interopMatrix(fullResult());
    assert.deepEqual(m.gate, { passed: false, reasons: ["ims-core-a -> kamailio: mandatory IMS-IOP-002 is fail"] });
    assert.equal(matrixExitCode(m), 1);
    const fixed = fullResult();
    const passing = interopMatrix({ ...fixed, pairs: [pair(NETWORKS, 0, 1, ["pass", "pass", { verdict: "not-applicable", reason: NA }]), ...fixed.pairs.slice(1)] });
    assert.deepEqual(passing.gate, { passed: true, reasons: [] });
    assert.equal(matrixExitCode(passing), 0);
    // Optional failures do not fail it; an inconclusive or error mandatory one does (exit 3: not the SUTs')
    const mixed = interopMatrix({
      ...fixed,
      pairs: [pair(NETWORKS, 0, 1, ["inconclusive", "pass", "fail"]), pair(NETWORKS, 1, 2, ["pass", { verdict: "error", reason: "the SUT is unreachable" }, "pass"])],
    });
    assert.deepEqual(mixed.gate.reasons, ["ims-core-a -> kamailio: mandatory IMS-IOP-001 is inconclusive", "kamailio -> open5gs: mandatory IMS-IOP-002 is error"]);
    assert.equal(matrixExitCode(mixed), 3);
    assert.equal(cellAt(mixed, 1, 2)!.worst, "error");
  });

  test("an interrupted run: the pair with test cases not run fails the gate, and so does the interruption", () => {
    const r = fullResult();
    const notRun = { verdict: "error" as const, reason: "not run: the run was interrupted by SIGINT before this test case started", notRun: true as const };
    const m = interopMatrix({ ...r, interrupted: "interrupted by SIGINT", pairs: [...r.pairs.slice(1, 3), pair(NETWORKS, 1, 2, ["pass", "pass", notRun])] });
    assert.deepEqual(m.gate.reasons, ["the run was interrupted by SIGINT: 1 test case(s) did not run", "kamailio -> open5gs: 1 test case(s) did not run"]);
    assert.deepEqual(cellAt(m, 1, 2)!.verdicts[2], { id: "IMS-IOP-003", verdict: "error", reason: notRun.reason, notRun: true });
    assert.equal(matrixExitCode(m), 3);
    assert.equal(matrixConsoleLines(m)[3], "kamailio -> open5gs: IMS-IOP-001 pass, IMS-IOP-002 pass, IMS-IOP-003 not run");
  });
});

describe("matrix.json", () => {
  test("the date, the networks, the test cases, every ordered pair with names, indexes, status and verdicts, the gate", () => {
    const j = JSON.parse(matrixJson(interopMatrix(fullResult()))) as Record<string, unknown>;
    assert.equal(j["format"], MATRIX_FORMAT);
    assert.equal(j["date"], "2026-12-07T04:00:00.000Z");
    assert.deepEqual(j["gate"], { passed: false, reasons: ["ims-core-a -> kamailio: mandatory IMS-IOP-002 is fail"] });
    assert.deepEqual(j["counts"], { pairs: 6, pairsRun: 5, pairsNotRun: 1, verdicts: { pass: 12, fail: 1, inconclusive: 0, "not-applicable": 2, error: 0 } });
    assert.deepEqual((j["networks"] as unknown[])[2], {
      index: 2,
      name: "open5gs",
      vendor: "Open5GS",
      product: "open5gs-ims",
      productVersion: "2.7.2",
      domain: "c.ims.test",
      sut: "open5gs-ims at UDP 127.0.0.1:25060",
    });
    assert.deepEqual((j["testCases"] as unknown[])[2], { id: "IMS-IOP-003", name: "MESSAGE between networks", level: "optional" });
    const pairs = j["pairs"] as Record<string, unknown>[];
    assert.deepEqual(
      pairs.map((p) => [p["label"], p["originatingIndex"], p["terminatingIndex"], p["status"], p["worst"]]),
      [
        ["ims-core-a -> kamailio", 0, 1, "ran", "fail"],
        ["ims-core-a -> open5gs", 0, 2, "ran", "pass"],
        ["kamailio -> ims-core-a", 1, 0, "ran", "pass"],
        ["kamailio -> open5gs", 1, 2, "ran", "pass"],
        ["open5gs -> ims-core-a", 2, 0, NOT_RUN_IN_THIS_RUN, null],
        ["open5gs -> kamailio", 2, 1, "ran", "pass"],
      ],
    );
    assert.equal(pairs[0]["originating"], "ims-core-a");
    assert.equal(pairs[0]["terminating"], "kamailio");
    assert.deepEqual(pairs[0]["testCases"], [
      { id: "IMS-IOP-001", verdict: "pass" },
      { id: "IMS-IOP-002", verdict: "fail", reason: "Expected: 180 Ringing before 200 OK" },
      { id: "IMS-IOP-003", verdict: "not-applicable", reason: NA },
    ]);
    assert.deepEqual(pairs[4]["testCases"], []);
    assert.equal(j["interrupted"], undefined);
  });

  test("readMatrixJson gives the model back; a file that is no matrix.json is a MatrixInputError naming it", () => {
    const m = interopMatrix(fullResult());
    assert.deepEqual(readMatrixJson(matrixJson(m), "a/matrix.json"), { ...m, file: "a/matrix.json" });
    assert.throws(
      () => readMatrixJson("{", "x.json"),
      (e: Error) => e instanceof MatrixInputError && /^x\.json: is not a matrix\.json of an interop run \(not JSON\)$/.test(e.message),
    );
    assert.throws(
      () => readMatrixJson(JSON.stringify({ testCases: [], gate: { passed: true, reasons: [] } }), "reports/summary.json"),
      (e: Error) => e instanceof MatrixInputError && /^reports\/summary\.json: .*format null, expected "ims-interop-matrix\/1"/.test(e.message),
    );
    const j = JSON.parse(matrixJson(m)) as { pairs: { testCases: { verdict: string }[] }[] };
    j.pairs[0].testCases[1].verdict = "failed";
    assert.throws(() => readMatrixJson(JSON.stringify(j), "y.json"), /^MatrixInputError: y\.json: .*IMS-IOP-002 of pair ims-core-a -> kamailio has verdict "failed"/);
  });
});

describe("mergeMatrices: the shards' matrix.json into the run's", () => {
  const full = interopMatrix(fullResult());
  const read = (r: InteropResult, file: string): ReturnType<typeof readMatrixJson> => readMatrixJson(matrixJson(interopMatrix(r)), file);

  test("two shards (--pair 1/2, 2/2) merge into the matrix of the whole run, gate recomputed, in any order", () => {
    const one = read(shard(fullResult(), 1, 2), "shard-1/interop/matrix.json");
    const two = read(shard(fullResult(), 2, 2), "shard-2/interop/matrix.json");
    assert.ok(one.gate.passed !== two.gate.passed, "only one shard has the failing pair");
    assert.deepEqual(mergeMatrices([one, two]), full);
    assert.deepEqual(mergeMatrices([two, one]), full);
    assert.equal(matrixJson(mergeMatrices([one, two])), matrixJson(full));
  });

  test("networks that differ are a MatrixInputError naming the file and the difference", () => {
    const one = read(shard(fullResult(), 1, 2), "shard-1/matrix.json");
    const moved = NETWORKS.map((n, i) => (i === 1 ? { ...n, domain: "kamailio.other.test" } : n));
    const other = read({ ...shard(fullResult(), 2, 2), networks: moved }, "shard-2/matrix.json");
    assert.throws(
      () => mergeMatrices([one, other]),
      (e: Error) =>
        e instanceof MatrixInputError &&
        e.message ===
          "shard-2/matrix.json: not the networks of shard-1/matrix.json: network 2 is kamailio (kamailio.other.test), in shard-1/matrix.json kamailio (b.ims.test); the shards of one interop run have the same networks",
    );
    const fewer = read({ ...fullResult(), networks: NETWORKS.slice(0, 2), pairs: [pair(NETWORKS, 0, 1, ["pass"])] }, "shard-3/matrix.json");
    assert.throws(() => mergeMatrices([one, fewer]), /^MatrixInputError: shard-3\/matrix\.json: not the networks of shard-1\/matrix\.json: 2 networks \(ims-core-a \(a\.ims\.test\), kamailio/);
  });

  test("a pair in two inputs is an error naming the pair and both files", () => {
    const one = read(shard(fullResult(), 1, 2), "shard-1/matrix.json");
    const again = read(fullResult(), "full/matrix.json");
    assert.throws(
      () => mergeMatrices([one, again]),
      (e: Error) => e instanceof MatrixInputError && e.message === "full/matrix.json: pair ims-core-a -> kamailio is also in shard-1/matrix.json: each pair comes from one shard",
    );
    assert.throws(() => mergeMatrices([]), MatrixInputError);
  });
});

describe("matrixConsoleLines", () => {
  test("a line per pair, then the gate", () => {
    assert.deepEqual(matrixConsoleLines(interopMatrix(fullResult())), [
      "ims-core-a -> kamailio: IMS-IOP-001 pass, IMS-IOP-002 fail, IMS-IOP-003 not-applicable",
      "ims-core-a -> open5gs: IMS-IOP-001 pass, IMS-IOP-002 pass, IMS-IOP-003 pass",
      "kamailio -> ims-core-a: IMS-IOP-001 pass, IMS-IOP-002 pass, IMS-IOP-003 pass",
      "kamailio -> open5gs: IMS-IOP-001 pass, IMS-IOP-002 pass, IMS-IOP-003 pass",
      `open5gs -> ims-core-a: ${NOT_RUN_IN_THIS_RUN}`,
      "open5gs -> kamailio: IMS-IOP-001 pass, IMS-IOP-002 pass, IMS-IOP-003 not-applicable",
      "interop gate: FAILED (5 of 6 pairs run, 1 not run in this run): ims-core-a -> kamailio: mandatory IMS-IOP-002 is fail",
    ]);
  });
});

describe("matrixHtml", () => {
  test("everything escaped: a reason with <script> and an ESC character neither runs nor breaks the page", () => {
    const r = fullResult();
    const evil = '<script>alert("x")</script>\x1b[2J\x07 & done';
    const m = interopMatrix({ ...r, pairs: [pair(NETWORKS, 0, 1, ["pass", { verdict: "fail", reason: evil }])] });
    const html = matrixHtml(m);
    assert.ok(!html.includes("<script"), "no script element");
    // eslint-disable-next-line no-control-regex
    assert.ok(!/[\x00-\x08\x0b-\x1f\x7f]/.test(html), "no control character but LF and tab");
    assert.ok(html.includes("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;\\x1b[2J\\x07 &amp; done"), "the reason shown, escaped, in the tooltip");
    assert.match(html, /<span class="badge verdict-fail" title="IMS-IOP-002 Call with ringing across the interconnect: fail\n&lt;script&gt;/);
    assert.ok(html.includes('aria-label="UE of ims-core-a calls UE of kamailio: IMS-IOP-002 fail"'));
  });
});

/** An Allure result as the interop run writes it: parentSuite the pair, testCaseId the IMS id, the pair as a parameter. */
async function allureResult(dir: string, uuid: string, pairName: string, tc: TestCase, status: string, start: number): Promise<void> {
  const result = {
    uuid,
    name: `${tc.id} ${tc.name}`,
    fullName: `${tc.uri}:${tc.line}`,
    testCaseId: tc.id,
    historyId: `${tc.id}@${pairName}`,
    status,
    stage: "finished",
    statusDetails: status === "passed" ? {} : { message: `fail: ${RINGING}` },
    labels: [
      { name: "parentSuite", value: pairName },
      { name: "suite", value: tc.feature },
      { name: "testCaseId", value: tc.id },
    ],
    // Without the pair as a parameter Allure 2 takes the same testCaseId in two pairs for retries of one test
    parameters: [{ name: "pair", value: pairName }],
    links: [],
    steps: [],
    attachments: [],
    start,
    stop: start + 1000,
  };
  await writeFile(join(dir, `${uuid}-result.json`), JSON.stringify(result));
}

/** reports/allure-results with the interop results of two pairs (and a retry), generated into reports/allure-report. */
async function generatedReport(): Promise<string> {
  const reports = await mkdtemp(join(tmpdir(), "ims-interop-matrix-"));
  const results = join(reports, "allure-results");
  await mkdir(results, { recursive: true });
  const t = Date.parse("2026-12-07T04:00:00Z");
  await allureResult(results, "0a1b2c3d-0000-4000-8000-000000000001", "ims-core-a -> kamailio", IOP_002, "broken", t);
  await allureResult(results, "0a1b2c3d-0000-4000-8000-000000000002", "ims-core-a -> kamailio", IOP_002, "failed", t + 5000);
  await allureResult(results, "0a1b2c3d-0000-4000-8000-000000000003", "kamailio -> ims-core-a", IOP_002, "passed", t + 10000);
  await allureResult(results, "0a1b2c3d-0000-4000-8000-000000000004", "ims-core-a -> kamailio", IOP_001, "passed", t + 15000);
  const g = await generateReport(results, join(reports, "allure-report"));
  assert.ok(g.ok, g.message);
  return reports;
}

describe("allureLinkIndex", () => {
  test("a hand-made report's data: the link of a pair's test case, relative to reports/interop; none for what the report lacks", async (t) => {
    const reports = await mkdtemp(join(tmpdir(), "ims-interop-matrix-links-"));
    t.after(() => rm(reports, { recursive: true, force: true }));
    const data = join(reports, "allure-report", "data", "test-cases");
    await mkdir(data, { recursive: true });
    const tc = (uid: string, suite: string, name: string, hidden: boolean, labels: { name: string; value: string }[] = []): string =>
      JSON.stringify({ uid, name, hidden, labels: [{ name: "parentSuite", value: suite }, ...labels] });
    await writeFile(join(data, "a1.json"), tc("a1", "ims-core-a -> kamailio", "IMS-IOP-002 Call", true, [{ name: "testCaseId", value: "IMS-IOP-002" }]));
    await writeFile(join(data, "b2.json"), tc("b2", "ims-core-a -> kamailio", "IMS-IOP-002 Call", false, [{ name: "testCaseId", value: "IMS-IOP-002" }]));
    await writeFile(join(data, "c3.json"), tc("c3", "kamailio -> ims-core-a", "IMS-IOP-002 Call", false));
    const links = await allureLinkIndex(join(reports, "allure-report"));
    assert.equal(links("ims-core-a -> kamailio", "IMS-IOP-002"), "../allure-report/index.html#testresult/b2", "the shown result, not the retry it hides");
    assert.equal(links("kamailio -> ims-core-a", "IMS-IOP-002"), "../allure-report/index.html#testresult/c3", "the id from the name when there is no testCaseId label");
    assert.equal(links("ims-core-a -> open5gs", "IMS-IOP-002"), undefined);
    assert.equal(links("ims-core-a -> kamailio", "IMS-IOP-001"), undefined);
    const none = await allureLinkIndex(join(reports, "no-report"));
    assert.equal(none("ims-core-a -> kamailio", "IMS-IOP-002"), undefined, "no report (no Java): no link");
  });

  test("a report generated by Allure: each pair's test case links to its own result, the latest of its retries", { skip: javaSkip(), timeout: 120_000 }, async (t) => {
    const reports = await generatedReport();
    t.after(() => rm(reports, { recursive: true, force: true }));
    const dir = join(reports, "allure-report", "data", "test-cases");
    const uids = new Map<string, string>();
    for (const f of await readdir(dir)) {
      const r = JSON.parse(await readFile(join(dir, f), "utf8")) as { uid: string; status: string; hidden: boolean; labels: { name: string; value: string }[] };
      uids.set(`${r.labels.find((l) => l.name === "parentSuite")!.value} ${r.status}${r.hidden ? " hidden" : ""}`, r.uid);
    }
    assert.equal(uids.size, 4, [...uids.keys()].join(", "));
    assert.ok(uids.has("ims-core-a -> kamailio broken hidden"), "the earlier run of the same test case and pair is a retry");
    const links = await allureLinkIndex(join(reports, "allure-report"));
    assert.equal(links("ims-core-a -> kamailio", "IMS-IOP-002"), `../allure-report/index.html#testresult/${uids.get("ims-core-a -> kamailio failed")}`);
    assert.equal(links("kamailio -> ims-core-a", "IMS-IOP-002"), `../allure-report/index.html#testresult/${uids.get("kamailio -> ims-core-a passed")}`);
    assert.equal(links("open5gs -> kamailio", "IMS-IOP-002"), undefined);
  });
});

describe("matrix.html in Chromium", { skip: browserSkip() }, () => {
  test("the failing pair's cell is red, badges are labelled, the diagonal is empty, a badge opens the pair's test result in the Allure report", { timeout: 180_000 }, async (t) => {
    const reports = await generatedReport();
    t.after(() => rm(reports, { recursive: true, force: true }));
    const interop = join(reports, "interop");
    await mkdir(interop, { recursive: true });
    const m = interopMatrix(fullResult());
    await writeFile(join(interop, "matrix.html"), matrixHtml(m, { allureLinks: await allureLinkIndex(join(reports, "allure-report")) }));
    await writeFile(join(interop, "matrix.json"), matrixJson(m));
    // The Allure 2 app does not load from file://: both pages from one server of the reports folder
    const { server, url } = await serveDirectory(reports);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      await page.goto(`${url}interop/matrix.html`);
      assert.match(await page.locator("#gate").innerText(), /Gate: FAILED\s+ims-core-a -> kamailio: mandatory IMS-IOP-002 is fail/);
      assert.match(await page.locator("#date").innerText(), /Run started 2026-12-07 04:00:00 UTC/);

      // The cell of the failing pair: red, as its worst verdict
      const failing = page.locator('td[data-pair="ims-core-a -> kamailio"]');
      const rgb = (hex: string): string => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(", ")})`;
      assert.equal(await computed(failing, "background-color"), rgb(CELL_BACKGROUND.fail));
      assert.equal(await computed(page.locator('td[data-pair="ims-core-a -> open5gs"]'), "background-color"), rgb(CELL_BACKGROUND.pass));
      const [r, g, b] = rgb(CELL_BACKGROUND.fail).match(/\d+/g)!.map(Number);
      assert.ok(r > 200 && g < r - 40 && b < r - 40, `red: ${rgb(CELL_BACKGROUND.fail)}`);

      // Rows originating, columns terminating, headed by name, product version and domain
      const rows = page.locator("table#matrix tbody tr");
      assert.equal(await rows.count(), 3);
      assert.match(await page.locator("table#matrix thead th[scope=col]").nth(2).innerText(), /kamailio\s+Kamailio project kamailio 5\.7\.4\s+b\.ims\.test/);
      assert.match(await rows.nth(0).locator("th[scope=row]").innerText(), /^ims-core-a/);
      for (let i = 0; i < 3; i++) {
        const diagonal = rows
          .nth(i)
          .locator("> *")
          .nth(i + 1);
        assert.equal(await diagonal.getAttribute("class"), "self");
        assert.equal(await diagonal.innerText(), "", "the diagonal is empty");
      }
      assert.equal(await rows.nth(0).locator("> td").nth(1).getAttribute("data-pair"), "ims-core-a -> kamailio", "row ims-core-a, column kamailio");
      assert.equal((await page.locator('td[data-pair="open5gs -> ims-core-a"]').innerText()).trim(), NOT_RUN_IN_THIS_RUN);

      // The badges, by their accessible names; the fail one links to the Allure report, the tooltip gives the reason
      const badge = page.getByLabel("UE of ims-core-a calls UE of kamailio: IMS-IOP-002 fail", { exact: true });
      assert.equal(await badge.count(), 1);
      assert.equal(await badge.getAttribute("title"), "IMS-IOP-002 Call with ringing across the interconnect: fail\nExpected: 180 Ringing before 200 OK");
      assert.equal(await computed(badge, "background-color"), "rgb(198, 40, 40)");
      assert.equal(await page.locator('span[aria-label="UE of open5gs calls UE of kamailio: IMS-IOP-003 not-applicable"]').count(), 1, "no Allure result: no link");
      assert.equal(await badge.evaluate((el: unknown, p: string) => (el as { matches(s: string): boolean }).matches(p), "a[href]"), true);

      // The link opens that pair's test result (not the other pair's, not the hidden retry)
      await badge.click();
      await page.waitForURL(/\/allure-report\/index\.html#testresult\/[0-9a-f]+$/);
      await page.getByText("pair: ims-core-a -> kamailio").waitFor({ timeout: 30_000 });
      const shown = await page.locator("body").innerText();
      assert.match(shown, /Failed\s+IMS-IOP-002 Call with ringing across the interconnect/);
      assert.doesNotMatch(shown, /404 Not Found/);
      await page.goBack();
      await page.getByLabel("UE of kamailio calls UE of ims-core-a: IMS-IOP-002 pass", { exact: true }).click();
      await page.getByText("pair: kamailio -> ims-core-a").waitFor({ timeout: 30_000 });
      assert.match(await page.locator("body").innerText(), /Passed\s+IMS-IOP-002 Call with ringing across the interconnect/);
    } finally {
      await browser.close();
      server.close();
    }
  });
});

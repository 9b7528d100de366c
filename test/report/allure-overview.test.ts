// Issue 11, items 1, 2, 6 and 7: what the Allure results and the HTML report show first.
// - finishAllureResults: the gate and the SUT first in environment.properties; per test case the SUT,
//   vendor, product, profile, PICS and a declared known deviation as parameters and in the
//   description, the tag "known deviation" (verdict unchanged); suites by area then feature; links
//   to the clause (RFCs) or named with it (3GPP).
// - generateReport: the report named after the SUT with the gate, the Gate row, the certification
//   summary linked from the overview's Executors widget; no results is ok:false in one line; the
//   serve hint names --reports when not the default; generating the same results twice adds no
//   second history entry.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, test } from "node:test";
import { loadProfile } from "../../src/profile/index.ts";
import type { Profile } from "../../src/profile/profile.ts";
import { generateReport, javaAvailable, serveCommand } from "../../src/report/allure-report.ts";
import { KNOWN_DEVIATION_TAG, areaOf, executorInfo, finishAllureResults, reportName, withGate } from "../../src/report/allure-results.ts";
import { gate, summaryJson } from "../../src/report/certification-summary.ts";
import { referenceName, referenceUrl } from "../../src/report/references.ts";
import type { RunResult, TestCase, TestCaseResult } from "../../src/runner/index.ts";
import { testCaseFromTags } from "../../src/runner/test-case.ts";

const PROJECT = resolve(import.meta.dirname, "../..");
const DEVIATION = "Service-Route added by the I-CSCF from release 2.3 (ticket CORE-4711)";

function javaSkip(): string | false {
  if (javaAvailable()) return false;
  if (process.env["CI"]) throw new Error("java (Debian package default-jre-headless) is not installed, and CI must not skip this test");
  return "java (Debian package default-jre-headless) is not installed";
}

function testCase(tags: string, name: string, feature: string, uri: string): TestCase {
  const tc = testCaseFromTags(tags.split(" "), name, feature, uri, 7);
  if ("error" in tc) throw new Error(tc.error);
  return tc;
}

const REG_002 = testCase(
  "@IMS-REG-002 @mandatory @pics:digest @ref=TS24.229-5.1.1.2.3 @ref=RFC7616",
  "Initial registration with SIP Digest",
  "Registration and authentication",
  "features/registration/registration.feature",
);
const REG_005 = testCase(
  "@IMS-REG-005 @mandatory @ref=TS24.228-6.3 @ref=TS34.229-1-C.46",
  "Re-registration before expiry",
  "Registration and authentication",
  "features/registration/registration.feature",
);
const MSG_009 = testCase("@IMS-MSG-009 @optional @pics:sms-over-ip @ref=RFC3428-10", "SMS over IP", "Messaging", "features/messaging/messaging.feature");

async function run(): Promise<RunResult> {
  const loaded = await loadProfile(join(PROJECT, "test/fixtures/profiles/embedded-fast.yaml"));
  const profile: Profile = { ...loaded, knownDeviations: { "IMS-REG-005": DEVIATION } };
  const failure = "Requirement: register-2xx.service-route: the 2xx ...\nExpected: Service-Route\nReceived: Service-Route: absent in SIP/2.0 200 OK";
  const results: TestCaseResult[] = [
    { testCase: REG_002, verdict: "fail", reason: failure, durationMs: 50 },
    { testCase: REG_005, verdict: "fail", reason: failure, durationMs: 60, knownDeviation: DEVIATION },
    { testCase: MSG_009, verdict: "not-applicable", reason: 'PICS "sms-over-ip" not claimed by the profile', durationMs: 0 },
  ];
  return { profile, sut: "embedded reference core at UDP 127.0.0.1:5999", results, counts: { pass: 0, fail: 2, inconclusive: 0, "not-applicable": 1, error: 0 }, durationMs: 200 };
}

interface Written {
  name: string;
  status: string;
  labels: { name: string; value: string }[];
  links: { name: string; url: string }[];
  parameters: { name: string; value: string }[];
  descriptionHtml?: string;
  statusDetails?: { message?: string };
}

/** What allure-cucumberjs writes for a scenario (the parts finishAllureResults reads). */
async function cucumberResult(dir: string, uuid: string, tc: TestCase): Promise<void> {
  const result = {
    uuid,
    name: tc.name,
    status: "broken",
    stage: "finished",
    steps: [],
    attachments: [],
    parameters: [],
    start: 1,
    stop: 2,
    labels: [
      { name: "tag", value: `@${tc.id}` },
      { name: "feature", value: tc.feature },
      { name: "suite", value: "from cucumber" },
      { name: "language", value: "javascript" },
    ],
  };
  await writeFile(join(dir, `${uuid}-result.json`), JSON.stringify(result));
}

async function results(dir: string): Promise<Map<string, Written>> {
  const out = new Map<string, Written>();
  for (const f of (await readdir(dir)).filter((x) => x.endsWith("-result.json"))) {
    const r = JSON.parse(await readFile(join(dir, f), "utf8")) as Written;
    out.set(r.name.split(" ")[0], r);
  }
  return out;
}

/** A run's reports folder: allure-results finished, summary.json beside them. */
async function reportsFolder(): Promise<{ reports: string; resultsDir: string; r: RunResult }> {
  const reports = await mkdtemp(join(tmpdir(), "ims-interop-overview-"));
  const resultsDir = join(reports, "allure-results");
  await mkdir(resultsDir);
  await cucumberResult(resultsDir, "00000000-0000-4000-8000-000000000002", REG_002);
  await cucumberResult(resultsDir, "00000000-0000-4000-8000-000000000005", REG_005);
  const r = await run();
  const g = gate(r);
  await finishAllureResults(resultsDir, r, g, {});
  await writeFile(join(reports, "summary.json"), summaryJson(r, g));
  return { reports, resultsDir, r };
}

describe("finishAllureResults", () => {
  test("a known deviation: parameter, description and tag on its test case, its verdict and the gate unchanged", async () => {
    const { resultsDir } = await reportsFolder();
    const all = await results(resultsDir);
    const deviating = all.get("IMS-REG-005")!;
    assert.equal(deviating.status, "failed");
    assert.match(deviating.statusDetails?.message ?? "", /^\[fail\] Requirement: register-2xx\.service-route:/);
    assert.deepEqual(
      deviating.parameters.find((p) => p.name === "Known deviation"),
      { name: "Known deviation", value: DEVIATION },
    );
    assert.ok(deviating.labels.some((l) => l.name === "tag" && l.value === KNOWN_DEVIATION_TAG));
    assert.match(
      deviating.descriptionHtml ?? "",
      /<b>Known deviation<\/b> \(declared in the profile .*embedded-fast\.yaml; the verdict fail and the gate are unchanged\): Service-Route added by the I-CSCF from release 2\.3 \(ticket CORE-4711\)/,
    );
    const other = all.get("IMS-REG-002")!;
    assert.equal(
      other.parameters.find((p) => p.name === "Known deviation"),
      undefined,
    );
    assert.ok(!other.labels.some((l) => l.value === KNOWN_DEVIATION_TAG));
    const env = await readFile(join(resultsDir, "environment.properties"), "utf8");
    assert.equal(env.split("\n")[0], "Gate=FAILED: mandatory IMS-REG-002 is fail; mandatory IMS-REG-005 is fail");
    assert.match(env, /^Known\.deviations=IMS-REG-005 \(fail\)$/m);
  });

  test("the test page: SUT, vendor, product, profile, PICS as parameters; suites by area then feature; links to the clause", async () => {
    const { resultsDir } = await reportsFolder();
    const all = await results(resultsDir);
    const r = all.get("IMS-REG-002")!;
    const params = Object.fromEntries(r.parameters.map((p) => [p.name, p.value]));
    assert.deepEqual(params, {
      SUT: "ims-interop reference-core 0.1.0",
      Vendor: "ims-interop",
      Product: "reference-core 0.1.0",
      Profile: "Embedded reference core (fast timers, for the project's tests)",
      PICS: "digest",
      Level: "mandatory",
    });
    const label = (n: string): string[] => r.labels.filter((l) => l.name === n).map((l) => l.value);
    assert.deepEqual(label("parentSuite"), ["Registration"]);
    assert.deepEqual(label("suite"), ["Registration and authentication"]);
    assert.deepEqual(label("pics"), ["digest"]);
    assert.deepEqual(label("vendor"), ["ims-interop"]);
    assert.deepEqual(r.links, [
      { name: "TS 24.229 clause 5.1.1.2.3", url: "https://www.3gpp.org/DynaReport/24229.htm", type: "link" },
      { name: "RFC 7616", url: "https://www.rfc-editor.org/rfc/rfc7616.html", type: "link" },
    ]);
    // A test case that never ran gets its result here, grouped the same way
    const na = all.get("IMS-MSG-009")!;
    assert.equal(na.status, "skipped");
    assert.deepEqual(
      na.labels.filter((l) => l.name === "parentSuite").map((l) => l.value),
      ["Messaging"],
    );
    assert.deepEqual(na.links, [{ name: "RFC 3428 section 10", url: "https://www.rfc-editor.org/rfc/rfc3428.html#section-10", type: "link" }]);
  });

  test("areas from the identifier, else from the feature file's folder", () => {
    assert.equal(areaOf({ id: "IMS-CALL-001", uri: "features/call/call.feature" }), "Call");
    assert.equal(areaOf({ id: "IMS-ROB-002", uri: "features/robustness/robustness.feature" }), "Robustness");
    assert.equal(areaOf({ id: "IMS-PRES-001", uri: "features/presence/presence.feature" }), "Presence");
  });

  test("references: RFC sections are anchors of the RFC Editor's HTML; 3GPP clauses are named", () => {
    assert.equal(referenceUrl("RFC3261-17.1.1.2"), "https://www.rfc-editor.org/rfc/rfc3261.html#section-17.1.1.2");
    assert.equal(referenceName("RFC3261-17.1.1.2"), "RFC 3261 section 17.1.1.2");
    assert.equal(referenceName("TS24.229-5.1.1.2"), "TS 24.229 clause 5.1.1.2");
    assert.equal(referenceName("TS34.229-1-C.46"), "TS 34.229-1 clause C.46");
    assert.equal(referenceUrl("TS34.229-1-C.46"), "https://www.3gpp.org/DynaReport/34229.htm");
    assert.equal(referenceName("TS24.229-5"), "TS 24.229 clause 5");
  });

  test("in CI the build carries the gate and the report's name", async () => {
    const r = await run();
    const g = gate(r);
    const e = executorInfo(
      { GITHUB_ACTIONS: "true", GITHUB_RUN_ID: "42", GITHUB_RUN_NUMBER: "7", GITHUB_WORKFLOW: "nightly", GITHUB_SERVER_URL: "https://github.com", GITHUB_REPOSITORY: "o/r" },
      { gate: g, reportName: reportName({ ...r.profile, profile: r.profile.name, gate: g }) },
    );
    assert.equal(e?.["buildName"], "nightly #7 \u2014 gate FAILED");
    assert.equal(e?.["reportName"], "ims-interop: ims-interop reference-core 0.1.0 (Embedded reference core (fast timers, for the project's tests)) \u2014 gate FAILED");
    assert.equal(executorInfo({}, { gate: g, reportName: "x" }), undefined);
  });

  test("withGate: the Gate row replaced (a merge's gate), or added first", () => {
    assert.equal(withGate("Gate=passed\nSUT=x\n", { passed: false, reasons: ["a", "b"] }), "Gate=FAILED: a; b\nSUT=x\n");
    assert.equal(withGate("SUT=x\n", { passed: true, reasons: [] }), "Gate=passed\nSUT=x\n");
  });
});

describe("generateReport", () => {
  test("no results folder, or one without a result: ok false, one line, no Java needed", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ims-interop-noresults-"));
    const missing = await generateReport(join(dir, "allure-results"), join(dir, "allure-report"));
    assert.equal(missing.ok, false);
    assert.equal(missing.problem, "no-results");
    assert.match(missing.message, /^no test results: .*allure-results does not exist/);
    assert.ok(!missing.message.includes("\n"));
    await mkdir(join(dir, "allure-results"));
    await writeFile(join(dir, "allure-results", "categories.json"), "[]");
    const empty = await generateReport(join(dir, "allure-results"), join(dir, "allure-report"));
    assert.equal(empty.problem, "no-results");
    assert.match(empty.message, /^no test results in .*allure-results: it holds no \*-result\.json/);
  });

  test("the serve hint names --reports unless the report is under the default reports folder", () => {
    assert.equal(serveCommand(join(PROJECT, "reports", "allure-report"), join(PROJECT, "reports")), "ims-interop report --serve");
    assert.equal(serveCommand("/srv/out/all/allure-report", join(PROJECT, "reports")), "ims-interop report --serve --reports /srv/out/all");
    assert.equal(serveCommand("/srv/my reports/allure-report", join(PROJECT, "reports")), "ims-interop report --serve --reports '/srv/my reports'");
  });

  test(
    "named after the SUT with the gate; Gate first in Environment; the certification summary linked; the same results twice: one history entry",
    { skip: javaSkip(), timeout: 120_000 },
    async () => {
      const { reports, resultsDir } = await reportsFolder();
      const reportDir = join(reports, "allure-report");
      const first = await generateReport(resultsDir, reportDir);
      assert.equal(first.ok, true, first.message);
      assert.match(first.message, new RegExp(`^report: .*allure-report/index\\.html \\(serve it with: ims-interop report --serve --reports .*${reports.split("/").pop()!}\\)$`));
      const widget = async (name: string): Promise<unknown> => JSON.parse(await readFile(join(reportDir, "widgets", name), "utf8"));
      assert.equal(
        ((await widget("summary.json")) as { reportName: string }).reportName,
        "ims-interop: ims-interop reference-core 0.1.0 (Embedded reference core (fast timers, for the project's tests)) \u2014 gate FAILED",
      );
      const env = (await widget("environment.json")) as { name: string; values: string[] }[];
      assert.deepEqual(env[0], { name: "Gate", values: ["FAILED: mandatory IMS-REG-002 is fail; mandatory IMS-REG-005 is fail"] });
      assert.deepEqual(env[1], { name: "SUT", values: ["ims-interop reference-core 0.1.0"] });
      const executors = (await widget("executors.json")) as { name: string; buildName: string; buildUrl: string }[];
      assert.deepEqual(
        executors.map((e) => [e.name, e.buildName, e.buildUrl]),
        [["ims-interop", "Certification summary: gate FAILED", "certification-summary.html"]],
      );
      const page = await readFile(join(reportDir, "certification-summary.html"), "utf8");
      assert.match(page, /Gate: <b>FAILED<\/b>\n<ul><li>mandatory IMS-REG-002 is fail<\/li><li>mandatory IMS-REG-005 is fail<\/li><\/ul>/);
      assert.match(page, /<tr class="deviation"><td>IMS-REG-005<\/td><td class="verdict-fail">fail<\/td><td>Service-Route added by the I-CSCF/);
      assert.ok(!/<script|src=/i.test(page));
      assert.equal(await readFile(join(reportDir, "summary.json"), "utf8"), await readFile(join(reports, "summary.json"), "utf8"));
      const trend = async (): Promise<unknown[]> => JSON.parse(await readFile(join(reportDir, "history", "history-trend.json"), "utf8")) as unknown[];
      assert.equal((await trend()).length, 1);

      // The same results again (`report`, `report --serve` after `run --report`): nothing regenerated
      const again = await generateReport(resultsDir, reportDir);
      assert.equal(again.ok, true);
      assert.equal(again.upToDate, true);
      assert.match(again.message, /up to date/);
      assert.equal((await trend()).length, 1, "no second history entry for the same run");

      // A merge changes the gate in summary.json: the report follows it, and it is a new entry
      const summary = JSON.parse(await readFile(join(reports, "summary.json"), "utf8")) as { gate: { passed: boolean; reasons: string[] } };
      summary.gate = { passed: false, reasons: ["mandatory IMS-REG-002 is fail", "test cases reported by more than one input: IMS-REG-002"] };
      await writeFile(join(reports, "summary.json"), JSON.stringify(summary, null, 2));
      const merged = await generateReport(resultsDir, reportDir);
      assert.equal(merged.upToDate, undefined);
      assert.equal((await trend()).length, 2);
      assert.equal(
        (await readFile(join(resultsDir, "environment.properties"), "utf8")).split("\n")[0],
        "Gate=FAILED: mandatory IMS-REG-002 is fail; test cases reported by more than one input: IMS-REG-002",
      );
      await rm(reports, { recursive: true, force: true });
    },
  );
});

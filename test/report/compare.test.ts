// Issue 15, the release comparison: summaries of runs side by side (test case x run), the runs of a
// product in date order, and what changed between consecutive runs of a product: regressions
// first, then fixes, then other changes; a test case a run does not have is absent, not a verdict.
import assert from "node:assert/strict";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import {
  ABSENT,
  CompareInputError,
  type ComparedSummary,
  changeKind,
  checkSummary,
  compareSummaries,
  comparisonHtml,
  comparisonJson,
  comparisonLines,
  readSummaryFile,
} from "../../src/report/compare.ts";

type Cases = ComparedSummary["testCases"];

function summary(file: string, product: string, version: string, date: string | undefined, testCases: Cases, vendor = "Kamailio project"): ComparedSummary {
  return { file, vendor, product, productVersion: version, ...(date ? { date } : {}), testCases };
}

const REG = (verdict: string): Cases[number] => ({ id: "IMS-REG-005", name: "Re-registration", verdict });

describe("changeKind", () => {
  test("pass to a failure is a regression; a failure to pass a fix; anything else a change", () => {
    for (const to of ["fail", "error", "inconclusive"]) assert.equal(changeKind("pass", to), "regression");
    for (const from of ["fail", "error", "inconclusive"]) assert.equal(changeKind(from, "pass"), "fix");
    assert.equal(changeKind("pass", "not-applicable"), "change", "applicable -> not applicable: what the profile claims changed");
    assert.equal(changeKind("not-applicable", "pass"), "change");
    assert.equal(changeKind("fail", "error"), "change");
    assert.equal(changeKind("pass", undefined), "change", "absent is not a verdict");
    assert.equal(changeKind(undefined, "fail"), "change");
    assert.equal(changeKind("pass", "not-run"), "change", "an interrupted run's test case did not fail");
    assert.equal(changeKind("fail", "fail"), undefined);
    assert.equal(changeKind(undefined, undefined), undefined);
  });
});

describe("compareSummaries", () => {
  const v57 = summary("b.json", "kamailio", "5.7", "2026-12-01T10:00:00Z", [
    REG("fail"),
    { id: "IMS-REG-001", name: "Initial registration", verdict: "pass" },
    { id: "IMS-CALL-001", name: "Basic call", verdict: "pass" },
    { id: "IMS-RTC-001", name: "WebRTC", verdict: "not-applicable" },
  ]);
  const v56 = summary("a.json", "kamailio", "5.6", "2026-11-01T10:00:00Z", [
    REG("pass"),
    { id: "IMS-REG-001", name: "Initial registration", verdict: "fail" },
    { id: "IMS-MSG-001", name: "MESSAGE", verdict: "pass" },
    { id: "IMS-RTC-001", name: "WebRTC", verdict: "pass" },
  ]);
  const core = summary("c.json", "reference core", "0.1.0", "2026-10-01T10:00:00Z", [REG("pass")], "ims-interop");

  test("regression, fix, change and absent between consecutive runs of a product, ordered by date whatever the command line's order", () => {
    const c = compareSummaries([v57, v56]);
    assert.deepEqual(
      c.runs.map((r) => [r.product, r.version, r.file]),
      [
        ["kamailio", "5.6", "a.json"],
        ["kamailio", "5.7", "b.json"],
      ],
    );
    assert.deepEqual(
      c.testCases.map((tc) => [tc.id, ...tc.cells]),
      [
        ["IMS-CALL-001", undefined, "pass"],
        ["IMS-MSG-001", "pass", undefined],
        ["IMS-REG-001", "fail", "pass"],
        ["IMS-REG-005", "pass", "fail"],
        ["IMS-RTC-001", "pass", "not-applicable"],
      ],
    );
    assert.deepEqual(
      c.changes.map((ch) => [ch.kind, ch.id, ch.from, ch.to]),
      [
        ["regression", "IMS-REG-005", "pass", "fail"],
        ["fix", "IMS-REG-001", "fail", "pass"],
        ["change", "IMS-CALL-001", undefined, "pass"],
        ["change", "IMS-MSG-001", "pass", undefined],
        ["change", "IMS-RTC-001", "pass", "not-applicable"],
      ],
    );
    const lines = comparisonLines(c);
    const at = (prefix: string): number => lines.findIndex((l) => l.startsWith(prefix));
    assert.equal(lines[at("regressions: ")], "regressions: IMS-REG-005 pass -> fail (kamailio 5.6 -> 5.7)");
    assert.equal(lines[at("fixes: ")], "fixes: IMS-REG-001 fail -> pass (kamailio 5.6 -> 5.7)");
    assert.equal(lines[at("other changes: ")], `other changes: IMS-CALL-001 ${ABSENT} -> pass (kamailio 5.6 -> 5.7)`);
    assert.ok(at("regressions: ") < at("fixes: ") && at("fixes: ") < at("other changes: "), lines.join("\n"));
    assert.match(lines.join("\n"), /^IMS-MSG-001 +pass +— \*$/m, "absent shown as —, marked as changed");
    assert.match(lines.join("\n"), /^IMS-REG-005 +pass +fail !$/m);
    assert.match(lines.at(-1)!, /^2 runs, 5 test cases: 1 regression\(s\), 1 fix\(es\), 3 other change\(s\)$/);
  });

  test("two products side by side: each product's runs together, no change across products", () => {
    const c = compareSummaries([v57, core, v56]);
    assert.deepEqual(
      c.runs.map((r) => `${r.product} ${r.version}`),
      ["kamailio 5.6", "kamailio 5.7", "reference core 0.1.0"],
    );
    assert.deepEqual(c.testCases.find((tc) => tc.id === "IMS-REG-005")!.cells, ["pass", "fail", "pass"]);
    // The reference core is older than both Kamailio runs and passes IMS-REG-005: nothing compared across products
    assert.equal(c.changes.filter((ch) => ch.kind === "regression").length, 1);
    assert.ok(c.changes.every((ch) => ch.toRun === 1));
    const core2 = summary("d.json", "reference core", "0.2.0", "2026-12-05T10:00:00Z", [REG("inconclusive")], "ims-interop");
    const both = compareSummaries([core2, v57, core, v56]);
    assert.deepEqual(
      both.runs.map((r) => `${r.product} ${r.version}`),
      ["reference core 0.1.0", "reference core 0.2.0", "kamailio 5.6", "kamailio 5.7"],
      "products in the order of their first file, runs by date",
    );
    assert.deepEqual(
      comparisonLines(both).filter((l) => /^(regressions: | {13}\S)/.test(l)),
      ["regressions: IMS-REG-005 pass -> inconclusive (reference core 0.1.0 -> 0.2.0)", "             IMS-REG-005 pass -> fail (kamailio 5.6 -> 5.7)"],
    );
  });

  test("the same version on two days: the days tell the runs apart (the times on one day); a summary without a date comes first", () => {
    const early = summary("1.json", "kamailio", "5.7", "2026-12-01T10:00:00Z", [REG("pass")]);
    const late = summary("2.json", "kamailio", "5.7", "2026-12-03T10:00:00Z", [REG("error")]);
    const undated = summary("0.json", "kamailio", "5.6", undefined, [REG("error")]);
    const c = compareSummaries([late, early, undated]);
    assert.deepEqual(
      c.runs.map((r) => r.file),
      ["0.json", "1.json", "2.json"],
    );
    assert.deepEqual(
      comparisonLines(c).filter((l) => /^(regressions|fixes): /.test(l)),
      ["regressions: IMS-REG-005 pass -> error (kamailio 5.7, 2026-12-01 -> 2026-12-03)", "fixes: IMS-REG-005 error -> pass (kamailio 5.6 -> 5.7)"],
    );
    // Two runs on one day: the times tell them apart, in the table and in the line
    const morning = summary("m.json", "kamailio", "5.7", "2026-12-01T08:00:00Z", [REG("pass")]);
    const evening = summary("e.json", "kamailio", "5.7", "2026-12-01T18:30:05Z", [REG("fail")]);
    const sameDay = comparisonLines(compareSummaries([evening, morning]));
    assert.match(sameDay[2], /^ +2026-12-01 08:00:00 UTC +2026-12-01 18:30:05 UTC$/);
    assert.ok(sameDay.includes("regressions: IMS-REG-005 pass -> fail (kamailio 5.7, 2026-12-01 08:00:00 UTC -> 2026-12-01 18:30:05 UTC)"), sameDay.join("\n"));
  });

  test("no change: no regression and nothing listed", () => {
    const c = compareSummaries([summary("a", "kamailio", "5.6", "2026-11-01T00:00:00Z", [REG("pass")]), summary("b", "kamailio", "5.7", "2026-12-01T00:00:00Z", [REG("pass")])]);
    assert.deepEqual(c.changes, []);
    assert.ok(!comparisonLines(c).some((l) => /^(regressions|fixes|other changes): /.test(l)));
  });

  test("compare.json: runs, a verdict per run (null when absent), the changes with both runs", () => {
    const json = JSON.parse(comparisonJson(compareSummaries([v56, v57]))) as {
      runs: Array<{ product: string; version: string; date: string | null }>;
      counts: Record<string, number>;
      testCases: Array<{ id: string; verdicts: Array<string | null> }>;
      changes: Array<{ kind: string; id: string; product: string; from: { version: string; verdict: string | null }; to: { version: string; verdict: string | null } }>;
    };
    assert.deepEqual(json.runs[0], { file: "a.json", vendor: "Kamailio project", product: "kamailio", version: "5.6", date: "2026-11-01T10:00:00Z" });
    assert.deepEqual(json.counts, { regressions: 1, fixes: 1, otherChanges: 3 });
    assert.deepEqual(json.testCases.find((tc) => tc.id === "IMS-MSG-001")!.verdicts, ["pass", null]);
    assert.deepEqual(json.changes[0], {
      kind: "regression",
      id: "IMS-REG-005",
      name: "Re-registration",
      product: "kamailio",
      from: { run: 0, version: "5.6", date: "2026-11-01T10:00:00Z", verdict: "pass" },
      to: { run: 1, version: "5.7", date: "2026-12-01T10:00:00Z", verdict: "fail" },
    });
  });
});

describe("compare.html", () => {
  test("one static page: cells coloured by verdict, the regression highlighted, every text escaped, no external resource", () => {
    const hostile = summary("<x>.json", 'kam<script>alert("x")</script>', "5.7 & <b>", "2026-12-01T10:00:00Z", [
      { id: "IMS-REG-005", name: "<img src=http://evil.example/x.png>\x1b[2J", verdict: "fail" },
    ]);
    const before = summary("y.json", 'kam<script>alert("x")</script>', "5.6", "2026-11-01T10:00:00Z", [{ id: "IMS-REG-005", name: "", verdict: "pass" }]);
    const html = comparisonHtml(compareSummaries([hostile, before]));
    assert.doesNotMatch(html, /<script|<img/);
    assert.ok(!html.includes("\x1b"), "the escape character shown, not written");
    assert.match(html, /kam&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;/);
    assert.match(html, /5\.7 &amp; &lt;b&gt;/);
    assert.match(html, /&lt;img src=http:\/\/evil\.example\/x\.png&gt;\\x1b\[2J/);
    assert.doesNotMatch(html.replace(/&lt;img src=http:\/\/evil\.example\/x\.png&gt;/g, ""), /https?:\/\/|src=|<link|@import|url\(/, "no external URL");
    assert.match(html, /<td class="verdict-pass">pass<\/td><td class="verdict-fail regression">fail \(regression\)<\/td>/);
    assert.match(html, /td\.verdict-fail, td\.verdict-error \{ color: #c00; font-weight: bold; \}/, "the certification summary's verdict colours");
    assert.match(html, /td\.regression \{[^}]*outline/);
    assert.match(html, /<b>1 regression\(s\)<\/b>/);
  });

  test("an absent test case is shown as — in a cell of its own class", () => {
    const html = comparisonHtml(compareSummaries([summary("a", "kamailio", "5.6", "2026-11-01T00:00:00Z", [REG("pass")]), summary("b", "kamailio", "5.7", "2026-12-01T00:00:00Z", [])]));
    assert.match(html, /<td class="absent change">— \(changed\)<\/td>/);
    assert.match(html, /<b>No regression<\/b>/);
  });
});

describe("readSummaryFile", () => {
  test("a file that cannot be read, is not JSON or is not a summary: named, with why", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ims-interop-compare-"));
    const missing = join(dir, "missing.json");
    await assert.rejects(readSummaryFile(missing), (e: unknown) => e instanceof CompareInputError && e.message === `${missing}: cannot be read (ENOENT)`);
    const text = join(dir, "notes.txt");
    await writeFile(text, "hello");
    await assert.rejects(readSummaryFile(text), (e: unknown) => e instanceof CompareInputError && e.message.startsWith(`${text}: is not JSON`));
    assert.throws(() => checkSummary("p.json", { name: "a profile" }), /^CompareInputError: p\.json: is not a summary\.json of a run \(no testCases list\)$/);
    assert.throws(() => checkSummary("p.json", [1]), /not a JSON object/);
    assert.throws(() => checkSummary("p.json", { testCases: [{ id: "IMS-REG-001" }] }), /test case 1 has no id or verdict/);
    assert.throws(() => checkSummary("p.json", { date: "yesterday", testCases: [] }), /date "yesterday" is not a date/);
    const good = join(dir, "summary.json");
    await writeFile(good, JSON.stringify({ product: "kamailio", productVersion: "5.6", date: "2026-11-01T00:00:00Z", counts: {}, testCases: [{ id: "IMS-REG-001", verdict: "error", notRun: true }] }));
    const s = await readSummaryFile(good);
    assert.deepEqual(s, { file: good, product: "kamailio", productVersion: "5.6", date: "2026-11-01T00:00:00Z", testCases: [{ id: "IMS-REG-001", verdict: "error", notRun: true }] });
    assert.deepEqual(compareSummaries([s, s]).testCases[0].cells, ["not-run", "not-run"], "a test case an interrupted run did not run is not an error");
  });
});

// load/load.html: the figures as the document has them, the SUT's text escaped, one chart point per
// second, "-" for a ratio with nothing to measure, thresholds not met marked.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { LOAD_DOCUMENT_FORMAT, type LoadDocument } from "../../src/load/load-document.ts";
import { loadReportHtml, writeLoadReport } from "../../src/report/load-report.ts";
import { type LoadFigures, type LoadSecond, LoadRecorder } from "../../src/load/metrics.ts";

const T0 = 1_700_000_000_000;

function second(i: number): LoadSecond {
  // RRD ends in seconds 0-2, 10-12, 20-22 and 29 only: three lines and a lone dot
  const rrdCount = i % 10 < 3 || i === 29 ? 2 : 0;
  return {
    started: 10 + (i % 4),
    passed: 9,
    failures: i % 5 === 0 ? 1 : 0,
    inFlight: 12,
    registrations: 3,
    invites: 10,
    established: 9,
    rrdSum: rrdCount * 40,
    rrdCount,
    srdSum: 10 * (20 + i),
    srdCount: 10,
  };
}

const FIGURES: LoadFigures = {
  delays: {
    rrd: { count: 120, p50: 35, p95: 81, p99: 117, max: 152 },
    srd: { count: 3000, p50: 21, p95: 44, p99: 68, max: 203 },
    sdd: { count: 0 },
    sdt: { count: 2950, p50: 2003, p95: 2011, p99: 2019, max: 2047 },
  },
  ira: 1.5,
  ser: 98.25,
  seer: 99.1,
  scr: 97,
};

function doc(over: Partial<LoadDocument> = {}, seconds = 30): LoadDocument {
  const base = new LoadRecorder(T0).result();
  const series = Array.from({ length: seconds }, (_, i) => second(i));
  return {
    format: LOAD_DOCUMENT_FORMAT,
    testCases: ["IMS-CALL-001"],
    profile: "profiles/lab.yaml",
    sut: "Acme CSCF 4.2",
    options: { ues: 32, slots: 16, rate: 10, durationMs: 30_000, faults: ["drop-180"] },
    wallMs: 31_250,
    flowsStarted: 345,
    flowsPassed: 340,
    flowsFailed: 5,
    result: {
      ...base,
      counts: {
        registrations: 200,
        registrationsOk: 197,
        registrationsIneffective: 3,
        invites: 3000,
        invites200: 2947,
        invites3xx: 0,
        invitesEffective: 2973,
        invitesIneffective: 20,
        sessionsCompleted: 2910,
      },
      failures: { "response.cseq": 2, "rfc3261.8.2.6": 3 },
      series,
    },
    figures: FIGURES,
    thresholds: [
      { threshold: "srd.p95 <= 200", actual: 44, ok: true },
      { threshold: "ser >= 99.5", actual: 98.25, ok: false },
    ],
    failedFlows: [{ index: 17, testCase: "IMS-CALL-001", failure: "rfc3261.8.2.6", reason: "expected 200, got 500 Server Error", at: 4_321 }],
    ...over,
  };
}

/** The coordinates of the chart's points of one line: its polylines' and lone dots'. */
function points(html: string, chart: string, key: string): [number, number][] {
  const svg = new RegExp(`<svg class="chart" id="${chart}"[\\s\\S]*?</svg>`).exec(html)?.[0];
  assert.ok(svg, `chart ${chart}`);
  const out: [number, number][] = [];
  for (const m of svg.matchAll(new RegExp(`<(polyline|circle) class="series s-${key}" ([^>]*)>`, "g"))) {
    if (m[1] === "circle") out.push([Number(/cx="([^"]+)"/.exec(m[2])![1]), Number(/cy="([^"]+)"/.exec(m[2])![1])]);
    else for (const p of /points="([^"]+)"/.exec(m[2])![1].split(" ")) out.push(p.split(",").map(Number) as [number, number]);
  }
  return out;
}

const row = (html: string, id: string): string => new RegExp(`<tr id="${id}">.*?</tr>`).exec(html)?.[0] ?? assert.fail(`row ${id}`);

describe("load report", () => {
  test("the figures of the document, with RFC 6076's sections, and the run's header", () => {
    const html = loadReportHtml(doc());
    const rrd = row(html, "delay-rrd");
    assert.match(rrd, /section 4\.1/);
    assert.deepEqual(
      [...rrd.matchAll(/<td class="num">([^<]*)<\/td>/g)].map((m) => m[1]),
      ["120", "35", "81", "117", "152"],
    );
    assert.deepEqual(
      [...row(html, "delay-sdt").matchAll(/<td class="num">([^<]*)<\/td>/g)].map((m) => m[1]),
      ["2950", "2003", "2011", "2019", "2047"],
    );
    assert.match(row(html, "delay-srd"), /section 4\.3/);
    assert.match(row(html, "ratio-ser"), /section 4\.6.*98\.25 %.*2947 of 3000 INVITEs/);
    assert.match(row(html, "ratio-ira"), /section 4\.2.*1\.50 %/);
    assert.match(row(html, "ratio-scr"), /section 4\.9.*97\.00 %/);
    for (const text of ["IMS-CALL-001", "Acme CSCF 4.2", "profiles/lab.yaml", "10 flows/s", "drop-180", "31.3 s", "16 slots"]) assert.ok(html.includes(text), text);
    assert.match(html, /<tr><td>rfc3261\.8\.2\.6<\/td><td class="num">3<\/td><\/tr>\n<tr><td>response\.cseq<\/td><td class="num">2<\/td><\/tr>/);
    assert.match(html, /5 failed \(1\.45 %\)/);
  });

  test("shards: one shard's document and a merged one say so", () => {
    assert.match(loadReportHtml(doc({ options: { ues: 8, slots: 4, shard: "2/4" } })), /<th>Shard<\/th><td>2\/4 /);
    assert.match(loadReportHtml(doc({ mergedFrom: ["1/2", "2/2"] })), /<th>Merged from<\/th><td>2 shard\(s\): 1\/2, 2\/2<\/td>/);
  });

  test("a reason with markup and control characters comes out escaped, its lines kept", () => {
    const reason = "got <script>alert(1)</script>\x1b[2J\x07 & more\r\nsecond line\u202e\x9b";
    const html = loadReportHtml(doc({ sut: 'evil"><img src=x onerror=alert(1)>', failedFlows: [{ index: 3, testCase: "IMS-CALL-001", failure: "x<b>", reason, at: 10 }] }));
    assert.doesNotMatch(html, /<script|<img|x<b>/i);
    assert.ok(html.includes("<td>x&lt;b&gt;</td>"));
    assert.ok(html.includes("<pre>got &lt;script&gt;alert(1)&lt;/script&gt;\\x1b[2J\\x07 &amp; more\nsecond line\\u202e\\x9b</pre>"));
    assert.ok(html.includes("evil&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(html, /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/);
  });

  test("self-contained: no script, no external resource", () => {
    const html = loadReportHtml(doc());
    assert.doesNotMatch(html, /<script|<link|<img|<iframe|@import|url\(|src=|href="(?!load\.json")/i);
    assert.equal((html.match(/<svg /g) ?? []).length, 4);
  });

  test("the charts have one point per second, in order, and gaps where no delay ended", () => {
    const html = loadReportHtml(doc({}, 30));
    for (const [chart, key] of [
      ["chart-flows", "started"],
      ["chart-flows", "passed"],
      ["chart-flows", "failed"],
      ["chart-in-flight", "in-flight"],
      ["chart-requests", "registrations"],
      ["chart-requests", "invites"],
      ["chart-delays", "srd"],
    ]) {
      const p = points(html, chart, key);
      assert.equal(p.length, 30, `${chart} ${key}`);
      for (let i = 1; i < p.length; i++) assert.ok(p[i][0] > p[i - 1][0], `${key}: x increases`);
    }
    // a line without gaps is one polyline
    assert.equal((html.match(/<polyline class="series s-started"/g) ?? []).length, 1);
    // RRD: no line across the gaps
    assert.equal(points(html, "chart-delays", "rrd").length, 10);
    assert.equal((html.match(/<polyline class="series s-rrd"/g) ?? []).length, 3);
    assert.equal((html.match(/<circle class="series s-rrd"/g) ?? []).length, 1);
    // the higher the value, the higher the point (smaller y): started is 10, 11, 12, 13, 10 ...
    const started = points(html, "chart-flows", "started");
    assert.ok(started[3][1] < started[2][1] && started[2][1] < started[1][1] && started[1][1] < started[0][1]);
    assert.equal(started[4][1], started[0][1]);
  });

  test("an empty series draws no point", () => {
    const html = loadReportHtml(doc({}, 0));
    assert.equal(points(html, "chart-flows", "started").length, 0);
    assert.match(html, /no second recorded/);
  });

  test("a ratio with nothing to measure and a delay without samples show -", () => {
    const html = loadReportHtml(doc());
    assert.match(row(html, "ratio-isa"), /<td class="num">-<\/td>/);
    assert.match(row(html, "ratio-ser"), /<td class="num">98\.25 %<\/td>/);
    assert.deepEqual(
      [...row(html, "delay-sdd").matchAll(/<td class="num">([^<]*)<\/td>/g)].map((m) => m[1]),
      ["0", "-", "-", "-", "-"],
    );
  });

  test("thresholds not met are marked, and the verdict says so", () => {
    const html = loadReportHtml(doc());
    assert.match(html, /<tr class="not-met"><td>ser &gt;= 99\.5<\/td><td class="num">98\.25<\/td><td class="bad">NOT MET<\/td><\/tr>/);
    assert.match(html, /<tr class="met"><td>srd\.p95 &lt;= 200<\/td><td class="num">44<\/td><td class="good">met<\/td><\/tr>/);
    assert.match(html, /<div class="verdict failed" id="verdict">Thresholds: <b>1 of 2 threshold\(s\) NOT MET<\/b>/);
    const met = loadReportHtml(
      doc({
        thresholds: [
          { threshold: "srd.p95 <= 200", actual: 44, ok: true },
          { threshold: "sdd.p95 <= 100", ok: true },
        ],
      }),
    );
    assert.match(met, /<div class="verdict passed" id="verdict">Thresholds: <b>all 2 threshold\(s\) met<\/b>/);
    assert.match(met, /<td class="num">not measured<\/td>/);
    assert.doesNotMatch(met, /NOT MET|class="not-met"/);
  });

  test("writeLoadReport writes dir/load.html", async () => {
    const dir = await mkdtemp(join(tmpdir(), "load-report-"));
    try {
      const file = await writeLoadReport(doc(), join(dir, "load"));
      assert.equal(file, join(dir, "load", "load.html"));
      assert.equal(await readFile(file, "utf8"), loadReportHtml(doc()));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// load/load.html (issue 17): a load run's document (load.json) as one self-contained page: the run,
// its verdict, RFC 6076's figures, the thresholds, the failures and the failed flows, and per-second
// charts drawn here as inline SVG. No script, no external resource: it opens from file://.
// Every text of the document is escaped (the failed flows' reasons quote the SUT's messages).
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { LoadDocument } from "../load/load-document.ts";
import type { DelayMetric, LoadSecond } from "../load/metrics.ts";
import { escapeXml } from "./ladder-svg.ts";

/** Text for HTML content or an attribute: CRLF as LF, control characters as visible escapes, markup escaped. */
function escapeHtml(value: unknown): string {
  const text = typeof value === "string" ? value : value === undefined || value === null ? "" : typeof value === "number" || typeof value === "boolean" ? String(value) : JSON.stringify(value);
  return escapeXml(text.replace(/\r\n/g, "\n"));
}

const e = escapeHtml;

/** RFC 6076's metrics: the section, the name, what is measured. */
const DELAYS: readonly { metric: DelayMetric; section: string; name: string; what: string }[] = [
  { metric: "rrd", section: "4.1", name: "Registration Request Delay", what: "REGISTER sent to its 2xx" },
  { metric: "srd", section: "4.3", name: "Session Request Delay", what: "INVITE sent to the first status-indicative response" },
  { metric: "sdd", section: "4.4", name: "Session Disconnect Delay", what: "BYE sent to its final response" },
  { metric: "sdt", section: "4.5", name: "Session Duration Time", what: "200 to the INVITE to the BYE" },
];
type Ratio = "ira" | "ser" | "seer" | "isa" | "scr";
const RATIOS: readonly { ratio: Ratio; section: string; name: string; of: (c: LoadDocument["result"]["counts"]) => [number, number, string] }[] = [
  { ratio: "ira", section: "4.2", name: "Ineffective Registration Attempts", of: (c) => [c.registrationsIneffective, c.registrations, "registration attempts"] },
  { ratio: "ser", section: "4.6", name: "Session Establishment Ratio", of: (c) => [c.invites200, c.invites - c.invites3xx, "INVITEs not answered 3xx"] },
  { ratio: "seer", section: "4.7", name: "Session Establishment Effectiveness Ratio", of: (c) => [c.invitesEffective, c.invites - c.invites3xx, "INVITEs not answered 3xx"] },
  { ratio: "isa", section: "4.8", name: "Ineffective Session Attempts", of: (c) => [c.invitesIneffective, c.invites, "INVITEs"] },
  { ratio: "scr", section: "4.9", name: "Session Completion Ratio", of: (c) => [c.sessionsCompleted, c.invites, "INVITEs"] },
];

/** How many failed flows the page lists (load.json keeps up to 10 per failure identifier). */
const FAILED_FLOWS_SHOWN = 25;

const STYLE = `
body { font-family: Helvetica, Arial, sans-serif; margin: 16px; color: #222; max-width: 1100px; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 24px; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.verdict { padding: 10px 14px; border-radius: 4px; font-size: 15px; }
.verdict.failed { background: #fdecea; border: 2px solid #c00; }
.verdict.passed { background: #e8f5e9; border: 2px solid #2e7d32; }
.verdict.neutral { background: #f5f5f5; border: 2px solid #999; }
.bad { color: #c00; font-weight: bold; }
.good { color: #2e7d32; }
tr.not-met td { background: #fdecea; }
pre { margin: 0; white-space: pre-wrap; word-break: break-word; font-size: 12px; }
.note { color: #555; font-size: 12px; }
svg.chart { display: block; max-width: 100%; height: auto; margin: 8px 0 16px; }
`;

/** A number as shown: "-" when there is none, integers as they are, others with `digits` decimals. */
function num(n: unknown, digits = 2): string {
  if (typeof n !== "number" || !Number.isFinite(n)) return "-";
  return Number.isInteger(n) ? String(n) : n.toFixed(digits);
}

function percent(n: unknown): string {
  return typeof n === "number" && Number.isFinite(n) ? `${n.toFixed(2)} %` : "-";
}

/** "83.4 s", "12 min 03 s (723.0 s)", "1 h 02 min 03 s (3723.0 s)". */
function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "-";
  const seconds = `${(ms / 1000).toFixed(1)} s`;
  if (ms < 60_000) return seconds;
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const two = (x: number): string => String(x).padStart(2, "0");
  return `${h ? `${h} h ${two(m)} min` : `${m} min`} ${two(s % 60)} s (${seconds})`;
}

/** load/load.html for the document. */
export function loadReportHtml(doc: LoadDocument): string {
  const title = `Load run: ${doc.testCases.join(", ")}`;
  const out: string[] = [];
  out.push(`<!DOCTYPE html>`, `<html lang="en">`, `<head>`, `<meta charset="utf-8">`, `<title>${e(title)}</title>`, `<style>${STYLE}</style>`, `</head>`, `<body>`);
  out.push(`<h1>${e(title)}</h1>`);
  out.push(verdictHtml(doc));
  out.push(runHtml(doc));
  out.push(figuresHtml(doc));
  out.push(thresholdsHtml(doc));
  out.push(chartsHtml(doc));
  out.push(failuresHtml(doc));
  out.push(`<p class="note">The same as JSON, with the histograms and the per-second series: <a href="load.json">load.json</a>.</p>`);
  out.push(`</body>`, `</html>`);
  return out.join("\n") + "\n";
}

/** Writes dir/load.html; returns its path. */
export async function writeLoadReport(doc: LoadDocument, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, "load.html");
  await writeFile(file, loadReportHtml(doc), "utf8");
  return file;
}

function verdictHtml(doc: LoadDocument): string {
  const t = doc.thresholds;
  const notMet = t.filter((x) => !x.ok).length;
  const cls = t.length === 0 ? "neutral" : notMet ? "failed" : "passed";
  const thresholds = t.length === 0 ? "no thresholds in the profile" : notMet ? `<b>${notMet} of ${t.length} threshold(s) NOT MET</b>` : `<b>all ${t.length} threshold(s) met</b>`;
  const unfinished = doc.flowsStarted - doc.flowsPassed - doc.flowsFailed;
  const share = doc.flowsStarted > 0 ? ` (${((100 * doc.flowsFailed) / doc.flowsStarted).toFixed(2)} %)` : "";
  const flows =
    `flows: ${e(num(doc.flowsStarted))} started, ${e(num(doc.flowsPassed))} passed, ` +
    `<span class="${doc.flowsFailed > 0 ? "bad" : "good"}">${e(num(doc.flowsFailed))} failed${e(share)}</span>` +
    (unfinished > 0 ? `, ${e(num(unfinished))} unfinished` : "");
  return `<div class="verdict ${cls}" id="verdict">Thresholds: ${thresholds}; ${flows}.</div>`;
}

function runHtml(doc: LoadDocument): string {
  const o = doc.options;
  const started = Number.isFinite(doc.result.startedAt) ? new Date(doc.result.startedAt).toISOString() : "-";
  const rows: [string, string][] = [
    ["Test cases", doc.testCases.join(", ")],
    ["SUT", doc.sut],
    ["Profile", doc.profile],
    ["Started", started],
    ["Wall time", formatDuration(doc.wallMs)],
    ["UEs / flow slots", `${num(o.ues)} UEs, ${num(o.slots)} slots`],
    ["Rate", o.rate !== undefined ? `${num(o.rate)} flows/s` : "none: each slot starts its next flow as soon as it is free"],
    ["Duration", o.durationMs !== undefined ? formatDuration(o.durationMs) : "-"],
    ["Flows (cap)", o.flows !== undefined ? num(o.flows) : "-"],
    ["Faults", o.faults?.length ? o.faults.join(", ") : "none"],
  ];
  if (o.shard !== undefined) rows.push(["Shard", `${o.shard} (this page is one shard's; merge the shards for the whole run)`]);
  if (doc.mergedFrom?.length) rows.push(["Merged from", `${doc.mergedFrom.length} shard(s): ${doc.mergedFrom.join(", ")}`]);
  return [`<h2>Run</h2>`, `<table id="run">`, ...rows.map(([k, v]) => `<tr><th>${e(k)}</th><td>${e(v)}</td></tr>`), `</table>`].join("\n");
}

function figuresHtml(doc: LoadDocument): string {
  const f = doc.figures;
  const out: string[] = [`<h2>RFC 6076 figures</h2>`];
  out.push(`<table id="delays">`, `<tr><th>metric</th><th>RFC 6076</th><th>measured</th><th>count</th><th>p50 (ms)</th><th>p95 (ms)</th><th>p99 (ms)</th><th>max (ms)</th></tr>`);
  for (const d of DELAYS) {
    const x = f.delays[d.metric];
    out.push(
      `<tr id="delay-${d.metric}"><th>${d.metric.toUpperCase()}</th><td>section ${d.section}, ${e(d.name)}</td><td>${e(d.what)}</td>` +
        `<td class="num">${e(num(x?.count))}</td><td class="num">${e(num(x?.p50))}</td><td class="num">${e(num(x?.p95))}</td><td class="num">${e(num(x?.p99))}</td><td class="num">${e(num(x?.max))}</td></tr>`,
    );
  }
  out.push(`</table>`);
  out.push(`<p class="note">Delays are whole milliseconds from HDR histograms (3 significant digits); percentiles are the histogram's.</p>`);
  out.push(`<table id="ratios">`, `<tr><th>metric</th><th>RFC 6076</th><th>value</th><th>from</th></tr>`);
  for (const r of RATIOS) {
    const [n, d, what] = r.of(doc.result.counts);
    out.push(
      `<tr id="ratio-${r.ratio}"><th>${r.ratio.toUpperCase()}</th><td>section ${r.section}, ${e(r.name)}</td><td class="num">${e(percent(f[r.ratio]))}</td>` +
        `<td>${e(`${num(n)} of ${num(d)} ${what}`)}</td></tr>`,
    );
  }
  out.push(`</table>`);
  out.push(`<p class="note">"-": nothing to measure (no sample, or a ratio whose denominator is zero).</p>`);
  return out.join("\n");
}

function thresholdsHtml(doc: LoadDocument): string {
  if (doc.thresholds.length === 0) return `<h2>Thresholds</h2>\n<p id="thresholds">The profile sets no thresholds.</p>`;
  const out: string[] = [`<h2>Thresholds</h2>`, `<table id="thresholds">`, `<tr><th>threshold</th><th>actual</th><th>outcome</th></tr>`];
  for (const t of doc.thresholds) {
    const actual = t.actual === undefined ? "not measured" : num(t.actual);
    out.push(`<tr class="${t.ok ? "met" : "not-met"}"><td>${e(t.threshold)}</td><td class="num">${e(actual)}</td>` + `<td class="${t.ok ? "good" : "bad"}">${t.ok ? "met" : "NOT MET"}</td></tr>`);
  }
  out.push(`</table>`);
  return out.join("\n");
}

function failuresHtml(doc: LoadDocument): string {
  const out: string[] = [`<h2>Failures</h2>`];
  const byRequirement = Object.entries(doc.result.failures).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  if (byRequirement.length === 0) {
    out.push(`<p id="failures">No flow failed.</p>`);
    return out.join("\n");
  }
  out.push(`<table id="failures">`, `<tr><th>requirement (or expectation)</th><th>flows failed</th></tr>`);
  for (const [id, n] of byRequirement) out.push(`<tr><td>${e(id)}</td><td class="num">${e(num(n))}</td></tr>`);
  out.push(`</table>`);
  const flows = [...doc.failedFlows].sort((a, b) => a.at - b.at || a.index - b.index);
  if (flows.length === 0) return out.join("\n");
  const shown = flows.slice(0, FAILED_FLOWS_SHOWN);
  out.push(`<h2>First failed flows</h2>`);
  out.push(`<p class="note">${shown.length} of the ${flows.length} failed flow(s) load.json keeps (up to 10 per failure), the earliest first.</p>`);
  out.push(`<table id="failed-flows">`, `<tr><th>flow</th><th>at (s)</th><th>test case</th><th>failure</th><th>reason</th></tr>`);
  for (const f of shown) {
    out.push(
      `<tr><td class="num">${e(num(f.index))}</td><td class="num">${e(Number.isFinite(f.at) ? (f.at / 1000).toFixed(3) : "-")}</td><td>${e(f.testCase)}</td><td>${e(f.failure)}</td><td><pre>${e(f.reason)}</pre></td></tr>`,
    );
  }
  out.push(`</table>`);
  return out.join("\n");
}

// Charts

/** One line of a chart: a value per second, undefined for a gap. */
interface ChartLine {
  readonly key: string;
  readonly name: string;
  readonly colour: string;
  readonly dash?: string;
  readonly values: readonly (number | undefined)[];
}

interface ChartSpec {
  readonly id: string;
  readonly title: string;
  readonly yLabel: string;
  readonly lines: readonly ChartLine[];
  /** Counts: integer ticks. */
  readonly integer: boolean;
  /** A horizontal reference, e.g. the slots. */
  readonly reference?: { readonly value: number; readonly name: string };
  readonly note?: string;
}

const W = 960;
const H = 280;
const LEFT = 64;
const RIGHT = 20;
const TOP = 48;
const BOTTOM = 46;
const PW = W - LEFT - RIGHT;
const PH = H - TOP - BOTTOM;
// Okabe-Ito: tellable apart with colour blindness; dashes tell them apart in grey too
const BLUE = "#0072B2";
const GREEN = "#009E73";
const RED = "#D55E00";
const ORANGE = "#E69F00";
const PURPLE = "#CC79A7";

const mean = (sum: number, count: number): number | undefined => (count > 0 ? sum / count : undefined);

function chartsHtml(doc: LoadDocument): string {
  const s: readonly LoadSecond[] = doc.result.series;
  const pick = (f: (x: LoadSecond) => number | undefined): (number | undefined)[] => s.map(f);
  const charts: ChartSpec[] = [
    {
      id: "chart-flows",
      title: "Flows per second",
      yLabel: "flows/s",
      integer: true,
      lines: [
        { key: "started", name: "started", colour: BLUE, values: pick((x) => x.started) },
        { key: "passed", name: "passed", colour: GREEN, dash: "6 3", values: pick((x) => x.passed) },
        { key: "failed", name: "failed", colour: RED, dash: "2 2", values: pick((x) => x.failures) },
      ],
    },
    {
      id: "chart-in-flight",
      title: "Flows in flight (the most at once in each second)",
      yLabel: "flows",
      integer: true,
      lines: [{ key: "in-flight", name: "in flight", colour: PURPLE, values: pick((x) => x.inFlight) }],
      reference: { value: doc.options.slots, name: `slots (${num(doc.options.slots)})` },
    },
    {
      id: "chart-requests",
      title: "Registrations and INVITEs per second",
      yLabel: "per second",
      integer: true,
      lines: [
        { key: "registrations", name: "REGISTER attempts", colour: ORANGE, values: pick((x) => x.registrations) },
        { key: "invites", name: "INVITEs", colour: BLUE, dash: "6 3", values: pick((x) => x.invites) },
        { key: "established", name: "sessions established (200)", colour: GREEN, dash: "2 2", values: pick((x) => x.established) },
      ],
    },
    {
      id: "chart-delays",
      title: "Mean RRD and SRD per second",
      yLabel: "ms",
      integer: false,
      lines: [
        { key: "rrd", name: "RRD mean (ms)", colour: ORANGE, values: pick((x) => mean(x.rrdSum, x.rrdCount)) },
        { key: "srd", name: "SRD mean (ms)", colour: BLUE, dash: "6 3", values: pick((x) => mean(x.srdSum, x.srdCount)) },
      ],
      note: "A gap: no delay of that kind ended in that second.",
    },
  ];
  const out: string[] = [`<h2>Per second</h2>`];
  out.push(`<p class="note">Each point is one second of the run (its middle), by when things happened: flows by their start or end, delays by when they ended.</p>`);
  for (const c of charts) out.push(chartSvg(c, s.length));
  return out.join("\n");
}

/** Round tick steps (1, 2, 5 x 10^n) from 0 to at least max, about `count` of them. */
function ticks(max: number, count: number, integer: boolean): number[] {
  const top = max > 0 && Number.isFinite(max) ? max : 1;
  const raw = integer ? Math.max(1, top / count) : top / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((x) => x >= raw - 1e-12) ?? 10 * magnitude;
  const out: number[] = [];
  for (let i = 0; out.length === 0 || out[out.length - 1] < top - 1e-9; i++) out.push(round(i * step));
  return out;
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

/** A coordinate: at most 2 decimals. */
function c2(n: number): string {
  return String(Math.round(n * 100) / 100);
}

function tickLabel(v: number): string {
  return Math.abs(v) >= 10_000 ? `${round(v / 1000)}k` : String(round(v));
}

/** Runs of consecutive defined values: [first second, values]. */
function segments(values: readonly (number | undefined)[]): [number, number[]][] {
  const out: [number, number[]][] = [];
  let run: [number, number[]] | undefined;
  values.forEach((v, i) => {
    if (typeof v !== "number" || !Number.isFinite(v)) {
      run = undefined;
      return;
    }
    if (!run) out.push((run = [i, []]));
    run[1].push(v);
  });
  return out;
}

function chartSvg(c: ChartSpec, seconds: number): string {
  const out: string[] = [];
  const label = `${c.title}: ${c.lines.map((l) => l.name).join(", ")}, per second`;
  out.push(`<h3 style="font-size:14px;margin-bottom:0">${e(c.title)}</h3>`);
  out.push(
    `<svg class="chart" id="${e(c.id)}" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12" role="img" aria-label="${e(label)}">`,
    `<title>${e(label)}</title>`,
    `<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`,
  );
  // legend
  let lx = LEFT;
  for (const l of c.lines) {
    out.push(
      `<line x1="${lx}" y1="18" x2="${lx + 24}" y2="18" stroke="${l.colour}" stroke-width="2.5"${l.dash ? ` stroke-dasharray="${l.dash}"` : ""}/>`,
      `<text x="${lx + 30}" y="22">${e(l.name)}</text>`,
    );
    lx += 30 + l.name.length * 7 + 28;
  }
  if (c.reference) {
    out.push(`<line x1="${lx}" y1="18" x2="${lx + 24}" y2="18" stroke="#777" stroke-width="1.5" stroke-dasharray="8 4"/>`, `<text x="${lx + 30}" y="22">${e(c.reference.name)}</text>`);
  }
  const bottom = TOP + PH;
  out.push(`<rect x="${LEFT}" y="${TOP}" width="${PW}" height="${PH}" fill="none" stroke="#999"/>`);
  const all = c.lines.flatMap((l) => l.values.filter((v): v is number => typeof v === "number" && Number.isFinite(v)));
  const refValue = c.reference && Number.isFinite(c.reference.value) ? c.reference.value : undefined;
  // headroom: a line at the top is not hidden by the frame
  const yTicks = ticks(1.05 * Math.max(0, ...all, refValue ?? 0), 5, c.integer);
  const yMax = yTicks[yTicks.length - 1];
  // the axis spans the run's seconds exactly; its ticks are the round ones within
  const xMax = Math.max(1, seconds);
  const xTicks = ticks(xMax, 10, true).filter((t) => t <= xMax);
  const x = (second: number): number => LEFT + (second / xMax) * PW;
  const y = (v: number): number => bottom - (Math.max(0, v) / yMax) * PH;
  for (const t of yTicks) {
    const ty = c2(y(t));
    out.push(
      `<line x1="${LEFT}" y1="${ty}" x2="${LEFT + PW}" y2="${ty}" stroke="#eeeeee"/>`,
      `<line x1="${LEFT - 4}" y1="${ty}" x2="${LEFT}" y2="${ty}" stroke="#999"/>`,
      `<text x="${LEFT - 7}" y="${c2(y(t) + 4)}" text-anchor="end">${e(tickLabel(t))}</text>`,
    );
  }
  for (const t of xTicks) {
    const tx = c2(x(t));
    out.push(`<line x1="${tx}" y1="${bottom}" x2="${tx}" y2="${bottom + 4}" stroke="#999"/>`, `<text x="${tx}" y="${bottom + 17}" text-anchor="middle">${e(tickLabel(t))}</text>`);
  }
  out.push(`<text x="${LEFT + PW / 2}" y="${bottom + 36}" text-anchor="middle">seconds since the run's start</text>`);
  out.push(`<text transform="translate(16 ${TOP + PH / 2}) rotate(-90)" text-anchor="middle">${e(c.yLabel)}</text>`);
  if (refValue !== undefined)
    out.push(`<line class="reference" x1="${LEFT}" y1="${c2(y(refValue))}" x2="${LEFT + PW}" y2="${c2(y(refValue))}" stroke="#777" stroke-width="1.5" stroke-dasharray="8 4"/>`);
  if (seconds === 0) out.push(`<text x="${LEFT + PW / 2}" y="${TOP + PH / 2}" text-anchor="middle" fill="#666" font-size="14">no second recorded</text>`);
  else if (all.length === 0) out.push(`<text x="${LEFT + PW / 2}" y="${TOP + PH / 2}" text-anchor="middle" fill="#666" font-size="14">nothing measured</text>`);
  // a point per second, at the middle of its second; a gap splits the line; a lone point is a dot
  for (const l of c.lines) {
    const stroke = `stroke="${l.colour}" stroke-width="2"${l.dash ? ` stroke-dasharray="${l.dash}"` : ""}`;
    for (const [first, values] of segments(l.values)) {
      if (values.length === 1) {
        out.push(`<circle class="series s-${l.key}" cx="${c2(x(first + 0.5))}" cy="${c2(y(values[0]))}" r="3" fill="${l.colour}"/>`);
        continue;
      }
      const points = values.map((v, i) => `${c2(x(first + i + 0.5))},${c2(y(v))}`).join(" ");
      out.push(`<polyline class="series s-${l.key}" points="${points}" fill="none" ${stroke} stroke-linejoin="round"/>`);
    }
  }
  out.push(`</svg>`);
  if (c.note) out.push(`<p class="note">${e(c.note)}</p>`);
  return out.join("\n");
}

// The certification summary (summary.json) as one readable, self-contained HTML page: the gate
// first (passed or FAILED, with its reasons), the SUT, the counts, the declared known deviations,
// then one row per test case. The HTML report links to it from its overview (Executors widget).
// Every text is escaped; no script, no external resource.
import { escapeXml } from "./ladder-svg.ts";

/** What the page reads of summary.json (run's or merge's); every field optional but the test cases. */
export interface SummaryDocument {
  readonly sut?: string;
  readonly vendor?: string;
  readonly product?: string;
  readonly productVersion?: string;
  readonly profile?: string;
  readonly pics?: readonly string[];
  readonly counts?: Readonly<Record<string, number>>;
  readonly gate?: { readonly passed: boolean; readonly reasons?: readonly string[] };
  readonly interrupted?: string;
  readonly shards?: number;
  readonly durationSeconds?: number;
  readonly testCases?: readonly {
    readonly id: string;
    readonly name?: string;
    readonly verdict: string;
    readonly level?: string;
    readonly durationSeconds?: number;
    readonly reason?: string;
    readonly knownDeviation?: string;
    readonly notRun?: boolean;
    readonly requirements?: { readonly violated?: readonly { readonly id: string; readonly clause?: string; readonly times?: number }[] };
  }[];
}

/** The page, its tables and the colour of a verdict cell (`<td class="verdict-fail">`): shared with the release comparison (compare.ts). */
export const BASE_STYLE = `
body { font-family: Helvetica, Arial, sans-serif; margin: 16px; color: #222; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 20px; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.verdict-fail, td.verdict-error { color: #c00; font-weight: bold; }
td.verdict-inconclusive { color: #c60; font-weight: bold; }
td.verdict-pass { color: #2e7d32; }
`;

const STYLE = `${BASE_STYLE}
.gate { padding: 10px 14px; border-radius: 4px; font-size: 16px; }
.gate.failed { background: #fdecea; border: 2px solid #c00; }
.gate.passed { background: #e8f5e9; border: 2px solid #2e7d32; }
.gate b { font-size: 18px; }
.deviation { background: #fff6e0; }
`;

const VERDICTS = ["pass", "fail", "inconclusive", "error", "not-applicable"];

export function renderSummaryHtml(s: SummaryDocument, title: string): string {
  const e = (x: unknown): string => escapeXml(x === undefined || x === null ? "" : typeof x === "string" ? x : typeof x === "number" || typeof x === "boolean" ? x.toString() : JSON.stringify(x));
  const gate = s.gate ?? { passed: false, reasons: ["summary.json has no gate"] };
  const out: string[] = [];
  out.push(`<!DOCTYPE html>`, `<html lang="en">`, `<head>`, `<meta charset="utf-8">`, `<title>${e(title)}</title>`, `<style>${STYLE}</style>`, `</head>`, `<body>`);
  out.push(`<h1>${e(title)}</h1>`);
  out.push(`<div class="gate ${gate.passed ? "passed" : "failed"}" id="gate">Gate: <b>${gate.passed ? "passed" : "FAILED"}</b>`);
  if (!gate.passed && gate.reasons?.length) out.push(`<ul>${gate.reasons.map((r) => `<li>${e(r)}</li>`).join("")}</ul>`);
  out.push(`</div>`);
  out.push(`<h2>System under test</h2>`, `<table>`);
  const rows: [string, unknown][] = [
    ["SUT", [s.vendor, s.product, s.productVersion].filter((x) => x).join(" ")],
    ["Vendor", s.vendor],
    ["Product", s.product],
    ["Version", s.productVersion],
    ["Profile", s.profile],
    ["PICS claimed", (s.pics ?? []).join(", ") || "none"],
    ["Target", s.sut],
    ...(s.shards ? ([["Merged from", `${s.shards} result sets`]] as [string, unknown][]) : []),
    ...(s.interrupted ? ([["Interrupted", s.interrupted]] as [string, unknown][]) : []),
    ...(s.durationSeconds !== undefined ? ([["Duration", `${s.durationSeconds} s`]] as [string, unknown][]) : []),
  ];
  for (const [k, v] of rows) out.push(`<tr><th>${e(k)}</th><td>${e(v)}</td></tr>`);
  out.push(`</table>`);
  const counts = s.counts ?? {};
  out.push(
    `<h2>Verdicts</h2>`,
    `<table><tr>${VERDICTS.map((v) => `<th>${e(v)}</th>`).join("")}</tr><tr>${VERDICTS.map((v) => `<td${(counts[v] ?? 0) > 0 ? ` class="verdict-${e(v)}"` : ""}>${e(counts[v] ?? 0)}</td>`).join("")}</tr></table>`,
  );
  const cases = s.testCases ?? [];
  const deviations = cases.filter((c) => c.knownDeviation !== undefined);
  if (deviations.length) {
    out.push(`<h2>Known deviations (declared in the profile; verdicts and gate unchanged)</h2>`, `<table><tr><th>test case</th><th>verdict</th><th>deviation</th></tr>`);
    for (const c of deviations) out.push(`<tr class="deviation"><td>${e(c.id)}</td><td class="verdict-${e(c.verdict)}">${e(c.verdict)}</td><td>${e(c.knownDeviation)}</td></tr>`);
    out.push(`</table>`);
  }
  out.push(`<h2>Test cases (${cases.length})</h2>`);
  out.push(`<table><tr><th>test case</th><th>name</th><th>level</th><th>verdict</th><th>time</th><th>requirements violated</th><th>reason</th></tr>`);
  for (const c of cases) {
    const violated = (c.requirements?.violated ?? []).map((v) => `${v.id}${v.clause ? ` (${v.clause})` : ""}`).join(", ");
    out.push(
      `<tr${c.knownDeviation !== undefined ? ` class="deviation"` : ""}><td>${e(c.id)}</td><td>${e(c.name)}</td><td>${e(c.level)}</td>` +
        `<td class="verdict-${e(c.verdict)}">${e(c.verdict)}${c.notRun ? " (not run)" : ""}${c.knownDeviation !== undefined ? " (known deviation)" : ""}</td>` +
        `<td>${c.durationSeconds === undefined ? "" : `${e(c.durationSeconds)} s`}</td><td>${e(violated)}</td><td>${e(c.verdict === "pass" ? "" : c.reason)}</td></tr>`,
    );
  }
  out.push(`</table>`);
  out.push(`<p>The same as JSON: <a href="summary.json">summary.json</a>.</p>`);
  out.push(`</body>`, `</html>`);
  return out.join("\n") + "\n";
}

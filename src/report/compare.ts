// The release comparison (issue 15): the summary.json of several runs side by side, test case x run
// (product, version, date), with what changed between consecutive runs of the same product:
// - a regression: pass -> fail, error or inconclusive;
// - a fix: fail, error or inconclusive -> pass;
// - any other change: pass <-> not-applicable (what the profile claims changed, not the product),
//   fail -> error, a test case absent from one of the two runs or not run (an interrupted run).
// Runs of a product are ordered by date (summary.json's `date`; a summary without one, written
// before it existed, comes first), products in the order of their first run on the command line.
// Pure functions but readSummaryFile: summaries -> model -> console lines, JSON, HTML.
import { readFile } from "node:fs/promises";
import { escapeXml } from "./ladder-svg.ts";
import { BASE_STYLE } from "./summary-html.ts";

/** A file that is not a summary.json of a run: bad input, exit 2. */
export class CompareInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CompareInputError";
  }
}

/** What the comparison reads of a summary.json. */
export interface ComparedSummary {
  /** The file, as the user named it. */
  readonly file: string;
  readonly vendor?: string;
  readonly product?: string;
  readonly productVersion?: string;
  readonly profile?: string;
  /** When the run started, ISO 8601. */
  readonly date?: string;
  readonly testCases: readonly { readonly id: string; readonly name?: string; readonly verdict: string; readonly notRun?: boolean }[];
}

/** A column: one run. */
export interface ComparedRun {
  readonly file: string;
  readonly vendor: string;
  readonly product: string;
  readonly version: string;
  readonly date?: string;
}

/** What a cell shows: a verdict, "not-run" (an interrupted run's) or absent (the run has no such test case). */
export type Cell = string | undefined;

export const NOT_RUN = "not-run";
/** How an absent test case is shown. */
export const ABSENT = "—";

export type ChangeKind = "regression" | "fix" | "change";

export interface Change {
  readonly kind: ChangeKind;
  readonly id: string;
  readonly name: string;
  /** Indexes into Comparison.runs: two consecutive runs of one product. */
  readonly fromRun: number;
  readonly toRun: number;
  readonly from: Cell;
  readonly to: Cell;
}

export interface ComparedTestCase {
  readonly id: string;
  readonly name: string;
  /** One per run, in the order of Comparison.runs. */
  readonly cells: readonly Cell[];
}

export interface Comparison {
  readonly runs: readonly ComparedRun[];
  readonly testCases: readonly ComparedTestCase[];
  /** Regressions first, then fixes, then other changes; each group by product, then test case. */
  readonly changes: readonly Change[];
}

const NOT_PASSED = new Set(["fail", "error", "inconclusive"]);

/** What a verdict change between two consecutive runs of a product is. */
export function changeKind(from: Cell, to: Cell): ChangeKind | undefined {
  if (from === to) return undefined;
  if (from === "pass" && to !== undefined && NOT_PASSED.has(to)) return "regression";
  if (to === "pass" && from !== undefined && NOT_PASSED.has(from)) return "fix";
  return "change";
}

/** Reads and checks one summary.json; a CompareInputError names the file and why it is not one. */
export async function readSummaryFile(file: string): Promise<ComparedSummary> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    throw new CompareInputError(`${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CompareInputError(`${file}: is not JSON; compare takes the summary.json that run or merge writes`);
  }
  return checkSummary(file, parsed);
}

/** `value` as a summary, or a CompareInputError saying what is wrong with it. */
export function checkSummary(file: string, value: unknown): ComparedSummary {
  const notSummary = (why: string): CompareInputError => new CompareInputError(`${file}: is not a summary.json of a run (${why})`);
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw notSummary("not a JSON object");
  const s = value as Record<string, unknown>;
  if (!Array.isArray(s["testCases"])) throw notSummary("no testCases list");
  const testCases = (s["testCases"] as unknown[]).map((tc, i) => {
    const c = (typeof tc === "object" && tc !== null ? tc : {}) as Record<string, unknown>;
    if (typeof c["id"] !== "string" || typeof c["verdict"] !== "string") throw notSummary(`test case ${i + 1} has no id or verdict`);
    return { id: c["id"], verdict: c["verdict"], ...(typeof c["name"] === "string" ? { name: c["name"] } : {}), ...(c["notRun"] === true ? { notRun: true } : {}) };
  });
  const text = (k: string): { [key: string]: string } => (typeof s[k] === "string" && s[k] !== "" ? { [k]: s[k] } : {});
  if (s["date"] !== undefined && (typeof s["date"] !== "string" || Number.isNaN(Date.parse(s["date"])))) throw notSummary(`date ${JSON.stringify(s["date"])} is not a date`);
  return { file, ...text("vendor"), ...text("product"), ...text("productVersion"), ...text("profile"), ...text("date"), testCases };
}

/** Which runs are of the same product: vendor and product (the profile's name when there is no product). */
const productKey = (r: ComparedRun): string => JSON.stringify([r.vendor, r.product]);

/** The comparison of the summaries: runs grouped by product and ordered by date, every test case any run has. */
export function compareSummaries(summaries: readonly ComparedSummary[]): Comparison {
  const given = summaries.map((s, index) => ({
    index,
    summary: s,
    run: {
      file: s.file,
      vendor: s.vendor ?? "",
      product: s.product ?? s.profile ?? "unknown product",
      version: s.productVersion ?? "unknown version",
      ...(s.date !== undefined ? { date: s.date } : {}),
    } satisfies ComparedRun,
  }));
  const productOrder = new Map<string, number>();
  for (const g of given) if (!productOrder.has(productKey(g.run))) productOrder.set(productKey(g.run), productOrder.size);
  const time = (d: string | undefined): number => (d === undefined ? -Infinity : Date.parse(d));
  const ordered = [...given].sort((a, b) => productOrder.get(productKey(a.run))! - productOrder.get(productKey(b.run))! || time(a.run.date) - time(b.run.date) || a.index - b.index);
  const runs = ordered.map((g) => g.run);
  const names = new Map<string, string>();
  const cellsOf = ordered.map((g) => {
    const cells = new Map<string, string>();
    for (const tc of g.summary.testCases) {
      if (!names.get(tc.id) && tc.name) names.set(tc.id, tc.name);
      else if (!names.has(tc.id)) names.set(tc.id, "");
      cells.set(tc.id, tc.notRun ? NOT_RUN : tc.verdict);
    }
    return cells;
  });
  const ids = [...names.keys()].sort((a, b) => a.localeCompare(b));
  const testCases = ids.map((id) => ({ id, name: names.get(id) ?? "", cells: cellsOf.map((c) => c.get(id)) }));
  const found: Change[] = [];
  for (let i = 1; i < runs.length; i++) {
    if (productKey(runs[i - 1]) !== productKey(runs[i])) continue;
    for (const tc of testCases) {
      const kind = changeKind(tc.cells[i - 1], tc.cells[i]);
      if (kind) found.push({ kind, id: tc.id, name: tc.name, fromRun: i - 1, toRun: i, from: tc.cells[i - 1], to: tc.cells[i] });
    }
  }
  const rank: Record<ChangeKind, number> = { regression: 0, fix: 1, change: 2 };
  const changes = found.map((c, i) => ({ c, i })).sort((a, b) => rank[a.c.kind] - rank[b.c.kind] || a.i - b.i);
  return { runs, testCases, changes: changes.map((x) => x.c) };
}

/** What a cell shows: the verdict, "not run" or the absent mark. */
export function cellText(cell: Cell): string {
  return cell === undefined ? ABSENT : cell === NOT_RUN ? "not run" : cell;
}

/** The day of a run (YYYY-MM-DD, UTC), with the time (YYYY-MM-DD HH:MM:SS UTC) when asked, or "no date". */
export function dayOf(date: string | undefined, withTime = false): string {
  if (date === undefined) return "no date";
  const iso = new Date(Date.parse(date)).toISOString();
  return withTime ? `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC` : iso.slice(0, 10);
}

/** How each run's date is shown in a table: the day, and the time too when another run has the same day. */
function runDates(c: Comparison): string[] {
  const days = c.runs.map((r) => dayOf(r.date));
  return c.runs.map((r, i) => dayOf(r.date, r.date !== undefined && days.filter((d) => d === days[i]).length > 1));
}

/** Which two runs a change is between: "kamailio 5.6 -> 5.7", or with the days when the version is the same. */
export function changeBetween(c: Comparison, change: Change): string {
  const from = c.runs[change.fromRun];
  const to = c.runs[change.toRun];
  if (from.version !== to.version) return `${from.product} ${from.version} -> ${to.version}`;
  const sameDay = from.date !== undefined && to.date !== undefined && dayOf(from.date) === dayOf(to.date);
  return `${from.product} ${from.version}, ${dayOf(from.date, sameDay)} -> ${dayOf(to.date, sameDay)}`;
}

/** One change as the console and the HTML say it: "IMS-REG-005 pass -> fail (kamailio 5.6 -> 5.7)". */
export function changeText(c: Comparison, change: Change): string {
  return `${change.id} ${cellText(change.from)} -> ${cellText(change.to)} (${changeBetween(c, change)})`;
}

const HEADINGS: Record<ChangeKind, string> = { regression: "regressions", fix: "fixes", change: "other changes" };

/** The marks of the console table: a regression, a fix, another change. */
const MARKS: Record<ChangeKind, string> = { regression: " !", fix: " +", change: " *" };

/**
 * What the console shows: the table (a column per run, headed by product, version and day; a cell
 * marked when it changed since the product's previous run), then the regressions, the fixes and
 * the other changes, one line each.
 */
export function comparisonLines(c: Comparison): string[] {
  const marks = new Map(c.changes.map((ch) => [`${ch.toRun} ${ch.id}`, MARKS[ch.kind]]));
  const header = [
    ["test case", ...c.runs.map((r) => r.product)],
    ["", ...c.runs.map((r) => r.version)],
    ["", ...runDates(c)],
  ];
  const rows = c.testCases.map((tc) => [tc.id, ...tc.cells.map((cell, i) => `${cellText(cell)}${marks.get(`${i} ${tc.id}`) ?? ""}`)]);
  const widths = header[0].map((_, i) => Math.max(...[...header, ...rows].map((r) => r[i].length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  const lines = [...header.map(line), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)];
  lines.push(`(${ABSENT} absent from the run; since the product's previous run: ! regression, + fix, * other change)`);
  for (const kind of ["regression", "fix", "change"] as const) {
    const of = c.changes.filter((ch) => ch.kind === kind);
    const heading = `${HEADINGS[kind]}: `;
    of.forEach((ch, i) => lines.push(`${i === 0 ? heading : " ".repeat(heading.length)}${changeText(c, ch)}`));
  }
  const count = (kind: ChangeKind): number => c.changes.filter((ch) => ch.kind === kind).length;
  lines.push(`${c.runs.length} runs, ${c.testCases.length} test cases: ${count("regression")} regression(s), ${count("fix")} fix(es), ${count("change")} other change(s)`);
  return lines;
}

/** compare.json: the runs, every test case with a verdict per run (null when absent), the changes. */
export function comparisonJson(c: Comparison): string {
  const count = (kind: ChangeKind): number => c.changes.filter((ch) => ch.kind === kind).length;
  return (
    JSON.stringify(
      {
        runs: c.runs.map((r) => ({ file: r.file, vendor: r.vendor, product: r.product, version: r.version, date: r.date ?? null })),
        counts: { regressions: count("regression"), fixes: count("fix"), otherChanges: count("change") },
        testCases: c.testCases.map((tc) => ({ id: tc.id, name: tc.name, verdicts: tc.cells.map((cell) => cell ?? null) })),
        changes: c.changes.map((ch) => ({
          kind: ch.kind,
          id: ch.id,
          name: ch.name,
          product: c.runs[ch.fromRun].product,
          from: { run: ch.fromRun, version: c.runs[ch.fromRun].version, date: c.runs[ch.fromRun].date ?? null, verdict: ch.from ?? null },
          to: { run: ch.toRun, version: c.runs[ch.toRun].version, date: c.runs[ch.toRun].date ?? null, verdict: ch.to ?? null },
        })),
      },
      null,
      2,
    ) + "\n"
  );
}

const STYLE = `${BASE_STYLE}
td.absent, td.verdict-not-run { color: #888; }
td.regression { background: #fdecea; outline: 2px solid #c00; outline-offset: -2px; }
td.fix { background: #e8f5e9; }
td.change { background: #fff6e0; }
.verdict-summary { padding: 10px 14px; border-radius: 4px; font-size: 16px; }
.verdict-summary.regressions { background: #fdecea; border: 2px solid #c00; }
.verdict-summary.none { background: #e8f5e9; border: 2px solid #2e7d32; }
th.product { text-align: center; }
`;

/** compare.html: one static page (no script, no external resource), every text escaped. */
export function comparisonHtml(c: Comparison, title = "Release comparison"): string {
  const e = (x: string): string => escapeXml(x);
  const kindOf = new Map(c.changes.map((ch) => [`${ch.toRun} ${ch.id}`, ch.kind]));
  const regressions = c.changes.filter((ch) => ch.kind === "regression");
  const out: string[] = [];
  out.push(`<!DOCTYPE html>`, `<html lang="en">`, `<head>`, `<meta charset="utf-8">`, `<title>${e(title)}</title>`, `<style>${STYLE}</style>`, `</head>`, `<body>`);
  out.push(`<h1>${e(title)}</h1>`);
  out.push(
    `<div class="verdict-summary ${regressions.length ? "regressions" : "none"}" id="regressions">` +
      (regressions.length ? `<b>${regressions.length} regression(s)</b>` : `<b>No regression</b>`) +
      ` between consecutive runs of the same product</div>`,
  );
  for (const kind of ["regression", "fix", "change"] as const) {
    const of = c.changes.filter((ch) => ch.kind === kind);
    if (!of.length) continue;
    const heading = HEADINGS[kind];
    out.push(`<h2>${e(heading[0].toUpperCase() + heading.slice(1))} (${of.length})</h2>`, `<ul class="${heading.replace(" ", "-")}">`);
    for (const ch of of) out.push(`<li>${e(changeText(c, ch))}${ch.name ? ` &#8212; ${e(ch.name)}` : ""}</li>`);
    out.push(`</ul>`);
  }
  out.push(`<h2>Test cases (${c.testCases.length}) x runs (${c.runs.length})</h2>`, `<table>`);
  out.push(`<tr><th>product</th><th></th>${c.runs.map((r) => `<th class="product">${e(r.vendor ? `${r.vendor} ${r.product}` : r.product)}</th>`).join("")}</tr>`);
  out.push(`<tr><th>version</th><th></th>${c.runs.map((r) => `<th class="product">${e(r.version)}</th>`).join("")}</tr>`);
  const dates = runDates(c);
  out.push(`<tr><th>date</th><th></th>${c.runs.map((r, i) => `<th class="product" title="${e(r.file)}">${e(dates[i])}</th>`).join("")}</tr>`);
  out.push(`<tr><th>test case</th><th>name</th>${c.runs.map(() => `<th></th>`).join("")}</tr>`);
  for (const tc of c.testCases) {
    const cells = tc.cells.map((cell, i) => {
      const kind = kindOf.get(`${i} ${tc.id}`);
      const classes = [cell === undefined ? "absent" : `verdict-${cell}`, ...(kind ? [kind] : [])];
      const note = kind === "regression" ? " (regression)" : kind === "fix" ? " (fix)" : kind === "change" ? " (changed)" : "";
      return `<td class="${e(classes.join(" "))}">${e(cellText(cell))}${e(note)}</td>`;
    });
    out.push(`<tr><td>${e(tc.id)}</td><td>${e(tc.name)}</td>${cells.join("")}</tr>`);
  }
  out.push(`</table>`);
  out.push(`<p>${e(ABSENT)}: the run has no such test case. The same as JSON: <a href="compare.json">compare.json</a>.</p>`);
  out.push(`</body>`, `</html>`);
  return out.join("\n") + "\n";
}

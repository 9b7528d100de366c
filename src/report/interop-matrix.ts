// The vendor x vendor interoperability matrix (issue 15): rows the originating network (UE-A
// registered there), columns the terminating one (UE-B), one cell per ordered pair (the diagonal
// is empty: a network is not paired with itself), each cell the interop test cases' verdicts and
// its worst verdict (verdict.ts `worse`). A pair this run did not run (another shard's, `--pair
// i/n`, or never run) is a cell "not run in this run", never a verdict.
//
// The gate over all pairs: certification-summary.ts gateOf per pair (any applicable mandatory test
// case fail, error or inconclusive fails it), each reason prefixed with the pair's label; a pair
// with test cases that never started (an interrupted run) fails it, and so does the interruption.
//
// reports/interop/matrix.json (matrixJson; readMatrixJson reads it back for `merge`):
//   format          "ims-interop-matrix/1"
//   date            when the run started, ISO 8601 (InteropResult.startedAt; merge: the earliest)
//   interrupted     "interrupted by SIGINT" (only when a signal cut the run short)
//   gate            { passed, reasons[] }
//   counts          { pairs, pairsRun, pairsNotRun, verdicts: { pass, fail, inconclusive, not-applicable, error } }
//   networks[]      { index, name, vendor, product, productVersion, domain, sut }
//   testCases[]     { id, name, level }: the union over the pairs, sorted by id
//   pairs[]         every ordered pair (i, j), i != j, in interop-result.ts orderedPairs order:
//                   { label ("X -> Y"), originating, originatingIndex, terminating, terminatingIndex,
//                     status ("ran" | "not run in this run"), worst (verdict, or null),
//                     counts { <verdict>: n }, testCases[] { id, verdict, reason?, notRun? } }
//                   reason: the first line of the reason, only for a verdict other than pass;
//                   notRun: true for a test case an interrupted run never started (verdict error).
//
// Pure functions but allureLinkIndex: model -> console lines, JSON, HTML (reports/interop/matrix.html).
import { readFile, readdir } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import type { InteropResult } from "../runner/interop-result.ts";
import { orderedPairs, pairLabel } from "../runner/interop-result.ts";
import { type Verdict, VERDICTS, worse } from "../runner/verdict.ts";
import { type GateCase, type GateOptions, type GateVerdict, exitCodeOf, gateOf } from "./certification-summary.ts";
import { dayOf } from "./compare.ts";
import { escapeControlCharacters } from "./control-characters.ts";
import { escapeXml } from "./ladder-svg.ts";
import { BASE_STYLE } from "./summary-html.ts";

/** matrix.json's `format`: changes when a field changes meaning. */
export const MATRIX_FORMAT = "ims-interop-matrix/1";
/** The status of a pair this run (or shard) did not run: not a verdict. */
export const NOT_RUN_IN_THIS_RUN = "not run in this run";
export type PairStatus = "ran" | typeof NOT_RUN_IN_THIS_RUN;

/** A matrix.json that cannot be read or merged: bad input, exit 2. */
export class MatrixInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MatrixInputError";
  }
}

export interface MatrixNetwork {
  readonly name: string;
  readonly vendor: string;
  readonly product: string;
  readonly version: string;
  readonly domain: string;
  readonly sut: string;
}

export interface MatrixTestCase {
  readonly id: string;
  readonly name: string;
  /** "mandatory" or "optional" (TestCase.level): what the gate reads. */
  readonly level: string;
}

/** One test case of one pair. */
export interface MatrixVerdict {
  readonly id: string;
  readonly verdict: Verdict;
  /** The first line of the reason; only for a verdict other than pass. */
  readonly reason?: string;
  /** It never started: the run was interrupted first (its verdict is error). */
  readonly notRun?: true;
}

/** A cell: the ordered pair (originating, terminating), indexes into InteropMatrix.networks. */
export interface MatrixPair {
  readonly originating: number;
  readonly terminating: number;
  /** "X -> Y": the Allure parentSuite of the pair's results. */
  readonly label: string;
  readonly status: PairStatus;
  /** By test case id; empty when not run in this run. */
  readonly verdicts: readonly MatrixVerdict[];
  /** The worst verdict of the cell (verdict.ts `worse`); absent when it has none. */
  readonly worst?: Verdict;
  readonly counts: Readonly<Record<Verdict, number>>;
}

export interface InteropMatrix {
  /** When the run started, ISO 8601 (the earliest input's after a merge). */
  readonly date: string;
  /** "interrupted by SIGINT" when a signal cut the run (or a merged shard) short. */
  readonly interrupted?: string;
  readonly networks: readonly MatrixNetwork[];
  /** The union of the pairs' test cases, sorted by id. */
  readonly testCases: readonly MatrixTestCase[];
  /** Every ordered pair of the networks, in orderedPairs order, run or not. */
  readonly pairs: readonly MatrixPair[];
  readonly gate: GateVerdict;
  /** The matrix.json it was read from (readMatrixJson): merge's errors name it. */
  readonly file?: string;
}

const zeroCounts = (): Record<Verdict, number> => Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;

const firstLine = (text: string): string => text.split(/\r?\n/)[0];

/** A cell from its verdicts: sorted by id, with its worst verdict and counts. */
function makePair(originating: number, terminating: number, label: string, status: PairStatus, verdicts: readonly MatrixVerdict[]): MatrixPair {
  const sorted = [...verdicts].sort((a, b) => a.id.localeCompare(b.id));
  const counts = zeroCounts();
  for (const v of sorted) counts[v.verdict]++;
  const worst = sorted.length ? sorted.map((v) => v.verdict).reduce(worse) : undefined;
  return { originating, terminating, label, status, verdicts: sorted, ...(worst ? { worst } : {}), counts };
}

/**
 * The gate over the pairs run: gateOf on each pair's test cases (certification-summary.ts), its
 * reasons prefixed with the pair's label; a pair with test cases not run fails it, and so does an
 * interrupted run. Pairs not run in this run do not count (another shard's).
 */
export function matrixGate(m: Pick<InteropMatrix, "pairs" | "testCases" | "interrupted">, options: GateOptions = {}): GateVerdict {
  const reasons: string[] = [];
  const notRun = m.pairs.reduce((n, p) => n + p.verdicts.filter((v) => v.notRun).length, 0);
  if (m.interrupted) reasons.push(`the run was ${m.interrupted}: ${notRun} test case(s) did not run`);
  for (const p of m.pairs) {
    if (p.status !== "ran") continue;
    const k = p.verdicts.filter((v) => v.notRun).length;
    const g = gateOf(pairGateCases(m, p), options, k ? [`${k} test case(s) did not run`] : []);
    reasons.push(...g.reasons.map((r) => `${p.label}: ${r}`));
  }
  return { passed: reasons.length === 0, reasons };
}

/** A pair's test cases as the gate reads them. */
function pairGateCases(m: Pick<InteropMatrix, "testCases">, p: MatrixPair): GateCase[] {
  const level = new Map(m.testCases.map((tc) => [tc.id, tc.level]));
  return p.verdicts.map((v) => ({ id: v.id, level: level.get(v.id) ?? "optional", verdict: v.verdict }));
}

/** The exit code of the matrix's gate (exitCodeOf): 1 when a pair fails it on the SUTs' fail, 3 when only on errors and inconclusive verdicts. */
export function matrixExitCode(m: InteropMatrix, options: GateOptions = {}): 0 | 1 | 3 {
  if (m.gate.passed) return 0;
  const codes = m.pairs.filter((p) => p.status === "ran").map((p) => exitCodeOf(pairGateCases(m, p), { passed: false, reasons: [] }, options));
  return codes.includes(1) ? 1 : 3;
}

/** The model of an interop run: networks, test cases, one cell per ordered pair, the gate. */
export function interopMatrix(result: InteropResult, options: GateOptions = {}): InteropMatrix {
  const n = result.networks.length;
  const networks = result.networks.map((x) => ({ name: x.name, vendor: x.vendor, product: x.product, version: x.productVersion, domain: x.domain, sut: x.sut }));
  const cases = new Map<string, MatrixTestCase>();
  const ran = new Map<string, MatrixPair>();
  for (const p of result.pairs) {
    if (!(p.originating >= 0 && p.originating < n && p.terminating >= 0 && p.terminating < n) || p.originating === p.terminating)
      throw new Error(`interop result: pair ${p.label} (${p.originating}, ${p.terminating}) is not an ordered pair of its ${n} networks`);
    const key = `${p.originating} ${p.terminating}`;
    if (ran.has(key)) throw new Error(`interop result: pair ${p.label} is there twice`);
    for (const r of p.results) if (!cases.has(r.testCase.id)) cases.set(r.testCase.id, { id: r.testCase.id, name: r.testCase.name, level: r.testCase.level });
    const verdicts = p.results.map((r) => ({
      id: r.testCase.id,
      verdict: r.verdict,
      ...(r.verdict !== "pass" && r.reason ? { reason: firstLine(r.reason) } : {}),
      ...(r.notRun ? { notRun: true as const } : {}),
    }));
    ran.set(key, makePair(p.originating, p.terminating, pairLabel(networks[p.originating].name, networks[p.terminating].name), "ran", verdicts));
  }
  const pairs = orderedPairs(n).map(
    ({ originating, terminating }) =>
      ran.get(`${originating} ${terminating}`) ?? makePair(originating, terminating, pairLabel(networks[originating].name, networks[terminating].name), NOT_RUN_IN_THIS_RUN, []),
  );
  const testCases = [...cases.values()].sort((a, b) => a.id.localeCompare(b.id));
  const base = { date: result.startedAt, ...(result.interrupted ? { interrupted: result.interrupted } : {}), networks, testCases, pairs };
  return { ...base, gate: matrixGate(base, options) };
}

/** The cell of (originating, terminating); undefined on the diagonal. */
export function cellAt(m: InteropMatrix, originating: number, terminating: number): MatrixPair | undefined {
  return m.pairs.find((p) => p.originating === originating && p.terminating === terminating);
}

/** Verdict counts over every pair run. */
function totalCounts(m: InteropMatrix): Record<Verdict, number> {
  const c = zeroCounts();
  for (const p of m.pairs) for (const v of VERDICTS) c[v] += p.counts[v];
  return c;
}

/** reports/interop/matrix.json: the fields listed at the top of this module. */
export function matrixJson(m: InteropMatrix): string {
  const run = m.pairs.filter((p) => p.status === "ran").length;
  return (
    JSON.stringify(
      {
        format: MATRIX_FORMAT,
        date: m.date,
        ...(m.interrupted ? { interrupted: m.interrupted } : {}),
        gate: { passed: m.gate.passed, reasons: m.gate.reasons },
        counts: { pairs: m.pairs.length, pairsRun: run, pairsNotRun: m.pairs.length - run, verdicts: totalCounts(m) },
        networks: m.networks.map((x, index) => ({ index, name: x.name, vendor: x.vendor, product: x.product, productVersion: x.version, domain: x.domain, sut: x.sut })),
        testCases: m.testCases.map((tc) => ({ id: tc.id, name: tc.name, level: tc.level })),
        pairs: m.pairs.map((p) => ({
          label: p.label,
          originating: m.networks[p.originating].name,
          originatingIndex: p.originating,
          terminating: m.networks[p.terminating].name,
          terminatingIndex: p.terminating,
          status: p.status,
          worst: p.worst ?? null,
          counts: p.counts,
          testCases: p.verdicts.map((v) => ({ id: v.id, verdict: v.verdict, ...(v.reason !== undefined ? { reason: v.reason } : {}), ...(v.notRun ? { notRun: true } : {}) })),
        })),
      },
      null,
      2,
    ) + "\n"
  );
}

/** matrix.json (matrixJson's) back into the model; a MatrixInputError names the file and what is wrong. */
export function readMatrixJson(text: string, file: string): InteropMatrix {
  const bad = (why: string): MatrixInputError => new MatrixInputError(`${file}: is not a matrix.json of an interop run (${why})`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw bad("not JSON");
  }
  const obj = (v: unknown, what: string): Record<string, unknown> => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw bad(`${what} is not a JSON object`);
    return v as Record<string, unknown>;
  };
  const str = (o: Record<string, unknown>, k: string, what: string): string => {
    if (typeof o[k] !== "string") throw bad(`${what} has no ${k}`);
    return o[k];
  };
  const list = (o: Record<string, unknown>, k: string, what: string): unknown[] => {
    if (!Array.isArray(o[k])) throw bad(`${what} has no ${k} list`);
    return o[k] as unknown[];
  };
  const s = obj(parsed, "the file");
  if (s["format"] !== MATRIX_FORMAT) throw bad(`format ${JSON.stringify(s["format"] ?? null)}, expected "${MATRIX_FORMAT}"`);
  const date = str(s, "date", "the file");
  if (Number.isNaN(Date.parse(date))) throw bad(`date ${JSON.stringify(date)} is not a date`);
  const networks = list(s, "networks", "the file").map((v, i) => {
    const x = obj(v, `network ${i + 1}`);
    const w = `network ${i + 1}`;
    return { name: str(x, "name", w), vendor: str(x, "vendor", w), product: str(x, "product", w), version: str(x, "productVersion", w), domain: str(x, "domain", w), sut: str(x, "sut", w) };
  });
  const testCases = list(s, "testCases", "the file").map((v, i) => {
    const x = obj(v, `test case ${i + 1}`);
    const w = `test case ${i + 1}`;
    return { id: str(x, "id", w), name: str(x, "name", w), level: str(x, "level", w) };
  });
  const known = new Set(testCases.map((tc) => tc.id));
  const ran = new Map<string, MatrixPair>();
  for (const [i, v] of list(s, "pairs", "the file").entries()) {
    const x = obj(v, `pair ${i + 1}`);
    const o = x["originatingIndex"];
    const t = x["terminatingIndex"];
    if (typeof o !== "number" || typeof t !== "number" || !networks[o] || !networks[t] || o === t) throw bad(`pair ${i + 1} is not an ordered pair of its ${networks.length} networks`);
    const label = pairLabel(networks[o].name, networks[t].name);
    if (x["originating"] !== networks[o].name || x["terminating"] !== networks[t].name) throw bad(`pair ${i + 1}'s names are not those of networks ${o} and ${t}`);
    const status = x["status"];
    if (status !== "ran" && status !== NOT_RUN_IN_THIS_RUN) throw bad(`pair ${label} has status ${JSON.stringify(status ?? null)}`);
    if (ran.has(`${o} ${t}`)) throw bad(`pair ${label} is listed twice`);
    const verdicts = list(x, "testCases", `pair ${label}`).map((c) => {
      const y = obj(c, `a test case of pair ${label}`);
      const id = str(y, "id", `a test case of pair ${label}`);
      const verdict = y["verdict"];
      if (!(VERDICTS as readonly unknown[]).includes(verdict)) throw bad(`${id} of pair ${label} has verdict ${JSON.stringify(verdict ?? null)}`);
      if (!known.has(id)) throw bad(`${id} of pair ${label} is not in testCases`);
      return { id, verdict: verdict as Verdict, ...(typeof y["reason"] === "string" ? { reason: y["reason"] } : {}), ...(y["notRun"] === true ? { notRun: true as const } : {}) };
    });
    ran.set(`${o} ${t}`, makePair(o, t, label, status, status === "ran" ? verdicts : []));
  }
  const pairs = orderedPairs(networks.length).map(
    ({ originating: o, terminating: t }) => ran.get(`${o} ${t}`) ?? makePair(o, t, pairLabel(networks[o].name, networks[t].name), NOT_RUN_IN_THIS_RUN, []),
  );
  const g = obj(s["gate"], "gate");
  if (typeof g["passed"] !== "boolean" || !Array.isArray(g["reasons"]) || !g["reasons"].every((r) => typeof r === "string")) throw bad("gate has no passed and reasons");
  const interrupted = typeof s["interrupted"] === "string" ? { interrupted: s["interrupted"] } : {};
  return { date, ...interrupted, networks, testCases: [...testCases].sort((a, b) => a.id.localeCompare(b.id)), pairs, gate: { passed: g["passed"], reasons: g["reasons"] }, file };
}

/**
 * The matrix of a whole run from its shards' (`--pair i/n`): the same networks (name and domain,
 * in the same order) in every input, each pair from the one input that ran it, the gate
 * recomputed. The networks' other fields are the first input's; the date the earliest.
 */
export function mergeMatrices(matrices: readonly InteropMatrix[], options: GateOptions = {}): InteropMatrix {
  if (matrices.length === 0) throw new MatrixInputError("no matrix.json to merge");
  const nameOf = (m: InteropMatrix, i: number): string => m.file ?? `input ${i + 1}`;
  const first = matrices[0];
  const show = (x: MatrixNetwork): string => `${x.name} (${x.domain})`;
  for (const [i, m] of matrices.entries()) {
    if (i === 0) continue;
    const diff =
      m.networks.length !== first.networks.length
        ? `${m.networks.length} networks (${m.networks.map(show).join(", ")}), ${nameOf(first, 0)} has ${first.networks.length} (${first.networks.map(show).join(", ")})`
        : m.networks
            .map((x, k) =>
              x.name !== first.networks[k].name || x.domain !== first.networks[k].domain ? `network ${k + 1} is ${show(x)}, in ${nameOf(first, 0)} ${show(first.networks[k])}` : undefined,
            )
            .find((d) => d !== undefined);
    if (diff) throw new MatrixInputError(`${nameOf(m, i)}: not the networks of ${nameOf(first, 0)}: ${diff}; the shards of one interop run have the same networks`);
  }
  const from = new Map<string, { pair: MatrixPair; input: number }>();
  for (const [i, m] of matrices.entries()) {
    for (const p of m.pairs) {
      if (p.status !== "ran") continue;
      const key = `${p.originating} ${p.terminating}`;
      const earlier = from.get(key);
      if (earlier) throw new MatrixInputError(`${nameOf(m, i)}: pair ${p.label} is also in ${nameOf(matrices[earlier.input], earlier.input)}: each pair comes from one shard`);
      from.set(key, { pair: p, input: i });
    }
  }
  const cases = new Map<string, MatrixTestCase>();
  for (const m of matrices)
    for (const tc of m.testCases) {
      const had = cases.get(tc.id);
      // A level two inputs disagree on: mandatory, so the gate never loses a check
      cases.set(tc.id, had ? { id: tc.id, name: had.name || tc.name, level: had.level === "mandatory" || tc.level === "mandatory" ? "mandatory" : had.level } : tc);
    }
  const pairs = orderedPairs(first.networks.length).map(
    ({ originating: o, terminating: t }) => from.get(`${o} ${t}`)?.pair ?? makePair(o, t, pairLabel(first.networks[o].name, first.networks[t].name), NOT_RUN_IN_THIS_RUN, []),
  );
  const date = matrices.map((m) => m.date).reduce((a, b) => (Date.parse(b) < Date.parse(a) ? b : a));
  const interrupted = [...new Set(matrices.map((m) => m.interrupted).filter((x): x is string => x !== undefined))].join(" and ");
  const base = {
    date,
    ...(interrupted ? { interrupted } : {}),
    networks: first.networks,
    testCases: [...cases.values()].sort((a, b) => a.id.localeCompare(b.id)),
    pairs,
  };
  return { ...base, gate: matrixGate(base, options) };
}

/** How a test case of a pair is shown: its verdict, or "not run". */
const shownVerdict = (v: MatrixVerdict): string => (v.notRun ? "not run" : v.verdict);

/** The console: one line per pair ("X -> Y: IMS-IOP-001 pass, IMS-IOP-002 fail"), then the gate. */
export function matrixConsoleLines(m: InteropMatrix): string[] {
  const c = escapeControlCharacters;
  const lines = m.pairs.map((p) => `${c(p.label)}: ${p.status === "ran" ? p.verdicts.map((v) => `${c(v.id)} ${shownVerdict(v)}`).join(", ") || "no test case" : NOT_RUN_IN_THIS_RUN}`);
  const run = m.pairs.filter((p) => p.status === "ran").length;
  const notRun = m.pairs.length - run;
  const scope = `${run} of ${m.pairs.length} pairs run${notRun ? `, ${notRun} ${NOT_RUN_IN_THIS_RUN}` : ""}`;
  lines.push(m.gate.passed ? `interop gate: passed (${scope})` : `interop gate: FAILED (${scope}): ${m.gate.reasons.map((r) => c(firstLine(r))).join("; ")}`);
  return lines;
}

/**
 * An index of the generated Allure report (`reportDir`, allure-report.ts generateReport): pair
 * label (the result's parentSuite) and test case id (its testCaseId label, else the IMS id its
 * name starts with) -> a link from `matrixDir` (default: reports/interop beside reportDir) to the
 * test result's page, `<reportDir>/index.html#testresult/<uid>` (the Allure 2 app's route for one
 * test result; a retry hidden by a later result is not linked when that one is there). A report
 * not generated (no Java) links nothing.
 */
export async function allureLinkIndex(reportDir: string, matrixDir: string = join(dirname(resolve(reportDir)), "interop")): Promise<(pairLabel: string, testCaseId: string) => string | undefined> {
  const dir = join(reportDir, "data", "test-cases");
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith(".json")).sort();
  const base = relative(resolve(matrixDir), resolve(reportDir)).split(sep).map(encodeURIComponent).join("/");
  const index = new Map<string, { uid: string; hidden: boolean }>();
  for (const f of files) {
    let tc: { uid?: unknown; name?: unknown; hidden?: unknown; labels?: unknown };
    try {
      tc = JSON.parse(await readFile(join(dir, f), "utf8")) as typeof tc;
    } catch {
      continue;
    }
    if (typeof tc.uid !== "string") continue;
    const labels = Array.isArray(tc.labels) ? (tc.labels as { name?: unknown; value?: unknown }[]) : [];
    const label = (name: string): string | undefined => labels.find((l) => l.name === name && typeof l.value === "string")?.value as string | undefined;
    const suite = label("parentSuite");
    const id = label("testCaseId") ?? (typeof tc.name === "string" ? /^(IMS-[A-Z]+-\d{3})\b/.exec(tc.name)?.[1] : undefined);
    if (suite === undefined || id === undefined) continue;
    const key = JSON.stringify([suite, id]);
    const hidden = tc.hidden === true;
    const had = index.get(key);
    if (!had || (had.hidden && !hidden)) index.set(key, { uid: tc.uid, hidden });
  }
  return (pair, testCaseId) => {
    const hit = index.get(JSON.stringify([pair, testCaseId]));
    return hit ? `${base ? `${base}/` : ""}index.html#testresult/${encodeURIComponent(hit.uid)}` : undefined;
  };
}

export interface MatrixHtmlOptions {
  /** The link of a pair's test case in the Allure report (allureLinkIndex), or none. */
  readonly allureLinks?: (pairLabel: string, testCaseId: string) => string | undefined;
  readonly title?: string;
}

/** Cell backgrounds by worst verdict, and badge colours. */
export const CELL_BACKGROUND: Readonly<Record<Verdict, string>> = {
  pass: "#e3f4e4",
  fail: "#f9c9c9",
  error: "#ffe2b3",
  inconclusive: "#ffe2b3",
  "not-applicable": "#eeeeee",
};
const BADGE: Readonly<Record<Verdict, { bg: string; fg: string }>> = {
  pass: { bg: "#2e7d32", fg: "#ffffff" },
  fail: { bg: "#c62828", fg: "#ffffff" },
  error: { bg: "#e65100", fg: "#ffffff" },
  inconclusive: { bg: "#f9a825", fg: "#222222" },
  "not-applicable": { bg: "#9e9e9e", fg: "#ffffff" },
};
const HATCH = "repeating-linear-gradient(45deg, #ffffff, #ffffff 6px, #e4e4e4 6px, #e4e4e4 8px)";

const STYLE = `${BASE_STYLE}
.gate { padding: 10px 14px; border-radius: 4px; font-size: 16px; margin-bottom: 8px; }
.gate.failed { background: #fdecea; border: 2px solid #c00; }
.gate.passed { background: #e8f5e9; border: 2px solid #2e7d32; }
table.matrix th.network { min-width: 140px; }
table.matrix th .detail { display: block; font-weight: normal; color: #555; font-size: 12px; }
table.matrix td.cell { min-width: 160px; }
table.matrix td.self { background: #fafafa; }
${VERDICTS.map((v) => `td.worst-${v} { background: ${CELL_BACKGROUND[v]}; }`).join("\n")}
td.pair-not-run { background: ${HATCH}; color: #555; }
ul.badges { list-style: none; margin: 0; padding: 0; }
ul.badges li { margin: 2px 0; }
.badge { display: inline-block; padding: 1px 6px; border-radius: 3px; font-size: 12px; text-decoration: none; white-space: nowrap; }
${VERDICTS.map((v) => `.badge.verdict-${v} { background: ${BADGE[v].bg}; color: ${BADGE[v].fg}; }`).join("\n")}
.badge.not-run { background: ${HATCH}; color: #333; border: 1px dashed #888; }
a.badge:hover { outline: 2px solid #222; }
.legend .badge { margin-right: 6px; }
`;

/**
 * reports/interop/matrix.html: one static page (no script, no external resource; every text
 * escaped with escapeXml, control characters included). Rows originating, columns terminating;
 * each cell its test cases as verdict badges, linked to the Allure report when allureLinks gives
 * a link, the reason as the tooltip; the gate and the date above, a legend below.
 */
export function matrixHtml(m: InteropMatrix, options: MatrixHtmlOptions = {}): string {
  const e = escapeXml;
  const title = options.title ?? "Interoperability matrix";
  const names = new Map(m.testCases.map((tc) => [tc.id, tc.name]));
  const out: string[] = [];
  out.push(`<!DOCTYPE html>`, `<html lang="en">`, `<head>`, `<meta charset="utf-8">`, `<title>${e(title)}</title>`, `<style>${STYLE}</style>`, `</head>`, `<body>`);
  out.push(`<h1>${e(title)}</h1>`);
  out.push(`<div class="gate ${m.gate.passed ? "passed" : "failed"}" id="gate">Gate: <b>${m.gate.passed ? "passed" : "FAILED"}</b>`);
  if (!m.gate.passed && m.gate.reasons.length) out.push(`<ul>${m.gate.reasons.map((r) => `<li>${e(r)}</li>`).join("")}</ul>`);
  out.push(`</div>`);
  const run = m.pairs.filter((p) => p.status === "ran").length;
  out.push(
    `<p id="date">Run started ${e(dayOf(m.date, true))}${m.interrupted ? `, ${e(m.interrupted)}` : ""}; ${run} of ${m.pairs.length} ordered pairs run, ${m.testCases.length} interop test case(s).</p>`,
  );
  const header = (x: MatrixNetwork): string => `${e(x.name)}<span class="detail">${e([x.vendor, x.product, x.version].filter((s) => s).join(" "))}</span><span class="detail">${e(x.domain)}</span>`;
  out.push(`<table class="matrix" id="matrix" aria-label="${e("Interoperability matrix: a UE of the row's network calls a UE of the column's network")}">`);
  out.push(`<caption>Rows: originating network (UE-A); columns: terminating network (UE-B)</caption>`);
  out.push(
    `<thead><tr><th scope="col">originating \u2193 / terminating \u2192</th>${m.networks.map((x) => `<th scope="col" class="network" title="${e(x.sut)}">${header(x)}</th>`).join("")}</tr></thead>`,
  );
  out.push(`<tbody>`);
  for (const [i, row] of m.networks.entries()) {
    const cells = m.networks.map((col, j) => {
      const p = cellAt(m, i, j);
      if (!p) return `<td class="self" aria-label="${e(`${row.name}: not paired with itself`)}"></td>`;
      const calls = `UE of ${row.name} calls UE of ${col.name}`;
      if (p.status !== "ran") return `<td class="cell pair-not-run" data-pair="${e(p.label)}" aria-label="${e(`${calls}: ${NOT_RUN_IN_THIS_RUN}`)}">${NOT_RUN_IN_THIS_RUN}</td>`;
      const badges = p.verdicts.map((v) => {
        const shown = shownVerdict(v);
        const tip = `${v.id} ${names.get(v.id) ?? ""}`.trim() + `: ${shown}` + (v.reason ? `\n${v.reason}` : "");
        const attrs = `class="badge verdict-${v.verdict}${v.notRun ? " not-run" : ""}" title="${e(tip)}" aria-label="${e(`${calls}: ${v.id} ${shown}`)}"`;
        const link = options.allureLinks?.(p.label, v.id);
        return `<li>${link ? `<a ${attrs} href="${e(link)}">` : `<span ${attrs}>`}${e(v.id)} ${e(shown)}${link ? "</a>" : "</span>"}</li>`;
      });
      const worst = p.worst ? ` worst-${p.worst}` : "";
      return `<td class="cell${worst}" data-pair="${e(p.label)}" aria-label="${e(`${calls}: ${p.worst ?? "no test case"}`)}">${badges.length ? `<ul class="badges">${badges.join("")}</ul>` : "no test case"}</td>`;
    });
    out.push(`<tr><th scope="row" class="network" title="${e(row.sut)}">${header(row)}</th>${cells.join("")}</tr>`);
  }
  out.push(`</tbody>`, `</table>`);
  const legend = [
    ...(["pass", "fail", "error", "inconclusive", "not-applicable"] as const).map((v) => `<span class="badge verdict-${v}">${v}</span>`),
    `<span class="badge verdict-error not-run">not run</span>: the run was interrupted before the test case started`,
  ];
  out.push(
    `<div class="legend" id="legend"><p>Badges: ${legend.join(" ")}.</p>` +
      `<p>A cell's background is its worst verdict (error, fail, inconclusive, pass, not-applicable, in that order); a hatched cell is a pair ${NOT_RUN_IN_THIS_RUN} (another shard's, or never run); the diagonal is empty: a network is not paired with itself. ` +
      `A badge links to the test result in the Allure report when there is one; its tooltip gives the reason. The same as JSON: <a href="matrix.json">matrix.json</a>.</p></div>`,
  );
  out.push(`</body>`, `</html>`);
  return out.join("\n") + "\n";
}

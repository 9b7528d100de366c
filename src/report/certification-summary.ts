// The certification summary: per test case its identifier, verdict, level, PICS, duration and
// references (JSON for machines, a table for the console), the gate a CI job trusts, and the exit
// code that says who failed it: the SUT (1) or the test bed and the harness (3).
import type { RunResult } from "../runner/index.ts";
import { escapeControlCharacters } from "./control-characters.ts";

export interface GateOptions {
  /** Optional test cases allowed to fail (default: any number). */
  readonly maxOptionalFailures?: number;
}

export interface GateVerdict {
  readonly passed: boolean;
  /** One line per reason the gate failed. */
  readonly reasons: readonly string[];
}

/** What the gate reads of a test case: a run's result or a line of a (merged) summary.json. */
export interface GateCase {
  readonly id: string;
  readonly level: string;
  readonly verdict: string;
}

/** The test cases of a run as the gate reads them. */
export function gateCases(run: RunResult): GateCase[] {
  return run.results.map((r) => ({ id: r.testCase.id, level: r.testCase.level, verdict: r.verdict }));
}

const notPassed = (verdict: string): boolean => verdict === "fail" || verdict === "error" || verdict === "inconclusive";

/**
 * The gate over any list of test cases: every applicable mandatory one passed, optional ones not
 * passed within the threshold; not applicable never counts. `before` are reasons found elsewhere
 * (an interrupted run, a test case two shards reported), listed first.
 */
export function gateOf(cases: readonly GateCase[], options: GateOptions = {}, before: readonly string[] = []): GateVerdict {
  const reasons = [...before];
  for (const c of cases) if (c.level === "mandatory" && notPassed(c.verdict)) reasons.push(`mandatory ${c.id} is ${c.verdict}`);
  const optional = cases.filter((c) => c.level === "optional" && notPassed(c.verdict));
  if (options.maxOptionalFailures !== undefined && optional.length > options.maxOptionalFailures) {
    reasons.push(`${optional.length} optional test case(s) did not pass (${optional.map((c) => c.id).join(", ")}); at most ${options.maxOptionalFailures} allowed`);
  }
  return { passed: reasons.length === 0, reasons };
}

/** Exit 0 only if every applicable mandatory test case passed; optional failures up to the threshold; not applicable never counts. */
export function gate(run: RunResult, options: GateOptions = {}): GateVerdict {
  const notRun = run.results.filter((r) => r.notRun).length;
  return gateOf(gateCases(run), options, run.interrupted ? [`the run was ${run.interrupted}: ${notRun} test case(s) did not run`] : []);
}

/**
 * The exit code of `run` and `merge` once the gate is decided (a signal's 130/143/129 and bad
 * input's 2 are decided before):
 * - 0: the gate passed;
 * - 1: the SUT failed the gate: an applicable mandatory test case is `fail`, or the optional `fail`s
 *   alone are more than --max-optional-failures allows;
 * - 3: the gate failed without that: errors and inconclusive verdicts (an unreachable SUT, a test
 *   bed that broke down, a harness error).
 * A known deviation changes nothing here: it changes no verdict.
 */
export function exitCodeOf(run: RunResult | readonly GateCase[], gateVerdict: GateVerdict, options: GateOptions = {}): 0 | 1 | 3 {
  if (gateVerdict.passed) return 0;
  const cases = "results" in run ? gateCases(run) : run;
  if (cases.some((c) => c.level === "mandatory" && c.verdict === "fail")) return 1;
  const optionalFails = cases.filter((c) => c.level === "optional" && c.verdict === "fail").length;
  if (options.maxOptionalFailures !== undefined && optionalFails > options.maxOptionalFailures) return 1;
  return 3;
}

/** What exit 3 means, for the console: the gate failed, but no test case blames the SUT. */
export const EXIT_3_MEANING = "exit 3: the gate failed on errors or inconclusive verdicts, not on a fail of the SUT: see the test bed (is the SUT reachable?) or the harness";

/**
 * `text` at most `max` characters, cut at the last space before the limit and ended with "…";
 * never inside a word: a first word longer than `max` is kept whole.
 */
export function cutAtWord(text: string, max: number): string {
  if (text.length <= max) return text;
  const space = text.lastIndexOf(" ", max - 1);
  if (space > 0) return `${text.slice(0, space).replace(/[\s,;:]+$/, "")}…`;
  const next = text.indexOf(" ", max);
  return next < 0 ? text : `${text.slice(0, next).replace(/[,;:]+$/, "")}…`;
}

export function summaryJson(run: RunResult, gateVerdict: GateVerdict): string {
  const p = run.profile;
  const deviations = run.results.filter((r) => r.knownDeviation !== undefined);
  return (
    JSON.stringify(
      {
        sut: run.sut,
        vendor: p.vendor,
        product: p.product,
        productVersion: p.productVersion,
        profile: p.name,
        // When the run started (ISO 8601): `compare` orders the runs of a product by it
        ...(run.startedAt ? { date: run.startedAt } : {}),
        pics: Object.entries(p.pics)
          .filter(([, v]) => v)
          .map(([k]) => k),
        counts: run.counts,
        gate: gateVerdict,
        ...(run.interrupted ? { interrupted: run.interrupted } : {}),
        // The profile's declared deviations of the test cases run, with the verdict each got: listed,
        // never changing a verdict or the gate (TTCN-3 practice)
        ...(deviations.length ? { knownDeviations: deviations.map((r) => ({ id: r.testCase.id, verdict: r.verdict, deviation: r.knownDeviation })) } : {}),
        durationSeconds: Math.round(run.durationMs) / 1000,
        testCases: run.results.map((r) => ({
          id: r.testCase.id,
          name: r.testCase.name,
          verdict: r.verdict,
          ...(r.notRun ? { notRun: true } : {}),
          level: r.testCase.level,
          pics: r.testCase.picsTags.map((t) => t.replace(/^@?pics:/, "")),
          durationSeconds: Math.round(r.durationMs) / 1000,
          references: r.testCase.references,
          ...(r.reason && r.verdict !== "pass" ? { reason: r.reason.split("\n")[0] } : {}),
          ...(r.knownDeviation !== undefined ? { knownDeviation: r.knownDeviation } : {}),
          // The requirements judged on the messages of this test case, and those its SUT violated
          ...(r.requirements
            ? { requirements: { checked: r.requirements.map((q) => q.id), violated: r.requirements.filter((q) => q.violated > 0).map((q) => ({ id: q.id, clause: q.clause, times: q.violated })) } }
            : {}),
        })),
      },
      null,
      2,
    ) + "\n"
  );
}

/**
 * A fixed-width table for the console (`run --verbose`): id, level, verdict, duration, first line of
 * the reason. The reason quotes the SUT: control characters are escaped before it is cut at 80
 * characters, at a word boundary (issue 10, gap 4).
 */
export function summaryTable(run: RunResult): string {
  const rows = run.results.map((r) => [
    escapeControlCharacters(r.testCase.id),
    r.testCase.level,
    r.verdict,
    `${(r.durationMs / 1000).toFixed(2)} s`,
    r.verdict === "pass" ? "" : cutAtWord(escapeControlCharacters((r.reason ?? "").split(/\r?\n/)[0]), 80),
  ]);
  const header = ["test case", "level", "verdict", "time", "reason"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n") + "\n";
}

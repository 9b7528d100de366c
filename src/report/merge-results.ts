// Merging the outputs of several shards (or machines) into one: the Allure results side by side in
// one folder, and one certification summary with the counts, the gate and the exit code recomputed
// by the same rules as a run's (certification-summary.ts).
import { existsSync } from "node:fs";
import { cp, mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type GateVerdict, exitCodeOf, gateOf } from "./certification-summary.ts";
import { type InteropMatrix, mergeMatrices, readMatrixJson } from "./interop-matrix.ts";

interface SummaryCase {
  id: string;
  verdict: string;
  level: string;
  knownDeviation?: string;
}

interface Summary {
  sut: string;
  profile: string;
  counts: Record<string, number>;
  gate: GateVerdict;
  testCases: SummaryCase[];
  interrupted?: string;
  shards?: number;
  [key: string]: unknown;
}

/** An input of the merge is not a reports folder of a run: bad input, exit 2. */
export class MergeInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MergeInputError";
  }
}

export interface MergeResult {
  readonly testCases: number;
  readonly duplicates: readonly string[];
  readonly counts: Readonly<Record<string, number>>;
  readonly gate: GateVerdict;
  readonly gatePassed: boolean;
  /** 0, 1 or 3 as for a run (exitCodeOf); test cases reported twice make it 2 in the CLI. */
  readonly exitCode: 0 | 1 | 3;
}

/** Reads every input's summary.json, then copies their allure-results into `into`/allure-results and writes the merged summary.json. */
export async function mergeReports(inputs: readonly string[], into: string, maxOptionalFailures?: number): Promise<MergeResult> {
  // Every input is read before anything is written: a wrong folder changes nothing
  const summaries: Summary[] = [];
  for (const dir of inputs) summaries.push(await readSummary(dir));
  await copyAllureResults(inputs, join(into, "allure-results"));
  const seen = new Map<string, SummaryCase>();
  const duplicates: string[] = [];
  for (const s of summaries)
    for (const tc of s.testCases) {
      if (seen.has(tc.id)) duplicates.push(tc.id);
      else seen.set(tc.id, tc);
    }
  const testCases = [...seen.values()].sort((a, b) => a.id.localeCompare(b.id));
  const counts: Record<string, number> = { pass: 0, fail: 0, inconclusive: 0, "not-applicable": 0, error: 0 };
  for (const tc of testCases) counts[tc.verdict] = (counts[tc.verdict] ?? 0) + 1;
  const before = summaries.flatMap((s, i) => (s.interrupted ? [`the run of ${inputs[i]} was ${s.interrupted}`] : []));
  if (duplicates.length) before.push(`test cases reported by more than one input: ${duplicates.join(", ")}`);
  const options = maxOptionalFailures === undefined ? {} : { maxOptionalFailures };
  const gate = gateOf(testCases, options, before);
  const deviations = testCases.filter((tc) => tc.knownDeviation !== undefined).map((tc) => ({ id: tc.id, verdict: tc.verdict, deviation: tc.knownDeviation }));
  // The first input's SUT and profile fields; what was one run's alone is not carried over
  const { interrupted: _i, knownDeviations: _k, ...first } = summaries[0] ?? ({ sut: "", profile: "" } as Summary);
  // The date of the merged run: when its first shard started (compare orders runs by it)
  const dates = summaries.flatMap((s) => (typeof s.date === "string" ? [s.date] : [])).sort();
  const merged: Summary = {
    ...first,
    ...(dates.length ? { date: dates[0] } : {}),
    counts,
    gate,
    ...(deviations.length ? { knownDeviations: deviations } : {}),
    testCases,
    shards: inputs.length,
    ...(summaries.some((s) => s.interrupted) ? { interrupted: summaries.flatMap((s) => (s.interrupted ? [s.interrupted] : [])).join("; ") } : {}),
  };
  await writeFile(join(into, "summary.json"), JSON.stringify(merged, null, 2) + "\n");
  return { testCases: testCases.length, duplicates, counts, gate, gatePassed: gate.passed, exitCode: exitCodeOf(testCases, gate, options) };
}

async function readSummary(dir: string): Promise<Summary> {
  const file = join(dir, "summary.json");
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    throw new MergeInputError(`${dir} holds no summary.json (${(e as NodeJS.ErrnoException).code ?? String(e)}): merge takes the reports folders of runs (--reports of each shard)`);
  }
  let s: Partial<Summary>;
  try {
    s = JSON.parse(text) as Partial<Summary>;
  } catch {
    throw new MergeInputError(`${file} is not JSON: merge takes the summary.json of a run`);
  }
  if (!Array.isArray(s.testCases)) throw new MergeInputError(`${file} has no testCases: merge takes the summary.json of a run`);
  return s as Summary;
}

/** Whether a reports folder holds an interop run (or shard): interop/matrix.json. */
export function isInteropReports(dir: string): boolean {
  return existsSync(join(dir, "interop", "matrix.json"));
}

/**
 * Merges the reports folders of an interop run's shards (`interop --pair i/n`): their matrix.json
 * into one matrix (interop-matrix.ts mergeMatrices: the same networks, each pair once, the gate
 * recomputed) and their allure-results side by side. Returns the merged matrix; the caller writes
 * matrix.json and matrix.html (after the HTML report, whose pages matrix.html links to).
 */
export async function mergeInteropReports(inputs: readonly string[], into: string, maxOptionalFailures?: number): Promise<InteropMatrix> {
  const matrices: InteropMatrix[] = [];
  for (const dir of inputs) {
    const file = join(dir, "interop", "matrix.json");
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (e) {
      throw new MergeInputError(
        `${dir} holds no interop/matrix.json (${(e as NodeJS.ErrnoException).code ?? String(e)}): an interop merge takes the reports folders of interop runs (--reports of each --pair shard)`,
      );
    }
    matrices.push(readMatrixJson(text, file));
  }
  const merged = mergeMatrices(matrices, maxOptionalFailures === undefined ? {} : { maxOptionalFailures });
  await copyAllureResults(inputs, join(into, "allure-results"));
  return merged;
}

/** The inputs' allure-results side by side in `results`; categories, environment and executor are the same for every shard: the first one is kept. */
async function copyAllureResults(inputs: readonly string[], results: string): Promise<void> {
  await mkdir(results, { recursive: true });
  for (const [i, dir] of inputs.entries()) {
    const src = join(dir, "allure-results");
    for (const f of await readdir(src).catch(() => [] as string[])) {
      if (["categories.json", "environment.properties", "executor.json"].includes(f) && i > 0) continue;
      await cp(join(src, f), join(results, f), { recursive: true });
    }
  }
}

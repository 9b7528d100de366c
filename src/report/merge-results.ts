// Merging the outputs of several shards (or machines) into one: the Allure results side by side in
// one folder, and one certification summary with the counts and the gate recomputed.
import { cp, mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

interface SummaryCase {
  id: string;
  verdict: string;
  level: string;
}

interface Summary {
  sut: string;
  profile: string;
  counts: Record<string, number>;
  gate: { passed: boolean; reasons: string[] };
  testCases: SummaryCase[];
  shards?: number;
  [key: string]: unknown;
}

export interface MergeResult {
  readonly testCases: number;
  readonly duplicates: readonly string[];
  readonly gatePassed: boolean;
}

/** Copies every input's allure-results into `into`/allure-results and writes the merged summary.json. */
export async function mergeReports(inputs: readonly string[], into: string, maxOptionalFailures?: number): Promise<MergeResult> {
  const results = join(into, "allure-results");
  await mkdir(results, { recursive: true });
  const summaries: Summary[] = [];
  for (const dir of inputs) {
    const src = join(dir, "allure-results");
    for (const f of await readdir(src).catch(() => [] as string[])) {
      // categories, environment and executor are the same for every shard: the first one is kept
      if (["categories.json", "environment.properties", "executor.json"].includes(f) && summaries.length > 0) continue;
      await cp(join(src, f), join(results, f), { recursive: true });
    }
    summaries.push(JSON.parse(await readFile(join(dir, "summary.json"), "utf8")) as Summary);
  }
  const seen = new Map<string, SummaryCase>();
  const duplicates: string[] = [];
  for (const s of summaries) for (const tc of s.testCases) (seen.has(tc.id) ? duplicates.push(tc.id) : seen.set(tc.id, tc));
  const testCases = [...seen.values()].sort((a, b) => a.id.localeCompare(b.id));
  const counts: Record<string, number> = { pass: 0, fail: 0, inconclusive: 0, "not-applicable": 0, error: 0 };
  for (const tc of testCases) counts[tc.verdict] = (counts[tc.verdict] ?? 0) + 1;
  const reasons = testCases.filter((tc) => tc.level === "mandatory" && tc.verdict !== "pass" && tc.verdict !== "not-applicable").map((tc) => `mandatory ${tc.id} is ${tc.verdict}`);
  const optional = testCases.filter((tc) => tc.level === "optional" && ["fail", "error", "inconclusive"].includes(tc.verdict));
  if (maxOptionalFailures !== undefined && optional.length > maxOptionalFailures) reasons.push(`${optional.length} optional test case(s) did not pass (${optional.map((t) => t.id).join(", ")}); at most ${maxOptionalFailures} allowed`);
  if (duplicates.length) reasons.push(`test cases reported by more than one input: ${duplicates.join(", ")}`);
  const first = summaries[0];
  const merged: Summary = { ...(first ?? { sut: "", profile: "" }), counts, gate: { passed: reasons.length === 0, reasons }, testCases, shards: inputs.length } as Summary;
  await writeFile(join(into, "summary.json"), JSON.stringify(merged, null, 2) + "\n");
  return { testCases: testCases.length, duplicates, gatePassed: reasons.length === 0 };
}

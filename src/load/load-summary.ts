// What a load run (or a merge of its shards) prints and exits with (issue 17): the flows, the failures
// by the requirement they broke, RFC 6076's figures, the profile's thresholds as judged.
import type { LoadDocument } from "./load-document.ts";
import type { DelayFigures } from "./metrics.ts";

/** Failure identifiers that are not the SUT's: the harness or the test bed (a flow could not be judged). */
const NOT_THE_SUTS: ReadonlySet<string> = new Set(["error", "inconclusive"]);

function delay(name: string, d: DelayFigures): string {
  return d.count === 0 ? `${name} -` : `${name} p50 ${d.p50} ms, p95 ${d.p95} ms, p99 ${d.p99} ms (${d.count})`;
}

function ratio(name: string, v: number | undefined): string {
  return `${name} ${v === undefined ? "-" : `${v.toFixed(1)} %`}`;
}

/** The console lines of a load document. */
export function loadSummaryLines(doc: LoadDocument): string[] {
  const f = doc.figures;
  const first = doc.failedFlows[0];
  return [
    `${doc.flowsStarted} flows against ${doc.sut} in ${(doc.wallMs / 1000).toFixed(1)} s: ${doc.flowsPassed} passed, ${doc.flowsFailed} failed`,
    ...Object.entries(doc.result.failures)
      .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
      .map(([id, n]) => `  ${String(n).padStart(6)} failed on ${id}`),
    ...(first ? [`  first failure (flow ${first.index}, ${first.testCase}): ${first.reason.split("\n")[0]}`] : []),
    `  ${delay("RRD", f.delays.rrd)}; ${ratio("IRA", f.ira)}`,
    `  ${delay("SRD", f.delays.srd)}; ${delay("SDD", f.delays.sdd)}`,
    `  ${ratio("SER", f.ser)}, ${ratio("SEER", f.seer)}, ${ratio("ISA", f.isa)}, ${ratio("SCR", f.scr)}`,
    ...doc.thresholds.map((t) => `  threshold ${t.threshold}: ${t.actual === undefined ? "not measured" : String(Number(t.actual.toFixed(3)))} ${t.ok ? "met" : "NOT MET"}`),
  ];
}

/**
 * The exit code of a load run: with thresholds in the profile, 1 when one is not met; without, 1 when
 * a flow failed on a requirement or an expectation (the SUT's), 3 when flows failed only on the
 * harness or the test bed (error, inconclusive); else 0.
 */
export function loadExitCode(doc: LoadDocument): 0 | 1 | 3 {
  if (doc.thresholds.length > 0) return doc.thresholds.every((t) => t.ok) ? 0 : 1;
  const ids = Object.keys(doc.result.failures);
  if (ids.some((id) => !NOT_THE_SUTS.has(id))) return 1;
  return ids.length > 0 ? 3 : 0;
}

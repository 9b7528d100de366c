// The certification summary: per test case its identifier, verdict, level, PICS, duration and
// references (JSON for machines, a table for the console), and the gate a CI job trusts.
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

/** Exit 0 only if every applicable mandatory test case passed; optional failures up to the threshold; not applicable never counts. */
export function gate(run: RunResult, options: GateOptions = {}): GateVerdict {
  const reasons: string[] = [];
  const notRun = run.results.filter((r) => r.notRun).length;
  if (run.interrupted) reasons.push(`the run was ${run.interrupted}: ${notRun} test case(s) did not run`);
  for (const r of run.results) {
    if (r.testCase.level === "mandatory" && r.verdict !== "pass" && r.verdict !== "not-applicable") reasons.push(`mandatory ${r.testCase.id} is ${r.verdict}`);
  }
  const optionalFailures = run.results.filter((r) => r.testCase.level === "optional" && (r.verdict === "fail" || r.verdict === "error" || r.verdict === "inconclusive"));
  if (options.maxOptionalFailures !== undefined && optionalFailures.length > options.maxOptionalFailures) {
    reasons.push(`${optionalFailures.length} optional test case(s) did not pass (${optionalFailures.map((r) => r.testCase.id).join(", ")}); at most ${options.maxOptionalFailures} allowed`);
  }
  return { passed: reasons.length === 0, reasons };
}

export function summaryJson(run: RunResult, gateVerdict: GateVerdict): string {
  const p = run.profile;
  return JSON.stringify(
    {
      sut: run.sut,
      vendor: p.vendor,
      product: p.product,
      productVersion: p.productVersion,
      profile: p.name,
      pics: Object.entries(p.pics).filter(([, v]) => v).map(([k]) => k),
      counts: run.counts,
      gate: gateVerdict,
      ...(run.interrupted ? { interrupted: run.interrupted } : {}),
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
        // The requirements judged on the messages of this test case, and those its SUT violated
        ...(r.requirements
          ? { requirements: { checked: r.requirements.map((q) => q.id), violated: r.requirements.filter((q) => q.violated > 0).map((q) => ({ id: q.id, clause: q.clause, times: q.violated })) } }
          : {}),
      })),
    },
    null,
    2,
  ) + "\n";
}

/**
 * A fixed-width table for the console: id, level, verdict, duration, first line of the reason. The
 * reason quotes the SUT: control characters are escaped before the cut at 80 (issue 10, gap 4).
 */
export function summaryTable(run: RunResult): string {
  const rows = run.results.map((r) => [escapeControlCharacters(r.testCase.id), r.testCase.level, r.verdict, `${(r.durationMs / 1000).toFixed(2)} s`, r.verdict === "pass" ? "" : escapeControlCharacters((r.reason ?? "").split(/\r?\n/)[0]!).slice(0, 80)]);
  const header = ["test case", "level", "verdict", "time", "reason"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n") + "\n";
}

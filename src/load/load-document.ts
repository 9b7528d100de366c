// What a load run writes to load/load.json (issue 17), and what `ims-interop merge` reads back from
// the shards of one run: the options it ran with, the SUT, the merged-ready result (histograms,
// counters, per-second series), RFC 6076's figures, and the thresholds of the profile as judged.
import { type LoadFigures, type LoadResult, loadFigures, mergeLoadResults } from "./metrics.ts";
import type { ThresholdMeasures } from "./thresholds.ts";

export const LOAD_DOCUMENT_FORMAT = "ims-interop-load-run/1";

/** A threshold of the profile's load section as judged against the run's figures. */
export interface ThresholdOutcome {
  /** As written in the profile, e.g. "srd.p95 <= 200". */
  readonly threshold: string;
  /** The figure it was judged on; undefined where nothing was measured (e.g. no INVITE sent). */
  readonly actual?: number;
  readonly ok: boolean;
}

/** A failed flow, kept for the report: the first few of each requirement. */
export interface FailedFlow {
  readonly index: number;
  readonly testCase: string;
  readonly failure: string;
  readonly reason: string;
  /** ms since the run's start. */
  readonly at: number;
}

export interface LoadDocument {
  readonly format: typeof LOAD_DOCUMENT_FORMAT;
  /** The test cases run as load, e.g. ["IMS-CALL-001"]. */
  readonly testCases: readonly string[];
  readonly profile: string;
  readonly sut: string;
  /** How the run was asked to go. `rate` absent: each slot starts its next flow as soon as it is free. */
  readonly options: {
    readonly ues: number;
    /** Flow slots: UEs of every role the flows use at once. */
    readonly slots: number;
    readonly rate?: number;
    readonly durationMs?: number;
    readonly flows?: number;
    /** "2/4": this document is one shard's; absent for a whole run or a merged one. */
    readonly shard?: string;
    readonly faults?: readonly string[];
  };
  /** Wall-clock time of the run (ms); merged: from the earliest start to the latest end. */
  readonly wallMs: number;
  readonly flowsStarted: number;
  readonly flowsPassed: number;
  readonly flowsFailed: number;
  readonly result: LoadResult;
  readonly figures: LoadFigures;
  readonly thresholds: readonly ThresholdOutcome[];
  /** Up to 10 failed flows per failure identifier. */
  readonly failedFlows: readonly FailedFlow[];
  /** Shards merged into this document (their `options.shard`), for a merged one. */
  readonly mergedFrom?: readonly string[];
}

/** Failed flows kept per failure identifier, in a document and in a merge of documents. */
export const FAILED_FLOWS_KEPT = 10;

/**
 * The shards of one run as one document: results merged (histograms added, never averaged; counters
 * and series summed), figures recomputed from the merge, the thresholds judged again on them.
 * Shards of different test cases, or one shard twice, are not one run: an Error says which.
 */
export function mergeLoadDocuments(docs: readonly LoadDocument[], judge: (thresholds: readonly string[], m: ThresholdMeasures) => ThresholdOutcome[]): LoadDocument {
  if (docs.length === 0) throw new Error("no load result to merge");
  const first = docs[0];
  const cases = first.testCases.join(",");
  for (const d of docs) if (d.testCases.join(",") !== cases) throw new Error(`load results of different test cases cannot merge: ${cases} and ${d.testCases.join(",")}`);
  const shards = docs.map((d) => d.options.shard ?? "whole run");
  const twice = shards.find((s, i) => shards.indexOf(s) !== i);
  if (twice !== undefined) throw new Error(`two load results of the same shard (${twice}): each shard is merged once`);
  const result = mergeLoadResults(docs.map((d) => d.result));
  const figures = loadFigures(result);
  const flowsStarted = sum(docs.map((d) => d.flowsStarted));
  const flowsPassed = sum(docs.map((d) => d.flowsPassed));
  const flowsFailed = sum(docs.map((d) => d.flowsFailed));
  const end = Math.max(...docs.map((d) => d.result.startedAt + d.wallMs));
  const kept = new Map<string, number>();
  const failedFlows = docs
    .flatMap((d) => d.failedFlows.map((f) => ({ ...f, at: f.at + d.result.startedAt - result.startedAt })))
    .sort((a, b) => a.at - b.at)
    .filter((f) => {
      const n = kept.get(f.failure) ?? 0;
      kept.set(f.failure, n + 1);
      return n < FAILED_FLOWS_KEPT;
    });
  const { shard: _shard, flows: _flows, ...options } = first.options;
  const flows = docs.every((d) => d.options.flows !== undefined) ? sum(docs.map((d) => d.options.flows ?? 0)) : undefined;
  return {
    format: LOAD_DOCUMENT_FORMAT,
    testCases: first.testCases,
    profile: first.profile,
    sut: [...new Set(docs.map((d) => d.sut))].join("; "),
    options: { ...options, ...(flows !== undefined ? { flows } : {}) },
    wallMs: end - result.startedAt,
    flowsStarted,
    flowsPassed,
    flowsFailed,
    result,
    figures,
    thresholds: judge(
      first.thresholds.map((t) => t.threshold),
      { figures, flowsStarted, flowsPassed, flowsFailed, failures: result.failures },
    ),
    failedFlows,
    mergedFrom: docs.flatMap((d) => d.mergedFrom ?? [d.options.shard ?? "whole run"]),
  };
}

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

/** A parsed load.json, or an Error naming what is wrong with it. */
export function asLoadDocument(json: unknown, file: string): LoadDocument {
  const d = json as Partial<LoadDocument> | null;
  if (d === null || typeof d !== "object" || d.format !== LOAD_DOCUMENT_FORMAT) throw new Error(`${file} is not a load result of this version (format ${LOAD_DOCUMENT_FORMAT})`);
  return d as LoadDocument;
}

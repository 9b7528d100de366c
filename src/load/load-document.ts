// What a load run writes to load/load.json (issue 17), and what `ims-interop merge` reads back from
// the shards of one run: the options it ran with, the SUT, the merged-ready result (histograms,
// counters, per-second series), RFC 6076's figures, and the thresholds of the profile as judged.
import type { LoadFigures, LoadResult } from "./metrics.ts";

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

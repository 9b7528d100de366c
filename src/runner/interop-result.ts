// What an interoperability run yields (issue 15): every SUT of the run as a network, and for each
// ordered pair (originating X, terminating Y), X != Y, the verdicts of the interop test cases
// (features/interop) with UE-A registered in X and UE-B in Y. The matrix (src/report/interop-matrix.ts)
// and the gate are made from this.
import type { TestCaseResult } from "./run-suite.ts";
import type { Verdict } from "./verdict.ts";

/** A network of the run: one profile's SUT. */
export interface InteropNetwork {
  /** The label the matrix, the console and the Allure suites use: the profile's name (made unique with " #2" where two are equal). */
  readonly name: string;
  readonly vendor: string;
  readonly product: string;
  readonly productVersion: string;
  /** The home domain (ixit.domain): the networks of a run serve different domains. */
  readonly domain: string;
  /** The profile file as given on the command line. */
  readonly profileFile: string;
  /** The started SUT as the runner describes it ("embedded reference core at UDP 127.0.0.1:40213"), or why it is not running. */
  readonly sut: string;
}

/** One ordered pair: calls and messages from a UE of `originating` to a UE of `terminating`. */
export interface InteropPair {
  /** Index into InteropResult.networks. */
  readonly originating: number;
  readonly terminating: number;
  /** "X -> Y" with the networks' names: the Allure parentSuite of the pair's results. */
  readonly label: string;
  readonly results: readonly TestCaseResult[];
  readonly counts: Readonly<Record<Verdict, number>>;
}

export interface InteropResult {
  readonly networks: readonly InteropNetwork[];
  /** The pairs this run (or shard, `--pair i/n`) ran, in the order of pairPositions. */
  readonly pairs: readonly InteropPair[];
  /** All ordered pairs of the run's networks, before `--pair` selected some: "i/n" shards take position k when k % n == i - 1. */
  readonly pairCount: number;
  readonly durationMs: number;
  /** ISO 8601 (UTC). */
  readonly startedAt: string;
  /** Set when a signal cut the run short: "interrupted by SIGINT". */
  readonly interrupted?: string;
}

/** Every ordered pair (i, j), i != j, of n networks, in a fixed order: (0,1), (0,2), ..., (1,0), (1,2), ... */
export function orderedPairs(n: number): { readonly originating: number; readonly terminating: number }[] {
  const out: { originating: number; terminating: number }[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) out.push({ originating: i, terminating: j });
  return out;
}

/** The Allure parentSuite and console label of a pair. */
export function pairLabel(originating: string, terminating: string): string {
  return `${originating} -> ${terminating}`;
}

// The thresholds of a load run (issue 17), judged after it (and again on a merge of its shards) on
// RFC 6076's figures and the flow counters: "ser >= 99.9", "srd.p95 <= 200", "failed == 0",
// "failed.response.cseq == 0". The grammar is the profile's (src/profile/thresholds.ts: a profile
// with a threshold that does not parse is refused when it loads). A threshold on a figure that was
// not measured (no INVITE sent: no SER, no SRD percentile) is not met: nothing shows it was.
import { type Threshold, type ThresholdOperator, parseThreshold } from "../profile/thresholds.ts";
import type { ThresholdOutcome } from "./load-document.ts";
import type { LoadFigures } from "./metrics.ts";

export { type Threshold, type ThresholdMetric, type ThresholdOperator, type ThresholdUnit, parseThreshold } from "../profile/thresholds.ts";

/** What thresholds are judged on: a run's (or a merge's) figures and flow counters. */
export interface ThresholdMeasures {
  readonly figures: LoadFigures;
  readonly flowsStarted: number;
  readonly flowsPassed: number;
  readonly flowsFailed: number;
  /** Failed flows by the requirement they broke, e.g. { "response.cseq": 3 }. */
  readonly failures: Readonly<Record<string, number>>;
}

/** The figure a threshold reads; undefined when it was not measured. */
export function thresholdActual(t: Threshold, m: ThresholdMeasures): number | undefined {
  const metric = t.metric;
  switch (metric.kind) {
    case "ratio":
      return m.figures[metric.ratio];
    case "delay":
      return m.figures.delays[metric.delay][metric.statistic];
    case "flows":
      return metric.flows === "started" ? m.flowsStarted : metric.flows === "passed" ? m.flowsPassed : m.flowsFailed;
    case "failures":
      return Object.hasOwn(m.failures, metric.requirement) ? m.failures[metric.requirement] : 0;
  }
}

function holds(actual: number, operator: ThresholdOperator, value: number): boolean {
  switch (operator) {
    case "<":
      return actual < value;
    case "<=":
      return actual <= value;
    case ">":
      return actual > value;
    case ">=":
      return actual >= value;
    case "==":
      return actual === value;
    case "!=":
      return actual !== value;
  }
}

/**
 * Each threshold (as the profile writes it) judged on the measures, in order. A threshold on a
 * figure not measured is not met (actual undefined). Throws the Error of parseThreshold for one that
 * does not parse (a loaded profile holds none).
 */
export function judgeThresholds(texts: readonly string[], m: ThresholdMeasures): ThresholdOutcome[] {
  return texts.map((text) => {
    const t = parseThreshold(text);
    const actual = thresholdActual(t, m);
    return actual === undefined ? { threshold: text, ok: false } : { threshold: text, actual, ok: holds(actual, t.operator, t.value) };
  });
}

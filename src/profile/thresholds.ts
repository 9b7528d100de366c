// The thresholds of a load run (issue 17), as a profile's load.thresholds writes them: one line each,
// `<metric> <operator> <number>[unit]`, judged after the run (src/load/thresholds.ts). The grammar is
// here, in the profile layer, so that a profile with a threshold that does not parse is refused when
// it is loaded, with the file, line and field, before any flow runs.
//
//   ira | ser | seer | isa | scr                            RFC 6076 ratios, in percent ("%" allowed)
//   rrd | srd | sdd | sdt . p50 | p95 | p99 | max           RFC 6076 delays, in milliseconds ("ms" allowed)
//   rrd | srd | sdd | sdt . count                           how many delays were measured (no unit)
//   started | passed | failed                               flows (no unit)
//   failed.<requirement-id>                                 flows failed under that requirement, e.g.
//                                                           failed.response.cseq (no unit)
//   operators: <  <=  >  >=  ==  !=

/** RFC 6076's ratios, in percent. */
export const THRESHOLD_RATIOS = ["ira", "ser", "seer", "isa", "scr"] as const;
export type ThresholdRatio = (typeof THRESHOLD_RATIOS)[number];
/** RFC 6076's delays (the load layer's DELAY_METRICS). */
export const THRESHOLD_DELAYS = ["rrd", "srd", "sdd", "sdt"] as const;
export type ThresholdDelay = (typeof THRESHOLD_DELAYS)[number];
/** What a threshold reads of a delay: a percentile or the maximum (ms), or how many were measured. */
export const THRESHOLD_DELAY_STATISTICS = ["p50", "p95", "p99", "max", "count"] as const;
export type ThresholdDelayStatistic = (typeof THRESHOLD_DELAY_STATISTICS)[number];
/** The flow counters. */
export const THRESHOLD_FLOWS = ["started", "passed", "failed"] as const;
export type ThresholdFlows = (typeof THRESHOLD_FLOWS)[number];
/** Longest operators first, so that "<=" is not read as "<" followed by "=". */
export const THRESHOLD_OPERATORS = ["<=", ">=", "==", "!=", "<", ">"] as const;
export type ThresholdOperator = (typeof THRESHOLD_OPERATORS)[number];

export type ThresholdMetric =
  | { readonly kind: "ratio"; readonly ratio: ThresholdRatio }
  | { readonly kind: "delay"; readonly delay: ThresholdDelay; readonly statistic: ThresholdDelayStatistic }
  | { readonly kind: "flows"; readonly flows: ThresholdFlows }
  | { readonly kind: "failures"; readonly requirement: string };

/** What a metric is measured in: "percent" may be written "%", "ms" "ms"; a count takes no unit. */
export type ThresholdUnit = "percent" | "ms" | "count";

export interface Threshold {
  /** As written (trimmed), e.g. "srd.p95 <= 200". */
  readonly text: string;
  /** The metric as written, e.g. "srd.p95", "failed.response.cseq". */
  readonly name: string;
  readonly metric: ThresholdMetric;
  readonly unit: ThresholdUnit;
  readonly operator: ThresholdOperator;
  readonly value: number;
}

/** A requirement id as the failures of a load run are counted under (response.cseq, message.well-formed, inconclusive). */
const REQUIREMENT_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const SHAPE = /^([A-Za-z0-9_.-]+)\s*(<=|>=|==|!=|<|>|=>|=<|=|!|≤|≥)\s*(\S*?)\s*(%|ms)?$/;
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
const EXAMPLES = '"ser >= 99.9", "srd.p95 <= 200ms", "failed == 0", "failed.response.cseq == 0"';
const METRICS_LIST = `${THRESHOLD_RATIOS.join(", ")} (percent); ${THRESHOLD_DELAYS.join("|")}.${THRESHOLD_DELAY_STATISTICS.join("|")} (ms; count: how many); ${THRESHOLD_FLOWS.join(", ")}; failed.<requirement-id>`;

/** The metric a name stands for, or undefined. */
function metricOf(name: string): ThresholdMetric | undefined {
  if ((THRESHOLD_RATIOS as readonly string[]).includes(name)) return { kind: "ratio", ratio: name as ThresholdRatio };
  if ((THRESHOLD_FLOWS as readonly string[]).includes(name)) return { kind: "flows", flows: name as ThresholdFlows };
  const dot = name.indexOf(".");
  if (dot < 0) return undefined;
  const [head, rest] = [name.slice(0, dot), name.slice(dot + 1)];
  if ((THRESHOLD_DELAYS as readonly string[]).includes(head) && (THRESHOLD_DELAY_STATISTICS as readonly string[]).includes(rest))
    return { kind: "delay", delay: head as ThresholdDelay, statistic: rest as ThresholdDelayStatistic };
  if (head === "failed" && REQUIREMENT_ID.test(rest)) return { kind: "failures", requirement: rest };
  return undefined;
}

function unitOf(metric: ThresholdMetric): ThresholdUnit {
  if (metric.kind === "ratio") return "percent";
  if (metric.kind === "delay") return metric.statistic === "count" ? "count" : "ms";
  return "count";
}

/** Why a metric name is not one, as precisely as the name allows. */
function unknownMetric(name: string): string {
  const dot = name.indexOf(".");
  const head = dot < 0 ? name : name.slice(0, dot);
  if ((THRESHOLD_DELAYS as readonly string[]).includes(head))
    return dot < 0
      ? `${name} needs a statistic: ${THRESHOLD_DELAY_STATISTICS.map((s) => `${name}.${s}`).join(", ")}`
      : `unknown statistic ${JSON.stringify(name.slice(dot + 1))} of ${head}; expected one of ${THRESHOLD_DELAY_STATISTICS.join(", ")}`;
  if ((THRESHOLD_RATIOS as readonly string[]).includes(head) || (THRESHOLD_FLOWS as readonly string[]).includes(head))
    return head === "failed" ? `failed.<requirement-id>: expected a requirement id such as response.cseq after "failed."` : `${head} takes no statistic`;
  return `unknown metric ${JSON.stringify(name)}; expected one of ${METRICS_LIST}`;
}

/**
 * Parses a threshold of a profile's load section, e.g. "ser >= 99.9", "srd.p95 <= 200ms",
 * "failed.response.cseq == 0". Throws an Error saying what is wrong with it.
 */
export function parseThreshold(text: string): Threshold {
  const trimmed = text.trim();
  const bad = (why: string): Error => new Error(`threshold ${JSON.stringify(text)}: ${why}`);
  if (trimmed === "") throw bad(`expected <metric> <operator> <number>, e.g. ${EXAMPLES}; found nothing`);
  const m = SHAPE.exec(trimmed);
  if (!m) throw bad(`expected <metric> <operator> <number>, e.g. ${EXAMPLES}; operators: ${["<", "<=", ">", ">=", "==", "!="].join(" ")}`);
  const [, name, op, number, written] = m as unknown as [string, string, string, string, string | undefined];
  const metric = metricOf(name);
  if (!metric) throw bad(unknownMetric(name));
  if (!(THRESHOLD_OPERATORS as readonly string[]).includes(op)) throw bad(`unknown operator ${JSON.stringify(op)}; expected one of < <= > >= == != (equality is ==)`);
  if (number === "") throw bad(`expected a number after ${op}`);
  if (!NUMBER.test(number)) throw bad(`expected a number after ${op}, optionally followed by % or ms; found ${JSON.stringify(number)}`);
  const unit = unitOf(metric);
  if (written !== undefined) {
    const given: ThresholdUnit = written === "%" ? "percent" : "ms";
    if (given !== unit) {
      const inUnit = unit === "percent" ? "in percent (%)" : unit === "ms" ? "in milliseconds (ms)" : "a count (no unit)";
      throw bad(`${name} is ${inUnit}; found the unit ${written}`);
    }
  }
  return { text: trimmed, name, metric, unit, operator: op as ThresholdOperator, value: Number(number) };
}

// The thresholds of a load run (issue 17): "<metric> <operator> <number>[unit]" parsed, or refused
// with a message saying what is wrong; judged on a run's figures and flow counters, a figure that
// was not measured failing its threshold.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { LoadFigures } from "../../src/load/metrics.ts";
import { judgeThresholds, parseThreshold } from "../../src/load/thresholds.ts";

describe("parseThreshold", () => {
  test("each kind of metric, with and without spaces and units", () => {
    assert.deepEqual(parseThreshold("ser >= 99.9"), { text: "ser >= 99.9", name: "ser", metric: { kind: "ratio", ratio: "ser" }, unit: "percent", operator: ">=", value: 99.9 });
    assert.deepEqual(parseThreshold("  srd.p95<=200ms "), {
      text: "srd.p95<=200ms",
      name: "srd.p95",
      metric: { kind: "delay", delay: "srd", statistic: "p95" },
      unit: "ms",
      operator: "<=",
      value: 200,
    });
    assert.deepEqual(parseThreshold("failed == 0").metric, { kind: "flows", flows: "failed" });
    assert.deepEqual(parseThreshold("failed.response.cseq == 0").metric, { kind: "failures", requirement: "response.cseq" });
    assert.deepEqual(parseThreshold("failed.message.well-formed < 1").metric, { kind: "failures", requirement: "message.well-formed" });
    assert.deepEqual(parseThreshold("rrd.count > 10").unit, "count");
    assert.deepEqual(parseThreshold("isa < 0.5 %").value, 0.5);
    assert.deepEqual(
      ["ira < 1", "ser <= 1", "seer > 1", "isa >= 1", "scr == 1", "started != 1"].map((t) => parseThreshold(t).operator),
      ["<", "<=", ">", ">=", "==", "!="],
    );
    assert.deepEqual(
      ["rrd.p50 < 1", "sdd.p99 < 1", "sdt.max < 1ms", "passed > 1"].map((t) => parseThreshold(t).name),
      ["rrd.p50", "sdd.p99", "sdt.max", "passed"],
    );
  });

  const refused: Array<[string, RegExp]> = [
    ["", /^threshold "": expected <metric> <operator> <number>, e\.g\. "ser >= 99\.9"/],
    ["ser", /^threshold "ser": expected <metric> <operator> <number>/],
    ["ser 99", /^threshold "ser 99": expected <metric> <operator> <number>/],
    ["sr >= 99", /^threshold "sr >= 99": unknown metric "sr"; expected one of ira, ser, seer, isa, scr \(percent\)/],
    ["srd >= 99", /^threshold "srd >= 99": srd needs a statistic: srd\.p50, srd\.p95, srd\.p99, srd\.max, srd\.count$/],
    ["srd.p90 <= 99", /^threshold "srd\.p90 <= 99": unknown statistic "p90" of srd; expected one of p50, p95, p99, max, count$/],
    ["ser.p95 <= 99", /^threshold "ser\.p95 <= 99": ser takes no statistic$/],
    ["failed. == 0", /^threshold "failed\. == 0": failed\.<requirement-id>: expected a requirement id/],
    ["ser = 99", /^threshold "ser = 99": unknown operator "="; expected one of < <= > >= == !=/],
    ["ser => 99", /unknown operator "=>"/],
    ["ser >=", /^threshold "ser >=": expected a number after >=$/],
    ["ser >= high", /^threshold "ser >= high": expected a number after >=, optionally followed by % or ms; found "high"$/],
    ["ser >= 99x", /found "99x"/],
    ["ser >= 99ms", /^threshold "ser >= 99ms": ser is in percent \(%\); found the unit ms$/],
    ["srd.p95 <= 200%", /^threshold "srd\.p95 <= 200%": srd\.p95 is in milliseconds \(ms\); found the unit %$/],
    ["failed == 0%", /^threshold "failed == 0%": failed is a count \(no unit\); found the unit %$/],
    ["srd.count > 3ms", /srd\.count is a count \(no unit\); found the unit ms$/],
  ];
  for (const [text, message] of refused)
    test(`refuses ${JSON.stringify(text)}`, () => {
      assert.throws(() => parseThreshold(text), { message });
    });
});

describe("judgeThresholds", () => {
  const figures: LoadFigures = {
    delays: {
      rrd: { count: 24, p50: 3, p95: 9, p99: 12, max: 15 },
      srd: { count: 12, p50: 40, p95: 180, p99: 250, max: 300 },
      sdd: { count: 12, p50: 2, p95: 4, p99: 5, max: 5 },
      sdt: { count: 0 },
    },
    ira: 0,
    ser: 99.5,
    seer: 100,
    isa: 0.5,
  };
  const m = { figures, flowsStarted: 12, flowsPassed: 11, flowsFailed: 1, failures: { "response.cseq": 1 } };

  test("each metric read from the figures and the counters, each operator applied", () => {
    const texts = [
      "ser >= 99.9",
      "ser >= 99.5%",
      "ser > 99.5",
      "seer == 100",
      "isa != 0",
      "ira <= 0",
      "srd.p95 <= 200ms",
      "srd.p99 < 250",
      "srd.max > 299",
      "rrd.count == 24",
      "sdd.p50 < 2",
      "started == 12",
      "passed >= 12",
      "failed == 0",
      "failed.response.cseq == 1",
      "failed.sms.tpdu == 0",
    ];
    assert.deepEqual(judgeThresholds(texts, m), [
      { threshold: "ser >= 99.9", actual: 99.5, ok: false },
      { threshold: "ser >= 99.5%", actual: 99.5, ok: true },
      { threshold: "ser > 99.5", actual: 99.5, ok: false },
      { threshold: "seer == 100", actual: 100, ok: true },
      { threshold: "isa != 0", actual: 0.5, ok: true },
      { threshold: "ira <= 0", actual: 0, ok: true },
      { threshold: "srd.p95 <= 200ms", actual: 180, ok: true },
      { threshold: "srd.p99 < 250", actual: 250, ok: false },
      { threshold: "srd.max > 299", actual: 300, ok: true },
      { threshold: "rrd.count == 24", actual: 24, ok: true },
      { threshold: "sdd.p50 < 2", actual: 2, ok: false },
      { threshold: "started == 12", actual: 12, ok: true },
      { threshold: "passed >= 12", actual: 11, ok: false },
      { threshold: "failed == 0", actual: 1, ok: false },
      { threshold: "failed.response.cseq == 1", actual: 1, ok: true },
      // a requirement that failed no flow counts 0
      { threshold: "failed.sms.tpdu == 0", actual: 0, ok: true },
    ]);
  });

  test("a figure not measured is not met, whatever the operator: no SCR, no SDT percentile", () => {
    assert.deepEqual(judgeThresholds(["scr >= 0", "scr != 50", "sdt.p95 <= 100000", "sdt.max >= 0", "sdt.count == 0"], m), [
      { threshold: "scr >= 0", ok: false },
      { threshold: "scr != 50", ok: false },
      { threshold: "sdt.p95 <= 100000", ok: false },
      { threshold: "sdt.max >= 0", ok: false },
      // the count is always measured
      { threshold: "sdt.count == 0", actual: 0, ok: true },
    ]);
  });

  test("the threshold is kept as written; none judged when there are none; a bad one throws", () => {
    assert.deepEqual(judgeThresholds(["  failed==0 "], m), [{ threshold: "  failed==0 ", actual: 1, ok: false }]);
    assert.deepEqual(judgeThresholds([], m), []);
    assert.throws(() => judgeThresholds(["ser >= 99", "oops"], m), { message: /^threshold "oops": expected <metric> <operator> <number>/ });
  });

  test("a requirement id is not read from the object's prototype", () => {
    assert.deepEqual(judgeThresholds(["failed.constructor == 0", "failed.toString == 0"], m), [
      { threshold: "failed.constructor == 0", actual: 0, ok: true },
      { threshold: "failed.toString == 0", actual: 0, ok: true },
    ]);
  });
});

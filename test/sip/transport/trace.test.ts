import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Trace, traceTime } from "../../../src/sip/transport/trace.ts";
import type { TraceEntry } from "../../../src/sip/transport/trace.ts";

function entry(n: number): Omit<TraceEntry, "seq"> {
  return {
    time: 1_700_000_000_000 + n,
    direction: n % 2 === 0 ? "sent" : "received",
    protocol: "udp",
    local: { host: "127.0.0.1", port: 5060 },
    remote: { host: "127.0.0.1", port: 5070 },
    bytes: Buffer.from(`m${n}`),
  };
}

describe("Trace", () => {
  test("records entries with increasing sequence numbers, unchanged otherwise", () => {
    const trace = new Trace();
    const first = entry(0);
    trace.record(first);
    trace.record({ ...entry(1), note: "tcp-7" });
    assert.equal(trace.entries.length, 2);
    assert.deepEqual(trace.entries[0], { seq: 1, ...first });
    assert.equal(trace.entries[1].seq, 2);
    assert.equal(trace.entries[1].note, "tcp-7");
    assert.equal(trace.entries[1].bytes.toString(), "m1");
    assert.equal("seq" in first, false, "the recorded object is not mutated");
  });

  test("clear() empties the list but sequence numbers keep increasing", () => {
    const trace = new Trace();
    trace.record(entry(0));
    trace.clear();
    assert.equal(trace.entries.length, 0);
    trace.record(entry(1));
    assert.deepEqual(
      trace.entries.map((e) => e.seq),
      [2],
    );
  });

  test("live listeners, unsubscribe and on/off", () => {
    const trace = new Trace();
    const seen: number[] = [];
    const seenOn: number[] = [];
    const unsubscribe = trace.subscribe((e) => seen.push(e.seq));
    const listener = (e: TraceEntry): void => {
      seenOn.push(e.seq);
    };
    trace.on("entry", listener);
    trace.record(entry(0));
    unsubscribe();
    trace.record(entry(1));
    trace.off("entry", listener);
    trace.record(entry(2));
    assert.deepEqual(seen, [1]);
    assert.deepEqual(seenOn, [1, 2]);
  });

  test("a throwing listener does not stop recording nor other listeners", () => {
    const failures: unknown[] = [];
    const trace = new Trace({ onListenerError: (error) => failures.push(error) });
    const seen: number[] = [];
    trace.subscribe(() => {
      throw new Error("listener bug");
    });
    trace.subscribe((e) => seen.push(e.seq));
    trace.record(entry(0));
    assert.deepEqual(seen, [1]);
    assert.equal(trace.entries.length, 1);
    assert.equal((failures[0] as Error).message, "listener bug");
  });

  test("a disabled trace records nothing", () => {
    const trace = new Trace({ enabled: false });
    let calls = 0;
    trace.subscribe(() => calls++);
    trace.record(entry(0));
    assert.equal(trace.entries.length, 0);
    assert.equal(calls, 0);
    trace.enabled = true;
    trace.record(entry(1));
    assert.deepEqual(
      trace.entries.map((e) => e.seq),
      [1],
    );
  });

  test("maxEntries keeps the newest entries", () => {
    const trace = new Trace({ maxEntries: 3 });
    for (let i = 0; i < 5000; i++) trace.record(entry(i));
    assert.deepEqual(
      trace.entries.map((e) => e.seq),
      [4998, 4999, 5000],
    );
    assert.equal(trace.dropped, 4997);
    trace.record(entry(5000));
    assert.deepEqual(
      trace.entries.map((e) => e.seq),
      [4999, 5000, 5001],
    );
  });

  test("traceTime is epoch milliseconds with sub-millisecond resolution available", () => {
    const before = Date.now();
    const t = traceTime();
    const after = Date.now();
    assert.ok(t >= before - 1 && t <= after + 1, `${t} not within [${before}, ${after}]`);
  });
});

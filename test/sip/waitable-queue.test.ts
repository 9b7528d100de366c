import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Deadline } from "../../src/sip/deadline.ts";
import { ExpectationError } from "../../src/sip/failure.ts";
import { WaitableQueue } from "../../src/sip/waitable-queue.ts";
import { FakeClock } from "../support/fake-clock.ts";

const even = (n: number): boolean => n % 2 === 0;

describe("WaitableQueue", () => {
  test("next() takes a matching item already queued, leaving the others in order", async () => {
    const clock = new FakeClock();
    const q = new WaitableQueue<number>((n) => `#${n}`, clock);
    q.push(1);
    q.push(2);
    q.push(3);
    q.push(4);
    assert.equal(await q.next(even, Deadline.after(10, "t", clock), "an even number"), 2);
    assert.deepEqual(q.pending(), [1, 3, 4]);
    assert.deepEqual(q.history, [1, 2, 3, 4]);
    assert.equal(clock.pending(), 0, "no timer for an item already there");
  });

  test("forgetHistory() empties the history and keeps what is queued: a later observe() sees only new items", async () => {
    const clock = new FakeClock();
    const q = new WaitableQueue<number>(String, clock);
    q.push(1);
    q.push(2);
    assert.equal(await q.next(even, Deadline.after(10, "t", clock), "an even number"), 2);
    q.forgetHistory();
    assert.deepEqual(q.history, []);
    assert.deepEqual(q.pending(), [1]);
    const seen = q.observe(even, Deadline.after(10, "t", clock), "an even number");
    q.push(4);
    assert.equal(await seen, 4);
    assert.deepEqual(q.history, [4]);
  });

  test("next() resolves with a later matching push; the waiter consumes it and its timer is cleared", async () => {
    const clock = new FakeClock();
    const q = new WaitableQueue<number>(String, clock);
    const p = q.next(even, Deadline.after(100, "budget", clock), "an even number");
    q.push(5);
    assert.equal(clock.pending(), 1);
    q.push(6);
    assert.equal(await p, 6);
    assert.deepEqual(q.pending(), [5]);
    assert.equal(clock.pending(), 0);
    assert.deepEqual(q.history, [5, 6]);
  });

  test("a push reaches every waiter it matches; an item no waiter wanted is queued", async () => {
    const clock = new FakeClock();
    const q = new WaitableQueue<number>(String, clock);
    const d = Deadline.after(100, "b", clock);
    const a = q.next(() => true, d, "any");
    const b = q.next(even, d, "an even number");
    const c = q.next((n) => n > 100, d, "a big number");
    q.push(10);
    assert.deepEqual(await Promise.all([a, b]), [10, 10]);
    assert.deepEqual(q.pending(), [], "taken by a waiter, not queued");
    q.push(11);
    assert.deepEqual(q.pending(), [11]);
    q.push(101);
    assert.equal(await c, 101);
    assert.deepEqual(q.pending(), [11]);
    assert.equal(clock.pending(), 0, "every resolved waiter cleared its timer");
  });

  test("take() removes the first match without waiting", () => {
    const q = new WaitableQueue<number>(String, new FakeClock());
    q.push(1);
    q.push(2);
    assert.equal(q.take(even), 2);
    assert.equal(q.take(even), undefined);
    assert.deepEqual(q.pending(), [1]);
  });

  test("at the deadline next() rejects, listing what arrived, the time waited, the budget and the clause", async () => {
    const clock = new FakeClock(1000);
    const q = new WaitableQueue<number>((n) => `item ${n}`, clock);
    q.push(1);
    const p = q.next(even, Deadline.after(250, "step 'gets an even number'", clock), "an even number", "Example 1.2");
    q.push(3);
    clock.advance(249);
    q.push(5);
    clock.advance(1);
    await assert.rejects(p, (e: unknown) => {
      assert.ok(e instanceof ExpectationError);
      assert.equal(e.name, "TimeoutError");
      assert.equal(
        e.message,
        ["Expected: an even number", "Received: item 1", "          item 3", "          item 5", "Timeout:  250 ms (step 'gets an even number')", "Clause:   Example 1.2"].join("\n"),
      );
      assert.deepEqual(e.parts.timeout, { ms: 250, budget: "step 'gets an even number'" });
      return true;
    });
    // the timed-out waiter is gone: a later even number stays queued
    q.push(8);
    assert.deepEqual(q.pending(), [1, 3, 5, 8]);
  });

  test("an expired deadline with nothing queued rejects at once with 'Received: nothing'", async () => {
    const clock = new FakeClock();
    const q = new WaitableQueue<number>(String, clock);
    const d = Deadline.after(10, "short", clock);
    clock.advance(20);
    const p = q.next(even, d, "an even number");
    clock.advance(0);
    await assert.rejects(p, (e: Error) => e.message === "Expected: an even number\nReceived: nothing\nTimeout:  0 ms (short)");
  });

  test("Deadline.never() waits without a timer (it does not fire after 1 ms)", async () => {
    // A real clock: Node would fire setTimeout(fn, Infinity) after 1 ms.
    const q = new WaitableQueue<number>(String);
    const p = q.next(() => true, Deadline.never(), "anything");
    await new Promise((r) => setTimeout(r, 30));
    q.push(42);
    assert.equal(await p, 42);
  });

  test("a deadline beyond 2**31-1 ms is waited for in chunks and still fires at its time", async () => {
    const clock = new FakeClock();
    const q = new WaitableQueue<number>(String, clock);
    const far = 2 ** 31 + 5000;
    const p = q.next(() => true, Deadline.after(far, "far", clock), "anything");
    let settled = false;
    p.catch(() => undefined).finally(() => (settled = true));
    clock.advance(2 ** 31 - 1);
    await new Promise((r) => setImmediate(r));
    assert.equal(settled, false);
    clock.advance(far - (2 ** 31 - 1));
    await assert.rejects(p, /Timeout: {2}\d+\.\d s \(far\)/);
  });
});

test("observe sees an item, earlier or later, without taking it from a later next()", async () => {
  const q = new WaitableQueue<number>((n) => String(n));
  q.push(1);
  assert.equal(await q.observe((n) => n === 1, Deadline.after(1000, "observe"), "1"), 1);
  const later = q.observe((n) => n === 2, Deadline.after(1000, "observe"), "2");
  q.push(2);
  assert.equal(await later, 2);
  assert.equal(await q.next((n) => n === 2, Deadline.after(1000, "next"), "2"), 2, "still there for next()");
  assert.equal(await q.next((n) => n === 1, Deadline.after(1000, "next"), "1"), 1);
  assert.deepEqual(q.pending(), []);
});

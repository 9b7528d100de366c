// The fake clock every transaction test relies on (test/support/fake-clock.ts).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { FakeClock } from "./fake-clock.ts";

describe("FakeClock", () => {
  test("fires due timers in time order, then creation order, with now() at each due time", () => {
    const clock = new FakeClock(1000);
    const fired: Array<[string, number]> = [];
    clock.setTimeout(() => fired.push(["c", clock.now()]), 30);
    clock.setTimeout(() => fired.push(["a", clock.now()]), 10);
    clock.setTimeout(() => fired.push(["b", clock.now()]), 10);
    clock.setTimeout(() => fired.push(["late", clock.now()]), 31);
    clock.advance(30);
    assert.deepEqual(fired, [
      ["a", 1010],
      ["b", 1010],
      ["c", 1030],
    ]);
    assert.equal(clock.now(), 1030);
    assert.equal(clock.pending(), 1);
    clock.advance(1);
    assert.deepEqual(fired.at(-1), ["late", 1031]);
    assert.equal(clock.pending(), 0);
  });

  test("timers set by a firing callback fire within the same window, zero delays included", () => {
    const clock = new FakeClock();
    const fired: number[] = [];
    const tick = (ms: number) =>
      clock.setTimeout(() => {
        fired.push(clock.now());
        tick(ms * 2);
      }, ms);
    tick(100);
    clock.setTimeout(() => clock.setTimeout(() => fired.push(-clock.now()), 0), 250);
    clock.advance(1500);
    assert.deepEqual(fired, [100, 250 * -1, 300, 700, 1500]);
    assert.equal(clock.now(), 1500);
    assert.equal(clock.pending(), 1);
  });

  test("cleared timers never fire; advance(0) fires what is due now; negative advances are refused", () => {
    const clock = new FakeClock();
    let n = 0;
    const h = clock.setTimeout(() => n++, 5);
    clock.setTimeout(() => (n += 10), 0);
    clock.clearTimeout(h);
    clock.clearTimeout(h);
    assert.equal(clock.pending(), 1);
    clock.advance(0);
    assert.equal(n, 10);
    clock.advance(100);
    assert.equal(n, 10);
    assert.throws(() => clock.advance(-1), RangeError);
  });
});

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Deadline, TimeoutError } from "../../src/sip/deadline.ts";
import { FakeClock } from "../support/fake-clock.ts";

describe("Deadline", () => {
  test("after() is absolute on its clock; remaining() counts down to 0 and expired() follows", () => {
    const clock = new FakeClock(5000);
    const d = Deadline.after(300, "64*T1 for REGISTER", clock);
    assert.equal(d.at, 5300);
    assert.equal(d.budget, "64*T1 for REGISTER");
    assert.equal(d.remaining(), 300);
    assert.equal(d.expired(), false);
    clock.advance(299);
    assert.equal(d.remaining(), 1);
    assert.equal(d.expired(), false);
    clock.advance(1);
    assert.equal(d.remaining(), 0);
    assert.equal(d.expired(), true);
    clock.advance(50);
    assert.equal(d.remaining(), 0, "never negative");
  });

  test("never() has no end", () => {
    const clock = new FakeClock();
    const d = Deadline.never(clock);
    clock.advance(1e12);
    assert.equal(d.remaining(), Number.POSITIVE_INFINITY);
    assert.equal(d.expired(), false);
    assert.equal(d.budget, "no deadline");
  });

  test("within() keeps the earlier deadline with its name: an inner wait never outlives its parent", () => {
    const clock = new FakeClock();
    const parent = Deadline.after(1000, "step 'UE-A receives 200'", clock);
    const shorter = parent.within(200, "PRACK");
    assert.equal(shorter.at, 200);
    assert.equal(shorter.budget, "PRACK");
    const longer = parent.within(5000, "64*T1");
    assert.equal(longer, parent);
    assert.equal(longer.budget, "step 'UE-A receives 200'");
    clock.advance(900);
    const late = parent.within(200, "too late");
    assert.equal(late.at, 1000);
    assert.equal(late.budget, "step 'UE-A receives 200'");
  });

  test("earliest() picks the earlier of two, ignoring undefined", () => {
    const clock = new FakeClock();
    const a = Deadline.after(100, "a", clock);
    const b = Deadline.after(50, "b", clock);
    assert.equal(a.earliest(b), b);
    assert.equal(b.earliest(a), b);
    assert.equal(a.earliest(undefined), a);
    assert.equal(Deadline.never(clock).earliest(a), a);
  });

  test("TimeoutError carries the budget and the time waited", () => {
    const e = new TimeoutError("no 200", "64*T1", 32000);
    assert.ok(e instanceof Error);
    assert.equal(e.name, "TimeoutError");
    assert.equal(e.message, "no 200");
    assert.equal(e.budget, "64*T1");
    assert.equal(e.waitedMs, 32000);
  });
});

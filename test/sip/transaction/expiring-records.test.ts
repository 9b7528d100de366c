// Records kept outside the traced heap until due: found by key with their fields byte for byte,
// hidden once due, newest first under one key, through every growth of the ring and slot table, and
// never by a different key with the same hash.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ExpiringRecords, byteString } from "../../../src/sip/transaction/expiring-records.ts";
import { FakeClock } from "../../support/fake-clock.ts";

describe("ExpiringRecords", () => {
  test("a record is found with its fields and meta until its due time, then not", () => {
    const clock = new FakeClock();
    const records = new ExpiringRecords(clock);
    const ack = Buffer.from("ACK sip:b@x SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n\r\n", "latin1");
    records.add("z9hG4bK1|INVITE", clock.now() + 100, ["tag-1", ack], 200);
    clock.advance(99);
    const found = records.find("z9hG4bK1|INVITE");
    assert.ok(found);
    assert.deepEqual(found.fields, ["tag-1", ack.toString("latin1")]);
    assert.equal(found.meta, 200);
    assert.equal(found.due, clock.now() + 1);
    assert.equal(records.find("z9hG4bK1|BYE"), undefined);
    clock.advance(1);
    assert.equal(records.find("z9hG4bK1|INVITE"), undefined);
    assert.equal(records.size, 0);
  });

  test("a later record under the same key hides the earlier; each expires on its own", () => {
    const clock = new FakeClock();
    const records = new ExpiringRecords(clock);
    records.add("k", clock.now() + 100, ["first"]);
    records.add("k", clock.now() + 50, ["second"]);
    assert.deepEqual(records.find("k")?.fields, ["second"]);
    clock.advance(60);
    // The later one is due first; the earlier one, still stored and not due, is found again
    assert.deepEqual(records.find("k")?.fields, ["first"]);
    clock.advance(40);
    assert.equal(records.find("k"), undefined);
  });

  test("100,000 records of every size through growth and wrap-around keep their bytes; keys with one hash stay apart", () => {
    const clock = new FakeClock();
    const records = new ExpiringRecords(clock);
    const body = (i: number): string => `${i}:`.padEnd(20 + (i % 700), String.fromCharCode(0x41 + (i % 26)));
    // Each lives 1000 ms and one is added per ms: about 1000 at once, so the ring wraps many times
    for (let i = 0; i < 100000; i++) {
      records.add(`key-${i}`, clock.now() + 1000, [body(i), "\u00ff\u0000"], i % 1000);
      if (i % 997 === 0) {
        assert.deepEqual(records.find(`key-${i}`)?.fields, [body(i), "\u00ff\u0000"]);
        assert.deepEqual(records.find(`key-${i - 999}`)?.fields, i >= 999 ? [body(i - 999), "\u00ff\u0000"] : undefined);
        assert.equal(records.find(`key-${i - 1000}`), undefined);
      }
      clock.advance(1);
    }
    assert.ok(records.size <= 1000, `only the records not yet due stay stored: ${records.size}`);
    // Two keys with the same FNV-1a hash ("costarring" and "liquid" collide in 32 bits; the 30-bit
    // hash collides on more): found apart, whichever was added last
    const a = "costarring";
    const b = "liquid";
    records.add(a, clock.now() + 10, ["a"]);
    records.add(b, clock.now() + 10, ["b"]);
    assert.deepEqual(records.find(a)?.fields, ["a"]);
    assert.deepEqual(records.find(b)?.fields, ["b"]);
  });

  test("one clock timer while records are stored: an idle store gives back its room when they have expired", () => {
    const clock = new FakeClock();
    const records = new ExpiringRecords(clock);
    records.add("a", clock.now() + 100, ["x"]);
    records.add("b", clock.now() + 5000, ["y"]);
    assert.equal(clock.pending(), 1);
    clock.advance(1000);
    assert.equal(records.size, 1, "the first is swept within a second of its due time");
    clock.advance(4000);
    assert.equal(clock.pending(), 0, "no timer once nothing is stored");
    assert.equal((records as unknown as { chunks: unknown[] }).chunks.length, 0, "no chunk kept");
    records.add("c", clock.now() + 10, ["z"]);
    assert.deepEqual(records.find("c")?.fields, ["z"]);
    records.clear();
    assert.equal(clock.pending(), 0, "clear stops the timer");
  });

  test("a record larger than a chunk (1 MiB) is kept whole, beside small ones", () => {
    const clock = new FakeClock();
    const records = new ExpiringRecords(clock);
    const big = Buffer.alloc(3 * 1024 * 1024 + 7, 0x61);
    big[big.length - 1] = 0x7a;
    records.add("small-1", clock.now() + 10, ["x"]);
    records.add("big", clock.now() + 20, [big]);
    records.add("small-2", clock.now() + 30, ["y"]);
    assert.equal(records.find("big")?.fields[0], big.toString("latin1"));
    assert.deepEqual(records.find("small-1")?.fields, ["x"]);
    assert.deepEqual(records.find("small-2")?.fields, ["y"]);
    clock.advance(25);
    assert.equal(records.find("big"), undefined);
    assert.deepEqual(records.find("small-2")?.fields, ["y"]);
  });

  test("keys in any script are matched exactly; byteString keeps a field's UTF-8", () => {
    const clock = new FakeClock();
    const records = new ExpiringRecords(clock);
    records.add("tag-ü-東", clock.now() + 10, [byteString("ü-東")]);
    const found = records.find("tag-ü-東");
    assert.ok(found);
    assert.equal(Buffer.from(found.fields[0], "latin1").toString("utf8"), "ü-東");
    assert.equal(records.find("tag-u-東"), undefined);
  });
});

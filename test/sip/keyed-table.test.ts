import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { KeyedTable } from "../../src/sip/keyed-table.ts";
import { mulberry32 } from "./message/prng.ts";

describe("KeyedTable", () => {
  test("get, has, set, delete and size, as a Map of strings", () => {
    const t = new KeyedTable<{ n: number }>();
    const a = { n: 1 };
    assert.equal(t.size, 0);
    assert.equal(t.set("z9hG4bKa", a), t);
    t.set("z9hG4bKb", { n: 2 });
    assert.equal(t.get("z9hG4bKa"), a);
    assert.equal(t.has("z9hG4bKb"), true);
    assert.equal(t.has("z9hG4bKc"), false);
    assert.equal(t.get("z9hG4bKc"), undefined);
    assert.equal(t.size, 2);
    t.set("z9hG4bKa", { n: 3 });
    assert.equal(t.size, 2, "replacing a value does not count twice");
    assert.equal(t.get("z9hG4bKa")?.n, 3);
    assert.equal(t.delete("z9hG4bKa"), true);
    assert.equal(t.delete("z9hG4bKa"), false, "a key deleted twice");
    assert.equal(t.size, 1);
    assert.equal(t.has("z9hG4bKa"), false);
    for (const key of ["__proto__", "constructor", "", "0", "é;tag=ü"]) {
      t.set(key, { n: key.length });
      assert.equal(t.get(key)?.n, key.length, key);
    }
    assert.equal(t.size, 6);
  });

  test("agrees with a Map through 200,000 random sets and deletes, growth and wrap-around included", () => {
    const rng = mulberry32(17);
    const random = (): number => rng.next();
    const table = new KeyedTable<number>();
    const reference = new Map<string, number>();
    // Few distinct keys, so that runs form, collide and wrap around the end of the storage
    const keyOf = (): string => `z9hG4bK${Math.floor(random() * 3000)}`;
    for (let op = 0; op < 200_000; op++) {
      const key = keyOf();
      if (random() < 0.5) {
        table.set(key, op);
        reference.set(key, op);
      } else {
        assert.equal(table.delete(key), reference.delete(key), `delete ${key} at op ${op}`);
      }
      if (op % 997 === 0) {
        assert.equal(table.size, reference.size, `size at op ${op}`);
        for (let k = 0; k < 3000; k++) assert.equal(table.get(`z9hG4bK${k}`), reference.get(`z9hG4bK${k}`), `z9hG4bK${k} at op ${op}`);
      }
    }
    assert.deepEqual(
      table.values().sort((x, y) => x - y),
      [...reference.values()].sort((x, y) => x - y),
    );
  });

  test("the churn of a load (each key added once, deleted later) keeps the storage it grew to", () => {
    const t = new KeyedTable<number>();
    for (let i = 0; i < 100_000; i++) {
      t.set(`b${i}`, i);
      if (i >= 100) assert.equal(t.delete(`b${i - 100}`), true);
    }
    assert.equal(t.size, 100);
    assert.equal((t as unknown as { keys: unknown[] }).keys.length, 256, "100 live entries at most half full: 256 slots, never more");
    assert.deepEqual(
      t.values().sort((x, y) => x - y),
      Array.from({ length: 100 }, (_, i) => 99_900 + i),
    );
  });
});

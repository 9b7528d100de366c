import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { DictionaryTable } from "../../src/sip/dictionary-table.ts";

describe("DictionaryTable", () => {
  test("get, has, set, delete and size, as a Map of strings", () => {
    const t = new DictionaryTable<{ n: number }>();
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
  });

  test("keys that mean something to a plain object are plain keys", () => {
    const t = new DictionaryTable<string>();
    for (const key of ["__proto__", "constructor", "toString", "hasOwnProperty", "", "0", "1.5"]) {
      assert.equal(t.has(key), false, key);
      t.set(key, `v${key}`);
      assert.equal(t.get(key), `v${key}`, key);
    }
    assert.equal(t.size, 7);
    assert.deepEqual(t.values().sort(), ["v", "v0", "v1.5", "v__proto__", "vconstructor", "vhasOwnProperty", "vtoString"].sort());
  });

  test("values() in the order keys were added; churn keeps the count right", () => {
    const t = new DictionaryTable<number>();
    for (let i = 0; i < 10_000; i++) {
      t.set(`b${i}`, i);
      if (i >= 100) t.delete(`b${i - 100}`);
    }
    assert.equal(t.size, 100);
    assert.deepEqual(
      t.values(),
      Array.from({ length: 100 }, (_, i) => 9900 + i),
    );
  });
});

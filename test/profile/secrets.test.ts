import assert from "node:assert/strict";
import { test } from "node:test";
import { hiddenValueKind, secretSource } from "../../src/profile/secrets.ts";

test("a remote target reads variables and reports unset and empty ones", () => {
  const s = secretSource({ A: "x", E: "" }, false);
  assert.deepEqual(s.lookup("A"), { ok: true, value: "x", generated: false });
  assert.deepEqual(s.lookup("E"), { ok: false, reason: "empty" });
  assert.deepEqual(s.lookup("U"), { ok: false, reason: "unset" });
});

test("the embedded target generates one 128-bit hex value per unset variable", () => {
  const s = secretSource({ A: "x" }, true);
  assert.deepEqual(s.lookup("A"), { ok: true, value: "x", generated: false });
  const u1 = s.lookup("U");
  const u2 = s.lookup("U");
  const v = s.lookup("V");
  assert.ok(u1.ok && u2.ok && v.ok);
  assert.match(u1.value, /^[0-9a-f]{32}$/);
  assert.equal(u1.generated, true);
  assert.equal(u2.value, u1.value);
  assert.notEqual(v.value, u1.value);
});

test("variable names: a pasted key or an invalid name is described without repeating it", () => {
  const key = "465b5ce8b199b49faa5f0a2ee238a6bc";
  assert.equal(hiddenValueKind(key), "what looks like a key (not shown: a profile never holds a secret)");
  assert.equal(hiddenValueKind("my secret!"), "a string (not shown)");
});

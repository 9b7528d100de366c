// The catalogue as a whole: ids are unique and stable in form, every requirement names its clause,
// and every requirement is proven by a test that feeds a violating message (proveViolation).
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { REQUIREMENTS } from "../../src/conformance/catalogue.ts";

const PROOFS = resolve(import.meta.dirname, "requirements");

test("requirement ids are unique, lower-case dotted words, and each has a clause and a statement", () => {
  const ids = REQUIREMENTS.map((r) => r.id);
  assert.deepEqual(
    ids.filter((id, i) => ids.indexOf(id) !== i),
    [],
    "duplicate ids",
  );
  for (const r of REQUIREMENTS) {
    assert.match(r.id, /^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9]+(-[a-z0-9]+)*)+$/, `id "${r.id}"`);
    assert.match(r.clause, /^(RFC \d+|TS \d+\.\d+) /, `${r.id}: clause "${r.clause}" names an RFC or a 3GPP TS`);
    assert.ok(r.statement.length > 20, `${r.id}: a statement`);
  }
});

test("every requirement is proven by a test feeding a violating message", () => {
  const text = readdirSync(PROOFS)
    .filter((f) => f.endsWith(".test.ts"))
    .map((f) => readFileSync(join(PROOFS, f), "utf8"))
    .join("\n");
  const proven = new Set([...text.matchAll(/proveViolation(?:By)?\(\s*"([^"]+)"/g)].map((m) => m[1]));
  const unproven = REQUIREMENTS.map((r) => r.id).filter((id) => !proven.has(id));
  assert.deepEqual(unproven, [], `requirements without a proveViolation(...) in test/conformance/requirements/`);
  const unknown = [...proven].filter((id) => !REQUIREMENTS.some((r) => r.id === id));
  assert.deepEqual(unknown, [], "proofs of requirements not in the catalogue");
});

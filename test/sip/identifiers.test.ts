import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { newBranch, newCallId, newTag } from "../../src/sip/identifiers.ts";

describe("identifiers (RFC 3261 8.1.1.4, 8.1.1.7, 19.3)", () => {
  test("branches start with the magic cookie z9hG4bK and are unique", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const b = newBranch();
      assert.match(b, /^z9hG4bK[0-9a-z]+$/);
      seen.add(b);
    }
    assert.equal(seen.size, 2000);
  });

  test("tags are unique tokens", () => {
    const tags = Array.from({ length: 2000 }, () => newTag());
    assert.equal(new Set(tags).size, tags.length);
    for (const t of tags.slice(0, 20)) assert.match(t, /^[0-9a-z]{9,}$/);
  });

  test("Call-IDs are unique and end with @host (default ims-interop)", () => {
    const ids = Array.from({ length: 2000 }, () => newCallId());
    assert.equal(new Set(ids).size, ids.length);
    assert.match(ids[0], /^[0-9a-z]+@ims-interop$/);
    assert.match(newCallId("ue-a.example.com"), /^[0-9a-z]+@ue-a\.example\.com$/);
  });

  test("identifiers drawn at once do not collide with each other", () => {
    const all = [newBranch(), newTag(), newCallId(), newBranch(), newTag()];
    assert.equal(new Set(all).size, all.length);
  });
});

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { parseSubscriptionState } from "../../../src/sip/dialog/index.ts";

describe("parseSubscriptionState (RFC 6665 4.1.3, 8.2.3)", () => {
  test("active with expires", () => {
    assert.deepEqual(parseSubscriptionState("active;expires=600"), { state: "active", expires: 600 });
  });

  test("case and whitespace are normalised", () => {
    assert.deepEqual(parseSubscriptionState(" Pending ; expires = 30"), { state: "pending", expires: 30 });
  });

  test("terminated with reason and retry-after", () => {
    assert.deepEqual(parseSubscriptionState("terminated;reason=Timeout;retry-after=120"), { state: "terminated", reason: "timeout", retryAfter: 120 });
    assert.deepEqual(parseSubscriptionState("terminated;reason=deactivated"), { state: "terminated", reason: "deactivated" });
  });

  test("an extension state and non-numeric expires are kept as far as they can be", () => {
    assert.deepEqual(parseSubscriptionState("waiting;expires=soon;foo=bar"), { state: "waiting" });
  });

  test("absent or empty gives undefined", () => {
    assert.equal(parseSubscriptionState(undefined), undefined);
    assert.equal(parseSubscriptionState(""), undefined);
    assert.equal(parseSubscriptionState(" ;expires=5"), undefined);
  });
});

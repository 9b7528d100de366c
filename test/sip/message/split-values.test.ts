import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { splitHeaderValues } from "../../../src/sip/message/split-values.ts";

describe("splitHeaderValues (RFC 3261 7.3.1)", () => {
  test("splits at top-level commas and trims each value", () => {
    assert.deepEqual(splitHeaderValues("INVITE, ACK ,OPTIONS,\tBYE"), ["INVITE", "ACK", "OPTIONS", "BYE"]);
    assert.deepEqual(splitHeaderValues("  single  "), ["single"]);
  });

  test("empty values are dropped", () => {
    assert.deepEqual(splitHeaderValues(""), []);
    assert.deepEqual(splitHeaderValues("   "), []);
    assert.deepEqual(splitHeaderValues(",,, ,"), []);
    assert.deepEqual(splitHeaderValues("a,,b,"), ["a", "b"]);
  });

  test("commas inside quoted strings do not split", () => {
    assert.deepEqual(splitHeaderValues('"Watson, Thomas" <sip:t.watson@example.org>, "Bell, Alexander" <sip:a.g.bell@example.com>'), [
      '"Watson, Thomas" <sip:t.watson@example.org>',
      '"Bell, Alexander" <sip:a.g.bell@example.com>',
    ]);
  });

  test("an escaped quote does not end the quoted string", () => {
    assert.deepEqual(splitHeaderValues('"a \\", b" <sip:x@y.example>, <sip:z@y.example>'), ['"a \\", b" <sip:x@y.example>', "<sip:z@y.example>"]);
    assert.deepEqual(splitHeaderValues('"a\\\\", <sip:z@y.example>'), ['"a\\\\"', "<sip:z@y.example>"]);
  });

  test("commas inside <> do not split", () => {
    assert.deepEqual(splitHeaderValues("<sip:a@b.example;x=1,2>;q=0.1, <sip:c@d.example?Subject=a,b>"), ["<sip:a@b.example;x=1,2>;q=0.1", "<sip:c@d.example?Subject=a,b>"]);
  });

  test("a quote inside <> and a > inside quotes", () => {
    assert.deepEqual(splitHeaderValues('"x > y, z" <sip:a@b.example>, <sip:c@d.example>'), ['"x > y, z" <sip:a@b.example>', "<sip:c@d.example>"]);
  });

  test("unbalanced input never throws and keeps the text", () => {
    assert.deepEqual(splitHeaderValues('"open, quote'), ['"open, quote']);
    assert.deepEqual(splitHeaderValues("<open, angle"), ["<open, angle"]);
    assert.deepEqual(splitHeaderValues("a>, b"), ["a>", "b"]);
    assert.deepEqual(splitHeaderValues('"ends in backslash\\'), ['"ends in backslash\\']);
  });

  test("comma-joined Via values", () => {
    assert.deepEqual(splitHeaderValues("SIP/2.0/TCP spindle.example.com ;\r\n  branch = z9hG4bK9ikj8 , SIP/2.0/UDP 192.168.255.111 ; branch=z9hG4bK30239"), [
      "SIP/2.0/TCP spindle.example.com ;\r\n  branch = z9hG4bK9ikj8",
      "SIP/2.0/UDP 192.168.255.111 ; branch=z9hG4bK30239",
    ]);
  });
});

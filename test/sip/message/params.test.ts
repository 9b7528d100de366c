import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { findQuoteEnd, formatParams, getParam, hasParam, paramValue, parseParams, quote, unquote, withParam, withoutParam } from "../../../src/sip/message/params.ts";

describe("parseParams (RFC 3261 25.1 generic-param)", () => {
  test("flags, tokens, hosts and quoted strings", () => {
    assert.deepEqual(parseParams(';tag=1918181833n;lr;maddr=192.0.2.1;received=[2001:db8::1];x="a;b=c d"'), [
      { name: "tag", value: "1918181833n" },
      { name: "lr" },
      { name: "maddr", value: "192.0.2.1" },
      { name: "received", value: "[2001:db8::1]" },
      { name: "x", value: '"a;b=c d"' },
    ]);
  });

  test("LWS around ; and = (SEMI and EQUAL)", () => {
    assert.deepEqual(parseParams(" ;   tag    = 1918181833n ;\r\n  q = 0.33 ; secondparam"), [{ name: "tag", value: "1918181833n" }, { name: "q", value: "0.33" }, { name: "secondparam" }]);
  });

  test("empty input, start and end offsets, other separators", () => {
    assert.deepEqual(parseParams(""), []);
    assert.deepEqual(parseParams("   "), []);
    assert.deepEqual(parseParams("sip:a@b;x=1;y=2?h=1", 7, 15), [
      { name: "x", value: "1" },
      { name: "y", value: "2" },
    ]);
    assert.deepEqual(parseParams("&a=1&b", 0, 6, "&"), [{ name: "a", value: "1" }, { name: "b" }]);
    assert.deepEqual(parseParams(";x="), [{ name: "x", value: "" }]);
  });

  test("a quoted value with quoted-pairs", () => {
    assert.deepEqual(parseParams(';realm="a\\"b;c";nonce=1'), [
      { name: "realm", value: '"a\\"b;c"' },
      { name: "nonce", value: "1" },
    ]);
  });

  test("malformed: empty names, stray text, unterminated quotes", () => {
    assert.equal(parseParams(";;"), undefined);
    assert.equal(parseParams(";=x"), undefined);
    assert.equal(parseParams("x;a"), undefined);
    assert.equal(parseParams(';a="open'), undefined);
    assert.equal(parseParams(';a="closed-after-end";b', 0, 10), undefined);
    assert.equal(parseParams(";a=b c"), undefined);
  });
});

describe("parameter lists", () => {
  const params = parseParams(";Tag=AbC;lr;q=0.5")!;

  test("look-up is case-insensitive on the name; values keep their case", () => {
    assert.deepEqual(getParam(params, "tag"), { name: "Tag", value: "AbC" });
    assert.equal(paramValue(params, "TAG"), "AbC");
    assert.equal(paramValue(params, "lr"), "");
    assert.equal(paramValue(params, "missing"), undefined);
    assert.equal(hasParam(params, "LR"), true);
    assert.equal(hasParam(params, "maddr"), false);
    assert.equal(paramValue(parseParams(';x="a \\"q\\""')!, "x"), 'a "q"');
  });

  test("withParam replaces in place or appends; withoutParam removes; the input is untouched", () => {
    assert.deepEqual(withParam(params, "TAG", "new"), [{ name: "TAG", value: "new" }, { name: "lr" }, { name: "q", value: "0.5" }]);
    assert.deepEqual(withParam(params, "rport"), [...params, { name: "rport" }]);
    assert.deepEqual(withParam(params, "lr", "1")[1], { name: "lr", value: "1" });
    assert.deepEqual(withoutParam(params, "LR"), [
      { name: "Tag", value: "AbC" },
      { name: "q", value: "0.5" },
    ]);
    assert.deepEqual(params, [{ name: "Tag", value: "AbC" }, { name: "lr" }, { name: "q", value: "0.5" }]);
  });

  test("formatParams writes them back", () => {
    assert.equal(formatParams(params), ";Tag=AbC;lr;q=0.5");
    assert.equal(formatParams([]), "");
    assert.equal(formatParams([{ name: "a", value: "1" }, { name: "b" }], "&"), "&a=1&b");
  });
});

describe("quoted strings", () => {
  test('quote and unquote are inverse, escaping " and \\', () => {
    assert.equal(quote('J Rosenberg \\"'), '"J Rosenberg \\\\\\""');
    assert.equal(unquote('"J Rosenberg \\\\\\""'), 'J Rosenberg \\"');
    for (const s of ["", "plain", 'a"b', "a\\b", '\\"\\', "работающий", "NUL:\u0000"]) assert.equal(unquote(quote(s)), s);
  });

  test("unquote leaves unquoted text alone and resolves quoted-pair of any character", () => {
    assert.equal(unquote("token"), "token");
    assert.equal(unquote('"'), '"');
    assert.equal(unquote('"BEL:\\\u0007"'), "BEL:\u0007");
  });

  test("findQuoteEnd honours quoted-pair", () => {
    assert.equal(findQuoteEnd('"abc" x', 0), 4);
    assert.equal(findQuoteEnd('"a\\"b" x', 0), 5);
    assert.equal(findQuoteEnd('"a\\\\" x', 0), 4);
    assert.equal(findQuoteEnd('"open', 0), -1);
    assert.equal(findQuoteEnd('"ends\\"', 0), -1);
    assert.equal(findQuoteEnd('x "y"', 2), 4);
  });
});

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { SINGLE_VALUED, canonicalHeaderName, headerKey, internHeaderName, isListHeader, knownHeaderAt } from "../../../src/sip/message/header-names.ts";
import { parseMessage } from "../../../src/sip/message/parser.ts";

describe("headerKey: compact forms (RFC 3261 7.3.3 and the IANA registry)", () => {
  test("RFC 3261 compact forms expand in either case", () => {
    const pairs: [string, string][] = [
      ["c", "content-type"],
      ["e", "content-encoding"],
      ["f", "from"],
      ["i", "call-id"],
      ["k", "supported"],
      ["l", "content-length"],
      ["m", "contact"],
      ["s", "subject"],
      ["t", "to"],
      ["v", "via"],
    ];
    for (const [compact, long] of pairs) {
      assert.equal(headerKey(compact), long);
      assert.equal(headerKey(compact.toUpperCase()), long);
    }
  });

  test("extension compact forms", () => {
    assert.equal(headerKey("o"), "event"); // RFC 6665
    assert.equal(headerKey("r"), "refer-to"); // RFC 3515
    assert.equal(headerKey("b"), "referred-by"); // RFC 3892
    assert.equal(headerKey("u"), "allow-events"); // RFC 6665
    assert.equal(headerKey("x"), "session-expires"); // RFC 4028
    assert.equal(headerKey("a"), "accept-contact"); // RFC 3841
    assert.equal(headerKey("j"), "reject-contact");
    assert.equal(headerKey("d"), "request-disposition");
    assert.equal(headerKey("y"), "identity"); // RFC 8224
  });

  test("long names are lower-cased; unknown one-letter names stay as they are", () => {
    assert.equal(headerKey("Call-ID"), "call-id");
    assert.equal(headerKey("MaX-fOrWaRdS"), "max-forwards");
    assert.equal(headerKey("VIA"), "via");
    assert.equal(headerKey("Q"), "q");
    assert.equal(headerKey("C%6Fntact"), "c%6fntact");
  });

  test("a parsed message finds compact and long forms alike", () => {
    const r = parseMessage(
      "OPTIONS sip:a@b.example SIP/2.0\r\nv: SIP/2.0/UDP h;branch=z9hG4bK1\r\nVia: SIP/2.0/UDP g;branch=z9hG4bK2\r\nf: <sip:x@y.example>;tag=1\r\nt: <sip:a@b.example>\r\ni: abc\r\nCSeq: 1 OPTIONS\r\nl: 0\r\n\r\n",
    );
    if (!r.ok) assert.fail(r.error.reason);
    const m = r.message;
    assert.equal(m.header("Via"), "SIP/2.0/UDP h;branch=z9hG4bK1");
    assert.deepEqual(m.headerValues("v"), ["SIP/2.0/UDP h;branch=z9hG4bK1", "SIP/2.0/UDP g;branch=z9hG4bK2"]);
    assert.equal(m.header("call-id"), "abc");
    assert.equal(m.header("I"), "abc");
    assert.equal(m.header("Content-Length"), "0");
    assert.deepEqual(
      m.headers.map((h) => h.name),
      ["v", "Via", "f", "t", "i", "CSeq", "l"],
    );
  });
});

describe("canonicalHeaderName", () => {
  test("conventional spellings", () => {
    assert.equal(canonicalHeaderName("call-id"), "Call-ID");
    assert.equal(canonicalHeaderName("i"), "Call-ID");
    assert.equal(canonicalHeaderName("CSEQ"), "CSeq");
    assert.equal(canonicalHeaderName("www-authenticate"), "WWW-Authenticate");
    assert.equal(canonicalHeaderName("p-asserted-identity"), "P-Asserted-Identity");
    assert.equal(canonicalHeaderName("rack"), "RAck");
    assert.equal(canonicalHeaderName("max-forwards"), "Max-Forwards");
    assert.equal(canonicalHeaderName("m"), "Contact");
    assert.equal(canonicalHeaderName("x-my-header"), "X-My-Header");
    assert.equal(canonicalHeaderName("Via"), "Via");
  });
});

describe("list and single-valued headers", () => {
  test("RFC 3261 7.3.1: the authentication headers and others with commas as data are not lists", () => {
    for (const key of ["www-authenticate", "authorization", "proxy-authenticate", "proxy-authorization", "date", "call-id", "cseq", "from", "to"]) {
      assert.equal(isListHeader(key), false, key);
    }
    for (const key of ["via", "contact", "route", "record-route", "supported", "allow", "accept", "require"]) assert.equal(isListHeader(key), true, key);
  });

  test("single-valued headers include the ones RFC 4475 3.3.8 duplicates", () => {
    for (const key of ["call-id", "cseq", "from", "to", "max-forwards", "content-length", "content-type"]) assert.equal(SINGLE_VALUED.has(key), true, key);
    assert.equal(SINGLE_VALUED.has("via"), false);
  });
});

describe("knownHeaderAt: a known name found in the text without copying it", () => {
  test("the spelling exactly, with the key headerKey gives", () => {
    const line = "xCall-ID: a@b";
    assert.deepEqual(knownHeaderAt(line, 1, 8), { name: "Call-ID", key: "call-id" });
    assert.equal(knownHeaderAt(line, 1, 8)?.name, internHeaderName("Call-ID"), "the shared instance");
    for (const name of ["Via", "From", "To", "CSeq", "Contact", "Content-Length", "P-Asserted-Identity"]) {
      const text = `${name}: x`;
      assert.deepEqual(knownHeaderAt(text, 0, name.length), { name, key: headerKey(name) }, name);
    }
  });
  test("any other spelling or range is left to the slower look-up (undefined)", () => {
    for (const [text, end] of [
      ["via: x", 3],
      ["VIA: x", 3],
      ["v: x", 1],
      ["Via : x", 4],
      ["X-Custom: x", 8],
      ["Vi", 2],
    ] as const)
      assert.equal(knownHeaderAt(text, 0, end), undefined, text);
  });
});

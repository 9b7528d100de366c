import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { formatChallenge, formatCredentials, parseAuthChallenges, parseAuthParams, parseCredentials, quoteString } from "../../../src/sip/auth/challenge.ts";

describe("parseAuthParams", () => {
  test("parses an IMS AKA challenge with a quoted qop list and a token algorithm", () => {
    const c = parseAuthParams('Digest realm="ims.example.com", nonce="y", qop="auth,auth-int", algorithm=AKAv1-MD5');
    assert.equal(c.scheme, "Digest");
    assert.deepEqual(c.params, { realm: "ims.example.com", nonce: "y", qop: "auth,auth-int", algorithm: "AKAv1-MD5" });
    assert.equal(c.malformed, undefined);
  });

  test("unescapes quoted-pairs and keeps commas inside quoted strings", () => {
    const c = parseAuthParams('Digest realm="a \\"quoted\\" realm, with comma", opaque="back\\\\slash", nonce="n"');
    assert.deepEqual(c.params, { realm: 'a "quoted" realm, with comma', opaque: "back\\slash", nonce: "n" });
    assert.equal(c.malformed, undefined);
  });

  test("lower-cases parameter names and tolerates whitespace, folding and empty list elements", () => {
    const c = parseAuthParams('  Digest\tREALM = "r" ,\r\n  Nonce="n",, ALGORITHM=SHA-256 , STALE=TRUE,');
    assert.deepEqual(c.params, { realm: "r", nonce: "n", algorithm: "SHA-256", stale: "TRUE" });
    assert.equal(c.malformed, undefined);
  });

  test("keeps unquoted values that are not strict tokens (lenient)", () => {
    const c = parseAuthParams("Digest nonce=abc/def+=, realm=x");
    assert.deepEqual(c.params, { nonce: "abc/def+=", realm: "x" });
  });

  test("reports an unterminated quoted-string and keeps what it could read", () => {
    const c = parseAuthParams('Digest realm="r", nonce="abc');
    assert.deepEqual(c.params, { realm: "r", nonce: "abc" });
    assert.equal(c.malformed, "unterminated quoted-string in nonce");
  });

  test("reports a parameter without a value and continues", () => {
    const c = parseAuthParams('Digest realm="r", bogus, nonce="n"');
    assert.deepEqual(c.params, { realm: "r", nonce: "n" });
    assert.equal(c.malformed, "parameter bogus has no value");
  });

  test("keeps the first of duplicate parameters", () => {
    const c = parseAuthParams('Digest nonce="1", NONCE="2"');
    assert.deepEqual(c.params, { nonce: "1" });
    assert.equal(c.malformed, "duplicate parameter nonce");
  });

  test("reports garbage between parameters", () => {
    const c = parseAuthParams('Digest realm="r" junk nonce="n", qop="auth"');
    assert.equal(c.params["realm"], "r");
    assert.equal(c.params["qop"], "auth");
    assert.equal(c.malformed, "expected ',' at offset 17");
  });

  test("never throws on empty or odd input", () => {
    assert.deepEqual(parseAuthParams(""), { scheme: "", params: {}, malformed: "empty value" });
    assert.deepEqual(parseAuthParams("Digest"), { scheme: "Digest", params: {} });
    assert.deepEqual(parseAuthParams('"x"'), { scheme: "", params: {}, malformed: "expected an auth-scheme at offset 0" });
    assert.equal(parseAuthParams("Basic dXNlcjpwYXNz==").malformed, "token68 form is not an auth-param list");
    assert.equal(parseAuthParams('Digest =x, realm="r"').params["realm"], "r");
  });

  test("does not create prototype properties from hostile names", () => {
    const c = parseAuthParams('Digest __proto__="x", realm="r"');
    assert.equal(c.params["__proto__"], "x");
    assert.equal(Object.getPrototypeOf(c.params), Object.prototype);
    assert.equal(({} as Record<string, unknown>)["x"], undefined);
  });
});

describe("parseAuthChallenges", () => {
  test("splits an HTTP-style list of challenges", () => {
    const list = parseAuthChallenges('Digest realm="a", nonce="1", algorithm=SHA-256, Digest realm="a", nonce="2"');
    assert.equal(list.length, 2);
    assert.deepEqual(list[0], { scheme: "Digest", params: { realm: "a", nonce: "1", algorithm: "SHA-256" } });
    assert.deepEqual(list[1], { scheme: "Digest", params: { realm: "a", nonce: "2" } });
  });

  test("returns one element for one challenge", () => {
    assert.equal(parseAuthChallenges('Digest realm="a", nonce="1"').length, 1);
  });
});

describe("parseCredentials", () => {
  test("records which parameters were quoted", () => {
    const c = parseCredentials('Digest username="u", realm="r", nonce="n", uri="sip:r", response="", qop=auth, nc=00000001');
    assert.deepEqual([...c.quoted].sort(), ["nonce", "realm", "response", "uri", "username"]);
    assert.equal(c.params["response"], "");
    assert.equal(c.params["nc"], "00000001");
  });
});

describe("formatCredentials", () => {
  test("quotes username, realm, nonce, uri, response, cnonce, opaque, auts; not algorithm, qop, nc", () => {
    const s = formatCredentials({
      scheme: "Digest",
      params: {
        username: "alice",
        realm: "r",
        nonce: "n",
        uri: "sip:r",
        response: "abc",
        algorithm: "MD5",
        cnonce: "c",
        opaque: "o",
        qop: "auth",
        nc: "00000001",
        auts: "QUJD",
      },
    });
    assert.equal(s, 'Digest username="alice", realm="r", nonce="n", uri="sip:r", response="abc", algorithm=MD5, cnonce="c", opaque="o", qop=auth, nc=00000001, auts="QUJD"');
  });

  test("honours an explicit quoted set and quotes values that are not tokens", () => {
    const s = formatCredentials({ scheme: "Digest", params: { a: "x", b: "y z", c: "" }, quoted: new Set(["a"]) });
    assert.equal(s, 'Digest a="x", b="y z", c=""');
  });

  test("escapes quotes and backslashes and round-trips through the parser", () => {
    const params = { username: 'he said "hi" \\o/', realm: "a, b", nonce: "n", uri: "sip:x", response: "r" };
    const s = formatCredentials({ scheme: "Digest", params });
    assert.equal(s, 'Digest username="he said \\"hi\\" \\\\o/", realm="a, b", nonce="n", uri="sip:x", response="r"');
    assert.deepEqual(parseAuthParams(s).params, params);
  });

  test("refuses CR/LF (header injection) without echoing the value", () => {
    assert.throws(
      () => formatCredentials({ scheme: "Digest", params: { username: "a\r\nVia: x" } }),
      (e: unknown) => e instanceof RangeError && e.message === "auth-param username contains CR or LF",
    );
    assert.throws(() => quoteString("a\nb"), RangeError);
  });
});

describe("formatChallenge", () => {
  test("quotes qop options in a challenge but not stale or algorithm", () => {
    const s = formatChallenge({
      scheme: "Digest",
      params: { realm: "ims.example.com", nonce: "bm9uY2U=", qop: "auth,auth-int", algorithm: "AKAv1-MD5", stale: "true" },
    });
    assert.equal(s, 'Digest realm="ims.example.com", nonce="bm9uY2U=", qop="auth,auth-int", algorithm=AKAv1-MD5, stale=true');
    assert.deepEqual(parseAuthParams(s).params["qop"], "auth,auth-int");
  });
});

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { parseAuthParams } from "../../../src/sip/auth/challenge.ts";
import { computeHA1, DigestClient } from "../../../src/sip/auth/digest.ts";
import { NonceCountTracker, verifyDigest } from "../../../src/sip/auth/digest-verify.ts";

describe("verifyDigest", () => {
  // The Authorization header of RFC 7616 3.9.1, as printed in the RFC.
  const rfcAuthorization = parseAuthParams(
    'Digest username="Mufasa",\r\n realm="http-auth@example.org",\r\n uri="/dir/index.html",\r\n algorithm=SHA-256,\r\n' +
      ' nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",\r\n nc=00000001,\r\n' +
      ' cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",\r\n qop=auth,\r\n' +
      ' response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",\r\n' +
      ' opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
  );
  const expect = {
    method: "GET",
    realm: "http-auth@example.org",
    nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
    algorithm: "SHA-256",
  };

  test("accepts the RFC 7616 example with the password or with HA1", () => {
    assert.equal(rfcAuthorization.malformed, undefined);
    assert.deepEqual(verifyDigest(rfcAuthorization.params, { ...expect, password: "Circle of Life" }), { ok: true, qop: "auth", nc: 1 });
    const ha1 = computeHA1("SHA-256", "Mufasa", "http-auth@example.org", "Circle of Life");
    assert.equal(verifyDigest(rfcAuthorization.params, { ...expect, ha1 }).ok, true);
  });

  test("rejects with a reason", () => {
    const p = rfcAuthorization.params;
    const reason = (params: Record<string, string>, extra: object = {}): string | undefined => {
      const r = verifyDigest(params, { ...expect, password: "Circle of Life", ...extra });
      return r.ok ? undefined : r.reason;
    };
    assert.equal(reason(p, { password: "Circle Of Life" }), "response-mismatch");
    assert.equal(reason(p, { method: "POST" }), "response-mismatch");
    assert.equal(reason(p, { realm: "other" }), "realm-mismatch");
    assert.equal(reason(p, { nonce: "other" }), "nonce-mismatch");
    assert.equal(reason(p, { algorithm: "MD5" }), "algorithm-mismatch");
    assert.equal(reason(p, { username: "Simba" }), "username-mismatch");
    assert.equal(reason(p, { uri: "/other" }), "uri-mismatch");
    assert.equal(reason(p, { allowedQop: ["auth-int"] }), "unsupported-qop");
    assert.equal(reason({ ...p, nc: "1" }), "bad-nc");
    const { response: _r, ...noResponse } = p;
    assert.equal(reason(noResponse), "missing-parameter");
    const { qop: _q, nc: _n, ...noQop } = p;
    assert.equal(reason(noQop, { requireQop: true }), "qop-required");
    assert.equal(reason({ ...p, algorithm: "SHA-512-256" }, { algorithm: undefined }), "unsupported-algorithm");
  });

  test("verifies what DigestClient produces, including auth-int over a body", () => {
    const client = new DigestClient({ username: "alice@ims.example", password: "pw", preferAuthInt: true });
    const body = Buffer.from("hello");
    const a = client.respond(parseAuthParams('Digest realm="ims.example", nonce="xyz", qop="auth,auth-int", algorithm=SHA-256'), {
      method: "MESSAGE",
      uri: "sip:bob@ims.example",
      body,
    });
    assert.equal(a.kind, "credentials");
    if (a.kind !== "credentials") return;
    const params = parseAuthParams(a.value).params;
    assert.deepEqual(verifyDigest(params, { method: "MESSAGE", body, password: "pw", nonce: "xyz" }), { ok: true, qop: "auth-int", nc: 1 });
    assert.equal(verifyDigest(params, { method: "MESSAGE", body: "tampered", password: "pw" }).ok, false);
  });
});

describe("NonceCountTracker", () => {
  test("accepts increasing nc per nonce and rejects replays", () => {
    const t = new NonceCountTracker(2);
    assert.equal(t.accept("a", "00000001"), true);
    assert.equal(t.accept("a", "00000001"), false);
    assert.equal(t.accept("a", "00000003"), true);
    assert.equal(t.accept("a", 2), false);
    assert.equal(t.accept("b", "00000001"), true);
    assert.equal(t.accept("a", "zz"), false);
    assert.equal(t.accept("a", 0), false);
    t.accept("c", 1); // evicts the least recently used nonce ("a")
    assert.equal(t.accept("a", "00000001"), true);
  });
});

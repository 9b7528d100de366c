import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { parseAuthParams } from "../../../src/sip/auth/challenge.ts";
import { computeDigestResponse, computeHA1, DigestClient, digestAlgorithm, selectDigestChallenge } from "../../../src/sip/auth/digest.ts";

// RFC 7616 3.9.1: the challenge of the example (qop offers auth and auth-int).
const RFC7616_CHALLENGE = (algorithm: string): string =>
  `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=${algorithm}, ` +
  'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"';
const RFC7616_CNONCE = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
const GET = { method: "GET", uri: "/dir/index.html" };

// RFC 2617 3.5
const RFC2617_CHALLENGE = 'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"';

const md5 = (s: string): string => createHash("md5").update(s).digest("hex");
const sha256 = (s: string): string => createHash("sha256").update(s).digest("hex");

describe("DigestClient: RFC examples", () => {
  test("RFC 7616 3.9.1 SHA-256 response", () => {
    const client = new DigestClient({ username: "Mufasa", password: "Circle of Life", cnonce: () => RFC7616_CNONCE });
    const a = client.respond(parseAuthParams(RFC7616_CHALLENGE("SHA-256")), GET);
    assert.equal(a.kind, "credentials");
    if (a.kind !== "credentials") return;
    assert.equal(a.credentials.params["response"], "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
    assert.equal(
      a.value,
      'Digest username="Mufasa", realm="http-auth@example.org", nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", ' +
        'uri="/dir/index.html", response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", ' +
        'algorithm=SHA-256, cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", ' +
        'opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS", qop=auth, nc=00000001',
    );
  });

  test("RFC 7616 3.9.1 MD5 response", () => {
    const client = new DigestClient({ username: "Mufasa", password: "Circle of Life", cnonce: () => RFC7616_CNONCE });
    const a = client.respond(parseAuthParams(RFC7616_CHALLENGE("MD5")), GET);
    assert.equal(a.kind === "credentials" && a.credentials.params["response"], "8ca523f5e9506fed4657c9700eebdbec");
  });

  test("RFC 2617 3.5 MD5 qop=auth response", () => {
    const client = new DigestClient({ username: "Mufasa", password: "Circle Of Life", cnonce: () => "0a4f113b" });
    const a = client.respond(parseAuthParams(RFC2617_CHALLENGE), GET);
    assert.equal(a.kind, "credentials");
    if (a.kind !== "credentials") return;
    assert.equal(a.credentials.params["response"], "6629fae49393a05397450978507c4ef1");
    assert.equal(a.credentials.params["opaque"], "5ccc069c403ebaf9f0171e9517f40e41");
    assert.equal(a.qop, "auth");
    assert.equal(a.nc, "00000001");
  });

  test("RFC 2069 form (no qop): no cnonce or nc, response = KD(H(A1), nonce:H(A2))", () => {
    // Known answers from the RFC 2069 example ("CircleOfLife") and RFC 2617's inputs without qop.
    const challenge = parseAuthParams('Digest realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"');
    const a = new DigestClient({ username: "Mufasa", password: "CircleOfLife" }).respond(challenge, GET);
    assert.equal(a.kind, "credentials");
    if (a.kind !== "credentials") return;
    assert.equal(a.credentials.params["response"], "1949323746fe6a43ef61f9606e7febea");
    assert.equal(a.credentials.params["cnonce"], undefined);
    assert.equal(a.credentials.params["nc"], undefined);
    assert.equal(a.credentials.params["qop"], undefined);
    const b = new DigestClient({ username: "Mufasa", password: "Circle Of Life" }).respond(challenge, GET);
    assert.equal(b.kind === "credentials" && b.credentials.params["response"], "670fd8c2df070c60b045671b8b24ff02");
  });
});

describe("DigestClient: algorithms and qop", () => {
  const base = { username: "alice", realm: "ims.example", nonce: "n0nce", method: "REGISTER", uri: "sip:ims.example" };

  test("qop=auth-int hashes the body into A2", () => {
    const body = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n";
    const client = new DigestClient({ username: "alice", password: "secret", cnonce: () => "c1", preferAuthInt: true });
    const a = client.respond(parseAuthParams('Digest realm="ims.example", nonce="n0nce", qop="auth,auth-int"'), {
      method: "INVITE",
      uri: "sip:bob@ims.example",
      body,
    });
    assert.equal(a.kind === "credentials" && a.qop, "auth-int");
    const ha1 = md5("alice:ims.example:secret");
    const ha2 = md5(`INVITE:sip:bob@ims.example:${md5(body)}`);
    assert.equal(a.kind === "credentials" && a.credentials.params["response"], md5(`${ha1}:n0nce:00000001:c1:auth-int:${ha2}`));
  });

  test("auth-int is used when it is the only qop offered, with an empty body by default", () => {
    const client = new DigestClient({ username: "alice", password: "secret", cnonce: () => "c1" });
    const a = client.respond(parseAuthParams('Digest realm="ims.example", nonce="n0nce", qop="auth-int"'), base);
    const ha2 = md5(`REGISTER:sip:ims.example:${md5("")}`);
    const expected = md5(`${md5("alice:ims.example:secret")}:n0nce:00000001:c1:auth-int:${ha2}`);
    assert.equal(a.kind === "credentials" && a.credentials.params["response"], expected);
  });

  test("MD5-sess and SHA-256-sess re-hash A1 with nonce and cnonce (RFC 7616 3.4.2)", () => {
    for (const [alg, H] of [
      ["MD5-sess", md5],
      ["SHA-256-sess", sha256],
    ] as const) {
      const got = computeDigestResponse({ ...base, algorithm: alg, password: "secret", qop: "auth", nc: "00000002", cnonce: "cn" });
      const ha1 = H(`${H("alice:ims.example:secret")}:n0nce:cn`);
      assert.equal(got, H(`${ha1}:n0nce:00000002:cn:auth:${H("REGISTER:sip:ims.example")}`), alg);
    }
  });

  test("a password given as bytes is used raw (Digest-AKA RES)", () => {
    const res = Buffer.from("a54211d5e3ba50bf", "hex");
    const got = computeDigestResponse({ ...base, algorithm: "AKAv1-MD5", password: res, qop: "auth", nc: "00000001", cnonce: "c" });
    const ha1 = createHash("md5").update("alice:ims.example:").update(res).digest("hex");
    assert.equal(got, md5(`${ha1}:n0nce:00000001:c:auth:${md5("REGISTER:sip:ims.example")}`));
  });

  test("HA1 can replace the password, and computeHA1 gives it", () => {
    const ha1 = computeHA1("SHA-256", "Mufasa", "http-auth@example.org", "Circle of Life");
    assert.equal(ha1, sha256("Mufasa:http-auth@example.org:Circle of Life"));
    const client = new DigestClient({ username: "Mufasa", cnonce: () => RFC7616_CNONCE });
    const a = client.respond(parseAuthParams(RFC7616_CHALLENGE("SHA-256")), GET, { ha1 });
    assert.equal(a.kind === "credentials" && a.credentials.params["response"], "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
  });

  test("algorithm names are case-insensitive and echoed as written", () => {
    assert.deepEqual(digestAlgorithm("sha-256-SESS"), { name: "sha-256-SESS", hash: "sha256", session: true });
    assert.deepEqual(digestAlgorithm(undefined), { name: "MD5", hash: "md5", session: false });
    assert.deepEqual(digestAlgorithm("akav2-md5"), { name: "akav2-md5", hash: "md5", session: false, aka: 2 });
    assert.equal(digestAlgorithm("AKAv1-SHA-256"), undefined);
    assert.equal(digestAlgorithm("SHA-512-256"), undefined);
  });
});

describe("DigestClient: errors", () => {
  const client = new DigestClient({ username: "alice", password: "s3cr3t-password" });
  const req = { method: "REGISTER", uri: "sip:ims.example" };

  test("unsupported algorithm is an error value", () => {
    const a = client.respond(parseAuthParams('Digest realm="r", nonce="n", algorithm=SHA-512-256'), req);
    assert.deepEqual(a, { kind: "error", code: "unsupported-algorithm", message: "algorithm SHA-512-256 is not supported" });
  });

  test("unsupported qop is an error value", () => {
    const a = client.respond(parseAuthParams('Digest realm="r", nonce="n", qop="auth-conf"'), req);
    assert.deepEqual(a, { kind: "error", code: "unsupported-qop", message: 'qop "auth-conf" offers neither auth nor auth-int' });
  });

  test("other schemes and missing parameters", () => {
    assert.equal(client.respond(parseAuthParams('Basic realm="r"'), req).kind, "error");
    const noNonce = client.respond(parseAuthParams('Digest realm="r"'), req);
    assert.equal(noNonce.kind === "error" && noNonce.code, "missing-parameter");
    const noRealm = client.respond(parseAuthParams('Digest nonce="n"'), req);
    assert.equal(noRealm.kind === "error" && noRealm.code, "missing-parameter");
  });

  test("error messages never carry the password", () => {
    for (const ch of ['Digest realm="r", nonce="n", algorithm=X', 'Digest realm="r", nonce="n", qop="x"', 'Digest nonce="n"']) {
      const a = client.respond(parseAuthParams(ch), req);
      assert.equal(a.kind, "error");
      assert.ok(!JSON.stringify(a).includes("s3cr3t"));
    }
  });
});

describe("DigestClient: nonce count, stale and password reuse", () => {
  const req = { method: "REGISTER", uri: "sip:ims.example" };
  const challenge = (nonce: string, extra = ""): ReturnType<typeof parseAuthParams> => parseAuthParams(`Digest realm="ims.example", nonce="${nonce}", qop="auth"${extra}`);

  test("nc increments per use of a nonce and restarts at 1 for a new nonce", () => {
    let n = 0;
    const client = new DigestClient({ username: "alice", password: "pw", random: (size) => Buffer.alloc(size, ++n) });
    const ncs: (string | undefined)[] = [];
    const cnonces: (string | undefined)[] = [];
    for (const nonce of ["A", "A", "A", "B", "A"]) {
      const a = client.respond(challenge(nonce), req);
      assert.equal(a.kind, "credentials");
      if (a.kind === "credentials") {
        ncs.push(a.nc);
        cnonces.push(a.cnonce);
      }
    }
    assert.deepEqual(ncs, ["00000001", "00000002", "00000003", "00000001", "00000004"]);
    assert.equal(cnonces[0], "01".repeat(16));
    assert.equal(cnonces[1], "02".repeat(16));
  });

  test("stale=true reuses the last password for the realm without asking again", () => {
    const client = new DigestClient({ username: "alice", cnonce: () => "c" });
    assert.deepEqual({ ...client.respond(challenge("A"), req), message: "" }, { kind: "error", code: "credentials-required", message: "" });
    const first = client.respond(challenge("A"), req, { password: "pw" });
    assert.equal(first.kind, "credentials");
    const stale = client.respond(challenge("B", ", stale=TRUE"), req);
    assert.equal(stale.kind, "credentials");
    if (stale.kind !== "credentials") return;
    assert.equal(stale.stale, true);
    assert.equal(stale.nc, "00000001");
    const ha1 = md5("alice:ims.example:pw");
    assert.equal(stale.credentials.params["response"], md5(`${ha1}:B:00000001:c:auth:${md5("REGISTER:sip:ims.example")}`));
    // Without stale the server says the credentials are wrong: a new password is required.
    const rejected = client.respond(challenge("C", ", stale=false"), req);
    assert.equal(rejected.kind === "error" && rejected.code, "credentials-required");
  });

  test("AKA challenges never reuse a cached or default password", () => {
    const client = new DigestClient({ username: "alice", password: "pw", cnonce: () => "c" });
    const a = client.respond(parseAuthParams('Digest realm="r", nonce="n", algorithm=AKAv1-MD5, stale=true'), req);
    assert.equal(a.kind === "error" && a.code, "credentials-required");
  });
});

describe("selectDigestChallenge", () => {
  test("prefers SHA-256 over MD5 and skips unsupported ones", () => {
    const list = [
      parseAuthParams('Digest realm="r", nonce="1", algorithm=MD5'),
      parseAuthParams('Digest realm="r", nonce="2", algorithm=SHA-512-256'),
      parseAuthParams('Digest realm="r", nonce="3", algorithm=SHA-256'),
    ];
    assert.equal(selectDigestChallenge(list)?.params["nonce"], "3");
    assert.equal(selectDigestChallenge([list[1]]), undefined);
  });
});

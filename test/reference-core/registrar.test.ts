// Registration at the reference core with ImsUe clients (TS 24.229 5.4.1, TS 24.228 6.2, RFC 3261
// 10.3): Digest MD5 and SHA-256, IMS AKA v1 and v2, resynchronisation, refusals, re-registration
// without a new challenge, re-authentication and deregistration, over UDP and TCP.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { computeDigestResponse, formatCredentials, parseAuthParams } from "../../src/sip/auth/index.ts";
import { newTag } from "../../src/sip/identifiers.ts";
import { SipRequest, type SipResponse } from "../../src/sip/message/index.ts";
import type { ImsUe } from "../../src/sip/ue/index.ts";
import { DOMAIN, Lab, PASSWORDS, TEL, impu } from "./core-fixture.ts";

function challengeOf(r: SipResponse): Record<string, string> {
  const v = r.header("www-authenticate");
  assert.ok(v, `${r.startLine()} has no WWW-Authenticate`);
  const c = parseAuthParams(v);
  assert.equal(c.scheme, "Digest");
  return c.params;
}

for (const protocol of ["udp", "tcp"] as const) {
  describe(`registration over ${protocol.toUpperCase()}`, () => {
    test("Digest MD5: 401 then 200 with Service-Route, P-Associated-URI of the implicit set, Contact and Expires", async (t) => {
      const lab = await Lab.start(t);
      const ue = await lab.ue("alice", protocol);
      const reg = await ue.register({ expires: 600 });
      assert.deepEqual(
        reg.exchanges.map((e) => e.response.status),
        [401, 200],
      );
      const c = challengeOf(reg.exchanges[0].response);
      assert.equal(c["realm"], DOMAIN);
      assert.equal(c["algorithm"], "MD5");
      assert.equal(c["qop"], "auth");
      assert.match(c["nonce"] ?? "", /^[0-9a-f]{32}$/);
      const ok = reg.final;
      assert.deepEqual(reg.serviceRoute, [`<sip:orig@127.0.0.1:${lab.core.port};lr>`]);
      assert.deepEqual(reg.associatedUris, [`<${impu("alice")}>`, `<${TEL.alice}>`]);
      assert.deepEqual(ok.headerValues("contact"), [`<${ue.contact}>;expires=600`]);
      assert.equal(ok.header("expires"), "600");
      assert.equal(reg.expires, 600);
      assert.ok(ok.toTag, "the 200 has a To tag");
      assert.equal(lab.core.isRegistered(impu("alice")), true);
      assert.equal(lab.core.isRegistered(TEL.alice), true, "the tel: alias is registered implicitly");
      assert.equal(lab.core.isRegistered("tel:+1-555-123-0001"), true, "RFC 3966 comparison ignores visual separators");
      assert.equal(lab.core.isRegistered(impu("bob")), false);
    });

    test("Digest SHA-256 is challenged with algorithm=SHA-256 and accepted", async (t) => {
      const lab = await Lab.start(t);
      const ue = await lab.ue("bob", protocol);
      const reg = await ue.register({ expires: 600 });
      assert.deepEqual(
        reg.exchanges.map((e) => e.response.status),
        [401, 200],
      );
      assert.equal(challengeOf(reg.exchanges[0].response)["algorithm"], "SHA-256");
      assert.match(reg.exchanges[1].request.header("authorization") ?? "", /algorithm=SHA-256/);
      assert.deepEqual(reg.associatedUris, [`<${impu("bob")}>`, `<${TEL.bob}>`]);
    });

    test("IMS AKA v1: AKAv1-MD5 challenge with nonce = base64(RAND || AUTN), the USIM accepts it", async (t) => {
      const lab = await Lab.start(t);
      const ue = await lab.ue("carol", protocol);
      const reg = await ue.register({ expires: 600 });
      assert.deepEqual(
        reg.exchanges.map((e) => e.response.status),
        [401, 200],
      );
      const c = challengeOf(reg.exchanges[0].response);
      assert.equal(c["algorithm"], "AKAv1-MD5");
      assert.equal(c["qop"], "auth");
      assert.equal(Buffer.from(c["nonce"] ?? "", "base64").length, 32);
      assert.deepEqual(reg.akaResults, ["ok"]);
      assert.deepEqual(reg.serviceRoute, [`<sip:orig@127.0.0.1:${lab.core.port};lr>`]);
      assert.ok(
        lab.core.log.some((l) => l.includes("AKAv1-MD5 challenge, SQN 33")),
        "the first vector has SQN 0x20 + 1",
      );
    });

    test("IMS AKA v2: AKAv2-MD5 challenge, accepted", async (t) => {
      const lab = await Lab.start(t);
      const ue = await lab.ue("dave", protocol);
      const reg = await ue.register({ expires: 600 });
      assert.deepEqual(
        reg.exchanges.map((e) => e.response.status),
        [401, 200],
      );
      assert.equal(challengeOf(reg.exchanges[0].response)["algorithm"], "AKAv2-MD5");
      assert.deepEqual(reg.akaResults, ["ok"]);
    });
  });
}

describe("registration: resynchronisation and refusals", () => {
  test("a USIM ahead of the network: sync-failure, AUTS, SQN resynchronised, then 200 (RFC 3310 3.4)", async (t) => {
    const lab = await Lab.start(t);
    const ue = await lab.ue("carol");
    ue.auth.setSqn(1000n);
    const reg = await ue.register({ expires: 600 });
    assert.deepEqual(
      reg.exchanges.map((e) => e.response.status),
      [401, 401, 200],
    );
    assert.deepEqual(reg.akaResults, ["sync-failure", "ok"]);
    assert.match(reg.exchanges[1].request.header("authorization") ?? "", /auts="[A-Za-z0-9+/=]+"/);
    assert.ok(lab.core.log.some((l) => l.includes("resynchronised to SQNms 1000")));
    assert.ok(
      lab.core.log.some((l) => l.includes("SQN 1001")),
      "the vector after resynchronisation carries SQNms + 1",
    );
  });

  test("a wrong Digest password gets 403 and no binding", async (t) => {
    const lab = await Lab.start(t);
    const ue = await lab.ue("alice", "udp", { credentials: { kind: "digest", password: "not-the-password" } });
    const reg = await ue.register({ expires: 600 });
    assert.deepEqual(
      reg.exchanges.map((e) => e.response.status),
      [401, 403],
    );
    assert.equal(lab.core.isRegistered(impu("alice")), false);
    assert.equal(ue.registration.registered, false);
  });

  test("an unknown IMPI gets 403 at once, without a challenge", async (t) => {
    const lab = await Lab.start(t);
    const ue = await lab.ue("nobody");
    const reg = await ue.register({ expires: 600 });
    assert.deepEqual(
      reg.exchanges.map((e) => e.response.status),
      [403],
    );
    assert.ok(lab.core.log.some((l) => l.includes("unknown identity IMPI nobody@")));
  });

  test("an IMPU that is not the IMPI's gets 403", async (t) => {
    const lab = await Lab.start(t);
    const ue = await lab.ue("alice", "udp", { impu: impu("bob") });
    const reg = await ue.register({ expires: 600 });
    assert.deepEqual(
      reg.exchanges.map((e) => e.response.status),
      [403],
    );
  });
});

/** A re-REGISTER in the registration's Call-ID answering the earlier challenge with a higher nc (RFC 7616 3.4). */
function reRegister(ue: ImsUe, nonce: string, cseq: number, nc: number): SipRequest {
  const uri = `sip:${DOMAIN}`;
  const r = new SipRequest("REGISTER", uri);
  r.addHeader("Via", ue.via());
  r.addHeader("Max-Forwards", 70);
  r.addHeader("From", `<${ue.impu}>;tag=${newTag()}`);
  r.addHeader("To", `<${ue.impu}>`);
  r.addHeader("Call-ID", ue.registration.callId);
  r.addHeader("CSeq", `${cseq} REGISTER`);
  r.addHeader("Contact", `<${ue.contact}>;expires=600`);
  r.addHeader("Expires", 600);
  const ncText = nc.toString(16).padStart(8, "0");
  const cnonce = `cn${nc}`;
  const username = `alice@${DOMAIN}`;
  const response = computeDigestResponse({ algorithm: "MD5", username, realm: DOMAIN, password: PASSWORDS.alice, nonce, method: "REGISTER", uri, qop: "auth", nc: ncText, cnonce });
  r.addHeader("Authorization", formatCredentials({ scheme: "Digest", params: { username, realm: DOMAIN, nonce, uri, response, algorithm: "MD5", qop: "auth", nc: ncText, cnonce } }));
  return r;
}

describe("re-registration, re-authentication and deregistration", () => {
  test("a re-REGISTER with valid credentials for the nonce in use (nc 2) is accepted without a new challenge; a replayed nc is challenged", async (t) => {
    const lab = await Lab.start(t);
    const ue = await lab.ue("alice");
    const reg = await ue.register({ expires: 600 });
    assert.equal(reg.final.status, 200);
    const nonce = challengeOf(reg.exchanges[0].response)["nonce"];
    const again = await ue.endpoint.request(reRegister(ue, nonce, 10, 2), ue.outbound);
    assert.equal(again.status, 200, "no new 401 for a still valid nonce");
    assert.equal(again.header("service-route"), `<sip:orig@127.0.0.1:${lab.core.port};lr>`);
    const replay = await ue.endpoint.request(reRegister(ue, nonce, 11, 2), ue.outbound);
    assert.equal(replay.status, 401, "nc 2 again is a replay: challenged");
  });

  test("requireReauthentication: the next re-REGISTER with valid credentials is challenged (TS 24.228 6.8)", async (t) => {
    const lab = await Lab.start(t);
    const ue = await lab.ue("alice");
    const reg = await ue.register({ expires: 600 });
    const nonce = challengeOf(reg.exchanges[0].response)["nonce"];
    lab.core.requireReauthentication(TEL.alice);
    const r = await ue.endpoint.request(reRegister(ue, nonce, 10, 2), ue.outbound);
    assert.equal(r.status, 401);
    assert.notEqual(challengeOf(r)["nonce"], nonce, "a fresh nonce");
    // the UE answers the new challenge as usual
    assert.equal((await ue.register({ expires: 600 })).final.status, 200);
  });

  for (const role of ["alice", "carol"] as const) {
    test(`the UE's own re-registration (${role === "alice" ? "Digest" : "AKA"}) reusing its nonce gets 200 at once; after requireReauthentication it is challenged`, async (t) => {
      const lab = await Lab.start(t);
      const ue = await lab.registered(role);
      const again = await ue.register({ expires: 600 });
      assert.deepEqual(
        again.exchanges.map((e) => e.response.status),
        [200],
      );
      assert.match(again.exchanges[0].request.header("authorization") ?? "", /nc=00000002/);
      lab.core.requireReauthentication(impu(role));
      const challenged = await ue.register({ expires: 600 });
      assert.deepEqual(
        challenged.exchanges.map((e) => e.response.status),
        [401, 200],
      );
    });
  }

  for (const protocol of ["udp", "tcp"] as const) {
    test(`deregistration (Expires: 0) over ${protocol.toUpperCase()} removes the binding: 200 without Contact, Expires 0`, async (t) => {
      const lab = await Lab.start(t);
      const ue = await lab.registered("alice", protocol);
      assert.equal(lab.core.isRegistered(impu("alice")), true);
      const out = await ue.deregister();
      assert.equal(out.final.status, 200);
      assert.deepEqual(out.final.headerValues("contact"), []);
      assert.equal(out.final.header("expires"), "0");
      assert.equal(lab.core.isRegistered(impu("alice")), false);
      assert.equal(lab.core.isRegistered(TEL.alice), false);
      assert.equal(ue.registration.registered, false);
    });
  }

  test("the registrar grants at most registrationExpiresMax", async (t) => {
    const lab = await Lab.start(t, { extra: { registrationExpiresMax: 300 } });
    const ue = await lab.ue("bob");
    const reg = await ue.register({ expires: 600 });
    assert.equal(reg.expires, 300);
    assert.equal(reg.final.header("expires"), "300");
  });
});

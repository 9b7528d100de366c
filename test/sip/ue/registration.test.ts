import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { parseCredentials } from "../../../src/sip/auth/index.ts";
import type { SipRequest } from "../../../src/sip/message/index.ts";
import { K, OPC, REALM, Resources, TestRegistrar, startUe } from "./ue-support.ts";

const res = new Resources();
after(() => res.closeAll());

function credentialsOf(r: SipRequest): Record<string, string> {
  const a = r.header("authorization");
  assert.ok(a, `${r.startLine()} has no Authorization`);
  return parseCredentials(a).params;
}

for (const protocol of ["udp", "tcp"] as const) {
  describe(`UE registration over ${protocol.toUpperCase()} (TS 24.229 5.1.1)`, () => {
    test("Digest: 401 then 200; Service-Route and P-Associated-URI stored; Service-Route used as Route of a MESSAGE; then de-registration", async () => {
      const registrar = await TestRegistrar.start(res, protocol, { impi: `alice@${REALM}`, password: "alice-secret" });
      const ue = await startUe(res, "UE-A", "alice", protocol, registrar.destination);
      const outcome = await ue.register();

      assert.deepEqual(
        outcome.exchanges.map((e) => e.response.status),
        [401, 200],
      );
      assert.equal(outcome.final.status, 200);
      assert.deepEqual(registrar.verdicts, ["challenge", "ok"]);
      // TS 24.229 5.1.1.2.1: the initial REGISTER carries an Authorization with empty nonce and response
      const [first, second] = registrar.registers as [SipRequest, SipRequest];
      assert.deepEqual(credentialsOf(first), { username: `alice@${REALM}`, realm: REALM, nonce: "", uri: `sip:${REALM}`, response: "" });
      assert.equal(first.startLine(), `REGISTER sip:${REALM} SIP/2.0`);
      assert.equal(first.header("contact"), `<${ue.contact}>;expires=600000`);
      assert.equal(first.header("expires"), "600000");
      assert.deepEqual(first.optionTags("supported"), ["path"]);
      assert.equal(first.header("from"), `<sip:alice@${REALM}>;tag=${first.fromTag}`);
      assert.equal(first.header("to"), `<sip:alice@${REALM}>`);
      // the second REGISTER: same Call-ID, next CSeq, MD5 Digest with qop=auth
      assert.equal(second.callId, first.callId);
      assert.deepEqual([first.cseq.seq, second.cseq.seq], [1, 2]);
      assert.notEqual(second.branch, first.branch);
      const c2 = credentialsOf(second);
      assert.equal(c2["algorithm"], "MD5");
      assert.equal(c2["qop"], "auth");
      assert.equal(c2["nc"], "00000001");

      assert.deepEqual(outcome.serviceRoute, [registrar.serviceRoute]);
      assert.deepEqual(outcome.associatedUris, ["<sip:alice@ims.test>", "<tel:+15550001>"]);
      assert.equal(outcome.expires, 600000);
      assert.deepEqual(outcome.akaResults, []);
      assert.equal(ue.registration.registered, true);
      assert.deepEqual(ue.registration.serviceRoute, [registrar.serviceRoute]);
      assert.deepEqual(ue.preloadedRoute(), [registrar.serviceRoute]);

      // TS 24.229 5.1.2A.1.1: requests after registration carry the Service-Route as Route
      const response = await ue.sendMessage("sip:bob@ims.test", "hello through the S-CSCF");
      assert.equal(response.status, 200);
      assert.equal(registrar.messages.length, 1);
      const message = registrar.messages[0].message as SipRequest;
      assert.equal(message.startLine(), "MESSAGE sip:bob@ims.test SIP/2.0");
      assert.deepEqual(message.headerValues("route"), [registrar.serviceRoute]);
      assert.equal(message.bodyText, "hello through the S-CSCF");
      assert.equal(message.contentType, "text/plain");

      // TS 24.229 5.1.1.6: de-registration with Expires: 0 in the same Call-ID
      const gone = await ue.deregister();
      assert.deepEqual(
        gone.exchanges.map((e) => e.response.status),
        [401, 200],
      );
      const [third, fourth] = registrar.registers.slice(2) as [SipRequest, SipRequest];
      for (const r of [third, fourth]) {
        assert.equal(r.header("expires"), "0");
        assert.equal(r.header("contact"), `<${ue.contact}>;expires=0`);
        assert.equal(r.callId, first.callId);
      }
      assert.deepEqual([third.cseq.seq, fourth.cseq.seq], [3, 4]);
      assert.deepEqual(registrar.verdicts, ["challenge", "ok", "challenge", "ok"]);
      assert.equal(gone.expires, undefined);
      assert.equal(ue.registration.registered, false);
      assert.deepEqual(ue.registration.serviceRoute, []);
      assert.deepEqual(ue.preloadedRoute(), []);
    });

    test("a wrong password: the registrar's 403 ends the registration unregistered", async () => {
      const registrar = await TestRegistrar.start(res, protocol, { impi: `alice@${REALM}`, password: "the-right-one" });
      const ue = await startUe(res, "UE-A", "alice", protocol, registrar.destination);
      const outcome = await ue.register();
      assert.deepEqual(
        outcome.exchanges.map((e) => e.response.status),
        [401, 403],
      );
      assert.deepEqual(registrar.verdicts, ["challenge", "fail: response-mismatch"]);
      assert.equal(ue.registration.registered, false);
      assert.deepEqual(outcome.serviceRoute, []);
    });

    test("AKAv1-MD5: the registrar verifies RES; the USIM result is ok", async () => {
      const registrar = await TestRegistrar.start(res, protocol, { impi: `alice@${REALM}`, aka: true }, { sqn: 33n });
      const ue = await startUe(res, "UE-A", "alice", protocol, registrar.destination, { credentials: { kind: "aka", k: K, opc: OPC, sqn: 32n } });
      const outcome = await ue.register();
      assert.deepEqual(
        outcome.exchanges.map((e) => e.response.status),
        [401, 200],
      );
      assert.deepEqual(registrar.verdicts, ["challenge", "ok"]);
      assert.deepEqual(outcome.akaResults, ["ok"]);
      const c = credentialsOf(registrar.registers[1]);
      assert.equal(c["algorithm"], "AKAv1-MD5");
      assert.equal(c["auts"], undefined);
      assert.equal(ue.registration.registered, true);
    });

    test("AKA resynchronisation: SQN <= SQNms gets auts, the registrar resynchronises, a fresh challenge succeeds", async () => {
      // The HSS is behind: its next SQN (50) is not above the USIM's SQNms (100)
      const registrar = await TestRegistrar.start(res, protocol, { impi: `alice@${REALM}`, aka: true }, { sqn: 50n });
      const ue = await startUe(res, "UE-A", "alice", protocol, registrar.destination, { credentials: { kind: "aka", k: K, opc: OPC, sqn: 100n } });
      const outcome = await ue.register();
      assert.deepEqual(outcome.akaResults, ["sync-failure", "ok"]);
      assert.deepEqual(
        outcome.exchanges.map((e) => e.response.status),
        [401, 401, 200],
      );
      assert.deepEqual(registrar.verdicts, ["challenge", "auts-response-ok", "resync", "challenge", "ok"]);
      assert.deepEqual(registrar.resyncs, [100n], "AUTS carried the USIM's SQNms");
      assert.equal(registrar.sqn, 102n, "the fresh challenge used SQNms + 1");
      const [, second, third] = registrar.registers as [SipRequest, SipRequest, SipRequest];
      assert.match(credentialsOf(second)["auts"] ?? "", /^[A-Za-z0-9+/]{19}=?$/, "auts is base64 of 14 octets");
      assert.equal(credentialsOf(third)["auts"], undefined);
      assert.equal(outcome.final.status, 200);
      assert.equal(ue.registration.registered, true);
    });
  });
}

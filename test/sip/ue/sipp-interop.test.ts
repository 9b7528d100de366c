// The driver against real SIPp (Debian sip-tester): registration with Digest and IMS-AKA in both
// directions, calls to `sipp -sn uas` and from `sipp -sn uac`, PRACK, UPDATE, CANCEL, MESSAGE,
// over UDP and TCP; loss repaired by retransmission; a silent peer ending at its deadline.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { generateAuthVector, akaNonce, parseAuthParams, verifyDigest } from "../../../src/sip/auth/index.ts";
import { Deadline } from "../../../src/sip/deadline.ts";
import { SipEndpoint } from "../../../src/sip/endpoint/index.ts";
import { ExpectationError } from "../../../src/sip/failure.ts";
import { ImsUe, type UeConfig } from "../../../src/sip/ue/index.ts";
import { LossyRelay } from "../../support/lossy-relay.ts";
import { type SippTransport, startSipp, sippSkip } from "../../support/sipp.ts";
import { IMS_DOMAIN, MILENAGE_TEST_SET_1, TEST_DIGEST_PASSWORD, TEST_PRIVATE_ID, registrarAkaKeys, registrarDigestKeys, sippScenario } from "../../sipp/scenarios.ts";

const skip = sippSkip();
const TRANSPORTS: SippTransport[] = ["udp", "tcp"];
const SDP = ["v=0", "o=alice 1 1 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0", "m=audio 49170 RTP/AVP 0 101", "a=rtpmap:0 PCMU/8000", "a=rtpmap:101 telephone-event/8000", ""].join("\r\n");
const PRECONDITION_SDP = SDP + ["a=curr:qos local none", "a=curr:qos remote none", "a=des:qos mandatory local sendrecv", "a=des:qos mandatory remote sendrecv", ""].join("\r\n");
const RESERVED_SDP =
  SDP.replace("o=alice 1 1", "o=alice 1 2") + ["a=curr:qos local sendrecv", "a=curr:qos remote none", "a=des:qos mandatory local sendrecv", "a=des:qos mandatory remote sendrecv", ""].join("\r\n");

const ues: ImsUe[] = [];
after(async () => {
  await Promise.all(ues.map((u) => u.close()));
});

async function ue(transport: SippTransport, sippPort: number, extra: Partial<UeConfig> = {}): Promise<ImsUe> {
  const u = await ImsUe.start({
    name: "UE-A",
    impi: TEST_PRIVATE_ID,
    impu: "sip:alice@ims.example.test",
    domain: IMS_DOMAIN,
    credentials: { kind: "digest", password: TEST_DIGEST_PASSWORD },
    pcscf: { protocol: transport, host: "127.0.0.1", port: sippPort },
    protocol: transport,
    ...extra,
  });
  ues.push(u);
  return u;
}

const k = Buffer.from(MILENAGE_TEST_SET_1.k, "hex");
const opc = Buffer.from(MILENAGE_TEST_SET_1.opc, "hex");

for (const transport of TRANSPORTS) {
  describe(`driver against SIPp over ${transport.toUpperCase()}`, { skip }, () => {
    test("registers with Digest MD5 qop=auth, checked by SIPp's verifyauth", async () => {
      const sipp = await startSipp({ scenario: sippScenario("registrar-digest"), transport, keys: registrarDigestKeys(), timeoutMs: 20000 });
      const u = await ue(transport, sipp.port);
      const reg = await u.register({ expires: 600 });
      assert.deepEqual(
        reg.exchanges.map((e) => e.response.status),
        [401, 200],
      );
      assert.match(reg.exchanges[1].request.header("authorization") ?? "", /response="[0-9a-f]{32}".*qop=auth.*nc=00000001/);
      assert.deepEqual(reg.serviceRoute, ["<sip:orig@scscf.ims.example.test;lr>"]);
      assert.deepEqual(reg.associatedUris, ["<sip:alice@ims.example.test>", "<tel:+15551230001>"]);
      const dereg = await u.deregister();
      assert.equal(dereg.final.status, 200);
      const result = await sipp.done;
      assert.equal(result.failed, 0, result.errors);
      assert.equal(result.successful, 1);
    });

    test("a wrong Digest password gets 403 from SIPp and no registration", async () => {
      const sipp = await startSipp({ scenario: sippScenario("registrar-digest"), transport, keys: registrarDigestKeys(), timeoutMs: 20000 });
      const u = await ue(transport, sipp.port, { credentials: { kind: "digest", password: "not-the-password" } });
      const reg = await u.register({ expires: 600 });
      assert.deepEqual(
        reg.exchanges.map((e) => e.response.status),
        [401, 403],
      );
      assert.equal(u.registration.registered, false);
      const result = await sipp.done;
      assert.equal(result.failed, 1);
    });

    test("registers with IMS-AKA (AKAv1-MD5, Milenage test set 1) against SIPp's precomputed challenge", async () => {
      const sipp = await startSipp({ scenario: sippScenario("registrar-aka"), transport, keys: registrarAkaKeys({ uri: `sip:${IMS_DOMAIN}` }), timeoutMs: 20000 });
      const u = await ue(transport, sipp.port, { credentials: { kind: "aka", k, opc } });
      const reg = await u.register({ expires: 600 });
      assert.deepEqual(
        reg.exchanges.map((e) => e.response.status),
        [401, 200],
      );
      assert.deepEqual(reg.akaResults, ["ok"]);
      // TS 24.229 5.1.1.2.1: the initial REGISTER carries an empty response
      assert.match(reg.exchanges[0].request.header("authorization") ?? "", /nonce="", .*response=""/);
      assert.equal((await u.deregister()).final.status, 200);
      const result = await sipp.done;
      assert.equal(result.failed, 0, result.errors);
      assert.equal(result.successful, 1);
    });

    test("verifies SIPp's own IMS-AKA registration (the driver as registrar)", async () => {
      const registrar = await SipEndpoint.start({ listen: [{ protocol: transport }] });
      // SIPp 3.6.1 handles RES as a C string: a RES with a zero byte (about 1 RAND in 40) is cut short
      // there. Test set 1's RAND gives RES a54211d5e3ba50bf, with none, and keeps the test deterministic.
      const vector = generateAuthVector({ k, opc, amf: Buffer.from("b9b9", "hex"), sqn: 0x10n, rand: Buffer.from(MILENAGE_TEST_SET_1.rand, "hex") });
      assert.ok(!vector.xres.includes(0), "a RES without zero bytes, which SIPp can use");
      const nonce = akaNonce(vector.rand, vector.autn);
      const verdicts: string[] = [];
      registrar.onRequest((rec) => {
        const m = rec.message;
        if (m.kind !== "request" || m.method !== "REGISTER") return false;
        const auth = m.header("authorization");
        if (!auth) {
          registrar.reply(rec, 401, { toTag: "reg1", headers: { "WWW-Authenticate": `Digest realm="${IMS_DOMAIN}", nonce="${nonce}", algorithm=AKAv1-MD5, qop="auth"` } });
          return true;
        }
        const check = verifyDigest(parseAuthParams(auth).params, { method: "REGISTER", password: vector.xres, realm: IMS_DOMAIN, nonce, algorithm: "AKAv1-MD5" });
        verdicts.push(check.ok ? "ok" : check.reason);
        registrar.reply(rec, check.ok ? 200 : 403, { toTag: "reg1", headers: { Contact: m.header("contact") ?? "*", Expires: m.header("expires") ?? "600" } });
        return true;
      });
      try {
        const l = registrar.local(transport);
        const sipp = await startSipp({ scenario: sippScenario("uac-register-aka"), transport, remote: `${l.host}:${l.port}`, extraArgs: ["-auth_uri", IMS_DOMAIN], timeoutMs: 20000 });
        const result = await sipp.done;
        assert.deepEqual(verdicts, ["ok", "ok"]);
        assert.equal(result.failed, 0, result.errors);
        assert.equal(result.successful, 1);
      } finally {
        await registrar.close();
      }
    });

    test("places a call to sipp -sn uas and releases it", async () => {
      const sipp = await startSipp({ scenario: "uas", transport, timeoutMs: 20000 });
      const u = await ue(transport, sipp.port);
      const call = u.call(`sip:service@127.0.0.1:${sipp.port}`, { sdp: SDP, reliable: false });
      const final = await call.waitForFinal();
      assert.equal(final.status, 200);
      assert.equal((await call.bye()).status, 200);
      const result = await sipp.done;
      assert.equal(result.failed, 0, result.errors);
      assert.equal(result.successful, 1);
    });

    test("answers a call from sipp -sn uac and takes its BYE", async () => {
      const u = await ue(transport, 9);
      const l = u.endpoint.local(transport);
      const sipp = await startSipp({ scenario: "uac", transport, remote: `${l.host}:${l.port}`, calls: 1, timeoutMs: 20000 });
      (u as unknown as { outbound: unknown }).outbound = { protocol: transport, host: "127.0.0.1", port: sipp.port };
      const incoming = await u.waitForCall();
      await incoming.provisional(180);
      await incoming.accept({ sdp: SDP });
      await incoming.waitForRequest("BYE");
      const result = await sipp.done;
      assert.equal(result.failed, 0, result.errors);
      assert.equal(result.successful, 1);
    });

    test("PRACKs SIPp's reliable 183 with the right RAck (RFC 3262)", async () => {
      const sipp = await startSipp({ scenario: sippScenario("uas-prack"), transport, timeoutMs: 20000 });
      const u = await ue(transport, sipp.port);
      const call = u.call(`sip:service@127.0.0.1:${sipp.port}`, { sdp: SDP });
      const prack = await call.pracks.next(() => true, Deadline.after(10000, "PRACK exchange"), "PRACK exchange");
      assert.equal(prack.response.status, 200);
      assert.equal(prack.prack.header("rack"), `1 ${call.invite.cseq.seq} INVITE`);
      assert.equal((await call.waitForFinal()).status, 200);
      assert.equal((await call.bye()).status, 200);
      const result = await sipp.done;
      assert.equal(result.failed, 0, result.errors);
    });

    test("completes preconditions with UPDATE (RFC 3311, RFC 3312)", async () => {
      const sipp = await startSipp({ scenario: sippScenario("uas-update"), transport, timeoutMs: 20000 });
      const u = await ue(transport, sipp.port);
      const call = u.call(`sip:service@127.0.0.1:${sipp.port}`, { sdp: PRECONDITION_SDP, preconditions: true });
      await call.waitForResponse(183);
      await call.pracks.next(() => true, Deadline.after(10000, "PRACK exchange"), "PRACK exchange");
      const update = await call.update(RESERVED_SDP);
      assert.equal(update.status, 200);
      assert.match(update.bodyText, /a=curr:qos local sendrecv/);
      assert.equal((await call.waitForFinal()).status, 200);
      assert.equal((await call.bye()).status, 200);
      const result = await sipp.done;
      assert.equal(result.failed, 0, result.errors);
    });

    test("cancels a ringing call: 200 for CANCEL, 487 for INVITE (RFC 3261 9.1)", async () => {
      const sipp = await startSipp({ scenario: sippScenario("uas-cancel"), transport, timeoutMs: 20000 });
      const u = await ue(transport, sipp.port);
      const call = u.call(`sip:service@127.0.0.1:${sipp.port}`, { sdp: SDP, reliable: false });
      await call.waitForResponse(180);
      assert.equal((await call.cancel()).status, 200);
      assert.equal((await call.waitForFinal()).status, 487);
      const result = await sipp.done;
      assert.equal(result.failed, 0, result.errors);
      assert.equal(result.successful, 1);
    });

    test("sends a MESSAGE to SIPp and receives one from SIPp (RFC 3428)", async () => {
      const uas = await startSipp({ scenario: sippScenario("uas-message"), transport, timeoutMs: 20000 });
      const u = await ue(transport, uas.port);
      assert.equal((await u.sendMessage(`sip:service@127.0.0.1:${uas.port}`, "hello from the driver")).status, 200);
      assert.equal((await uas.done).failed, 0);
      const l = u.endpoint.local(transport);
      const uac = await startSipp({ scenario: sippScenario("uac-message"), transport, remote: `${l.host}:${l.port}`, timeoutMs: 20000 });
      const msg = await u.waitForMessage();
      assert.equal(msg.message.kind === "request" && msg.message.method, "MESSAGE");
      const result = await uac.done;
      assert.equal(result.failed, 0, result.errors);
      assert.equal(result.successful, 1);
    });
  });
}

describe("loss and silence over UDP", { skip }, () => {
  test("a lost INVITE and a lost BYE are repaired by Timers A and E", async () => {
    const sipp = await startSipp({ scenario: "uas", transport: "udp", timeoutMs: 20000 });
    const relay = await LossyRelay.start({ host: "127.0.0.1", port: sipp.port }, [
      { direction: "to-peer", match: /^INVITE / },
      { direction: "to-peer", match: /^BYE / },
    ]);
    try {
      const u = await ue("udp", relay.port, { timers: { t1: 100 } });
      const call = u.call(`sip:service@127.0.0.1:${sipp.port}`, { sdp: SDP, reliable: false });
      assert.equal((await call.waitForFinal()).status, 200);
      assert.equal((await call.bye()).status, 200);
      assert.deepEqual(
        relay.stats.dropped.map((l) => l.split(" ")[0]),
        ["INVITE", "BYE"],
      );
      const result = await sipp.done;
      assert.equal(result.failed, 0, result.errors);
      assert.equal(result.successful, 1);
    } finally {
      await relay.close();
    }
  });

  test("a lost 200 (INVITE) from SIPp is retransmitted by SIPp and acknowledged once the copy arrives", async () => {
    const sipp = await startSipp({ scenario: "uas", transport: "udp", timeoutMs: 20000 });
    const relay = await LossyRelay.start({ host: "127.0.0.1", port: sipp.port }, [{ direction: "from-peer", match: /^SIP\/2\.0 200 [^\r]*\r\n(?:[^\r]*\r\n)*CSeq: \d+ INVITE/i }]);
    try {
      const u = await ue("udp", relay.port, { timers: { t1: 100 } });
      const call = u.call(`sip:service@127.0.0.1:${sipp.port}`, { sdp: SDP, reliable: false });
      assert.equal((await call.waitForFinal()).status, 200);
      assert.equal((await call.bye()).status, 200);
      assert.equal(relay.stats.dropped.length, 1);
      const result = await sipp.done;
      assert.equal(result.failed, 0, result.errors);
    } finally {
      await relay.close();
    }
  });

  test("a peer that never answers ends the REGISTER at 64*T1 with an error naming the request", async () => {
    const sipp = await startSipp({ scenario: sippScenario("uas-silent"), transport: "udp", timeoutMs: 20000 });
    try {
      const u = await ue("udp", sipp.port, { timers: { t1: 50 } });
      await assert.rejects(u.register({ expires: 600 }), (e: unknown) => {
        assert.ok(e instanceof ExpectationError);
        assert.match(e.message, /Expected: a final response to REGISTER sip:ims\.example\.test sent to UDP 127\.0\.0\.1:\d+/);
        assert.match(e.message, /Timeout: .*64\*T1 = 3200 ms, Timer F/);
        assert.match(e.message, /Clause: +TS 24\.229 5\.1\.1\.2/);
        return true;
      });
    } finally {
      await sipp.stop();
    }
  });
});

// The reference core's P-CSCF side of the security agreement (RFC 3329 2.3.1, TS 24.229 5.2.2,
// TS 33.203 7.2) with an AKA UE that offers it (TS 24.229 5.1.1.2.1): Security-Server in the 401,
// Security-Verify checked (494 when it was changed), 420 from a core that does not claim sec-agree.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseSecurityMechanisms, readIpsec3gpp, isIpsecError, sameMechanisms } from "../../src/sip/auth/index.ts";
import { parseMessage, serializeMessage } from "../../src/sip/message/index.ts";
import { Lab } from "./core-fixture.ts";

describe("security agreement at the reference core", () => {
  test("an AKA UE offering ipsec-3gpp gets Security-Server in the 401, mirrors it, registers, re-registers and de-registers", async (t) => {
    const lab = await Lab.start(t, { extra: { secAgree: true } });
    const ue = await lab.ue("carol", "udp", { secAgree: true });
    const o = await ue.register({ expires: 600 });
    assert.deepEqual(
      o.exchanges.map((x) => x.response.status),
      [401, 200],
    );
    const [first, second] = o.exchanges;
    assert.ok(first && second);
    assert.deepEqual(first.request.optionTags("require"), ["sec-agree"]);
    assert.deepEqual(first.request.optionTags("proxy-require"), ["sec-agree"]);
    assert.equal(first.request.headerValues("security-verify").length, 0);
    const offered = parseSecurityMechanisms(first.request.headerValues("security-client"));
    assert.equal(offered.length, 4, "hmac-sha-1-96 and hmac-md5-96, each with aes-cbc and null");
    const server = parseSecurityMechanisms(first.response.headerValues("security-server"));
    assert.equal(server.length, 1);
    const p = readIpsec3gpp(server[0]);
    assert.ok(!isIpsecError(p));
    assert.equal(p.alg, "hmac-sha-1-96", "the client's first choice");
    assert.equal(p.ealg, "aes-cbc");
    assert.equal(p.portS, lab.core.port);
    assert.ok(sameMechanisms(parseSecurityMechanisms(second.request.headerValues("security-verify")), server));
    assert.deepEqual(second.request.headerValues("security-client"), first.request.headerValues("security-client"));
    const sa = o.securityAssociations;
    assert.ok(sa);
    assert.deepEqual([sa.alg, sa.ealg, sa.pcscf.spiC, sa.pcscf.spiS], [p.alg, p.ealg, p.spiC, p.spiS]);
    assert.match(sa.keys?.integrity ?? "", /^sha256 [0-9a-f]{8}\.\.\. \(20 octets\)$/);
    assert.match(sa.keys?.encryption ?? "", /^sha256 [0-9a-f]{8}\.\.\. \(16 octets\)$/);
    // TS 24.229 5.1.1.4.1: the re-REGISTER keeps Security-Client and verifies the same Security-Server
    const again = await ue.register({ expires: 600 });
    assert.equal(again.final.status, 200);
    assert.ok(sameMechanisms(parseSecurityMechanisms(again.exchanges[0].request.headerValues("security-verify")), server));
    const gone = await ue.deregister();
    assert.equal(gone.final.status, 200);
    assert.ok(lab.core.log.some((l) => l.includes("Security-Server ipsec-3gpp;")));
  });

  test("a Security-Verify that differs from the Security-Server sent gets 494 with the Security-Server again (RFC 3329 2.3.1)", async (t) => {
    const lab = await Lab.start(t, { extra: { secAgree: true } });
    const ue = await lab.ue("carol", "udp", { secAgree: true });
    const challenged = await ue.register({ expires: 600, maxChallenges: 0 });
    assert.equal(challenged.final.status, 401);
    const sent = challenged.final.header("security-server");
    // The UE's own Security-Verify plus a mechanism the P-CSCF never sent
    const o = await ue.register({ expires: 600, headers: { "Security-Verify": "ipsec-3gpp;alg=hmac-md5-96;ealg=null;spi-c=1;spi-s=2;port-c=3;port-s=4" } });
    assert.deepEqual(o.exchanges[0]?.request.headerValues("security-verify"), [sent, "ipsec-3gpp;alg=hmac-md5-96;ealg=null;spi-c=1;spi-s=2;port-c=3;port-s=4"]);
    assert.equal(o.final.status, 494);
    assert.equal(o.final.header("security-server"), sent);
    assert.ok(lab.core.log.some((l) => /494 \(Security-Verify .* differs from the Security-Server sent/.test(l)));
  });

  test("a REGISTER answering the challenge without Security-Verify gets 494 (RFC 3329 2.3.1)", async (t) => {
    const lab = await Lab.start(t, { extra: { secAgree: true } });
    const ue = await lab.ue("carol", "udp", { secAgree: true });
    const challenged = await ue.register({ expires: 600, maxChallenges: 0 });
    const [first] = challenged.exchanges;
    assert.ok(first && challenged.final.status === 401);
    // The UE's answer to the challenge, sent as a new REGISTER that leaves Security-Verify out
    const parsed = parseMessage(serializeMessage(first.request));
    assert.ok(parsed.ok && parsed.message.kind === "request");
    const r = parsed.message;
    const answer = ue.auth.answer(challenged.final, { method: "REGISTER", uri: r.uriText });
    assert.ok(!("error" in answer));
    r.setHeader("Via", ue.via());
    r.setHeader("CSeq", `${first.request.cseq.seq + 1} REGISTER`);
    r.setHeader("Authorization", answer.value);
    assert.equal(r.hasHeader("security-verify"), false);
    const res = await ue.endpoint.request(r, ue.outbound);
    assert.equal(res.status, 494);
    assert.equal(res.header("security-server"), challenged.final.header("security-server"));
    assert.ok(lab.core.log.some((l) => /494 \(no Security-Verify, though the challenge carried Security-Server/.test(l)));
  });

  test("fault no-security-server: the 401 carries none, the UE has nothing to verify, no SA is agreed", async (t) => {
    const lab = await Lab.start(t, { faults: ["no-security-server"], extra: { secAgree: true } });
    const ue = await lab.ue("carol", "udp", { secAgree: true });
    const o = await ue.register({ expires: 600 });
    assert.equal(o.exchanges[0]?.response.hasHeader("security-server"), false);
    assert.equal(o.exchanges[1]?.request.hasHeader("security-verify"), false);
    assert.equal(o.final.status, 200);
    assert.equal(o.securityAssociations, undefined);
    assert.ok(lab.core.log.some((l) => l.startsWith("fault no-security-server: 401 to REGISTER")));
  });

  test("a core that does not claim sec-agree answers Require and Proxy-Require: sec-agree with 420", async (t) => {
    const lab = await Lab.start(t);
    const ue = await lab.ue("carol", "udp", { secAgree: true });
    const o = await ue.register({ expires: 600 });
    assert.equal(o.final.status, 420);
    assert.equal(o.final.header("unsupported"), "sec-agree");
  });

  test("a UE with Digest credentials offers no ipsec-3gpp (its keys come from IMS AKA only)", async (t) => {
    const lab = await Lab.start(t, { extra: { secAgree: true } });
    const ue = await lab.ue("alice", "udp", { secAgree: true });
    const o = await ue.register({ expires: 600 });
    assert.equal(o.final.status, 200);
    assert.ok(o.exchanges.every((x) => !x.request.hasHeader("security-client") && !x.request.hasHeader("require")));
  });
});

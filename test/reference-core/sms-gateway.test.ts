// The reference core's SMSC / IP-SM-GW (src/reference-core/sms-gateway.ts) on what IMS-MSG-002 does
// not send: a sender that is not registered, a body that is no RP message, a number nobody has.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DEFAULT_SC_ADDRESS, submitSms, waitForSms } from "../../src/sip/ue/index.ts";
import { SMS_CONTENT_TYPE, encodeRpDataFromMs, encodeSmsSubmit } from "../../src/sms/index.ts";
import { Lab, TEL } from "./core-fixture.ts";

const SMSC = "sip:smsc@ims.example.test";

describe("the SMSC of the reference core", () => {
  test("a sender that is not registered gets 403 (TS 24.229 5.2.6.3)", async (t) => {
    const lab = await Lab.start(t);
    const alice = await lab.ue("alice");
    assert.equal((await submitSms(alice, { smsc: SMSC, destination: TEL.bob.slice(4), text: "hi", reference: 1 }).response).status, 403);
  });
  test("text/plain to the SMSC gets 415 with Accept: application/vnd.3gpp.sms; a body that is no RP message 400", async (t) => {
    const lab = await Lab.start(t);
    const alice = await lab.registered("alice");
    const r = await alice.sendMessage(SMSC, "hello");
    assert.equal(r.status, 415);
    assert.equal(r.header("accept"), SMS_CONTENT_TYPE);
    assert.equal((await alice.sendMessage(SMSC, Buffer.from([7, 0]), { contentType: SMS_CONTENT_TYPE })).status, 400);
  });
  test("a number no subscriber has: 202, then RP-ERROR cause 1 (Unassigned number)", async (t) => {
    const lab = await Lab.start(t);
    const alice = await lab.registered("alice");
    assert.equal((await submitSms(alice, { smsc: SMSC, destination: "+19999999999", text: "hi", reference: 77 }).response).status, 202);
    const report = await waitForSms(alice);
    assert.ok(report.rp.ok);
    assert.deepEqual([report.rp.value.type, report.rp.value.reference, report.rp.value.cause], ["RP-ERROR", 77, 1]);
  });
  test("an RP-DATA whose TPDU does not decode: 202, then RP-ERROR cause 96 (Invalid mandatory information)", async (t) => {
    const lab = await Lab.start(t);
    const alice = await lab.registered("alice");
    const tpdu = encodeSmsSubmit({ messageReference: 1, destination: TEL.bob.slice(4), text: "hi" });
    const body = encodeRpDataFromMs({ reference: 8, scAddress: DEFAULT_SC_ADDRESS, tpdu: tpdu.subarray(0, tpdu.length - 1) });
    assert.equal((await alice.sendMessage(SMSC, body, { contentType: SMS_CONTENT_TYPE })).status, 202);
    const report = await waitForSms(alice);
    assert.ok(report.rp.ok);
    assert.deepEqual([report.rp.value.type, report.rp.value.reference, report.rp.value.cause], ["RP-ERROR", 8, 96]);
  });
  test("the PSI follows the option sms.smsc", async (t) => {
    const lab = await Lab.start(t, { extra: { sms: { smsc: "sip:sc@ims.example.test" } } });
    const alice = await lab.registered("alice");
    await lab.registered("bob");
    assert.equal((await submitSms(alice, { smsc: "sip:sc@ims.example.test", destination: TEL.bob.slice(4), text: "hi", reference: 2 }).response).status, 202);
    // sip:smsc@ is nobody now: 404 like any unknown identity
    assert.equal((await submitSms(alice, { smsc: SMSC, destination: TEL.bob.slice(4), text: "hi", reference: 3 }).response).status, 404);
  });
});

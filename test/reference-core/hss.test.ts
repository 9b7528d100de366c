// The HSS of the reference core: identity look-up (RFC 3261 19.1.4 user@host, RFC 3966 digits) and
// the network side of IMS AKA: SQN per vector and resynchronisation (TS 33.102 6.3.2, 6.3.5).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Hss, sameIdentity } from "../../src/reference-core/hss.ts";
import { akaRespond, sqnToBigInt } from "../../src/sip/auth/index.ts";
import { K, OPC, TEL, impu, subscribers } from "./core-fixture.ts";

describe("sameIdentity", () => {
  test("SIP URIs: user case-sensitive after unescaping, host case-insensitive, port and parameters ignored", () => {
    assert.equal(sameIdentity("sip:alice@ims.example.test", "sip:alice@IMS.Example.Test:5060;user=phone"), true);
    assert.equal(sameIdentity("sip:alice@ims.example.test", "sip:%61lice@ims.example.test"), true);
    assert.equal(sameIdentity("sip:alice@ims.example.test", "sip:Alice@ims.example.test"), false);
    assert.equal(sameIdentity("sip:alice@ims.example.test", "sip:alice@other.test"), false);
    assert.equal(sameIdentity("sip:ims.example.test", "sip:ims.example.test"), false, "no user part: not a public identity");
  });

  test("tel URIs compare by digits without visual separators (RFC 3966 4)", () => {
    assert.equal(sameIdentity("tel:+15551230001", "tel:+1-555-123-0001"), true);
    assert.equal(sameIdentity("tel:+15551230001", "tel:+1(555)123.0001"), true);
    assert.equal(sameIdentity("tel:+15551230001", "tel:+15551230002"), false);
    assert.equal(sameIdentity("tel:+15551230001", "sip:+15551230001@ims.example.test"), false);
    assert.equal(sameIdentity("not a uri", "tel:+15551230001"), false);
  });
});

describe("Hss", () => {
  test("finds subscribers by IMPI and by any IMPU of the implicit set", () => {
    const hss = new Hss(subscribers());
    assert.equal(hss.byImpi("bob@ims.example.test")?.defaultImpu, impu("bob"));
    assert.equal(hss.byImpu("tel:+1-555-123-0002")?.impi, "bob@ims.example.test");
    assert.equal(hss.byImpu(impu("carol"))?.impus[1], TEL.carol);
    assert.equal(hss.byImpu("sip:nobody@ims.example.test"), undefined);
    assert.equal(hss.byImpi("nobody@ims.example.test"), undefined);
  });

  test("each AKA vector carries the next SQN; the USIM accepts it", () => {
    const hss = new Hss(subscribers());
    const carol = hss.byImpi("carol@ims.example.test")!;
    const v1 = hss.nextVector(carol);
    const v2 = hss.nextVector(carol);
    assert.equal(sqnToBigInt(v1.sqn), 0x21n);
    assert.equal(sqnToBigInt(v2.sqn), 0x22n);
    const usim = akaRespond({ k: K, opc: OPC, nonce: Buffer.concat([v2.rand, v2.autn]).toString("base64"), sqnMs: 0x21n });
    assert.equal(usim.kind, "ok");
    assert.throws(() => hss.nextVector(hss.byImpi("alice@ims.example.test")!), /not provisioned for IMS AKA/);
  });

  test("resynchronise takes SQNms from a valid AUTS and refuses a forged one", () => {
    const hss = new Hss(subscribers());
    const carol = hss.byImpi("carol@ims.example.test")!;
    const v = hss.nextVector(carol);
    const usim = akaRespond({ k: K, opc: OPC, nonce: Buffer.concat([v.rand, v.autn]).toString("base64"), sqnMs: 7777n });
    assert.equal(usim.kind, "sync-failure");
    if (usim.kind !== "sync-failure") return;
    const forged = Buffer.from(usim.auts);
    forged[13] = forged[13] ^ 0xff;
    assert.deepEqual(hss.resynchronise(carol, v.rand, forged), { ok: false, reason: "MAC-S of AUTS does not verify" });
    assert.deepEqual(hss.resynchronise(carol, v.rand, usim.auts), { ok: true, sqnMs: 7777n });
    assert.equal(sqnToBigInt(hss.nextVector(carol).sqn), 7778n);
  });
});

import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { PCMU, amr, amrWb, telephoneEvent } from "../../src/media/codecs.ts";
import { answerDirection, createAnswer, createOffer, negotiatedCodec, nextSessionVersion, type AnswerCapabilities, type AnswerResult } from "../../src/media/offer-answer.ts";
import { applyPeerStatus, createPreconditionTable, preconditionsMet, reserveLocal } from "../../src/media/preconditions.ts";
import { findAttributes, mediaDirection, parseSdp, serializeSdp, type Sdp } from "../../src/media/sdp.ts";
import { VOLTE_OFFER } from "./volte-sdp.ts";

const UE_A = { address: "10.0.0.1", port: 49152, sessionId: "1000", sessionVersion: "1" };
const UE_B = { address: "10.0.0.2", port: 50000, sessionId: "2000", sessionVersion: "1" };

function answered(r: AnswerResult): Extract<AnswerResult, { ok: true }> {
  if (!r.ok) assert.fail(`answer failed: ${r.error.reason}`);
  return r;
}

const qosLines = (sdp: Sdp, index = 0): string[] => sdp.media[index].attributes.filter((a) => a.name === "curr" || a.name === "des" || a.name === "conf").map((a) => `a=${a.name}:${a.value}`);

const direction = (sdp: Sdp, index = 0) => mediaDirection(sdp, sdp.media[index]);

describe("createOffer", () => {
  test("produces the exact IMS offer", () => {
    const offer = createOffer({
      ...UE_A,
      codecs: [amrWb(97), amr(98), PCMU],
      telephoneEvent: true,
      preconditions: { strength: { local: "mandatory", remote: "optional" } },
      ptime: 20,
      maxptime: 240,
      bandwidths: [{ type: "AS", value: 41 }],
    });
    assert.equal(
      serializeSdp(offer),
      [
        "v=0",
        "o=- 1000 1 IN IP4 10.0.0.1",
        "s=-",
        "c=IN IP4 10.0.0.1",
        "t=0 0",
        "m=audio 49152 RTP/AVP 97 98 0 96 99",
        "b=AS:41",
        "a=rtpmap:97 AMR-WB/16000/1",
        "a=fmtp:97 mode-change-capability=2;max-red=0",
        "a=rtpmap:98 AMR/8000/1",
        "a=fmtp:98 mode-change-capability=2;max-red=0",
        "a=rtpmap:0 PCMU/8000",
        "a=rtpmap:96 telephone-event/16000",
        "a=fmtp:96 0-15",
        "a=rtpmap:99 telephone-event/8000",
        "a=fmtp:99 0-15",
        "a=ptime:20",
        "a=maxptime:240",
        "a=curr:qos local none",
        "a=curr:qos remote none",
        "a=des:qos mandatory local sendrecv",
        "a=des:qos optional remote sendrecv",
        "a=sendrecv",
        "",
      ].join("\r\n"),
    );
  });

  test("the serialized offer parses back to the same structure", () => {
    const offer = createOffer({ ...UE_A, address: "2001:db8::1", codecs: [amrWb(97)], telephoneEvent: true });
    const r = parseSdp(serializeSdp(offer));
    assert.ok(r.ok);
    assert.deepEqual(r.sdp, offer);
    assert.equal(offer.origin.addrType, "IP6");
  });

  test("telephone-event given explicitly is not duplicated", () => {
    const offer = createOffer({ ...UE_A, codecs: [amrWb(116), telephoneEvent(105, 16000)], telephoneEvent: true });
    assert.deepEqual(offer.media[0].formats, ["116", "105"]);
  });

  test("a new offer in the same session increments o= version (RFC 3264 8)", () => {
    const first = createOffer({ ...UE_A, codecs: [amrWb(97)] });
    const second = createOffer({ ...UE_A, sessionId: "ignored", codecs: [amrWb(97)], direction: "sendonly", previous: first });
    assert.equal(second.origin.sessionId, "1000");
    assert.equal(second.origin.sessionVersion, "2");
    const third = createOffer({ ...UE_A, codecs: [amrWb(97)], previous: second });
    assert.equal(third.origin.sessionVersion, "3");
    const big = nextSessionVersion({ ...first, origin: { ...first.origin, sessionVersion: "18446744073709551615" } });
    assert.equal(big.origin.sessionVersion, "18446744073709551616");
  });
});

describe("createAnswer: codec selection (RFC 3264 6.1)", () => {
  const caps = (over: Partial<AnswerCapabilities>): AnswerCapabilities => ({ ...UE_B, codecs: [], ...over });

  test("AMR-WB is chosen when both sides have it, keeping the offer's payload types and order", () => {
    const offer = createOffer({ ...UE_A, codecs: [amrWb(116), amr(118), PCMU], telephoneEvent: true });
    // The answerer lists PCMU first and numbers AMR-WB differently: the offer still wins.
    const r = answered(createAnswer(offer, caps({ codecs: [PCMU, amrWb(97), amr(98)], telephoneEvent: true, ptime: 20 })));
    assert.equal(
      serializeSdp(r.sdp),
      [
        "v=0",
        "o=- 2000 1 IN IP4 10.0.0.2",
        "s=-",
        "c=IN IP4 10.0.0.2",
        "t=0 0",
        "m=audio 50000 RTP/AVP 116 118 0 96 97",
        "a=rtpmap:116 AMR-WB/16000/1",
        "a=fmtp:116 mode-change-capability=2;max-red=0",
        "a=rtpmap:118 AMR/8000/1",
        "a=fmtp:118 mode-change-capability=2;max-red=0",
        "a=rtpmap:0 PCMU/8000",
        "a=rtpmap:96 telephone-event/16000",
        "a=fmtp:96 0-15",
        "a=rtpmap:97 telephone-event/8000",
        "a=fmtp:97 0-15",
        "a=ptime:20",
        "a=sendrecv",
        "",
      ].join("\r\n"),
    );
    const chosen = negotiatedCodec(offer, r.sdp);
    assert.equal(chosen?.payloadType, 116);
    assert.equal(chosen?.encodingName, "AMR-WB");
    assert.equal(chosen?.clockRate, 16000);
    assert.equal(chosen?.telephoneEvent?.payloadType, 96);
  });

  test("singleCodec keeps the first common codec and its telephone-event", () => {
    const offer = createOffer({ ...UE_A, codecs: [amrWb(116), amr(118), PCMU], telephoneEvent: true });
    const r = answered(createAnswer(offer, caps({ codecs: [PCMU, amrWb(97)], telephoneEvent: true, singleCodec: true })));
    assert.deepEqual(r.sdp.media[0].formats, ["116", "96"]);
  });

  test("PCMU is the fallback when the answerer has no AMR-WB", () => {
    const offer = createOffer({ ...UE_A, codecs: [amrWb(97), PCMU], telephoneEvent: true });
    const r = answered(createAnswer(offer, caps({ codecs: [PCMU], telephoneEvent: true })));
    assert.deepEqual(r.sdp.media[0].formats, ["0", "98"]);
    assert.deepEqual(
      findAttributes(r.sdp.media[0].attributes, "rtpmap").map((a) => a.value),
      ["0 PCMU/8000", "98 telephone-event/8000"],
    );
    const chosen = negotiatedCodec(offer, r.sdp);
    assert.equal(chosen?.payloadType, 0);
    assert.equal(chosen?.encodingName, "PCMU");
    assert.equal(chosen?.telephoneEvent?.clockRate, 8000);
  });

  test("no common codec rejects the stream with port 0", () => {
    const offer = createOffer({ ...UE_A, codecs: [amrWb(97)], telephoneEvent: true });
    const r = answered(createAnswer(offer, caps({ codecs: [PCMU], telephoneEvent: true })));
    const m = r.sdp.media[0];
    assert.equal(m.port, 0);
    assert.deepEqual(m.formats, ["97", "96"]);
    assert.deepEqual(m.attributes, []);
    assert.match(serializeSdp(r.sdp), /\r\nm=audio 0 RTP\/AVP 97 96\r\n$/);
    assert.equal(negotiatedCodec(offer, r.sdp), undefined);
  });

  test("octet-aligned AMR-WB does not match a bandwidth-efficient offer (RFC 4867)", () => {
    const offer = createOffer({ ...UE_A, codecs: [amrWb(97)] });
    const r = answered(createAnswer(offer, caps({ codecs: [amrWb(97, "octet-align=1")] })));
    assert.equal(r.sdp.media[0].port, 0);
  });

  test("answers the realistic VoLTE offer", () => {
    const parsed = parseSdp(VOLTE_OFFER);
    assert.ok(parsed.ok);
    const r = answered(createAnswer(parsed.sdp, caps({ address: "2001:db8::2", codecs: [amrWb(97, "octet-align=1"), PCMU], telephoneEvent: true })));
    // Only the octet-aligned AMR-WB (107) is common; telephone-event at 16000 follows it.
    assert.deepEqual(r.sdp.media[0].formats, ["107", "111"]);
    assert.equal(r.sdp.origin.addrType, "IP6");
    assert.equal(negotiatedCodec(parsed.sdp, r.sdp)?.payloadType, 107);
  });

  test("every offered m= line is answered; non-audio and disabled lines get port 0", () => {
    const offer = createOffer({ ...UE_A, codecs: [PCMU] });
    offer.media.push(
      { media: "video", port: 49154, proto: "RTP/AVPF", formats: ["99"], bandwidths: [], attributes: [{ name: "rtpmap", value: "99 H264/90000" }] },
      { media: "audio", port: 0, proto: "RTP/AVP", formats: ["0"], bandwidths: [], attributes: [] },
    );
    const r = answered(createAnswer(offer, caps({ codecs: [PCMU] })));
    assert.deepEqual(
      r.sdp.media.map((m) => `${m.media} ${m.port} ${m.formats.join(" ")}`),
      ["audio 50000 0", "video 0 99", "audio 0 0"],
    );
    assert.deepEqual(r.preconditions, [undefined, undefined, undefined]);
  });

  test("the answer copies the offer's t= and increments its own version on re-answers", () => {
    const offer = createOffer({ ...UE_A, codecs: [PCMU] });
    offer.timing = [{ start: 3034423619, stop: 0, repeats: [] }];
    const first = answered(createAnswer(offer, caps({ codecs: [PCMU] })));
    assert.deepEqual(first.sdp.timing, offer.timing);
    const second = answered(createAnswer(offer, caps({ codecs: [PCMU], previous: first.sdp })));
    assert.equal(second.sdp.origin.sessionId, "2000");
    assert.equal(second.sdp.origin.sessionVersion, "2");
  });
});

describe("createAnswer: direction (RFC 3264 6.1)", () => {
  const answerTo = (dir: "sendrecv" | "sendonly" | "recvonly" | "inactive", local?: "sendrecv" | "recvonly") => {
    const offer = createOffer({ ...UE_A, codecs: [PCMU], direction: dir });
    return answered(createAnswer(offer, { ...UE_B, codecs: [PCMU], ...(local ? { direction: local } : {}) })).sdp;
  };

  test("hold: a sendonly offer gets a recvonly answer", () => {
    assert.equal(direction(answerTo("sendonly")), "recvonly");
  });

  test("recvonly -> sendonly, inactive -> inactive, sendrecv -> sendrecv", () => {
    assert.equal(direction(answerTo("recvonly")), "sendonly");
    assert.equal(direction(answerTo("inactive")), "inactive");
    assert.equal(direction(answerTo("sendrecv")), "sendrecv");
  });

  test("the answerer's own direction limits the answer", () => {
    assert.equal(direction(answerTo("sendrecv", "recvonly")), "recvonly");
    assert.equal(direction(answerTo("recvonly", "recvonly")), "inactive");
    assert.equal(answerDirection("sendonly", "sendonly"), "inactive");
  });

  test("a session-level direction in the offer is honoured", () => {
    const offer = createOffer({ ...UE_A, codecs: [PCMU] });
    offer.media[0].attributes = offer.media[0].attributes.filter((a) => a.name !== "sendrecv");
    offer.attributes.push({ name: "sendonly" });
    assert.equal(direction(answered(createAnswer(offer, { ...UE_B, codecs: [PCMU] })).sdp), "recvonly");
  });
});

describe("createAnswer: preconditions (RFC 3312)", () => {
  test("full flow: INVITE offer, 183 answer, UPDATE after reservation, preconditions met", () => {
    // UE-A: initial offer, nothing reserved yet.
    let tableA = createPreconditionTable();
    const offer = createOffer({ ...UE_A, codecs: [amrWb(97)], preconditions: tableA });
    assert.deepEqual(qosLines(offer), ["a=curr:qos local none", "a=curr:qos remote none", "a=des:qos mandatory local sendrecv", "a=des:qos mandatory remote sendrecv"]);

    // UE-B: answer in the 183 with its own status and a confirmation request.
    const first = answered(createAnswer(offer, { ...UE_B, codecs: [amrWb(97)], preconditions: {} }));
    assert.deepEqual(qosLines(first.sdp), [
      "a=curr:qos local none",
      "a=curr:qos remote none",
      "a=des:qos mandatory local sendrecv",
      "a=des:qos mandatory remote sendrecv",
      "a=conf:qos remote sendrecv",
    ]);
    let tableB = first.preconditions[0];
    assert.ok(tableB);
    assert.equal(preconditionsMet(tableB), false);

    // UE-A takes in the answer, then reserves its bearer and sends the UPDATE offer.
    tableA = applyPeerStatus(tableA, first.sdp.media[0].attributes);
    assert.equal(tableA.local.send.confirm, true);
    assert.equal(preconditionsMet(tableA), false);
    tableA = reserveLocal(tableA, "sendrecv");
    const update = createOffer({ ...UE_A, codecs: [amrWb(97)], preconditions: tableA, previous: offer });
    assert.equal(update.origin.sessionVersion, "2");
    assert.deepEqual(qosLines(update), ["a=curr:qos local sendrecv", "a=curr:qos remote none", "a=des:qos mandatory local sendrecv", "a=des:qos mandatory remote sendrecv"]);

    // UE-B has reserved too; its 200 (UPDATE) answer shows both segments ready.
    tableB = reserveLocal(tableB, "sendrecv");
    const second = answered(createAnswer(update, { ...UE_B, codecs: [amrWb(97)], preconditions: tableB, previous: first.sdp }));
    assert.equal(second.sdp.origin.sessionVersion, "2");
    assert.deepEqual(qosLines(second.sdp), ["a=curr:qos local sendrecv", "a=curr:qos remote sendrecv", "a=des:qos mandatory local sendrecv", "a=des:qos mandatory remote sendrecv"]);
    assert.equal(preconditionsMet(second.preconditions[0]!), true);

    tableA = applyPeerStatus(tableA, second.sdp.media[0].attributes);
    assert.equal(preconditionsMet(tableA), true);
  });

  test("the answer adopts the offer's strengths, mirrored, or upgrades them", () => {
    const offer = createOffer({ ...UE_A, codecs: [PCMU], preconditions: { strength: { local: "mandatory", remote: "optional" } } });
    const adopt = answered(createAnswer(offer, { ...UE_B, codecs: [PCMU], preconditions: { localCurrent: "sendrecv" } }));
    assert.deepEqual(qosLines(adopt.sdp), [
      "a=curr:qos local sendrecv",
      "a=curr:qos remote none",
      "a=des:qos optional local sendrecv",
      "a=des:qos mandatory remote sendrecv",
      "a=conf:qos remote sendrecv",
    ]);
    const upgrade = answered(createAnswer(offer, { ...UE_B, codecs: [PCMU], preconditions: { strength: "mandatory", confirm: false } }));
    assert.deepEqual(qosLines(upgrade.sdp), ["a=curr:qos local none", "a=curr:qos remote none", "a=des:qos mandatory local sendrecv", "a=des:qos mandatory remote sendrecv"]);
  });

  test("no precondition lines are added when the offer has none", () => {
    const offer = createOffer({ ...UE_A, codecs: [PCMU] });
    const r = answered(createAnswer(offer, { ...UE_B, codecs: [PCMU], preconditions: {} }));
    assert.deepEqual(qosLines(r.sdp), []);
    assert.deepEqual(r.preconditions, [undefined]);
  });

  test("a mandatory precondition that cannot be honoured fails the answer", () => {
    const offer = createOffer({ ...UE_A, codecs: [PCMU], preconditions: {} });
    const r = createAnswer(offer, { ...UE_B, codecs: [PCMU], preconditions: false });
    assert.deepEqual(r, { ok: false, error: { mediaIndex: 0, reason: "mandatory qos precondition offered but not supported" } });

    const other = createOffer({ ...UE_A, codecs: [PCMU] });
    other.media[0].attributes.unshift({ name: "des", value: "bw mandatory e2e sendrecv" });
    const r2 = createAnswer(other, { ...UE_B, codecs: [PCMU] });
    assert.equal(r2.ok, false);
    assert.equal(r2.ok ? "" : r2.error.reason, "unsupported mandatory precondition type 'bw'");
  });

  test("optional preconditions are simply left out by an answerer without support", () => {
    const offer = createOffer({ ...UE_A, codecs: [PCMU], preconditions: { strength: "optional" } });
    const r = answered(createAnswer(offer, { ...UE_B, codecs: [PCMU], preconditions: false }));
    assert.deepEqual(qosLines(r.sdp), []);
  });
});

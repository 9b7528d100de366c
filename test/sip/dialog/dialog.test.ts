import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Dialog, dialogKey } from "../../../src/sip/dialog/index.ts";
import { type SipRequest, type SipResponse, parseMessage } from "../../../src/sip/message/index.ts";

function parse(lines: string[]): SipRequest | SipResponse {
  const r = parseMessage(lines.join("\r\n") + "\r\n\r\n");
  assert.ok(r.ok, r.ok ? "" : r.error.reason);
  return r.message;
}

function req(lines: string[]): SipRequest {
  const m = parse(lines);
  assert.equal(m.kind, "request");
  return m;
}

function res(lines: string[]): SipResponse {
  const m = parse(lines);
  assert.equal(m.kind, "response");
  return m;
}

const VIA = "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKdlg1";

function invite(extra: string[] = [], uri = "sip:bob@biloxi.example.com"): SipRequest {
  return req([
    `INVITE ${uri} SIP/2.0`,
    VIA,
    "Max-Forwards: 70",
    'From: "Alice" <sip:alice@atlanta.example.com>;tag=a-tag',
    "To: <sip:bob@biloxi.example.com>",
    "Call-ID: call-1@atlanta",
    "CSeq: 314 INVITE",
    "Contact: <sip:alice@pc33.atlanta.example.com>",
    ...extra,
  ]);
}

function answer(status: number, reason: string, extra: string[]): SipResponse {
  return res([
    `SIP/2.0 ${status} ${reason}`,
    VIA,
    'From: "Alice" <sip:alice@atlanta.example.com>;tag=a-tag',
    "To: <sip:bob@biloxi.example.com>;tag=b-tag",
    "Call-ID: call-1@atlanta",
    "CSeq: 314 INVITE",
    ...extra,
  ]);
}

const VIA_OUT = "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKnext";

describe("Dialog.asUac (RFC 3261 12.1.2)", () => {
  test("a 2xx with Record-Route: the route set is the Record-Route in reverse order", () => {
    const ok = answer(200, "OK", ["Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>", "Record-Route: <sip:p3.example.com;lr>", "Contact: <sip:bob@192.0.2.4:5062>"]);
    const d = Dialog.asUac(invite(), ok);
    assert.equal(d.state, "confirmed");
    assert.deepEqual(d.routeSet, ["<sip:p3.example.com;lr>", "<sip:p2.example.com;lr>", "<sip:p1.example.com;lr>"]);
    assert.equal(d.remoteTarget, "sip:bob@192.0.2.4:5062");
    assert.deepEqual(d.id, { callId: "call-1@atlanta", localTag: "a-tag", remoteTag: "b-tag" });
    assert.equal(d.key, "call-1@atlanta|a-tag|b-tag");
    assert.equal(d.key, dialogKey(d.id));
    assert.equal(d.localSeq, 314);
    assert.equal(d.remoteSeq, undefined);
    assert.equal(d.localHeader, '"Alice" <sip:alice@atlanta.example.com>;tag=a-tag');
    assert.equal(d.remoteHeader, "<sip:bob@biloxi.example.com>;tag=b-tag");
    assert.equal(d.secure, false);
  });

  test("a 1xx with a To tag makes an early dialog; sips makes it secure", () => {
    const d = Dialog.asUac(invite([], "sips:bob@biloxi.example.com"), answer(183, "Session Progress", ["Contact: <sips:bob@192.0.2.4>"]));
    assert.equal(d.state, "early");
    assert.equal(d.secure, true);
    assert.deepEqual(d.routeSet, []);
  });

  test("without Contact the remote target falls back to the Request-URI", () => {
    const d = Dialog.asUac(invite(), answer(200, "OK", []));
    assert.equal(d.remoteTarget, "sip:bob@biloxi.example.com");
  });

  test("a response without To tag cannot make a dialog", () => {
    const noTag = res(["SIP/2.0 180 Ringing", VIA, "From: <sip:alice@atlanta.example.com>;tag=a-tag", "To: <sip:bob@biloxi.example.com>", "Call-ID: call-1@atlanta", "CSeq: 314 INVITE"]);
    assert.throws(() => Dialog.asUac(invite(), noTag), /To tag missing.*RFC 3261 12\.1\.2/);
  });
});

describe("Dialog.asUas (RFC 3261 12.1.1)", () => {
  test("the route set is the Record-Route of the request in order; our tag goes into To", () => {
    const inv = invite(["Record-Route: <sip:p1.example.com;lr>", "Record-Route: <sip:p2.example.com;lr>, <sip:p3.example.com;lr>"]);
    const d = Dialog.asUas(inv, "b-local");
    assert.equal(d.state, "early");
    assert.deepEqual(d.routeSet, ["<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>", "<sip:p3.example.com;lr>"]);
    assert.equal(d.remoteTarget, "sip:alice@pc33.atlanta.example.com");
    assert.deepEqual(d.id, { callId: "call-1@atlanta", localTag: "b-local", remoteTag: "a-tag" });
    assert.equal(d.localHeader, "<sip:bob@biloxi.example.com>;tag=b-local");
    assert.equal(d.remoteHeader, '"Alice" <sip:alice@atlanta.example.com>;tag=a-tag');
    assert.equal(d.remoteSeq, 314);
    assert.ok(d.localSeq >= 1);
    assert.equal(Dialog.asUas(inv, "x", "confirmed").state, "confirmed");
  });

  test("a request without From tag is refused", () => {
    const inv = req([
      "INVITE sip:bob@biloxi.example.com SIP/2.0",
      VIA,
      "Max-Forwards: 70",
      "From: <sip:alice@atlanta.example.com>",
      "To: <sip:bob@biloxi.example.com>",
      "Call-ID: c",
      "CSeq: 1 INVITE",
    ]);
    assert.throws(() => Dialog.asUas(inv, "t"), /no From tag/);
  });
});

describe("Dialog.createRequest (RFC 3261 12.2.1.1)", () => {
  test("loose routing: Request-URI is the remote target, Route is the route set", () => {
    const d = Dialog.asUac(invite(), answer(200, "OK", ["Record-Route: <sip:p2.example.com;lr>", "Record-Route: <sip:p1.example.com;lr>", "Contact: <sip:bob@192.0.2.4:5062;transport=tcp>"]));
    const bye = d.createRequest("BYE", VIA_OUT);
    assert.equal(bye.startLine(), "BYE sip:bob@192.0.2.4:5062;transport=tcp SIP/2.0");
    assert.deepEqual(bye.headerValues("route"), ["<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"]);
    assert.equal(bye.header("via"), VIA_OUT);
    assert.equal(bye.header("max-forwards"), "70");
    assert.equal(bye.header("from"), '"Alice" <sip:alice@atlanta.example.com>;tag=a-tag');
    assert.equal(bye.header("to"), "<sip:bob@biloxi.example.com>;tag=b-tag");
    assert.equal(bye.header("call-id"), "call-1@atlanta");
    assert.equal(bye.header("cseq"), "315 BYE");
  });

  test("strict routing: the first route becomes the Request-URI, the remote target the last Route (RFC 3261 12.2.1.1 example)", () => {
    // The example of RFC 3261 12.2.1.1, from the UAS side so that the route set keeps the order given
    const inv = req([
      "INVITE sip:callee@u2.domain.com SIP/2.0",
      VIA,
      "Max-Forwards: 70",
      "From: <sip:caller@u1.example.com>;tag=u1",
      "To: <sip:callee@u2.domain.com>",
      "Call-ID: strict@u1",
      "CSeq: 1 INVITE",
      "Contact: <sip:user@remoteua>",
      "Record-Route: <sip:proxy1>, <sip:proxy2>, <sip:proxy3;lr>, <sip:proxy4>",
    ]);
    const d = Dialog.asUas(inv, "u2");
    const r = d.createRequest("INFO", VIA_OUT);
    assert.equal(r.startLine(), "INFO sip:proxy1 SIP/2.0");
    assert.deepEqual(r.headerValues("route"), ["<sip:proxy2>", "<sip:proxy3;lr>", "<sip:proxy4>", "<sip:user@remoteua>"]);
    // the dialog itself keeps its route set
    assert.deepEqual(d.routeSet, ["<sip:proxy1>", "<sip:proxy2>", "<sip:proxy3;lr>", "<sip:proxy4>"]);
  });

  test("CSeq: new requests take the next number, ACK and CANCEL reuse the current one, an explicit cseq wins", () => {
    const d = Dialog.asUac(invite(), answer(200, "OK", ["Contact: <sip:bob@192.0.2.4>"]));
    assert.equal(d.createRequest("ACK", VIA_OUT).header("cseq"), "314 ACK");
    assert.equal(d.localSeq, 314);
    assert.equal(d.createRequest("UPDATE", VIA_OUT).header("cseq"), "315 UPDATE");
    assert.equal(d.createRequest("INFO", VIA_OUT).header("cseq"), "316 INFO");
    assert.equal(d.createRequest("CANCEL", VIA_OUT).header("cseq"), "316 CANCEL");
    assert.equal(d.createRequest("ACK", VIA_OUT, { cseq: 314 }).header("cseq"), "314 ACK");
    assert.equal(d.localSeq, 316);
    assert.equal(d.createRequest("BYE", VIA_OUT).header("cseq"), "317 BYE");
  });
});

describe("Dialog.receiveRequest (RFC 3261 12.2.2)", () => {
  test("a lower CSeq is rejected with 500, a higher one advances the remote sequence number", () => {
    const d = Dialog.asUas(invite(), "b-local");
    const inDialog = (method: string, seq: number): SipRequest =>
      req([
        `${method} sip:bob@192.0.2.4 SIP/2.0`,
        "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKin" + seq,
        "Max-Forwards: 70",
        "From: <sip:alice@atlanta.example.com>;tag=a-tag",
        "To: <sip:bob@biloxi.example.com>;tag=b-local",
        "Call-ID: call-1@atlanta",
        `CSeq: ${seq} ${method}`,
      ]);
    const low = d.receiveRequest(inDialog("UPDATE", 313));
    assert.equal(low.ok, false);
    assert.ok(!low.ok);
    assert.equal(low.status, 500);
    assert.match(low.reason, /CSeq 313 is lower than 314 \(RFC 3261 12\.2\.2\)/);
    assert.equal(d.remoteSeq, 314);
    // ACK and CANCEL carry the INVITE's number and do not move the counter
    assert.deepEqual(d.receiveRequest(inDialog("ACK", 314)), { ok: true });
    assert.deepEqual(d.receiveRequest(inDialog("CANCEL", 314)), { ok: true });
    assert.equal(d.remoteSeq, 314);
    assert.deepEqual(d.receiveRequest(inDialog("PRACK", 315)), { ok: true });
    assert.equal(d.remoteSeq, 315);
    assert.deepEqual(d.receiveRequest(inDialog("BYE", 400)), { ok: true });
    assert.equal(d.remoteSeq, 400);
    const back = d.receiveRequest(inDialog("INFO", 399));
    assert.ok(!back.ok);
    assert.equal(back.status, 500);
  });

  test("with an empty remote sequence number (UAC side) any CSeq is accepted and recorded", () => {
    const d = Dialog.asUac(invite(), answer(200, "OK", []));
    const bye = req([
      "BYE sip:alice@pc33.atlanta.example.com SIP/2.0",
      "Via: SIP/2.0/UDP 192.0.2.4;branch=z9hG4bKbye",
      "Max-Forwards: 70",
      "From: <sip:bob@biloxi.example.com>;tag=b-tag",
      "To: <sip:alice@atlanta.example.com>;tag=a-tag",
      "Call-ID: call-1@atlanta",
      "CSeq: 7 BYE",
    ]);
    assert.deepEqual(d.receiveRequest(bye), { ok: true });
    assert.equal(d.remoteSeq, 7);
  });
});

describe("Dialog.confirm and refreshTarget (RFC 3261 12.2.1.2, 13.2.2.4)", () => {
  test("a 2xx confirming an early dialog recomputes the route set from its own Record-Route", () => {
    const early = Dialog.asUac(invite(), answer(183, "Session Progress", ["Record-Route: <sip:a.example.com;lr>, <sip:b.example.com;lr>", "Contact: <sip:bob@192.0.2.4:5062>"]));
    assert.deepEqual(early.routeSet, ["<sip:b.example.com;lr>", "<sip:a.example.com;lr>"]);
    early.confirm(answer(200, "OK", ["Record-Route: <sip:c.example.com;lr>, <sip:d.example.com;lr>", "Contact: <sip:bob@192.0.2.5:5070>"]));
    assert.equal(early.state, "confirmed");
    assert.deepEqual(early.routeSet, ["<sip:d.example.com;lr>", "<sip:c.example.com;lr>"]);
    assert.equal(early.remoteTarget, "sip:bob@192.0.2.5:5070");
    // a later 2xx (retransmission, re-INVITE) leaves the route set alone but refreshes the target
    early.confirm(answer(200, "OK", ["Record-Route: <sip:z.example.com;lr>", "Contact: <sip:bob@192.0.2.6>"]));
    assert.deepEqual(early.routeSet, ["<sip:d.example.com;lr>", "<sip:c.example.com;lr>"]);
    assert.equal(early.remoteTarget, "sip:bob@192.0.2.6");
  });

  test("a target refresh request replaces the remote target; one without Contact leaves it", () => {
    const d = Dialog.asUas(invite(), "b-local", "confirmed");
    const reinvite = (contact: string[]): SipRequest =>
      req([
        "INVITE sip:bob@192.0.2.4 SIP/2.0",
        "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKre",
        "Max-Forwards: 70",
        "From: <sip:alice@atlanta.example.com>;tag=a-tag",
        "To: <sip:bob@biloxi.example.com>;tag=b-local",
        "Call-ID: call-1@atlanta",
        "CSeq: 315 INVITE",
        ...contact,
      ]);
    d.refreshTarget(reinvite(['Contact: "Alice" <sip:alice@198.51.100.7:5080;transport=tcp>;expires=60']));
    assert.equal(d.remoteTarget, "sip:alice@198.51.100.7:5080;transport=tcp");
    d.refreshTarget(reinvite([]));
    assert.equal(d.remoteTarget, "sip:alice@198.51.100.7:5080;transport=tcp");
    assert.equal(d.createRequest("BYE", VIA_OUT).uriText, "sip:alice@198.51.100.7:5080;transport=tcp");
  });

  test("terminate() ends the dialog", () => {
    const d = Dialog.asUas(invite(), "t");
    d.terminate();
    assert.equal(d.state, "terminated");
  });
});

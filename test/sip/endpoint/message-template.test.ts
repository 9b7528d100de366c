import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { describeTemplate, matchesTemplate } from "../../../src/sip/endpoint/message-template.ts";
import { type SipMessage, parseMessage } from "../../../src/sip/message/index.ts";

function msg(lines: string[], body = ""): SipMessage {
  const r = parseMessage(lines.join("\r\n") + "\r\n\r\n" + body);
  assert.ok(r.ok);
  return r.message;
}

const COMMON = ["Via: SIP/2.0/UDP h;branch=z9hG4bK1", "From: <sip:a@b>;tag=1", "To: <sip:b@b>;tag=2", "Call-ID: tmpl-1"];
const ok200 = msg(["SIP/2.0 200 OK", ...COMMON, "CSeq: 2 REGISTER", "Service-Route: <sip:orig@scscf;lr>", "Expires: 600"]);
const r486 = msg(["SIP/2.0 486 Busy Here", ...COMMON, "CSeq: 1 INVITE"]);
const notify = msg(["NOTIFY sip:a@h SIP/2.0", ...COMMON, "CSeq: 5 NOTIFY", "Event: reg", "Content-Type: application/reginfo+xml", "Max-Forwards: 70"], "<reginfo/>");

describe("matchesTemplate", () => {
  test("method matches requests only; status by number, list or class", () => {
    assert.equal(matchesTemplate(notify, { method: "NOTIFY" }), true);
    assert.equal(matchesTemplate(notify, { method: "INVITE" }), false);
    assert.equal(matchesTemplate(ok200, { method: "REGISTER" }), false);
    assert.equal(matchesTemplate(ok200, { status: 200 }), true);
    assert.equal(matchesTemplate(ok200, { status: [401, 407] }), false);
    assert.equal(matchesTemplate(r486, { status: [480, 486] }), true);
    assert.equal(matchesTemplate(r486, { status: "4xx" }), true);
    assert.equal(matchesTemplate(r486, { status: "2xx" }), false);
    assert.equal(matchesTemplate(notify, { status: 200 }), false);
  });

  test("CSeq method, Call-ID, header conditions, body and a predicate", () => {
    assert.equal(matchesTemplate(ok200, { status: 200, cseqMethod: "REGISTER" }), true);
    assert.equal(matchesTemplate(ok200, { cseqMethod: "INVITE" }), false);
    assert.equal(matchesTemplate(ok200, { callId: "tmpl-1" }), true);
    assert.equal(matchesTemplate(ok200, { callId: "other" }), false);
    assert.equal(matchesTemplate(ok200, { headers: { "service-route": true, rseq: false } }), true);
    assert.equal(matchesTemplate(ok200, { headers: { rseq: true } }), false);
    assert.equal(matchesTemplate(ok200, { headers: { expires: "600" } }), true);
    assert.equal(matchesTemplate(ok200, { headers: { expires: "60" } }), false);
    assert.equal(matchesTemplate(ok200, { headers: { "Service-Route": /scscf/ } }), true);
    assert.equal(matchesTemplate(ok200, { headers: { contact: /x/ } }), false);
    assert.equal(matchesTemplate(ok200, { headers: { expires: (v) => Number(v) > 500 } }), true);
    assert.equal(matchesTemplate(notify, { body: /<reginfo/ }), true);
    assert.equal(matchesTemplate(notify, { body: /presence/ }), false);
    assert.equal(matchesTemplate(notify, { where: (m) => m.header("event") === "reg" }), true);
    assert.equal(
      matchesTemplate(notify, {
        where: () => {
          throw new Error("boom");
        },
      }),
      false,
    );
  });

  test("a message whose CSeq cannot be read does not match a CSeq condition (and does not throw)", () => {
    const bad = msg(["SIP/2.0 200 OK", ...COMMON, "CSeq: x"]);
    assert.equal(matchesTemplate(bad, { cseqMethod: "INVITE" }), false);
    assert.equal(matchesTemplate(bad, { status: 200 }), true);
  });
});

describe("describeTemplate", () => {
  test("words for a report", () => {
    assert.equal(describeTemplate({}), "any message");
    assert.equal(describeTemplate({ method: "NOTIFY", headers: { event: "reg", "subscription-state": /active/ } }), 'NOTIFY with event "reg", with subscription-state matching /active/');
    assert.equal(describeTemplate({ status: 200, cseqMethod: "REGISTER", headers: { "service-route": true, rseq: false } }), "200 response to REGISTER with service-route, without rseq");
    assert.equal(describeTemplate({ status: [401, 407], headers: { "www-authenticate": () => true }, body: /x/ }), "401 or 407 response with a matching www-authenticate, body matching /x/");
    assert.equal(describeTemplate({ status: "2xx" }), "2xx response");
    assert.equal(describeTemplate({ method: "BYE", description: "the BYE of UE-B" }), "the BYE of UE-B");
  });
});

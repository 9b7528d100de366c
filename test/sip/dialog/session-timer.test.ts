// RFC 4028 as data: the Session-Expires and Min-SE header fields, the UAS's choice for its 2xx, the
// retry after 422 and when each end acts.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { SipRequest, SipResponse, createResponse } from "../../../src/sip/message/index.ts";
import { byeAfterMs, minSEOf, refreshAfterMs, retryAfter422, sessionExpiresOf, supportsTimer, uasSessionTimer, weRefresh } from "../../../src/sip/dialog/session-timer.ts";

function invite(headers: Record<string, string> = {}): SipRequest {
  const r = new SipRequest("INVITE", "sip:bob@ims.test");
  r.addHeader("Via", "SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bKfirst");
  r.addHeader("From", "<sip:alice@ims.test>;tag=a1");
  r.addHeader("To", "<sip:bob@ims.test>");
  r.addHeader("Call-ID", "c1");
  r.addHeader("CSeq", "1 INVITE");
  for (const [n, v] of Object.entries(headers)) r.addHeader(n, v);
  r.setBody("v=0\r\n", "application/sdp");
  return r;
}

describe("Session-Expires and Min-SE (RFC 4028 4, 5)", () => {
  test("delta-seconds with the refresher parameter, in either case, and the compact form x", () => {
    assert.deepEqual(sessionExpiresOf(invite({ "Session-Expires": "1800;refresher=uac" })), { seconds: 1800, refresher: "uac" });
    assert.deepEqual(sessionExpiresOf(invite({ x: "90 ; Refresher=UAS;foo=bar" })), { seconds: 90, refresher: "uas" });
    assert.deepEqual(sessionExpiresOf(invite({ "Session-Expires": "4" })), { seconds: 4 });
    assert.equal(sessionExpiresOf(invite()), undefined);
    assert.equal(minSEOf(invite({ "Min-SE": "120" })), 120);
    assert.equal(minSEOf(invite()), undefined);
  });

  test("a value that is not delta-seconds, or a refresher that is neither uac nor uas, is a HeaderError naming the header", () => {
    assert.throws(() => sessionExpiresOf(invite({ "Session-Expires": "soon" })), /^HeaderError: Session-Expires: "soon" is not delta-seconds \(RFC 4028 4\)/);
    assert.throws(() => sessionExpiresOf(invite({ "Session-Expires": "90;refresher=both" })), /refresher "both" is neither uac nor uas/);
    assert.throws(() => minSEOf(invite({ "Min-SE": "-1" })), /^HeaderError: Min-SE: "-1" is not delta-seconds \(RFC 4028 5\)/);
  });

  test("timer in Supported or Require means support (RFC 4028 7.1)", () => {
    assert.equal(supportsTimer(invite({ Supported: "100rel, timer" })), true);
    assert.equal(supportsTimer(invite({ Require: "timer" })), true);
    assert.equal(supportsTimer(invite({ Supported: "100rel" })), false);
  });
});

describe("the UAS's 2xx (RFC 4028 9)", () => {
  test("keeps the interval and the refresher the request chose; Require: timer when the UAC refreshes", () => {
    assert.deepEqual(uasSessionTimer(invite({ Supported: "timer", "Session-Expires": "90;refresher=uac", "Min-SE": "90" })), {
      sessionExpires: { seconds: 90, refresher: "uac" },
      requireTimer: true,
    });
    assert.deepEqual(uasSessionTimer(invite({ Supported: "timer", "Session-Expires": "90;refresher=uas" }), { prefer: "uac" }), {
      sessionExpires: { seconds: 90, refresher: "uas" },
      requireTimer: false,
    });
  });

  test("chooses the refresher the request left open; a UAC that does not support timer cannot refresh", () => {
    assert.deepEqual(uasSessionTimer(invite({ Supported: "timer", "Session-Expires": "600" }), { prefer: "uas" })?.sessionExpires, { seconds: 600, refresher: "uas" });
    assert.deepEqual(uasSessionTimer(invite({ Supported: "timer", "Session-Expires": "600" }))?.sessionExpires, { seconds: 600, refresher: "uac" });
    // A Session-Expires a proxy inserted (RFC 4028 8.1) for a UAC without timer: the UAS refreshes
    assert.deepEqual(uasSessionTimer(invite({ "Session-Expires": "600" }), { prefer: "uac" }), { sessionExpires: { seconds: 600, refresher: "uas" }, requireTimer: false });
  });

  test("asks for an interval of its own only when the UAC supports timer, never below the request's Min-SE", () => {
    assert.deepEqual(uasSessionTimer(invite({ Supported: "timer", "Min-SE": "300" }), { expires: 120 })?.sessionExpires, { seconds: 300, refresher: "uac" });
    assert.equal(uasSessionTimer(invite({ Supported: "timer" })), undefined);
    assert.equal(uasSessionTimer(invite(), { expires: 120 }), undefined);
  });

  test("the refresher names an end of the transaction", () => {
    assert.equal(weRefresh("uac", true), true);
    assert.equal(weRefresh("uac", false), false);
    assert.equal(weRefresh("uas", false), true);
    assert.equal(weRefresh(undefined, true), false);
  });
});

describe("when each end acts (RFC 4028 10)", () => {
  test("the refresher at half the interval; the other end min(32 s, interval/3) before it ends", () => {
    assert.equal(refreshAfterMs(90), 45000);
    assert.equal(byeAfterMs(90), 60000);
    assert.equal(byeAfterMs(1800), 1768000);
    assert.equal(byeAfterMs(96), 64000);
    assert.equal(byeAfterMs(4), 4000 - 4000 / 3);
  });
});

describe("the INVITE again after 422 (RFC 4028 7.4)", () => {
  const first = invite({ Supported: "100rel, timer", "Session-Expires": "90;refresher=uac", "Min-SE": "90" });
  const tooSmall = (minSE?: string): SipResponse => {
    const r = createResponse(first, 422, { toTag: "core" });
    if (minSE !== undefined) r.addHeader("Min-SE", minSE);
    return r;
  };

  test("same Call-ID, From and To, the next CSeq, a new branch, Min-SE and Session-Expires raised to the 422's", () => {
    const retry = retryAfter422(first, tooSmall("1800"), "SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bKsecond");
    assert.ok(retry);
    assert.equal(retry.callId, "c1");
    assert.equal(retry.header("from"), "<sip:alice@ims.test>;tag=a1");
    assert.equal(retry.header("to"), "<sip:bob@ims.test>");
    assert.equal(retry.header("cseq"), "2 INVITE");
    assert.equal(retry.branch, "z9hG4bKsecond");
    assert.equal(retry.header("session-expires"), "1800;refresher=uac");
    assert.equal(retry.header("min-se"), "1800");
    assert.deepEqual(retry.optionTags("supported"), ["100rel", "timer"]);
    assert.equal(retry.bodyText, "v=0\r\n");
    assert.equal(first.header("cseq"), "1 INVITE", "the first INVITE is left as it was");
  });

  test("no retry when the 422 has no Min-SE (RFC 4028 6: it MUST), or one not above the interval asked for", () => {
    assert.equal(retryAfter422(first, tooSmall(), "SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bKx"), undefined);
    assert.equal(retryAfter422(first, tooSmall("90"), "SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bKx"), undefined);
    assert.equal(retryAfter422(first, tooSmall("soon"), "SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bKx"), undefined);
  });
});

// The reference core as a proxy that asks for session timers where the caller does (RFC 4028 8,
// TS 24.229 5.2.7.2): its minimum with 422 (8.1, 6), the interval raised for a UAC without timer
// (8.1), the 2xx completed for a UAS without timer (8.2), the state dropped at expiry without a BYE
// (8.3), and the fault strip-session-expires.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Deadline } from "../../src/sip/deadline.ts";
import { SipRequest, SipResponse, createResponse } from "../../src/sip/message/index.ts";
import { CoreSessionTimers } from "../../src/reference-core/session-timer.ts";
import { FaultSet } from "../../src/reference-core/faults.ts";
import type { Received } from "../../src/sip/endpoint/index.ts";
import { FakeClock } from "../support/fake-clock.ts";
import { Lab, SDP, SDP2, impu } from "./core-fixture.ts";

const within = (what: string): Deadline => Deadline.after(5000, what);

describe("the reference core and RFC 4028 session timers, through the core", () => {
  test("8.1: an interval below the core's minimum from a UAC with timer gets 422 with Min-SE; the caller's retry gets through (7.4)", async (t) => {
    const lab = await Lab.start(t);
    const alice = await lab.registered("alice");
    const bob = await lab.registered("bob");
    const call = alice.call(impu("bob"), { sdp: SDP, sessionTimer: { expires: 60, refresher: "uac" } });
    const inc = await bob.waitForCall(within("INVITE at Bob"));
    assert.equal(inc.invite.header("session-expires"), "90;refresher=uac");
    assert.equal(inc.invite.header("min-se"), "90");
    assert.deepEqual(
      call.retriedAfter.map((r) => `${r.status} Min-SE ${r.header("min-se") ?? "none"}`),
      ["422 Min-SE 90"],
    );
    const acked = inc.accept({ sdp: SDP2, sessionTimer: {} });
    const ok = await call.waitForFinal(within("200"));
    await acked;
    assert.equal(ok.header("session-expires"), "90;refresher=uac");
    assert.equal(call.sessionTimer?.seconds, 90);
    assert.ok(lab.core.log.some((l) => /INVITE sip:bob@ims\.example\.test: 422 \(Session-Expires 60 s is below the core's minimum of 90 s, RFC 4028 8\.1\)/.test(l)));
    assert.ok(lab.core.log.some((l) => l.startsWith(`session timer of Call-ID ${call.callId}: 90 s`)));
    assert.equal((await call.bye(within("BYE"))).status, 200);
  });

  test("8.1: for a UAC without timer the interval is raised to the core's minimum, Min-SE inserted, the refresher untouched", async (t) => {
    const lab = await Lab.start(t, { extra: { sessionMinSE: 120 } });
    const alice = await lab.registered("alice");
    const bob = await lab.registered("bob");
    const call = alice.call(impu("bob"), { sdp: SDP, headers: { "Session-Expires": "100;refresher=uas", "Min-SE": "100" } });
    const inc = await bob.waitForCall(within("INVITE at Bob"));
    assert.equal(inc.invite.header("session-expires"), "120;refresher=uas");
    assert.equal(inc.invite.header("min-se"), "120");
    assert.deepEqual(call.retriedAfter, []);
    inc.reject(486);
    assert.equal((await call.waitForFinal(within("486"))).status, 486);
  });

  test("8.2: the 2xx of a callee without session timers gets the interval, refresher=uac and Require: timer for a caller with timer", async (t) => {
    const lab = await Lab.start(t, { extra: { sessionMinSE: 3 } });
    const alice = await lab.registered("alice");
    const bob = await lab.registered("bob");
    const call = alice.call(impu("bob"), { sdp: SDP, sessionTimer: { expires: 30 } });
    const inc = await bob.waitForCall(within("INVITE at Bob"));
    const acked = inc.accept({ sdp: SDP2 });
    const ok = await call.waitForFinal(within("200"));
    await acked;
    assert.equal(ok.header("session-expires"), "30;refresher=uac");
    assert.deepEqual(ok.optionTags("require"), ["timer"]);
    assert.equal(call.sessionTimer?.refresher, true, "the caller refreshes");
    assert.equal(inc.sessionTimer, undefined);
    assert.ok(lab.core.log.some((l) => l.includes("Session-Expires 30;refresher=uac and Require: timer added (the UAS does not support session timers, RFC 4028 8.2)")));
    assert.equal((await call.bye(within("BYE"))).status, 200);
  });

  test("no session timer is forced on a call that asked for none", async (t) => {
    const lab = await Lab.start(t);
    const alice = await lab.registered("alice");
    const bob = await lab.registered("bob");
    const call = alice.call(impu("bob"), { sdp: SDP });
    const inc = await bob.waitForCall(within("INVITE at Bob"));
    assert.equal(inc.invite.header("session-expires"), undefined);
    assert.equal(inc.invite.header("min-se"), undefined);
    const acked = inc.accept({ sdp: SDP2, sessionTimer: {} });
    const ok = await call.waitForFinal(within("200"));
    await acked;
    assert.equal(ok.header("session-expires"), undefined);
    assert.equal(call.sessionTimer, undefined);
    assert.equal((await call.bye(within("BYE"))).status, 200);
  });

  test("fault strip-session-expires: the caller's 2xx has no Session-Expires and no timer in Require", async (t) => {
    const lab = await Lab.start(t, { faults: ["strip-session-expires"], extra: { sessionMinSE: 3 } });
    const alice = await lab.registered("alice");
    const bob = await lab.registered("bob");
    const call = alice.call(impu("bob"), { sdp: SDP, sessionTimer: { expires: 30, refresher: "uac" } });
    const inc = await bob.waitForCall(within("INVITE at Bob"));
    const acked = inc.accept({ sdp: SDP2, sessionTimer: {} });
    const ok = await call.waitForFinal(within("200"));
    await acked;
    assert.equal(ok.header("session-expires"), undefined);
    assert.deepEqual(ok.optionTags("require"), []);
    assert.deepEqual(ok.optionTags("supported"), ["timer"], "only what the fault removes is gone");
    assert.equal(call.sessionTimer, undefined, "RFC 4028 7.2: without Session-Expires the caller has no session timer");
    assert.ok(lab.core.log.some((l) => l === "fault strip-session-expires: 200 (INVITE) relayed without Session-Expires and Require: timer"));
    assert.equal((await call.bye(within("BYE"))).status, 200);
  });
});

describe("CoreSessionTimers on fake time", () => {
  function invite(headers: Record<string, string>, branch: string): SipRequest {
    const r = new SipRequest("INVITE", "sip:bob@127.0.0.1:5070");
    r.addHeader("Via", `SIP/2.0/UDP 127.0.0.1:5060;branch=${branch}`);
    r.addHeader("From", "<sip:alice@ims.example.test>;tag=a");
    r.addHeader("To", "<sip:bob@ims.example.test>");
    r.addHeader("Call-ID", "call-1");
    r.addHeader("CSeq", "1 INVITE");
    for (const [n, v] of Object.entries(headers)) r.addHeader(n, v);
    return r;
  }
  const ok = (req: SipRequest, se?: string): SipResponse => {
    const r = createResponse(req, 200, { toTag: "b" });
    if (se !== undefined) r.addHeader("Session-Expires", se);
    return r;
  };
  const copy = (r: SipResponse): SipResponse => {
    const c = new SipResponse(r.status, r.reason);
    for (const h of r.headers) c.headers.push({ ...h });
    return c;
  };

  test("8.3: a session not refreshed within its interval is dropped with a log line and no BYE; a refresh's 2xx starts it again; a BYE ends it", () => {
    const clock = new FakeClock();
    const log: string[] = [];
    const timers = new CoreSessionTimers({ clock, faults: new FaultSet(), log: (l) => log.push(l) }, 90);
    const req = invite({ Supported: "timer", "Session-Expires": "90;refresher=uac" }, "z9hG4bK1");
    const rec = { message: req } as unknown as Received;
    assert.equal(timers.request(rec, req, [req]), true);
    timers.sent([req], req);
    const down = ok(req, "90;refresher=uac");
    timers.response(down, copy(down));
    assert.deepEqual(timers.tracked, ["call-1"]);
    clock.advance(89_999);
    const refresh = ok(invite({ "Session-Expires": "90;refresher=uac" }, "z9hG4bK2"), "90;refresher=uac");
    timers.response(refresh, copy(refresh));
    clock.advance(89_999);
    assert.deepEqual(timers.tracked, ["call-1"], "the refresh started the interval again");
    clock.advance(1);
    assert.deepEqual(timers.tracked, []);
    assert.equal(log.at(-1), "session timer of Call-ID call-1: expired with no refresh in 90 s; its state dropped, no BYE sent (RFC 4028 8.3)");
    // A new session, ended by BYE before it expires
    timers.response(down, copy(down));
    const bye = new SipRequest("BYE", "sip:bob@127.0.0.1:5070");
    bye.addHeader("Call-ID", "call-1");
    timers.request({ message: bye } as unknown as Received, bye, [bye]);
    assert.deepEqual(timers.tracked, []);
    assert.equal(clock.pending(), 0);
  });

  test("8.1: a Session-Expires that is not delta-seconds is a HeaderError (the router answers 400)", () => {
    const timers = new CoreSessionTimers({ clock: new FakeClock(), faults: new FaultSet(), log: () => undefined });
    const req = invite({ "Session-Expires": "soon" }, "z9hG4bK3");
    assert.throws(() => timers.request({ message: req } as unknown as Received, req, [req]), /^HeaderError: Session-Expires: "soon" is not delta-seconds/);
    assert.equal(timers.minSE, 90, "RFC 4028 4, 5: 90 s unless the core is told less");
  });
});

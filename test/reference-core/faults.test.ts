// Each fault of the reference core and the symptom it causes at a UE, as an engineer meets it; plus
// the message helpers of src/reference-core/faults.ts.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FAULT_NAMES } from "../../src/profile/profile.ts";
import {
  FAULT_EFFECTS,
  FaultSet,
  ONE_WAY_AUDIO,
  bumpCSeq,
  misdirectAudio,
  strip100relFromProvisional,
  strip100relFromRequest,
  stripTelephoneEvent,
  unholdAnswer,
} from "../../src/reference-core/faults.ts";
import { Deadline } from "../../src/sip/deadline.ts";
import { ExpectationError } from "../../src/sip/failure.ts";
import { parseReginfo } from "../../src/sip/event/reginfo.ts";
import { parseAuthParams } from "../../src/sip/auth/index.ts";
import { SipRequest, SipResponse } from "../../src/sip/message/index.ts";
import { DOMAIN, Lab, SDP, impu } from "./core-fixture.ts";

describe("faults.ts", () => {
  test("every fault name has its effect described", () => {
    assert.deepEqual(Object.keys(FAULT_EFFECTS).sort(), [...FAULT_NAMES].sort());
  });

  test("FaultSet switches faults on and off and refuses unknown names", () => {
    const f = new FaultSet(["500-on-invite"]);
    assert.equal(f.has("500-on-invite"), true);
    f.set("500-on-invite", false);
    f.set("no-100rel", true);
    assert.deepEqual([...f.view], ["no-100rel"]);
    assert.throws(() => f.set("no-such-fault" as never, true), /unknown fault "no-such-fault"/);
  });

  test("the SDP faults: misdirectAudio, stripTelephoneEvent, unholdAnswer rewrite the body and leave a message without SDP alone", () => {
    const body =
      "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=recvonly\r\n";
    const sdp = (): SipRequest => new SipRequest("INVITE", "sip:b@x").setBody(body, "application/sdp");
    const a = sdp();
    assert.equal(misdirectAudio(a), true);
    assert.match(a.bodyText, new RegExp(`m=audio ${ONE_WAY_AUDIO.port} RTP/AVP 0 101\r\nc=IN IP4 ${ONE_WAY_AUDIO.host.replace(/\./g, "\\.")}\r\n`));
    const t = sdp();
    assert.equal(stripTelephoneEvent(t), true);
    assert.match(t.bodyText, /m=audio 40000 RTP\/AVP 0\r\n/);
    assert.doesNotMatch(t.bodyText, /telephone-event|fmtp/);
    const h = sdp();
    assert.equal(unholdAnswer(h), true);
    assert.match(h.bodyText, /a=sendrecv\r\n/);
    assert.doesNotMatch(h.bodyText, /recvonly/);
    const none = new SipRequest("MESSAGE", "sip:b@x").setBody("hello", "text/plain");
    assert.equal(misdirectAudio(none) || stripTelephoneEvent(none) || unholdAnswer(none), false);
    assert.equal(none.bodyText, "hello");
  });

  test("strip100relFromRequest keeps the other option tags", () => {
    const r = new SipRequest("INVITE", "sip:b@x");
    r.addHeader("Supported", "100rel, precondition");
    r.addHeader("Require", "100rel");
    strip100relFromRequest(r);
    assert.equal(r.header("supported"), "precondition");
    assert.equal(r.header("require"), undefined);
  });

  test("strip100relFromProvisional removes Require: 100rel and RSeq; bumpCSeq adds one", () => {
    const r = new SipResponse(183, "Session Progress");
    r.addHeader("CSeq", "7 INVITE");
    r.addHeader("Require", "100rel");
    r.addHeader("RSeq", "12");
    strip100relFromProvisional(r);
    bumpCSeq(r);
    assert.equal(r.header("require"), undefined);
    assert.equal(r.header("rseq"), undefined);
    assert.equal(r.header("cseq"), "8 INVITE");
  });
});

describe("faults of the reference core and their symptoms", () => {
  test("no-service-route: the 200 (REGISTER) carries no Service-Route", async (t) => {
    const lab = await Lab.start(t, { faults: ["no-service-route"] });
    const reg = await (await lab.ue("alice")).register({ expires: 600 });
    assert.equal(reg.final.status, 200);
    assert.deepEqual(reg.serviceRoute, []);
    assert.ok(lab.core.log.some((l) => l.startsWith("fault no-service-route")));
  });

  test("wrong-p-associated-uri: P-Associated-URI lists someone else", async (t) => {
    const lab = await Lab.start(t, { faults: ["wrong-p-associated-uri"] });
    const reg = await (await lab.ue("alice")).register({ expires: 600 });
    assert.deepEqual(reg.associatedUris, [`<sip:someone-else@${DOMAIN}>`]);
    assert.ok(!reg.associatedUris.includes(`<${impu("alice")}>`));
  });

  test("drop-first-notify: the UE waits in vain for the first NOTIFY; the next one arrives with version 1", async (t) => {
    const lab = await Lab.start(t, { faults: ["drop-first-notify"] });
    const ue = await lab.registered("alice");
    const sub = await ue.subscribeReg();
    assert.equal(sub.response?.status, 200);
    await assert.rejects(sub.waitForNotify(undefined, Deadline.after(700, "first NOTIFY")), (e: unknown) => e instanceof ExpectationError && /Timeout/.test(e.message));
    assert.ok(lab.core.log.some((l) => l.startsWith(`fault drop-first-notify: NOTIFY (reg, version 0`) && l.includes(ue.contact)));
    await ue.register({ expires: 600 });
    const n = await sub.waitForNotify();
    assert.equal((await parseReginfo(n.body)).version, 1, "version 0 never arrived");
  });

  test("no-100rel: the callee sees no 100rel, the caller a 183 without RSeq, nobody PRACKs", async (t) => {
    const lab = await Lab.start(t, { faults: ["no-100rel"] });
    const alice = await lab.registered("alice");
    const bob = await lab.registered("bob");
    const call = alice.call(impu("bob"), { sdp: SDP, reliable: "supported" });
    const incoming = await bob.waitForCall();
    assert.equal(incoming.callerSupports100rel, false);
    assert.deepEqual(incoming.invite.optionTags("supported"), []);
    const prack = incoming.provisional(183, { reliable: true, sdp: SDP, deadline: Deadline.after(800, "PRACK for the reliable 183") });
    const r183 = await call.waitForResponse(183);
    assert.equal(r183.header("rseq"), undefined);
    assert.deepEqual(r183.optionTags("require"), []);
    await assert.rejects(prack, (e: unknown) => e instanceof ExpectationError && /PRACK/.test(e.message));
    incoming.reject(500);
    await call.waitForFinal();
  });

  test("cseq-mismatch-in-response: the 200 (MESSAGE) carries CSeq 2 for a request with CSeq 1", async (t) => {
    const lab = await Lab.start(t, { faults: ["cseq-mismatch-in-response"] });
    const alice = await lab.registered("alice");
    await lab.registered("bob");
    const r = await alice.sendMessage(impu("bob"), "x");
    assert.equal(r.status, 200);
    assert.equal(r.header("cseq"), "2 MESSAGE");
    assert.ok(lab.core.log.some((l) => l.includes("relayed with CSeq 2 instead of 1")));
  });

  test("silent-after-401: the answer to the challenge is never answered (Timer F / deadline at the UE)", async (t) => {
    const lab = await Lab.start(t, { faults: ["silent-after-401"] });
    const ue = await lab.ue("alice");
    await assert.rejects(ue.register({ expires: 600, deadline: Deadline.after(1000, "REGISTER with credentials") }), (e: unknown) => e instanceof ExpectationError && /Timeout/.test(e.message));
    assert.ok(lab.core.log.some((l) => l.startsWith("fault silent-after-401: REGISTER")));
    assert.equal(lab.core.isRegistered(impu("alice")), false);
  });

  test("stale-nonce-loop: every answer is challenged again with stale=true; the registration never completes", async (t) => {
    const lab = await Lab.start(t, { faults: ["stale-nonce-loop"] });
    const ue = await lab.ue("alice");
    const reg = await ue.register({ expires: 600 });
    assert.deepEqual(
      reg.exchanges.map((e) => e.response.status),
      [401, 401, 401, 401],
    );
    for (const e of reg.exchanges.slice(1)) assert.equal(parseAuthParams(e.response.header("www-authenticate") ?? "").params["stale"], "true");
    assert.equal(lab.core.isRegistered(impu("alice")), false);
  });

  test("500-on-invite: the caller gets 500 from the core and the callee no INVITE", async (t) => {
    const lab = await Lab.start(t, { faults: ["500-on-invite"] });
    const alice = await lab.registered("alice");
    const bob = await lab.registered("bob");
    const final = await alice.call(impu("bob"), { sdp: SDP }).waitForFinal();
    assert.equal(final.status, 500);
    assert.equal(bob.incomingCalls.history.length, 0);
    // other requests still pass
    assert.equal((await alice.sendMessage(impu("bob"), "x")).status, 200);
  });

  test("strip-record-route: no Record-Route at the callee nor in the 200; the caller's route set is empty", async (t) => {
    const lab = await Lab.start(t, { faults: ["strip-record-route"] });
    const alice = await lab.registered("alice");
    const bob = await lab.registered("bob");
    const call = alice.call(impu("bob"), { sdp: SDP, reliable: false });
    const incoming = await bob.waitForCall();
    assert.deepEqual(incoming.invite.headerValues("record-route"), []);
    const [, final] = await Promise.all([incoming.accept({ sdp: SDP }), call.waitForFinal()]);
    assert.deepEqual(final.headerValues("record-route"), []);
    assert.deepEqual(call.confirmed?.routeSet, []);
    assert.equal((await call.bye()).status, 200);
  });

  test("setFault switches a fault on at run time", async (t) => {
    const lab = await Lab.start(t);
    const alice = await lab.registered("alice");
    await lab.registered("bob");
    lab.core.setFault("500-on-invite", true);
    assert.deepEqual([...lab.core.faults], ["500-on-invite"]);
    assert.equal((await alice.call(impu("bob"), { sdp: SDP }).waitForFinal()).status, 500);
    lab.core.setFault("500-on-invite", false);
    assert.equal(lab.core.faults.size, 0);
  });
});

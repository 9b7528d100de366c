// Calls and messages between registered UEs through the reference core as a stateful proxy
// (RFC 3261 16, TS 24.229 5.2.6 and 5.4.3): Record-Route, P-Asserted-Identity, in-dialog requests,
// reliable provisional responses, UPDATE, CANCEL, error responses and request retransmissions.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Deadline } from "../../src/sip/deadline.ts";
import { newCallId, newTag } from "../../src/sip/identifiers.ts";
import { SipRequest, SipResponse, serializeMessage } from "../../src/sip/message/index.ts";
import { Lab, SDP, SDP2, TEL, impu } from "./core-fixture.ts";

const PAIRS = [
  ["udp", "udp"],
  ["tcp", "tcp"],
  ["udp", "tcp"],
] as const;

describe("calls through the core", () => {
  for (const [a, b] of PAIRS) {
    test(`UE-A (${a.toUpperCase()}) calls UE-B (${b.toUpperCase()}): PAI, Record-Route, Max-Forwards, ACK and BYE through the core`, async (t) => {
      const lab = await Lab.start(t);
      const alice = await lab.registered("alice", a);
      const bob = await lab.registered("bob", b);
      const rr = `<sip:127.0.0.1:${lab.core.port};lr>`;
      const call = alice.call(impu("bob"), { sdp: SDP, reliable: false });
      const incoming = await bob.waitForCall();
      const invite = incoming.invite;
      assert.equal(invite.uriText, bob.contact, "RFC 3261 16.6 item 2: the Request-URI is the registered contact");
      assert.equal(invite.header("p-asserted-identity"), `<${impu("alice")}>`);
      assert.deepEqual(invite.headerValues("record-route"), [rr]);
      assert.deepEqual(invite.headerValues("route"), [], "the core removed the Routes pointing at itself");
      assert.equal(invite.header("max-forwards"), "69");
      assert.equal(invite.vias.length, 2, "the core's Via on top of UE-A's");
      assert.equal(invite.bodyText, SDP);
      await incoming.provisional(180);
      const [ack, final] = await Promise.all([incoming.accept({ sdp: SDP }), call.waitForFinal()]);
      assert.equal(final.status, 200);
      assert.deepEqual(final.headerValues("record-route"), [rr]);
      assert.equal(final.vias.length, 1, "the core removed its Via from the response");
      assert.deepEqual(call.confirmed?.routeSet, [rr]);
      assert.equal(ack.message.kind === "request" && ack.message.method, "ACK");
      assert.equal(call.responses.history.map((r) => r.status).join(","), "100,180,200", "the core's own 100 Trying (RFC 3261 16.2), then the relayed 180 and 200");
      const bye = await call.bye();
      assert.equal(bye.status, 200);
      const byeAtBob = await incoming.waitForRequest("BYE");
      assert.equal(byeAtBob.message.kind === "request" && byeAtBob.message.headerValues("route").length, 0);
      assert.ok(lab.core.log.some((l) => l.startsWith("forwarded BYE")));
    });
  }

  test("a call to the callee's tel: alias reaches its contact; the callee's BYE goes back through the core", async (t) => {
    const lab = await Lab.start(t);
    const alice = await lab.registered("alice");
    const bob = await lab.registered("bob", "tcp");
    const call = alice.call("tel:+1-555-123-0002", { sdp: SDP, reliable: false });
    const incoming = await bob.waitForCall();
    assert.equal(incoming.invite.uriText, bob.contact);
    assert.equal(incoming.invite.header("to"), "<tel:+1-555-123-0002>");
    const [, final] = await Promise.all([incoming.accept({ sdp: SDP }), call.waitForFinal()]);
    assert.equal(final.status, 200);
    assert.equal((await incoming.bye()).status, 200);
    const bye = await call.waitForRequest("BYE");
    assert.equal(bye.message.kind === "request" && bye.message.header("max-forwards"), "69");
  });

  test("reliable 183 with PRACK, then UPDATE, through the core (RFC 3262, RFC 3311)", async (t) => {
    const lab = await Lab.start(t);
    const alice = await lab.registered("alice");
    const bob = await lab.registered("bob");
    const call = alice.call(impu("bob"), { sdp: SDP, reliable: "supported" });
    const incoming = await bob.waitForCall();
    assert.ok(incoming.callerSupports100rel, "100rel survives the core");
    const prack = await incoming.provisional(183, { reliable: true, sdp: SDP });
    assert.ok(prack && prack.message.kind === "request");
    assert.equal(prack.message.method, "PRACK");
    const r183 = await call.waitForResponse(183);
    assert.deepEqual(r183.optionTags("require"), ["100rel"]);
    assert.equal(prack.message.header("rack"), `${r183.header("rseq")} ${call.invite.cseq.seq} INVITE`);
    const updating = call.update(SDP2);
    const update = await incoming.waitForRequest("UPDATE");
    incoming.answer(update, 200, SDP2);
    assert.equal((await updating).status, 200);
    const [, final] = await Promise.all([incoming.accept({ sdp: SDP2 }), call.waitForFinal()]);
    assert.equal(final.status, 200);
    assert.equal((await call.bye()).status, 200);
  });

  test("a re-INVITE and its ACK go through the core within the dialog", async (t) => {
    const lab = await Lab.start(t);
    const alice = await lab.registered("alice");
    const bob = await lab.registered("bob", "tcp");
    const call = alice.call(impu("bob"), { sdp: SDP, reliable: false });
    const incoming = await bob.waitForCall();
    await Promise.all([incoming.accept({ sdp: SDP }), call.waitForFinal()]);
    const reinviting = call.reinvite(SDP2);
    const reinvite = await incoming.waitForRequest("INVITE");
    assert.ok(reinvite.message.kind === "request");
    assert.equal(reinvite.message.uriText, bob.contact);
    assert.equal(reinvite.message.bodyText, SDP2);
    incoming.answer(reinvite, 200, SDP2);
    assert.equal((await reinviting).status, 200);
    const ack = await incoming.waitForRequest("ACK");
    assert.ok(ack.message.kind === "request");
    assert.equal(ack.message.cseq.seq, reinvite.message.cseq.seq);
    assert.ok(lab.core.log.some((l) => l.startsWith("forwarded ACK") && l.endsWith("(stateless)")));
    assert.equal((await call.bye()).status, 200);
  });

  test("a stray 2xx (no client transaction) is relayed statelessly by the Via below the core's (RFC 3261 16.11)", async (t) => {
    const lab = await Lab.start(t);
    const alice = await lab.registered("alice");
    const bob = await lab.registered("bob");
    const aliceAddr = alice.endpoint.local("udp");
    const r = new SipResponse(200, "OK");
    r.addHeader("Via", `SIP/2.0/UDP 127.0.0.1:${lab.core.port};branch=z9hG4bKstray1`);
    r.addHeader("Via", `SIP/2.0/UDP 127.0.0.1:${aliceAddr.port};branch=z9hG4bKstray0;rport=${aliceAddr.port};received=127.0.0.1`);
    r.addHeader("From", `<${impu("alice")}>;tag=a1`);
    r.addHeader("To", `<${impu("bob")}>;tag=b1`);
    const callId = newCallId();
    r.addHeader("Call-ID", callId);
    r.addHeader("CSeq", "1 INVITE");
    await bob.endpoint.sendStateless(r, { protocol: "udp", host: lab.core.host, port: lab.core.port });
    const got = await alice.endpoint.inbox.expect({ status: 200, callId }, Deadline.after(3000, "the relayed stray 200"));
    assert.deepEqual(got.message.headerValues("via"), [`SIP/2.0/UDP 127.0.0.1:${aliceAddr.port};branch=z9hG4bKstray0;rport=${aliceAddr.port};received=127.0.0.1`]);
  });

  test("CANCEL is answered hop by hop and the callee's 487 relayed (RFC 3261 16.10)", async (t) => {
    const lab = await Lab.start(t);
    const alice = await lab.registered("alice", "tcp");
    const bob = await lab.registered("bob");
    const call = alice.call(impu("bob"), { sdp: SDP, reliable: false });
    const incoming = await bob.waitForCall();
    await incoming.provisional(180);
    await call.waitForResponse(180);
    const cancelled = await call.cancel();
    assert.equal(cancelled.status, 200);
    const atBob = await incoming.waitForRequest("CANCEL");
    assert.equal(atBob.message.kind === "request" && atBob.message.cseq.seq, incoming.invite.cseq.seq);
    assert.equal((await call.waitForFinal()).status, 487);
  });

  test("a 486 Busy Here from the callee is relayed to the caller", async (t) => {
    const lab = await Lab.start(t);
    const alice = await lab.registered("alice");
    const bob = await lab.registered("bob", "tcp");
    const call = alice.call(impu("bob"), { sdp: SDP, reliable: false });
    (await bob.waitForCall()).reject(486);
    const final = await call.waitForFinal();
    assert.equal(final.status, 486);
    assert.equal(final.header("cseq"), `${call.invite.cseq.seq} INVITE`);
  });

  test("calls to a provisioned but unregistered IMPU get 480, to an unknown one 404 (TS 24.229 5.4.3.3)", async (t) => {
    const lab = await Lab.start(t);
    const alice = await lab.registered("alice");
    assert.equal((await alice.call(impu("erin"), { sdp: SDP }).waitForFinal()).status, 480);
    assert.equal((await alice.call(TEL.erin, { sdp: SDP }).waitForFinal()).status, 480);
    assert.equal((await alice.call(impu("nobody"), { sdp: SDP }).waitForFinal()).status, 404);
    assert.equal((await alice.call("tel:+15559999999", { sdp: SDP }).waitForFinal()).status, 404);
  });

  test("a request from an identity that is not registered is refused with 403", async (t) => {
    const lab = await Lab.start(t);
    await lab.registered("bob");
    const erin = await lab.ue("erin");
    assert.equal((await erin.sendMessage(impu("bob"), "hello")).status, 403);
  });
});

describe("messages through the core", () => {
  test("MESSAGE both ways, to the SIP IMPU and to the tel: alias, with P-Asserted-Identity", async (t) => {
    const lab = await Lab.start(t);
    const alice = await lab.registered("alice");
    const bob = await lab.registered("bob", "tcp");
    const r1 = await alice.sendMessage(impu("bob"), "hello bob");
    assert.equal(r1.status, 200);
    const m1 = await bob.waitForMessage();
    assert.equal(m1.message.bodyText, "hello bob");
    assert.equal(m1.message.header("p-asserted-identity"), `<${impu("alice")}>`);
    const r2 = await bob.sendMessage(TEL.alice, "hello alice");
    assert.equal(r2.status, 200);
    const m2 = await alice.waitForMessage();
    assert.equal(m2.message.bodyText, "hello alice");
    assert.equal(m2.message.header("p-asserted-identity"), `<${impu("bob")}>`);
  });

  test("P-Preferred-Identity naming the user's tel: alias becomes the P-Asserted-Identity", async (t) => {
    const lab = await Lab.start(t);
    const alice = await lab.registered("alice");
    const bob = await lab.registered("bob");
    assert.equal((await alice.sendMessage(impu("bob"), "x", { headers: { "P-Preferred-Identity": `<${TEL.alice}>` } })).status, 200);
    const m = await bob.waitForMessage();
    assert.equal(m.message.header("p-asserted-identity"), `<${TEL.alice}>`);
    assert.equal(m.message.header("p-preferred-identity"), undefined);
  });

  test("MESSAGE to an unregistered IMPU gets 480, to an unknown one 404", async (t) => {
    const lab = await Lab.start(t);
    const alice = await lab.registered("alice");
    assert.equal((await alice.sendMessage(impu("erin"), "x")).status, 480);
    assert.equal((await alice.sendMessage(impu("nobody"), "x")).status, 404);
  });

  test("a retransmitted MESSAGE over UDP gets the same response and is forwarded once (RFC 3261 17.2.2)", async (t) => {
    const lab = await Lab.start(t);
    const alice = await lab.registered("alice");
    const bob = await lab.registered("bob");
    const m = new SipRequest("MESSAGE", impu("bob"));
    m.addHeader("Via", alice.via());
    m.addHeader("Max-Forwards", 70);
    for (const route of alice.preloadedRoute()) m.addHeader("Route", route);
    m.addHeader("From", `<${impu("alice")}>;tag=${newTag()}`);
    m.addHeader("To", `<${impu("bob")}>`);
    m.addHeader("Call-ID", newCallId());
    m.addHeader("CSeq", "1 MESSAGE");
    m.setBody("once", "text/plain");
    const bytes = serializeMessage(m);
    const deadline = Deadline.after(5000, "response to MESSAGE");
    await alice.endpoint.sendStateless(bytes, alice.outbound);
    const first = await alice.endpoint.inbox.expect({ status: 200, cseqMethod: "MESSAGE" }, deadline);
    await alice.endpoint.sendStateless(bytes, alice.outbound);
    const second = await alice.endpoint.inbox.expect({ status: 200, cseqMethod: "MESSAGE" }, deadline);
    assert.equal(serializeMessage(second.message).toString(), serializeMessage(first.message).toString());
    await bob.waitForMessage();
    // a third copy is still absorbed; bob has seen exactly one
    await alice.endpoint.sendStateless(bytes, alice.outbound);
    await alice.endpoint.inbox.expect({ status: 200, cseqMethod: "MESSAGE" }, deadline);
    assert.equal(bob.messages.history.length, 1);
    assert.equal(lab.core.log.filter((l) => l.startsWith("forwarded MESSAGE")).length, 1);
  });
});

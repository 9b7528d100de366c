import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { SipRequest } from "../../../src/sip/message/index.ts";
import { InviteClientTransaction, buildNon2xxAck } from "../../../src/sip/transaction/index.ts";
import { buildRequest, buildResponse, recordingUser, setup, text, timesOf } from "./transaction-fixtures.ts";

function start(reliable = false, timers = {}) {
  const s = setup(reliable, timers);
  const invite = buildRequest("INVITE", {
    seq: 314,
    branch: "z9hG4bK-ict-1",
    lowerVias: ["SIP/2.0/UDP 198.51.100.1:5060;branch=z9hG4bK-lower"],
    routes: ["<sip:pcscf.example.com;lr>", "<sip:scscf.example.com;lr>"],
  });
  const user = recordingUser(s.clock);
  const tx = new InviteClientTransaction("ict-1", invite, s.ctx, user);
  return { ...s, invite, user, tx };
}

describe("INVITE client transaction (RFC 3261 17.1.1)", () => {
  test("over UDP, Timer A retransmits at T1 doubling, Timer B times out once at 64*T1", () => {
    const { clock, sent, user, tx, invite } = start();
    assert.equal(tx.state, "calling");
    clock.advance(31999);
    assert.deepEqual(timesOf(sent, "INVITE"), [0, 500, 1500, 3500, 7500, 15500, 31500]);
    assert.ok(sent.every((s) => s.message === invite));
    assert.deepEqual(user.timeouts, []);
    assert.equal(tx.state, "calling");
    clock.advance(1);
    assert.deepEqual(user.timeouts, [32000]);
    assert.equal(tx.state, "terminated");
    assert.equal(tx.terminated, true);
    assert.deepEqual(tx.runningTimers(), []);
    assert.equal(clock.pending(), 0);
    clock.advance(100000);
    assert.equal(sent.length, 7);
    assert.deepEqual(user.timeouts, [32000]);
    assert.deepEqual(user.responses, []);
  });

  test("over a reliable flow nothing is retransmitted and Timer B still fires at 64*T1", () => {
    const { clock, sent, user, tx } = start(true);
    assert.deepEqual(tx.runningTimers(), ["B"]);
    clock.advance(40000);
    assert.deepEqual(timesOf(sent, "INVITE"), [0]);
    assert.deepEqual(user.timeouts, [32000]);
    assert.equal(tx.state, "terminated");
    assert.equal(clock.pending(), 0);
  });

  test("a custom T1 scales Timers A and B", () => {
    const { clock, sent, user } = start(false, { t1: 100 });
    clock.advance(10000);
    assert.deepEqual(timesOf(sent, "INVITE"), [0, 100, 300, 700, 1500, 3100, 6300]);
    assert.deepEqual(user.timeouts, [6400]);
  });

  test("a 1xx moves to Proceeding, stops retransmissions and is passed up; Timer B no longer ends it", () => {
    const { clock, sent, user, tx, invite } = start();
    clock.advance(600);
    tx.receiveResponse(buildResponse(invite, 180, "Ringing"));
    assert.equal(tx.state, "proceeding");
    assert.deepEqual(
      user.responses.map((r) => [r.at, r.status]),
      [[600, 180]],
    );
    clock.advance(40000);
    assert.deepEqual(timesOf(sent, "INVITE"), [0, 500]);
    assert.deepEqual(user.timeouts, []);
    assert.equal(tx.state, "proceeding");
    tx.receiveResponse(buildResponse(invite, 183, "Session Progress"));
    assert.deepEqual(
      user.responses.map((r) => r.status),
      [180, 183],
    );
  });

  test("a 486 is acknowledged by the transaction with the ACK of RFC 3261 17.1.1.3, passed up once", () => {
    const { clock, sent, user, tx, invite } = start();
    clock.advance(1000);
    const busy = buildResponse(invite, 486, "Busy Here", "uas-tag-9");
    tx.receiveResponse(busy);
    assert.equal(tx.state, "completed");
    assert.equal(sent.length, 3);
    assert.equal(sent[2].at, 1000);
    const ack = sent[2].message as SipRequest;
    assert.ok(ack instanceof SipRequest);
    assert.equal(ack.method, "ACK");
    assert.equal(ack.uriText, invite.uriText);
    assert.deepEqual(ack.headerValues("via"), ["SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-ict-1"]);
    assert.deepEqual(ack.headerValues("route"), ["<sip:pcscf.example.com;lr>", "<sip:scscf.example.com;lr>"]);
    assert.equal(ack.header("to"), "<sip:bob@example.com>;tag=uas-tag-9");
    assert.equal(ack.header("from"), invite.header("from"));
    assert.equal(ack.header("call-id"), invite.header("call-id"));
    assert.equal(ack.header("cseq"), "314 ACK");
    assert.equal(ack.header("max-forwards"), "70");
    assert.equal(ack.body.length, 0);
    assert.deepEqual(
      user.responses.map((r) => [r.at, r.status]),
      [[1000, 486]],
    );

    // RFC 3261 17.1.1.2: a retransmitted final response re-sends the ACK and is not passed up
    clock.advance(1000);
    tx.receiveResponse(buildResponse(invite, 486, "Busy Here", "uas-tag-9"));
    assert.equal(sent.length, 4);
    assert.equal(sent[3].at, 2000);
    assert.equal(text(sent[3].message), text(ack));
    assert.equal(user.responses.length, 1);

    // no more INVITE retransmissions after the final response; Timer D is 32 s over UDP (from 1000)
    clock.advance(30999);
    assert.deepEqual(timesOf(sent, "INVITE"), [0, 500]);
    assert.equal(tx.state, "completed");
    assert.deepEqual(tx.runningTimers(), ["D"]);
    clock.advance(1);
    assert.equal(tx.state, "terminated");
    assert.equal(clock.pending(), 0);
    assert.deepEqual(user.timeouts, []);
  });

  test("Timer D is at least 32 s: 64*T1 when T1 is larger", () => {
    const { clock, tx, invite } = start(false, { t1: 1000 });
    tx.receiveResponse(buildResponse(invite, 603, "Decline"));
    clock.advance(63999);
    assert.equal(tx.state, "completed");
    clock.advance(1);
    assert.equal(tx.state, "terminated");
  });

  test("over a reliable flow Timer D is zero: the 486 is acknowledged and the transaction ends at once", () => {
    const { clock, sent, user, tx, invite } = start(true);
    clock.advance(200);
    tx.receiveResponse(buildResponse(invite, 486, "Busy Here"));
    assert.deepEqual(
      sent.map((s) => [s.at, (s.message as SipRequest).method]),
      [
        [0, "INVITE"],
        [200, "ACK"],
      ],
    );
    assert.equal(tx.state, "terminated");
    assert.equal(clock.pending(), 0);
    assert.deepEqual(
      user.responses.map((r) => r.status),
      [486],
    );
  });

  test("a 200 moves to Accepted (RFC 6026 7.2): no ACK from the transaction, 2xx retransmissions passed up, Timer M", () => {
    const { clock, sent, user, tx, invite } = start();
    clock.advance(700);
    tx.receiveResponse(buildResponse(invite, 200, "OK"));
    assert.equal(tx.state, "accepted");
    assert.deepEqual(tx.runningTimers(), ["M"]);
    clock.advance(300);
    tx.receiveResponse(buildResponse(invite, 200, "OK"));
    // a forked 2xx from another UAS is passed up too
    tx.receiveResponse(buildResponse(invite, 200, "OK", "other-uas"));
    // non-2xx finals are not passed up in Accepted
    tx.receiveResponse(buildResponse(invite, 486, "Busy Here"));
    assert.deepEqual(
      user.responses.map((r) => [r.at, r.status, r.response.toTag]),
      [
        [700, 200, "to-1"],
        [1000, 200, "to-1"],
        [1000, 200, "other-uas"],
      ],
    );
    assert.deepEqual(timesOf(sent, "INVITE"), [0, 500]);
    assert.deepEqual(timesOf(sent, "ACK"), []);
    clock.advance(31699); // Timer M = 64*T1 from 700
    assert.equal(tx.state, "accepted");
    clock.advance(1);
    assert.equal(tx.state, "terminated");
    assert.equal(clock.pending(), 0);
    assert.deepEqual(user.timeouts, []);
    tx.receiveResponse(buildResponse(invite, 200, "OK"));
    assert.equal(user.responses.length, 3);
  });

  test("Timer M runs over reliable flows too", () => {
    const { clock, tx, invite } = start(true);
    tx.receiveResponse(buildResponse(invite, 200, "OK"));
    clock.advance(31999);
    assert.equal(tx.state, "accepted");
    clock.advance(1);
    assert.equal(tx.state, "terminated");
  });

  test("a 200 after a 1xx also moves to Accepted", () => {
    const { clock, tx, invite, user } = start();
    tx.receiveResponse(buildResponse(invite, 100, "Trying"));
    clock.advance(5000);
    tx.receiveResponse(buildResponse(invite, 200, "OK"));
    assert.equal(tx.state, "accepted");
    clock.advance(64 * 500);
    assert.equal(tx.state, "terminated");
    assert.deepEqual(
      user.responses.map((r) => r.status),
      [100, 200],
    );
  });

  test("a transport error terminates the transaction and informs the TU (RFC 3261 17.1.4)", () => {
    const { clock, user, tx } = start();
    clock.advance(500);
    const err = new Error("ICMP unreachable");
    tx.transportError(err);
    assert.equal(tx.state, "terminated");
    assert.deepEqual(user.transportErrors, [err]);
    assert.equal(clock.pending(), 0);
    tx.transportError(new Error("again"));
    assert.equal(user.transportErrors.length, 1);
  });

  test("onTerminated listeners run once; dispose() clears every timer", () => {
    const { clock, tx } = start();
    let ended = 0;
    tx.onTerminated(() => ended++);
    assert.ok(clock.pending() > 0);
    tx.dispose();
    tx.dispose();
    assert.equal(ended, 1);
    assert.equal(clock.pending(), 0);
  });

  test("buildNon2xxAck takes To from the response, not from the INVITE", () => {
    const invite = buildRequest("INVITE", { seq: 7 });
    const ack = buildNon2xxAck(invite, buildResponse(invite, 404, "Not Found", "t404"));
    assert.equal(ack.header("to"), "<sip:bob@example.com>;tag=t404");
    assert.equal(ack.header("cseq"), "7 ACK");
    assert.deepEqual(ack.headerValues("route"), []);
  });
});

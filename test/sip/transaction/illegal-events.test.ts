// Issue 9, verdict discipline: every transaction checks its transitions (RFC 3261 17, RFC 6026 7).
// A message from the network with no transition in the current state is reported (evidence about
// the peer) and absorbed; a respond() by the TU with no transition throws (a bug of the harness).
// The legal retransmission cases are proven NOT to be reported.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { SipRequest } from "../../../src/sip/message/index.ts";
import {
  type IllegalTransactionEvent,
  InviteClientTransaction,
  InviteServerTransaction,
  NonInviteClientTransaction,
  NonInviteServerTransaction,
  TransactionLayer,
  TransactionUserError,
} from "../../../src/sip/transaction/index.ts";
import { FakeClock } from "../../support/fake-clock.ts";
import { buildRequest, buildResponse, memoryFlow, recordingUser, setup, timesOf } from "./transaction-fixtures.ts";

/** A transaction context that records what its transactions report. */
function reporting(reliable = false) {
  const s = setup(reliable);
  const reported: IllegalTransactionEvent[] = [];
  const ctx = { ...s.ctx, onIllegalEvent: (e: IllegalTransactionEvent) => void reported.push(e) };
  return { ...s, ctx, reported };
}

function ict(reliable = false) {
  const s = reporting(reliable);
  const invite = buildRequest("INVITE", { branch: "z9hG4bK-ict-i", seq: 1 });
  const user = recordingUser(s.clock);
  const tx = new InviteClientTransaction("ict-i", invite, s.ctx, user);
  return { ...s, invite, user, tx };
}

function nict(reliable = false) {
  const s = reporting(reliable);
  const request = buildRequest("MESSAGE", { branch: "z9hG4bK-nict-i", seq: 2 });
  const user = recordingUser(s.clock);
  const tx = new NonInviteClientTransaction("nict-i", request, s.ctx, user);
  return { ...s, request, user, tx };
}

function ist(reliable = false) {
  const s = reporting(reliable);
  const invite = buildRequest("INVITE", { branch: "z9hG4bK-ist-i", seq: 3 });
  const tx = new InviteServerTransaction("ist-i", invite, s.ctx);
  const acks: SipRequest[] = [];
  tx.setUser({ onAck: (a) => void acks.push(a) });
  const ack = () => buildRequest("ACK", { branch: "z9hG4bK-ist-i", seq: 3, toTag: "to-1" });
  return { ...s, invite, tx, acks, ack };
}

function nist(reliable = false) {
  const s = reporting(reliable);
  const request = buildRequest("BYE", { branch: "z9hG4bK-nist-i", seq: 4, toTag: "to-1" });
  const tx = new NonInviteServerTransaction("nist-i", request, s.ctx);
  return { ...s, request, tx };
}

/** The one event reported names the transaction, its state and the event, and cites a clause. */
function assertReported(reported: readonly IllegalTransactionEvent[], expected: { transaction: string; kind: string; state: string; event: string }, clause: RegExp): void {
  assert.equal(reported.length, 1, `one event reported, got ${JSON.stringify(reported.map((r) => r.event))}`);
  const e = reported[0];
  assert.deepEqual({ transaction: e.transaction, kind: e.kind, state: e.state, event: e.event }, expected);
  assert.match(e.detail, clause);
  assert.equal(typeof e.at, "number");
}

/** respond() throws a TransactionUserError naming the transaction, its state and the event. */
function assertMisuse(fn: () => void, expected: { transaction: string; state: string; event: string }): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof TransactionUserError);
    assert.deepEqual({ transaction: e.transaction, state: e.state, event: e.event }, expected);
    assert.ok(e.message.includes(expected.transaction) && e.message.includes(`state ${expected.state}`) && e.message.includes(expected.event), e.message);
    assert.match(e.message, /RFC (3261|6026) /);
    return true;
  });
}

describe("INVITE client transaction: illegal responses are reported (RFC 3261 17.1.1.2, RFC 6026 7.2)", () => {
  test("Accepted: a 1xx after the 2xx is reported, not passed up", () => {
    const { tx, invite, user, reported } = ict();
    tx.receiveResponse(buildResponse(invite, 200, "OK"));
    tx.receiveResponse(buildResponse(invite, 180, "Ringing"));
    assertReported(reported, { transaction: "ict-i", kind: "ict", state: "accepted", event: "response 180 Ringing" }, /RFC 6026 7\.2/);
    assert.deepEqual(
      user.responses.map((r) => r.status),
      [200],
    );
    assert.equal(tx.state, "accepted");
  });

  test("Accepted: a non-2xx final after the 2xx is reported, not passed up, not acknowledged", () => {
    const { tx, invite, user, sent, reported } = ict();
    tx.receiveResponse(buildResponse(invite, 200, "OK"));
    tx.receiveResponse(buildResponse(invite, 486, "Busy Here"));
    assertReported(reported, { transaction: "ict-i", kind: "ict", state: "accepted", event: "response 486 Busy Here" }, /RFC 6026 7\.2/);
    assert.deepEqual(
      user.responses.map((r) => r.status),
      [200],
    );
    assert.deepEqual(timesOf(sent, "ACK"), []);
  });

  test("Completed: a 1xx after the final response is reported", () => {
    const { tx, invite, reported, user } = ict();
    tx.receiveResponse(buildResponse(invite, 486, "Busy Here"));
    tx.receiveResponse(buildResponse(invite, 180, "Ringing"));
    assertReported(reported, { transaction: "ict-i", kind: "ict", state: "completed", event: "response 180 Ringing" }, /RFC 3261 17\.1\.1\.2/);
    assert.deepEqual(
      user.responses.map((r) => r.status),
      [486],
    );
  });

  test("Completed: a 2xx after a non-2xx final is reported, not passed up", () => {
    const { tx, invite, reported, user } = ict();
    tx.receiveResponse(buildResponse(invite, 486, "Busy Here"));
    tx.receiveResponse(buildResponse(invite, 200, "OK"));
    assertReported(reported, { transaction: "ict-i", kind: "ict", state: "completed", event: "response 200 OK" }, /RFC 3261 17\.1\.1\.2/);
    assert.deepEqual(
      user.responses.map((r) => r.status),
      [486],
    );
  });

  test("Completed: another non-2xx final (not a retransmission) is reported and not acknowledged", () => {
    const { tx, invite, reported, sent } = ict();
    tx.receiveResponse(buildResponse(invite, 486, "Busy Here"));
    tx.receiveResponse(buildResponse(invite, 603, "Decline"));
    assertReported(reported, { transaction: "ict-i", kind: "ict", state: "completed", event: "response 603 Decline" }, /RFC 3261 17\.1\.1\.2/);
    assert.equal(timesOf(sent, "ACK").length, 1);
  });

  test("Terminated: any response is reported", () => {
    const { tx, invite, reported, user } = ict(true);
    tx.receiveResponse(buildResponse(invite, 486, "Busy Here")); // reliable: Timer D is zero
    assert.equal(tx.state, "terminated");
    tx.receiveResponse(buildResponse(invite, 486, "Busy Here"));
    assertReported(reported, { transaction: "ict-i", kind: "ict", state: "terminated", event: "response 486 Busy Here" }, /RFC 3261 17\.1\.1\.2/);
    assert.equal(user.responses.length, 1);
  });

  test("legal: 1xx in Calling and Proceeding, a retransmitted final in Completed (ACK again), 2xx in Accepted are not reported", () => {
    const a = ict();
    a.tx.receiveResponse(buildResponse(a.invite, 100, "Trying"));
    a.tx.receiveResponse(buildResponse(a.invite, 180, "Ringing"));
    a.tx.receiveResponse(buildResponse(a.invite, 486, "Busy Here"));
    a.clock.advance(1000);
    a.tx.receiveResponse(buildResponse(a.invite, 486, "Busy Here"));
    a.tx.receiveResponse(buildResponse(a.invite, 486, "Busy Here"));
    assert.deepEqual(timesOf(a.sent, "ACK"), [0, 1000, 1000]);
    assert.deepEqual(a.reported, []);

    // RFC 6026 7.2: 2xx retransmissions and the 2xx of other forks in Accepted go to the TU
    const b = ict();
    b.tx.receiveResponse(buildResponse(b.invite, 200, "OK"));
    b.tx.receiveResponse(buildResponse(b.invite, 200, "OK"));
    b.tx.receiveResponse(buildResponse(b.invite, 200, "OK", "other-fork"));
    assert.deepEqual(
      b.user.responses.map((r) => r.status),
      [200, 200, 200],
    );
    assert.deepEqual(b.reported, []);
  });
});

describe("non-INVITE client transaction: illegal responses are reported (RFC 3261 17.1.2.2)", () => {
  test("Completed: a 1xx after the final response is reported, not passed up", () => {
    const { tx, request, reported, user } = nict();
    tx.receiveResponse(buildResponse(request, 200, "OK"));
    tx.receiveResponse(buildResponse(request, 100, "Trying"));
    assertReported(reported, { transaction: "nict-i", kind: "nict", state: "completed", event: "response 100 Trying" }, /RFC 3261 17\.1\.2\.2/);
    assert.deepEqual(
      user.responses.map((r) => r.status),
      [200],
    );
  });

  test("Completed: another final response is reported, not passed up", () => {
    const { tx, request, reported, user } = nict();
    tx.receiveResponse(buildResponse(request, 200, "OK"));
    tx.receiveResponse(buildResponse(request, 500, "Server Internal Error"));
    assertReported(reported, { transaction: "nict-i", kind: "nict", state: "completed", event: "response 500 Server Internal Error" }, /RFC 3261 17\.1\.2\.2/);
    assert.deepEqual(
      user.responses.map((r) => r.status),
      [200],
    );
  });

  test("Terminated: any response is reported", () => {
    const { tx, request, reported } = nict(true);
    tx.receiveResponse(buildResponse(request, 200, "OK")); // reliable: Timer K is zero
    assert.equal(tx.state, "terminated");
    tx.receiveResponse(buildResponse(request, 200, "OK"));
    assertReported(reported, { transaction: "nict-i", kind: "nict", state: "terminated", event: "response 200 OK" }, /RFC 3261 17\.1\.2\.2/);
  });

  test("legal: 1xx in Trying and Proceeding and a retransmitted final in Completed are not reported", () => {
    const { tx, request, reported, user, clock } = nict();
    tx.receiveResponse(buildResponse(request, 100, "Trying"));
    tx.receiveResponse(buildResponse(request, 100, "Trying"));
    tx.receiveResponse(buildResponse(request, 202, "Accepted"));
    clock.advance(1000);
    tx.receiveResponse(buildResponse(request, 202, "Accepted"));
    assert.deepEqual(
      user.responses.map((r) => r.status),
      [100, 100, 202],
    );
    assert.deepEqual(reported, []);
  });
});

describe("INVITE server transaction: illegal requests are reported, illegal respond() throws (RFC 3261 17.2.1, RFC 6026 7.1)", () => {
  test("Proceeding: an ACK before any final response is reported", () => {
    const { tx, reported, acks, ack } = ist();
    tx.receiveRequest(ack());
    assertReported(reported, { transaction: "ist-i", kind: "ist", state: "proceeding", event: "request ACK" }, /RFC 3261 17\.2\.1/);
    assert.equal(tx.state, "proceeding");
    assert.deepEqual(acks, []);
  });

  test("Confirmed: an INVITE retransmitted after the ACK is reported, nothing re-sent", () => {
    const { tx, invite, reported, ack, sent } = ist();
    tx.respond(buildResponse(invite, 486, "Busy Here"));
    tx.receiveRequest(ack());
    assert.equal(tx.state, "confirmed");
    tx.receiveRequest(invite);
    assertReported(reported, { transaction: "ist-i", kind: "ist", state: "confirmed", event: "request INVITE" }, /RFC 3261 17\.2\.1/);
    assert.equal(sent.length, 1);
  });

  test("Terminated: a request is reported", () => {
    const { tx, invite, reported } = ist();
    tx.dispose();
    tx.receiveRequest(invite);
    assertReported(reported, { transaction: "ist-i", kind: "ist", state: "terminated", event: "request INVITE" }, /RFC 3261 17\.2\.1/);
  });

  test("a method other than INVITE or ACK is reported (RFC 3261 17.2.3)", () => {
    const { tx, reported } = ist();
    tx.receiveRequest(buildRequest("BYE", { branch: "z9hG4bK-ist-i", seq: 3 }));
    assertReported(reported, { transaction: "ist-i", kind: "ist", state: "proceeding", event: "request BYE" }, /RFC 3261 17\.2\.3/);
  });

  test("Accepted: respond(1xx) after the 2xx throws, nothing is sent", () => {
    const { tx, invite, sent } = ist();
    tx.respond(buildResponse(invite, 200, "OK"));
    assertMisuse(() => tx.respond(buildResponse(invite, 180, "Ringing")), { transaction: "ist-i", state: "accepted", event: "respond 180" });
    assert.equal(sent.length, 1);
    assert.equal(tx.state, "accepted");
  });

  test("Accepted: respond(non-2xx) after the 2xx throws", () => {
    const { tx, invite, sent } = ist();
    tx.respond(buildResponse(invite, 200, "OK"));
    assertMisuse(() => tx.respond(buildResponse(invite, 500, "Server Internal Error")), { transaction: "ist-i", state: "accepted", event: "respond 500" });
    assert.equal(sent.length, 1);
  });

  test("Completed: respond() after the non-2xx final throws", () => {
    const { tx, invite, sent } = ist();
    tx.respond(buildResponse(invite, 486, "Busy Here"));
    assertMisuse(() => tx.respond(buildResponse(invite, 200, "OK")), { transaction: "ist-i", state: "completed", event: "respond 200" });
    assertMisuse(() => tx.respond(buildResponse(invite, 486, "Busy Here")), { transaction: "ist-i", state: "completed", event: "respond 486" });
    assert.equal(sent.length, 1);
  });

  test("Confirmed: respond() throws", () => {
    const { tx, invite, ack } = ist();
    tx.respond(buildResponse(invite, 486, "Busy Here"));
    tx.receiveRequest(ack());
    assertMisuse(() => tx.respond(buildResponse(invite, 180, "Ringing")), { transaction: "ist-i", state: "confirmed", event: "respond 180" });
  });

  test("Terminated: respond() throws", () => {
    const { tx, invite, clock } = ist();
    tx.respond(buildResponse(invite, 200, "OK"));
    clock.advance(32000); // Timer L
    assert.equal(tx.state, "terminated");
    assertMisuse(() => tx.respond(buildResponse(invite, 200, "OK")), { transaction: "ist-i", state: "terminated", event: "respond 200" });
  });

  test("legal: INVITE retransmissions in Proceeding, Completed and Accepted, ACKs in Completed and Confirmed, 2xx from the TU in Accepted are not reported", () => {
    const a = ist();
    a.tx.receiveRequest(a.invite); // Proceeding, nothing to resend yet
    a.tx.respond(buildResponse(a.invite, 180, "Ringing"));
    a.tx.receiveRequest(a.invite); // Proceeding: the 180 again
    a.tx.respond(buildResponse(a.invite, 486, "Busy Here"));
    a.tx.receiveRequest(a.invite); // Completed: the 486 again
    a.tx.receiveRequest(a.ack()); // Completed -> Confirmed
    a.tx.receiveRequest(a.ack()); // Confirmed: absorbed
    assert.deepEqual(
      a.sent.map((s) => (s.message as { status: number }).status),
      [180, 180, 486, 486],
    );
    assert.equal(a.acks.length, 1);
    assert.deepEqual(a.reported, []);

    // RFC 6026 7.1: in Accepted INVITE retransmissions are absorbed and the TU's 2xx retransmissions pass
    const b = ist();
    const ok = buildResponse(b.invite, 200, "OK");
    b.tx.respond(ok);
    b.tx.receiveRequest(b.invite);
    b.tx.respond(ok);
    assert.equal(timesOf(b.sent, 200).length, 2);
    assert.deepEqual(b.reported, []);
  });
});

describe("non-INVITE server transaction: illegal requests are reported, illegal respond() throws (RFC 3261 17.2.2)", () => {
  test("an ACK (another method) is reported (RFC 3261 17.2.3)", () => {
    const { tx, reported, sent } = nist();
    tx.respond(buildResponse(tx.request, 200, "OK"));
    tx.receiveRequest(buildRequest("ACK", { branch: "z9hG4bK-nist-i", seq: 4, toTag: "to-1" }));
    assertReported(reported, { transaction: "nist-i", kind: "nist", state: "completed", event: "request ACK" }, /RFC 3261 17\.2\.3/);
    assert.equal(sent.length, 1);
  });

  test("Terminated: a request is reported", () => {
    const { tx, request, reported } = nist(true);
    tx.respond(buildResponse(request, 200, "OK")); // reliable: Timer J is zero
    tx.receiveRequest(request);
    assertReported(reported, { transaction: "nist-i", kind: "nist", state: "terminated", event: "request BYE" }, /RFC 3261 17\.2\.2/);
  });

  test("Completed: respond() after the final response throws, nothing more is sent", () => {
    const { tx, request, sent } = nist();
    tx.respond(buildResponse(request, 200, "OK"));
    assertMisuse(() => tx.respond(buildResponse(request, 200, "OK")), { transaction: "nist-i", state: "completed", event: "respond 200" });
    assertMisuse(() => tx.respond(buildResponse(request, 100, "Trying")), { transaction: "nist-i", state: "completed", event: "respond 100" });
    assert.equal(sent.length, 1);
  });

  test("Terminated: respond() throws", () => {
    const { tx, request } = nist(true);
    tx.respond(buildResponse(request, 481, "Call/Transaction Does Not Exist"));
    assert.equal(tx.state, "terminated");
    assertMisuse(() => tx.respond(buildResponse(request, 200, "OK")), { transaction: "nist-i", state: "terminated", event: "respond 200" });
  });

  test("legal: retransmissions in Trying (discarded), Proceeding and Completed (last response again) are not reported", () => {
    const { tx, request, reported, sent } = nist();
    tx.receiveRequest(request);
    tx.respond(buildResponse(request, 100, "Trying"));
    tx.receiveRequest(request);
    tx.respond(buildResponse(request, 200, "OK"));
    tx.receiveRequest(request);
    assert.deepEqual(
      sent.map((s) => (s.message as { status: number }).status),
      [100, 100, 200, 200],
    );
    assert.deepEqual(reported, []);
  });
});

describe("TransactionLayer: illegal events are kept and told to listeners", () => {
  test("an ACK matching an INVITE server transaction in Proceeding is reported through the layer; unsubscribing stops the listener", () => {
    const clock = new FakeClock();
    const layer = new TransactionLayer({ clock });
    const flow = memoryFlow(clock, false);
    const heard: IllegalTransactionEvent[] = [];
    const stop = layer.onIllegalEvent((e) => void heard.push(e));
    const invite = buildRequest("INVITE", { branch: "z9hG4bK-layer-i", seq: 5 });
    const r = layer.receiveRequest(invite, flow);
    assert.equal(r.kind, "new");
    const ack = buildRequest("ACK", { branch: "z9hG4bK-layer-i", seq: 5, toTag: "to-1" });
    assert.equal(layer.receiveRequest(ack, flow).kind, "absorbed");
    assert.equal(heard.length, 1);
    assert.equal(heard[0].state, "proceeding");
    assert.equal(heard[0].event, "request ACK");
    assert.deepEqual(layer.illegalEvents, heard);

    stop();
    layer.receiveRequest(ack, flow);
    assert.equal(heard.length, 1);
    assert.equal(layer.illegalEvents.length, 2);
  });

  test("a 1xx after the final response of a client transaction is reported through the layer", () => {
    const clock = new FakeClock();
    const layer = new TransactionLayer({ clock });
    const flow = memoryFlow(clock, false);
    const options = buildRequest("OPTIONS", { branch: "z9hG4bK-layer-c", seq: 6 });
    layer.sendRequest(options, flow, recordingUser(clock));
    assert.equal(layer.receiveResponse(buildResponse(options, 200, "OK")), true);
    assert.equal(layer.receiveResponse(buildResponse(options, 200, "OK")), true); // retransmission: legal
    assert.equal(layer.receiveResponse(buildResponse(options, 183, "Session Progress")), true);
    assert.deepEqual(
      layer.illegalEvents.map((e) => [e.kind, e.state, e.event]),
      [["nict", "completed", "response 183 Session Progress"]],
    );
  });

  test("the ACK of a 2xx in Accepted goes to the TU and is not reported (RFC 6026 7.1)", () => {
    const clock = new FakeClock();
    const layer = new TransactionLayer({ clock });
    const flow = memoryFlow(clock, false);
    const invite = buildRequest("INVITE", { branch: "z9hG4bK-layer-a", seq: 7 });
    const r = layer.receiveRequest(invite, flow);
    assert.ok(r.kind === "new");
    r.transaction.respond(buildResponse(invite, 200, "OK"));
    assert.deepEqual(layer.receiveRequest(buildRequest("ACK", { branch: "z9hG4bK-layer-a", seq: 7, toTag: "to-1" }), flow), { kind: "ack" });
    assert.deepEqual(layer.illegalEvents, []);
  });
});

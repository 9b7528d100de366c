import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { SipRequest } from "../../../src/sip/message/index.ts";
import { InviteServerTransaction, type TimerSettings, TransactionUserError } from "../../../src/sip/transaction/index.ts";
import { buildRequest, buildResponse, setup, timesOf } from "./transaction-fixtures.ts";

function start(reliable = false, timers: Partial<TimerSettings> = {}) {
  const s = setup(reliable, timers);
  const invite = buildRequest("INVITE", { branch: "z9hG4bK-ist-1", seq: 10 });
  const tx = new InviteServerTransaction("ist-1", invite, s.ctx);
  const timeouts: number[] = [];
  const acks: Array<{ at: number; ack: SipRequest }> = [];
  const transportErrors: Error[] = [];
  tx.setUser({
    onTimeout: () => void timeouts.push(s.clock.now()),
    onAck: (ack) => void acks.push({ at: s.clock.now(), ack }),
    onTransportError: (e) => void transportErrors.push(e),
  });
  const ackOf = (toTag = "to-1") => buildRequest("ACK", { branch: "z9hG4bK-ist-1", seq: 10, toTag });
  return { ...s, invite, tx, timeouts, acks, transportErrors, ackOf };
}

describe("INVITE server transaction (RFC 3261 17.2.1, RFC 6026 7.1)", () => {
  test("starts in Proceeding without sending; provisional responses are sent once each, not retransmitted", () => {
    const { clock, sent, tx, invite } = start();
    assert.equal(tx.state, "proceeding");
    assert.deepEqual(sent, []);
    assert.equal(clock.pending(), 0);
    tx.receiveRequest(invite); // no response yet: nothing to resend
    assert.deepEqual(sent, []);
    tx.respond(buildResponse(invite, 100, "Trying"));
    clock.advance(100);
    tx.respond(buildResponse(invite, 180, "Ringing"));
    clock.advance(10000);
    assert.deepEqual(timesOf(sent, 100), [0]);
    assert.deepEqual(timesOf(sent, 180), [100]);
    assert.equal(tx.state, "proceeding");
  });

  test("a retransmitted INVITE in Proceeding gets the most recent provisional response again", () => {
    const { clock, sent, tx, invite } = start();
    tx.respond(buildResponse(invite, 100, "Trying"));
    const ringing = buildResponse(invite, 180, "Ringing");
    tx.respond(ringing);
    clock.advance(500);
    tx.receiveRequest(invite);
    assert.equal(sent.length, 3);
    assert.equal(sent[2].at, 500);
    assert.equal(sent[2].message, ringing);
    assert.equal(tx.lastResponse, ringing);
  });

  test("a 486 over UDP: Completed, Timer G from T1 doubling up to T2, Timer H at 64*T1 reports a timeout", () => {
    const { clock, sent, tx, invite, timeouts } = start();
    const busy = buildResponse(invite, 486, "Busy Here");
    tx.respond(busy);
    assert.equal(tx.state, "completed");
    clock.advance(31999);
    assert.deepEqual(timesOf(sent, 486), [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    assert.ok(sent.every((s) => s.message === busy));
    assert.deepEqual(timeouts, []);
    clock.advance(1);
    assert.deepEqual(timeouts, [32000]);
    assert.equal(tx.state, "terminated");
    assert.equal(clock.pending(), 0);
  });

  test("custom T1=100, T2=400 are honoured by Timers G and H", () => {
    const { clock, sent, tx, invite, timeouts } = start(false, { t1: 100, t2: 400 });
    tx.respond(buildResponse(invite, 603, "Decline"));
    clock.advance(10000);
    assert.deepEqual(timesOf(sent, 603), [0, 100, 300, 700, 1100, 1500, 1900, 2300, 2700, 3100, 3500, 3900, 4300, 4700, 5100, 5500, 5900, 6300]);
    assert.deepEqual(timeouts, [6400]);
  });

  test("in Completed a retransmitted INVITE gets the final response again; other responses from the TU throw", () => {
    const { clock, sent, tx, invite } = start();
    tx.respond(buildResponse(invite, 180, "Ringing"));
    clock.advance(100);
    tx.respond(buildResponse(invite, 486, "Busy Here"));
    clock.advance(200);
    tx.receiveRequest(invite);
    assert.throws(() => tx.respond(buildResponse(invite, 200, "OK")), TransactionUserError);
    assert.throws(() => tx.respond(buildResponse(invite, 500, "Server Internal Error")), TransactionUserError);
    assert.deepEqual(
      sent.map((s) => [s.at, (s.message as { status: number }).status]),
      [
        [0, 180],
        [100, 486],
        [300, 486],
      ],
    );
    assert.equal(tx.state, "completed");
  });

  test("the ACK moves Completed -> Confirmed: Timer G and H stop, the ACK is reported once, Timer I = T4", () => {
    const { clock, sent, tx, invite, acks, timeouts, ackOf } = start();
    tx.respond(buildResponse(invite, 486, "Busy Here"));
    clock.advance(2000);
    const ack = ackOf();
    tx.receiveRequest(ack);
    assert.equal(tx.state, "confirmed");
    assert.deepEqual(tx.runningTimers(), ["I"]);
    assert.deepEqual(acks, [{ at: 2000, ack }]);
    clock.advance(1000);
    tx.receiveRequest(ack); // absorbed in Confirmed
    tx.receiveRequest(invite); // absorbed in Confirmed
    assert.equal(acks.length, 1);
    clock.advance(3999); // Timer I from 2000
    assert.equal(tx.state, "confirmed");
    clock.advance(1);
    assert.equal(tx.state, "terminated");
    assert.equal(clock.pending(), 0);
    assert.deepEqual(timesOf(sent, 486), [0, 500, 1500]);
    assert.deepEqual(timeouts, []);
  });

  test("over a reliable flow: no Timer G, Timer H still 64*T1, Timer I zero", () => {
    const a = start(true);
    a.tx.respond(buildResponse(a.invite, 486, "Busy Here"));
    assert.deepEqual(a.tx.runningTimers(), ["H"]);
    a.clock.advance(32000);
    assert.deepEqual(timesOf(a.sent, 486), [0]);
    assert.deepEqual(a.timeouts, [32000]);

    const b = start(true);
    b.tx.respond(buildResponse(b.invite, 486, "Busy Here"));
    b.clock.advance(50);
    b.tx.receiveRequest(b.ackOf());
    assert.equal(b.tx.state, "terminated");
    assert.equal(b.acks.length, 1);
    assert.equal(b.clock.pending(), 0);
  });

  test("a 2xx moves to Accepted (RFC 6026 7.1): no retransmission by the transaction, INVITE retransmissions absorbed, Timer L", () => {
    const { clock, sent, tx, invite, timeouts, acks } = start();
    tx.respond(buildResponse(invite, 180, "Ringing"));
    clock.advance(1000);
    const ok = buildResponse(invite, 200, "OK");
    tx.respond(ok);
    assert.equal(tx.state, "accepted");
    assert.deepEqual(tx.runningTimers(), ["L"]);
    clock.advance(500);
    tx.receiveRequest(invite); // absorbed: the 2xx is retransmitted by the TU, not the transaction
    assert.throws(() => tx.respond(buildResponse(invite, 183, "Session Progress")), TransactionUserError); // no provisional after the 2xx
    assert.throws(() => tx.respond(buildResponse(invite, 486, "Busy Here")), TransactionUserError); // no non-2xx after the 2xx
    assert.deepEqual(
      sent.map((s) => [s.at, (s.message as { status: number }).status]),
      [
        [0, 180],
        [1000, 200],
      ],
    );
    clock.advance(500);
    tx.respond(ok); // the TU's 2xx retransmission passes through
    assert.deepEqual(timesOf(sent, 200), [1000, 2000]);
    clock.advance(30999); // Timer L = 64*T1 from 1000
    assert.equal(tx.state, "accepted");
    assert.deepEqual(timesOf(sent, 200), [1000, 2000]);
    clock.advance(1);
    assert.equal(tx.state, "terminated");
    assert.equal(clock.pending(), 0);
    assert.deepEqual(timeouts, []);
    assert.deepEqual(acks, []);
  });

  test("Timer L runs over reliable flows too", () => {
    const { clock, tx, invite } = start(true);
    tx.respond(buildResponse(invite, 200, "OK"));
    clock.advance(31999);
    assert.equal(tx.state, "accepted");
    clock.advance(1);
    assert.equal(tx.state, "terminated");
  });

  test("RFC 6026 7.1: a transport error informs the TU but the state machine stays where it is", () => {
    const { clock, sent, tx, invite, transportErrors, timeouts } = start();
    const e1 = new Error("send failed in Proceeding");
    tx.transportError(e1);
    assert.equal(tx.state, "proceeding");
    tx.respond(buildResponse(invite, 486, "Busy Here"));
    const e2 = new Error("send failed in Completed");
    tx.transportError(e2);
    assert.equal(tx.state, "completed");
    assert.deepEqual(transportErrors, [e1, e2]);
    clock.advance(32000); // the timers still run and end it
    assert.deepEqual(timesOf(sent, 486).length, 11);
    assert.deepEqual(timeouts, [32000]);
    assert.equal(tx.state, "terminated");
    tx.transportError(new Error("after the end"));
    assert.equal(transportErrors.length, 2);

    const a = start();
    a.tx.respond(buildResponse(a.invite, 200, "OK"));
    a.tx.transportError(new Error("send failed in Accepted"));
    assert.equal(a.tx.state, "accepted");
    assert.equal(a.transportErrors.length, 1);
  });

  test("dispose() ends the transaction and clears Timers G and H", () => {
    const { clock, tx, invite } = start();
    tx.respond(buildResponse(invite, 480, "Temporarily Unavailable"));
    assert.deepEqual(tx.runningTimers().sort(), ["G", "H"]);
    tx.dispose();
    assert.equal(tx.state, "terminated");
    assert.equal(clock.pending(), 0);
  });
});

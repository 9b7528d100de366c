import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { NonInviteServerTransaction, type TimerSettings, TransactionUserError } from "../../../src/sip/transaction/index.ts";
import { buildRequest, buildResponse, setup, timesOf } from "./transaction-fixtures.ts";

function start(reliable = false, timers: Partial<TimerSettings> = {}) {
  const s = setup(reliable, timers);
  const bye = buildRequest("BYE", { branch: "z9hG4bK-nist-1", seq: 11, toTag: "to-1" });
  const tx = new NonInviteServerTransaction("nist-1", bye, s.ctx);
  const transportErrors: Error[] = [];
  tx.setUser({ onTransportError: (e) => void transportErrors.push(e) });
  return { ...s, bye, tx, transportErrors };
}

const statuses = (sent: ReturnType<typeof setup>["sent"]) => sent.map((s) => [s.at, (s.message as { status: number }).status]);

describe("non-INVITE server transaction (RFC 3261 17.2.2)", () => {
  test("in Trying, request retransmissions are discarded and nothing is sent", () => {
    const { clock, sent, tx, bye } = start();
    assert.equal(tx.state, "trying");
    tx.receiveRequest(bye);
    clock.advance(40000);
    assert.deepEqual(sent, []);
    assert.equal(tx.state, "trying");
    assert.equal(clock.pending(), 0);
  });

  test("in Proceeding, a retransmission gets the most recent provisional response again", () => {
    const { clock, sent, tx, bye } = start();
    tx.respond(buildResponse(bye, 100, "Trying"));
    assert.equal(tx.state, "proceeding");
    clock.advance(100);
    tx.respond(buildResponse(bye, 183, "Session Progress"));
    clock.advance(400);
    tx.receiveRequest(bye);
    assert.deepEqual(statuses(sent), [
      [0, 100],
      [100, 183],
      [500, 183],
    ]);
  });

  test("a final response -> Completed; retransmissions get it again; later responses from the TU throw; Timer J = 64*T1 over UDP", () => {
    const { clock, sent, tx, bye } = start();
    clock.advance(1000);
    const ok = buildResponse(bye, 200, "OK");
    tx.respond(ok);
    assert.equal(tx.state, "completed");
    assert.deepEqual(tx.runningTimers(), ["J"]);
    clock.advance(1000);
    tx.receiveRequest(bye);
    assert.throws(() => tx.respond(buildResponse(bye, 500, "Server Internal Error")), TransactionUserError);
    assert.throws(() => tx.respond(buildResponse(bye, 180, "Ringing")), TransactionUserError);
    assert.deepEqual(statuses(sent), [
      [1000, 200],
      [2000, 200],
    ]);
    assert.equal(sent[1].message, ok);
    assert.equal(tx.lastResponse, ok);
    clock.advance(30999); // Timer J from 1000
    assert.equal(tx.state, "completed");
    assert.equal(sent.length, 2); // the final response is not retransmitted on a timer
    clock.advance(1);
    assert.equal(tx.state, "terminated");
    assert.equal(clock.pending(), 0);
    tx.receiveRequest(bye);
    assert.equal(sent.length, 2);
  });

  test("a final response after a provisional one -> Completed", () => {
    const { sent, tx, bye } = start();
    tx.respond(buildResponse(bye, 100, "Trying"));
    tx.respond(buildResponse(bye, 481, "Call/Transaction Does Not Exist"));
    assert.equal(tx.state, "completed");
    tx.receiveRequest(bye);
    assert.deepEqual(
      sent.map((s) => (s.message as { status: number }).status),
      [100, 481, 481],
    );
  });

  test("custom T1 scales Timer J", () => {
    const { clock, tx, bye } = start(false, { t1: 100 });
    tx.respond(buildResponse(bye, 200, "OK"));
    clock.advance(6399);
    assert.equal(tx.state, "completed");
    clock.advance(1);
    assert.equal(tx.state, "terminated");
  });

  test("over a reliable flow Timer J is zero: Terminated as soon as the final response is sent", () => {
    const { clock, sent, tx, bye } = start(true);
    tx.respond(buildResponse(bye, 100, "Trying"));
    assert.equal(tx.state, "proceeding");
    clock.advance(10);
    tx.respond(buildResponse(bye, 200, "OK"));
    assert.equal(tx.state, "terminated");
    assert.equal(clock.pending(), 0);
    assert.deepEqual(timesOf(sent, 200), [10]);
  });

  test("a transport error terminates the transaction and informs the TU once", () => {
    const { clock, tx, bye, transportErrors } = start();
    tx.respond(buildResponse(bye, 200, "OK"));
    const err = new Error("unreachable");
    tx.transportError(err);
    tx.transportError(err);
    assert.equal(tx.state, "terminated");
    assert.deepEqual(transportErrors, [err]);
    assert.equal(clock.pending(), 0);
  });
});

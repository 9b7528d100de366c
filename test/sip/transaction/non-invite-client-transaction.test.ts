import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { NonInviteClientTransaction, type TimerSettings } from "../../../src/sip/transaction/index.ts";
import { buildRequest, buildResponse, recordingUser, setup, timesOf } from "./transaction-fixtures.ts";

function start(reliable = false, timers: Partial<TimerSettings> = {}) {
  const s = setup(reliable, timers);
  const register = buildRequest("REGISTER", { branch: "z9hG4bK-nict-1", uri: "sip:ims.example.com", seq: 2 });
  const user = recordingUser(s.clock);
  const tx = new NonInviteClientTransaction("nict-1", register, s.ctx, user);
  return { ...s, register, user, tx };
}

describe("non-INVITE client transaction (RFC 3261 17.1.2)", () => {
  test("in Trying, Timer E doubles from T1 up to T2; Timer F times out once at 64*T1", () => {
    const { clock, sent, user, tx, register } = start();
    assert.equal(tx.state, "trying");
    clock.advance(31999);
    assert.deepEqual(timesOf(sent, "REGISTER"), [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    assert.ok(sent.every((s) => s.message === register));
    assert.deepEqual(user.timeouts, []);
    clock.advance(1);
    assert.deepEqual(user.timeouts, [32000]);
    assert.equal(tx.state, "terminated");
    assert.deepEqual(tx.runningTimers(), []);
    assert.equal(clock.pending(), 0);
    clock.advance(60000);
    assert.equal(sent.length, 11);
    assert.deepEqual(user.timeouts, [32000]);
  });

  test("in Proceeding, Timer E fires once more on its schedule and is then reset to T2 every time", () => {
    const { clock, sent, user, tx, register } = start();
    clock.advance(600);
    tx.receiveResponse(buildResponse(register, 100, "Trying"));
    assert.equal(tx.state, "proceeding");
    assert.deepEqual(
      user.responses.map((r) => [r.at, r.status]),
      [[600, 100]],
    );
    clock.advance(40000);
    // Trying would have continued 3500, 7500; Proceeding goes 1500, then every T2
    assert.deepEqual(timesOf(sent, "REGISTER"), [0, 500, 1500, 5500, 9500, 13500, 17500, 21500, 25500, 29500]);
    // RFC 3261 17.1.2.2: Timer F fires in Proceeding too
    assert.deepEqual(user.timeouts, [32000]);
    assert.equal(tx.state, "terminated");
    assert.equal(clock.pending(), 0);
  });

  test("a final response in Trying -> Completed, passed up once; retransmissions stop; Timer K = T4 over UDP", () => {
    const { clock, sent, user, tx, register } = start();
    clock.advance(2000);
    tx.receiveResponse(buildResponse(register, 401, "Unauthorized"));
    assert.equal(tx.state, "completed");
    assert.deepEqual(tx.runningTimers(), ["K"]);
    clock.advance(1000);
    tx.receiveResponse(buildResponse(register, 401, "Unauthorized"));
    tx.receiveResponse(buildResponse(register, 200, "OK"));
    tx.receiveResponse(buildResponse(register, 180, "Ringing"));
    assert.deepEqual(
      user.responses.map((r) => [r.at, r.status]),
      [[2000, 401]],
    );
    clock.advance(3999); // Timer K from 2000
    assert.equal(tx.state, "completed");
    clock.advance(1);
    assert.equal(tx.state, "terminated");
    assert.equal(clock.pending(), 0);
    assert.deepEqual(timesOf(sent, "REGISTER"), [0, 500, 1500]);
    assert.equal(sent.length, 3);
    assert.deepEqual(user.timeouts, []);
  });

  test("a final response in Proceeding -> Completed", () => {
    const { clock, user, tx, register } = start();
    tx.receiveResponse(buildResponse(register, 100, "Trying"));
    clock.advance(10000);
    tx.receiveResponse(buildResponse(register, 200, "OK"));
    assert.equal(tx.state, "completed");
    clock.advance(5000);
    assert.equal(tx.state, "terminated");
    assert.deepEqual(
      user.responses.map((r) => [r.at, r.status]),
      [
        [0, 100],
        [10000, 200],
      ],
    );
  });

  test("over a reliable flow: no Timer E, Timer F at 64*T1, Timer K zero", () => {
    const a = start(true);
    assert.deepEqual(a.tx.runningTimers(), ["F"]);
    a.clock.advance(31999);
    assert.deepEqual(timesOf(a.sent, "REGISTER"), [0]);
    a.clock.advance(1);
    assert.deepEqual(a.user.timeouts, [32000]);

    const b = start(true);
    b.clock.advance(300);
    b.tx.receiveResponse(buildResponse(b.register, 200, "OK"));
    assert.equal(b.tx.state, "terminated");
    assert.equal(b.clock.pending(), 0);
    assert.deepEqual(
      b.user.responses.map((r) => [r.at, r.status]),
      [[300, 200]],
    );
    b.tx.receiveResponse(buildResponse(b.register, 200, "OK"));
    assert.equal(b.user.responses.length, 1);
  });

  test("custom T1=100, T2=400, T4=1000 are honoured by Timers E, F and K", () => {
    const a = start(false, { t1: 100, t2: 400, t4: 1000 });
    a.clock.advance(10000);
    assert.deepEqual(timesOf(a.sent, "REGISTER"), [0, 100, 300, 700, 1100, 1500, 1900, 2300, 2700, 3100, 3500, 3900, 4300, 4700, 5100, 5500, 5900, 6300]);
    assert.deepEqual(a.user.timeouts, [6400]);

    const b = start(false, { t1: 100, t2: 400, t4: 1000 });
    b.clock.advance(2000);
    b.tx.receiveResponse(buildResponse(b.register, 200, "OK"));
    b.clock.advance(999);
    assert.equal(b.tx.state, "completed");
    b.clock.advance(1);
    assert.equal(b.tx.state, "terminated");
  });

  test("a transport error terminates the transaction and informs the TU once (RFC 3261 17.1.4)", () => {
    const { clock, user, tx } = start();
    const err = new Error("connection refused");
    tx.transportError(err);
    tx.transportError(err);
    assert.equal(tx.state, "terminated");
    assert.deepEqual(user.transportErrors, [err]);
    assert.equal(clock.pending(), 0);
  });
});

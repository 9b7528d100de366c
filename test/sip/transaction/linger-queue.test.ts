// The waits before Terminated (Timers D, I, J, K, L, M) run on one clock timer per duration: each
// ends exactly when due, in order, a stopped one ends nothing, and a layer's transactions use it.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { LingerQueue, TransactionLayer } from "../../../src/sip/transaction/index.ts";
import { FakeClock } from "../../support/fake-clock.ts";
import { buildRequest, buildResponse, memoryFlow, recordingUser } from "./transaction-fixtures.ts";

function waiter(clock: FakeClock, ended: Array<[string, number, number]>, name: string) {
  return { lingerEnded: (at: number) => void ended.push([name, at, clock.now()]) };
}

describe("LingerQueue", () => {
  test("each wait ends exactly when due, in order, on one clock timer per duration", () => {
    const clock = new FakeClock();
    const queue = new LingerQueue(clock);
    const ended: Array<[string, number, number]> = [];
    queue.add(waiter(clock, ended, "a"), 100);
    clock.advance(10);
    queue.add(waiter(clock, ended, "b"), 100);
    queue.add(waiter(clock, ended, "c"), 30);
    clock.advance(10);
    queue.add(waiter(clock, ended, "d"), 100);
    assert.equal(queue.size, 4);
    assert.equal(clock.pending(), 2, "one timer for 100 ms, one for 30 ms");
    clock.advance(200);
    assert.deepEqual(ended, [
      ["c", 40, 40],
      ["a", 100, 100],
      ["b", 110, 110],
      ["d", 120, 120],
    ]);
    assert.equal(queue.size, 0);
    assert.equal(clock.pending(), 0, "no timer once nothing waits");
  });

  test("cancel ends one wait without telling it; others due at the same time still end", () => {
    const clock = new FakeClock();
    const queue = new LingerQueue(clock);
    const ended: Array<[string, number, number]> = [];
    const a = waiter(clock, ended, "a");
    const b = waiter(clock, ended, "b");
    const c = waiter(clock, ended, "c");
    queue.add(a, 100);
    const at = queue.add(b, 100);
    queue.add(c, 100);
    queue.cancel(b, at);
    queue.cancel(waiter(clock, ended, "never added"), at);
    clock.advance(100);
    assert.deepEqual(ended, [
      ["a", 100, 100],
      ["c", 100, 100],
    ]);
  });

  test("dispose clears its timers: the waits left never end", () => {
    const clock = new FakeClock();
    const queue = new LingerQueue(clock);
    const ended: Array<[string, number, number]> = [];
    queue.add(waiter(clock, ended, "a"), 100);
    queue.dispose();
    clock.advance(1000);
    assert.deepEqual(ended, []);
    assert.equal(clock.pending(), 0);
  });

  test("a layer's transactions wait on it: Timer K and M end them exactly when due; a disposed one is not ended twice", () => {
    const clock = new FakeClock();
    const layer = new TransactionLayer({ clock, timers: { t1: 100, t2: 400, t4: 1000 } });
    const flow = memoryFlow(clock, false);
    const user = recordingUser(clock);
    const bye = buildRequest("BYE", { branch: "z9hG4bK-linger-1" });
    const nict = layer.sendRequest(bye, flow, user);
    const invite = buildRequest("INVITE", { branch: "z9hG4bK-linger-2" });
    const ict = layer.sendRequest(invite, flow, user);
    const options = buildRequest("OPTIONS", { branch: "z9hG4bK-linger-3" });
    const early = layer.sendRequest(options, flow, user);
    clock.advance(50);
    layer.receiveResponse(buildResponse(bye, 200, "OK"));
    layer.receiveResponse(buildResponse(invite, 200, "OK"));
    layer.receiveResponse(buildResponse(options, 200, "OK"));
    assert.deepEqual([nict.state, ict.state, early.state], ["completed", "accepted", "completed"]);
    assert.deepEqual((nict as unknown as { runningTimers(): string[] }).runningTimers(), ["K"]);
    assert.deepEqual((ict as unknown as { runningTimers(): string[] }).runningTimers(), ["M"]);
    early.dispose();
    assert.equal(early.state, "terminated");
    clock.advance(999);
    assert.equal(nict.state, "completed");
    clock.advance(1);
    assert.equal(nict.state, "terminated", "Timer K = T4 after the final response");
    assert.deepEqual(layer.size, { clients: 1, servers: 0 });
    clock.advance(64 * 100 - 1000 - 1);
    assert.equal(ict.state, "accepted");
    clock.advance(1);
    assert.equal(ict.state, "terminated", "Timer M = 64*T1 after the 2xx");
    assert.deepEqual(layer.size, { clients: 0, servers: 0 });
    assert.equal(clock.pending(), 0);
  });
});

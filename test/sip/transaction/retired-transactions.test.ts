// Client transactions that only absorb until they terminate (non-INVITE in Completed, RFC 3261
// 17.1.2.2; INVITE in Accepted after its call, RFC 6026 7.2) are kept by the layer as records of
// bytes, not objects: they still match responses, absorb what they absorbed, report what has no
// transition with the same words, give their request back, and terminate exactly when due.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { type SipRequest, type SipResponse, messageToString, serializeMessage } from "../../../src/sip/message/index.ts";
import { type ClientTransaction, type Flow, type LateInviteUser, type ServerTransaction, TransactionLayer, TransactionUserError } from "../../../src/sip/transaction/index.ts";
import { FakeClock } from "../../support/fake-clock.ts";
import { collected } from "../../support/gc.ts";
import { buildRequest, buildResponse, recordingUser } from "./transaction-fixtures.ts";

const TIMERS = { t1: 100, t2: 400, t4: 1000 };

/** A UDP flow that returns the bytes it sent, as the endpoint's does: what a transaction needs to retire. */
function wireFlow(): Flow & { sent: string[] } {
  const sent: string[] = [];
  return { sent, reliable: false, send: (m) => (sent.push(m.startLine()), serializeMessage(m)) };
}

function layerWith() {
  const clock = new FakeClock();
  const layer = new TransactionLayer({ clock, timers: TIMERS });
  return { clock, layer, flow: wireFlow() };
}

/** A LateInviteUser that records what reaches it and keeps `more` added to what it was given. */
function lateUser(more?: string) {
  const calls: Array<{ status: number; toTag: string | undefined; invite: string; held: string[] }> = [];
  const user: LateInviteUser = {
    lateResponse(r: SipResponse, invite: SipRequest, held: readonly (string | Buffer)[]) {
      calls.push({ status: r.status, toTag: r.toTag, invite: messageToString(invite), held: held.map(String) });
      return more === undefined ? undefined : [...held, more];
    },
  };
  return { user, calls };
}

describe("retired client transactions (issue 17)", () => {
  test("non-INVITE in Completed over UDP: absorbs the final response again, reports another, gives its request back, ends at T4", async () => {
    const { clock, layer, flow } = layerWith();
    const user = recordingUser(clock);
    const bye = buildRequest("BYE", { branch: "z9hG4bK-retired-1" });
    const ok = buildResponse(bye, 200, "OK");
    const completed = (): WeakRef<ClientTransaction> => {
      const tx = layer.sendRequest(bye, flow, user);
      clock.advance(10);
      layer.receiveResponse(ok);
      assert.equal(tx.state, "completed");
      assert.deepEqual((tx as unknown as { runningTimers(): string[] }).runningTimers(), [], "no timer runs for it: it is a record");
      assert.equal(clock.pending(), 1, "one timer: the store's, which gives the room back when records expire");
      return new WeakRef(tx);
    };
    assert.ok(await collected(completed()), "the transaction object is let go while Timer K runs");

    const again = layer.clientFor(ok);
    assert.ok(again, "a retransmitted 200 still matches it");
    assert.equal(again.state, "completed");
    assert.equal(messageToString(again.request), messageToString(bye), "its request, read back from the bytes sent");
    layer.receiveResponse(ok);
    assert.equal(user.responses.length, 1, "the retransmission is absorbed (RFC 3261 17.1.2.2)");
    assert.equal(layer.illegalEvents.length, 0);
    layer.receiveResponse(buildResponse(bye, 481, "Call/Transaction Does Not Exist"));
    assert.deepEqual(
      layer.illegalEvents.map((e) => [e.transaction, e.kind, e.state, e.event, e.detail, e.at]),
      [["z9hG4bK-retired-1|BYE", "nict", "completed", "response 481 Call/Transaction Does Not Exist", "a different final response after the final 200 (RFC 3261 17.1.2.2)", 10]],
    );
    assert.deepEqual(flow.sent, ["BYE sip:bob@example.com SIP/2.0"], "nothing more is sent");

    clock.advance(TIMERS.t4 - 1);
    assert.ok(layer.clientFor(ok), "still there 1 ms before Timer K");
    clock.advance(1);
    assert.equal(layer.clientFor(ok), undefined, "Timer K = T4 after the final response");
    assert.deepEqual(layer.size, { clients: 0, servers: 0 });
  });

  test("the object of a retired transaction turns Terminated when due, and onTerminated still fires then", () => {
    const { clock, layer, flow } = layerWith();
    const bye = buildRequest("BYE", { branch: "z9hG4bK-retired-2" });
    const tx = layer.sendRequest(bye, flow, recordingUser(clock));
    layer.receiveResponse(buildResponse(bye, 200, "OK"));
    const ended: number[] = [];
    tx.onTerminated(() => ended.push(clock.now()));
    clock.advance(TIMERS.t4 - 1);
    assert.equal(tx.state, "completed");
    clock.advance(1);
    assert.equal(tx.state, "terminated");
    assert.equal(tx.terminated, true);
    assert.deepEqual(ended, [TIMERS.t4]);
  });

  test("INVITE in Accepted, retired when its call ends: a 2xx goes to the late user with what the call held, a 1xx is reported, it ends at 64*T1", () => {
    const { clock, layer, flow } = layerWith();
    const user = recordingUser(clock);
    const invite = buildRequest("INVITE", { branch: "z9hG4bK-retired-3" });
    invite.setBody("v=0\r\n", "application/sdp");
    const tx = layer.sendRequest(invite, flow, user);
    const ok = buildResponse(invite, 200, "OK", "fork-a");
    layer.receiveResponse(ok);
    assert.equal(tx.state, "accepted");
    clock.advance(30);
    const late = lateUser("fork-b-ack");
    assert.equal(tx.retireAccepted?.(late.user, ["fork-a", Buffer.from("ACK-a")]), true);

    layer.receiveResponse(ok);
    assert.equal(user.responses.length, 1, "the call's user no longer hears of it");
    assert.deepEqual(late.calls, [{ status: 200, toTag: "fork-a", invite: messageToString(invite), held: ["fork-a", "ACK-a"] }]);
    // What the late user returns is kept from then on (e.g. another fork's ACK)
    layer.receiveResponse(buildResponse(invite, 200, "OK", "fork-b"));
    assert.deepEqual(late.calls[1].held, ["fork-a", "ACK-a", "fork-b-ack"]);
    assert.deepEqual(late.calls[1].toTag, "fork-b");
    layer.receiveResponse(buildResponse(invite, 180, "Ringing", "fork-c"));
    assert.deepEqual(
      layer.illegalEvents.map((e) => [e.transaction, e.kind, e.state, e.detail]),
      [["z9hG4bK-retired-3|INVITE", "ict", "accepted", "a provisional response after a 2xx (RFC 6026 7.2)"]],
    );

    clock.advance(64 * TIMERS.t1 - 30 - 1);
    assert.equal(tx.state, "accepted");
    assert.ok(layer.clientFor(ok));
    clock.advance(1);
    assert.equal(tx.state, "terminated", "Timer M = 64*T1 after the 2xx, not after the call");
    assert.equal(layer.clientFor(ok), undefined);
    assert.equal(late.calls.length, 2);
  });

  test("a retired INVITE transaction is let go: neither the layer's table nor its linger queue holds it", async () => {
    const { clock, layer, flow } = layerWith();
    const invite = buildRequest("INVITE", { branch: "z9hG4bK-retired-7" });
    const retired = (): WeakRef<ClientTransaction> => {
      const tx = layer.sendRequest(invite, flow, recordingUser(clock));
      layer.receiveResponse(buildResponse(invite, 200, "OK"));
      assert.equal(tx.retireAccepted?.(lateUser().user, []), true);
      return new WeakRef(tx);
    };
    assert.ok(await collected(retired()));
    assert.equal(layer.clientFor(buildResponse(invite, 200, "OK"))?.state, "accepted");
  });

  test("a transaction someone waits on (onTerminated), or whose flow gave no bytes, is not retired: it waits as an object", () => {
    const { clock, layer, flow } = layerWith();
    const options = buildRequest("OPTIONS", { branch: "z9hG4bK-retired-4" });
    const watched = layer.sendRequest(options, flow, recordingUser(clock));
    watched.onTerminated(() => {});
    layer.receiveResponse(buildResponse(options, 200, "OK"));
    assert.deepEqual((watched as unknown as { runningTimers(): string[] }).runningTimers(), ["K"]);
    const silent: Flow = { reliable: false, send: () => {} };
    const info = buildRequest("INFO", { branch: "z9hG4bK-retired-5" });
    const unsent = layer.sendRequest(info, silent, recordingUser(clock));
    layer.receiveResponse(buildResponse(info, 200, "OK"));
    assert.deepEqual((unsent as unknown as { runningTimers(): string[] }).runningTimers(), ["K"]);
    const invite = buildRequest("INVITE", { branch: "z9hG4bK-retired-6" });
    const ringing = layer.sendRequest(invite, flow, recordingUser(clock));
    layer.receiveResponse(buildResponse(invite, 180, "Ringing"));
    assert.equal(ringing.retireAccepted?.(lateUser().user, []), false, "not in Accepted: not retired");
    assert.equal(ringing.state, "proceeding");
  });

  test("non-INVITE server in Completed over UDP: a retransmitted request gets the same response again, respond() is refused in the same words, it ends at 64*T1", async () => {
    const { clock, layer } = layerWith();
    const message = buildRequest("MESSAGE", { branch: "z9hG4bK-retired-8" });
    const received = serializeMessage(message);
    const answers: Buffer[] = [];
    const flow: Flow = { reliable: false, received, send: (m) => (answers.push(serializeMessage(m)), answers[answers.length - 1]) };
    const answered = (): WeakRef<ServerTransaction> => {
      const result = layer.receiveRequest(message, flow);
      assert.equal(result.kind, "new");
      const tx = result.transaction;
      tx.respond(buildResponse(message, 202, "Accepted"));
      assert.equal(tx.state, "completed");
      assert.deepEqual((tx as unknown as { runningTimers(): string[] }).runningTimers(), [], "no timer runs for it: it is a record");
      assert.throws(() => tx.respond(buildResponse(message, 200, "OK")), /the final response 202 was already sent \(RFC 3261 17\.2\.2\)/);
      return new WeakRef(tx);
    };
    assert.ok(await collected(answered()), "the transaction object is let go while Timer J runs");
    assert.deepEqual(layer.size, { clients: 0, servers: 1 });

    clock.advance(64 * TIMERS.t1 - 1);
    const again = layer.receiveRequest(message, flow);
    assert.equal(again.kind, "absorbed");
    assert.equal(again.kind === "absorbed" && again.transaction.state, "completed");
    assert.equal(answers.length, 2);
    assert.deepEqual(answers[1], answers[0], "the same 202, byte for byte");
    if (again.kind === "absorbed") {
      assert.equal(messageToString(again.transaction.request), messageToString(message));
      assert.equal(again.transaction.lastResponse?.status, 202);
      assert.throws(
        () => again.transaction.respond(buildResponse(message, 200, "OK")),
        (e: unknown) => e instanceof TransactionUserError && /the final response 202 was already sent \(RFC 3261 17\.2\.2\)/.test(e.message),
      );
    }
    clock.advance(1);
    assert.equal(layer.receiveRequest(message, flow).kind, "new", "Timer J = 64*T1 after the final response: the same request starts a new transaction");
  });

  test("a non-INVITE server transaction whose request's bytes are not given waits as an object", () => {
    const { layer } = layerWith();
    const options = buildRequest("OPTIONS", { branch: "z9hG4bK-retired-9" });
    const result = layer.receiveRequest(options, { reliable: false, send: (m) => serializeMessage(m) });
    assert.equal(result.kind, "new");
    result.transaction.respond(buildResponse(options, 200, "OK"));
    assert.deepEqual((result.transaction as unknown as { runningTimers(): string[] }).runningTimers(), ["J"]);
  });
});

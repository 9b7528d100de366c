import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { type SipRequest, parseMessage } from "../../../src/sip/message/index.ts";
import { TransactionLayer } from "../../../src/sip/transaction/index.ts";
import { FakeClock } from "../../support/fake-clock.ts";
import { buildRequest, buildResponse, memoryFlow, recordingUser, timesOf } from "./transaction-fixtures.ts";

function layerSetup(reliable = false) {
  const clock = new FakeClock();
  const layer = new TransactionLayer({ clock });
  const flow = memoryFlow(clock, reliable);
  return { clock, layer, flow, sent: flow.sent };
}

function parseRequest(lines: string[]): SipRequest {
  const r = parseMessage(lines.join("\r\n") + "\r\n\r\n");
  assert.ok(r.ok, r.ok ? "" : r.error.reason);
  assert.equal(r.message.kind, "request");
  return r.message;
}

describe("TransactionLayer: client side (RFC 3261 17.1.3)", () => {
  test("a response is matched by top Via branch and CSeq method", () => {
    const { clock, layer, flow } = layerSetup();
    const invite = buildRequest("INVITE", { branch: "z9hG4bK-a" });
    const user = recordingUser(clock);
    const tx = layer.sendRequest(invite, flow, user);
    assert.deepEqual(layer.size, { clients: 1, servers: 0 });

    // same branch, other CSeq method (e.g. the 200 of a CANCEL): not this transaction
    const cancelOk = buildResponse(invite, 200, "OK");
    cancelOk.setHeader("CSeq", "1 CANCEL");
    assert.equal(layer.receiveResponse(cancelOk), false);
    // same method, other branch
    const stray = buildResponse(buildRequest("INVITE", { branch: "z9hG4bK-b" }), 180, "Ringing");
    assert.equal(layer.receiveResponse(stray), false);
    // branch without magic cookie never matches ours
    const noCookie = buildResponse(buildRequest("INVITE", { branch: "a" }), 180, "Ringing");
    assert.equal(layer.receiveResponse(noCookie), false);
    assert.equal(user.responses.length, 0);
    assert.equal(tx.state, "calling");

    assert.equal(layer.receiveResponse(buildResponse(invite, 180, "Ringing")), true);
    assert.deepEqual(
      user.responses.map((r) => r.status),
      [180],
    );
    assert.equal(tx.state, "proceeding");
  });

  test("INVITE and its CANCEL share a branch but are separate client transactions", () => {
    const { clock, layer, flow } = layerSetup();
    const invite = buildRequest("INVITE", { branch: "z9hG4bK-c", seq: 3 });
    const cancel = buildRequest("CANCEL", { branch: "z9hG4bK-c", seq: 3 });
    const iu = recordingUser(clock);
    const cu = recordingUser(clock);
    const itx = layer.sendRequest(invite, flow, iu);
    const ctx = layer.sendRequest(cancel, flow, cu);
    assert.notEqual(itx, ctx);
    assert.deepEqual(layer.size, { clients: 2, servers: 0 });
    assert.equal(layer.receiveResponse(buildResponse(cancel, 200, "OK")), true);
    assert.equal(layer.receiveResponse(buildResponse(invite, 487, "Request Terminated")), true);
    assert.deepEqual(
      cu.responses.map((r) => [r.status, r.response.cseq.method]),
      [[200, "CANCEL"]],
    );
    assert.deepEqual(
      iu.responses.map((r) => [r.status, r.response.cseq.method]),
      [[487, "INVITE"]],
    );
  });

  test("a request without a branch or with a branch already in use is refused", () => {
    const { clock, layer, flow } = layerSetup();
    const user = recordingUser(clock);
    const noBranch = buildRequest("OPTIONS", { via: "SIP/2.0/UDP 192.0.2.10:5060" });
    assert.throws(() => layer.sendRequest(noBranch, flow, user), /no Via branch/);
    layer.sendRequest(buildRequest("OPTIONS", { branch: "z9hG4bK-d" }), flow, user);
    assert.throws(() => layer.sendRequest(buildRequest("OPTIONS", { branch: "z9hG4bK-d" }), flow, user), /already running/);
    assert.deepEqual(layer.size, { clients: 1, servers: 0 });
  });

  test("the layer's timers apply to its transactions, and terminated ones leave the table", () => {
    const clock = new FakeClock();
    const layer = new TransactionLayer({ clock, timers: { t1: 100, t2: 400, t4: 1000 } });
    assert.deepEqual(layer.timers, { t1: 100, t2: 400, t4: 1000 });
    const flow = memoryFlow(clock, false);
    const user = recordingUser(clock);
    const options = buildRequest("OPTIONS", { branch: "z9hG4bK-e" });
    layer.sendRequest(options, flow, user);
    layer.sendRequest(buildRequest("INVITE", { branch: "z9hG4bK-f" }), flow, user);
    clock.advance(1000);
    assert.deepEqual(timesOf(flow.sent, "OPTIONS"), [0, 100, 300, 700]);
    assert.deepEqual(timesOf(flow.sent, "INVITE"), [0, 100, 300, 700]);
    layer.receiveResponse(buildResponse(options, 200, "OK"));
    assert.deepEqual(layer.size, { clients: 2, servers: 0 });
    clock.advance(1000); // Timer K = T4
    assert.deepEqual(layer.size, { clients: 1, servers: 0 });
    clock.advance(4400); // Timer B = 64*T1 = 6400
    assert.deepEqual(user.timeouts, [6400]);
    assert.deepEqual(layer.size, { clients: 0, servers: 0 });
    assert.equal(clock.pending(), 0);
  });

  test("a reliable non-INVITE transaction leaves the table as soon as its final response arrives", () => {
    const { clock, layer, flow } = layerSetup(true);
    const msg = buildRequest("MESSAGE", { branch: "z9hG4bK-g" });
    layer.sendRequest(msg, flow, recordingUser(clock));
    assert.equal(layer.receiveResponse(buildResponse(msg, 202, "Accepted")), true);
    assert.deepEqual(layer.size, { clients: 0, servers: 0 });
    assert.equal(layer.receiveResponse(buildResponse(msg, 202, "Accepted")), false);
  });
});

describe("TransactionLayer: server side (RFC 3261 17.2.3)", () => {
  test("a new INVITE creates a server transaction; its retransmission is absorbed and answered", () => {
    const { layer, flow, sent } = layerSetup();
    const invite = buildRequest("INVITE", { via: "SIP/2.0/UDP ua.example.com:5060;branch=z9hG4bK-s1" });
    const first = layer.receiveRequest(invite, flow);
    assert.equal(first.kind, "new");
    if (first.kind !== "new") return;
    assert.equal(first.transaction.request, invite);
    assert.equal(first.transaction.state, "proceeding");
    first.transaction.respond(buildResponse(invite, 180, "Ringing"));

    const again = layer.receiveRequest(buildRequest("INVITE", { via: "SIP/2.0/UDP ua.example.com:5060;branch=z9hG4bK-s1" }), flow);
    assert.equal(again.kind, "absorbed");
    assert.equal(again.kind === "absorbed" && again.transaction, first.transaction);
    assert.deepEqual(timesOf(sent, 180), [0, 0]);
    // sent-by hosts compare case-insensitively
    const upper = layer.receiveRequest(buildRequest("INVITE", { via: "SIP/2.0/UDP UA.Example.COM:5060;branch=z9hG4bK-s1" }), flow);
    assert.equal(upper.kind, "absorbed");
    assert.deepEqual(timesOf(sent, 180), [0, 0, 0]);
    assert.deepEqual(layer.size, { clients: 0, servers: 1 });
  });

  test("the same branch from another sent-by, or with another method, is another transaction", () => {
    const { layer, flow } = layerSetup();
    layer.receiveRequest(buildRequest("INVITE", { branch: "z9hG4bK-s2" }), flow);
    const otherHost = layer.receiveRequest(buildRequest("INVITE", { via: "SIP/2.0/UDP 203.0.113.5:5060;branch=z9hG4bK-s2" }), flow);
    assert.equal(otherHost.kind, "new");
    const otherPort = layer.receiveRequest(buildRequest("INVITE", { via: "SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bK-s2" }), flow);
    assert.equal(otherPort.kind, "new");
    const otherMethod = layer.receiveRequest(buildRequest("INFO", { branch: "z9hG4bK-s2" }), flow);
    assert.equal(otherMethod.kind, "new");
    assert.equal(otherMethod.kind === "new" && otherMethod.transaction.request.method, "INFO");
    assert.deepEqual(layer.size, { clients: 0, servers: 4 });
  });

  test("the ACK of a non-2xx matches the INVITE transaction; an ACK with another branch is the 2xx ACK", () => {
    const { clock, layer, flow } = layerSetup();
    const invite = buildRequest("INVITE", { branch: "z9hG4bK-s3", seq: 8 });
    const r = layer.receiveRequest(invite, flow);
    assert.ok(r.kind === "new");
    const ist = r.transaction;
    ist.respond(buildResponse(invite, 486, "Busy Here"));

    const ack2xx = layer.receiveRequest(buildRequest("ACK", { branch: "z9hG4bK-s3-ack", seq: 8, toTag: "to-1" }), flow);
    assert.deepEqual(ack2xx, { kind: "ack" });
    assert.equal(ist.state, "completed");

    const ack = layer.receiveRequest(buildRequest("ACK", { branch: "z9hG4bK-s3", seq: 8, toTag: "to-1" }), flow);
    assert.equal(ack.kind, "absorbed");
    assert.equal(ack.kind === "absorbed" && ack.transaction, ist);
    assert.equal(ist.state, "confirmed");
    clock.advance(5000); // Timer I
    assert.deepEqual(layer.size, { clients: 0, servers: 0 });
    // after the transaction ended, a late ACK matches nothing
    assert.deepEqual(layer.receiveRequest(buildRequest("ACK", { branch: "z9hG4bK-s3", seq: 8, toTag: "to-1" }), flow), { kind: "ack" });
    assert.deepEqual(layer.size, { clients: 0, servers: 0 });
  });

  test("RFC 6026 7.1: an ACK matching an INVITE transaction in Accepted is passed to the TU", () => {
    const { layer, flow } = layerSetup();
    const invite = buildRequest("INVITE", { branch: "z9hG4bK-s4", seq: 9 });
    const r = layer.receiveRequest(invite, flow);
    assert.ok(r.kind === "new");
    r.transaction.respond(buildResponse(invite, 200, "OK"));
    const ack = layer.receiveRequest(buildRequest("ACK", { branch: "z9hG4bK-s4", seq: 9, toTag: "to-1" }), flow);
    assert.deepEqual(ack, { kind: "ack" });
    assert.equal(r.transaction.state, "accepted");
    // retransmitted INVITE in Accepted: absorbed, nothing re-sent
    const sentBefore = flow.sent.length;
    const again = layer.receiveRequest(buildRequest("INVITE", { branch: "z9hG4bK-s4", seq: 9 }), flow);
    assert.equal(again.kind, "absorbed");
    assert.equal(flow.sent.length, sentBefore);
  });

  test("a CANCEL gets its own transaction and findInviteFor() finds the INVITE's", () => {
    const { layer, flow } = layerSetup();
    const invite = buildRequest("INVITE", { branch: "z9hG4bK-s5", seq: 4 });
    const ri = layer.receiveRequest(invite, flow);
    assert.ok(ri.kind === "new");
    const cancel = buildRequest("CANCEL", { branch: "z9hG4bK-s5", seq: 4 });
    const rc = layer.receiveRequest(cancel, flow);
    assert.ok(rc.kind === "new");
    assert.notEqual(rc.transaction, ri.transaction);
    assert.equal(rc.transaction.request.method, "CANCEL");
    assert.equal(layer.findInviteFor(cancel), ri.transaction);
    assert.equal(layer.findInviteFor(buildRequest("CANCEL", { branch: "z9hG4bK-none", seq: 4 })), undefined);
    // a retransmitted CANCEL goes to the CANCEL transaction
    rc.transaction.respond(buildResponse(cancel, 200, "OK"));
    const again = layer.receiveRequest(buildRequest("CANCEL", { branch: "z9hG4bK-s5", seq: 4 }), flow);
    assert.equal(again.kind === "absorbed" && again.transaction, rc.transaction);
    assert.deepEqual(layer.size, { clients: 0, servers: 2 });
  });

  test("RFC 2543 requests (no magic cookie) match on Request-URI, From tag, Call-ID, CSeq and top Via", () => {
    const { clock, layer, flow } = layerSetup();
    const head = ["From: <sip:carol@example.com>;tag=2543a", "Call-ID: 2543-call@old.example.com", "Max-Forwards: 70", "Content-Length: 0"];
    const invite = () => parseRequest(["INVITE sip:bob@example.com SIP/2.0", "Via: SIP/2.0/UDP old.example.com:5060", "To: <sip:bob@example.com>", "CSeq: 5 INVITE", ...head]);
    const r = layer.receiveRequest(invite(), flow);
    assert.ok(r.kind === "new");
    const ist = r.transaction;
    ist.respond(buildResponse(ist.request, 100, "Trying"));

    const again = layer.receiveRequest(invite(), flow);
    assert.equal(again.kind === "absorbed" && again.transaction, ist);
    // another CSeq is another transaction
    const next = parseRequest(["INVITE sip:bob@example.com SIP/2.0", "Via: SIP/2.0/UDP old.example.com:5060", "To: <sip:bob@example.com>", "CSeq: 6 INVITE", ...head]);
    assert.equal(layer.receiveRequest(next, flow).kind, "new");

    const cancel = parseRequest(["CANCEL sip:bob@example.com SIP/2.0", "Via: SIP/2.0/UDP old.example.com:5060", "To: <sip:bob@example.com>", "CSeq: 5 CANCEL", ...head]);
    assert.equal(layer.receiveRequest(cancel, flow).kind, "new");
    assert.equal(layer.findInviteFor(cancel), ist);

    ist.respond(buildResponse(ist.request, 487, "Request Terminated", "uas-9"));
    // the ACK carries the To tag of our response, which the INVITE did not have
    const ack = parseRequest(["ACK sip:bob@example.com SIP/2.0", "Via: SIP/2.0/UDP old.example.com:5060", "To: <sip:bob@example.com>;tag=uas-9", "CSeq: 5 ACK", ...head]);
    const ra = layer.receiveRequest(ack, flow);
    assert.equal(ra.kind === "absorbed" && ra.transaction, ist);
    assert.equal(ist.state, "confirmed");
    clock.advance(5000);
    assert.equal(ist.state, "terminated");
  });

  test("a branch without the magic cookie is kept in the RFC 2543 key", () => {
    const { layer, flow } = layerSetup();
    const a = layer.receiveRequest(buildRequest("OPTIONS", { branch: "old-1" }), flow);
    assert.equal(a.kind, "new");
    assert.equal(layer.receiveRequest(buildRequest("OPTIONS", { branch: "old-1" }), flow).kind, "absorbed");
    assert.equal(layer.receiveRequest(buildRequest("OPTIONS", { branch: "old-2" }), flow).kind, "new");
  });

  test("server transactions leave the table when they terminate (Timer J; reliable: at once)", () => {
    const u = layerSetup();
    const bye = buildRequest("BYE", { branch: "z9hG4bK-s6" });
    const r = u.layer.receiveRequest(bye, u.flow);
    assert.ok(r.kind === "new");
    r.transaction.respond(buildResponse(bye, 200, "OK"));
    u.clock.advance(31999);
    assert.deepEqual(u.layer.size, { clients: 0, servers: 1 });
    u.clock.advance(1);
    assert.deepEqual(u.layer.size, { clients: 0, servers: 0 });

    const t = layerSetup(true);
    const r2 = t.layer.receiveRequest(bye, t.flow);
    assert.ok(r2.kind === "new");
    r2.transaction.respond(buildResponse(bye, 200, "OK"));
    assert.deepEqual(t.layer.size, { clients: 0, servers: 0 });
    // a retransmission after the end is a new request for the TU
    assert.equal(t.layer.receiveRequest(bye, t.flow).kind, "new");
  });
});

describe("TransactionLayer.dispose()", () => {
  test("terminates every transaction and clears every timer", () => {
    const { clock, layer, flow } = layerSetup();
    const user = recordingUser(clock);
    layer.sendRequest(buildRequest("INVITE", { branch: "z9hG4bK-x1" }), flow, user);
    layer.sendRequest(buildRequest("REGISTER", { branch: "z9hG4bK-x2" }), flow, user);
    const invite = buildRequest("INVITE", { branch: "z9hG4bK-x3" });
    const r = layer.receiveRequest(invite, flow);
    assert.ok(r.kind === "new");
    r.transaction.respond(buildResponse(invite, 486, "Busy Here"));
    const bye = buildRequest("BYE", { branch: "z9hG4bK-x4" });
    const rb = layer.receiveRequest(bye, flow);
    assert.ok(rb.kind === "new");
    rb.transaction.respond(buildResponse(bye, 200, "OK"));
    assert.deepEqual(layer.size, { clients: 2, servers: 2 });
    assert.equal(clock.pending(), 7); // A, B, E, F, G, H, J

    layer.dispose();
    assert.equal(clock.pending(), 0);
    assert.deepEqual(layer.size, { clients: 0, servers: 0 });
    const sentBefore = flow.sent.length;
    clock.advance(100000);
    assert.equal(flow.sent.length, sentBefore);
    assert.deepEqual(user.timeouts, []);
  });
});

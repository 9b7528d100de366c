// A client transaction that sends its request no more (Completed; Accepted of RFC 6026 7.2) keeps the
// bytes it sent rather than the message, and lets go of its user when it passes nothing up: what a
// load of calls leaves behind for 64*T1 must be small (issue 17).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { type SipRequest, type SipResponse, messageToString, serializeMessage } from "../../../src/sip/message/index.ts";
import { type ClientTransactionUser, InviteClientTransaction, NonInviteClientTransaction, heldBytes } from "../../../src/sip/transaction/index.ts";
import { collected } from "../../support/gc.ts";
import { buildRequest, buildResponse, setup } from "./transaction-fixtures.ts";

/** A context whose flow returns the bytes it sent, as the endpoint's does. */
function wireSetup() {
  const s = setup();
  const ctx = { ...s.ctx, send: (m: Parameters<typeof s.ctx.send>[0]) => (s.ctx.send(m), serializeMessage(m)) };
  return { ...s, ctx };
}

function quietUser(): ClientTransactionUser {
  return { onResponse() {}, onTimeout() {}, onTransportError() {} };
}

describe("a client transaction that sends its request no more keeps its bytes, not the message", () => {
  test("INVITE in Accepted (RFC 6026 7.2): once its call has ended, the request reads back from the bytes sent, equal to the INVITE", () => {
    const { ctx } = wireSetup();
    const invite = buildRequest("INVITE", { branch: "z9hG4bK-held-1" });
    invite.setBody("v=0\r\n", "application/sdp");
    const tx = new InviteClientTransaction("held-1", invite, ctx, quietUser());
    assert.equal(tx.request, invite, "while it may retransmit, the request is the message itself");
    tx.receiveResponse(buildResponse(invite, 200, "OK"));
    assert.equal(tx.state, "accepted");
    assert.equal(tx.request, invite, "while the call lasts it holds the INVITE anyway");
    // Without a layer there are no records to retire to: the transaction stays, keeping the bytes only
    assert.equal(tx.retireAccepted({ lateResponse: () => undefined }, []), false);
    assert.equal(tx.state, "accepted");
    const held = tx.request;
    assert.notEqual(held, invite, "read back from the bytes");
    assert.equal(messageToString(held), messageToString(invite));
    assert.equal(tx.request, held, "read back once");
  });

  test("INVITE in Completed and non-INVITE in Completed: the same, and the ACK still goes again", () => {
    const { ctx, sent } = wireSetup();
    const invite = buildRequest("INVITE", { branch: "z9hG4bK-held-2" });
    const ict = new InviteClientTransaction("held-2", invite, ctx, quietUser());
    const busy = buildResponse(invite, 486, "Busy Here");
    ict.receiveResponse(busy);
    assert.equal(ict.state, "completed");
    assert.notEqual(ict.request, invite);
    assert.equal(messageToString(ict.request), messageToString(invite));
    ict.receiveResponse(busy);
    assert.deepEqual(
      sent.map((s) => (s.message as SipRequest).method),
      ["INVITE", "ACK", "ACK"],
    );
    const bye = buildRequest("BYE", { branch: "z9hG4bK-held-3" });
    const nict = new NonInviteClientTransaction("held-3", bye, ctx, quietUser());
    nict.receiveResponse(buildResponse(bye, 200, "OK"));
    assert.equal(nict.state, "completed");
    assert.notEqual(nict.request, bye);
    assert.equal(messageToString(nict.request), messageToString(bye));
  });

  test("a flow that returns nothing: the message itself is kept", () => {
    const { ctx } = setup();
    const bye = buildRequest("BYE", { branch: "z9hG4bK-held-4" });
    const nict = new NonInviteClientTransaction("held-4", bye, ctx, quietUser());
    nict.receiveResponse(buildResponse(bye, 200, "OK"));
    assert.equal(nict.request, bye);
  });

  test("in Completed the user is let go (RFC 3261 17.1.1.2, 17.1.2.2: nothing more is passed up)", async () => {
    // a flow that keeps nothing of what it sends
    const ctx = { ...setup().ctx, send: (m: SipRequest | SipResponse) => serializeMessage(m) };
    const keep: Array<NonInviteClientTransaction | InviteClientTransaction> = [];
    const refs = ((): WeakRef<object>[] => {
      const u1 = quietUser();
      const u2 = quietUser();
      const bye = buildRequest("BYE", { branch: "z9hG4bK-held-5" });
      const nict = new NonInviteClientTransaction("held-5", bye, ctx, u1);
      nict.receiveResponse(buildResponse(bye, 200, "OK"));
      const invite = buildRequest("INVITE", { branch: "z9hG4bK-held-6" });
      const ict = new InviteClientTransaction("held-6", invite, ctx, u2);
      ict.receiveResponse(buildResponse(invite, 603, "Decline"));
      keep.push(nict, ict);
      return [new WeakRef(u1), new WeakRef(u2), new WeakRef(bye), new WeakRef(invite)];
    })();
    assert.deepEqual(
      keep.map((t) => t.state),
      ["completed", "completed"],
    );
    assert.ok(await collected(refs[0]), "the BYE's user is let go while Timer K runs");
    assert.ok(await collected(refs[1]), "the INVITE's user is let go while Timer D runs");
    assert.ok(await collected(refs[2]), "the BYE message is let go (its bytes are kept)");
    assert.ok(await collected(refs[3]), "the INVITE message is let go (its bytes are kept)");
  });

  test('heldBytes: one latin1 character per byte, so that Buffer.from(s, "latin1") gives back the bytes, UTF-8 included', () => {
    const bytes = Buffer.from("MESSAGE sip:bob@example.com SIP/2.0\r\nSubject: caf\u00e9 \u2615\r\n\r\n", "utf8");
    const held = heldBytes(bytes);
    assert.equal(typeof held, "string");
    assert.equal(held.length, bytes.length);
    assert.deepEqual(Buffer.from(held, "latin1"), bytes);
    assert.equal(heldBytes(held), held);
  });
});

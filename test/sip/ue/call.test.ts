import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { type Received, SipEndpoint } from "../../../src/sip/endpoint/index.ts";
import { type SipRequest, type SipResponse, createResponse, messageToString } from "../../../src/sip/message/index.ts";
import { collected } from "../../support/gc.ts";
import { Resources, destinationOf, startUe, uePair, waitFor } from "./ue-support.ts";

const res = new Resources();
after(() => res.closeAll());

const OFFER = "v=0\r\no=alice 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0\r\n";
const ANSWER = "v=0\r\no=bob 2 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 51372 RTP/AVP 0\r\n";

function request(rec: Received): SipRequest {
  assert.equal(rec.message.kind, "request");
  return rec.message;
}

for (const protocol of ["udp", "tcp"] as const) {
  describe(`UE calls over ${protocol.toUpperCase()}`, () => {
    test("reliable 183 + PRACK, UPDATE, 200 + ACK, BYE (RFC 3262, RFC 3311, RFC 3261 13, 15)", async () => {
      const { a, b } = await uePair(res, protocol);
      const call = a.call("sip:bob@ims.test", { sdp: OFFER, preconditions: true });
      const inc = await b.waitForCall(waitFor("INVITE"));
      assert.equal(inc.invite.startLine(), "INVITE sip:bob@ims.test SIP/2.0");
      assert.deepEqual(inc.invite.optionTags("supported"), ["100rel", "precondition"]);
      assert.equal(inc.invite.bodyText, OFFER);
      assert.equal(inc.callerSupports100rel, true);

      const prack = await inc.provisional(183, { reliable: true, sdp: ANSWER });
      assert.ok(prack);
      const p = request(prack);
      const r183 = await call.waitForResponse(183, waitFor("183"));
      assert.deepEqual(r183.optionTags("require"), ["100rel"]);
      assert.equal(p.header("rack"), `${r183.header("rseq")} 1 INVITE`);
      assert.equal(p.uriText, b.contact, "in-dialog requests go to the remote target (Contact)");
      assert.equal(p.cseq.seq, 2);
      const ex = await call.pracks.next(() => true, waitFor("PRACK 200"), "PRACK exchange");
      assert.equal(ex.response.status, 200);

      const upd = call.update(OFFER);
      const u = await inc.waitForRequest("UPDATE", waitFor("UPDATE"));
      assert.equal(request(u).cseq.seq, 3);
      inc.answer(u, 200, ANSWER);
      assert.equal((await upd).status, 200);

      const acked = inc.accept({ sdp: ANSWER });
      const final = await call.waitForFinal(waitFor("200"));
      assert.equal(final.status, 200);
      assert.equal(final.toTag, inc.localTag);
      const ack = request(await acked);
      assert.equal(ack.header("cseq"), "1 ACK");
      assert.equal(ack.uriText, b.contact);
      assert.equal(call.confirmed?.state, "confirmed");
      assert.equal(inc.dialog.state, "confirmed");

      const bye = await call.bye(waitFor("BYE"));
      assert.equal(bye.status, 200);
      const byeReq = request(await inc.waitForRequest("BYE", waitFor("BYE at B")));
      assert.equal(byeReq.cseq.seq, 4);
      assert.equal(inc.dialog.state, "terminated");
      assert.equal(call.confirmed?.state, "terminated");
      assert.deepEqual(a.endpoint.problems, []);
      assert.deepEqual(b.endpoint.problems, []);
    });

    test("an ACK for a 2xx retransmission that arrives after the BYE ended the dialog is absorbed, not left unconsumed (RFC 3261 13.2.2.4)", async () => {
      const { a, b } = await uePair(res, protocol);
      const call = a.call("sip:bob@ims.test", { sdp: OFFER });
      const inc = await b.waitForCall(waitFor("INVITE"));
      const acked = inc.accept({ sdp: ANSWER });
      await call.waitForFinal(waitFor("200"));
      const ack = request(await acked);
      await call.bye(waitFor("BYE"));
      await inc.waitForRequest("BYE", waitFor("BYE at B"));
      // the caller ACKs a late 2xx retransmission: the same ACK again, after the dialog's end
      const late = res.add(await SipEndpoint.start({ listen: [{ protocol }] }));
      await late.sendStateless(ack, destinationOf(b.endpoint, protocol));
      await new Promise((done) => setTimeout(done, 100));
      assert.deepEqual(
        b.endpoint.inbox.unconsumed().map((r) => r.message.startLine()),
        [],
      );
    });

    test("CANCEL: 200 to the CANCEL, 487 to the INVITE, the callee sees the CANCEL (RFC 3261 9)", async () => {
      const { a, b } = await uePair(res, protocol);
      const call = a.call("sip:bob@ims.test", { sdp: OFFER });
      const inc = await b.waitForCall(waitFor("INVITE"));
      const ist = b.endpoint.transactions.findInviteFor(inc.invite);
      assert.ok(ist);
      await inc.provisional(180);
      await call.waitForResponse(180, waitFor("180"));

      const cancelled = await call.cancel(waitFor("200 to CANCEL"));
      assert.equal(cancelled.status, 200);
      assert.equal(cancelled.cseq.method, "CANCEL");
      const final = await call.waitForFinal(waitFor("487"));
      assert.equal(final.status, 487);
      const cancel = request(await inc.waitForRequest("CANCEL", waitFor("CANCEL at B")));
      assert.equal(cancel.header("cseq"), "1 CANCEL");
      assert.equal(cancel.branch, inc.invite.branch, "RFC 3261 9.1: the CANCEL has the INVITE's top Via");
      assert.equal(cancel.uriText, inc.invite.uriText);
      // RFC 3261 17.1.1.3: the caller's INVITE transaction ACKs the 487 and the callee's absorbs it
      const ack = request(await inc.waitForRequest("ACK", waitFor("ACK for 487")));
      assert.equal(ack.header("cseq"), "1 ACK");
      assert.equal(ack.branch, inc.invite.branch);
      assert.equal(ist.state, protocol === "udp" ? "confirmed" : "terminated");
      assert.equal(inc.dialog.state, "terminated");
      assert.deepEqual(
        b.endpoint.inbox.unconsumed().map((r) => r.message.startLine()),
        [],
      );
    });

    test("486 Busy Here: the caller's transaction ACKs it; the callee's server transaction absorbs the ACK (RFC 3261 17.2.1)", async () => {
      const { a, b } = await uePair(res, protocol);
      const call = a.call("sip:bob@ims.test", { sdp: OFFER });
      const inc = await b.waitForCall(waitFor("INVITE"));
      const ist = b.endpoint.transactions.findInviteFor(inc.invite);
      assert.ok(ist);
      const busy = inc.reject(486);
      assert.equal(busy.toTag, inc.localTag);
      const final = await call.waitForFinal(waitFor("486"));
      assert.equal(final.status, 486);
      assert.equal(final.reason, "Busy Here");
      // the ACK is absorbed by the server transaction, which reports it to the call (RFC 3261 17.2.1)
      const ack = request(await inc.waitForRequest("ACK", waitFor("ACK for 486")));
      assert.equal(ack.toTag, inc.localTag, "the ACK's To is the To of the 486");
      assert.equal(ack.header("cseq"), "1 ACK");
      assert.equal(ist.state, protocol === "udp" ? "confirmed" : "terminated");
      assert.equal(call.confirmed, undefined);
      assert.deepEqual(b.endpoint.inbox.unconsumed(), [], "the ACK did not reach the TU");
      assert.deepEqual(a.endpoint.inbox.unconsumed(), []);
    });

    test("forking: two early dialogs, one PRACK each, the first 2xx confirms, the second is ACKed and BYEd (RFC 3261 13.2.2.4)", async () => {
      const callee = res.add(await SipEndpoint.start({ listen: [{ protocol }] }));
      const a = await startUe(res, "UE-A", "alice", protocol, destinationOf(callee, protocol));
      const call = a.call("sip:bob@ims.test", { sdp: OFFER });
      const inv = await callee.inbox.expect({ method: "INVITE" }, waitFor("INVITE at the forking proxy"));
      const invite = request(inv);
      const ist = inv.transaction!;
      const l = callee.local(protocol);
      const contactOf = (user: string): string => `sip:${user}@127.0.0.1:${l.port}${protocol === "udp" ? "" : ";transport=tcp"}`;
      const build = (status: number, tag: string, user: string, extra: Record<string, string> = {}): SipResponse => {
        const r = createResponse(invite, status, { toTag: tag });
        r.addHeader("Contact", `<${contactOf(user)}>`);
        for (const [n, v] of Object.entries(extra)) r.addHeader(n, v);
        r.setBody(ANSWER, "application/sdp");
        return r;
      };
      const fork1 = build(183, "fork-1", "bob1", { Require: "100rel", RSeq: "1" });
      const fork2 = build(183, "fork-2", "bob2", { Require: "100rel", RSeq: "1" });
      ist.respond(fork1);
      ist.respond(fork2);
      const prackFor = (tag: string) => callee.inbox.expect({ method: "PRACK", where: (m) => m.toTag === tag }, waitFor(`PRACK for ${tag}`));
      const [p1, p2] = await Promise.all([prackFor("fork-1"), prackFor("fork-2")]);
      for (const [p, user] of [
        [p1, "bob1"],
        [p2, "bob2"],
      ] as const) {
        const m = request(p);
        assert.equal(m.header("rack"), "1 1 INVITE");
        assert.equal(m.uriText, contactOf(user), "each PRACK goes to its own fork's Contact");
        assert.equal(m.cseq.seq, 2, "each early dialog numbers its own requests");
        callee.reply(p, 200);
      }
      await call.pracks.next(() => true, waitFor("PRACK 1 answered"), "PRACK answered");
      await call.pracks.next(() => true, waitFor("PRACK 2 answered"), "PRACK answered");
      assert.deepEqual([...call.dialogs.keys()].sort(), ["fork-1", "fork-2"]);
      assert.ok([...call.dialogs.values()].every((d) => d.state === "early"));

      // a retransmission of the first 183 is not PRACKed again (RFC 3262 4)
      ist.respond(fork1);

      ist.respond(build(200, "fork-1", "bob1"));
      const final = await call.waitForFinal(waitFor("200 from fork 1"));
      assert.equal(final.toTag, "fork-1");
      const ack1 = request(await callee.inbox.expect({ method: "ACK", where: (m) => m.toTag === "fork-1" }, waitFor("ACK fork-1")));
      assert.equal(ack1.uriText, contactOf("bob1"));
      assert.equal(ack1.header("cseq"), "1 ACK");
      assert.equal(call.confirmed?.id.remoteTag, "fork-1");

      // RFC 3261 13.2.2.4: a 2xx from another fork is acknowledged, then its dialog is ended with BYE
      ist.respond(build(200, "fork-2", "bob2"));
      const ack2 = request(await callee.inbox.expect({ method: "ACK", where: (m) => m.toTag === "fork-2" }, waitFor("ACK fork-2")));
      assert.equal(ack2.uriText, contactOf("bob2"));
      assert.equal(ack2.header("cseq"), "1 ACK");
      const bye2 = await callee.inbox.expect({ method: "BYE", where: (m) => m.toTag === "fork-2" }, waitFor("BYE fork-2"));
      assert.equal(request(bye2).uriText, contactOf("bob2"));
      assert.equal(request(bye2).cseq.seq, 3);
      callee.reply(bye2, 200);
      assert.equal(call.dialogs.get("fork-2")?.state, "terminated");
      assert.equal(call.confirmed?.id.remoteTag, "fork-1");
      assert.equal(call.confirmed?.state, "confirmed");
      // only one final response reached the test
      assert.deepEqual(
        call.responses.history.filter((r) => r.status >= 200).map((r) => r.toTag),
        ["fork-1"],
      );

      // the first fork's dialog lives on
      const byeP = call.bye(waitFor("BYE fork-1"));
      const bye1 = await callee.inbox.expect({ method: "BYE", where: (m) => m.toTag === "fork-1" }, waitFor("BYE fork-1 at callee"));
      assert.equal(request(bye1).uriText, contactOf("bob1"));
      callee.reply(bye1, 200);
      assert.equal((await byeP).status, 200);
      // two PRACKs in all: the retransmitted 183 (sent before the 2xx) got none
      assert.deepEqual(
        callee.inbox.unconsumed().map((r) => r.message.startLine()),
        [],
      );
      assert.deepEqual(callee.problems, []);
    });

    test("after the call, its INVITE transaction in Accepted keeps the ACK, not the call: a retransmitted 2xx gets the same ACK, another fork's 2xx an ACK and a BYE (RFC 6026 7.2, RFC 3261 13.2.2.4)", async () => {
      const callee = res.add(await SipEndpoint.start({ listen: [{ protocol }] }));
      const a = await startUe(res, "UE-A", "alice", protocol, destinationOf(callee, protocol));
      const l = callee.local(protocol);
      const contactOf = (user: string): string => `sip:${user}@127.0.0.1:${l.port}${protocol === "udp" ? "" : ";transport=tcp"}`;
      const ok = (invite: SipRequest, tag: string, user: string): SipResponse => {
        const r = createResponse(invite, 200, { toTag: tag });
        r.addHeader("Contact", `<${contactOf(user)}>`);
        r.setBody(ANSWER, "application/sdp");
        return r;
      };
      // in a function of its own, so that nothing here holds the call once it has ended
      const ended = async () => {
        const call = a.call("sip:bob@ims.test", { sdp: OFFER });
        const inv = await callee.inbox.expect({ method: "INVITE" }, waitFor("INVITE"));
        const invite = request(inv);
        inv.transaction!.respond(ok(invite, "fork-1", "bob1"));
        await call.waitForFinal(waitFor("200"));
        const ack = request(await callee.inbox.expect({ method: "ACK" }, waitFor("ACK")));
        const byeP = call.bye(waitFor("BYE"));
        callee.reply(await callee.inbox.expect({ method: "BYE" }, waitFor("BYE at the callee")), 200);
        assert.equal((await byeP).status, 200);
        return { call: new WeakRef(call), ist: inv.transaction!, invite, ack };
      };
      const { call, ist, invite, ack } = await ended();
      assert.ok(await collected(call), "the ended call is let go while Timer M runs");

      ist.respond(ok(invite, "fork-1", "bob1"));
      const again = request(await callee.inbox.expect({ method: "ACK" }, waitFor("ACK again")));
      assert.equal(messageToString(again), messageToString(ack), "the same ACK, byte for byte");

      ist.respond(ok(invite, "fork-3", "bob3"));
      const ack3 = request(await callee.inbox.expect({ method: "ACK", where: (m) => m.toTag === "fork-3" }, waitFor("ACK fork-3")));
      assert.equal(ack3.uriText, contactOf("bob3"));
      assert.equal(ack3.header("cseq"), `${invite.cseq.seq} ACK`);
      const bye3 = await callee.inbox.expect({ method: "BYE", where: (m) => m.toTag === "fork-3" }, waitFor("BYE fork-3"));
      assert.equal(request(bye3).uriText, contactOf("bob3"));
      callee.reply(bye3, 200);
      await new Promise((done) => setTimeout(done, 50));
      assert.deepEqual(
        callee.inbox.unconsumed().map((r) => r.message.startLine()),
        [],
      );
      assert.deepEqual(callee.problems, []);
      assert.deepEqual(a.endpoint.problems, []);
    });

    test("MESSAGE both ways (RFC 3428)", async () => {
      const { a, b } = await uePair(res, protocol);
      const toB = await a.sendMessage("sip:bob@ims.test", "hello Bob");
      assert.equal(toB.status, 200);
      const atB = await b.waitForMessage(waitFor("MESSAGE at B"));
      const mb = request(atB);
      assert.equal(mb.startLine(), "MESSAGE sip:bob@ims.test SIP/2.0");
      assert.equal(mb.bodyText, "hello Bob");
      assert.equal(mb.contentType, "text/plain");
      assert.equal(mb.header("from"), `<sip:alice@ims.test>;tag=${mb.fromTag}`);

      const toA = await b.sendMessage("sip:alice@ims.test", "héllo Alice", { contentType: "text/plain;charset=UTF-8", headers: { Subject: "reply" } });
      assert.equal(toA.status, 200);
      const ma = request(await a.waitForMessage(waitFor("MESSAGE at A")));
      assert.equal(ma.bodyText, "héllo Alice");
      assert.equal(ma.contentType, "text/plain;charset=UTF-8");
      assert.equal(ma.header("subject"), "reply");
      assert.equal(ma.header("content-length"), String(Buffer.byteLength("héllo Alice")));
    });
  });
}

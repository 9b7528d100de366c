// The UE's session timer (RFC 4028) on fake time, between two UEs (or a UE and a scripted peer) on the
// in-memory network: the headers of the INVITE and the 2xx, the refresher's UPDATE at half the
// interval, the other end's BYE min(32 s, interval/3) before the session expires, the retry after
// 422, the re-INVITE refresh when the peer does not allow UPDATE, and the BYE after a refresh
// answered 481.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Deadline } from "../../../src/sip/deadline.ts";
import { type Received, SipEndpoint } from "../../../src/sip/endpoint/index.ts";
import { type SipRequest, createResponse, parseMessage } from "../../../src/sip/message/index.ts";
import { InMemoryNetwork } from "../../../src/sip/transport/memory-transport.ts";
import { ImsUe } from "../../../src/sip/ue/ims-ue.ts";
import { FakeClock } from "../../support/fake-clock.ts";

const T1 = 500;
const OFFER = "v=0\r\no=alice 1 1 IN IP4 127.0.0.2\r\ns=-\r\nc=IN IP4 127.0.0.2\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0\r\n";
const ANSWER = "v=0\r\no=bob 2 2 IN IP4 127.0.0.3\r\ns=-\r\nc=IN IP4 127.0.0.3\r\nt=0 0\r\nm=audio 51372 RTP/AVP 0\r\n";

async function ue(net: InMemoryNetwork, clock: FakeClock, name: string, user: string, host: string, peer: string): Promise<ImsUe> {
  return ImsUe.start({
    name,
    impi: `${user}@ims.test`,
    impu: `sip:${user}@ims.test`,
    domain: "ims.test",
    credentials: { kind: "digest", password: `${user}-secret` },
    pcscf: { protocol: "udp", host: peer, port: 5060 },
    protocol: "udp",
    clock,
    timers: { t1: T1 },
    transports: [await net.open({ host, port: 5060 })],
  });
}

/** UE-A at 127.0.0.2 and UE-B at 127.0.0.3, each the other's outbound proxy, on one fake clock. */
async function setUp() {
  const clock = new FakeClock();
  const net = new InMemoryNetwork({ clock });
  const b = await ue(net, clock, "UE-B", "bob", "127.0.0.3", "127.0.0.2");
  const a = await ue(net, clock, "UE-A", "alice", "127.0.0.2", "127.0.0.3");
  const within = (label: string): Deadline => Deadline.after(3_600_000, label, clock);
  /** Moves fake time on and lets the network deliver what that sent. */
  const advance = async (ms: number): Promise<void> => {
    clock.advance(ms);
    await net.idle();
  };
  const sent = (method: string, from: string): SipRequest[] =>
    net.deliveries.filter((d) => d.packet.from.host === from && d.packet.bytes.toString("latin1").startsWith(`${method} `)).map((d) => parse(d.packet.bytes));
  const close = async (): Promise<void> => {
    await a.close();
    await b.close();
  };
  return { clock, net, a, b, within, advance, sent, close };
}

function parse(bytes: Buffer): SipRequest {
  const parsed = parseMessage(bytes);
  assert.ok(parsed.ok && parsed.message.kind === "request");
  return parsed.message;
}

describe("the UE's session timer (RFC 4028)", () => {
  test("UE-A refreshes by UPDATE at half the interval, UE-B answers it with the interval, and both timers start again", async () => {
    const { a, b, within, advance, sent, close } = await setUp();
    try {
      const call = a.call("sip:bob@ims.test", { sdp: OFFER, sessionTimer: { expires: 90, refresher: "uac" } });
      await advance(0);
      const inc = await b.waitForCall(within("INVITE"));
      // RFC 4028 7.1
      assert.deepEqual(inc.invite.optionTags("supported"), ["100rel", "timer"]);
      assert.equal(inc.invite.header("session-expires"), "90;refresher=uac");
      assert.equal(inc.invite.header("min-se"), "90");
      const acked = inc.accept({ sdp: ANSWER, sessionTimer: {} });
      const ok = await call.waitForFinal(within("200"));
      await acked;
      // RFC 4028 9: the UAS copies the interval and, the UAC refreshing, requires timer
      assert.equal(ok.header("session-expires"), "90;refresher=uac");
      assert.deepEqual(ok.optionTags("require"), ["timer"]);
      assert.equal(call.sessionTimer?.refresher, true);
      assert.equal(call.sessionTimer.seconds, 90);
      assert.equal(inc.sessionTimer?.refresher, false);

      await advance(44_999);
      assert.deepEqual(sent("UPDATE", "127.0.0.2"), [], "no refresh before half the interval");
      await advance(1);
      const refreshed = await call.sessionTimer.next("refreshed", within("refresh"), "the refresh's 2xx");
      assert.equal(refreshed.request.method, "UPDATE");
      assert.equal(refreshed.request.header("session-expires"), "90;refresher=uac");
      assert.equal(refreshed.request.header("min-se"), "90");
      assert.deepEqual(refreshed.request.optionTags("supported"), ["timer"]);
      assert.equal(refreshed.response.status, 200);
      assert.equal(refreshed.response.header("session-expires"), "90;refresher=uac");
      assert.ok(refreshed.response.header("contact"), "RFC 3311 7: Contact in the 2xx to UPDATE");
      const got = await inc.waitForRequest("UPDATE", within("UPDATE at B"));
      assert.equal(got.message.kind === "request" && got.message.cseq.seq, 2);
      const received = await inc.sessionTimer.next("refresh-received", within("refresh at B"), "the refresh");
      assert.equal(received.response.status, 200);

      // Both timers started again: the next refresh 45 s after this one, and B sends no BYE meanwhile
      await advance(44_999);
      assert.equal(sent("UPDATE", "127.0.0.2").length, 1);
      await advance(1);
      assert.equal(sent("UPDATE", "127.0.0.2").length, 2);
      assert.deepEqual(sent("BYE", "127.0.0.3"), []);

      assert.equal((await call.bye(within("BYE"))).status, 200);
      assert.equal(inc.sessionTimer.active, false, "a BYE received stops the timer");
      assert.equal(call.sessionTimer.active, false);
      await advance(3_600_000);
      assert.equal(sent("UPDATE", "127.0.0.2").length, 2, "no refresh after the BYE");
      assert.deepEqual(sent("BYE", "127.0.0.3"), []);
      assert.deepEqual(a.incidents, []);
      assert.deepEqual(b.incidents, []);
    } finally {
      await close();
    }
  });

  test("when the refresher stops refreshing, the other end sends BYE min(32 s, interval/3) before the session expires", async () => {
    const { a, b, within, advance, sent, close } = await setUp();
    try {
      const call = a.call("sip:bob@ims.test", { sdp: OFFER, sessionTimer: { expires: 90, refresher: "uac" } });
      await advance(0);
      const inc = await b.waitForCall(within("INVITE"));
      const acked = inc.accept({ sdp: ANSWER, sessionTimer: {} });
      await call.waitForFinal(within("200"));
      await acked;
      call.sessionTimer!.stopRefreshing();
      await advance(59_999);
      assert.deepEqual(sent("BYE", "127.0.0.3"), []);
      await advance(1);
      const bye = await call.waitForRequest("BYE", within("BYE at A"));
      assert.equal(bye.message.kind === "request" && bye.message.header("cseq")?.endsWith("BYE"), true);
      const expired = await inc.sessionTimer!.next("expired", within("expiry"), "the BYE's outcome");
      assert.equal(expired.response?.status, 200);
      assert.equal(inc.dialog.state, "terminated");
      assert.equal(call.confirmed?.state, "terminated");
      assert.deepEqual(sent("UPDATE", "127.0.0.2"), [], "the silent refresher sent nothing");
      assert.deepEqual(b.incidents, []);
    } finally {
      await close();
    }
  });

  test("a refresher the UAS chooses: UE-B refreshes, its UPDATE says refresher=uac from its own side", async () => {
    const { a, b, within, advance, close } = await setUp();
    try {
      const call = a.call("sip:bob@ims.test", { sdp: OFFER, sessionTimer: { expires: 120 } });
      await advance(0);
      const inc = await b.waitForCall(within("INVITE"));
      assert.equal(inc.invite.header("session-expires"), "120");
      const acked = inc.accept({ sdp: ANSWER, sessionTimer: { refresher: "uas" } });
      const ok = await call.waitForFinal(within("200"));
      await acked;
      assert.equal(ok.header("session-expires"), "120;refresher=uas");
      assert.deepEqual(ok.optionTags("require"), [], "no Require: timer when the UAS refreshes");
      assert.equal(call.sessionTimer?.refresher, false);
      assert.equal(inc.sessionTimer?.refresher, true);
      await advance(60_000);
      const refreshed = await inc.sessionTimer.next("refreshed", within("B's refresh"), "B's refresh");
      assert.equal(refreshed.request.header("session-expires"), "120;refresher=uac");
      assert.equal(refreshed.response.status, 200);
      assert.equal(call.sessionTimer.refresher, false, "A answered: B goes on refreshing");
      await call.waitForRequest("UPDATE", within("UPDATE at A"));
      assert.equal((await call.bye(within("BYE"))).status, 200);
    } finally {
      await close();
    }
  });
});

/** UE-A against a scripted peer at 127.0.0.3 that answers as `answer` says. */
async function scripted(answer: (rec: Received, peer: SipEndpoint) => void) {
  const clock = new FakeClock();
  const net = new InMemoryNetwork({ clock });
  const peer = await SipEndpoint.start({ transports: [await net.open({ host: "127.0.0.3", port: 5060 })], clock, timers: { t1: T1 } });
  const received: SipRequest[] = [];
  peer.onRequest((rec) => {
    if (rec.message.kind === "request") received.push(rec.message);
    answer(rec, peer);
    return true;
  });
  const a = await ue(net, clock, "UE-A", "alice", "127.0.0.2", "127.0.0.3");
  const within = (label: string): Deadline => Deadline.after(3_600_000, label, clock);
  const advance = async (ms: number): Promise<void> => {
    clock.advance(ms);
    await net.idle();
  };
  const close = async (): Promise<void> => {
    await a.close();
    await peer.close();
  };
  return { clock, a, received, within, advance, close };
}

/** The peer's 2xx to an INVITE: Contact, and Session-Expires as given. */
function ok(rec: Received, peer: SipEndpoint, headers: Record<string, string>): void {
  if (rec.message.kind !== "request") return;
  const r = createResponse(rec.message, 200, { toTag: "peer" });
  r.addHeader("Contact", "<sip:bob@127.0.0.3:5060>");
  for (const [n, v] of Object.entries(headers)) r.addHeader(n, v);
  if (rec.message.method === "INVITE") r.setBody(ANSWER, "application/sdp");
  peer.respond(rec.transaction!, r);
}

describe("the UE's session timer against a scripted peer", () => {
  test("422 with Min-SE: the INVITE goes again with the same Call-ID and From tag, CSeq 2, Session-Expires and Min-SE raised (RFC 4028 7.4)", async () => {
    let invites = 0;
    const { a, received, within, advance, close } = await scripted((rec, peer) => {
      const m = rec.message;
      if (m.kind !== "request" || m.method !== "INVITE") return;
      if (++invites === 1) {
        const r = createResponse(m, 422, { toTag: "core" });
        r.addHeader("Min-SE", "300");
        peer.respond(rec.transaction!, r);
      } else ok(rec, peer, { "Session-Expires": "300;refresher=uac", Require: "timer", Allow: "INVITE, ACK, BYE, UPDATE" });
    });
    try {
      const call = a.call("sip:bob@ims.test", { sdp: OFFER, sessionTimer: { expires: 90, refresher: "uac" } });
      await advance(0);
      const final = await call.waitForFinal(within("200"));
      assert.equal(final.status, 200);
      const [first, second] = received.filter((r) => r.method === "INVITE");
      assert.ok(first && second);
      assert.equal(second.callId, first.callId);
      assert.equal(second.fromTag, first.fromTag);
      assert.equal(second.header("cseq"), "2 INVITE");
      assert.notEqual(second.branch, first.branch);
      assert.equal(second.header("session-expires"), "300;refresher=uac");
      assert.equal(second.header("min-se"), "300");
      assert.deepEqual(
        call.retriedAfter.map((r) => r.status),
        [422],
      );
      assert.equal(call.invite, second.method === "INVITE" ? call.invite : undefined);
      assert.equal(call.invite.header("cseq"), "2 INVITE");
      assert.deepEqual(
        call.responses.history.map((r) => r.status),
        [200],
        "the 422 is not the call's final response",
      );
      // The refresh carries the Min-SE learnt (RFC 4028 7.4), at half of 300 s
      await advance(150_000);
      const update = received.find((r) => r.method === "UPDATE");
      assert.equal(update?.header("min-se"), "300");
      assert.equal(update.header("session-expires"), "300;refresher=uac");
    } finally {
      await close();
    }
  });

  test("a 422 without Min-SE is the call's final response (RFC 4028 6: nothing to retry with)", async () => {
    const { a, within, advance, close } = await scripted((rec, peer) => {
      if (rec.message.kind === "request" && rec.message.method === "INVITE") peer.respond(rec.transaction!, createResponse(rec.message, 422, { toTag: "core" }));
    });
    try {
      const call = a.call("sip:bob@ims.test", { sdp: OFFER, sessionTimer: { expires: 90 } });
      await advance(0);
      assert.equal((await call.waitForFinal(within("422"))).status, 422);
      assert.deepEqual(call.retriedAfter, []);
    } finally {
      await close();
    }
  });

  test("a peer whose Allow has no UPDATE is refreshed by re-INVITE with the same SDP offer, and its 2xx is ACKed", async () => {
    const { a, received, within, advance, close } = await scripted((rec, peer) => {
      const m = rec.message;
      if (m.kind === "request" && m.method === "INVITE") ok(rec, peer, { "Session-Expires": "90;refresher=uac", Require: "timer", Allow: "INVITE, ACK, BYE" });
    });
    try {
      const call = a.call("sip:bob@ims.test", { sdp: OFFER, sessionTimer: { expires: 90, refresher: "uac" } });
      await advance(0);
      await call.waitForFinal(within("200"));
      await advance(45_000);
      const refreshed = await call.sessionTimer!.next("refreshed", within("refresh"), "the refresh");
      assert.equal(refreshed.request.method, "INVITE");
      assert.equal(refreshed.request.header("cseq"), "2 INVITE");
      assert.equal(refreshed.request.bodyText, OFFER, "RFC 3264 8: the offer of a refresh is the session description unchanged");
      await advance(0);
      assert.deepEqual(
        received.map((r) => r.header("cseq")),
        ["1 INVITE", "1 ACK", "2 INVITE", "2 ACK"],
      );
    } finally {
      await close();
    }
  });

  test("a refresh answered 481 ends the session with BYE at once (RFC 4028 10)", async () => {
    const { a, received, within, advance, close } = await scripted((rec, peer) => {
      const m = rec.message;
      if (m.kind !== "request") return;
      if (m.method === "INVITE") ok(rec, peer, { "Session-Expires": "90;refresher=uac", Require: "timer", Allow: "INVITE, ACK, BYE, UPDATE" });
      else if (m.method === "UPDATE") peer.respond(rec.transaction!, createResponse(m, 481));
      else if (m.method === "BYE") peer.respond(rec.transaction!, createResponse(m, 200));
    });
    try {
      const call = a.call("sip:bob@ims.test", { sdp: OFFER, sessionTimer: { expires: 90, refresher: "uac" } });
      await advance(0);
      await call.waitForFinal(within("200"));
      await advance(45_000);
      const failed = await call.sessionTimer!.next("refresh-failed", within("refresh"), "the refresh's 481");
      assert.equal(failed.response?.status, 481);
      const expired = await call.sessionTimer!.next("expired", within("BYE"), "the BYE");
      assert.equal(expired.response?.status, 200);
      assert.deepEqual(
        received.map((r) => r.method),
        ["INVITE", "ACK", "UPDATE", "BYE"],
      );
      assert.equal(call.confirmed?.state, "terminated");
    } finally {
      await close();
    }
  });

  test("a 2xx without Session-Expires: no session timer, no refresh (RFC 4028 7.2)", async () => {
    const { a, received, within, advance, close } = await scripted((rec, peer) => {
      const m = rec.message;
      if (m.kind === "request" && m.method === "INVITE") ok(rec, peer, { Allow: "INVITE, ACK, BYE, UPDATE" });
    });
    try {
      const call = a.call("sip:bob@ims.test", { sdp: OFFER, sessionTimer: { expires: 90, refresher: "uac" } });
      await advance(0);
      await call.waitForFinal(within("200"));
      assert.equal(call.sessionTimer, undefined);
      await advance(3_600_000);
      assert.deepEqual(
        received.map((r) => r.method),
        ["INVITE", "ACK"],
      );
    } finally {
      await close();
    }
  });
});

// A UE's call with media (src/sip/ue/call-media.ts): the SDP carries the stream's address and even
// RTP port, media flows when the answer arrives (a 183 with SDP too), follows a re-INVITE's direction
// (RFC 3264 6.1, 8.4) and stops with the call and with the UE.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mediaDirection, parseSdp, pcmuTone } from "../../../src/media/index.ts";
import type { CallMedia } from "../../../src/sip/ue/index.ts";
import { Resources, uePair, waitFor } from "./ue-support.ts";

const res = new Resources();
after(() => res.closeAll());

function audioLine(sdp: string): { address: string; port: number; direction: string } {
  const parsed = parseSdp(sdp);
  assert.ok(parsed.ok);
  const m = parsed.sdp.media[0];
  assert.ok(m);
  return { address: (m.connection ?? parsed.sdp.connection)?.address ?? "", port: m.port, direction: mediaDirection(parsed.sdp, m) };
}

async function heard(media: CallMedia, hz: number): Promise<void> {
  await media.stream.waitForPackets(25, waitFor("RTP"));
  const m = media.stream.measureAudio([hz], 300);
  assert.ok(m.tones[0]?.present, `${hz} Hz heard: ${JSON.stringify(m)}`);
}

describe("UE calls with media", () => {
  test("offer and answer carry the streams; media both ways; hold and resume by re-INVITE; BYE stops it", async () => {
    const { a, b } = await uePair(res, "udp");
    const ma = await a.openMedia({ source: pcmuTone({ frequency: 1004, levelDbm0: -13 }) });
    const call = a.call("sip:bob@ims.test", { media: ma, reliable: false });
    assert.equal(call.media, ma);
    const offer = audioLine(call.invite.bodyText);
    assert.deepEqual(offer, { address: "127.0.0.1", port: ma.stream.local.rtpPort, direction: "sendrecv" });
    assert.equal(offer.port % 2, 0, "RTP on an even port (RFC 3550 11)");
    assert.match(call.invite.bodyText, /a=rtpmap:101 telephone-event\/8000/);

    const inc = await b.waitForCall(waitFor("INVITE"));
    const mb = await b.openMedia({ source: pcmuTone({ frequency: 697, levelDbm0: -13 }), offer: inc.invite.bodyText });
    const acked = inc.accept({ media: mb });
    assert.equal(inc.media, mb);
    const final = await call.waitForFinal(waitFor("200"));
    assert.equal(final.status, 200);
    assert.equal(audioLine(final.bodyText).port, mb.stream.local.rtpPort);
    await acked;
    await Promise.all([heard(ma, 697), heard(mb, 1004)]);
    assert.equal(ma.peerTelephoneEvent, 101);

    // Hold: sendonly offered, recvonly answered; UE-B stops sending
    const hold = call.changeDirection("sendonly", waitFor("re-INVITE"));
    const reinvite = await inc.waitForRequest("INVITE", waitFor("re-INVITE at B"));
    assert.equal(audioLine(reinvite.message.bodyText).direction, "sendonly");
    const answer = inc.answer(reinvite, 200);
    assert.equal(audioLine(answer.bodyText).direction, "recvonly");
    assert.equal((await hold).status, 200);
    assert.equal(ma.stream.currentDirection, "sendonly");
    assert.equal(mb.stream.currentDirection, "recvonly");
    await new Promise((r) => setTimeout(r, 100));
    const before = ma.stream.stats().received.packets;
    await mb.stream.waitForPackets(15, waitFor("RTP A->B on hold"));
    assert.ok(ma.stream.stats().received.packets - before <= 1, "no RTP from B while held");

    // Resume
    const resume = call.changeDirection("sendrecv", waitFor("re-INVITE"));
    inc.answer(await inc.waitForRequest("INVITE", waitFor("re-INVITE at B")), 200);
    assert.equal((await resume).status, 200);
    assert.equal(ma.stream.currentDirection, "sendrecv");
    await heard(ma, 697);

    assert.equal((await call.bye(waitFor("BYE"))).status, 200);
    await inc.waitForRequest("BYE", waitFor("BYE at B"));
    assert.ok(ma.stopped && mb.stopped, "BYE stops the media of both sides");
    // The datagrams are kept for the test case's capture: RTP both ways, RTCP at least from the BYE
    assert.ok(ma.packets.some((p) => p.direction === "sent" && p.remote.port === mb.stream.local.rtpPort));
    assert.ok(ma.packets.some((p) => p.direction === "received" && p.local.port === ma.stream.local.rtpPort));
    await Promise.all([ma.stop(), mb.stop()]);
  });

  test("early media: a 183 with SDP starts media before the 200 (RFC 3960)", async () => {
    const { a, b } = await uePair(res, "udp");
    const ma = await a.openMedia();
    const call = a.call("sip:bob@ims.test", { media: ma, reliable: false });
    const inc = await b.waitForCall(waitFor("INVITE"));
    const mb = await b.openMedia({ source: pcmuTone({ frequency: 697, levelDbm0: -13 }), offer: inc.invite.bodyText });
    await inc.provisional(183, { media: mb });
    await call.waitForResponse(183, waitFor("183"));
    await heard(ma, 697);
    const acked = inc.accept({ media: mb });
    const final = await call.waitForFinal(waitFor("200"));
    assert.equal(final.bodyText, (await call.responses.observe((r) => r.status === 183, waitFor("183"), "183")).bodyText, "the 200 repeats the answer of the 183");
    await acked;
    await a.close();
    assert.ok(ma.stopped, "closing the UE stops its media");
  });

  test("a rejected call and a cancelled call stop their media; without media the INVITE carries the caller's own SDP", async () => {
    const { a, b } = await uePair(res, "udp");
    const ma = await a.openMedia();
    const call = a.call("sip:bob@ims.test", { media: ma });
    const inc = await b.waitForCall(waitFor("INVITE"));
    const mb = await b.openMedia({ offer: inc.invite.bodyText });
    inc.reject(486);
    assert.equal((await call.waitForFinal(waitFor("486"))).status, 486);
    assert.ok(ma.stopped, "the caller's media stops on a failure response");

    const mc = await a.openMedia();
    const call2 = a.call("sip:bob@ims.test", { media: mc });
    const inc2 = await b.waitForCall(waitFor("INVITE"));
    const md = await b.openMedia({ offer: inc2.invite.bodyText });
    await inc2.provisional(183, { media: md });
    await call2.waitForResponse(183, waitFor("183"));
    await call2.cancel(waitFor("CANCEL"));
    assert.equal((await call2.waitForFinal(waitFor("487"))).status, 487);
    assert.ok(mc.stopped, "the caller's media stops when the call is cancelled");
    await inc2.waitForRequest("CANCEL", waitFor("CANCEL at B"));
    assert.ok(md.stopped, "the callee's media stops when the call is cancelled");
    assert.ok(!mb.stopped, "media never used in a response is the UE's to stop");
    await b.close();
    assert.ok(mb.stopped, "closing the UE stops every stream it opened");

    const own = "v=0\r\no=alice 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0\r\n";
    const plain = a.call("sip:bob@ims.test", { sdp: own });
    assert.equal(plain.invite.bodyText, own);
    assert.equal(plain.media, undefined);
  });
});

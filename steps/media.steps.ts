// Media in calls (IMS-CALL-009, 010, 013, 014): each UE runs its call's media stream (src/sip/ue/call-media.ts)
// and the steps judge what arrived, delegating to steps/support/media.ts.
import { setTimeout as sleep } from "node:timers/promises";
import { Then, When } from "@cucumber/cucumber";
import { isTelephoneEvent, mediaCodecs, mediaDirection, parseSdp, pcmuSilence, pcmuTone } from "../src/media/index.ts";
import type { SipResponse } from "../src/sip/message/index.ts";
import type { CallMedia } from "../src/sip/ue/index.ts";
import { incoming } from "./support/incoming.ts";
import { expectStatus, expectThat } from "./support/expect.ts";
import { expectDigits, expectTwoWayLeg, mediaWait } from "./support/media.ts";
import { type ImsWorld, later } from "./support/world.ts";

/** The level of the test tones: -13 dBm0, the usual test level of a 1004 Hz tone (ITU-T O.6). */
const TONE_LEVEL_DBM0 = -13;
/** RFC 4733 2.5.1.3: a digit's duration as received may differ from the sent one by about one packet interval. */
const DIGIT_TOLERANCE_MS = 50;

/** Digits a role sent in this test case, with their durations (for the receiving side's check). */
const sentDigits = new WeakMap<ImsWorld, { digits: string; durations: number[] }>();

function sourceFor(hz?: number) {
  return hz === undefined ? pcmuSilence() : pcmuTone({ frequency: hz, levelDbm0: TONE_LEVEL_DBM0 });
}

/** The media stream of `role`'s call, outgoing or incoming. */
function mediaOf(world: ImsWorld, role: string): CallMedia {
  const media = world.outgoing.get(role)?.media ?? world.incoming.get(role)?.media;
  if (!media) throw new Error(`${role} has no call with a media stream`);
  return media;
}

async function callWithMedia(world: ImsWorld, caller: string, callee: string, hz?: number, headers?: Record<string, string>): Promise<void> {
  const ue = await world.ue(caller);
  const target = (await world.ue(callee)).impu;
  const media = await ue.openMedia({ source: sourceFor(hz) });
  world.outgoing.set(caller, ue.call(target, { media, reliable: false, ...(headers ? { headers } : {}) }));
}

/** The callee's stream: the one its early media already runs on, or a new one answering the INVITE's offer. */
async function calleeMedia(world: ImsWorld, callee: string, hz?: number): Promise<{ inc: Awaited<ReturnType<typeof incoming>>; media: CallMedia }> {
  const inc = await incoming(world, callee);
  const media = inc.media ?? (await (await world.ue(callee)).openMedia({ source: sourceFor(hz), offer: inc.invite.bodyText }));
  return { inc, media };
}

async function answerWithMedia(world: ImsWorld, callee: string, hz?: number): Promise<void> {
  const { inc, media } = await calleeMedia(world, callee, hz);
  world.acks.set(callee, later(inc.accept({ media })));
}

When("{role} calls {role} with media, sending a {int} Hz tone", async function (this: ImsWorld, caller: string, callee: string, hz: number) {
  await callWithMedia(this, caller, callee, hz);
});

When("{role} calls {role} with media", async function (this: ImsWorld, caller: string, callee: string) {
  await callWithMedia(this, caller, callee);
});

When("{role} answers with media, sending a {int} Hz tone", async function (this: ImsWorld, callee: string, hz: number) {
  await answerWithMedia(this, callee, hz);
});

When("{role} answers with media", async function (this: ImsWorld, callee: string) {
  await answerWithMedia(this, callee);
});

// Early media (RFC 3960; P-Early-Media, RFC 5009; TS 24.628)

When("{role} calls {role} with media, offering early media", async function (this: ImsWorld, caller: string, callee: string) {
  // RFC 5009 8: the UAC says it understands P-Early-Media
  await callWithMedia(this, caller, callee, undefined, { "P-Early-Media": "supported" });
});

When("{role} sends early media in a 183, sending a {int} Hz tone", async function (this: ImsWorld, callee: string, hz: number) {
  const { inc, media } = await calleeMedia(this, callee, hz);
  // RFC 5009 8: the UAS authorises early media in both directions
  await inc.provisional(183, { media, headers: { "P-Early-Media": "sendrecv" } });
});

Then("{role} receives 183 with an SDP answer and RTP from {role} carrying the {int} Hz tone before the 200 OK", async function (this: ImsWorld, caller: string, callee: string, hz: number) {
  const call = this.outgoingCall(caller);
  const r183 = await call.waitForResponse(183, this.deadline("183 for the INVITE"), "RFC 3960 3");
  expectThat(r183.body.length > 0 && (r183.header("content-type") ?? "").startsWith("application/sdp"), "a 183 carrying the SDP answer (early media)", r183, "RFC 3960 3, RFC 3261 13.2.1");
  await expectTwoWayLeg(mediaOf(this, caller), {
    name: `early media ${callee} -> ${caller}`,
    maxLossPercent: this.profile.ixit.media.maxLossPercent,
    toneHz: hz,
    deadline: this.deadline(`early RTP from ${callee} at ${caller}`),
  });
  const final = call.responses.history.find((r) => r.status >= 200);
  expectThat(final === undefined, `the early media before any final response to the INVITE`, final ? final.startLine() : undefined, "RFC 3960 3");
});

Then("where the profile claims p-early-media, the 183 authorizes early media with P-Early-Media", function (this: ImsWorld) {
  if (!this.profile.pics["p-early-media"]) return;
  const [caller] = [...this.outgoing.keys()];
  // The 183 the previous step waited for, as UE-A received it
  const r183 = this.outgoingCall(caller).responses.history.find((r) => r.status === 183);
  // RFC 5009 8: sendrecv or sendonly (the first value) authorizes media from the callee to the caller
  const direction = r183?.header("p-early-media")?.split(",")[0]?.trim().toLowerCase();
  expectThat(direction === "sendrecv" || direction === "sendonly", "P-Early-Media: sendrecv (or sendonly) on the 183: the network authorizes the early media", r183, "RFC 5009 8");
});

Then(
  "{role} receives RTP from {role} with the negotiated payload type, loss within the profile's threshold and the {int} Hz tone",
  async function (this: ImsWorld, receiver: string, sender: string, hz: number) {
    await expectTwoWayLeg(mediaOf(this, receiver), {
      name: `media ${sender} -> ${receiver}`,
      maxLossPercent: this.profile.ixit.media.maxLossPercent,
      toneHz: hz,
      deadline: this.deadline(`RTP from ${sender} at ${receiver}`),
    });
  },
);

Then("{role} receives an offer with telephone-event", async function (this: ImsWorld, callee: string) {
  const inc = await incoming(this, callee);
  const parsed = parseSdp(inc.invite.bodyText);
  const audio = parsed.ok ? parsed.sdp.media.find((m) => m.media === "audio") : undefined;
  const te = audio ? mediaCodecs(audio).filter(isTelephoneEvent) : [];
  expectThat(te.length > 0, "an SDP offer with a=rtpmap:<pt> telephone-event/8000 on the audio stream", inc.invite, "RFC 4733 7.1.1, TS 26.114 6.2.4");
});

When("{role} sends the DTMF digits {string} lasting {int} ms each", async function (this: ImsWorld, role: string, digits: string, ms: number) {
  const media = mediaOf(this, role);
  expectThat(media.peerTelephoneEvent !== undefined, `telephone-event in the SDP answer ${role} received`, "an answer without telephone-event", "RFC 4733 7.1.1");
  const sent = sentDigits.get(this) ?? { digits: "", durations: [] };
  await media.stream.sendDigits(digits, { durationMs: ms });
  sentDigits.set(this, { digits: sent.digits + digits, durations: [...sent.durations, ...[...digits].map(() => ms)] });
});

Then("{role} receives the DTMF digits {role} sent, with their durations, each ended by the E bit", async function (this: ImsWorld, receiver: string, sender: string) {
  const sent = sentDigits.get(this);
  if (!sent) throw new Error(`${sender} sent no digits`);
  const name = `telephone-events ${sender} -> ${receiver}`;
  const media = mediaOf(this, receiver);
  const events = await mediaWait(media.stream.waitForDigits(sent.digits, this.deadline(`DTMF at ${receiver}`)), name, "RFC 4733 2.5.2");
  expectDigits(events, sent.digits, sent.durations, DIGIT_TOLERANCE_MS, name);
});

// Hold and resume (RFC 3264 8.4, RFC 6337 5.3, TS 24.610)

When("{role} puts the call on hold", function (this: ImsWorld, role: string) {
  this.updates.set(role, later(this.outgoingCall(role).changeDirection("sendonly", this.deadline("re-INVITE (hold)"))));
});

When("{role} resumes the call", function (this: ImsWorld, role: string) {
  this.updates.set(role, later(this.outgoingCall(role).changeDirection("sendrecv", this.deadline("re-INVITE (resume)"))));
});

Then("{role} accepts the re-INVITE and {role} gets 200 OK with a {word} answer", async function (this: ImsWorld, callee: string, caller: string, direction: string) {
  const inc = await incoming(this, callee);
  const reinvite = await inc.waitForRequest("INVITE", this.deadline(`re-INVITE at ${callee}`), "RFC 3261 14.2");
  inc.answer(reinvite, 200);
  const response: SipResponse = await this.updates.get(caller)!;
  expectStatus(response, [200], "OK for the re-INVITE", "RFC 3261 14.1");
  const parsed = parseSdp(response.bodyText);
  const audio = parsed.ok ? parsed.sdp.media.find((m) => m.media === "audio") : undefined;
  const got = parsed.ok && audio ? mediaDirection(parsed.sdp, audio) : "no audio stream";
  expectThat(got === direction, `an SDP answer with a=${direction}`, `a=${got} in the answer: ${response.startLine()}`, direction === "recvonly" ? "RFC 3264 6.1, RFC 6337 5.3" : "RFC 3264 6.1");
});

/** How long a held stream is watched for packets that should not come. */
const HOLD_WATCH_MS = 600;

Then("media from {role} to {role} stops while media from {role} to {role} continues", async function (this: ImsWorld, heldSender: string, heldReceiver: string, sender: string, receiver: string) {
  const held = mediaOf(this, heldReceiver).stream;
  const flowing = mediaOf(this, receiver).stream;
  // Packets already in flight when the answer arrived are not counted
  await sleep(200);
  const before = held.stats().received.packets;
  await mediaWait(
    flowing.waitForPackets(Math.floor(HOLD_WATCH_MS / 20 / 2), this.deadline(`RTP from ${sender} at ${receiver} during hold`)),
    `media ${sender} -> ${receiver} during hold`,
    "RFC 3264 6.1",
  );
  await sleep(HOLD_WATCH_MS / 2);
  const during = held.stats().received.packets - before;
  expectThat(
    during === 0,
    `media ${heldSender} -> ${heldReceiver}: no RTP for ${HOLD_WATCH_MS} ms while the stream is on hold`,
    `${during} RTP packets`,
    "RFC 3264 5.1, 6.1 (recvonly: the answerer does not send)",
  );
});

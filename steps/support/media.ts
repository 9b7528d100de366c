// SDP for the simulated UEs, from the media layer's offer/answer (RFC 3264, RFC 3312).
import { MediaTimeoutError, PCMU, type ReceivedEvent, amrWb, createAnswer, createOffer, parseSdp, serializeSdp } from "../../src/media/index.ts";
import type { Deadline } from "../../src/sip/deadline.ts";
import { ExpectationError } from "../../src/sip/failure.ts";
import type { CallMedia } from "../../src/sip/ue/index.ts";

const codecs = [amrWb(97), PCMU];

export function offerSdp(port: number, preconditions: false | "none" | "sendrecv"): string {
  const sdp = createOffer({ address: "127.0.0.1", port, codecs, telephoneEvent: true, ...(preconditions ? { preconditions: { localCurrent: preconditions } } : {}) });
  return serializeSdp(sdp);
}

/** The answer to an offer; when the offer has preconditions the answer carries this side's status. */
export function answerSdp(offer: string, port: number, localCurrent: "none" | "sendrecv" = "none"): string {
  const parsed = parseSdp(offer);
  if (!parsed.ok) throw new Error(`the SDP offer does not parse at line ${parsed.error.line}: ${parsed.error.reason}`);
  const answer = createAnswer(parsed.sdp, { address: "127.0.0.1", port, codecs, telephoneEvent: true, preconditions: { localCurrent } });
  if (!answer.ok) throw new Error(`no SDP answer to the offer: ${answer.error.reason}`);
  return serializeSdp(answer.sdp);
}

// The checks of the media test cases (IMS-CALL-009, 013, 014): each failure names the stream, the
// figure and the threshold.

/** A media wait that runs out is the test case's failure, with the clause that asked for the media. */
export async function mediaWait<T>(wait: Promise<T>, name: string, clause: string): Promise<T> {
  try {
    return await wait;
  } catch (e) {
    if (e instanceof MediaTimeoutError) throw new ExpectationError({ ...e.parts, expected: `${name}: ${e.parts.expected}`, clause });
    throw e;
  }
}

export interface StreamCheck {
  /** "UE-A -> UE-B" */
  readonly name: string;
  readonly maxLossPercent: number;
  readonly toneHz: number;
  readonly deadline: Deadline;
}

/** Packets to see since the offer/answer before judging a stream: a second of 20 ms frames. */
const JUDGED_PACKETS = 50;

/**
 * RFC 3550, TS 26.114: the receiving side's stream got RTP with the negotiated payload type from
 * one source, with loss within the threshold, and carrying the sender's tone.
 */
export async function expectTwoWayLeg(receiver: CallMedia, check: StreamCheck): Promise<void> {
  const stream = receiver.stream;
  // Counted from the offer/answer, so that both directions of a call are watched over the same second
  const have = stream.stats().received.packets - receiver.receivedAtAgreement;
  if (have < JUDGED_PACKETS) await mediaWait(stream.waitForPackets(JUDGED_PACKETS - have, check.deadline), check.name, "RFC 3550 5.1, TS 26.114 7.2");
  const stats = stream.stats();
  const sources = stats.sources.filter((s) => s.packets > 0);
  const te = receiver.peerTelephoneEvent;
  const allowed = new Set([String(stream.payloadType), ...(te !== undefined ? [String(te)] : [])]);
  for (const s of sources) {
    const other = Object.entries(s.payloadTypes).filter(([pt]) => !allowed.has(pt));
    if (other.length)
      throw new ExpectationError({
        expected: `${check.name}: RTP with the negotiated payload type ${stream.payloadType} (${stream.encoding})`,
        received: [`SSRC ${s.ssrc}: packets of payload type ${other.map(([pt, n]) => `${pt} (${n})`).join(", ")}`],
        clause: "RFC 3264 5.1, RFC 3550 5.1",
      });
    const lossPercent = 100 * s.lossRatio;
    if (lossPercent > check.maxLossPercent)
      throw new ExpectationError({
        expected: `${check.name}: packet loss at most ${check.maxLossPercent}% (ixit.media.maxLossPercent)`,
        received: [`SSRC ${s.ssrc}: loss ${lossPercent.toFixed(2)}% (${s.lost} of ${s.expected} packets)`],
        clause: "RFC 3550 6.4.1, A.3; TS 26.114 10",
      });
  }
  const heard = stream.measureAudio([check.toneHz], 500);
  const tone = heard.tones[0];
  if (!tone?.present)
    throw new ExpectationError({
      expected: `${check.name}: the sender's ${check.toneHz} Hz tone`,
      received: [
        heard.silent
          ? `silence (${heard.levelDbm0.toFixed(1)} dBm0 over ${heard.durationMs} ms)`
          : `${heard.dominantFrequency !== undefined ? `a dominant ${Math.round(heard.dominantFrequency)} Hz` : "no dominant tone"} at ${heard.levelDbm0.toFixed(1)} dBm0; ${check.toneHz} Hz carries ${Math.round(100 * (tone?.purity ?? 0))}% of the power`,
      ],
      clause: "TS 26.114 5.2 (the media carried end to end), RFC 3551 4.5.14",
    });
}

/** RFC 4733 2.5.2: the digits arrived in order, each ended (E bit) and lasting its duration within the tolerance. */
export function expectDigits(received: readonly ReceivedEvent[], digits: string, durationsMs: readonly number[], toleranceMs: number, name: string): void {
  const seen = received.map((e) => e.digit).join("");
  const start = seen.indexOf(digits);
  const describe = received.map((e) => `${e.digit} ${e.durationMs} ms${e.ended ? "" : " (no end bit)"}`).join(", ") || "no telephone-event";
  if (start < 0) throw new ExpectationError({ expected: `${name}: the DTMF digits "${digits}" as telephone-events`, received: [describe], clause: "RFC 4733 2.3, 3.2" });
  for (const [i, e] of received.slice(start, start + digits.length).entries()) {
    const want = durationsMs[i] ?? durationsMs[durationsMs.length - 1] ?? 0;
    if (!e.ended) throw new ExpectationError({ expected: `${name}: digit "${e.digit}" ended by a packet with the E bit`, received: [describe], clause: "RFC 4733 2.5.1.4" });
    if (Math.abs(e.durationMs - want) > toleranceMs)
      throw new ExpectationError({
        expected: `${name}: digit "${e.digit}" lasting ${want} ms within ${toleranceMs} ms`,
        received: [`${e.durationMs} ms (${e.durationUnits} timestamp units); all: ${describe}`],
        clause: "RFC 4733 2.5.1.3",
      });
  }
}

/**
 * The answer of an IMS UE to a browser's WebRTC offer when the network does not interwork media
 * (no webrtc-gateway): the offer's profile (UDP/TLS/RTP/SAVPF) and first payload type, with the ICE
 * and DTLS attributes a browser requires of an answer (RFC 8829 5.3, RFC 8842 5), so that the call
 * is signalled end to end. No media flows: the fingerprint names no certificate the UE holds.
 */
export function signallingOnlyWebRtcAnswer(offer: string, port: number): string {
  const m = /^m=audio \d+ (\S+) (\d+)/m.exec(offer);
  if (!m) throw new Error("the browser's offer has no audio m= line");
  const [, profile, pt] = m;
  const rtpmap = new RegExp(`^a=rtpmap:${pt} (\\S+)`, "m").exec(offer)?.[1] ?? "opus/48000/2";
  const mid = /^a=mid:(\S+)/m.exec(offer)?.[1] ?? "0";
  return [
    "v=0",
    "o=ims-ue 1 1 IN IP4 127.0.0.1",
    "s=-",
    "t=0 0",
    "a=group:BUNDLE " + mid,
    `m=audio ${port} ${profile} ${pt}`,
    "c=IN IP4 127.0.0.1",
    `a=mid:${mid}`,
    `a=rtpmap:${pt} ${rtpmap}`,
    "a=sendrecv",
    "a=rtcp-mux",
    "a=ice-ufrag:imsue",
    "a=ice-pwd:imsueimsueimsueimsueimsu",
    "a=fingerprint:sha-256 " + Array.from({ length: 32 }, (_, i) => (i * 7).toString(16).padStart(2, "0").toUpperCase()).join(":"),
    "a=setup:active",
    `a=candidate:1 1 udp 2130706431 127.0.0.1 ${port} typ host`,
    "",
  ].join("\r\n");
}

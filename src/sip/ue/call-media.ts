// The media of one call as a UE runs it: a MediaStream opened before the offer or answer, so the
// SDP's c= and m= lines carry the stream's address and even RTP port (RFC 3264 5, 6; RFC 3550 11).
// Media starts when the answer arrives (a 183 with SDP too: early media), follows the direction
// of each later offer/answer (RFC 3264 6.1, 8.4: sendonly, recvonly, inactive) and stops with the call.
import {
  type CapturedPacket,
  type Direction,
  type MediaDirection,
  type PayloadSource,
  type Sdp,
  MediaStream,
  PCMU,
  answerDirection,
  createAnswer,
  createOffer,
  isTelephoneEvent,
  mediaCodecs,
  mediaConnection,
  mediaDirection,
  parseSdp,
  serializeSdp,
  telephoneEvent,
} from "../../media/index.ts";

export interface CallMediaOptions {
  /** Local address to bind and put in c=; default 127.0.0.1. */
  readonly host?: string;
  /** What each packet carries (default PCMU silence). */
  readonly source?: PayloadSource;
  /** Offer or accept telephone-event (RFC 4733); default true. */
  readonly telephoneEvent?: boolean;
  /** The offer being answered: the stream takes the offer's payload types for PCMU and telephone-event. */
  readonly offer?: string;
  /** RTCP interval in ms (default the stream's). */
  readonly rtcpIntervalMs?: number;
  /** Keep the RTP and RTCP datagrams sent and received (for a test case's capture file); default true, at most MAX_CAPTURED. */
  readonly capture?: boolean;
}

/** Datagrams kept per stream for the capture: about three minutes of a sendrecv 20 ms stream. */
export const MAX_CAPTURED = 20000;

const DEFAULT_TELEPHONE_EVENT_PT = 101;

function parse(text: string, what: string): Sdp {
  const parsed = parseSdp(text);
  if (!parsed.ok) throw new Error(`the SDP ${what} does not parse at line ${parsed.error.line}: ${parsed.error.reason}`);
  return parsed.sdp;
}

/** The first audio m= line of `sdp` that is not rejected. */
function audioOf(sdp: Sdp): Sdp["media"][number] | undefined {
  return sdp.media.find((m) => m.media === "audio" && m.port !== 0);
}

export class CallMedia {
  /** Our last offer or answer (RFC 3264 8: the next one keeps its o= id, version + 1). */
  private previous: Sdp | undefined;
  /** The direction we put in our last offer, waiting for its answer. */
  private offered: Direction = "sendrecv";
  private stopping: Promise<void> | undefined;
  /** The peer's telephone-event payload type from the last answer or offer, if it has one. */
  peerTelephoneEvent: number | undefined;
  /** RTP packets received when the last offer/answer completed: what arrived since is the media as agreed. */
  receivedAtAgreement = 0;

  private constructor(
    readonly stream: MediaStream,
    private readonly host: string,
    private readonly telephoneEventPt: number | undefined,
    /** RTP and RTCP datagrams sent and received, in order, up to MAX_CAPTURED (options.capture). */
    readonly packets: readonly CapturedPacket[],
  ) {}

  static async open(options: CallMediaOptions = {}): Promise<CallMedia> {
    const host = options.host ?? "127.0.0.1";
    let pcmu = PCMU.payloadType;
    let te: number | undefined = options.telephoneEvent === false ? undefined : DEFAULT_TELEPHONE_EVENT_PT;
    if (options.offer !== undefined) {
      const audio = audioOf(parse(options.offer, "offer"));
      const codecs = audio ? mediaCodecs(audio) : [];
      pcmu = codecs.find((c) => c.encodingName.toUpperCase() === "PCMU" && c.clockRate === 8000)?.payloadType ?? pcmu;
      const offeredTe = codecs.find((c) => isTelephoneEvent(c) && c.clockRate === 8000)?.payloadType;
      te = te === undefined ? undefined : offeredTe;
    }
    const packets: CapturedPacket[] = [];
    const stream = await MediaStream.open({
      host,
      payloadType: pcmu,
      clockRate: 8000,
      encoding: "PCMU",
      direction: "inactive",
      ...(options.source ? { source: options.source } : {}),
      ...(te !== undefined ? { telephoneEvent: { payloadType: te } } : {}),
      ...(options.rtcpIntervalMs !== undefined ? { rtcpIntervalMs: options.rtcpIntervalMs } : {}),
      ...(options.capture !== false ? { capture: (p: CapturedPacket) => void (packets.length < MAX_CAPTURED && packets.push(p)) } : {}),
    });
    return new CallMedia(stream, host, te, packets);
  }

  private codecs(): Array<typeof PCMU> {
    const pcmu = { ...PCMU, payloadType: this.stream.payloadType };
    return this.telephoneEventPt === undefined ? [pcmu] : [pcmu, telephoneEvent(this.telephoneEventPt, 8000)];
  }

  /** RFC 3264 5, 8: an offer for this stream with `direction`; the answer goes to applyAnswer. */
  offer(direction: MediaDirection = "sendrecv"): string {
    const sdp = createOffer({
      address: this.host,
      port: this.stream.local.rtpPort,
      codecs: this.codecs(),
      direction,
      ...(this.previous ? { previous: this.previous } : {}),
    });
    this.previous = sdp;
    this.offered = direction;
    return serializeSdp(sdp);
  }

  /** RFC 3264 6: answers `offer` from this stream, and sends and receives as the answer says. */
  answer(offer: string, direction: MediaDirection = "sendrecv"): string {
    const parsed = parse(offer, "offer");
    const result = createAnswer(parsed, {
      address: this.host,
      port: this.stream.local.rtpPort,
      codecs: this.codecs(),
      telephoneEvent: this.telephoneEventPt !== undefined,
      direction,
      preconditions: false,
      ...(this.previous ? { previous: this.previous } : {}),
    });
    if (!result.ok) throw new Error(`no SDP answer to the offer: ${result.error.reason}`);
    this.previous = result.sdp;
    const audio = audioOf(parsed);
    this.follow(parsed, audio ? answerDirection(mediaDirection(parsed, audio), direction) : "inactive");
    return serializeSdp(result.sdp);
  }

  /** The answer to our last offer arrived (a 2xx, or a 183 with SDP): media flows as agreed. */
  applyAnswer(answer: string): void {
    const parsed = parse(answer, "answer");
    const audio = audioOf(parsed);
    this.follow(parsed, audio ? answerDirection(mediaDirection(parsed, audio), this.offered) : "inactive");
  }

  /** Sends to the peer's c=/m= address in the direction agreed. */
  private follow(peer: Sdp, direction: Direction): void {
    if (this.stopping) return;
    this.receivedAtAgreement = this.stream.stats().received.packets;
    const audio = audioOf(peer);
    const connection = audio ? mediaConnection(peer, audio) : undefined;
    if (!audio || !connection) {
      this.stream.setDirection("inactive");
      this.stream.setRemote(null);
      return;
    }
    this.peerTelephoneEvent = mediaCodecs(audio).find((c) => isTelephoneEvent(c))?.payloadType;
    const rtcp = audio.attributes.find((a) => a.name === "rtcp")?.value?.split(" ")[0];
    this.stream.setRemote({ host: connection.address.split("/")[0] ?? connection.address, port: audio.port, ...(rtcp && /^\d+$/.test(rtcp) ? { rtcpPort: Number(rtcp) } : {}) });
    this.stream.setDirection(direction);
  }

  /** RTCP BYE and sockets closed; idempotent. */
  stop(reason = "call ended"): Promise<void> {
    this.stopping ??= this.stream.stop(reason);
    return this.stopping;
  }

  get stopped(): boolean {
    return this.stopping !== undefined;
  }
}

// A media stream as an IMS UE runs one: a UDP socket pair (RTP even, RTCP odd, RFC 3550 11), a
// sender pacing one packet per ptime from a payload source, RTCP SR/RR with SDES CNAME every few
// seconds (RFC 3550 6.2, 6.3, 6.4), a direction (RFC 3264 5.1, 6.1: what it sends and what it
// expects to receive), telephone-events both ways (RFC 4733) and receive statistics per SSRC
// (RFC 3550 A.1, A.3, A.8). Every received packet is processed into the statistics on arrival;
// nothing received is queued.
import { randomInt } from "node:crypto";
import { type AmrWbFormat, unpackAmrWb } from "./amr-wb.ts";
import { AudioRing } from "./audio-ring.ts";
import { decodePcmu } from "./g711.ts";
import { type ToneMeasurement, type ToneSpec, detectTone, dominantFrequency, levelDbm0, SILENCE_DBM0 } from "./goertzel.ts";
import { type PacedTask, sharedPacer } from "./pacer.ts";
import { type PayloadSource, amrWbNoDataSource, pcmuSilence } from "./payload-source.ts";
import { type SourceSnapshot, ReceiveStatistics } from "./receive-statistics.ts";
import { type ReportBlock, type RtcpPacket, decodeRtcpCompound, encodeRtcpCompound, ntpFromMs, ntpMiddle32 } from "./rtcp-packet.ts";
import { decodeRtp, encodeRtp, looksLikeRtcp } from "./rtp-packet.ts";
import { type EventPacketPlan, type ReceivedEvent, TelephoneEventReceiver, digitToEvent, encodeTelephoneEvent, planEvent } from "./telephone-event.ts";
import { type UdpPair, bindUdpPair, close } from "./udp-pair.ts";
import { type MediaDeadline, MediaTimeoutError, deadlineAt, mediaNow } from "./wait.ts";

/** RFC 3264 6.1 / RFC 8866 6.7: the direction attribute of the media description. */
export type MediaDirection = "sendrecv" | "sendonly" | "recvonly" | "inactive";

export interface RemoteAddress {
  readonly host: string;
  /** RTP port (the m= line's port). */
  readonly port: number;
  /** RTCP port (RFC 3605 a=rtcp); port + 1 when absent (RFC 3550 11). */
  readonly rtcpPort?: number;
}

export interface TelephoneEventOptions {
  /** The dynamic payload type of a=rtpmap:N telephone-event/... */
  readonly payloadType: number;
  /** Its clock rate (default the stream's, RFC 4733 2.1); durations are counted in it. */
  readonly clockRate?: number;
  /** Time between packets of an event (default 50 ms, RFC 4733 2.5.1.2). */
  readonly intervalMs?: number;
}

export interface MediaStreamOptions {
  /** Local address to bind, e.g. "127.0.0.1". */
  readonly host: string;
  /** Even RTP port; 0 or absent picks a free even/odd pair. */
  readonly port?: number;
  readonly payloadType: number;
  /** The payload format's clock (8000 for PCMU, 16000 for AMR-WB). */
  readonly clockRate: number;
  /** Encoding name as in a=rtpmap ("PCMU", "AMR-WB" ...); by default from the static payload type (RFC 3551 6). */
  readonly encoding?: string;
  /** Packetization time in ms (default 20, RFC 3551 4.5). */
  readonly ptime?: number;
  /** Default sendrecv. */
  readonly direction?: MediaDirection;
  /** What each packet carries; default silence for PCMU and NO_DATA for AMR-WB. */
  readonly source?: PayloadSource;
  /** Where to send, from the peer's SDP; settable later with setRemote. */
  readonly remote?: RemoteAddress;
  readonly telephoneEvent?: TelephoneEventOptions;
  /** How received AMR-WB payloads are read (default bandwidth-efficient, RFC 4867 8.1 octet-align=0). */
  readonly amrWbFormat?: AmrWbFormat;
  /** Mean RTCP interval in ms (default 5000, the minimum of RFC 3550 6.2); each one varies by 0.5..1.5 (6.3.1). */
  readonly rtcpIntervalMs?: number;
  /** Random by default (RFC 3550 5.1, 8.1); fixed values make a test's packets predictable. */
  readonly ssrc?: number;
  readonly initialSequence?: number;
  readonly initialTimestamp?: number;
  /** SDES CNAME (RFC 3550 6.5.1); default "ims-interop-<ssrc>@<host>". */
  readonly cname?: string;
  /** SO_RCVBUF of each socket (default 256 KiB): what the kernel buffers while the process is busy. */
  readonly receiveBufferBytes?: number;
  /** Decoded PCMU kept for measureAudio (default 2000 ms; 0 keeps none). */
  readonly audioHistoryMs?: number;
  /** Sources tracked at once (default 16). */
  readonly maxSources?: number;
  /** Told of every RTP and RTCP datagram sent and received, e.g. to write them to a capture file. */
  readonly capture?: PacketCapture;
}

/** One datagram of a stream, as a capture sees it. */
export interface CapturedPacket {
  readonly direction: "sent" | "received";
  readonly local: { readonly host: string; readonly port: number };
  readonly remote: { readonly host: string; readonly port: number };
  /** Shared with the socket, not copied: do not mutate. */
  readonly bytes: Buffer;
  /** mediaNow() when it was sent or received. */
  readonly time: number;
}

export type PacketCapture = (packet: CapturedPacket) => void;

/** What the peer reported about this stream's packets in its last SR/RR (RFC 3550 6.4). */
export interface RemoteReport {
  /** SSRC of the reporter. */
  readonly reporter: number;
  /** 0..1, from the 8-bit fraction of the last interval. */
  readonly fractionLost: number;
  readonly cumulativeLost: number;
  readonly highestSequence: number;
  readonly jitterMs: number;
  /** RFC 3550 6.4.1: A - LSR - DLSR, when the report refers to an SR of ours. */
  readonly roundTripMs?: number;
  readonly arrivalMs: number;
}

/** A JSON-able picture of a stream. */
export interface MediaStreamStats {
  readonly local: { readonly host: string; readonly rtpPort: number; readonly rtcpPort: number };
  readonly remote: RemoteAddress | null;
  readonly direction: MediaDirection;
  readonly ssrc: number;
  readonly payloadType: number;
  readonly encoding: string;
  readonly sent: {
    readonly packets: number;
    /** Payload octets (RFC 3550 6.4.1 sender's octet count). */
    readonly octets: number;
    /** telephone-event packets, included in packets. */
    readonly eventPackets: number;
    readonly rtcp: number;
    readonly sendErrors: number;
    /** Frames not sent because the process was more than a second late (the timer could not keep up). */
    readonly skippedFrames: number;
  };
  readonly received: {
    /** RTP packets that parsed, from every source. */
    readonly packets: number;
    /** Of those, packets that arrived while the direction was sendonly or inactive. */
    readonly unexpected: number;
    readonly malformed: number;
    readonly rtcp: number;
    readonly rtcpMalformed: number;
    /** Payloads of the stream's own or the telephone-event payload type that did not parse. */
    readonly payloadErrors: number;
    /** The last few reasons for malformed packets and payload errors. */
    readonly problems: readonly string[];
    /** telephone-events received (events, not packets). */
    readonly events: number;
    /** RTCP BYE received (RFC 3550 6.6), SSRCs and reason. */
    readonly byes: readonly { readonly ssrcs: readonly number[]; readonly reason?: string }[];
  };
  /** Per source: RFC 3550 A.1/A.3/A.8 and more. */
  readonly sources: readonly SourceSnapshot[];
  readonly remoteReports: readonly RemoteReport[];
  /** For AMR-WB: received frames by frame type ("0".."8", "9" SID, "14", "15" NO_DATA), and the last CMR. */
  readonly amrWb?: { readonly frames: Readonly<Record<string, number>>; readonly lastCmr?: number };
}

export interface AudioMeasurement {
  /** Audio measured: the last `lastMs` ms received, or less if less arrived. */
  readonly durationMs: number;
  readonly levelDbm0: number;
  readonly silent: boolean;
  /** The strongest frequency (10 Hz steps), undefined for silence. */
  readonly dominantFrequency?: number;
  readonly tones: readonly ToneMeasurement[];
}

export interface WaitForToneSpec extends ToneSpec {
  /** How long the tone must be heard without a break (default 100 ms). */
  readonly minDurationMs?: number;
}

export interface SendDigitsOptions {
  /** Duration of each digit (default 100 ms). */
  readonly durationMs?: number;
  /** Pause between digits (default 100 ms). */
  readonly gapMs?: number;
  /** 0..63, meaning -dBm0 (default 10). */
  readonly volume?: number;
}

interface Waiter {
  readonly check: () => boolean;
  readonly done: (err?: Error) => void;
}

interface ToneTracker {
  readonly spec: WaitForToneSpec;
  heardMs: number;
  last: ToneMeasurement | undefined;
}

interface ActiveEvent {
  readonly timestamp: number;
  readonly startAt: number;
  readonly plan: EventPacketPlan[];
  next: number;
}

interface PendingDigit {
  readonly event: number;
  readonly options: SendDigitsOptions;
  readonly resolve?: () => void;
}

const MAX_PROBLEMS = 10;
const MAX_BYES = 10;
/** Frames the sender sends late to catch up (a second's worth); beyond, it skips ahead. */
const MAX_CATCH_UP_FRAMES = 50;
/** RFC 3551 6, Table 4: encodings of the static audio payload types a stream may be opened with. */
const STATIC_ENCODINGS: Readonly<Record<number, string>> = { 0: "PCMU", 8: "PCMA", 9: "G722", 18: "G729" };

export class MediaStream {
  private remote: RemoteAddress | null;
  private readonly capture: PacketCapture | undefined;
  private direction: MediaDirection;
  private source: PayloadSource;
  readonly ssrc: number;
  readonly encoding: string;
  readonly payloadType: number;
  readonly clockRate: number;
  readonly ptime: number;
  private readonly samplesPerFrame: number;
  private readonly cname: string;
  private readonly te: Required<TelephoneEventOptions> | undefined;
  private readonly amrWbFormat: AmrWbFormat;
  private readonly rtcpIntervalMs: number;

  // sender state
  private sequence: number;
  private readonly timestampBase: number;
  private readonly startAt: number;
  private frameIndex = 0;
  private nextFrameAt: number;
  private markNext = true;
  private sentPackets = 0;
  private sentOctets = 0;
  private sentEventPackets = 0;
  private sentRtcp = 0;
  private sendErrors = 0;
  private skippedFrames = 0;
  /** Packets sent when the last two reports went out, oldest first (RFC 3550 6.4: SR or RR). */
  private readonly sentAtReports: number[] = [0, 0];
  private readonly digits: PendingDigit[] = [];
  private activeEvent: ActiveEvent | undefined;
  /** Audio frames in [from, until) are not sent: an event is being sent (RFC 4733 2.5.1.2). */
  private audioPause = { from: 0, until: 0 };
  private readonly task: PacedTask = { run: (now) => this.tick(now) };
  private nextDigitAt = Number.NEGATIVE_INFINITY;

  // receiver state
  private readonly statistics: ReceiveStatistics;
  private readonly events: TelephoneEventReceiver | undefined;
  private readonly audio: AudioRing | undefined;
  private receivedPackets = 0;
  private unexpected = 0;
  private malformed = 0;
  private rtcpReceived = 0;
  private rtcpMalformed = 0;
  private payloadErrors = 0;
  private readonly problems: string[] = [];
  private readonly byes: { ssrcs: number[]; reason?: string }[] = [];
  private readonly remoteReports = new Map<number, RemoteReport>();
  private readonly amrWbFrames = new Map<number, number>();
  private lastCmr: number | undefined;
  private lastRtcpReceived: readonly RtcpPacket[] | undefined;
  private rtcpSeen = 0;
  private lastReportAt: number;
  private readonly sentSrs = new Map<number, number>();

  private readonly waiters = new Set<Waiter>();
  private readonly toneTrackers = new Set<ToneTracker>();
  private rtcpTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  private constructor(
    private readonly pair: UdpPair,
    options: MediaStreamOptions,
  ) {
    this.payloadType = options.payloadType;
    this.clockRate = options.clockRate;
    this.ptime = options.ptime ?? 20;
    if (!(this.ptime > 0)) throw new RangeError(`ptime must be positive, got ${this.ptime}`);
    this.samplesPerFrame = Math.round((this.ptime * this.clockRate) / 1000);
    this.encoding = (options.encoding ?? STATIC_ENCODINGS[options.payloadType] ?? "").toUpperCase();
    this.direction = options.direction ?? "sendrecv";
    this.remote = options.remote ?? null;
    this.amrWbFormat = options.amrWbFormat ?? "bandwidth-efficient";
    this.source = options.source ?? defaultSource(this.encoding, this.amrWbFormat);
    this.ssrc = (options.ssrc ?? randomInt(0, 2 ** 32 - 1)) >>> 0;
    this.sequence = (options.initialSequence ?? randomInt(0, 0x10000)) & 0xffff;
    this.timestampBase = (options.initialTimestamp ?? randomInt(0, 2 ** 32 - 1)) >>> 0;
    this.cname = options.cname ?? `ims-interop-${this.ssrc.toString(16)}@${pair.host}`;
    this.rtcpIntervalMs = options.rtcpIntervalMs ?? 5000;
    this.te = options.telephoneEvent
      ? { payloadType: options.telephoneEvent.payloadType, clockRate: options.telephoneEvent.clockRate ?? this.clockRate, intervalMs: options.telephoneEvent.intervalMs ?? 50 }
      : undefined;
    this.statistics = new ReceiveStatistics({
      clockRate: this.clockRate,
      jitterIgnoresPayloadTypes: new Set(this.te ? [this.te.payloadType] : []),
      maxSources: options.maxSources,
    });
    this.events = this.te ? new TelephoneEventReceiver(this.te.clockRate) : undefined;
    const historyMs = options.audioHistoryMs ?? 2000;
    this.audio = this.encoding === "PCMU" && historyMs > 0 ? new AudioRing((historyMs * this.clockRate) / 1000) : undefined;
    this.startAt = mediaNow();
    this.nextFrameAt = this.startAt;
    this.lastReportAt = this.startAt;

    this.capture = options.capture;
    pair.rtp.on("message", (msg, rinfo) => {
      this.captured("received", pair.rtpPort, rinfo.address, rinfo.port, msg);
      this.onRtp(msg);
    });
    pair.rtcp.on("message", (msg, rinfo) => {
      this.captured("received", pair.rtcpPort, rinfo.address, rinfo.port, msg);
      this.onRtcp(msg);
    });
    pair.rtp.on("error", (err) => this.onSocketError("RTP", err));
    pair.rtcp.on("error", (err) => this.onSocketError("RTCP", err));
    sharedPacer.schedule(this.task, this.nextFrameAt);
    this.scheduleRtcp(true);
  }

  /** Binds the socket pair and starts the stream: it sends (if its direction says so) once a remote is set. */
  static async open(options: MediaStreamOptions): Promise<MediaStream> {
    if (!Number.isInteger(options.payloadType) || options.payloadType < 0 || options.payloadType > 127) throw new RangeError(`payload type is 0..127, got ${options.payloadType}`);
    if (!(options.clockRate > 0)) throw new RangeError(`clock rate must be positive, got ${options.clockRate}`);
    const pair = await bindUdpPair(options.host, options.port, options.receiveBufferBytes ?? 256 * 1024);
    try {
      return new MediaStream(pair, options);
    } catch (err) {
      await Promise.all([close(pair.rtp), close(pair.rtcp)]);
      throw err;
    }
  }

  /** Where this stream listens: put it in the SDP (c= and m= lines). */
  get local(): { readonly host: string; readonly rtpPort: number; readonly rtcpPort: number } {
    return { host: this.pair.host, rtpPort: this.pair.rtpPort, rtcpPort: this.pair.rtcpPort };
  }

  /** Sends to a new address from now on (a re-INVITE or UPDATE changed the SDP); null stops sending. */
  setRemote(remote: RemoteAddress | null): void {
    this.remote = remote;
    this.markNext = true;
  }

  /** RFC 3264 5.1: sendonly and sendrecv send RTP; recvonly and inactive do not; RTCP goes on in every direction. */
  setDirection(direction: MediaDirection): void {
    if (!sends(this.direction) && sends(direction)) this.markNext = true;
    this.direction = direction;
  }

  setSource(source: PayloadSource): void {
    this.source = source;
    this.markNext = true;
  }

  get currentDirection(): MediaDirection {
    return this.direction;
  }

  /**
   * Sends DTMF digits as telephone-events (RFC 4733), one after the other; resolves when the last
   * digit's final packet has gone out three times. Audio pauses while an event is sent.
   */
  sendDigits(digits: string, options: SendDigitsOptions = {}): Promise<void> {
    if (!this.te) return Promise.reject(new Error("cannot send DTMF: the stream was opened without a telephone-event payload type"));
    if (this.stopped) return Promise.reject(new Error("cannot send DTMF: the stream is stopped"));
    if (!sends(this.direction)) return Promise.reject(new Error(`cannot send DTMF: the direction is ${this.direction}`));
    if (!this.remote) return Promise.reject(new Error("cannot send DTMF: no remote address"));
    if (digits.length === 0) return Promise.resolve();
    let codes: number[];
    try {
      codes = [...digits].map(digitToEvent);
      // the plan is the same for every digit: check it now, so that a bad duration fails here and not in the timer
      planEvent({ event: codes[0], durationMs: options.durationMs ?? 100, clockRate: this.te.clockRate, intervalMs: this.te.intervalMs, volume: options.volume });
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    // the pacer visits the stream at every frame slot; the next free slot starts the first digit
    return new Promise((resolve) => codes.forEach((event, i) => this.digits.push({ event, options, ...(i === codes.length - 1 ? { resolve } : {}) })));
  }

  /** A JSON-able snapshot of everything counted. */
  stats(): MediaStreamStats {
    return {
      local: this.local,
      remote: this.remote,
      direction: this.direction,
      ssrc: this.ssrc,
      payloadType: this.payloadType,
      encoding: this.encoding,
      sent: {
        packets: this.sentPackets,
        octets: this.sentOctets,
        eventPackets: this.sentEventPackets,
        rtcp: this.sentRtcp,
        sendErrors: this.sendErrors,
        skippedFrames: this.skippedFrames,
      },
      received: {
        packets: this.receivedPackets,
        unexpected: this.unexpected,
        malformed: this.malformed,
        rtcp: this.rtcpReceived,
        rtcpMalformed: this.rtcpMalformed,
        payloadErrors: this.payloadErrors,
        problems: [...this.problems],
        events: this.events?.events().length ?? 0,
        byes: this.byes.map((b) => ({ ...b })),
      },
      sources: this.statistics.snapshots(),
      remoteReports: [...this.remoteReports.values()],
      ...(this.encoding === "AMR-WB"
        ? { amrWb: { frames: Object.fromEntries([...this.amrWbFrames].map(([k, v]) => [String(k), v])), ...(this.lastCmr !== undefined ? { lastCmr: this.lastCmr } : {}) } }
        : {}),
    };
  }

  /** telephone-events received, oldest first (RFC 4733 2.5.2). */
  receivedDigits(): ReceivedEvent[] {
    return this.events?.events() ?? [];
  }

  /**
   * Levels of the last `lastMs` of received PCMU audio: the whole signal, each of `frequencies`,
   * and the dominant frequency.
   */
  measureAudio(frequencies: readonly number[] = [], lastMs?: number): AudioMeasurement {
    const samples = this.audio ? this.audio.recent(lastMs === undefined ? undefined : Math.round((lastMs * this.clockRate) / 1000)) : new Int16Array(0);
    const level = levelDbm0(samples);
    const dominant = dominantFrequency(samples, this.clockRate);
    return {
      durationMs: Math.round((samples.length * 1000) / this.clockRate),
      levelDbm0: Math.round(level * 100) / 100,
      silent: level < SILENCE_DBM0,
      ...(dominant !== undefined ? { dominantFrequency: dominant } : {}),
      tones: frequencies.map((frequency) => detectTone(samples, this.clockRate, { frequency })),
    };
  }

  /** Resolves once `count` RTP packets have arrived after this call (`fromStart`: since the stream opened). */
  waitForPackets(count: number, deadline: MediaDeadline, options: { readonly fromStart?: boolean; readonly ssrc?: number } = {}): Promise<void> {
    const counted = (): number => (options.ssrc === undefined ? this.receivedPackets : (this.statistics.source(options.ssrc)?.packetCount ?? 0));
    const base = options.fromStart ? 0 : counted();
    return this.waitUntil(
      () => counted() - base >= count,
      deadline,
      () => `${count} RTP packets${options.ssrc === undefined ? "" : ` from SSRC ${hex(options.ssrc)}`} on ${this.describeLocal()}${options.fromStart ? " since the stream opened" : ""}`,
      () => {
        const got = counted() - base;
        return [`${got} RTP packet${got === 1 ? "" : "s"}`, ...this.receivedSummary()];
      },
    ).then(() => undefined);
  }

  /** Resolves with the measurement once the tone has been heard for minDurationMs without a break. */
  waitForTone(spec: WaitForToneSpec, deadline: MediaDeadline): Promise<ToneMeasurement> {
    if (this.encoding !== "PCMU") return Promise.reject(new Error(`cannot detect tones in ${this.encoding || `payload type ${this.payloadType}`}: only PCMU audio is decoded`));
    const tracker: ToneTracker = { spec, heardMs: 0, last: undefined };
    this.toneTrackers.add(tracker);
    const want = `a ${spec.frequency} Hz tone${spec.levelDbm0 === undefined ? "" : ` at ${spec.levelDbm0} dBm0 (+/- ${spec.toleranceDb ?? 3} dB)`} for ${spec.minDurationMs ?? 100} ms on ${this.describeLocal()}`;
    return this.waitUntil(
      () => tracker.heardMs >= (spec.minDurationMs ?? 100),
      deadline,
      () => want,
      () => {
        const m = this.measureAudio([spec.frequency], 200);
        if (m.durationMs === 0) return ["no audio", ...this.receivedSummary()];
        const t = m.tones[0];
        const what = m.silent ? "silence" : m.dominantFrequency !== undefined ? `mostly ${m.dominantFrequency} Hz` : "audio";
        return [
          `the last ${m.durationMs} ms: ${what}, total ${m.levelDbm0} dBm0, at ${spec.frequency} Hz ${t.levelDbm0} dBm0 (${Math.round(t.purity * 100)}% of the power)`,
          ...this.receivedSummary(),
        ];
      },
    ).then(
      () => {
        this.toneTrackers.delete(tracker);
        return tracker.last as ToneMeasurement;
      },
      (err: unknown) => {
        this.toneTrackers.delete(tracker);
        throw err;
      },
    );
  }

  /**
   * Resolves with the ended telephone-events once their digits include `digits` (a string such as
   * "1#9") or once `digits` (a number) events have ended, counting from the stream's start.
   */
  waitForDigits(digits: string | number, deadline: MediaDeadline): Promise<ReceivedEvent[]> {
    if (!this.events) return Promise.reject(new Error("cannot receive DTMF: the stream was opened without a telephone-event payload type"));
    const ended = (): ReceivedEvent[] => this.receivedDigits().filter((e) => e.ended);
    const met = (): boolean =>
      typeof digits === "number"
        ? ended().length >= digits
        : ended()
            .map((e) => e.digit)
            .join("")
            .includes(digits);
    return this.waitUntil(
      met,
      deadline,
      () => (typeof digits === "number" ? `${digits} telephone-events (RFC 4733)` : `DTMF "${digits}" as telephone-events (RFC 4733)`) + ` on ${this.describeLocal()}`,
      () => {
        const all = this.receivedDigits();
        if (all.length === 0) return ["no telephone-event", ...this.receivedSummary()];
        return [all.map((e) => `${e.digit} ${e.durationMs} ms${e.ended ? "" : " (no end)"}`).join(", ")];
      },
    ).then(ended);
  }

  /** Resolves with the next compound RTCP packet that arrives after this call. */
  waitForRtcp(deadline: MediaDeadline): Promise<readonly RtcpPacket[]> {
    const seen = this.rtcpSeen;
    return this.waitUntil(
      () => this.rtcpSeen > seen,
      deadline,
      () => `an RTCP packet on ${this.pair.host}:${this.pair.rtcpPort}`,
      () => [`${this.rtcpReceived} RTCP packets before the wait, ${this.rtcpMalformed} malformed`],
    ).then(() => this.lastRtcpReceived ?? []);
  }

  /** Sends an RTCP BYE (RFC 3550 6.6), closes both sockets and ends every wait. */
  async stop(reason = "stream stopped"): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    sharedPacer.cancel(this.task);
    if (this.rtcpTimer) clearTimeout(this.rtcpTimer);
    this.rtcpTimer = undefined;
    const remote = this.remote;
    if (remote) {
      // RFC 3550 6.6: BYE in a compound packet, after a report and the CNAME
      const bye = this.buildReport(mediaNow());
      bye.push({ type: "bye", ssrcs: [this.ssrc], reason });
      const packet = encodeRtcpCompound(bye);
      this.captured("sent", this.pair.rtcpPort, remote.host, this.rtcpPortOf(remote), packet);
      await new Promise<void>((resolve) => this.pair.rtcp.send(packet, this.rtcpPortOf(remote), remote.host, () => resolve()));
    }
    for (const w of [...this.waiters]) w.done(new Error(`the media stream on ${this.describeLocal()} was stopped during the wait`));
    for (const d of this.digits.splice(0)) d.resolve?.();
    await Promise.all([close(this.pair.rtp), close(this.pair.rtcp)]);
  }

  // ---- sending -------------------------------------------------------------------------------

  /** The frames and event packets due by `now`; returns when to run next. */
  private tick(now: number): number | undefined {
    if (this.stopped) return undefined;
    const behind = Math.floor((now - this.nextFrameAt) / this.ptime);
    if (behind > MAX_CATCH_UP_FRAMES) {
      // the process stalled for more than a second: skip ahead rather than send a burst
      this.skippedFrames += behind;
      this.frameIndex += behind;
      this.nextFrameAt = this.startAt + this.frameIndex * this.ptime;
      this.markNext = true;
    }
    while (this.nextFrameAt <= now + 0.5) {
      this.startDigitIfDue(this.nextFrameAt);
      const slot = this.nextFrameAt;
      this.sendEventPackets(Math.min(now, slot));
      const inEvent = slot >= this.audioPause.from && slot < this.audioPause.until;
      if (inEvent) {
        this.markNext = true;
      } else if (sends(this.direction) && this.remote) {
        // RFC 3551 4.1: the marker bit on the first packet of a talkspurt (after silence, an event, a direction change)
        this.sendRtp(this.payloadType, this.markNext, this.frameTimestamp(this.frameIndex), this.source.next(this.samplesPerFrame), false);
        this.markNext = false;
      }
      this.frameIndex++;
      this.nextFrameAt = this.startAt + this.frameIndex * this.ptime;
    }
    this.sendEventPackets(now);
    const eventDue = this.activeEvent ? this.activeEvent.startAt + this.activeEvent.plan[this.activeEvent.next].atMs : Number.POSITIVE_INFINITY;
    return Math.min(this.nextFrameAt, eventDue);
  }

  private frameTimestamp(frameIndex: number): number {
    return (this.timestampBase + frameIndex * this.samplesPerFrame) >>> 0;
  }

  /** Starts the next queued digit at a frame boundary, once the gap after the previous one has passed. */
  private startDigitIfDue(slot: number): void {
    if (this.activeEvent || this.digits.length === 0 || slot < this.nextDigitAt || !this.te) return;
    const d = this.digits[0];
    const plan = planEvent({ event: d.event, durationMs: d.options.durationMs ?? 100, clockRate: this.te.clockRate, intervalMs: this.te.intervalMs, volume: d.options.volume });
    const last = plan[plan.length - 1].atMs;
    // RFC 4733 2.5.1.2: the event's timestamp is its start, here the frame slot it replaces
    this.activeEvent = { timestamp: this.frameTimestamp(this.frameIndex), startAt: slot, plan, next: 0 };
    // audio resumes one interval after the last retransmission of the final packet
    this.audioPause = { from: slot, until: slot + last + this.te.intervalMs };
  }

  private sendEventPackets(now: number): void {
    const e = this.activeEvent;
    if (!e || !this.te) return;
    while (e.next < e.plan.length && e.startAt + e.plan[e.next].atMs <= now + 0.5) {
      const p = e.plan[e.next++];
      if (sends(this.direction) && this.remote) this.sendRtp(this.te.payloadType, p.marker, e.timestamp, encodeTelephoneEvent(p.payload), true);
    }
    if (e.next >= e.plan.length) {
      this.activeEvent = undefined;
      const d = this.digits.shift();
      this.nextDigitAt = this.audioPause.until + (d?.options.gapMs ?? 100);
      d?.resolve?.();
    }
  }

  private sendRtp(payloadType: number, marker: boolean, timestamp: number, payload: Uint8Array, event: boolean): void {
    const remote = this.remote as RemoteAddress;
    const packet = encodeRtp({ marker, payloadType, sequenceNumber: this.sequence, timestamp, ssrc: this.ssrc, payload });
    this.sequence = (this.sequence + 1) & 0xffff;
    this.sentPackets++;
    this.sentOctets += payload.length;
    if (event) this.sentEventPackets++;
    this.captured("sent", this.pair.rtpPort, remote.host, remote.port, packet);
    this.pair.rtp.send(packet, remote.port, remote.host, this.onSent);
  }

  private captured(direction: "sent" | "received", localPort: number, host: string, port: number, bytes: Buffer): void {
    this.capture?.({ direction, local: { host: this.pair.host, port: localPort }, remote: { host, port }, bytes, time: mediaNow() });
  }

  /** Node reports a failed send (no route, a full buffer) to the send's callback only. */
  private readonly onSent = (err: Error | null): void => {
    if (err) {
      this.sendErrors++;
      this.problem(`send: ${err.message}`);
    }
  };

  private onSocketError(socket: string, err: Error): void {
    this.problem(`${socket} socket: ${err.message}`);
  }

  // ---- RTCP ----------------------------------------------------------------------------------

  /** RFC 3550 6.2, 6.3.1: the interval varies between 0.5 and 1.5 times the mean; the first report comes after half of one. */
  private scheduleRtcp(first = false): void {
    if (this.stopped) return;
    const factor = 0.5 + Math.random();
    const ms = this.rtcpIntervalMs * factor * (first ? 0.5 : 1);
    this.rtcpTimer = setTimeout(() => this.sendRtcp(), ms);
    this.rtcpTimer.unref();
  }

  private sendRtcp(): void {
    if (this.stopped) return;
    const remote = this.remote;
    if (remote) {
      const compound = this.buildReport(mediaNow());
      const packet = encodeRtcpCompound(compound);
      this.captured("sent", this.pair.rtcpPort, remote.host, this.rtcpPortOf(remote), packet);
      this.pair.rtcp.send(packet, this.rtcpPortOf(remote), remote.host, this.onSent);
    }
    this.scheduleRtcp();
  }

  /** RFC 3550 6.4: an SR when this stream sent RTP since the previous report, else an RR; then SDES CNAME (6.1). */
  private buildReport(now: number): RtcpPacket[] {
    const reports = this.statistics.reportBlocks(now, this.lastReportAt);
    // RFC 3550 6.4: an SR if this participant sent RTP since the report before the last one
    const sentSince = this.sentPackets > this.sentAtReports[0];
    this.sentAtReports.shift();
    this.sentAtReports.push(this.sentPackets);
    this.lastReportAt = now;
    this.sentRtcp++;
    const sdes: RtcpPacket = { type: "sdes", chunks: [{ ssrc: this.ssrc, cname: this.cname, items: [] }] };
    if (sentSince) {
      const ntp = ntpFromMs(now);
      // remember the SR by its middle 32 bits, to compute the round trip from the reports that echo it
      this.sentSrs.set(ntpMiddle32(ntp), now);
      if (this.sentSrs.size > 8) this.sentSrs.delete(this.sentSrs.keys().next().value as number);
      const rtpTimestamp = (this.timestampBase + Math.round(((now - this.startAt) * this.clockRate) / 1000)) >>> 0;
      return [{ type: "sr", ssrc: this.ssrc, ntp, rtpTimestamp, packetCount: this.sentPackets, octetCount: this.sentOctets, reports }, sdes];
    }
    return [{ type: "rr", ssrc: this.ssrc, reports }, sdes];
  }

  private rtcpPortOf(remote: RemoteAddress): number {
    return remote.rtcpPort ?? remote.port + 1;
  }

  // ---- receiving -----------------------------------------------------------------------------

  private onRtp(msg: Buffer): void {
    // RFC 5761 4: an RTCP packet on the RTP port (rtcp-mux) is read as RTCP
    if (looksLikeRtcp(msg)) return this.onRtcp(msg);
    const now = mediaNow();
    const decoded = decodeRtp(msg);
    if (!decoded.ok) {
      this.malformed++;
      this.problem(`malformed RTP: ${decoded.reason}`);
      return this.wake();
    }
    const p = decoded.packet;
    this.receivedPackets++;
    if (!receives(this.direction)) this.unexpected++;
    this.statistics.onPacket(p.ssrc, p.sequenceNumber, p.timestamp, p.payloadType, now);
    if (this.te && this.events && p.payloadType === this.te.payloadType) {
      const r = this.events.onPacket(p.ssrc, p.timestamp, p.marker, p.payload, now);
      if ("error" in r) this.payloadError(r.error);
    } else if (p.payloadType === this.payloadType) {
      this.onPayload(p.payload);
    }
    this.wake();
  }

  private onPayload(payload: Uint8Array): void {
    if (this.encoding === "PCMU" && (this.audio || this.toneTrackers.size > 0)) {
      const samples = decodePcmu(payload);
      this.audio?.push(samples);
      for (const t of this.toneTrackers) {
        const m = detectTone(samples, this.clockRate, t.spec);
        t.last = m;
        t.heardMs = m.present ? t.heardMs + (samples.length * 1000) / this.clockRate : 0;
      }
    } else if (this.encoding === "AMR-WB") {
      const r = unpackAmrWb(payload, this.amrWbFormat);
      if (!r.ok) return this.payloadError(`AMR-WB (${this.amrWbFormat}): ${r.reason}`);
      this.lastCmr = r.payload.cmr;
      for (const f of r.payload.frames) this.amrWbFrames.set(f.frameType, (this.amrWbFrames.get(f.frameType) ?? 0) + 1);
    }
  }

  private onRtcp(msg: Buffer): void {
    const now = mediaNow();
    const decoded = decodeRtcpCompound(msg);
    if (!decoded.ok) {
      this.rtcpMalformed++;
      this.problem(`malformed RTCP: ${decoded.reason}`);
      return this.wake();
    }
    this.rtcpReceived++;
    for (const p of decoded.packets) {
      if (p.type === "sr") this.statistics.onSenderReport(p, now);
      if (p.type === "sr" || p.type === "rr") {
        for (const block of p.reports) if (block.ssrc === this.ssrc) this.remoteReports.set(p.ssrc, this.remoteReport(p.ssrc, block, now));
      }
      if (p.type === "bye") {
        this.byes.push({ ssrcs: [...p.ssrcs], ...(p.reason !== undefined ? { reason: p.reason } : {}) });
        if (this.byes.length > MAX_BYES) this.byes.shift();
      }
    }
    this.lastRtcpReceived = decoded.packets;
    this.rtcpSeen++;
    this.wake();
  }

  private remoteReport(reporter: number, block: ReportBlock, now: number): RemoteReport {
    let roundTripMs: number | undefined;
    if (block.lastSr !== 0 && this.sentSrs.has(block.lastSr)) {
      // RFC 3550 6.4.1: RTT = A - LSR - DLSR, in 1/65536 s, A the middle 32 bits of the arrival time
      const a = ntpMiddle32(ntpFromMs(now));
      const rtt = (a - block.lastSr - block.delaySinceLastSr) >>> 0;
      roundTripMs = Math.round((rtt * 1000 * 1000) / 65536) / 1000;
    }
    return {
      reporter,
      fractionLost: block.fractionLost / 256,
      cumulativeLost: block.cumulativeLost,
      highestSequence: block.highestSequence,
      jitterMs: Math.round((block.jitter * 1000 * 1000) / this.clockRate) / 1000,
      ...(roundTripMs !== undefined ? { roundTripMs } : {}),
      arrivalMs: now,
    };
  }

  private payloadError(reason: string): void {
    this.payloadErrors++;
    this.problem(reason);
  }

  private problem(reason: string): void {
    this.problems.push(reason);
    if (this.problems.length > MAX_PROBLEMS) this.problems.shift();
  }

  // ---- waiting -------------------------------------------------------------------------------

  private wake(): void {
    if (this.waiters.size === 0) return;
    for (const w of [...this.waiters]) if (w.check()) w.done();
  }

  private waitUntil(check: () => boolean, deadline: MediaDeadline, expected: () => string, received: () => string[]): Promise<void> {
    if (this.stopped) return Promise.reject(new Error(`the media stream on ${this.describeLocal()} is stopped`));
    if (check()) return Promise.resolve();
    const { at, budget } = deadlineAt(deadline);
    const startedAt = mediaNow();
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter: Waiter = {
        check,
        done: (err) => {
          this.waiters.delete(waiter);
          if (timer) clearTimeout(timer);
          if (err) reject(err);
          else resolve();
        },
      };
      this.waiters.add(waiter);
      const onTimeout = (): void => {
        if (check()) return waiter.done();
        const now = mediaNow();
        if (now < at) {
          timer = setTimeout(onTimeout, Math.min(2 ** 31 - 1, Math.ceil(at - now)));
          return;
        }
        waiter.done(new MediaTimeoutError({ expected: expected(), received: received(), timeout: { ms: now - startedAt, budget } }));
      };
      timer = setTimeout(onTimeout, Math.max(0, Math.min(2 ** 31 - 1, Math.ceil(at - startedAt))));
    });
  }

  private receivedSummary(): string[] {
    const lines: string[] = [];
    const sources = this.statistics.snapshots();
    for (const s of sources.slice(0, 3)) lines.push(`SSRC ${hex(s.ssrc)}: ${s.packets} packets, ${s.lost} lost, jitter ${s.jitterMs} ms, payload types ${Object.keys(s.payloadTypes).join(", ")}`);
    if (this.malformed > 0) lines.push(`${this.malformed} malformed RTP packets: ${this.problems[this.problems.length - 1] ?? ""}`);
    if (!receives(this.direction)) lines.push(`(the stream's direction is ${this.direction})`);
    return lines;
  }

  private describeLocal(): string {
    return `${this.pair.host}:${this.pair.rtpPort}`;
  }
}

function sends(d: MediaDirection): boolean {
  return d === "sendrecv" || d === "sendonly";
}

function receives(d: MediaDirection): boolean {
  return d === "sendrecv" || d === "recvonly";
}

function defaultSource(encoding: string, amrWbFormat: AmrWbFormat): PayloadSource {
  if (encoding === "PCMU") return pcmuSilence();
  if (encoding === "AMR-WB") return amrWbNoDataSource(amrWbFormat);
  throw new RangeError(`no default payload for ${encoding || "an unnamed dynamic payload type"}: pass a source`);
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, "0")}`;
}

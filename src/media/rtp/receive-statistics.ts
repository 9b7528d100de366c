// Receive statistics per synchronisation source, as RFC 3550 Appendix A computes them: sequence
// number validation with probation (A.1), expected and lost packets and the fraction lost of a
// report interval (A.3), and interarrival jitter (A.8). Besides what an RTCP report carries, each
// source counts duplicates and out-of-order packets and the payload types seen. Memory is bounded:
// a fixed window of sequence numbers for duplicate detection, a fixed ring of per-second samples,
// and a bounded number of sources.
import type { ReportBlock, SenderReport } from "./rtcp-packet.ts";
import { msFromNtp, ntpMiddle32 } from "./rtcp-packet.ts";
import { PerSecondRing, type SecondSample } from "./per-second-ring.ts";

// RFC 3550 A.1
const RTP_SEQ_MOD = 1 << 16;
const MAX_DROPOUT = 3000;
const MAX_MISORDER = 100;
const MIN_SEQUENTIAL = 2;
/** Sequence numbers remembered for duplicate detection; more than MAX_MISORDER, the oldest a late packet can be. */
const SEEN_WINDOW = 1024;

/** What a packet was to its source's sequence (RFC 3550 A.1 update_seq and beyond). */
export type SequenceVerdict =
  /** Counted, the new highest sequence number (possibly after a gap). */
  | "in-order"
  /** Counted, older than the highest and not seen before (reordered). */
  | "out-of-order"
  /** Counted by A.1 (as RTCP reports it), but its sequence number was already received. */
  | "duplicate"
  /** Not counted: the source is on probation (A.1 MIN_SEQUENTIAL sequential packets needed). */
  | "probation"
  /** Not counted: a jump beyond MAX_DROPOUT (A.1); a second packet following it restarts the source. */
  | "jump"
  /** Counted: the packet after a jump confirmed a restarted source, whose statistics restart (A.1 init_seq). */
  | "restart";

export interface SourceOptions {
  /** Timestamp units per second of the source's payload format (RFC 3550 5.1). */
  readonly clockRate: number;
  /** Payload types left out of the jitter (A.8), e.g. telephone-event, whose packets repeat a timestamp (RFC 4733 2.3). */
  readonly jitterIgnoresPayloadTypes?: ReadonlySet<number>;
  /** Per-second samples kept (default 300: five minutes). */
  readonly secondsKept?: number;
}

/** A JSON-able picture of one source's statistics. */
export interface SourceSnapshot {
  readonly ssrc: number;
  /** Every RTP packet of this source that arrived, counted or not. */
  readonly packets: number;
  /** False while on probation (RFC 3550 A.1): nothing is counted yet. */
  readonly valid: boolean;
  /** RFC 3550 A.1 `received`: duplicates included, probation and jumps not. */
  readonly received: number;
  /** RFC 3550 A.3: highest extended sequence number minus the base, plus one. */
  readonly expected: number;
  /** Packets never received: expected minus distinct packets received (duplicates do not hide loss). */
  readonly lost: number;
  /** RFC 3550 A.3 cumulative lost as an RR carries it: expected minus received, negative with duplicates. */
  readonly cumulativeLost: number;
  /** lost / expected, 0 when nothing is expected. */
  readonly lossRatio: number;
  readonly duplicates: number;
  readonly outOfOrder: number;
  /** Packets A.1 did not count: probation and jumps. */
  readonly discarded: number;
  /** Times the source restarted its sequence (A.1: two sequential packets after a jump). */
  readonly restarts: number;
  readonly baseSequence: number;
  /** Extended highest sequence number (cycles in the high 16 bits), RFC 3550 6.4.1. */
  readonly highestSequence: number;
  /** RFC 3550 A.8 interarrival jitter in timestamp units. */
  readonly jitter: number;
  readonly jitterMs: number;
  readonly maxJitterMs: number;
  /** Packets per payload type, e.g. { "0": 500, "101": 12 }. */
  readonly payloadTypes: Readonly<Record<string, number>>;
  /** Unix-epoch ms of the first and last packet. */
  readonly firstArrivalMs: number;
  readonly lastArrivalMs: number;
  /** The last SR (RFC 3550 6.4.1) this source sent, with its arrival. */
  readonly lastSenderReport?: { readonly ntpMs: number; readonly rtpTimestamp: number; readonly packetCount: number; readonly octetCount: number; readonly arrivalMs: number };
  /** Per-second samples, oldest first, bounded. */
  readonly perSecond: readonly SecondSample[];
}

/** One synchronisation source's statistics (RFC 3550 A.1, A.3, A.8). */
export class SourceStatistics {
  // RFC 3550 A.1 source state
  private maxSeq = 0;
  private cycles = 0;
  private baseSeq = 0;
  private badSeq = RTP_SEQ_MOD + 1;
  private probation = MIN_SEQUENTIAL;
  private received = 0;
  private expectedPrior = 0;
  private receivedPrior = 0;
  // RFC 3550 A.8
  private jitter = 0;
  private maxJitter = 0;
  private lastTransit: { arrivalUnits: number; timestamp: number } | undefined;
  // beyond RTCP
  private packets = 0;
  private duplicates = 0;
  private outOfOrder = 0;
  private discarded = 0;
  private restarts = 0;
  private readonly seen = new Float64Array(SEEN_WINDOW).fill(Number.NaN);
  private readonly payloadTypes = new Map<number, number>();
  private readonly ring: PerSecondRing;
  private readonly firstArrivalMs: number;
  private lastArrivalMs: number;
  private lastSr: { middle32: number; arrivalMs: number; ntpMs: number; rtpTimestamp: number; packetCount: number; octetCount: number } | undefined;

  constructor(
    readonly ssrc: number,
    firstSequence: number,
    arrivalMs: number,
    private readonly options: SourceOptions,
  ) {
    // RFC 3550 A.1: a new source starts on probation, with max_seq one before its first packet
    this.initSeq(firstSequence);
    this.maxSeq = (firstSequence - 1) & 0xffff;
    this.probation = MIN_SEQUENTIAL;
    this.ring = new PerSecondRing(options.secondsKept ?? 300);
    this.firstArrivalMs = arrivalMs;
    this.lastArrivalMs = arrivalMs;
  }

  /** Counts one RTP packet of this source that arrived at `arrivalMs` (Unix-epoch ms). */
  onPacket(sequenceNumber: number, timestamp: number, payloadType: number, arrivalMs: number): SequenceVerdict {
    this.packets++;
    this.lastArrivalMs = arrivalMs;
    this.payloadTypes.set(payloadType, (this.payloadTypes.get(payloadType) ?? 0) + 1);
    const verdict = this.updateSeq(sequenceNumber & 0xffff);
    if (verdict === "probation" || verdict === "jump") this.discarded++;
    if (verdict === "duplicate") this.duplicates++;
    if (verdict === "out-of-order") this.outOfOrder++;
    if (verdict !== "duplicate" && verdict !== "jump" && !this.options.jitterIgnoresPayloadTypes?.has(payloadType)) this.updateJitter(timestamp >>> 0, arrivalMs);
    this.ring.add(arrivalMs, this.jitterMs());
    return verdict;
  }

  /** Notes an SR from this source for the LSR and DLSR of the next report block (RFC 3550 6.4.1). */
  onSenderReport(sr: SenderReport, arrivalMs: number): void {
    this.lastSr = { middle32: ntpMiddle32(sr.ntp), arrivalMs, ntpMs: msFromNtp(sr.ntp), rtpTimestamp: sr.rtpTimestamp, packetCount: sr.packetCount, octetCount: sr.octetCount };
  }

  /** RFC 3550 A.1 update_seq, with duplicates told from reordered packets by a window of seen sequence numbers. */
  private updateSeq(seq: number): SequenceVerdict {
    const udelta = (seq - this.maxSeq) & 0xffff;
    let verdict: SequenceVerdict;
    if (this.probation > 0) {
      // packet is in sequence
      if (seq === ((this.maxSeq + 1) & 0xffff)) {
        this.probation--;
        this.maxSeq = seq;
        if (this.probation === 0) {
          this.initSeq(seq);
          this.received++;
          this.markSeen(seq);
          return "in-order";
        }
      } else {
        this.probation = MIN_SEQUENTIAL - 1;
        this.maxSeq = seq;
      }
      return "probation";
    } else if (udelta < MAX_DROPOUT) {
      // in order, with permissible gap (udelta 0 is the highest again: a duplicate)
      if (seq < this.maxSeq) this.cycles += RTP_SEQ_MOD; // sequence number wrapped
      this.maxSeq = seq;
      verdict = "in-order";
    } else if (udelta <= RTP_SEQ_MOD - MAX_MISORDER) {
      // the sequence number made a very large jump
      if (seq === this.badSeq) {
        // two sequential packets: assume the other side restarted without telling us
        this.initSeq(seq);
        this.restarts++;
        verdict = "restart";
      } else {
        this.badSeq = (seq + 1) & (RTP_SEQ_MOD - 1);
        return "jump";
      }
    } else {
      // duplicate or reordered packet
      verdict = "out-of-order";
    }
    this.received++;
    const ext = verdict === "out-of-order" && seq > this.maxSeq ? this.cycles - RTP_SEQ_MOD + seq : this.cycles + seq;
    if (this.wasSeen(ext)) return "duplicate";
    this.markSeen(ext);
    return verdict;
  }

  /** RFC 3550 A.1 init_seq. */
  private initSeq(seq: number): void {
    this.baseSeq = seq;
    this.maxSeq = seq;
    this.badSeq = RTP_SEQ_MOD + 1;
    this.cycles = 0;
    this.received = 0;
    this.receivedPrior = 0;
    this.expectedPrior = 0;
    this.seen.fill(Number.NaN);
  }

  private wasSeen(ext: number): boolean {
    return this.seen[((ext % SEEN_WINDOW) + SEEN_WINDOW) % SEEN_WINDOW] === ext;
  }

  private markSeen(ext: number): void {
    this.seen[((ext % SEEN_WINDOW) + SEEN_WINDOW) % SEEN_WINDOW] = ext;
  }

  /** RFC 3550 A.8: J += (|D(i-1,i)| - J) / 16, D from transit times in timestamp units. */
  private updateJitter(timestamp: number, arrivalMs: number): void {
    const arrivalUnits = (arrivalMs * this.options.clockRate) / 1000;
    const last = this.lastTransit;
    this.lastTransit = { arrivalUnits, timestamp };
    if (!last) return;
    // (R_j - R_i) - (S_j - S_i), the timestamp difference read as signed 32 bits across a wrap
    const d = Math.abs(arrivalUnits - last.arrivalUnits - ((timestamp - last.timestamp) | 0));
    this.jitter += (d - this.jitter) / 16;
    if (this.jitter > this.maxJitter) this.maxJitter = this.jitter;
  }

  private expected(): number {
    if (this.probation > 0) return 0;
    // RFC 3550 A.3: extended_max - base_seq + 1
    return this.cycles + this.maxSeq - this.baseSeq + 1;
  }

  private jitterMs(): number {
    return (this.jitter * 1000) / this.options.clockRate;
  }

  /**
   * RFC 3550 6.4.1 report block for this source at `nowMs`, and the A.3 interval bookkeeping
   * (expected_prior, received_prior) it implies: call once per report sent.
   */
  reportBlock(nowMs: number): ReportBlock {
    const expected = this.expected();
    const expectedInterval = expected - this.expectedPrior;
    this.expectedPrior = expected;
    const receivedInterval = this.received - this.receivedPrior;
    this.receivedPrior = this.received;
    const lostInterval = expectedInterval - receivedInterval;
    const fractionLost = expectedInterval === 0 || lostInterval <= 0 ? 0 : Math.floor((lostInterval * 256) / expectedInterval);
    return {
      ssrc: this.ssrc,
      fractionLost: Math.min(255, fractionLost),
      cumulativeLost: expected - this.received,
      highestSequence: (this.cycles + this.maxSeq) >>> 0,
      jitter: Math.round(this.jitter),
      lastSr: this.lastSr?.middle32 ?? 0,
      // RFC 3550 6.4.1 DLSR: units of 1/65536 s
      delaySinceLastSr: this.lastSr ? Math.max(0, Math.round(((nowMs - this.lastSr.arrivalMs) * 65536) / 1000)) >>> 0 : 0,
    };
  }

  snapshot(): SourceSnapshot {
    const expected = this.expected();
    const distinct = this.received - this.duplicates;
    const lost = Math.max(0, expected - distinct);
    return {
      ssrc: this.ssrc,
      packets: this.packets,
      valid: this.probation === 0,
      received: this.received,
      expected,
      lost,
      cumulativeLost: expected - this.received,
      lossRatio: expected > 0 ? lost / expected : 0,
      duplicates: this.duplicates,
      outOfOrder: this.outOfOrder,
      discarded: this.discarded,
      restarts: this.restarts,
      baseSequence: this.baseSeq,
      highestSequence: this.probation > 0 ? this.maxSeq : this.cycles + this.maxSeq,
      jitter: round3(this.jitter),
      jitterMs: round3(this.jitterMs()),
      maxJitterMs: round3((this.maxJitter * 1000) / this.options.clockRate),
      payloadTypes: Object.fromEntries([...this.payloadTypes].map(([pt, n]) => [String(pt), n])),
      firstArrivalMs: this.firstArrivalMs,
      lastArrivalMs: this.lastArrivalMs,
      ...(this.lastSr
        ? {
            lastSenderReport: {
              ntpMs: this.lastSr.ntpMs,
              rtpTimestamp: this.lastSr.rtpTimestamp,
              packetCount: this.lastSr.packetCount,
              octetCount: this.lastSr.octetCount,
              arrivalMs: this.lastSr.arrivalMs,
            },
          }
        : {}),
      perSecond: this.ring.samples(),
    };
  }

  get lastActivityMs(): number {
    return this.lastArrivalMs;
  }

  /** Every packet of this source that arrived, as snapshot().packets, without building a snapshot. */
  get packetCount(): number {
    return this.packets;
  }
}

export interface ReceiveStatisticsOptions extends SourceOptions {
  /** Sources kept at once (default 16); the one heard from least recently gives way to a new one. */
  readonly maxSources?: number;
}

/** The statistics of every source a stream receives, by SSRC, bounded in number. */
export class ReceiveStatistics {
  private readonly bySsrc = new Map<number, SourceStatistics>();
  /** Sources forgotten to keep within maxSources. */
  evicted = 0;

  constructor(private readonly options: ReceiveStatisticsOptions) {}

  onPacket(ssrc: number, sequenceNumber: number, timestamp: number, payloadType: number, arrivalMs: number): { source: SourceStatistics; verdict: SequenceVerdict } {
    let source = this.bySsrc.get(ssrc);
    if (!source) {
      const max = this.options.maxSources ?? 16;
      if (this.bySsrc.size >= max) this.evictOldest();
      source = new SourceStatistics(ssrc, sequenceNumber, arrivalMs, this.options);
      this.bySsrc.set(ssrc, source);
    }
    return { source, verdict: source.onPacket(sequenceNumber, timestamp, payloadType, arrivalMs) };
  }

  onSenderReport(sr: SenderReport, arrivalMs: number): void {
    this.bySsrc.get(sr.ssrc)?.onSenderReport(sr, arrivalMs);
  }

  /** Report blocks for the sources heard since `sinceMs`, at most 31 (RFC 3550 6.4.1 RC). */
  reportBlocks(nowMs: number, sinceMs = Number.NEGATIVE_INFINITY): ReportBlock[] {
    return [...this.bySsrc.values()]
      .filter((s) => s.lastActivityMs >= sinceMs)
      .slice(0, 31)
      .map((s) => s.reportBlock(nowMs));
  }

  source(ssrc: number): SourceStatistics | undefined {
    return this.bySsrc.get(ssrc);
  }

  snapshots(): SourceSnapshot[] {
    return [...this.bySsrc.values()].map((s) => s.snapshot());
  }

  private evictOldest(): void {
    let oldest: SourceStatistics | undefined;
    for (const s of this.bySsrc.values()) if (!oldest || s.lastActivityMs < oldest.lastActivityMs) oldest = s;
    if (oldest) {
      this.bySsrc.delete(oldest.ssrc);
      this.evicted++;
    }
  }
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

// A UDP relay between two media streams that impairs RTP on its way: it drops, delays or
// duplicates chosen packets (by sequence number, by index, or every n-th), so that a test can
// check that receive statistics report the loss exactly, the jitter within a tolerance, and
// reordering and duplicates as such (RFC 3550 A.1, A.3, A.8). RTCP passes through untouched.
// Like lossy-relay.ts for SIP: stream A sends to `forA`, stream B to `forB`.
import type { Socket } from "node:dgram";
import { type UdpPair, bindUdpPair, close } from "../../src/media/rtp/udp-pair.ts";
import type { RemoteAddress } from "../../src/media/rtp/media-stream.ts";

export type RelayDirection = "a-to-b" | "b-to-a";

export interface RtpImpairment {
  readonly direction: RelayDirection;
  /** RTP sequence numbers this applies to. */
  readonly sequence?: readonly number[];
  /** Indexes in the order the relay saw the RTP packets of this direction: 0 is the first. */
  readonly index?: readonly number[];
  /** Every n-th packet: indexes n-1, 2n-1, ... */
  readonly every?: number;
  readonly action: "drop" | "duplicate" | { readonly delayMs: number };
}

export interface DirectionStats {
  /** RTP packets that arrived at the relay in this direction. */
  rtp: number;
  forwarded: number;
  /** Sequence numbers of the packets dropped, duplicated, delayed. */
  readonly dropped: number[];
  readonly duplicated: number[];
  readonly delayed: number[];
  rtcp: number;
  /** Each RTP packet as it left the relay (the first FORWARD_LOG_LIMIT): the reference a test computes jitter from. */
  readonly forwardLog: { readonly sequence: number; readonly timestamp: number; readonly atMs: number }[];
}

/** Forwarded packets logged per direction; a test relay never runs long. */
const FORWARD_LOG_LIMIT = 100_000;

export class RtpImpairmentRelay {
  readonly stats: Record<RelayDirection, DirectionStats> = { "a-to-b": emptyStats(), "b-to-a": emptyStats() };
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(
    private readonly sideA: UdpPair,
    private readonly sideB: UdpPair,
    a: RemoteAddress,
    b: RemoteAddress,
    private readonly impairments: readonly RtpImpairment[],
  ) {
    sideA.rtp.on("message", (msg) => this.onRtp("a-to-b", msg, sideB.rtp, b));
    sideB.rtp.on("message", (msg) => this.onRtp("b-to-a", msg, sideA.rtp, a));
    sideA.rtcp.on("message", (msg) => this.onRtcp("a-to-b", msg, sideB.rtcp, b));
    sideB.rtcp.on("message", (msg) => this.onRtcp("b-to-a", msg, sideA.rtcp, a));
  }

  /** A relay between stream A at `a` and stream B at `b`, on fresh even/odd port pairs of `host`. */
  static async start(a: RemoteAddress, b: RemoteAddress, impairments: readonly RtpImpairment[], host = "127.0.0.1"): Promise<RtpImpairmentRelay> {
    const sideA = await bindUdpPair(host, 0, 1 << 20);
    const sideB = await bindUdpPair(host, 0, 1 << 20).catch(async (err: unknown) => {
      await Promise.all([close(sideA.rtp), close(sideA.rtcp)]);
      throw err;
    });
    return new RtpImpairmentRelay(sideA, sideB, a, b, impairments);
  }

  /** Where stream A sends (its setRemote). */
  get forA(): RemoteAddress {
    return { host: this.sideA.host, port: this.sideA.rtpPort, rtcpPort: this.sideA.rtcpPort };
  }

  /** Where stream B sends. */
  get forB(): RemoteAddress {
    return { host: this.sideB.host, port: this.sideB.rtpPort, rtcpPort: this.sideB.rtcpPort };
  }

  private onRtp(direction: RelayDirection, msg: Buffer, out: Socket, to: RemoteAddress): void {
    const stats = this.stats[direction];
    const index = stats.rtp++;
    const seq = msg.length >= 4 ? msg.readUInt16BE(2) : -1;
    const rules = this.impairments.filter((r) => r.direction === direction && matches(r, index, seq));
    if (rules.some((r) => r.action === "drop")) {
      stats.dropped.push(seq);
      return;
    }
    const delay = rules.reduce((ms, r) => (typeof r.action === "object" ? Math.max(ms, r.action.delayMs) : ms), 0);
    const copies = rules.some((r) => r.action === "duplicate") ? 2 : 1;
    if (copies === 2) stats.duplicated.push(seq);
    const send = (): void => {
      for (let i = 0; i < copies; i++) {
        stats.forwarded++;
        if (stats.forwardLog.length < FORWARD_LOG_LIMIT && msg.length >= 8) stats.forwardLog.push({ sequence: seq, timestamp: msg.readUInt32BE(4), atMs: performance.timeOrigin + performance.now() });
        out.send(msg, to.port, to.host);
      }
    };
    if (delay > 0) {
      stats.delayed.push(seq);
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        send();
      }, delay);
      this.timers.add(timer);
    } else send();
  }

  private onRtcp(direction: RelayDirection, msg: Buffer, out: Socket, to: RemoteAddress): void {
    this.stats[direction].rtcp++;
    out.send(msg, to.rtcpPort ?? to.port + 1, to.host);
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.all([close(this.sideA.rtp), close(this.sideA.rtcp), close(this.sideB.rtp), close(this.sideB.rtcp)]);
  }
}

function matches(r: RtpImpairment, index: number, seq: number): boolean {
  return (r.sequence?.includes(seq) ?? false) || (r.index?.includes(index) ?? false) || (r.every !== undefined && r.every > 0 && index % r.every === r.every - 1);
}

function emptyStats(): DirectionStats {
  return { rtp: 0, forwarded: 0, dropped: [], duplicated: [], delayed: [], rtcp: 0, forwardLog: [] };
}

// RTCP packets: sender and receiver reports with report blocks (RFC 3550 6.4.1, 6.4.2), SDES
// CNAME (6.5.1) and BYE (6.6), in compound packets (6.1) checked as RFC 3550 A.2 does.
// decodeRtcpCompound never throws: a malformed compound packet is a result naming why.

/** RFC 3550 12.1: RTCP packet types. */
export const RTCP_SR = 200;
export const RTCP_RR = 201;
export const RTCP_SDES = 202;
export const RTCP_BYE = 203;
export const RTCP_APP = 204;

/** RFC 3550 6.5: SDES item types. */
export const SDES_CNAME = 1;

/** Seconds from 1900-01-01 (NTP epoch) to 1970-01-01 (Unix epoch), RFC 3550 4. */
const NTP_UNIX_OFFSET_S = 2_208_988_800;
const TWO_32 = 2 ** 32;

/** RFC 3550 6.4.1: one reception report block, 24 octets. */
export interface ReportBlock {
  /** The source this block is about. */
  readonly ssrc: number;
  /** Packets lost since the previous report, as a fixed-point fraction x/256 (8 bits). */
  readonly fractionLost: number;
  /** Cumulative packets lost, signed 24 bits (negative with duplicates, RFC 3550 6.4.1). */
  readonly cumulativeLost: number;
  /** Extended highest sequence number received: cycles in the high 16 bits. */
  readonly highestSequence: number;
  /** Interarrival jitter in timestamp units (RFC 3550 6.4.1, A.8). */
  readonly jitter: number;
  /** Middle 32 bits of the NTP timestamp of the last SR from that source, 0 for none. */
  readonly lastSr: number;
  /** Delay since that SR in units of 1/65536 s, 0 for none. */
  readonly delaySinceLastSr: number;
}

/** RFC 3550 4: a 64-bit NTP timestamp as its two 32-bit halves. */
export interface NtpTimestamp {
  readonly seconds: number;
  readonly fraction: number;
}

/** RFC 3550 6.4.1. */
export interface SenderReport {
  readonly type: "sr";
  readonly ssrc: number;
  readonly ntp: NtpTimestamp;
  readonly rtpTimestamp: number;
  readonly packetCount: number;
  readonly octetCount: number;
  readonly reports: readonly ReportBlock[];
}

/** RFC 3550 6.4.2. */
export interface ReceiverReport {
  readonly type: "rr";
  readonly ssrc: number;
  readonly reports: readonly ReportBlock[];
}

/** RFC 3550 6.5: one chunk per source; only CNAME (6.5.1) is named, other items kept by type. */
export interface SourceDescription {
  readonly type: "sdes";
  readonly chunks: readonly { readonly ssrc: number; readonly cname?: string; readonly items: readonly { readonly type: number; readonly text: string }[] }[];
}

/** RFC 3550 6.6. */
export interface Goodbye {
  readonly type: "bye";
  readonly ssrcs: readonly number[];
  readonly reason?: string;
}

/** A packet type this module does not read (APP, RFC 4585 feedback, XR ...), kept as bytes. */
export interface OtherRtcp {
  readonly type: "other";
  readonly packetType: number;
  readonly count: number;
  readonly body: Uint8Array;
}

export type RtcpPacket = SenderReport | ReceiverReport | SourceDescription | Goodbye | OtherRtcp;

export type RtcpDecodeResult = { readonly ok: true; readonly packets: readonly RtcpPacket[] } | { readonly ok: false; readonly reason: string };

/** RFC 3550 4: wall-clock milliseconds (Unix epoch) to NTP. */
export function ntpFromMs(ms: number): NtpTimestamp {
  const s = ms / 1000 + NTP_UNIX_OFFSET_S;
  const seconds = Math.floor(s);
  return { seconds: seconds >>> 0, fraction: Math.min(TWO_32 - 1, Math.floor((s - seconds) * TWO_32)) >>> 0 };
}

/** RFC 3550 4: NTP back to Unix-epoch milliseconds; seconds without the top bit are taken as after 2036 (era 1, as RFC 4330 3 reads them). */
export function msFromNtp(ntp: NtpTimestamp): number {
  const seconds = ntp.seconds < 0x80000000 ? ntp.seconds + TWO_32 : ntp.seconds;
  return (seconds - NTP_UNIX_OFFSET_S + ntp.fraction / TWO_32) * 1000;
}

/** RFC 3550 6.4.1 LSR: the middle 32 bits of an NTP timestamp. */
export function ntpMiddle32(ntp: NtpTimestamp): number {
  return (((ntp.seconds & 0xffff) << 16) | (ntp.fraction >>> 16)) >>> 0;
}

/** RFC 3550 6.1: the packets one after another; the first must be SR or RR. */
export function encodeRtcpCompound(packets: readonly RtcpPacket[]): Buffer {
  if (packets.length === 0 || (packets[0].type !== "sr" && packets[0].type !== "rr")) throw new RangeError("a compound RTCP packet starts with an SR or RR (RFC 3550 6.1)");
  return Buffer.concat(packets.map(encodeRtcpPacket));
}

/** One RTCP packet with its common header (RFC 3550 6.4.1), padded to a 32-bit boundary. */
export function encodeRtcpPacket(p: RtcpPacket): Buffer {
  switch (p.type) {
    case "sr": {
      const body = Buffer.alloc(24 + 24 * p.reports.length);
      body.writeUInt32BE(p.ssrc >>> 0, 0);
      body.writeUInt32BE(p.ntp.seconds >>> 0, 4);
      body.writeUInt32BE(p.ntp.fraction >>> 0, 8);
      body.writeUInt32BE(p.rtpTimestamp >>> 0, 12);
      body.writeUInt32BE(p.packetCount >>> 0, 16);
      body.writeUInt32BE(p.octetCount >>> 0, 20);
      p.reports.forEach((r, i) => writeReportBlock(body, 24 + 24 * i, r));
      return withHeader(RTCP_SR, reportCount(p.reports.length), body);
    }
    case "rr": {
      const body = Buffer.alloc(4 + 24 * p.reports.length);
      body.writeUInt32BE(p.ssrc >>> 0, 0);
      p.reports.forEach((r, i) => writeReportBlock(body, 4 + 24 * i, r));
      return withHeader(RTCP_RR, reportCount(p.reports.length), body);
    }
    case "sdes": {
      const chunks = p.chunks.map((c) => {
        const items = [...(c.cname !== undefined ? [{ type: SDES_CNAME, text: c.cname }] : []), ...c.items.filter((i) => i.type !== SDES_CNAME || c.cname === undefined)];
        const parts: Buffer[] = [u32(c.ssrc)];
        for (const item of items) {
          const text = Buffer.from(item.text, "utf8");
          if (text.length > 255) throw new RangeError(`an SDES item is at most 255 octets (RFC 3550 6.5), got ${text.length}`);
          parts.push(Buffer.from([item.type, text.length]), text);
        }
        // RFC 3550 6.5: the item list ends with one or more null octets, up to a 32-bit boundary
        const used = parts.reduce((n, b) => n + b.length, 0);
        parts.push(Buffer.alloc(4 - (used % 4)));
        return Buffer.concat(parts);
      });
      return withHeader(RTCP_SDES, reportCount(p.chunks.length), Buffer.concat(chunks));
    }
    case "bye": {
      const parts = p.ssrcs.map(u32);
      if (p.reason !== undefined) {
        const text = Buffer.from(p.reason, "utf8").subarray(0, 255);
        parts.push(Buffer.from([text.length]), text);
      }
      const body = Buffer.concat(parts);
      return withHeader(RTCP_BYE, reportCount(p.ssrcs.length), Buffer.concat([body, Buffer.alloc((4 - (body.length % 4)) % 4)]));
    }
    case "other": {
      if (p.body.length % 4 !== 0) throw new RangeError("an RTCP packet body is a whole number of 32-bit words (RFC 3550 6.4.1 length)");
      return withHeader(p.packetType, p.count, Buffer.from(p.body));
    }
  }
}

/**
 * Reads a compound RTCP packet (RFC 3550 6.1) with the validity checks of RFC 3550 A.2: version
 * 2, the first packet an SR or RR, padding only on the last packet, and lengths that add up to
 * the datagram. Never throws.
 */
export function decodeRtcpCompound(bytes: Uint8Array): RtcpDecodeResult {
  if (bytes.length < 4) return fail(`${bytes.length} octets, shorter than an RTCP header (RFC 3550 6.4.1)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const packets: RtcpPacket[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (bytes.length - at < 4) return fail(`${bytes.length - at} octets left after packet ${packets.length}, shorter than an RTCP header (RFC 3550 A.2)`);
    const b0 = bytes[at];
    if (b0 >> 6 !== 2) return fail(`packet ${packets.length + 1}: version ${b0 >> 6}, not 2 (RFC 3550 6.4.1)`);
    const count = b0 & 0x1f;
    const packetType = bytes[at + 1];
    const length = 4 * (view.getUint16(at + 2) + 1);
    if (at + length > bytes.length) return fail(`packet ${packets.length + 1} (type ${packetType}): length ${length} octets runs past the ${bytes.length}-octet datagram (RFC 3550 A.2)`);
    if (packets.length === 0 && packetType !== RTCP_SR && packetType !== RTCP_RR) return fail(`the first packet is type ${packetType}, not SR (200) or RR (201) (RFC 3550 6.1, A.2)`);
    let end = at + length;
    if (b0 & 0x20) {
      if (end !== bytes.length) return fail(`packet ${packets.length + 1}: padding on a packet that is not the last of the compound (RFC 3550 A.2)`);
      const pad = bytes[end - 1];
      if (pad === 0 || pad > length - 4) return fail(`packet ${packets.length + 1}: padding count ${pad} does not fit its ${length - 4}-octet body (RFC 3550 6.4.1)`);
      end -= pad;
    }
    const body = bytes.subarray(at + 4, end);
    const read = readPacket(packetType, count, body);
    if (typeof read === "string") return fail(`packet ${packets.length + 1} (type ${packetType}): ${read}`);
    packets.push(read);
    at += length;
  }
  return { ok: true, packets };
}

function readPacket(packetType: number, count: number, body: Uint8Array): RtcpPacket | string {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  switch (packetType) {
    case RTCP_SR: {
      if (body.length < 24 + 24 * count) return `${count} report blocks need ${28 + 24 * count} octets, the SR has ${body.length + 4} (RFC 3550 6.4.1)`;
      return {
        type: "sr",
        ssrc: view.getUint32(0),
        ntp: { seconds: view.getUint32(4), fraction: view.getUint32(8) },
        rtpTimestamp: view.getUint32(12),
        packetCount: view.getUint32(16),
        octetCount: view.getUint32(20),
        reports: readReportBlocks(view, 24, count),
      };
    }
    case RTCP_RR: {
      if (body.length < 4 + 24 * count) return `${count} report blocks need ${8 + 24 * count} octets, the RR has ${body.length + 4} (RFC 3550 6.4.2)`;
      return { type: "rr", ssrc: view.getUint32(0), reports: readReportBlocks(view, 4, count) };
    }
    case RTCP_SDES: {
      const chunks: { ssrc: number; cname?: string; items: { type: number; text: string }[] }[] = [];
      let at = 0;
      for (let c = 0; c < count; c++) {
        if (at + 4 > body.length) return `chunk ${c + 1} of ${count} is missing (RFC 3550 6.5)`;
        const chunk: { ssrc: number; cname?: string; items: { type: number; text: string }[] } = { ssrc: view.getUint32(at), items: [] };
        at += 4;
        for (;;) {
          if (at >= body.length) return `chunk ${c + 1}: the item list has no terminating null octet (RFC 3550 6.5)`;
          const type = body[at];
          if (type === 0) break;
          if (at + 2 > body.length || at + 2 + body[at + 1] > body.length) return `chunk ${c + 1}: item type ${type} runs past the packet (RFC 3550 6.5)`;
          const text = Buffer.from(body.subarray(at + 2, at + 2 + body[at + 1])).toString("utf8");
          chunk.items.push({ type, text });
          if (type === SDES_CNAME && chunk.cname === undefined) chunk.cname = text;
          at += 2 + body[at + 1];
        }
        // the null octets up to the next 32-bit boundary (counted from the body's start, which is aligned)
        at = (at & ~3) + 4;
        chunks.push(chunk);
      }
      return { type: "sdes", chunks };
    }
    case RTCP_BYE: {
      if (body.length < 4 * count) return `${count} SSRCs need ${4 * count} octets, the BYE has ${body.length} (RFC 3550 6.6)`;
      const ssrcs: number[] = [];
      for (let i = 0; i < count; i++) ssrcs.push(view.getUint32(4 * i));
      const at = 4 * count;
      if (at < body.length && body[at] > 0) {
        if (at + 1 + body[at] > body.length) return `the reason's length ${body[at]} runs past the packet (RFC 3550 6.6)`;
        return { type: "bye", ssrcs, reason: Buffer.from(body.subarray(at + 1, at + 1 + body[at])).toString("utf8") };
      }
      return { type: "bye", ssrcs };
    }
    default:
      return { type: "other", packetType, count, body };
  }
}

function readReportBlocks(view: DataView, from: number, count: number): ReportBlock[] {
  const blocks: ReportBlock[] = [];
  for (let i = 0; i < count; i++) {
    const at = from + 24 * i;
    const lostWord = view.getUint32(at + 4);
    const raw = lostWord & 0xffffff;
    blocks.push({
      ssrc: view.getUint32(at),
      fractionLost: lostWord >>> 24,
      cumulativeLost: raw & 0x800000 ? raw - 0x1000000 : raw,
      highestSequence: view.getUint32(at + 8),
      jitter: view.getUint32(at + 12),
      lastSr: view.getUint32(at + 16),
      delaySinceLastSr: view.getUint32(at + 20),
    });
  }
  return blocks;
}

function writeReportBlock(out: Buffer, at: number, r: ReportBlock): void {
  // RFC 3550 6.4.1: cumulative lost is a signed 24-bit value, clamped to its range
  const lost = Math.max(-0x800000, Math.min(0x7fffff, Math.trunc(r.cumulativeLost)));
  out.writeUInt32BE(r.ssrc >>> 0, at);
  out.writeUInt32BE((((r.fractionLost & 0xff) << 24) | (lost & 0xffffff)) >>> 0, at + 4);
  out.writeUInt32BE(r.highestSequence >>> 0, at + 8);
  out.writeUInt32BE(Math.min(0xffffffff, Math.round(r.jitter)) >>> 0, at + 12);
  out.writeUInt32BE(r.lastSr >>> 0, at + 16);
  out.writeUInt32BE(r.delaySinceLastSr >>> 0, at + 20);
}

function withHeader(packetType: number, count: number, body: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header[0] = 0x80 | count;
  header[1] = packetType;
  header.writeUInt16BE(body.length / 4, 2);
  return Buffer.concat([header, body]);
}

function reportCount(n: number): number {
  if (n > 31) throw new RangeError(`an RTCP packet carries at most 31 report blocks or chunks (5-bit count, RFC 3550 6.4.1), got ${n}`);
  return n;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0, 0);
  return b;
}

function fail(reason: string): RtcpDecodeResult {
  return { ok: false, reason };
}

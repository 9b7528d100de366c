// RTP data packets: the fixed header of RFC 3550 5.1, the CSRC list, the header extension of
// RFC 3550 5.3.1 and padding. decodeRtp never throws: a malformed packet is a result naming why.

/** RFC 3550 5.1: the only version this header layout describes. */
export const RTP_VERSION = 2;
/** RFC 3550 5.1: the fixed header is 12 octets. */
export const RTP_HEADER_BYTES = 12;

/** RFC 3550 5.3.1: a header extension: 16 bits defined by profile, then length x 32-bit words. */
export interface RtpHeaderExtension {
  readonly profile: number;
  /** The extension's data (a multiple of 4 octets), without its 4-octet header. */
  readonly data: Uint8Array;
}

export interface RtpPacket {
  readonly marker: boolean;
  /** RFC 3550 5.1, RFC 3551 6: 7 bits. */
  readonly payloadType: number;
  /** 16 bits. */
  readonly sequenceNumber: number;
  /** 32 bits, in the payload format's clock. */
  readonly timestamp: number;
  readonly ssrc: number;
  /** Contributing sources, at most 15 (the 4-bit CSRC count). */
  readonly csrcs: readonly number[];
  readonly extension?: RtpHeaderExtension;
  /** The payload, padding removed. */
  readonly payload: Uint8Array;
  /** Padding octets the packet carried (including the count octet), 0 without the P bit. */
  readonly paddingBytes: number;
}

export type RtpDecodeResult = { readonly ok: true; readonly packet: RtpPacket } | { readonly ok: false; readonly reason: string };

export interface RtpEncodeInput {
  readonly marker?: boolean;
  readonly payloadType: number;
  readonly sequenceNumber: number;
  readonly timestamp: number;
  readonly ssrc: number;
  readonly csrcs?: readonly number[];
  readonly extension?: RtpHeaderExtension;
  readonly payload: Uint8Array;
  /** Padding octets to append (the last one is their count, RFC 3550 5.1 P), 0..255; 0 for none. */
  readonly paddingBytes?: number;
}

/** RFC 3550 5.1: the header, the CSRCs, the extension (RFC 3550 5.3.1), the payload, then padding. */
export function encodeRtp(p: RtpEncodeInput): Buffer {
  const csrcs = p.csrcs ?? [];
  if (csrcs.length > 15) throw new RangeError(`RTP carries at most 15 CSRCs (RFC 3550 5.1 CC is 4 bits), got ${csrcs.length}`);
  if (!Number.isInteger(p.payloadType) || p.payloadType < 0 || p.payloadType > 127) throw new RangeError(`RTP payload type is 7 bits (0..127), got ${p.payloadType}`);
  const padding = p.paddingBytes ?? 0;
  if (!Number.isInteger(padding) || padding < 0 || padding > 255) throw new RangeError(`RTP padding is 0..255 octets, got ${padding}`);
  const ext = p.extension;
  if (ext && ext.data.length % 4 !== 0) throw new RangeError(`an RTP header extension is a whole number of 32-bit words (RFC 3550 5.3.1), got ${ext.data.length} octets`);
  const extBytes = ext ? 4 + ext.data.length : 0;
  const out = Buffer.allocUnsafe(RTP_HEADER_BYTES + 4 * csrcs.length + extBytes + p.payload.length + padding);
  out[0] = (RTP_VERSION << 6) | (padding > 0 ? 0x20 : 0) | (ext ? 0x10 : 0) | csrcs.length;
  out[1] = (p.marker ? 0x80 : 0) | p.payloadType;
  out.writeUInt16BE(p.sequenceNumber & 0xffff, 2);
  out.writeUInt32BE(p.timestamp >>> 0, 4);
  out.writeUInt32BE(p.ssrc >>> 0, 8);
  let at = RTP_HEADER_BYTES;
  for (const c of csrcs) {
    out.writeUInt32BE(c >>> 0, at);
    at += 4;
  }
  if (ext) {
    out.writeUInt16BE(ext.profile & 0xffff, at);
    out.writeUInt16BE(ext.data.length / 4, at + 2);
    out.set(ext.data, at + 4);
    at += extBytes;
  }
  out.set(p.payload, at);
  at += p.payload.length;
  if (padding > 0) {
    out.fill(0, at, at + padding - 1);
    out[at + padding - 1] = padding;
  }
  return out;
}

/**
 * Reads an RTP packet (RFC 3550 5.1), skipping the header extension (5.3.1) and removing padding.
 * The payload and extension data are views into `bytes`, not copies. Never throws.
 */
export function decodeRtp(bytes: Uint8Array): RtpDecodeResult {
  if (bytes.length < RTP_HEADER_BYTES) return fail(`${bytes.length} octets, shorter than the 12-octet RTP header (RFC 3550 5.1)`);
  const b0 = bytes[0];
  const version = b0 >> 6;
  if (version !== RTP_VERSION) return fail(`version ${version}, not 2 (RFC 3550 5.1)`);
  const hasPadding = (b0 & 0x20) !== 0;
  const hasExtension = (b0 & 0x10) !== 0;
  const cc = b0 & 0x0f;
  let at = RTP_HEADER_BYTES + 4 * cc;
  if (at > bytes.length) return fail(`CSRC count ${cc} needs ${at} octets, the packet has ${bytes.length} (RFC 3550 5.1)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const csrcs: number[] = [];
  for (let i = 0; i < cc; i++) csrcs.push(view.getUint32(RTP_HEADER_BYTES + 4 * i));
  let extension: RtpHeaderExtension | undefined;
  if (hasExtension) {
    if (at + 4 > bytes.length) return fail(`the X bit is set but only ${bytes.length - at} octets follow the CSRCs, fewer than the 4-octet extension header (RFC 3550 5.3.1)`);
    const words = view.getUint16(at + 2);
    const end = at + 4 + 4 * words;
    if (end > bytes.length) return fail(`header extension of ${words} words runs past the end of the ${bytes.length}-octet packet (RFC 3550 5.3.1)`);
    extension = { profile: view.getUint16(at), data: bytes.subarray(at + 4, end) };
    at = end;
  }
  let end = bytes.length;
  let paddingBytes = 0;
  if (hasPadding) {
    paddingBytes = bytes[bytes.length - 1];
    if (paddingBytes === 0) return fail("the P bit is set but the padding count octet is 0 (RFC 3550 5.1)");
    if (paddingBytes > bytes.length - at) return fail(`padding count ${paddingBytes} exceeds the ${bytes.length - at} octets after the header (RFC 3550 5.1)`);
    end -= paddingBytes;
  }
  return {
    ok: true,
    packet: {
      marker: (bytes[1] & 0x80) !== 0,
      payloadType: bytes[1] & 0x7f,
      sequenceNumber: view.getUint16(2),
      timestamp: view.getUint32(4),
      ssrc: view.getUint32(8),
      csrcs,
      ...(extension ? { extension } : {}),
      payload: bytes.subarray(at, end),
      paddingBytes,
    },
  };
}

/**
 * RFC 5761 4: on a multiplexed port, an RTCP packet has 192..223 in its second octet (packet
 * types SR 200 .. 204 and their neighbours); RTP payload types 64..95 would collide with it.
 */
export function looksLikeRtcp(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] >> 6 === RTP_VERSION && bytes[1] >= 192 && bytes[1] <= 223;
}

function fail(reason: string): RtpDecodeResult {
  return { ok: false, reason };
}

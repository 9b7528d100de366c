// AMR-WB in RTP, RFC 4867: the bandwidth-efficient (4.3) and octet-aligned (4.4) payload
// formats, single channel, without interleaving or frame CRCs (their fmtp parameters are not
// offered), and the storage format of section 5 (.awb files) that decoders read.
//
// A frame is its class-ordered bits as TS 26.201 numbers them (d(0) first), packed most
// significant bit first into ceil(bits / 8) octets with zero bits after the last: the layout of
// an octet-aligned payload's frame and of a storage-format frame alike (RFC 4867 4.4.3, 5.3).

/** TS 26.201 Table 1a / RFC 4867 3.6: speech bits per frame type; 0..8 are the modes 6.60..23.85 kbit/s. */
const FRAME_BITS: readonly number[] = [132, 177, 253, 285, 317, 365, 397, 461, 477];
/** TS 26.201: frame type 9 is SID (comfort noise parameters), 40 bits. */
export const AMR_WB_SID = 9;
/** RFC 4867 4.3.2: 14 is SPEECH_LOST (a frame lost before this sender), 15 NO_DATA (none sent); neither has bits. */
export const AMR_WB_SPEECH_LOST = 14;
export const AMR_WB_NO_DATA = 15;
/** RFC 4867 4.3.1: CMR 15 asks for no mode change. */
export const AMR_WB_NO_MODE_REQUEST = 15;
/** RFC 4867 5.1: the magic number of a single-channel AMR-WB file. */
export const AWB_MAGIC = "#!AMR-WB\n";

export type AmrWbFormat = "octet-aligned" | "bandwidth-efficient";

export interface AmrWbFrame {
  /** FT: 0..8 speech modes, 9 SID, 14 SPEECH_LOST, 15 NO_DATA (RFC 4867 4.3.2). */
  readonly frameType: number;
  /** Q: false when the frame is damaged (RFC 4867 4.3.2). */
  readonly quality: boolean;
  /** The frame's bits, MSB first, ceil(bits / 8) octets, zero-padded. */
  readonly data: Uint8Array;
}

export interface AmrWbPayload {
  /** Codec Mode Request: the mode the receiver of this packet is asked to send (4.3.1), 15 for none. */
  readonly cmr: number;
  readonly frames: readonly AmrWbFrame[];
}

export type AmrWbUnpackResult = { readonly ok: true; readonly payload: AmrWbPayload } | { readonly ok: false; readonly reason: string };

/** Bits of a frame of type `frameType`; undefined for the types RFC 4867 4.3.2 reserves (10..13). */
export function amrWbFrameBits(frameType: number): number | undefined {
  if (frameType >= 0 && frameType <= 8) return FRAME_BITS[frameType];
  if (frameType === AMR_WB_SID) return 40;
  if (frameType === AMR_WB_SPEECH_LOST || frameType === AMR_WB_NO_DATA) return 0;
  return undefined;
}

/** Octets a frame of this type takes in the octet-aligned and storage formats. */
export function amrWbFrameOctets(frameType: number): number | undefined {
  const bits = amrWbFrameBits(frameType);
  return bits === undefined ? undefined : Math.ceil(bits / 8);
}

/** RFC 4867 4.3 (bandwidth-efficient) or 4.4 (octet-aligned): CMR, the table of contents, then the frames. */
export function packAmrWb(payload: AmrWbPayload, format: AmrWbFormat): Uint8Array {
  if (payload.frames.length === 0) throw new RangeError("an AMR-WB payload carries at least one ToC entry (RFC 4867 4.3.2)");
  if (!Number.isInteger(payload.cmr) || payload.cmr < 0 || payload.cmr > 15) throw new RangeError(`CMR is 4 bits, got ${payload.cmr}`);
  for (const f of payload.frames) {
    const octets = amrWbFrameOctets(f.frameType);
    if (octets === undefined) throw new RangeError(`frame type ${f.frameType} is reserved for AMR-WB (RFC 4867 4.3.2)`);
    if (f.data.length !== octets) throw new RangeError(`frame type ${f.frameType} is ${amrWbFrameBits(f.frameType)} bits = ${octets} octets, got ${f.data.length}`);
  }
  const last = payload.frames.length - 1;
  if (format === "octet-aligned") {
    // 4.4.1: CMR then 4 reserved zero bits; 4.4.2: one octet per ToC entry (F FT Q P P); 4.4.3: frames octet by octet
    const size = 1 + payload.frames.length + payload.frames.reduce((n, f) => n + f.data.length, 0);
    const out = new Uint8Array(size);
    out[0] = payload.cmr << 4;
    payload.frames.forEach((f, i) => (out[1 + i] = (i < last ? 0x80 : 0) | (f.frameType << 3) | (f.quality ? 0x04 : 0)));
    let at = 1 + payload.frames.length;
    for (const f of payload.frames) {
      out.set(f.data, at);
      at += f.data.length;
    }
    return out;
  }
  // 4.3: CMR (4 bits), ToC entries of 6 bits (F FT Q), the frames' bits back to back, zero padding to an octet
  const w = new BitWriter(4 + 6 * payload.frames.length + payload.frames.reduce((n, f) => n + (amrWbFrameBits(f.frameType) ?? 0), 0));
  w.write(payload.cmr, 4);
  payload.frames.forEach((f, i) => {
    w.write(i < last ? 1 : 0, 1);
    w.write(f.frameType, 4);
    w.write(f.quality ? 1 : 0, 1);
  });
  for (const f of payload.frames) w.copyBits(f.data, amrWbFrameBits(f.frameType) ?? 0);
  return w.bytes;
}

/** The reverse of packAmrWb; never throws. */
export function unpackAmrWb(bytes: Uint8Array, format: AmrWbFormat): AmrWbUnpackResult {
  if (bytes.length === 0) return fail("empty AMR-WB payload (RFC 4867 4.3)");
  const toc: { frameType: number; quality: boolean }[] = [];
  if (format === "octet-aligned") {
    const cmr = bytes[0] >> 4;
    let at = 1;
    for (;;) {
      if (at >= bytes.length) return fail(`the table of contents runs past the ${bytes.length}-octet payload: no entry with F = 0 (RFC 4867 4.4.2)`);
      const entry = bytes[at++];
      const frameType = (entry >> 3) & 0x0f;
      if (amrWbFrameBits(frameType) === undefined) return fail(`ToC entry ${toc.length + 1} has frame type ${frameType}, reserved for AMR-WB (RFC 4867 4.3.2)`);
      toc.push({ frameType, quality: (entry & 0x04) !== 0 });
      if ((entry & 0x80) === 0) break;
    }
    const frames: AmrWbFrame[] = [];
    for (const t of toc) {
      const octets = amrWbFrameOctets(t.frameType) ?? 0;
      if (at + octets > bytes.length) return fail(`frame ${frames.length + 1} (type ${t.frameType}, ${octets} octets) runs past the ${bytes.length}-octet payload (RFC 4867 4.4.3)`);
      frames.push({ frameType: t.frameType, quality: t.quality, data: bytes.slice(at, at + octets) });
      at += octets;
    }
    if (at !== bytes.length) return fail(`${bytes.length - at} octets after the last frame; the ToC accounts for ${at} of ${bytes.length} (RFC 4867 4.4)`);
    return { ok: true, payload: { cmr, frames } };
  }
  const r = new BitReader(bytes);
  const cmr = r.read(4);
  for (;;) {
    if (r.remaining < 6) return fail(`the table of contents runs past the ${bytes.length}-octet payload: no entry with F = 0 (RFC 4867 4.3.2)`);
    const follows = r.read(1);
    const frameType = r.read(4);
    const quality = r.read(1) === 1;
    if (amrWbFrameBits(frameType) === undefined) return fail(`ToC entry ${toc.length + 1} has frame type ${frameType}, reserved for AMR-WB (RFC 4867 4.3.2)`);
    toc.push({ frameType, quality });
    if (follows === 0) break;
  }
  const frames: AmrWbFrame[] = [];
  for (const t of toc) {
    const bits = amrWbFrameBits(t.frameType) ?? 0;
    if (r.remaining < bits) return fail(`frame ${frames.length + 1} (type ${t.frameType}, ${bits} bits) runs past the ${bytes.length}-octet payload (RFC 4867 4.3.3)`);
    frames.push({ frameType: t.frameType, quality: t.quality, data: r.readBits(bits) });
  }
  if (r.remaining >= 8) return fail(`${r.remaining} bits after the last frame, more than the padding to an octet (RFC 4867 4.3.4)`);
  return { ok: true, payload: { cmr, frames } };
}

/** RFC 4867 5.1, 5.3: the magic "#!AMR-WB\n", then per frame a header octet (0 FT Q 0 0) and its octets. */
export function writeAwb(frames: readonly AmrWbFrame[]): Uint8Array {
  const magic = new TextEncoder().encode(AWB_MAGIC);
  const size = magic.length + frames.reduce((n, f) => n + 1 + f.data.length, 0);
  const out = new Uint8Array(size);
  out.set(magic, 0);
  let at = magic.length;
  for (const f of frames) {
    const octets = amrWbFrameOctets(f.frameType);
    if (octets === undefined || f.data.length !== octets) throw new RangeError(`frame type ${f.frameType} needs ${octets ?? "no (reserved type)"} octets, got ${f.data.length}`);
    out[at++] = (f.frameType << 3) | (f.quality ? 0x04 : 0);
    out.set(f.data, at);
    at += f.data.length;
  }
  return out;
}

/** Reads a single-channel AMR-WB storage file (RFC 4867 5.1, 5.3); never throws. */
export function readAwb(bytes: Uint8Array): { readonly ok: true; readonly frames: AmrWbFrame[] } | { readonly ok: false; readonly reason: string } {
  const magic = new TextEncoder().encode(AWB_MAGIC);
  if (bytes.length < magic.length || magic.some((b, i) => bytes[i] !== b)) return fail(`no "#!AMR-WB\\n" magic number (RFC 4867 5.1)`);
  const frames: AmrWbFrame[] = [];
  let at = magic.length;
  while (at < bytes.length) {
    const header = bytes[at++];
    const frameType = (header >> 3) & 0x0f;
    const octets = amrWbFrameOctets(frameType);
    if (octets === undefined) return fail(`frame ${frames.length + 1} has the reserved frame type ${frameType} (RFC 4867 5.3)`);
    if (at + octets > bytes.length) return fail(`frame ${frames.length + 1} (type ${frameType}) is cut short at the end of the file (RFC 4867 5.3)`);
    frames.push({ frameType, quality: (header & 0x04) !== 0, data: bytes.slice(at, at + octets) });
    at += octets;
  }
  return { ok: true, frames };
}

/** A NO_DATA frame (FT 15): what a sender sends when it has no speech to send (RFC 4867 4.3.2). */
export function amrWbNoData(): AmrWbFrame {
  return { frameType: AMR_WB_NO_DATA, quality: true, data: new Uint8Array(0) };
}

class BitWriter {
  readonly bytes: Uint8Array;
  private bit = 0;

  constructor(bits: number) {
    this.bytes = new Uint8Array(Math.ceil(bits / 8));
  }

  write(value: number, bits: number): void {
    for (let i = bits - 1; i >= 0; i--) this.put((value >> i) & 1);
  }

  /** The first `bits` bits of `data`, MSB first. */
  copyBits(data: Uint8Array, bits: number): void {
    for (let i = 0; i < bits; i++) this.put((data[i >> 3] >> (7 - (i & 7))) & 1);
  }

  private put(b: number): void {
    if (b) this.bytes[this.bit >> 3] |= 0x80 >> (this.bit & 7);
    this.bit++;
  }
}

class BitReader {
  private bit = 0;

  constructor(private readonly bytes: Uint8Array) {}

  get remaining(): number {
    return 8 * this.bytes.length - this.bit;
  }

  read(bits: number): number {
    let v = 0;
    for (let i = 0; i < bits; i++) v = (v << 1) | this.next();
    return v;
  }

  /** `bits` bits into ceil(bits / 8) octets, MSB first, zero-padded. */
  readBits(bits: number): Uint8Array {
    const out = new Uint8Array(Math.ceil(bits / 8));
    for (let i = 0; i < bits; i++) if (this.next()) out[i >> 3] |= 0x80 >> (i & 7);
    return out;
  }

  private next(): number {
    const b = (this.bytes[this.bit >> 3] >> (7 - (this.bit & 7))) & 1;
    this.bit++;
    return b;
  }
}

function fail(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}

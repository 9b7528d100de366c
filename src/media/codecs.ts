// Audio codecs for IMS voice (3GPP TS 26.114 5.2.1: AMR-WB and AMR; PCMU for interworking)
// and their SDP description through a=rtpmap / a=fmtp (RFC 8866 6.6, 6.15).

import type { Attribute, MediaDescription } from "./sdp.ts";

export interface Codec {
  payloadType: number;
  /** Encoding name as in a=rtpmap, e.g. "AMR-WB", "PCMU", "telephone-event". */
  encodingName: string;
  clockRate: number;
  /** Channel count; undefined means the rtpmap omits it (1 channel, RFC 8866 6.6). */
  channels?: number;
  /** a=fmtp format parameters, verbatim (without the payload type). */
  fmtp?: string;
}

export interface RtpMap {
  payloadType: number;
  encodingName: string;
  clockRate: number;
  channels?: number;
}

export interface Fmtp {
  payloadType: number;
  parameters: string;
}

// RFC 3551 3: dynamic payload types.
export const DYNAMIC_PAYLOAD_TYPES = { first: 96, last: 127 } as const;

export const TELEPHONE_EVENT = "telephone-event";

const IMS_AMR_FMTP = "mode-change-capability=2;max-red=0";

/** RFC 4867 8.1 (AMR-WB) with the fmtp VoLTE UEs commonly send (GSMA IR.92); null for no a=fmtp. */
export function amrWb(payloadType = 97, fmtp: string | null = IMS_AMR_FMTP): Codec {
  return withFmtp({ payloadType, encodingName: "AMR-WB", clockRate: 16000, channels: 1 }, fmtp);
}

/** RFC 4867 8.1 (AMR narrowband); null for no a=fmtp. */
export function amr(payloadType = 98, fmtp: string | null = IMS_AMR_FMTP): Codec {
  return withFmtp({ payloadType, encodingName: "AMR", clockRate: 8000, channels: 1 }, fmtp);
}

/** RFC 4733 2.4.1: telephone-event; its rate should match the voice codec's (RFC 4733 2.1). */
export function telephoneEvent(payloadType: number, clockRate = 8000, events = "0-15"): Codec {
  return withFmtp({ payloadType, encodingName: TELEPHONE_EVENT, clockRate }, events);
}

/** RFC 3551 4.5.14: G.711 mu-law, static payload type 0. */
export const PCMU: Codec = Object.freeze({ payloadType: 0, encodingName: "PCMU", clockRate: 8000 });

/** RFC 3551 4.5.14: G.711 A-law, static payload type 8. */
export const PCMA: Codec = Object.freeze({ payloadType: 8, encodingName: "PCMA", clockRate: 8000 });

function withFmtp(codec: Codec, fmtp: string | null): Codec {
  return fmtp === null ? codec : { ...codec, fmtp };
}

// RFC 3551 6, Table 4: static audio payload types (used when a=rtpmap is absent).
const STATIC_AUDIO: ReadonlyMap<number, RtpMap> = new Map(
  (
    [
      [0, "PCMU", 8000],
      [3, "GSM", 8000],
      [4, "G723", 8000],
      [5, "DVI4", 8000],
      [6, "DVI4", 16000],
      [7, "LPC", 8000],
      [8, "PCMA", 8000],
      [9, "G722", 8000],
      [13, "CN", 8000],
      [15, "G728", 8000],
      [18, "G729", 8000],
    ] as const
  ).map(([payloadType, encodingName, clockRate]) => [payloadType, { payloadType, encodingName, clockRate }]),
);

export function staticPayloadType(payloadType: number): RtpMap | undefined {
  return STATIC_AUDIO.get(payloadType);
}

export function isDynamicPayloadType(payloadType: number): boolean {
  return payloadType >= DYNAMIC_PAYLOAD_TYPES.first && payloadType <= DYNAMIC_PAYLOAD_TYPES.last;
}

/** RFC 8866 6.6: "<payload type> <encoding name>/<clock rate>[/<encoding parameters>]". */
export function parseRtpmap(value: string): RtpMap | undefined {
  const m = /^([0-9]{1,3}) ([^/ ]+)\/([0-9]+)(?:\/([0-9]+))?$/.exec(value);
  if (!m) return undefined;
  const payloadType = Number(m[1]);
  if (payloadType > 127) return undefined;
  const rtpmap: RtpMap = { payloadType, encodingName: m[2], clockRate: Number(m[3]) };
  if (m[4] !== undefined) rtpmap.channels = Number(m[4]);
  return rtpmap;
}

export function formatRtpmap(codec: RtpMap): string {
  const channels = codec.channels === undefined ? "" : `/${codec.channels}`;
  return `${codec.payloadType} ${codec.encodingName}/${codec.clockRate}${channels}`;
}

/** RFC 8866 6.15: "<format> <format specific parameters>". */
export function parseFmtp(value: string): Fmtp | undefined {
  const m = /^([0-9]{1,3}) (.*)$/.exec(value);
  if (!m) return undefined;
  return { payloadType: Number(m[1]), parameters: m[2] };
}

/**
 * Split "a=b;c=d" style parameters (RFC 4867 8.1, RFC 4855 3) into a map with
 * lower-cased names. Parameters without "=" (e.g. RFC 4733 event lists) map to "".
 */
export function parseFmtpParameters(parameters: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of parameters.split(";")) {
    const item = part.trim();
    if (item === "") continue;
    const eq = item.indexOf("=");
    if (eq < 0) out.set(item.toLowerCase(), "");
    else out.set(item.slice(0, eq).trim().toLowerCase(), item.slice(eq + 1).trim());
  }
  return out;
}

export function findRtpmap(media: MediaDescription, payloadType: number): RtpMap | undefined {
  for (const a of media.attributes) {
    if (a.name !== "rtpmap" || a.value === undefined) continue;
    const rtpmap = parseRtpmap(a.value);
    if (rtpmap?.payloadType === payloadType) return rtpmap;
  }
  return undefined;
}

export function findFmtp(media: MediaDescription, payloadType: number): Fmtp | undefined {
  for (const a of media.attributes) {
    if (a.name !== "fmtp" || a.value === undefined) continue;
    const fmtp = parseFmtp(a.value);
    if (fmtp?.payloadType === payloadType) return fmtp;
  }
  return undefined;
}

/**
 * The codecs a media description offers, in m= line order: each RTP format resolved
 * through its a=rtpmap, else the RFC 3551 static table. Unresolvable formats are skipped.
 */
export function mediaCodecs(media: MediaDescription): Codec[] {
  const out: Codec[] = [];
  for (const format of media.formats) {
    if (!/^[0-9]{1,3}$/.test(format)) continue;
    const payloadType = Number(format);
    const rtpmap = findRtpmap(media, payloadType) ?? staticPayloadType(payloadType);
    if (!rtpmap) continue;
    const codec: Codec = { ...rtpmap };
    const fmtp = findFmtp(media, payloadType);
    if (fmtp) codec.fmtp = fmtp.parameters;
    out.push(codec);
  }
  return out;
}

/** a=rtpmap and, when present, a=fmtp for a codec (RFC 3264 5.1 recommends rtpmap even for static types). */
export function codecAttributes(codec: Codec): Attribute[] {
  const attrs: Attribute[] = [{ name: "rtpmap", value: formatRtpmap(codec) }];
  if (codec.fmtp !== undefined) attrs.push({ name: "fmtp", value: `${codec.payloadType} ${codec.fmtp}` });
  return attrs;
}

export function isTelephoneEvent(codec: Pick<Codec, "encodingName">): boolean {
  return codec.encodingName.toLowerCase() === TELEPHONE_EVENT;
}

function isAmrFamily(codec: Codec): boolean {
  const name = codec.encodingName.toUpperCase();
  return name === "AMR" || name === "AMR-WB";
}

// RFC 4867 8.3.1: these parameters define the payload format itself; offer and answer must agree.
const AMR_FORMAT_PARAMETERS: ReadonlyArray<[string, string]> = [
  ["octet-align", "0"],
  ["crc", "0"],
  ["robust-sorting", "0"],
  ["interleaving", ""],
];

/**
 * Whether two codec descriptions denote the same payload format: encoding name
 * (case-insensitive, RFC 8866 6.6), clock rate, channels (default 1), and for AMR/AMR-WB
 * the payload format parameters of RFC 4867 8.3.1 (bandwidth-efficient vs octet-aligned).
 */
export function sameCodec(a: Codec, b: Codec): boolean {
  if (a.encodingName.toLowerCase() !== b.encodingName.toLowerCase()) return false;
  if (a.clockRate !== b.clockRate) return false;
  if ((a.channels ?? 1) !== (b.channels ?? 1)) return false;
  if (isAmrFamily(a)) {
    const pa = parseFmtpParameters(a.fmtp ?? "");
    const pb = parseFmtpParameters(b.fmtp ?? "");
    for (const [name, fallback] of AMR_FORMAT_PARAMETERS) {
      if ((pa.get(name) ?? fallback) !== (pb.get(name) ?? fallback)) return false;
    }
  }
  return true;
}

/** Lowest dynamic payload type (RFC 3551 3) not in `used`, or undefined when all are taken. */
export function allocatePayloadType(used: Iterable<number>): number | undefined {
  const taken = new Set(used);
  for (let pt = DYNAMIC_PAYLOAD_TYPES.first; pt <= DYNAMIC_PAYLOAD_TYPES.last; pt++) {
    if (!taken.has(pt)) return pt;
  }
  return undefined;
}

// RFC 3264 offer/answer for IMS voice: one audio stream per offer, codec selection,
// direction mirroring, rejection by port 0, and RFC 3312 precondition answers.

import { allocatePayloadType, codecAttributes, isTelephoneEvent, mediaCodecs, sameCodec, telephoneEvent, type Codec } from "./codecs.ts";
import {
  applyPeerStatus,
  createPreconditionTable,
  hasPreconditions,
  preconditionAttributes,
  requestConfirmation,
  tableToAttributes,
  type DirectionTag,
  type PreconditionTable,
  type PreconditionTableOptions,
  type StrengthTag,
} from "./preconditions.ts";
import { mediaDirection, type Attribute, type Bandwidth, type Direction, type MediaDescription, type Sdp } from "./sdp.ts";

export interface OriginOptions {
  /** o= <sess-id>; defaults to the current NTP time in seconds (RFC 8866 5.2). */
  sessionId?: string;
  /** o= <sess-version>; defaults to sessionId's initial value. */
  sessionVersion?: string;
  /** o= <username>; default "-". */
  username?: string;
}

export interface OfferOptions extends OriginOptions {
  address: string;
  port: number;
  /** Codecs in order of preference (RFC 3264 5.1). */
  codecs: Codec[];
  /** Add one telephone-event per clock rate among the codecs (RFC 4733 2.1). */
  telephoneEvent?: boolean;
  /** RFC 3312 status to advertise: a table, or options for a fresh one. */
  preconditions?: PreconditionTable | PreconditionTableOptions;
  direction?: Direction;
  proto?: string;
  /** a=ptime / a=maxptime (RFC 8866 6.4, 6.5). */
  ptime?: number;
  maxptime?: number;
  /** Media-level b= lines, e.g. [{ type: "AS", value: 41 }]. */
  bandwidths?: Bandwidth[];
  /** RFC 3264 8: a previous offer or answer of ours in this session; o= id kept, version + 1. */
  previous?: Sdp;
}

export interface AnswerCapabilities extends OriginOptions {
  address: string;
  port: number;
  /** Codecs this side supports; the offerer's payload types and order win (RFC 3264 6.1). */
  codecs: Codec[];
  telephoneEvent?: boolean;
  /** Directions this side is willing to use; default sendrecv. */
  direction?: Direction;
  /** Accepted RTP profiles; default RTP/AVP and RTP/AVPF. */
  protos?: string[];
  /** Keep only the first common codec (plus telephone-event). */
  singleCodec?: boolean;
  ptime?: number;
  maxptime?: number;
  bandwidths?: Bandwidth[];
  /**
   * RFC 3312: false when preconditions are unsupported; otherwise this side's table from an
   * earlier exchange, or options for a new one (strength defaults to adopting the offer's).
   */
  preconditions?: false | PreconditionTable | AnswerPreconditionOptions;
  previous?: Sdp;
}

export interface AnswerPreconditionOptions {
  localCurrent?: DirectionTag;
  strength?: StrengthTag;
  /** Ask the offerer (a=conf) to confirm its segment; default when it is not yet met. */
  confirm?: boolean;
}

export type AnswerResult =
  | {
      ok: true;
      sdp: Sdp;
      /** This side's precondition table per m= line (undefined where none applies). */
      preconditions: Array<PreconditionTable | undefined>;
    }
  | { ok: false; error: { mediaIndex?: number; reason: string } };

export interface NegotiatedCodec extends Codec {
  mediaIndex: number;
  /** The telephone-event payload agreed for the same stream, if any. */
  telephoneEvent?: Codec;
}

// RFC 8866 5.2: NTP seconds (1900 epoch) make a suitable unique session id.
function ntpNow(): string {
  return String(Math.floor(Date.now() / 1000) + 2208988800);
}

function addrType(address: string): string {
  return address.includes(":") ? "IP6" : "IP4";
}

/** RFC 3264 8: a new description in the same session increments o= <sess-version> by one. */
export function nextSessionVersion(previous: Sdp): Sdp {
  const version = (BigInt(previous.origin.sessionVersion) + 1n).toString();
  return { ...previous, origin: { ...previous.origin, sessionVersion: version } };
}

function sessionSkeleton(address: string, options: OriginOptions, previous: Sdp | undefined): Sdp {
  let sessionId: string;
  let sessionVersion: string;
  let username = options.username ?? "-";
  if (previous) {
    // RFC 3264 8: same <username>/<sess-id>, version incremented.
    sessionId = previous.origin.sessionId;
    sessionVersion = nextSessionVersion(previous).origin.sessionVersion;
    username = previous.origin.username;
  } else {
    sessionId = options.sessionId ?? ntpNow();
    sessionVersion = options.sessionVersion ?? sessionId;
  }
  const type = addrType(address);
  return {
    version: 0,
    origin: { username, sessionId, sessionVersion, netType: "IN", addrType: type, unicastAddress: address },
    sessionName: "-",
    emails: [],
    phones: [],
    connection: { netType: "IN", addrType: type, address },
    bandwidths: [],
    timing: [{ start: 0, stop: 0, repeats: [] }],
    attributes: [],
    media: [],
  };
}

function isTable(p: PreconditionTable | object): p is PreconditionTable {
  return typeof (p as PreconditionTable).local === "object";
}

function tailAttributes(o: { ptime?: number; maxptime?: number }): Attribute[] {
  const out: Attribute[] = [];
  if (o.ptime !== undefined) out.push({ name: "ptime", value: String(o.ptime) });
  if (o.maxptime !== undefined) out.push({ name: "maxptime", value: String(o.maxptime) });
  return out;
}

/** RFC 3264 5: an initial (or, with `previous`, subsequent) offer with one audio stream. */
export function createOffer(options: OfferOptions): Sdp {
  const sdp = sessionSkeleton(options.address, options, options.previous);
  const codecs = [...options.codecs];
  if (options.telephoneEvent) {
    const used = new Set(codecs.map((c) => c.payloadType));
    const covered = new Set(codecs.filter(isTelephoneEvent).map((c) => c.clockRate));
    const rates = codecs.filter((c) => !isTelephoneEvent(c)).map((c) => c.clockRate);
    for (const rate of rates) {
      if (covered.has(rate)) continue;
      const pt = allocatePayloadType(used);
      if (pt === undefined) break;
      used.add(pt);
      covered.add(rate);
      codecs.push(telephoneEvent(pt, rate));
    }
  }
  const attributes: Attribute[] = codecs.flatMap(codecAttributes);
  attributes.push(...tailAttributes(options));
  if (options.preconditions) {
    const table = isTable(options.preconditions) ? options.preconditions : createPreconditionTable(options.preconditions);
    attributes.push(...tableToAttributes(table));
  }
  attributes.push({ name: options.direction ?? "sendrecv" });
  sdp.media.push({
    media: "audio",
    port: options.port,
    proto: options.proto ?? "RTP/AVP",
    formats: codecs.map((c) => String(c.payloadType)),
    bandwidths: options.bandwidths ? [...options.bandwidths] : [],
    attributes,
  });
  return sdp;
}

// RFC 3264 6.1: the answer's direction mirrors the offer's, limited by our own.
const MIRROR: Record<Direction, Direction> = {
  sendrecv: "sendrecv",
  sendonly: "recvonly",
  recvonly: "sendonly",
  inactive: "inactive",
};

function canSend(d: Direction): boolean {
  return d === "sendrecv" || d === "sendonly";
}

function canRecv(d: Direction): boolean {
  return d === "sendrecv" || d === "recvonly";
}

export function answerDirection(offered: Direction, local: Direction = "sendrecv"): Direction {
  const mirrored = MIRROR[offered];
  const send = canSend(mirrored) && canSend(local);
  const recv = canRecv(mirrored) && canRecv(local);
  if (send && recv) return "sendrecv";
  if (send) return "sendonly";
  if (recv) return "recvonly";
  return "inactive";
}

function rejected(offered: MediaDescription): MediaDescription {
  // RFC 3264 6: a rejected stream keeps its m= line with port 0 and at least one format.
  return { media: offered.media, port: 0, proto: offered.proto, formats: [...offered.formats], bandwidths: [], attributes: [] };
}

function commonCodecs(offered: MediaDescription, caps: AnswerCapabilities): Codec[] {
  const offeredCodecs = mediaCodecs(offered);
  const chosen: Codec[] = [];
  for (const codec of offeredCodecs) {
    if (isTelephoneEvent(codec)) continue;
    const ours = caps.codecs.find((c) => !isTelephoneEvent(c) && sameCodec(c, codec));
    if (!ours) continue;
    // RFC 3264 6.1: keep the offer's payload type; fmtp describes what we receive.
    const answer: Codec = { ...codec };
    if (ours.fmtp !== undefined) answer.fmtp = ours.fmtp;
    else delete answer.fmtp;
    chosen.push(answer);
    if (caps.singleCodec) break;
  }
  if (chosen.length === 0 || !caps.telephoneEvent) return chosen;
  // RFC 4733 2.1: telephone-event at the rate of the chosen voice codecs.
  const rates = new Set(chosen.map((c) => c.clockRate));
  const events = offeredCodecs.filter((c) => isTelephoneEvent(c) && rates.has(c.clockRate));
  for (const te of events) {
    chosen.push({ ...te, fmtp: te.fmtp ?? "0-15" });
    rates.delete(te.clockRate);
  }
  return chosen;
}

type PreconditionAnswer = { ok: true; table?: PreconditionTable } | { ok: false; reason: string };

function answerPreconditions(offered: MediaDescription, caps: AnswerCapabilities): PreconditionAnswer {
  const lines = preconditionAttributes(offered.attributes);
  if (lines.length === 0) return { ok: true };
  const mandatoryOf = (type: string) => lines.some((p) => p.kind === "des" && p.preconditionType === type && p.strength === "mandatory");
  // RFC 3312 5.1 / 11: a mandatory precondition we cannot honour fails the session.
  for (const p of lines) {
    if (p.preconditionType !== "qos" && mandatoryOf(p.preconditionType)) {
      return { ok: false, reason: `unsupported mandatory precondition type '${p.preconditionType}'` };
    }
  }
  if (!hasPreconditions(offered.attributes, "qos")) return { ok: true };
  if (caps.preconditions === false) {
    if (mandatoryOf("qos")) return { ok: false, reason: "mandatory qos precondition offered but not supported" };
    return { ok: true };
  }
  const given = caps.preconditions ?? {};
  // Our own desired strength starts at "none" unless set, so the offer's strengths are adopted.
  const initial = isTable(given) ? given : createPreconditionTable({ strength: given.strength ?? "none", localCurrent: given.localCurrent ?? "none" });
  let table = applyPeerStatus(initial, offered.attributes);
  const remoteUnmet = [table.remote.send, table.remote.recv].some((r) => r.desired === "mandatory" && !r.current);
  // RFC 3312 5.1: ask the offerer (a=conf) to report once its segment is ready; by default
  // while that segment is unmet. A request is dropped once the segment is met.
  if (!remoteUnmet) table = requestConfirmation(table, "none");
  else if (!isTable(given) && (given.confirm ?? true)) table = requestConfirmation(table, "sendrecv");
  return { ok: true, table };
}

function answerMedia(offer: Sdp, offered: MediaDescription, caps: AnswerCapabilities): { ok: true; media: MediaDescription; table?: PreconditionTable } | { ok: false; reason: string } {
  const protos = caps.protos ?? ["RTP/AVP", "RTP/AVPF"];
  // RFC 3264 6: a stream disabled in the offer stays disabled.
  if (offered.port === 0 || offered.media !== "audio" || !protos.includes(offered.proto)) {
    return { ok: true, media: rejected(offered) };
  }
  const codecs = commonCodecs(offered, caps);
  if (codecs.length === 0) return { ok: true, media: rejected(offered) };
  const pre = answerPreconditions(offered, caps);
  if (!pre.ok) return pre;
  const attributes: Attribute[] = codecs.flatMap(codecAttributes);
  attributes.push(...tailAttributes(caps));
  if (pre.table) attributes.push(...tableToAttributes(pre.table));
  attributes.push({ name: answerDirection(mediaDirection(offer, offered), caps.direction) });
  const media: MediaDescription = {
    media: "audio",
    port: caps.port,
    proto: offered.proto,
    formats: codecs.map((c) => String(c.payloadType)),
    bandwidths: caps.bandwidths ? [...caps.bandwidths] : [],
    attributes,
  };
  return pre.table ? { ok: true, media, table: pre.table } : { ok: true, media };
}

/**
 * RFC 3264 6: answer every m= line of `offer` in order. Common codecs keep the offerer's
 * order and payload types; a line without one is rejected with port 0.
 */
export function createAnswer(offer: Sdp, caps: AnswerCapabilities): AnswerResult {
  const sdp = sessionSkeleton(caps.address, caps, caps.previous);
  // RFC 3264 6: the answer's t= equals the offer's.
  sdp.timing = offer.timing.map((t) => ({ ...t, repeats: [...t.repeats] }));
  const tables: Array<PreconditionTable | undefined> = [];
  for (const [index, offered] of offer.media.entries()) {
    const answered = answerMedia(offer, offered, caps);
    if (!answered.ok) return { ok: false, error: { mediaIndex: index, reason: answered.reason } };
    sdp.media.push(answered.media);
    tables.push(answered.table);
  }
  return { ok: true, sdp, preconditions: tables };
}

/**
 * The codec in use after an exchange: on the first m= line accepted in the answer, the
 * first answered payload type that the offer also listed and that is not telephone-event.
 */
export function negotiatedCodec(offer: Sdp, answer: Sdp): NegotiatedCodec | undefined {
  for (const [index, answered] of answer.media.entries()) {
    const offered = offer.media[index];
    if (!offered || answered.port === 0 || offered.port === 0) continue;
    const offeredCodecs = mediaCodecs(offered);
    const answeredCodecs = mediaCodecs(answered);
    for (const codec of answeredCodecs) {
      if (isTelephoneEvent(codec)) continue;
      const inOffer = offeredCodecs.find((c) => c.payloadType === codec.payloadType && sameCodec(c, codec));
      if (!inOffer) continue;
      const result: NegotiatedCodec = { ...codec, mediaIndex: index };
      const te = answeredCodecs.find((c) => isTelephoneEvent(c) && c.clockRate === codec.clockRate);
      if (te) result.telephoneEvent = te;
      return result;
    }
  }
  return undefined;
}

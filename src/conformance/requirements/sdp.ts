// Requirements on the SDP a UE receives: every application/sdp body (RFC 8866 5, 5.7), and every
// answer to an offer the UE sent in an INVITE (initial or re-INVITE) or an UPDATE, compared with
// that offer (RFC 3264 6, 6.1, 8.2). The observation of a response holds the request it answers,
// so the offer is at hand; an answer to an offer the UE sent in a PRACK or an ACK, or to an offer it
// received, is not compared. A response to a request without an offer carries an offer, not an
// answer: nothing to compare. A description that does not parse is judged by sdp.syntax alone.
import {
  type Codec,
  type Direction,
  type MediaDescription,
  type Sdp,
  findFmtp,
  findRtpmap,
  isDynamicPayloadType,
  mediaConnection,
  mediaDirection,
  parseSdp,
  sameCodec,
  staticPayloadType,
} from "../../media/index.ts";
import type { SipMessage } from "../../sip/message/index.ts";
import type { Finding, Observation, Requirement } from "../requirement.ts";
import { forSyntaxCheck, isMulticast, rawMediaLines, scanConnections, sdpBody, sdpLines, sdpOf, sessionDescription } from "../sdp-body.ts";

/** An offer the UE sent and the answer it received to it, both parsed, with their text as sent. */
interface Exchange {
  readonly offer: Sdp;
  readonly answer: Sdp;
  readonly offerLines: readonly string[];
  readonly answerLines: readonly string[];
  readonly response: SipMessage;
}

/** The offer/answer exchange a response completes (RFC 3261 13.2.1, RFC 3311 5.2), when both descriptions parse. */
function exchange(o: Observation): Exchange | undefined {
  if (o.message.kind !== "response" || !o.request) return undefined;
  const offer = sdpOf(o.request);
  const answer = sdpOf(o.message);
  if (!offer || !answer) return undefined;
  return { offer, answer, offerLines: rawMediaLines(sessionDescription(o.request)!), answerLines: rawMediaLines(sessionDescription(o.message)!), response: o.message };
}

/** One offered stream and the answer's stream in the same position (RFC 3264 6: streams are matched by order). */
interface Stream {
  /** 1-based, as a report names it. */
  readonly n: number;
  readonly offered: MediaDescription;
  readonly answered: MediaDescription;
  /** The m= lines as sent. */
  readonly offeredLine: string;
  readonly answeredLine: string;
}

/** The streams of an exchange, matched by order; none when the numbers of m= lines differ (sdp-answer.m-lines). */
function streams(x: Exchange): Stream[] {
  if (x.offer.media.length !== x.answer.media.length) return [];
  return x.offer.media.map((offered, i) => ({ n: i + 1, offered, answered: x.answer.media[i], offeredLine: x.offerLines[i] ?? "", answeredLine: x.answerLines[i] ?? "" }));
}

/** RFC 3264 6.1 is about streams offered with a unicast address (6.2 treats multicast ones). */
function offeredUnicast(x: Exchange, s: Stream): boolean {
  const c = mediaConnection(x.offer, s.offered);
  return c !== undefined && !isMulticast(c.addrType, c.address);
}

/** RFC 3264 6: port 0 in the answer rejects the stream; 8.2: port 0 in the offer removes it. */
const accepted = (s: Stream): boolean => s.offered.port !== 0 && s.answered.port !== 0;

/**
 * A stream of the answer that RFC 3264 6.1 compares with the offered one: accepted, offered with a
 * unicast address, and of the offered media type (else it is sdp-answer.media-type's finding).
 */
const comparable = (x: Exchange, s: Stream): boolean => accepted(s) && offeredUnicast(x, s) && s.answered.media === s.offered.media;

/** The first stream that breaks a rule, as a finding; undefined when none does. */
function firstBad(o: Observation, pick: (x: Exchange, s: Stream) => Finding | undefined): Finding | undefined {
  const x = exchange(o);
  if (!x) return undefined;
  for (const s of streams(x)) {
    const f = pick(x, s);
    if (f) return f;
  }
  return undefined;
}

const where = (x: Exchange, s: Stream): string => `stream ${s.n} of the answer "${s.answeredLine}" to the offered "${s.offeredLine}", in ${x.response.startLine()}`;

/** RFC 3264 6.1: the directions an answer may give a stream offered with each direction. */
const ANSWER_DIRECTIONS: Readonly<Record<Direction, readonly Direction[]>> = {
  sendonly: ["recvonly", "inactive"],
  recvonly: ["sendonly", "inactive"],
  inactive: ["inactive"],
  sendrecv: ["sendrecv", "sendonly", "recvonly", "inactive"],
};

/** How a stream's direction was given: "a=sendonly", "a=sendonly at the session level" or "no direction attribute (sendrecv)". */
function directionAsSent(sdp: Sdp, m: MediaDescription): string {
  const named = (attrs: Sdp["attributes"]): string | undefined => attrs.find((a) => a.value === undefined && Object.hasOwn(ANSWER_DIRECTIONS, a.name))?.name;
  const media = named(m.attributes);
  if (media) return `a=${media}`;
  const session = named(sdp.attributes);
  return session ? `a=${session} at the session level` : "no direction attribute (sendrecv)";
}

/** Whether the transport protocol of an m= line is RTP (RTP/AVP, RTP/SAVPF, UDP/TLS/RTP/SAVPF ...). */
const isRtp = (m: MediaDescription): boolean => m.proto.toUpperCase().split("/").includes("RTP");

/** The codec an RTP format of a stream names: its a=rtpmap (and a=fmtp), else RFC 3551's static table. */
function codecOf(m: MediaDescription, format: string): Codec | undefined {
  if (!/^\d{1,3}$/.test(format)) return undefined;
  const pt = Number(format);
  const rtpmap = findRtpmap(m, pt) ?? staticPayloadType(pt);
  if (!rtpmap) return undefined;
  const fmtp = findFmtp(m, pt);
  return fmtp ? { ...rtpmap, fmtp: fmtp.parameters } : { ...rtpmap };
}

/**
 * Whether a format of the answer's stream is among the offered stream's: for RTP the same codec
 * (RFC 3264 6.1: the payload type number SHOULD, not MUST, be the offer's), or the same number
 * where a format names no known codec; for other transports the same format token.
 */
function offeredFormat(s: Stream, format: string): boolean {
  if (!isRtp(s.answered)) return s.offered.formats.includes(format);
  const codec = codecOf(s.answered, format);
  if (!codec) return s.offered.formats.includes(format);
  return s.offered.formats.some((f) => {
    const offered = codecOf(s.offered, f);
    return offered ? sameCodec(offered, codec) : f === format;
  });
}

/** The formats of a stream with the codec each names: "97 (AMR-WB/16000/1), 0 (PCMU/8000)". */
function formatsNamed(m: MediaDescription): string {
  return m.formats
    .map((f) => {
      const codec = isRtp(m) ? codecOf(m, f) : undefined;
      return codec ? `${f} (${codec.encodingName}/${codec.clockRate}${codec.channels === undefined ? "" : `/${codec.channels}`})` : f;
    })
    .join(", ");
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

const timingLines = (lines: readonly string[]): string[] => lines.filter((l) => l.startsWith("t="));

/** The answer's t= lines as sent next to the offer's, or undefined when they are equal. */
function timingFinding(o: Observation): Finding | undefined {
  const x = exchange(o);
  if (!x) return undefined;
  const same = x.offer.timing.length === x.answer.timing.length && x.offer.timing.every((t, i) => t.start === x.answer.timing[i].start && t.stop === x.answer.timing[i].stop);
  if (same) return undefined;
  const offered = timingLines(sdpLines(sessionDescription(o.request!)!));
  const answered = timingLines(sdpLines(sessionDescription(o.message)!));
  return {
    expected: `the t= line of the offer in the answer: ${offered.map((l) => `"${l}"`).join(", ")}`,
    received: `${answered.map((l) => `"${l}"`).join(", ")} in the SDP of ${o.message.startLine()}`,
  };
}

/** An answer to an offer the UE sent: a 101-299 response to an INVITE or UPDATE (RFC 3261 13.2.1, RFC 3262 5, RFC 3311 5.2). */
const ANSWERS = { kind: "response", methods: ["INVITE", "UPDATE"], status: [101, 299] } as const;

/** Whether every media description has a c= line, or the session level has one (RFC 8866 5.7). */
function connectionsComplete(text: string): boolean {
  const scan = scanConnections(text);
  return scan.session || scan.media.every((m) => m.connections > 0);
}

export const SDP_REQUIREMENTS: readonly Requirement[] = [
  // RFC 8866 5: "An SDP description MUST conform to the syntax defined in Section 9." (5: "Some lines in
  // each description are required and some are optional, but when present, they must appear in exactly
  // the order given here.") A missing c= line is judged by sdp.connection, not here.
  {
    id: "sdp.syntax",
    clause: "RFC 8866 5, 9",
    statement: "an application/sdp body a UE receives is a session description in the syntax of RFC 8866 9: <type>=<value> lines, v=, o=, s= and t= present, the fields in the order of RFC 8866 5",
    constrains: "network",
    appliesTo: { kind: "message" },
    when: (o) => {
      const text = sdpBody(o.message);
      return text !== undefined && connectionsComplete(text);
    },
    check: (o) => {
      const text = sdpBody(o.message)!;
      const read = forSyntaxCheck(text);
      const r = parseSdp(read.text);
      if (r.ok) return undefined;
      const n = r.error.line > 0 ? (read.original[r.error.line - 1] ?? r.error.line) : 0;
      const line = n > 0 ? sdpLines(text)[n - 1] : undefined;
      return {
        expected: "a session description in the syntax of RFC 8866 9 (v=, o=, s=, t=, then the media descriptions, each field in the order of RFC 8866 5)",
        received: `${line === undefined ? "the SDP" : `line ${n} of the SDP, ${JSON.stringify(line)}`}: ${r.error.reason}, in ${o.message.startLine()}`,
      };
    },
  },
  // RFC 8866 5.7: "A session description MUST contain either at least one "c=" line in each media
  // description or a single "c=" line at the session level."
  {
    id: "sdp.connection",
    clause: "RFC 8866 5.7",
    statement: "an SDP body a UE receives (offer or answer) has a c= line at the session level or in every media description",
    constrains: "network",
    appliesTo: { kind: "message" },
    when: (o) => sdpBody(o.message) !== undefined,
    check: (o) => {
      const scan = scanConnections(sdpBody(o.message)!);
      const missing = scan.media.filter((m) => m.connections === 0);
      if (scan.session || missing.length === 0) return undefined;
      return {
        expected: "a c= line at the session level or in each media description (the address of each stream)",
        received: `no c= line at the session level nor after ${missing.map((m) => JSON.stringify(m.line)).join(", ")}, in the SDP of ${o.message.startLine()}`,
      };
    },
  },
  // RFC 3264 6: "For each "m=" line in the offer, there MUST be a corresponding "m=" line in the answer.
  // The answer MUST contain exactly the same number of "m=" lines as the offer." RFC 3261 13.2.1:
  // provisional responses may repeat that same answer.
  {
    id: "sdp-answer.m-lines",
    clause: "RFC 3264 6",
    statement: "an SDP answer to an offer the UE sent (in a 101-299 response to its INVITE or UPDATE) has exactly as many m= lines as the offer",
    constrains: "network",
    appliesTo: ANSWERS,
    when: (o) => exchange(o) !== undefined,
    check: (o) => {
      const x = exchange(o)!;
      const offered = x.offer.media.length;
      const answered = x.answer.media.length;
      if (answered === offered) return undefined;
      return {
        expected: `an SDP answer with ${plural(offered, "m= line")}, one per offered stream, in the offer's order`,
        received: `${plural(answered, "m= line")} in the SDP of ${o.message.startLine()}`,
      };
    },
  },
  // RFC 3264 6.1: "The media type of the stream in the answer MUST match that of the offer." Streams are
  // matched by order (6); when the numbers of m= lines differ, sdp-answer.m-lines judges the answer.
  {
    id: "sdp-answer.media-type",
    clause: "RFC 3264 6.1",
    statement: "each m= line of an SDP answer has the media type (audio, video ...) of the offer's m= line in the same position",
    constrains: "network",
    appliesTo: ANSWERS,
    when: (o) => exchange(o) !== undefined,
    check: (o) =>
      firstBad(o, (x, s) =>
        !offeredUnicast(x, s) || s.answered.media === s.offered.media ? undefined : { expected: `media type ${s.offered.media} in stream ${s.n} of the answer, as offered`, received: where(x, s) },
      ),
  },
  // RFC 3264 8.2: "A stream that is offered with a port of zero MUST be marked with port zero in the answer."
  {
    id: "sdp-answer.port-zero",
    clause: "RFC 3264 8.2",
    statement: "a stream offered with port 0 (removed) has port 0 in the SDP answer",
    constrains: "network",
    appliesTo: ANSWERS,
    when: (o) => exchange(o) !== undefined,
    check: (o) =>
      firstBad(o, (x, s) => (s.offered.port !== 0 || s.answered.port === 0 ? undefined : { expected: `port 0 in stream ${s.n} of the answer: the offer removed that stream`, received: where(x, s) })),
  },
  // RFC 3264 6.1: "If a stream is offered as sendonly, the corresponding stream MUST be marked as recvonly
  // or inactive in the answer. If a media stream is listed as recvonly in the offer, the answer MUST be
  // marked as sendonly or inactive in the answer. If an offered media stream is listed as sendrecv (or if
  // there is no direction attribute at the media or session level, in which case the stream is sendrecv
  // by default), the corresponding stream in the answer MAY be marked as sendonly, recvonly, sendrecv, or
  // inactive. If an offered media stream is listed as inactive, it MUST be marked as inactive in the
  // answer." A rejected stream (port 0) has no direction to answer.
  {
    id: "sdp-answer.direction",
    clause: "RFC 3264 6.1",
    statement:
      "each accepted stream of an SDP answer answers the offered direction: sendonly with recvonly or inactive, recvonly with sendonly or inactive, inactive with inactive (sendrecv with any)",
    constrains: "network",
    appliesTo: ANSWERS,
    when: (o) => exchange(o) !== undefined,
    check: (o) =>
      firstBad(o, (x, s) => {
        if (!comparable(x, s)) return undefined;
        const offered = mediaDirection(x.offer, s.offered);
        const answered = mediaDirection(x.answer, s.answered);
        if (ANSWER_DIRECTIONS[offered].includes(answered)) return undefined;
        return { expected: `stream ${s.n} offered ${offered}: answered ${ANSWER_DIRECTIONS[offered].join(" or ")}`, received: `${directionAsSent(x.answer, s.answered)} in ${where(x, s)}` };
      }),
  },
  // RFC 3264 6.1: "For streams marked as recvonly in the answer, the "m=" line MUST contain at least one
  // media format the answerer is willing to receive with from amongst those listed in the offer. The
  // stream MAY indicate additional media formats, not listed in the corresponding stream in the offer"
  // (the same for sendonly and sendrecv; an inactive stream's list is built as for one of them); "If the
  // answerer has no media formats in common for a particular offered stream, the answerer MUST reject
  // that media stream by setting the port to zero." For RTP, "that same payload type number SHOULD be
  // used for that codec in the answer": formats are compared by codec, not by number.
  {
    id: "sdp-answer.formats",
    clause: "RFC 3264 6.1",
    statement:
      "each accepted stream (port not 0) of an SDP answer lists at least one media format of the offered stream (for RTP the same codec, whatever its payload type number); further formats may follow",
    constrains: "network",
    appliesTo: ANSWERS,
    when: (o) => exchange(o) !== undefined,
    check: (o) =>
      firstBad(o, (x, s) => {
        if (!comparable(x, s) || s.answered.formats.some((f) => offeredFormat(s, f))) return undefined;
        return {
          expected: `at least one of the offered formats ${formatsNamed(s.offered)} in stream ${s.n} of the answer, or port 0 to reject the stream`,
          received: `${formatsNamed(s.answered)} in ${where(x, s)}`,
        };
      }),
  },
  // RFC 3264 6.1: "Even if the same payload type number is used, the answer MUST contain rtpmap attributes
  // to define the payload type mappings for dynamic payload types, and SHOULD contain mappings for static
  // payload types." RFC 3551 3: the dynamic payload types are 96 to 127.
  {
    id: "sdp-answer.rtpmap",
    clause: "RFC 3264 6.1",
    statement: "every dynamic payload type (96-127) an accepted RTP stream of an SDP answer lists has an a=rtpmap",
    constrains: "network",
    appliesTo: ANSWERS,
    when: (o) => exchange(o) !== undefined,
    check: (o) =>
      firstBad(o, (x, s) => {
        if (!accepted(s) || !isRtp(s.answered)) return undefined;
        const unmapped = s.answered.formats.filter((f) => /^\d{1,3}$/.test(f) && isDynamicPayloadType(Number(f)) && !findRtpmap(s.answered, Number(f)));
        if (unmapped.length === 0) return undefined;
        return {
          expected: `an a=rtpmap for the dynamic payload type${unmapped.length === 1 ? "" : "s"} ${unmapped.join(", ")} in stream ${s.n} of the answer`,
          received: `no a=rtpmap:${unmapped[0]} in ${where(x, s)}`,
        };
      }),
  },
  // RFC 3264 6: "The "t=" line in the answer MUST equal that of the offer. The time of the session cannot
  // be negotiated."
  {
    id: "sdp-answer.timing",
    clause: "RFC 3264 6",
    statement: "the t= line of an SDP answer equals the offer's",
    constrains: "network",
    appliesTo: ANSWERS,
    when: (o) => exchange(o) !== undefined,
    check: timingFinding,
  },
  // RFC 3264 6.1: "If a stream is offered with a unicast address, the answer for that stream MUST contain
  // a unicast address."
  {
    id: "sdp-answer.unicast",
    clause: "RFC 3264 6.1",
    statement: "each accepted stream offered with a unicast address has a unicast connection address in the SDP answer",
    constrains: "network",
    appliesTo: ANSWERS,
    when: (o) => exchange(o) !== undefined,
    check: (o) =>
      firstBad(o, (x, s) => {
        if (!comparable(x, s)) return undefined;
        const c = mediaConnection(x.answer, s.answered);
        if (!c || !isMulticast(c.addrType, c.address)) return undefined;
        return { expected: `a unicast connection address for stream ${s.n} of the answer, as offered`, received: `c=${c.netType} ${c.addrType} ${c.address} for ${where(x, s)}` };
      }),
  },
];

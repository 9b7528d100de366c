// Public API of the SDP offer/answer module (RFC 8866, RFC 3264, RFC 3312).

export { findAttribute, findAttributes, isDirection, mediaConnection, mediaDirection, parseSdp, serializeSdp } from "./sdp.ts";
export type { Attribute, Bandwidth, Connection, Direction, MediaDescription, Origin, Sdp, SdpParseError, SdpParseResult, Timing } from "./sdp.ts";

export {
  DYNAMIC_PAYLOAD_TYPES,
  PCMA,
  PCMU,
  TELEPHONE_EVENT,
  allocatePayloadType,
  amr,
  amrWb,
  codecAttributes,
  findFmtp,
  findRtpmap,
  formatRtpmap,
  isDynamicPayloadType,
  isTelephoneEvent,
  mediaCodecs,
  parseFmtp,
  parseFmtpParameters,
  parseRtpmap,
  sameCodec,
  staticPayloadType,
  telephoneEvent,
} from "./codecs.ts";
export type { Codec, Fmtp, RtpMap } from "./codecs.ts";

export {
  applyPeerStatus,
  confirmationDue,
  createPreconditionTable,
  currentDirection,
  formatPreconditionAttribute,
  hasPreconditions,
  parsePreconditionAttribute,
  preconditionAttributes,
  preconditionStatusAttributes,
  preconditionsFailed,
  preconditionsMet,
  releaseLocal,
  requestConfirmation,
  reserveLocal,
  strongerStrength,
  tableToAttributes,
} from "./preconditions.ts";
export type {
  ConfirmStatus,
  CurrentStatus,
  DesiredStatus,
  DirectionTag,
  PreconditionAttribute,
  PreconditionTable,
  PreconditionTableOptions,
  SegmentStatus,
  StatusEntry,
  StatusType,
  StrengthTag,
} from "./preconditions.ts";

export { answerDirection, createAnswer, createOffer, negotiatedCodec, nextSessionVersion } from "./offer-answer.ts";
export type { AnswerCapabilities, AnswerPreconditionOptions, AnswerResult, NegotiatedCodec, OfferOptions, OriginOptions } from "./offer-answer.ts";

/** The RTP layer (RFC 3550, RFC 4733, RFC 4867, G.711): MediaStream and the packet, statistics and payload modules under it; see src/media/rtp/index.ts. */
export * from "./rtp/index.ts";

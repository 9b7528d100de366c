// The RTP layer of the media module: what a simulated UE needs to send and check media.
//
//   const a = await MediaStream.open({ host: "127.0.0.1", payloadType: 0, clockRate: 8000,
//                                      source: pcmuTone({ frequency: 1004, levelDbm0: -13 }),
//                                      telephoneEvent: { payloadType: 101 } });
//   a.local                          -> { host, rtpPort (even), rtcpPort } for the SDP offer or answer
//   a.setRemote({ host, port })      -> from the peer's SDP; again whenever a re-INVITE/UPDATE moves it
//   a.setDirection("sendonly")       -> sendrecv | sendonly | recvonly | inactive (RFC 3264 6.1)
//   a.setSource(pcmuSilence())       -> what each packet carries
//   await a.waitForPackets(50, deadline)                         -> media arrives
//   await a.waitForTone({ frequency: 1004, levelDbm0: -13 }, deadline)
//   await a.sendDigits("1#9", { durationMs: 100 }); await b.waitForDigits("1#9", deadline)
//   a.stats()                        -> JSON-able: sent, received, per-SSRC loss/jitter (RFC 3550 A.1, A.3, A.8),
//                                       the peer's RTCP reports about us, per-second samples
//   a.measureAudio([1004]), a.receivedDigits()
//   await a.stop()                   -> RTCP BYE, sockets closed, pending waits rejected
//
// A deadline is an absolute time in ms on the project's clock (performance.timeOrigin +
// performance.now()) or any { at, budget } (the SIP layer's Deadline); a wait that runs out
// throws MediaTimeoutError, whose `parts` (expected, received, timeout with the budget's name)
// are the SIP layer's FailureParts.
//
// Below the stream, each module is one RFC concept and can be used on its own: RTP packets
// (RFC 3550 5.1), RTCP SR/RR/SDES/BYE and compound packets (6.1, 6.4-6.6), receive statistics
// (Appendix A), G.711 mu-law, tones and the Goertzel detector, telephone-event (RFC 4733), AMR-WB
// payloads and .awb files (RFC 4867).

/** RTP packets: encode, decode (never throws), and RFC 5761 demultiplexing. */
export { RTP_HEADER_BYTES, RTP_VERSION, decodeRtp, encodeRtp, looksLikeRtcp } from "./rtp-packet.ts";
export type { RtpDecodeResult, RtpEncodeInput, RtpHeaderExtension, RtpPacket } from "./rtp-packet.ts";

/** RTCP: SR, RR with report blocks, SDES CNAME, BYE, compound packets, NTP timestamps. */
export { RTCP_APP, RTCP_BYE, RTCP_RR, RTCP_SDES, RTCP_SR, SDES_CNAME, decodeRtcpCompound, encodeRtcpCompound, encodeRtcpPacket, msFromNtp, ntpFromMs, ntpMiddle32 } from "./rtcp-packet.ts";
export type { Goodbye, NtpTimestamp, OtherRtcp, ReceiverReport, ReportBlock, RtcpDecodeResult, RtcpPacket, SenderReport, SourceDescription } from "./rtcp-packet.ts";

/** Receive statistics per SSRC (RFC 3550 A.1, A.3, A.8) with a bounded per-second ring. */
export { ReceiveStatistics, SourceStatistics } from "./receive-statistics.ts";
export type { ReceiveStatisticsOptions, SequenceVerdict, SourceOptions, SourceSnapshot } from "./receive-statistics.ts";
export { PerSecondRing } from "./per-second-ring.ts";
export type { SecondSample } from "./per-second-ring.ts";

/** G.711 mu-law (PCMU). */
export { MULAW_SILENCE, decodePcmu, encodePcmu, linearToMulaw, mulawToLinear } from "./g711.ts";

/** Tones and levels in dBm0. */
export { DBM0_PEAK, DBM0_RMS, LEVEL_FLOOR_DBM0, ToneGenerator, rmsToDbm0, sinePeak } from "./tone.ts";
export type { ToneOptions } from "./tone.ts";

/** Goertzel tone detection. */
export { SILENCE_DBM0, detectTone, dominantFrequency, goertzelPower, levelDbm0, meanSquare, toneLevelDbm0 } from "./goertzel.ts";
export type { ToneMeasurement, ToneSpec } from "./goertzel.ts";

/** telephone-event (RFC 4733): payload, the packets of one event, the receiver. */
export { MAX_EVENT_DURATION_UNITS, TelephoneEventReceiver, decodeTelephoneEvent, digitToEvent, encodeTelephoneEvent, eventToDigit, planEvent } from "./telephone-event.ts";
export type { EventPacketPlan, EventPlanOptions, ReceivedEvent, TelephoneEventDecodeResult, TelephoneEventPayload } from "./telephone-event.ts";

/** AMR-WB payloads (RFC 4867 4.3, 4.4) and the storage format (section 5). */
export {
  AMR_WB_NO_DATA,
  AMR_WB_NO_MODE_REQUEST,
  AMR_WB_SID,
  AMR_WB_SPEECH_LOST,
  AWB_MAGIC,
  amrWbFrameBits,
  amrWbFrameOctets,
  amrWbNoData,
  packAmrWb,
  readAwb,
  unpackAmrWb,
  writeAwb,
} from "./amr-wb.ts";
export type { AmrWbFormat, AmrWbFrame, AmrWbPayload, AmrWbUnpackResult } from "./amr-wb.ts";

/** What a sending stream puts in its packets. */
export { amrWbFrames, amrWbNoDataSource, pcmuSilence, pcmuTone } from "./payload-source.ts";
export type { PayloadSource } from "./payload-source.ts";

/** The media stream: sockets, pacing, RTCP, direction, digits, tones, waits. */
export { MediaStream } from "./media-stream.ts";
export type {
  AudioMeasurement,
  CapturedPacket,
  MediaDirection,
  MediaStreamOptions,
  MediaStreamStats,
  RemoteAddress,
  PacketCapture,
  RemoteReport,
  SendDigitsOptions,
  TelephoneEventOptions,
  WaitForToneSpec,
} from "./media-stream.ts";

/** Deadlines and the timeout error of media waits. */
export { MediaTimeoutError, mediaNow } from "./wait.ts";
export type { MediaDeadline, MediaFailureParts } from "./wait.ts";

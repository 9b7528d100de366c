// SDP for the simulated UEs, from the media layer's offer/answer (RFC 3264, RFC 3312).
import { PCMU, amrWb, createAnswer, createOffer, parseSdp, serializeSdp } from "../../src/media/index.ts";

const codecs = [amrWb(97), PCMU];

export function offerSdp(port: number, preconditions: false | "none" | "sendrecv"): string {
  const sdp = createOffer({ address: "127.0.0.1", port, codecs, telephoneEvent: true, ...(preconditions ? { preconditions: { localCurrent: preconditions } } : {}) });
  return serializeSdp(sdp);
}

/** The answer to an offer; when the offer has preconditions the answer carries this side's status. */
export function answerSdp(offer: string, port: number, localCurrent: "none" | "sendrecv" = "none"): string {
  const parsed = parseSdp(offer);
  if (!parsed.ok) throw new Error(`the SDP offer does not parse at line ${parsed.error.line}: ${parsed.error.reason}`);
  const answer = createAnswer(parsed.sdp, { address: "127.0.0.1", port, codecs, telephoneEvent: true, preconditions: { localCurrent } });
  if (!answer.ok) throw new Error(`no SDP answer to the offer: ${answer.error.reason}`);
  return serializeSdp(answer.sdp);
}

// Proofs of the requirements on SDP (src/conformance/requirements/sdp.ts): every SDP body a UE
// receives (RFC 8866), and the answers UE-A (alice) receives to the offers it sent in its INVITE, a
// re-INVITE and an UPDATE, compared with those offers (RFC 3264).
import { describe } from "node:test";
import { type Received, proveViolation, incomingInviteLines } from "../requirement-fixtures.ts";

type Change = (lines: string[]) => string[];
const same: Change = (l) => l;
const replace =
  (prefix: string, ...lines: string[]): Change =>
  (all) =>
    all.flatMap((l) => (l.startsWith(prefix) ? lines : [l]));
const drop =
  (prefix: string): Change =>
  (lines) =>
    lines.filter((l) => !l.startsWith(prefix));
const add =
  (...extra: string[]): Change =>
  (lines) => [...lines, ...extra];
const both =
  (...changes: Change[]): Change =>
  (lines) =>
    changes.reduce((l, c) => c(l), lines);

/** UE-A's offer: AMR-WB, PCMU and telephone-event on one audio stream, as the media layer writes it. */
const OFFER_LINES = [
  "v=0",
  "o=- 3900000000 3900000000 IN IP4 127.0.0.1",
  "s=-",
  "c=IN IP4 127.0.0.1",
  "t=0 0",
  "m=audio 40000 RTP/AVP 97 0 96",
  "a=rtpmap:97 AMR-WB/16000/1",
  "a=fmtp:97 mode-change-capability=2;max-red=0",
  "a=rtpmap:0 PCMU/8000",
  "a=rtpmap:96 telephone-event/16000",
  "a=fmtp:96 0-15",
  "a=sendrecv",
];

/** UE-B's answer as the network relays it: AMR-WB and telephone-event with the offer's payload types. */
const ANSWER_LINES = [
  "v=0",
  "o=- 3900000100 3900000100 IN IP4 127.0.0.2",
  "s=-",
  "c=IN IP4 127.0.0.2",
  "t=0 0",
  "m=audio 40002 RTP/AVP 97 96",
  "a=rtpmap:97 AMR-WB/16000/1",
  "a=fmtp:97 mode-change-capability=2;max-red=0",
  "a=rtpmap:96 telephone-event/16000",
  "a=fmtp:96 0-15",
  "a=sendrecv",
];

/** A second stream, video, for offers and answers of two m= lines. */
const VIDEO = (port: number) => [`m=video ${port} RTP/AVP 98`, "a=rtpmap:98 H264/90000", "a=sendrecv"];

const sdp = (lines: readonly string[], change: Change = same): string => `${change([...lines]).join("\n")}\n`;
const OFFER = sdp(OFFER_LINES);
const ANSWER = sdp(ANSWER_LINES);
const OFFER_AV = sdp([...OFFER_LINES, ...VIDEO(40010)]);
const ANSWER_AV = sdp([...ANSWER_LINES, ...VIDEO(40012)]);

const withBody = (head: string[], body: string | null, type = "application/sdp"): string => (body === null ? head.join("\n") : `${[...head, `Content-Type: ${type}`].join("\n")}\n\n${body}`);

// ---- What UE-A sends: its INVITE, a re-INVITE and an UPDATE in the dialog with UE-B (To tag b1) ----

function request(method: string, seq: number, body: string | null, inDialog: boolean): string {
  const head = [
    `${method} sip:${inDialog ? "bob@127.0.0.1:5080" : "bob@ims.example.test"} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-${method.toLowerCase()}-${seq};rport`,
    "Max-Forwards: 70",
    "Route: <sip:127.0.0.1:5060;lr>",
    'From: "Alice" <sip:alice@ims.example.test>;tag=a1',
    `To: <sip:bob@ims.example.test>${inDialog ? ";tag=b1" : ""}`,
    "Call-ID: call-1",
    `CSeq: ${seq} ${method}`,
    "Contact: <sip:alice@127.0.0.1:5070>",
    "Supported: 100rel",
  ];
  return withBody(head, body);
}

const invite = (body: string | null = OFFER) => request("INVITE", 1, body, false);
const reinvite = (body: string) => request("INVITE", 3, body, true);
const update = (body: string) => request("UPDATE", 2, body, true);

/** A response relayed to UE-A for the request `method` with CSeq `seq`, carrying `body`. */
function response(status: string, body: string | null, options: { method?: string; seq?: number; type?: string } = {}): string {
  const method = options.method ?? "INVITE";
  const seq = options.seq ?? 1;
  const head = [
    `SIP/2.0 ${status}`,
    `Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-${method.toLowerCase()}-${seq};rport=5070;received=127.0.0.1`,
    'From: "Alice" <sip:alice@ims.example.test>;tag=a1',
    "To: <sip:bob@ims.example.test>;tag=b1",
    "Call-ID: call-1",
    `CSeq: ${seq} ${method}`,
    "Record-Route: <sip:127.0.0.1:5060;lr>",
    "Contact: <sip:bob@127.0.0.1:5080>",
  ];
  return withBody(head, body, options.type);
}

/** UE-A's INVITE with `offer` (null: none) answered by a 200 carrying `answer`. */
const answered = (offer: string | null, answer: string | null): Received[] => [{ request: invite(offer), message: response("200 OK", answer) }];
const toReinvite = (offer: string, answer: string): Received[] => [{ request: reinvite(offer), message: response("200 OK", answer, { seq: 3 }) }];
const toUpdate = (offer: string, answer: string): Received[] => [{ request: update(offer), message: response("200 OK", answer, { method: "UPDATE", seq: 2 }) }];
/** The answer to UE-A's usual offer, changed. */
const answer = (change: Change): Received[] => answered(OFFER, sdp(ANSWER_LINES, change));
const GOOD = answered(OFFER, ANSWER);

// ---- What UE-A receives as the callee: UE-B's INVITE with its offer, as the network delivers it ----

function incoming(body: string, type = "application/sdp"): Received[] {
  const head = incomingInviteLines();
  return [{ message: withBody(head, body, type) }];
}

const BOUNDARY = "unique-boundary-1";
/** A multipart/mixed body (RFC 5621) of an SDP part and an XML part. */
const multipart = (sdpText: string): string =>
  [`--${BOUNDARY}`, "Content-Type: application/sdp", "", sdpText, `--${BOUNDARY}`, "Content-Type: application/vnd.3gpp.sms+xml", "", "<sms/>", `--${BOUNDARY}--`, ""].join("\n");
const MULTIPART = `multipart/mixed;boundary=${BOUNDARY}`;

describe("requirements on every SDP body a UE receives (RFC 8866 5, 5.7)", () => {
  proveViolation("sdp.syntax", { good: GOOD, bad: answer(replace("o=", "o=- 3900000100 IN IP4 127.0.0.2")) });
  proveViolation("sdp.syntax", { note: "fields out of order", good: GOOD, bad: answer(both(drop("c="), replace("t=", "t=0 0", "c=IN IP4 127.0.0.2"))) });
  proveViolation("sdp.syntax", { note: "an offer a UE receives", good: incoming(OFFER), bad: incoming(sdp(OFFER_LINES, replace("s=", "s="))) });
  proveViolation("sdp.syntax", {
    note: "RFC 8866 allows a leading space in i= and several c= lines in a media description; not a space after a=",
    good: answer(both(replace("s=", "s=-", "i= a call"), replace("m=audio", "m=audio 40002 RTP/AVP 97 96", "c=IN IP4 127.0.0.2", "c=IN IP4 127.0.0.3"))),
    bad: answer(replace("a=sendrecv", "a= sendrecv")),
  });
  proveViolation("sdp.syntax", { note: "the SDP part of a multipart body", good: incoming(multipart(OFFER), MULTIPART), bad: incoming(multipart(sdp(OFFER_LINES, drop("t="))), MULTIPART) });

  proveViolation("sdp.connection", { good: answer(both(drop("c="), replace("m=audio", "m=audio 40002 RTP/AVP 97 96", "c=IN IP4 127.0.0.2"))), bad: answer(drop("c=")) });
  const audioWithC = both(drop("c="), replace("m=audio", "m=audio 40000 RTP/AVP 97 0 96", "c=IN IP4 127.0.0.1"));
  proveViolation("sdp.connection", {
    note: "an offer a UE receives: one media description without c=",
    good: incoming(sdp([...OFFER_LINES, ...VIDEO(40010)], both(audioWithC, replace("m=video", "m=video 40010 RTP/AVP 98", "c=IN IP4 127.0.0.1")))),
    bad: incoming(sdp([...OFFER_LINES, ...VIDEO(40010)], audioWithC)),
  });
});

describe("requirements on the SDP answer to an offer the UE sent (RFC 3264 6, 6.1, 8.2)", () => {
  proveViolation("sdp-answer.m-lines", { good: [{ request: invite(), message: response("183 Session Progress", ANSWER) }, ...GOOD], bad: answered(OFFER, ANSWER_AV) });
  proveViolation("sdp-answer.m-lines", { note: "a stream left out", good: answered(OFFER_AV, ANSWER_AV), bad: answered(OFFER_AV, ANSWER) });
  proveViolation("sdp-answer.m-lines", { note: "the answer in the 2xx to an UPDATE", good: toUpdate(OFFER_AV, ANSWER_AV), bad: toUpdate(OFFER, ANSWER_AV) });
  proveViolation("sdp-answer.m-lines", {
    note: "the 2xx to an INVITE without offer carries the offer: nothing to compare",
    good: answered(null, ANSWER_AV),
    bad: answered(OFFER, ANSWER_AV),
  });

  proveViolation("sdp-answer.media-type", { good: GOOD, bad: answer(replace("m=audio", "m=video 40002 RTP/AVP 97 96")) });
  proveViolation("sdp-answer.media-type", {
    note: "streams in another order than offered",
    good: answered(OFFER_AV, ANSWER_AV),
    bad: answered(OFFER_AV, sdp([...ANSWER_LINES.slice(0, 5), ...VIDEO(40012), ...ANSWER_LINES.slice(5)])),
  });

  const OFFER_NO_VIDEO = sdp([...OFFER_LINES, "m=video 0 RTP/AVP 98", "a=rtpmap:98 H264/90000"]);
  proveViolation("sdp-answer.port-zero", { good: answered(OFFER_NO_VIDEO, sdp([...ANSWER_LINES, "m=video 0 RTP/AVP 98"])), bad: answered(OFFER_NO_VIDEO, ANSWER_AV) });

  const HOLD = sdp(OFFER_LINES, replace("a=sendrecv", "a=sendonly"));
  proveViolation("sdp-answer.direction", {
    note: "a re-INVITE putting the call on hold",
    good: toReinvite(HOLD, sdp(ANSWER_LINES, replace("a=sendrecv", "a=recvonly"))),
    bad: toReinvite(HOLD, ANSWER),
  });
  proveViolation("sdp-answer.direction", {
    note: "offered recvonly at the session level; no direction attribute in the answer is sendrecv",
    good: toReinvite(sdp(OFFER_LINES, both(drop("a=sendrecv"), replace("t=", "t=0 0", "a=recvonly"))), sdp(ANSWER_LINES, replace("a=sendrecv", "a=inactive"))),
    bad: toReinvite(sdp(OFFER_LINES, both(drop("a=sendrecv"), replace("t=", "t=0 0", "a=recvonly"))), sdp(ANSWER_LINES, drop("a=sendrecv"))),
  });
  proveViolation("sdp-answer.direction", {
    note: "offered inactive; a rejected stream answers no direction",
    good: toUpdate(sdp(OFFER_LINES, replace("a=sendrecv", "a=inactive")), sdp(ANSWER_LINES, replace("m=audio", "m=audio 0 RTP/AVP 97 96"))),
    bad: toUpdate(sdp(OFFER_LINES, replace("a=sendrecv", "a=inactive")), sdp(ANSWER_LINES, replace("a=sendrecv", "a=sendonly"))),
  });

  proveViolation("sdp-answer.formats", { good: GOOD, bad: answer(both(replace("m=audio", "m=audio 40002 RTP/AVP 8"), drop("a=rtpmap"), drop("a=fmtp"), add("a=rtpmap:8 PCMA/8000"))) });
  proveViolation("sdp-answer.formats", {
    note: "an offered codec under another payload type number and an extra format are allowed",
    good: answer(
      both(
        replace("m=audio", "m=audio 40002 RTP/AVP 100 8"),
        replace("a=rtpmap:97", "a=rtpmap:100 AMR-WB/16000/1"),
        replace("a=fmtp:97", "a=fmtp:100 max-red=0"),
        drop("a=rtpmap:96"),
        drop("a=fmtp:96"),
        add("a=rtpmap:8 PCMA/8000"),
      ),
    ),
    bad: answer(
      both(replace("m=audio", "m=audio 40002 RTP/AVP 100"), replace("a=rtpmap:97", "a=rtpmap:100 AMR/8000/1"), replace("a=fmtp:97", "a=fmtp:100 max-red=0"), drop("a=rtpmap:96"), drop("a=fmtp:96")),
    ),
  });
  proveViolation("sdp-answer.formats", {
    note: "no format in common: the stream is rejected with port 0; AMR-WB octet-aligned is not the offered bandwidth-efficient AMR-WB",
    good: answer(both(replace("m=audio", "m=audio 0 RTP/AVP 97"), replace("a=fmtp:97", "a=fmtp:97 octet-align=1"), drop("a=rtpmap:96"), drop("a=fmtp:96"))),
    bad: answer(both(replace("m=audio", "m=audio 40002 RTP/AVP 97"), replace("a=fmtp:97", "a=fmtp:97 octet-align=1"), drop("a=rtpmap:96"), drop("a=fmtp:96"))),
  });

  proveViolation("sdp-answer.rtpmap", {
    note: "a static payload type may go without (a SHOULD)",
    good: answer(both(replace("m=audio", "m=audio 40002 RTP/AVP 0"), drop("a=rtpmap"), drop("a=fmtp"))),
    bad: answer(drop("a=rtpmap:96")),
  });

  proveViolation("sdp-answer.timing", { good: GOOD, bad: answer(replace("t=", "t=3900000000 3900003600")) });

  proveViolation("sdp-answer.unicast", { good: GOOD, bad: answer(replace("c=", "c=IN IP4 233.252.0.1/127")) });
  proveViolation("sdp-answer.unicast", { note: "IPv6", good: answer(replace("c=", "c=IN IP6 2001:db8::2")), bad: answer(replace("c=", "c=IN IP6 ff0e::101")) });
});

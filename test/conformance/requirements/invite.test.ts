// Proofs of the requirements on INVITE (src/conformance/requirements/invite.ts): the responses the
// calling UE (UE-A) receives, reliable provisional responses with forking and retransmissions, and
// the initial INVITE a called UE receives.
import { describe } from "node:test";
import { type Received, proveViolation, incomingInviteLines } from "../requirement-fixtures.ts";

const SDP = ["v=0", "o=- 1 1 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0", "m=audio 40000 RTP/AVP 0", "a=rtpmap:0 PCMU/8000", ""].join("\n");
const ANSWER = SDP.replace("40000", "40002").replace("o=- 1 1", "o=- 7 7");

type Change = (lines: string[]) => string[];
const same: Change = (l) => l;
const replace =
  (prefix: string, line: string): Change =>
  (lines) =>
    lines.map((l) => (l.startsWith(prefix) ? line : l));
const drop =
  (prefix: string): Change =>
  (lines) =>
    lines.filter((l) => !l.startsWith(prefix));
const add =
  (...extra: string[]): Change =>
  (lines) => [...lines, ...extra];
const both =
  (a: Change, b: Change): Change =>
  (lines) =>
    b(a(lines));

const withBody = (head: string[], body: string | null): string => (body === null ? head.join("\n") : `${head.join("\n")}\n\n${body}`);

// ---- The calling UE's INVITE and the responses it receives ----

/** UE-A's INVITE with an SDP offer and Supported: 100rel, as sent. */
/** UE-A's INVITE; `body` null for an INVITE without offer. */
function invite(change: Change = same, body: string | null = SDP): string {
  const lines = [
    "INVITE sip:bob@ims.example.test SIP/2.0",
    "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-inv-1;rport",
    "Max-Forwards: 70",
    "Route: <sip:127.0.0.1:5060;lr>",
    'From: "Alice" <sip:alice@ims.example.test>;tag=a1',
    "To: <sip:bob@ims.example.test>",
    "Call-ID: call-1",
    "CSeq: 1 INVITE",
    "Contact: <sip:alice@127.0.0.1:5070>",
    "Supported: 100rel",
  ];
  return withBody(change(body === null ? lines : [...lines, "Content-Type: application/sdp"]), body);
}

const INVITE = invite();
const INVITE_NO_100REL = invite(drop("Supported"));
const INVITE_NO_OFFER = invite(same, null);

/** A response from the callee (To tag `tag`) as relayed to UE-A, with `change` applied to its lines. */
function response(status: string, options: { tag?: string | undefined; body?: string; change?: Change } = {}): string {
  const tag = "tag" in options ? options.tag : "b1";
  const lines = [
    `SIP/2.0 ${status}`,
    "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-inv-1;rport=5070;received=127.0.0.1",
    'From: "Alice" <sip:alice@ims.example.test>;tag=a1',
    `To: <sip:bob@ims.example.test>${tag ? `;tag=${tag}` : ""}`,
    "Call-ID: call-1",
    "CSeq: 1 INVITE",
  ];
  if (!status.startsWith("100 ")) lines.push("Record-Route: <sip:127.0.0.1:5060;lr>", `Contact: <sip:bob@127.0.0.1:${tag === "b2" ? 5082 : 5080}>`);
  if (options.body !== undefined) lines.push("Content-Type: application/sdp");
  return withBody((options.change ?? same)(lines), options.body ?? null);
}

/** A reliable provisional response (RFC 3262 3) with this RSeq. */
const reliable = (status: string, rseq: number, options: { tag?: string; body?: string; change?: Change } = {}): string =>
  response(status, { ...options, change: both(add("Require: 100rel", `RSeq: ${rseq}`), options.change ?? same) });

/** The responses in order, each answering UE-A's INVITE (`request`, INVITE with offer and 100rel by default). */
const answering = (request: string, ...responses: string[]): Received[] => responses.map((message) => ({ message, request }));
const toInvite = (...responses: string[]): Received[] => answering(INVITE, ...responses);

const OK = response("200 OK", { body: ANSWER });
const TRYING = response("100 Trying", { tag: undefined });

describe("requirements on the responses to INVITE (RFC 3261 12.1.1, 13.3.1.4)", () => {
  proveViolation("invite-response.contact", { good: toInvite(OK), bad: toInvite(response("200 OK", { body: ANSWER, change: drop("Contact") })) });
  proveViolation("invite-response.contact", { note: "an early dialog's 180", good: toInvite(response("180 Ringing")), bad: toInvite(response("180 Ringing", { change: drop("Contact") })) });
  proveViolation("invite-response.contact", {
    note: "two URIs",
    good: toInvite(OK),
    bad: toInvite(response("200 OK", { body: ANSWER, change: replace("Contact", "Contact: <sip:bob@127.0.0.1:5080>, <sip:bob@127.0.0.1:5090>") })),
  });
  proveViolation("invite-response.contact", { note: "a tel URI", good: toInvite(OK), bad: toInvite(response("200 OK", { body: ANSWER, change: replace("Contact", "Contact: <tel:+15551230002>") })) });

  proveViolation("invite-response.record-route", {
    good: toInvite(response("200 OK", { body: ANSWER, change: replace("Record-Route", "Record-Route: <sip:127.0.0.1:5060;lr;ftag=a1>, <sip:scscf.ims.example.test;lr=on>") })),
    bad: toInvite(response("200 OK", { body: ANSWER, change: replace("Record-Route", "Record-Route: <sip:127.0.0.1:5060>") })),
  });
  proveViolation("invite-response.record-route", {
    note: "addr-spec, not name-addr",
    good: toInvite(OK),
    bad: toInvite(response("183 Session Progress", { change: replace("Record-Route", "Record-Route: sip:127.0.0.1:5060;lr") })),
  });
  proveViolation("invite-response.record-route", {
    note: "not a SIP URI",
    good: toInvite(OK),
    bad: toInvite(response("200 OK", { body: ANSWER, change: replace("Record-Route", "Record-Route: <tel:+15551230009>") })),
  });

  proveViolation("invite-response.content-type", {
    good: toInvite(response("183 Session Progress", { body: ANSWER })),
    bad: toInvite(response("183 Session Progress", { body: ANSWER, change: drop("Content-Type") })),
  });

  proveViolation("invite-2xx.sdp", { good: toInvite(OK), bad: toInvite(response("200 OK")) });
  proveViolation("invite-2xx.sdp", {
    note: "the answer came in a reliable 183, or only in an unreliable one",
    good: toInvite(reliable("183 Session Progress", 7, { body: ANSWER }), response("200 OK")),
    bad: toInvite(response("183 Session Progress", { body: ANSWER }), response("200 OK")),
  });
  proveViolation("invite-2xx.sdp", {
    note: "forking: another dialog's reliable 183 carried its answer",
    good: toInvite(reliable("183 Session Progress", 7, { tag: "b2", body: ANSWER }), OK),
    bad: toInvite(reliable("183 Session Progress", 7, { tag: "b2", body: ANSWER }), response("200 OK")),
  });
  proveViolation("invite-2xx.sdp", {
    note: "an INVITE without offer gets the offer in the 2xx",
    good: answering(INVITE_NO_OFFER, response("200 OK", { body: ANSWER })),
    bad: answering(INVITE_NO_OFFER, response("200 OK")),
  });
});

describe("requirements on reliable provisional responses (RFC 3262 3, 5)", () => {
  proveViolation("reliable-1xx.rseq", { good: toInvite(reliable("180 Ringing", 1)), bad: toInvite(response("180 Ringing", { change: add("Require: 100rel") })) });
  proveViolation("reliable-1xx.rseq", { note: "the first above 2**31-1", good: toInvite(reliable("180 Ringing", 2 ** 31 - 1)), bad: toInvite(reliable("180 Ringing", 2 ** 31)) });
  proveViolation("reliable-1xx.rseq", { note: "not a number", good: toInvite(reliable("180 Ringing", 5)), bad: toInvite(response("180 Ringing", { change: add("Require: 100rel", "RSeq: 0x10") })) });
  proveViolation("reliable-1xx.rseq", { note: "zero", good: toInvite(reliable("180 Ringing", 5)), bad: toInvite(reliable("180 Ringing", 0)) });
  proveViolation("reliable-1xx.rseq", {
    note: "a later one may pass 2**31-1, not 2**32-1",
    good: toInvite(reliable("180 Ringing", 2 ** 31 - 1), reliable("183 Session Progress", 2 ** 31)),
    bad: toInvite(reliable("180 Ringing", 2 ** 31 - 1), reliable("183 Session Progress", 2 ** 32)),
  });

  proveViolation("reliable-1xx.rseq-increment", {
    good: toInvite(reliable("180 Ringing", 7), reliable("183 Session Progress", 8)),
    bad: toInvite(reliable("180 Ringing", 7), reliable("183 Session Progress", 9)),
  });
  proveViolation("reliable-1xx.rseq-increment", {
    note: "a retransmission repeats its RSeq, even after the next one",
    good: toInvite(reliable("180 Ringing", 7), reliable("183 Session Progress", 8), reliable("180 Ringing", 7)),
    bad: toInvite(reliable("180 Ringing", 7), reliable("183 Session Progress", 8), reliable("180 Ringing", 6)),
  });
  proveViolation("reliable-1xx.rseq-increment", {
    note: "forking: each To tag numbers on its own",
    good: toInvite(reliable("183 Session Progress", 7, { body: ANSWER }), reliable("183 Session Progress", 500, { tag: "b2", body: ANSWER }), reliable("180 Ringing", 8)),
    bad: toInvite(reliable("183 Session Progress", 7, { body: ANSWER }), reliable("183 Session Progress", 500, { tag: "b2", body: ANSWER }), reliable("180 Ringing", 501)),
  });
  proveViolation("reliable-1xx.rseq-increment", {
    note: "another INVITE transaction numbers on its own",
    good: [...toInvite(reliable("180 Ringing", 7)), ...answering(invite(replace("Call-ID", "Call-ID: call-3")), reliable("180 Ringing", 3, { change: replace("Call-ID", "Call-ID: call-3") }))],
    bad: [...toInvite(reliable("180 Ringing", 7)), ...toInvite(reliable("180 Ringing", 3))],
  });

  proveViolation("reliable-1xx.requested", { good: answering(INVITE_NO_100REL, response("180 Ringing")), bad: answering(INVITE_NO_100REL, reliable("180 Ringing", 1)) });
  proveViolation("reliable-1xx.requested", {
    note: "Require: 100rel in the INVITE",
    good: answering(invite(replace("Supported", "Require: 100rel")), reliable("180 Ringing", 1)),
    bad: answering(invite(replace("Supported", "Supported: timer")), reliable("180 Ringing", 1)),
  });

  proveViolation("reliable-1xx.offer", {
    good: answering(INVITE_NO_OFFER, reliable("183 Session Progress", 1, { body: ANSWER }), reliable("180 Ringing", 2)),
    bad: answering(INVITE_NO_OFFER, reliable("180 Ringing", 1)),
  });
  proveViolation("reliable-1xx.offer", {
    note: "forking: the first reliable one of each dialog; a retransmission of the first one",
    good: answering(
      INVITE_NO_OFFER,
      reliable("183 Session Progress", 1, { tag: "b2", body: ANSWER }),
      reliable("183 Session Progress", 40, { body: ANSWER }),
      reliable("183 Session Progress", 40, { body: ANSWER }),
    ),
    bad: answering(INVITE_NO_OFFER, reliable("183 Session Progress", 1, { tag: "b2", body: ANSWER }), reliable("180 Ringing", 40)),
  });

  proveViolation("invite-100.not-reliable", { good: toInvite(TRYING), bad: toInvite(response("100 Trying", { tag: undefined, change: add("Require: 100rel", "RSeq: 1") })) });
});

// ---- The initial INVITE a called UE (UE-A, contact sip:alice@127.0.0.1:5070) receives ----

/** An INVITE from UE-B to UE-A as the network delivers it, with `change` applied to its lines. */
function incoming(change: Change = same, body: string | null = SDP): string {
  const lines = incomingInviteLines();
  return withBody(change(body === null ? lines : [...lines, "Content-Type: application/sdp"]), body);
}

const at = (message: string): Received[] => [{ message }];
const GOOD = at(incoming());

describe("requirements on the initial INVITE a UE receives (RFC 3261 8.1.1, 16.6, RFC 3325 9.1)", () => {
  proveViolation("invite.max-forwards", { good: GOOD, bad: at(incoming(drop("Max-Forwards"))) });
  proveViolation("invite.max-forwards", { note: "out of range", good: at(incoming(replace("Max-Forwards", "Max-Forwards: 0"))), bad: at(incoming(replace("Max-Forwards", "Max-Forwards: 256"))) });

  proveViolation("invite.via-branch", { good: GOOD, bad: at(incoming(replace("Via: SIP/2.0/UDP 127.0.0.1:5060", "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=1234"))) });
  proveViolation("invite.via-branch", { note: "no branch", good: GOOD, bad: at(incoming(replace("Via: SIP/2.0/UDP 127.0.0.1:5060", "Via: SIP/2.0/UDP 127.0.0.1:5060"))) });

  proveViolation("invite.record-route", {
    good: at(incoming(replace("Record-Route", "Record-Route: <sip:127.0.0.1:5060;lr>, <sip:pcscf.ims.example.test;lr>"))),
    bad: at(incoming(replace("Record-Route", "Record-Route: <sip:127.0.0.1:5060;lr>, <sip:pcscf.ims.example.test>"))),
  });
  proveViolation("invite.record-route", { note: "addr-spec", good: at(incoming(drop("Record-Route"))), bad: at(incoming(replace("Record-Route", "Record-Route: sip:127.0.0.1:5060"))) });

  proveViolation("invite.p-asserted-identity", { good: GOOD, bad: at(incoming(drop("P-Asserted-Identity"))) });
  proveViolation("invite.p-asserted-identity", {
    note: "withheld for privacy",
    good: at(incoming(both(drop("P-Asserted-Identity"), add("Privacy: id")))),
    bad: at(incoming(both(drop("P-Asserted-Identity"), add("Privacy: none")))),
  });
  proveViolation("invite.p-asserted-identity", {
    note: "one SIP and one tel URI, not two SIP URIs",
    good: at(incoming(replace("P-Asserted-Identity", 'P-Asserted-Identity: "Bob" <sip:bob@ims.example.test>, <tel:+15551230002>'))),
    bad: at(incoming(replace("P-Asserted-Identity", "P-Asserted-Identity: <sip:bob@ims.example.test>, <sip:robert@ims.example.test>"))),
  });
  proveViolation("invite.p-asserted-identity", {
    note: "neither SIP nor tel",
    good: at(incoming(replace("P-Asserted-Identity", "P-Asserted-Identity: tel:+15551230002"))),
    bad: at(incoming(replace("P-Asserted-Identity", "P-Asserted-Identity: <mailto:bob@ims.example.test>"))),
  });

  proveViolation("invite.request-uri", { good: GOOD, bad: at(incoming(replace("INVITE ", "INVITE sip:alice@ims.example.test SIP/2.0"))) });
  proveViolation("invite.request-uri", {
    note: "a parameter only one side has is ignored, transport is not (RFC 3261 19.1.4)",
    good: at(incoming(replace("INVITE ", "INVITE sip:alice@127.0.0.1:5070;ob SIP/2.0"))),
    bad: at(incoming(replace("INVITE ", "INVITE sip:alice@127.0.0.1:5070;transport=tcp SIP/2.0"))),
  });

  proveViolation("invite.contact", { good: GOOD, bad: at(incoming(drop("Contact"))) });
  proveViolation("invite.contact", { note: "two URIs", good: GOOD, bad: at(incoming(replace("Contact", "Contact: <sip:bob@127.0.0.1:5080>, <sip:bob@127.0.0.1:5090>"))) });

  proveViolation("invite.content-type", { good: at(incoming(same, null)), bad: at(incoming(drop("Content-Type"))) });
});

// Proofs of the requirements on the requests of a UE under test (src/conformance/requirements/ue-request.ts):
// the harness's network receives them, judged against what it sent the UE before (its REGISTER 2xx,
// reg NOTIFYs, the ACK to the UE's 2xx).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConformanceMonitor } from "../../../src/conformance/monitor.ts";
import { type Received, NETWORK, proveViolation, sip, violatedBy } from "../requirement-fixtures.ts";

type Change = (lines: string[]) => string[];
const same: Change = (l) => l;
const replace =
  (prefix: string, ...lines: string[]): Change =>
  (l) =>
    l.flatMap((x) => (x.startsWith(prefix) ? lines : [x]));
const drop = (prefix: string): Change => replace(prefix);
const both =
  (a: Change, b: Change): Change =>
  (l) =>
    b(a(l));

const SDP = ["v=0", "o=- 1 1 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0", "m=audio 40000 RTP/AVP 0 8", "a=rtpmap:0 PCMU/8000", ""].join("\n");

const PCSCF = "Route: <sip:pcscf.ims.example.test:5060;lr>";
const SR1 = "<sip:ibcf.ims.example.test;lr>";
const SR2 = "<sip:orig@scscf.ims.example.test:6060;lr>";

/** An initial INVITE from the UE under test with its Route set and SDP offer; `change` edits the header lines, `body` replaces the SDP. */
function invite(change: Change = same, body: string | null = SDP): string {
  const head = change([
    "INVITE sip:bob@ims.example.test SIP/2.0",
    "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-ue-inv-1;rport",
    "Max-Forwards: 70",
    PCSCF,
    `Route: ${SR1}, ${SR2}`,
    "From: <sip:alice@ims.example.test>;tag=ue-f1",
    "To: <sip:bob@ims.example.test>",
    "Call-ID: ue-call-1",
    "CSeq: 1 INVITE",
    "Contact: <sip:alice@127.0.0.1:5070>",
    "P-Preferred-Identity: <tel:+15551230001>",
    ...(body === null ? [] : ["Content-Type: application/sdp"]),
  ]).join("\n");
  return body === null ? head : `${head}\n\n${body}`;
}

/** A MESSAGE from the UE under test (an initial request that is not an INVITE). */
const MESSAGE = [
  "MESSAGE sip:bob@ims.example.test SIP/2.0",
  "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-ue-msg-1;rport",
  "Max-Forwards: 70",
  PCSCF,
  `Route: ${SR1}, ${SR2}`,
  "From: <sip:alice@ims.example.test>;tag=ue-f2",
  "To: <sip:bob@ims.example.test>",
  "Call-ID: ue-msg-1",
  "CSeq: 1 MESSAGE",
  "Content-Type: text/plain",
  "",
  "hello",
].join("\n");

/** The network's 2xx to REGISTER number `cseq` with `extra` lines. */
function register2xx(cseq: number, extra: string[]): string {
  return [
    "SIP/2.0 200 OK",
    `Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-ue-reg-${cseq};rport=5070;received=127.0.0.1`,
    "From: <sip:alice@ims.example.test>;tag=ue-ft1",
    "To: <sip:alice@ims.example.test>;tag=nw-tt1",
    "Call-ID: ue-reg-1",
    `CSeq: ${cseq} REGISTER`,
    ...extra,
  ].join("\n");
}

const REGISTERED = register2xx(2, ["Contact: <sip:alice@127.0.0.1:5070>;expires=600000", `Service-Route: ${SR1}, ${SR2}`, "P-Associated-URI: <sip:alice@ims.example.test>, <tel:+15551230001>"]);
const DEREGISTERED = register2xx(3, []);

/** A reg event NOTIFY from the network whose registration of alice is in `state`. */
function regNotify(state: string): string {
  const body = [
    '<?xml version="1.0"?>',
    '<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="1" state="full">',
    `  <registration aor="sip:alice@ims.example.test" id="r1" state="${state}">`,
    `    <contact id="c1" state="${state === "terminated" ? "terminated" : "active"}" event="${state === "terminated" ? "deactivated" : "registered"}"><uri>sip:alice@127.0.0.1:5070</uri></contact>`,
    "  </registration>",
    "</reginfo>",
    "",
  ].join("\n");
  return [
    "NOTIFY sip:alice@127.0.0.1:5070 SIP/2.0",
    "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-nw-n1",
    "Max-Forwards: 70",
    "From: <sip:alice@ims.example.test>;tag=nw-s1",
    "To: <sip:alice@ims.example.test>;tag=ue-s1",
    "Call-ID: ue-sub-1",
    "CSeq: 2 NOTIFY",
    "Event: reg",
    `Subscription-State: ${state === "terminated" ? "terminated;reason=deactivated" : "active;expires=600000"}`,
    "Content-Type: application/reginfo+xml",
    "",
    body,
  ].join("\n");
}

/** The message sent after the network registered the UE (and, before it, `sent`). */
const afterRegistration = (message: string, ...sent: string[]): Received[] => [{ message, sent: [REGISTERED, ...sent] }];
const ue = { binds: "ue" } as const;

// ---- The 2xx the UE under test sends to the network's INVITE, and the ACK ----
const NETWORK_INVITE = [
  "INVITE sip:alice@127.0.0.1:5070 SIP/2.0",
  "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-nw-inv-1",
  "Max-Forwards: 69",
  "Record-Route: <sip:127.0.0.1:5060;lr>",
  "From: <sip:bob@ims.example.test>;tag=nw-f1",
  "To: <sip:alice@ims.example.test>",
  "Call-ID: nw-call-1",
  "CSeq: 7 INVITE",
  "Contact: <sip:bob@127.0.0.1:5080>",
  "P-Asserted-Identity: <sip:bob@ims.example.test>",
  "Content-Type: application/sdp",
  "",
  SDP,
].join("\n");
const UE_200 = [
  "SIP/2.0 200 OK",
  "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-nw-inv-1",
  "Record-Route: <sip:127.0.0.1:5060;lr>",
  "From: <sip:bob@ims.example.test>;tag=nw-f1",
  "To: <sip:alice@ims.example.test>;tag=ue-t1",
  "Call-ID: nw-call-1",
  "CSeq: 7 INVITE",
  "Contact: <sip:alice@127.0.0.1:5070>",
  "Content-Type: application/sdp",
  "",
  SDP.replace("40000", "40002"),
].join("\n");
const ACK = [
  "ACK sip:alice@127.0.0.1:5070 SIP/2.0",
  "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-nw-ack-1",
  "Max-Forwards: 70",
  "Route: <sip:127.0.0.1:5060;lr>",
  "From: <sip:bob@ims.example.test>;tag=nw-f1",
  "To: <sip:alice@ims.example.test>;tag=ue-t1",
  "Call-ID: nw-call-1",
  "CSeq: 7 ACK",
].join("\n");
/** The UE's 2xx, the network's ACK at 1000 ms, then the 2xx again at `again` ms. */
const retransmittedAt = (again: number): Received[] => [
  { message: UE_200, request: NETWORK_INVITE, at: 900, sent: [{ message: NETWORK_INVITE, at: 800 }] },
  { message: UE_200, request: NETWORK_INVITE, at: again, sent: [{ message: ACK, at: 1000 }] },
];

describe("requirements on the requests of a UE under test (TS 24.229 5.1.2A.1.1, 5.1.1.7, RFC 3325 9.2, RFC 3264 5, RFC 3261 13.3.1.4)", () => {
  proveViolation("ue-request.route", {
    binds: "ue",
    good: afterRegistration(invite()),
    bad: afterRegistration(invite(replace("Route: <sip:ibcf", `Route: ${SR2}, ${SR1}`))),
    note: "the Service-Route entries out of order",
  });
  proveViolation("ue-request.registered", {
    binds: "ue",
    good: afterRegistration(invite(), regNotify("active")),
    bad: afterRegistration(invite(), regNotify("terminated")),
    note: "after a reg NOTIFY terminating the registration",
  });
  proveViolation("ue-invite.sdp-offer", { binds: "ue", good: afterRegistration(invite()), bad: afterRegistration(invite(same, null)), note: "an INVITE without a body" });
  proveViolation("ue-request.p-preferred-identity", {
    binds: "ue",
    good: afterRegistration(invite()),
    bad: afterRegistration(invite(replace("P-Preferred-Identity:", "P-Preferred-Identity: <sip:mallory@ims.example.test>"))),
    note: "an identity the network did not associate",
  });
  proveViolation("ue-invite.2xx-after-ack", { binds: "ue", good: retransmittedAt(1200), bad: retransmittedAt(1400), note: "a 2xx 400 ms after the ACK" });

  test("ue-request.route: a MESSAGE with only the P-CSCF in Route, or the Service-Route compared as URIs (not as text)", () => {
    assert.deepEqual(violatedBy(afterRegistration(replace(`Route: ${SR1}`)(MESSAGE.split("\n")).join("\n")), undefined, ue), ["ue-request.route"]);
    const respelled = replace("Route: <sip:ibcf", "Route: <sip:IBCF.ims.example.test;lr>", `Route: "S-CSCF" ${SR2}`)(MESSAGE.split("\n")).join("\n");
    assert.deepEqual(violatedBy(afterRegistration(respelled), undefined, ue), []);
    // Without the P-CSCF entry the Service-Route is still last and in order
    assert.deepEqual(violatedBy(afterRegistration(invite(drop(PCSCF))), undefined, ue), []);
  });

  test("ue-request.registered: before any REGISTER 2xx, after a de-registration 2xx; registered again after a new 2xx", () => {
    assert.deepEqual(violatedBy([{ message: invite(drop("P-Preferred-Identity:")) }], undefined, ue), ["ue-request.registered"]);
    assert.deepEqual(violatedBy(afterRegistration(invite(), DEREGISTERED), undefined, ue), ["ue-request.registered"]);
    assert.deepEqual(violatedBy(afterRegistration(invite(), regNotify("terminated"), REGISTERED), undefined, ue), []);
  });

  test("ue-invite.sdp-offer: says what the offer lacks", () => {
    const monitor = new ConformanceMonitor();
    const noC = SDP.replace("c=IN IP4 127.0.0.1\n", "");
    monitor.received(NETWORK, { message: sip(invite(same, noC)), source: { protocol: "udp", host: "127.0.0.1", port: 5070 }, at: 1, retransmission: false }, "ue", [
      { message: sip(REGISTERED), at: 0 },
    ]);
    assert.deepEqual(
      monitor.violations.map((v) => [v.requirement.id, v.finding.received]),
      [["ue-invite.sdp-offer", "no c= line at session level nor after m=audio 40000 RTP/AVP 0 8"]],
    );
    assert.deepEqual(violatedBy(afterRegistration(invite(same, SDP.replace("40000", "0"))), undefined, ue), ["ue-invite.sdp-offer"]);
    assert.deepEqual(violatedBy(afterRegistration(invite(same, "v=0\nthis is not sdp\n")), undefined, ue), ["ue-invite.sdp-offer"]);
    // A re-INVITE (To tag) without a body is not judged
    assert.deepEqual(violatedBy(afterRegistration(invite(both(replace("To:", "To: <sip:bob@ims.example.test>;tag=b1"), drop("P-Preferred-Identity:")), null)), undefined, ue), []);
  });

  test("ue-invite.2xx-after-ack: a 2xx of another dialog (To tag) after the ACK is not a retransmission of the acknowledged one", () => {
    const other = UE_200.replace("tag=ue-t1", "tag=ue-t2");
    const seq = retransmittedAt(1400).map((r, i) => (i === 1 ? { ...r, message: other } : r));
    assert.deepEqual(violatedBy(seq, undefined, ue), []);
  });
});

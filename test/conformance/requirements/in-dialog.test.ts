// Proofs of the requirements on requests within and around a dialog and their responses
// (src/conformance/requirements/in-dialog.ts). The UE of the fixtures, alice, is the callee of a
// call from bob through the core (127.0.0.1:5060), and the sender of an UPDATE and a MESSAGE.
import { describe } from "node:test";
import { type Received, proveViolation } from "../requirement-fixtures.ts";

const SDP = `v=0
o=bob 1 1 IN IP4 127.0.0.1
s=-
c=IN IP4 127.0.0.1
t=0 0
m=audio 40000 RTP/AVP 0
a=sendrecv`;

/** Lines of a message with `change` applied, joined: a message whose only defect is the change. */
function build(lines: string[], change: (lines: string[]) => string[] = (l) => l, body?: string): string {
  const head = change(lines).join("\n");
  return body === undefined ? head : `${head}\n\n${body}`;
}

const replace = (prefix: string, line: string) => (lines: string[]) => lines.map((l) => (l.startsWith(prefix) ? line : l));
const drop = (prefix: string) => (lines: string[]) => lines.filter((l) => !l.startsWith(prefix));
const add = (line: string) => (lines: string[]) => [...lines, line];
const both =
  (...changes: ((lines: string[]) => string[])[]) =>
  (lines: string[]) =>
    changes.reduce((l, c) => c(l), lines);

/** The INVITE the core forwards to alice (RFC 3261 16.6): its contact as Request-URI, Record-Route, P-Asserted-Identity. */
function invite(change?: (lines: string[]) => string[]): string {
  return build(
    [
      "INVITE sip:alice@127.0.0.1:5070 SIP/2.0",
      "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-core-inv-1",
      "Via: SIP/2.0/UDP 127.0.0.1:5072;branch=z9hG4bK-bob-inv-1;rport=5072;received=127.0.0.1",
      "Record-Route: <sip:127.0.0.1:5060;lr>",
      "Max-Forwards: 69",
      'From: "Bob" <sip:bob@ims.example.test>;tag=bob-1',
      "To: <sip:alice@ims.example.test>",
      "Call-ID: call-1@127.0.0.1",
      "CSeq: 1 INVITE",
      "Contact: <sip:bob@127.0.0.1:5072>",
      "P-Asserted-Identity: <sip:bob@ims.example.test>",
      "Allow: INVITE, ACK, CANCEL, BYE, PRACK, UPDATE, MESSAGE, OPTIONS, NOTIFY",
      "Supported: 100rel",
      "Content-Type: application/sdp",
    ],
    change,
    SDP,
  );
}

/** A request bob sends within the dialog (To tag alice-1), forwarded by the core: `key` names its branches. */
function inDialog(method: string, seq: number, key: string, change?: (lines: string[]) => string[], body?: string): string {
  return build(
    [
      `${method} sip:alice@127.0.0.1:5070 SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-core-${key}`,
      `Via: SIP/2.0/UDP 127.0.0.1:5072;branch=z9hG4bK-bob-${key};rport=5072;received=127.0.0.1`,
      "Max-Forwards: 69",
      'From: "Bob" <sip:bob@ims.example.test>;tag=bob-1',
      "To: <sip:alice@ims.example.test>;tag=alice-1",
      "Call-ID: call-1@127.0.0.1",
      `CSeq: ${seq} ${method}`,
    ],
    change,
    body,
  );
}

const prack = (seq = 2, change?: (lines: string[]) => string[]) => inDialog("PRACK", seq, "prack-1", both(add("RAck: 101 1 INVITE"), change ?? ((l) => l)));
const update = (seq = 3, change?: (lines: string[]) => string[]) =>
  inDialog("UPDATE", seq, "upd-1", both(add("Contact: <sip:bob@127.0.0.1:5072>"), add("Content-Type: application/sdp"), change ?? ((l) => l)), SDP);
const bye = (seq: number, key = "bye-1", change?: (lines: string[]) => string[]) => inDialog("BYE", seq, key, change);
/** The ACK for alice's 200 (INVITE): a new transaction, forwarded statelessly by the core. */
const ack2xx = (change?: (lines: string[]) => string[]) => inDialog("ACK", 1, "ack-1", change);

/** The CANCEL the core sends down the INVITE's branch (RFC 3261 16.10): the INVITE's values and top Via only. */
function cancel(change?: (lines: string[]) => string[]): string {
  return build(
    [
      "CANCEL sip:alice@127.0.0.1:5070 SIP/2.0",
      "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-core-inv-1",
      "Max-Forwards: 70",
      'From: "Bob" <sip:bob@ims.example.test>;tag=bob-1',
      "To: <sip:alice@ims.example.test>",
      "Call-ID: call-1@127.0.0.1",
      "CSeq: 1 CANCEL",
    ],
    change,
  );
}

/** The ACK the core's INVITE client transaction sends for alice's 487 (RFC 3261 17.1.1.3); absorbed by alice's transaction. */
function ackNon2xx(change?: (lines: string[]) => string[]): Received {
  const message = build(
    [
      "ACK sip:alice@127.0.0.1:5070 SIP/2.0",
      "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-core-inv-1",
      "Max-Forwards: 69",
      'From: "Bob" <sip:bob@ims.example.test>;tag=bob-1',
      "To: <sip:alice@ims.example.test>;tag=alice-1",
      "Call-ID: call-1@127.0.0.1",
      "CSeq: 1 ACK",
    ],
    change,
  );
  return { message, retransmission: true };
}

/** A MESSAGE from bob the core forwards to alice (RFC 3428 6). */
function message(change?: (lines: string[]) => string[], body: string | null = "Hello Alice"): string {
  return build(
    [
      "MESSAGE sip:alice@127.0.0.1:5070 SIP/2.0",
      "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-core-msg-1",
      "Via: SIP/2.0/UDP 127.0.0.1:5072;branch=z9hG4bK-bob-msg-1;rport=5072;received=127.0.0.1",
      "Record-Route: <sip:127.0.0.1:5060;lr>",
      "Max-Forwards: 69",
      "From: <sip:bob@ims.example.test>;tag=bob-m1",
      "To: <sip:alice@ims.example.test>",
      "Call-ID: msg-1@127.0.0.1",
      "CSeq: 1 MESSAGE",
      "P-Asserted-Identity: <sip:bob@ims.example.test>",
      ...(body === null ? [] : ["Content-Type: text/plain"]),
    ],
    change,
    body ?? undefined,
  );
}

/** The MESSAGE alice sends, and the response the network returns for it. */
const SENT_MESSAGE = `
MESSAGE sip:bob@ims.example.test SIP/2.0
Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-alice-msg-1;rport
Max-Forwards: 70
Route: <sip:pcscf.ims.example.test;lr>
From: <sip:alice@ims.example.test>;tag=alice-m1
To: <sip:bob@ims.example.test>
Call-ID: msg-a1@127.0.0.1
CSeq: 1 MESSAGE
Content-Type: text/plain

Hello Bob
`;

function messageResponse(status = "200 OK", change?: (lines: string[]) => string[], body?: string): Received {
  const message = build(
    [
      `SIP/2.0 ${status}`,
      "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-alice-msg-1;rport=5070;received=127.0.0.1",
      "From: <sip:alice@ims.example.test>;tag=alice-m1",
      "To: <sip:bob@ims.example.test>;tag=bob-m9",
      "Call-ID: msg-a1@127.0.0.1",
      "CSeq: 1 MESSAGE",
    ],
    change,
    body,
  );
  return { message, request: SENT_MESSAGE };
}

/** The UPDATE alice sends within her call to bob (RFC 3311 5.1), and bob's answer. */
const SENT_UPDATE = `
UPDATE sip:bob@127.0.0.1:5072 SIP/2.0
Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-alice-upd-1;rport
Max-Forwards: 70
Route: <sip:127.0.0.1:5060;lr>
From: "Alice" <sip:alice@ims.example.test>;tag=alice-9
To: <sip:bob@ims.example.test>;tag=bob-9
Call-ID: call-9@127.0.0.1
CSeq: 3 UPDATE
Contact: <sip:alice@127.0.0.1:5070>
Content-Type: application/sdp

${SDP}
`;

function updateResponse(change?: (lines: string[]) => string[]): Received {
  const message = build(
    [
      "SIP/2.0 200 OK",
      "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-alice-upd-1;rport=5070;received=127.0.0.1",
      'From: "Alice" <sip:alice@ims.example.test>;tag=alice-9',
      "To: <sip:bob@ims.example.test>;tag=bob-9",
      "Call-ID: call-9@127.0.0.1",
      "CSeq: 3 UPDATE",
      "Contact: <sip:bob@127.0.0.1:5072>",
      "Content-Type: application/sdp",
    ],
    change,
    SDP,
  );
  return { message, request: SENT_UPDATE };
}

const r = (message: string, retransmission = false): Received => ({ message, retransmission });

describe("requirements on requests within a dialog (RFC 3261 12.2)", () => {
  proveViolation("in-dialog.cseq-increase", {
    good: [r(invite()), r(prack()), r(update(3))],
    bad: [r(invite()), r(prack()), r(update(2))],
  });
  proveViolation("in-dialog.cseq-increase", {
    note: "below the INVITE's number",
    good: [r(invite(replace("CSeq", "CSeq: 5 INVITE"))), r(bye(6))],
    bad: [r(invite(replace("CSeq", "CSeq: 5 INVITE"))), r(bye(3))],
  });
  proveViolation("in-dialog.cseq-increase", {
    note: "a retransmission the transaction absorbed repeats its number",
    good: [r(invite()), r(bye(2)), r(bye(2), true)],
    bad: [r(invite()), r(bye(2)), r(bye(2, "bye-2"))],
  });
  proveViolation("in-dialog.cseq-increase", {
    note: "a retransmission with the same branch after its transaction ended",
    good: [r(invite()), r(bye(2)), r(bye(2))],
    bad: [r(invite()), r(prack(2)), r(bye(2))],
  });
  proveViolation("in-dialog.cseq-increase", {
    note: "the ACK reuses the INVITE's number and is not counted",
    good: [r(invite()), r(prack()), r(update(3)), r(ack2xx()), r(bye(4))],
    bad: [r(invite()), r(prack()), r(update(3)), r(ack2xx()), r(bye(3))],
  });
  proveViolation("in-dialog.cseq-increase", {
    note: "another dialog's numbers do not count",
    good: [r(invite(replace("CSeq", "CSeq: 7 INVITE"))), r(bye(2, "bye-1", both(replace("Call-ID", "Call-ID: call-2@127.0.0.1"), replace("To", "To: <sip:alice@ims.example.test>;tag=alice-2"))))],
    bad: [r(invite(replace("CSeq", "CSeq: 7 INVITE"))), r(bye(2))],
  });
  proveViolation("in-dialog.cseq-increase", {
    note: "compact headers",
    good: [
      r(invite()),
      r(prack()),
      r(
        bye(3, "bye-1", (l) =>
          l.map((x) =>
            x
              .replace(/^From:/, "f:")
              .replace(/^To:/, "t:")
              .replace(/^Call-ID:/, "i:")
              .replace(/^Via:/, "v:"),
          ),
        ),
      ),
    ],
    bad: [
      r(invite()),
      r(prack()),
      r(
        bye(2, "bye-1", (l) =>
          l.map((x) =>
            x
              .replace(/^From:/, "f:")
              .replace(/^To:/, "t:")
              .replace(/^Call-ID:/, "i:")
              .replace(/^Via:/, "v:"),
          ),
        ),
      ),
    ],
  });

  proveViolation("in-dialog.request-uri", {
    good: [r(invite()), r(bye(2))],
    bad: [r(invite()), r(bye(2, "bye-1", replace("BYE", "BYE sip:alice@ims.example.test SIP/2.0")))],
  });
  proveViolation("in-dialog.request-uri", {
    note: "the ACK for the 2xx",
    good: [r(invite()), r(ack2xx())],
    bad: [r(invite()), r(ack2xx(replace("ACK", "ACK sip:127.0.0.1:5060;lr SIP/2.0")))],
  });
  proveViolation("in-dialog.request-uri", {
    note: "URI equivalence (RFC 3261 19.1.4), not text",
    good: [r(invite()), r(bye(2, "bye-1", replace("BYE", "BYE sip:%61lice@127.0.0.1:5070 SIP/2.0")))],
    bad: [r(invite()), r(bye(2, "bye-1", replace("BYE", "BYE sip:alice@127.0.0.1:5071 SIP/2.0")))],
  });
});

describe("requirements on CANCEL, ACK and PRACK (RFC 3261 9.1, 13.2.2.4, 17.1.1.3, RFC 3262)", () => {
  proveViolation("cancel.matches-invite", {
    good: [r(invite()), r(cancel())],
    bad: [r(invite()), r(cancel(replace("CSeq", "CSeq: 2 CANCEL")))],
  });
  proveViolation("cancel.matches-invite", {
    note: "To tag",
    good: [r(invite()), r(cancel())],
    bad: [r(invite()), r(cancel(replace("To", "To: <sip:alice@ims.example.test>;tag=alice-1")))],
  });
  proveViolation("cancel.matches-invite", {
    note: "top Via",
    good: [r(invite()), r(cancel())],
    bad: [r(invite()), r(cancel(replace("Via", "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-core-cancel-1")))],
  });
  proveViolation("cancel.matches-invite", {
    note: "Request-URI",
    good: [r(invite()), r(cancel())],
    bad: [r(invite()), r(cancel(replace("CANCEL", "CANCEL sip:alice@ims.example.test SIP/2.0")))],
  });
  proveViolation("cancel.matches-invite", {
    note: "compact headers",
    good: [
      r(invite()),
      r(
        cancel((l) =>
          l.map((x) =>
            x
              .replace(/^From:/, "f:")
              .replace(/^To:/, "t:")
              .replace(/^Call-ID:/, "i:")
              .replace(/^Via:/, "v:"),
          ),
        ),
      ),
    ],
    bad: [
      r(invite()),
      r(
        cancel((l) =>
          l.map((x) =>
            x
              .replace(/^From:/, "f:")
              .replace(/^To:/, "t:")
              .replace(/^Call-ID:.*/, "i: call-0@127.0.0.1")
              .replace(/^Via:/, "v:"),
          ),
        ),
      ),
    ],
  });

  proveViolation("ack.matches-invite", {
    good: [r(invite()), r(ack2xx())],
    bad: [r(invite()), r(ack2xx(replace("CSeq", "CSeq: 2 ACK")))],
  });
  proveViolation("ack.matches-invite", {
    note: "after PRACK and UPDATE the ACK keeps the INVITE's number",
    good: [r(invite()), r(prack()), r(update(3)), r(ack2xx())],
    bad: [r(invite()), r(prack()), r(update(3)), r(ack2xx(replace("CSeq", "CSeq: 4 ACK")))],
  });
  proveViolation("ack.matches-invite", {
    note: "From tag",
    good: [r(invite()), r(ack2xx())],
    bad: [r(invite()), r(ack2xx(replace("From", 'From: "Bob" <sip:bob@ims.example.test>;tag=bob-2')))],
  });
  proveViolation("ack.matches-invite", {
    note: "To tag",
    good: [r(invite()), r(ack2xx())],
    bad: [r(invite()), r(ack2xx(replace("To", "To: <sip:alice@ims.example.test>")))],
  });
  proveViolation("ack.matches-invite", {
    note: "the hop-by-hop ACK for a non-2xx (RFC 3261 17.1.1.3)",
    good: [r(invite()), r(cancel()), ackNon2xx()],
    bad: [r(invite()), r(cancel()), ackNon2xx(replace("ACK", "ACK sip:alice@ims.example.test SIP/2.0"))],
  });
  proveViolation("ack.matches-invite", {
    note: "compact headers",
    good: [
      r(invite()),
      r(
        ack2xx((l) =>
          l.map((x) =>
            x
              .replace(/^From:/, "f:")
              .replace(/^To:/, "t:")
              .replace(/^Call-ID:/, "i:"),
          ),
        ),
      ),
    ],
    bad: [
      r(invite()),
      r(
        ack2xx((l) =>
          l.map((x) =>
            x
              .replace(/^From:/, "f:")
              .replace(/^To:/, "t:")
              .replace(/^Call-ID:.*/, "i: call-0@127.0.0.1"),
          ),
        ),
      ),
    ],
  });

  proveViolation("prack.rack", {
    good: [r(invite()), r(prack())],
    bad: [r(invite()), r(prack(2, drop("RAck")))],
  });
  proveViolation("prack.rack", {
    note: "CSeq-num of the INVITE",
    good: [r(invite()), r(prack())],
    bad: [r(invite()), r(prack(2, replace("RAck", "RAck: 101 2 INVITE")))],
  });
  proveViolation("prack.rack", {
    note: "method INVITE, case-sensitive",
    good: [r(invite()), r(prack(2, replace("RAck", "RAck:  101   1  INVITE")))],
    bad: [r(invite()), r(prack(2, replace("RAck", "RAck: 101 1 invite")))],
  });
});

describe("requirements on UPDATE (RFC 3311 7)", () => {
  proveViolation("update.contact", {
    good: [r(invite()), r(prack()), r(update())],
    bad: [r(invite()), r(prack()), r(update(3, drop("Contact")))],
  });
  proveViolation("update.contact", {
    note: "compact form",
    good: [r(invite()), r(prack()), r(update(3, replace("Contact", "m: <sip:bob@127.0.0.1:5072>")))],
    bad: [r(invite()), r(prack()), r(update(3, replace("Contact", "m: <bob at home>")))],
  });
  proveViolation("update.2xx-contact", {
    good: [updateResponse()],
    bad: [updateResponse(drop("Contact"))],
  });
});

describe("requirements on MESSAGE and its responses (RFC 3428)", () => {
  proveViolation("message.no-contact", {
    good: [r(message())],
    bad: [r(message(add("Contact: <sip:bob@127.0.0.1:5072>")))],
  });
  proveViolation("message.no-contact", {
    note: "compact form",
    good: [r(message())],
    bad: [r(message(add("m: <sip:bob@127.0.0.1:5072>")))],
  });
  proveViolation("message.p-asserted-identity", {
    good: [r(message())],
    bad: [r(message(drop("P-Asserted-Identity")))],
  });
  proveViolation("message.p-asserted-identity", {
    note: "withheld on request (RFC 3325 7), two values of one kind",
    good: [r(message(replace("P-Asserted-Identity", "Privacy: id")))],
    bad: [r(message(replace("P-Asserted-Identity", "P-Asserted-Identity: <sip:bob@ims.example.test>, <sip:robert@ims.example.test>")))],
  });
  proveViolation("message.p-asserted-identity", {
    note: "a sip and a tel URI",
    good: [r(message(replace("P-Asserted-Identity", "P-Asserted-Identity: <sip:bob@ims.example.test>, <tel:+15551230002>")))],
    bad: [r(message(replace("P-Asserted-Identity", "P-Asserted-Identity: <mailto:bob@ims.example.test>")))],
  });
  proveViolation("message.content-type", {
    good: [r(message())],
    bad: [r(message(drop("Content-Type")))],
  });
  proveViolation("message.content-type", {
    note: "a MESSAGE without a body needs none",
    good: [r(message(undefined, null))],
    bad: [r(message(drop("Content-Type"), "Hello"))],
  });
  proveViolation("message.2xx-no-body", {
    good: [messageResponse()],
    bad: [messageResponse("200 OK", add("Content-Type: text/plain"), "delivered")],
  });
  proveViolation("message.2xx-no-body", {
    note: "202 Accepted",
    good: [messageResponse("202 Accepted")],
    bad: [messageResponse("202 Accepted", add("Content-Type: text/plain"), "stored")],
  });
  proveViolation("message.2xx-no-contact", {
    good: [messageResponse()],
    bad: [messageResponse("200 OK", add("Contact: <sip:bob@127.0.0.1:5072>"))],
  });
});

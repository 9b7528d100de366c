// Proofs of the SMS over IP requirements (src/conformance/requirements/sms.ts): each conforming
// message violates nothing in the catalogue, each violating one exactly its requirement.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type SipMessage, type SipRequest, createResponse, parseMessage } from "../../../src/sip/message/index.ts";
import { SMS_CONTENT_TYPE, encodeRpAck, encodeRpDataFromMs, encodeRpDataToMs, encodeRpError, encodeSmsDeliver, encodeSmsSubmit, encodeSubmitReport } from "../../../src/sms/index.ts";
import { proveViolation, violatedBy } from "../requirement-fixtures.ts";

/** A SIP message of header lines and a binary body (the fixtures' sip() would turn LF octets of an RP message into CRLF). */
function withBody(lines: readonly string[], body: Buffer): SipMessage {
  const head = [...lines, `Content-Type: ${SMS_CONTENT_TYPE}`, `Content-Length: ${body.length}`, "", ""].join("\r\n");
  const p = parseMessage(Buffer.concat([Buffer.from(head), body]));
  if (!p.ok) throw new Error(p.error.reason);
  return p.message;
}

/** UE-A's MESSAGE to the SMSC with RP-DATA (SMS-SUBMIT), RP-MR `reference`. */
function submit(reference: number): SipRequest {
  const tpdu = encodeSmsSubmit({ messageReference: reference, destination: "+15551230002", text: "hello" });
  return withBody(
    [
      "MESSAGE sip:smsc@ims.example.test SIP/2.0",
      "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-sms1;rport",
      "Max-Forwards: 70",
      "From: <sip:alice@ims.example.test>;tag=a1",
      "To: <sip:smsc@ims.example.test>",
      "Call-ID: sms-1",
      "CSeq: 1 MESSAGE",
    ],
    encodeRpDataFromMs({ reference, scAddress: "+15550000000", tpdu }),
  ) as SipRequest;
}

function answer(status: number, request: SipRequest): SipMessage {
  return createResponse(request, status, { toTag: "smsc1" });
}

/** A MESSAGE from the SMSC to UE-A carrying `body`. */
function toUe(body: Buffer): SipMessage {
  return withBody(
    [
      "MESSAGE sip:alice@127.0.0.1:5070 SIP/2.0",
      "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-smsc1",
      "Max-Forwards: 70",
      "From: <sip:smsc@ims.example.test>;tag=s1",
      "To: <sip:alice@ims.example.test>",
      "Call-ID: smsc-1",
      "CSeq: 1 MESSAGE",
      "P-Asserted-Identity: <sip:smsc@ims.example.test>",
    ],
    body,
  );
}

const AT = new Date(Date.UTC(2026, 11, 7, 4, 30));
const DELIVER = encodeSmsDeliver({ originator: "+15551230002", timestamp: AT, text: "hello" });
const REPORT = encodeSubmitReport({ timestamp: AT });

describe("SMS over IP requirements", () => {
  const request = submit(5);
  proveViolation("sms.accepted-202", {
    good: [{ message: answer(202, request), request }],
    bad: [{ message: answer(200, request), request }],
    note: "a MESSAGE with an SMS answered 200",
  });
  proveViolation("sms.rp-message", {
    good: [{ message: toUe(encodeRpError({ direction: "network-to-ms", reference: 9, cause: 38 })) }],
    bad: [{ message: toUe(encodeRpDataFromMs({ reference: 9, scAddress: "+15550000000", tpdu: DELIVER })) }],
    note: "an RP-DATA for the network reaches the UE",
  });
  test("sms.rp-message: a body that is no RP message at all violates it too", () => {
    assert.deepEqual(violatedBy([{ message: toUe(Buffer.from("hello")) }]), ["sms.rp-message"]);
  });
  const corrupt = Buffer.from(DELIVER);
  corrupt[corrupt.length - 6] += 20; // TP-UDL (before the 5 octets of "hello") announces 25 septets
  proveViolation("sms.tpdu", {
    good: [{ message: toUe(encodeRpDataToMs({ reference: 1, scAddress: "+15550000000", tpdu: DELIVER })) }],
    bad: [{ message: toUe(encodeRpDataToMs({ reference: 1, scAddress: "+15550000000", tpdu: corrupt })) }],
    note: "TP-UDL beyond the user data (the fault sms-corrupt-tpdu)",
  });
  test("sms.tpdu: an SMS-SUBMIT-REPORT in RP-DATA is the wrong TPDU", () => {
    assert.deepEqual(violatedBy([{ message: toUe(encodeRpDataToMs({ reference: 1, scAddress: "+15550000000", tpdu: REPORT })) }]), ["sms.tpdu"]);
  });
  proveViolation("sms.report-reference", {
    good: [{ message: answer(202, request), request }, { message: toUe(encodeRpAck({ direction: "network-to-ms", reference: 5, tpdu: REPORT })) }],
    bad: [{ message: answer(202, request), request }, { message: toUe(encodeRpAck({ direction: "network-to-ms", reference: 6, tpdu: REPORT })) }],
    note: "the submit report of RP-MR 5 carries 6",
  });
  test("sms.report-reference is not judged before the UE's RP-DATA was answered", () => {
    assert.deepEqual(violatedBy([{ message: toUe(encodeRpAck({ direction: "network-to-ms", reference: 6 })) }]), []);
  });
});

// TPDUs (TS 23.040 9.2): the textbook SMS-DELIVER and SMS-SUBMIT decoded field by field, round trips
// of every TPDU this harness writes, and the decoder's reasons for broken ones.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  type Decoded,
  type SmsDeliver,
  type SmsSubmit,
  type Tpdu,
  alphabetOf,
  decodeTpdu,
  encodeDeliverReport,
  encodeSmsDeliver,
  encodeSmsSubmit,
  encodeSubmitReport,
  encodeTimestamp,
  encodeTpAddress,
} from "../../src/sms/index.ts";

function value<T extends Tpdu>(d: Decoded<Tpdu>): T {
  if (!d.ok) assert.fail(d.reason);
  return d.value as T;
}

function reason(d: Decoded<Tpdu>): string {
  assert.ok(!d.ok, "should not decode");
  return d.reason;
}

describe("published vectors", () => {
  // The SMS-DELIVER of the widely used PDU-mode tutorial (after its SMSC information 07917283010010F5)
  test("SMS-DELIVER 040BC87238880900F10000993092516195800AE8329BFD4697D9EC37", () => {
    const d = value<SmsDeliver>(decodeTpdu(Buffer.from("040BC87238880900F10000993092516195800AE8329BFD4697D9EC37", "hex"), "sc-to-ms"));
    assert.equal(d.type, "SMS-DELIVER");
    assert.equal(d.originator.value, "27838890001");
    assert.equal(d.moreMessagesToSend, false);
    assert.deepEqual(d.timestamp, { year: 1999, month: 3, day: 29, hour: 15, minute: 16, second: 59, timezoneQuarters: 8 });
    assert.equal(d.userData.alphabet, "gsm7");
    assert.equal(d.userData.length, 10);
    assert.equal(d.userData.text, "hellohello");
  });
  // ... and its SMS-SUBMIT (after the SMSC length octet 00): TP-VPF relative, TP-VP 0xAA
  test("SMS-SUBMIT 1100 0B916407281553F8 0000AA 0AE8329BFD4697D9EC37", () => {
    const s = value<SmsSubmit>(decodeTpdu(Buffer.from("11000B916407281553F80000AA0AE8329BFD4697D9EC37", "hex"), "ms-to-sc"));
    assert.equal(s.type, "SMS-SUBMIT");
    assert.equal(s.messageReference, 0);
    assert.deepEqual(s.destination, { value: "+46708251358", kind: "international" });
    assert.equal(s.validityPeriod.toString("hex"), "aa");
    assert.equal(s.userData.text, "hellohello");
  });
  test("TP-SCTS: 7 semi-octet-swapped octets, UTC (TS 23.040 9.2.3.11)", () => {
    assert.equal(encodeTimestamp(new Date(Date.UTC(2026, 11, 7, 4, 30, 15))).toString("hex"), "62217040035100");
  });
  test("TP-DA: length in digits, 0x91, swapped digits padded with F (TS 23.040 9.1.2.5)", () => {
    assert.equal(encodeTpAddress("+15551230002").toString("hex"), "0b915155210300f2");
  });
  test("TP-DCS (TS 23.038 4): 0x00 GSM 7-bit, 0x08 UCS2, 0xF4 8-bit, 0x0C reserved", () => {
    assert.deepEqual(alphabetOf(0x00), { ok: true, value: "gsm7" });
    assert.deepEqual(alphabetOf(0x08), { ok: true, value: "ucs2" });
    assert.deepEqual(alphabetOf(0xf4), { ok: true, value: "8bit" });
    assert.match((alphabetOf(0x0c) as { reason: string }).reason, /reserved/);
    assert.match((alphabetOf(0x20) as { reason: string }).reason, /compressed/);
  });
});

describe("round trips", () => {
  const texts = ["hello from UE-A: 100€ {ok}", "Grüße 你好", "x".repeat(160), "€".repeat(80), "你".repeat(70), ""];
  for (const text of texts)
    test(`SMS-SUBMIT and SMS-DELIVER with "${text.slice(0, 20)}${text.length > 20 ? "..." : ""}" (${text.length} characters)`, () => {
      const s = value<SmsSubmit>(decodeTpdu(encodeSmsSubmit({ messageReference: 42, destination: "+15551230002", text }), "ms-to-sc"));
      assert.equal(s.messageReference, 42);
      assert.equal(s.destination.value, "+15551230002");
      assert.equal(s.userData.text, text);
      assert.equal(s.userData.alphabet, /你/.test(text) ? "ucs2" : "gsm7");
      const at = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
      const d = value<SmsDeliver>(decodeTpdu(encodeSmsDeliver({ originator: "+15551230001", timestamp: at, text }), "sc-to-ms"));
      assert.equal(d.userData.text, text);
      assert.equal(d.originator.value, "+15551230001");
      assert.deepEqual(d.timestamp, { year: 2026, month: 1, day: 2, hour: 3, minute: 4, second: 5, timezoneQuarters: 0 });
      // The SC passes the submitted user data on as it came (TP-DCS, TP-UDL, TP-UD)
      const passed = encodeSmsDeliver({ originator: "+1", timestamp: at, userData: { dataCoding: s.dataCoding, length: s.userData.length, octets: s.userData.octets, header: false } });
      assert.equal(value<SmsDeliver>(decodeTpdu(passed, "sc-to-ms")).userData.text, text);
    });
  test("an alphanumeric TP-OA (TON 101) round-trips", () => {
    const d = value<SmsDeliver>(decodeTpdu(encodeSmsDeliver({ originator: "alice", timestamp: new Date(0), text: "x" }), "sc-to-ms"));
    assert.deepEqual(d.originator, { value: "alice", kind: "alphanumeric" });
  });
  test("the explicit 8-bit alphabet, and a number of unknown type", () => {
    const s = value<SmsSubmit>(decodeTpdu(encodeSmsSubmit({ messageReference: 1, destination: "123", text: "abc", alphabet: "8bit" }), "ms-to-sc"));
    assert.equal(s.userData.alphabet, "8bit");
    assert.equal(s.userData.text, "abc");
    assert.equal(s.destination.kind, "unknown");
  });
  test("SMS-SUBMIT-REPORT and SMS-DELIVER-REPORT, for RP-ACK and (with TP-FCS) RP-ERROR", () => {
    const at = new Date(Date.UTC(2026, 11, 7));
    assert.equal(value(decodeTpdu(encodeSubmitReport({ timestamp: at }), "sc-to-ms")).type, "SMS-SUBMIT-REPORT");
    assert.equal((value(decodeTpdu(encodeSubmitReport({ timestamp: at, failureCause: 0xc0 }), "sc-to-ms", true)) as { failureCause?: number }).failureCause, 0xc0);
    assert.equal(value(decodeTpdu(encodeDeliverReport(), "ms-to-sc")).type, "SMS-DELIVER-REPORT");
    assert.equal((value(decodeTpdu(encodeDeliverReport({ failureCause: 0xd2 }), "ms-to-sc", true)) as { failureCause?: number }).failureCause, 0xd2);
  });
  test("encoding what does not fit one short message throws RangeError", () => {
    assert.throws(() => encodeSmsSubmit({ messageReference: 1, destination: "+1", text: "x".repeat(161) }), RangeError);
    assert.throws(() => encodeSmsSubmit({ messageReference: 1, destination: "+1", text: "你".repeat(71) }), RangeError);
    assert.throws(() => encodeSmsSubmit({ messageReference: 1, destination: "+1", text: "你", alphabet: "gsm7" }), /GSM 7-bit/);
    assert.throws(() => encodeTpAddress("sip:bob@example.test"), RangeError);
  });
});

describe("broken TPDUs are reasons naming the field and clause", () => {
  const deliver = encodeSmsDeliver({ originator: "+15551230001", timestamp: new Date(Date.UTC(2026, 11, 7)), text: "hello" });
  test("TP-UDL beyond TP-UD (the fault sms-corrupt-tpdu)", () => {
    const b = Buffer.from(deliver);
    b[b.length - 5 - 1] += 20; // TP-UDL precedes the 5 octets of "hello"
    assert.match(reason(decodeTpdu(b, "sc-to-ms")), /^SMS-DELIVER: TP-UDL 25 septets needs 22 octets of TP-UD, 5 present \(TS 23\.040 9\.2\.3\.16\)$/);
  });
  test("octets after TP-UD", () => {
    assert.match(reason(decodeTpdu(Buffer.concat([deliver, Buffer.from([0])]), "sc-to-ms")), /1 octets after the 5 of TP-UD/);
  });
  test("a truncated address, a bad time stamp, a reserved TP-DCS", () => {
    assert.match(reason(decodeTpdu(deliver.subarray(0, 5), "sc-to-ms")), /TP-OA.*ends first/);
    const t = Buffer.from(deliver);
    t[12] = 0x31; // month 13 (TP-SCTS starts at octet 12: year, then month)
    assert.match(reason(decodeTpdu(t, "sc-to-ms")), /TP-SCTS.*is not a date/);
    const d = Buffer.from(deliver);
    d[10] = 0x0c;
    assert.match(reason(decodeTpdu(d, "sc-to-ms")), /TP-DCS 0x0C.*reserved/);
  });
  test("an MTI that means nothing that way", () => {
    assert.match(reason(decodeTpdu(Buffer.from([0x03]), "sc-to-ms")), /TP-MTI 11.*reserved/);
    assert.match(reason(decodeTpdu(Buffer.from([0x02]), "ms-to-sc")), /SMS-COMMAND/);
    assert.match(reason(decodeTpdu(Buffer.alloc(0), "ms-to-sc")), /empty/);
  });
  test("odd UCS2 user data", () => {
    const b = encodeSmsDeliver({ originator: "+1", timestamp: new Date(0), userData: { dataCoding: 0x08, length: 3, octets: Buffer.from([0, 0x41, 0]), header: false } });
    assert.match(reason(decodeTpdu(b, "sc-to-ms")), /UCS2 user data of 3 octets/);
  });
});

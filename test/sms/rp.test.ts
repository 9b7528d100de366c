// RP messages (TS 24.011 7.3, 8.2): the octets of each message this harness writes, round trips,
// and the decoder's reasons for broken ones.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  type Decoded,
  type RpMessage,
  decodeRp,
  encodeDeliverReport,
  encodeRpAck,
  encodeRpAddress,
  encodeRpDataFromMs,
  encodeRpDataToMs,
  encodeRpError,
  encodeSmsSubmit,
  encodeSubmitReport,
} from "../../src/sms/index.ts";

function value(d: Decoded<RpMessage>): RpMessage {
  if (!d.ok) assert.fail(d.reason);
  return d.value;
}

function reason(d: Decoded<RpMessage>): string {
  assert.ok(!d.ok, "should not decode");
  return d.reason;
}

const SUBMIT = encodeSmsSubmit({ messageReference: 7, destination: "+15551230002", text: "hello" });

describe("RP messages as octets (TS 24.011 7.3)", () => {
  test("RP-DATA MS to network: MTI 0, MR, RP-OA length 0, RP-DA the SC, RP-User-Data", () => {
    const b = encodeRpDataFromMs({ reference: 3, scAddress: "+15550000000", tpdu: SUBMIT });
    assert.equal(b.subarray(0, 11).toString("hex"), "00030007915155000000f0");
    assert.equal(b[11], SUBMIT.length);
    assert.deepEqual(b.subarray(12), SUBMIT);
    const m = value(decodeRp(b));
    assert.deepEqual([m.type, m.direction, m.reference, m.originatorAddress, m.destinationAddress], ["RP-DATA", "ms-to-network", 3, "", "+15550000000"]);
    assert.ok(m.tpdu?.ok && m.tpdu.value.type === "SMS-SUBMIT");
  });
  test("RP-DATA network to MS: MTI 1, RP-OA the SC, RP-DA length 0", () => {
    const m = value(decodeRp(encodeRpDataToMs({ reference: 9, scAddress: "+15550000000", tpdu: Buffer.from([0x04, 0x01, 0x91, 0xf1, 0, 0, 0x62, 0x21, 0x70, 0, 0, 0, 0, 0]) })));
    assert.deepEqual([m.type, m.direction, m.reference, m.originatorAddress, m.destinationAddress], ["RP-DATA", "network-to-ms", 9, "+15550000000", ""]);
    assert.ok(m.tpdu?.ok && m.tpdu.value.type === "SMS-DELIVER");
  });
  test("RP-ACK with and without RP-User-Data (IEI 0x41)", () => {
    assert.equal(encodeRpAck({ direction: "network-to-ms", reference: 3 }).toString("hex"), "0303");
    const b = encodeRpAck({ direction: "network-to-ms", reference: 3, tpdu: encodeSubmitReport({ timestamp: new Date(Date.UTC(2026, 11, 7)) }) });
    assert.equal(b.subarray(0, 4).toString("hex"), "03034109");
    const m = value(decodeRp(b));
    assert.ok(m.tpdu?.ok && m.tpdu.value.type === "SMS-SUBMIT-REPORT");
    const d = value(decodeRp(encodeRpAck({ direction: "ms-to-network", reference: 9, tpdu: encodeDeliverReport() })));
    assert.deepEqual([d.type, d.direction, d.reference], ["RP-ACK", "ms-to-network", 9]);
  });
  test("RP-ERROR with RP-Cause (8.2.5.4)", () => {
    const b = encodeRpError({ direction: "network-to-ms", reference: 3, cause: 38 });
    assert.equal(b.toString("hex"), "05030126");
    assert.equal(value(decodeRp(b)).cause, 38);
  });
  test("RP addresses count octets, not digits (8.2.5.1)", () => {
    assert.equal(encodeRpAddress("").toString("hex"), "00");
    assert.equal(encodeRpAddress("+15550000000").toString("hex"), "07915155000000f0");
    assert.equal(encodeRpAddress("1234").toString("hex"), "03812143");
  });
  test("RP-SMMA", () => {
    assert.equal(value(decodeRp(Buffer.from([6, 1]))).type, "RP-SMMA");
  });
});

describe("broken RP messages are reasons naming the element and clause", () => {
  const data = encodeRpDataToMs({ reference: 1, scAddress: "+15550000000", tpdu: Buffer.from([0x04]) });
  test("too short, reserved MTI, spare bits", () => {
    assert.match(reason(decodeRp(Buffer.from([1]))), /at least its type and reference/);
    assert.match(reason(decodeRp(Buffer.from([7, 0]))), /RP-MTI 7 is reserved/);
    assert.match(reason(decodeRp(Buffer.from([0x41, 0]))), /spare bits/);
  });
  test("RP-DATA with the addresses the wrong way round (7.3.1.1)", () => {
    const wrong = encodeRpDataFromMs({ reference: 1, scAddress: "+15550000000", tpdu: Buffer.from([0x04]) });
    wrong[0] = 1;
    assert.match(reason(decodeRp(wrong)), /TS 24\.011 7\.3\.1\.1/);
  });
  test("RP-User-Data longer than the message, or nothing after it", () => {
    assert.match(reason(decodeRp(data.subarray(0, data.length - 1))), /RP-User-Data of 1 octets announced, 0 present/);
    assert.match(reason(decodeRp(Buffer.concat([data, Buffer.from([0])]))), /1 octets after RP-User-Data/);
  });
  test("a TPDU that does not decode leaves the RP message decoded", () => {
    const m = value(decodeRp(data));
    assert.ok(m.tpdu && !m.tpdu.ok);
  });
  test("RP-ERROR without RP-Cause, RP-ACK with another IEI", () => {
    assert.match(reason(decodeRp(Buffer.from([5, 1]))), /RP-Cause missing/);
    assert.match(reason(decodeRp(Buffer.from([3, 1, 0x42, 0]))), /IEI 0x41/);
  });
});

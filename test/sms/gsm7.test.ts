// The GSM 7-bit default alphabet and septet packing (TS 23.038 6.2.1, 6.1.2.1.1): the table, the
// extension table's escapes, and packing checked against a published vector and by round trips.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ESCAPE, GSM7_DEFAULT_ALPHABET, decodeGsm7, encodeGsm7, isGsm7, packSeptets, unpackSeptets } from "../../src/sms/index.ts";

describe("GSM 7-bit default alphabet (TS 23.038 6.2.1)", () => {
  test("has 128 characters, at the positions of the table", () => {
    assert.equal([...GSM7_DEFAULT_ALPHABET].length, 128);
    assert.deepEqual(encodeGsm7("@£$A a\n"), [0x00, 0x01, 0x02, 0x41, 0x20, 0x61, 0x0a]);
    assert.deepEqual(encodeGsm7("ΔÉ¡§¿à"), [0x10, 0x1f, 0x40, 0x5f, 0x60, 0x7f]);
  });
  test("reaches the extension table through the escape (6.2.1.1)", () => {
    assert.deepEqual(encodeGsm7("€[]{}~^|\\"), [ESCAPE, 0x65, ESCAPE, 0x3c, ESCAPE, 0x3e, ESCAPE, 0x28, ESCAPE, 0x29, ESCAPE, 0x3d, ESCAPE, 0x14, ESCAPE, 0x40, ESCAPE, 0x2f]);
    assert.equal(decodeGsm7([ESCAPE, 0x65, 0x31]), "€1");
  });
  test("refuses characters it cannot represent", () => {
    assert.equal(encodeGsm7("Grüße 你好"), undefined);
    assert.equal(isGsm7("Grüße"), true); // ü and ß are in the table; 你 is not
    assert.equal(isGsm7("你好"), false);
    assert.equal(isGsm7("hello"), true);
    assert.equal(isGsm7("\u001b"), false);
  });
  test("every character of the table round-trips", () => {
    const text = GSM7_DEFAULT_ALPHABET.replace("\u001b", "") + "€[]{}~^|\\\f";
    assert.equal(decodeGsm7(encodeGsm7(text)!), text);
  });
});

describe("septet packing (TS 23.038 6.1.2.1.1)", () => {
  test('"hellohello" packs to E8 32 9B FD 46 97 D9 EC 37, the textbook vector', () => {
    const septets = encodeGsm7("hellohello")!;
    assert.equal(packSeptets(septets).toString("hex").toUpperCase(), "E8329BFD4697D9EC37");
    assert.equal(decodeGsm7(unpackSeptets(Buffer.from("E8329BFD4697D9EC37", "hex"), 10)!), "hellohello");
  });
  test("8 septets fill 7 octets; 160 septets fill 140", () => {
    assert.equal(packSeptets(encodeGsm7("12345678")!).length, 7);
    assert.equal(packSeptets(new Array<number>(160).fill(0x41)).length, 140);
  });
  test("round-trips at every length and fill-bit offset", () => {
    for (let n = 0; n <= 20; n++)
      for (let fill = 0; fill <= 6; fill++) {
        const septets = Array.from({ length: n }, (_, i) => (i * 37 + fill) & 0x7f);
        assert.deepEqual(unpackSeptets(packSeptets(septets, fill), n, fill), septets, `${n} septets after ${fill} fill bits`);
      }
  });
  test("unpacking more septets than the octets hold is refused", () => {
    assert.equal(unpackSeptets(Buffer.from([0xe8, 0x32]), 3), undefined);
  });
});

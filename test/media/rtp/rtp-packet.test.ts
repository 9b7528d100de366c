import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeRtp, encodeRtp, looksLikeRtcp } from "../../../src/media/rtp/rtp-packet.ts";

test("RFC 3550 5.1: a fixed header encodes to the bytes computed by hand", () => {
  const bytes = encodeRtp({ marker: true, payloadType: 0, sequenceNumber: 0x1234, timestamp: 0xa0b0c0d0, ssrc: 0xdeadbeef, payload: Uint8Array.of(0xff, 0x7f) });
  // V=2 P=0 X=0 CC=0 -> 0x80; M=1 PT=0 -> 0x80
  assert.deepEqual([...bytes], [0x80, 0x80, 0x12, 0x34, 0xa0, 0xb0, 0xc0, 0xd0, 0xde, 0xad, 0xbe, 0xef, 0xff, 0x7f]);
  const d = decodeRtp(bytes);
  assert.ok(d.ok);
  assert.equal(d.packet.marker, true);
  assert.equal(d.packet.payloadType, 0);
  assert.equal(d.packet.sequenceNumber, 0x1234);
  assert.equal(d.packet.timestamp, 0xa0b0c0d0);
  assert.equal(d.packet.ssrc, 0xdeadbeef);
  assert.deepEqual([...d.packet.payload], [0xff, 0x7f]);
});

test("CSRCs, a header extension (RFC 3550 5.3.1) and padding round-trip; the extension is skipped and padding removed", () => {
  const payload = Uint8Array.of(1, 2, 3, 4, 5);
  const bytes = encodeRtp({
    payloadType: 101,
    sequenceNumber: 65535,
    timestamp: 0xffffffff,
    ssrc: 1,
    csrcs: [0x11111111, 0x22222222],
    extension: { profile: 0xbede, data: Uint8Array.of(0x10, 0xaa, 0, 0, 0x21, 0xbb, 0xcc, 0) },
    payload,
    paddingBytes: 3,
  });
  assert.equal(bytes.length, 12 + 8 + 4 + 8 + 5 + 3);
  assert.equal(bytes[0], 0x80 | 0x20 | 0x10 | 2);
  assert.equal(bytes[bytes.length - 1], 3, "the last padding octet counts the padding (RFC 3550 5.1)");
  const d = decodeRtp(bytes);
  assert.ok(d.ok);
  assert.deepEqual(d.packet.csrcs, [0x11111111, 0x22222222]);
  assert.equal(d.packet.extension?.profile, 0xbede);
  assert.deepEqual([...(d.packet.extension?.data ?? [])], [0x10, 0xaa, 0, 0, 0x21, 0xbb, 0xcc, 0]);
  assert.deepEqual([...d.packet.payload], [...payload]);
  assert.equal(d.packet.paddingBytes, 3);
  assert.equal(d.packet.payloadType, 101);
});

test("malformed packets are results with the reason, never exceptions", () => {
  const good = encodeRtp({ payloadType: 0, sequenceNumber: 1, timestamp: 2, ssrc: 3, payload: Uint8Array.of(9) });
  const cases: [string, Uint8Array, RegExp][] = [
    ["short", good.subarray(0, 11), /shorter than the 12-octet RTP header/],
    ["version 1", Uint8Array.from([0x40, ...good.subarray(1)]), /version 1, not 2/],
    ["CSRC count past the end", Uint8Array.from([0x83, ...good.subarray(1)]), /CSRC count 3 needs 24 octets/],
    ["X without room", Uint8Array.from([0x90, ...good.subarray(1, 12)]), /fewer than the 4-octet extension header/],
    ["extension too long", Uint8Array.from([0x90, ...good.subarray(1, 12), 0xbe, 0xde, 0x00, 0x05, 1, 2, 3, 4]), /header extension of 5 words runs past/],
    ["padding count 0", Uint8Array.from([0xa0, ...good.subarray(1, 12), 1, 0]), /padding count octet is 0/],
    ["padding too long", Uint8Array.from([0xa0, ...good.subarray(1, 12), 1, 9]), /padding count 9 exceeds the 2 octets/],
  ];
  for (const [name, bytes, reason] of cases) {
    const d = decodeRtp(bytes);
    assert.equal(d.ok, false, name);
    if (!d.ok) assert.match(d.reason, reason, name);
  }
});

test("decodeRtp never throws on random bytes", () => {
  let seed = 7;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
  for (let i = 0; i < 20000; i++) {
    const b = Uint8Array.from({ length: rnd() % 64 }, rnd);
    if (b.length > 0 && i % 2 === 0) b[0] = 0x80 | (b[0] & 0x3f);
    assert.doesNotThrow(() => decodeRtp(b));
  }
});

test("encodeRtp refuses what the header cannot carry", () => {
  assert.throws(() => encodeRtp({ payloadType: 128, sequenceNumber: 0, timestamp: 0, ssrc: 0, payload: new Uint8Array(0) }), /7 bits/);
  assert.throws(() => encodeRtp({ payloadType: 0, sequenceNumber: 0, timestamp: 0, ssrc: 0, csrcs: new Array<number>(16).fill(1), payload: new Uint8Array(0) }), /at most 15 CSRCs/);
  assert.throws(() => encodeRtp({ payloadType: 0, sequenceNumber: 0, timestamp: 0, ssrc: 0, extension: { profile: 1, data: new Uint8Array(3) }, payload: new Uint8Array(0) }), /32-bit words/);
});

test("RFC 5761 4: RTCP packet types are told from RTP on a multiplexed port", () => {
  assert.equal(looksLikeRtcp(Uint8Array.of(0x80, 200, 0, 6)), true);
  assert.equal(looksLikeRtcp(Uint8Array.of(0x81, 201, 0, 7)), true);
  assert.equal(looksLikeRtcp(Uint8Array.of(0x80, 0, 0, 1)), false);
  assert.equal(looksLikeRtcp(Uint8Array.of(0x80, 0x80 | 101, 0, 1)), false);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { type AmrWbFormat, type AmrWbFrame, AWB_MAGIC, amrWbFrameBits, amrWbFrameOctets, packAmrWb, readAwb, unpackAmrWb, writeAwb } from "../../../src/media/rtp/amr-wb.ts";
import { decodeAwbWithSox, soxSkip } from "../../support/sox.ts";

const FORMATS: AmrWbFormat[] = ["octet-aligned", "bandwidth-efficient"];

/** A frame of `frameType` filled with pseudo-random bits, the padding bits after the last zero. */
function randomFrame(frameType: number, rnd: () => number): AmrWbFrame {
  const bits = amrWbFrameBits(frameType) ?? 0;
  const data = Uint8Array.from({ length: Math.ceil(bits / 8) }, rnd);
  if (bits % 8 !== 0) data[data.length - 1] &= (0xff << (8 - (bits % 8))) & 0xff;
  return { frameType, quality: true, data };
}

function prng(seed: number): () => number {
  return () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
}

test("TS 26.201: bits and octets per frame type; 10..13 are reserved (RFC 4867 4.3.2)", () => {
  assert.deepEqual(
    [...Array(9).keys()].map((m) => amrWbFrameBits(m)),
    [132, 177, 253, 285, 317, 365, 397, 461, 477],
  );
  assert.deepEqual(
    [...Array(9).keys()].map((m) => amrWbFrameOctets(m)),
    [17, 23, 32, 36, 40, 46, 50, 58, 60],
  );
  assert.equal(amrWbFrameBits(9), 40, "SID");
  assert.equal(amrWbFrameBits(14), 0, "SPEECH_LOST");
  assert.equal(amrWbFrameBits(15), 0, "NO_DATA");
  for (const ft of [10, 11, 12, 13]) assert.equal(amrWbFrameBits(ft), undefined);
});

test("RFC 4867 4.3 and 4.4: a SID frame packed both ways matches the bits computed by hand", () => {
  const sid: AmrWbFrame = { frameType: 9, quality: true, data: Uint8Array.of(0xab, 0xcd, 0xef, 0x01, 0x23) };
  // octet-aligned: CMR 1111 + 0000 | F=0 FT=1001 Q=1 PP=00 | the 5 octets as they are
  assert.deepEqual([...packAmrWb({ cmr: 15, frames: [sid] }, "octet-aligned")], [0xf0, 0x4c, 0xab, 0xcd, 0xef, 0x01, 0x23]);
  // bandwidth-efficient: 1111 | 0 1001 1 | 40 data bits | 6 zero bits of padding
  //   11110100 11101010 11110011 01111011 11000000 01001000 11000000
  assert.deepEqual([...packAmrWb({ cmr: 15, frames: [sid] }, "bandwidth-efficient")], [0xf4, 0xea, 0xf3, 0x7b, 0xc0, 0x48, 0xc0]);
  // NO_DATA with a request for mode 8: 1000 | 0 1111 1 | padding -> 10000111 11000000
  assert.deepEqual([...packAmrWb({ cmr: 8, frames: [{ frameType: 15, quality: true, data: new Uint8Array(0) }] }, "bandwidth-efficient")], [0x87, 0xc0]);
  assert.deepEqual([...packAmrWb({ cmr: 8, frames: [{ frameType: 15, quality: true, data: new Uint8Array(0) }] }, "octet-aligned")], [0x80, 0x7c]);
  for (const format of FORMATS) {
    const back = unpackAmrWb(packAmrWb({ cmr: 15, frames: [sid] }, format), format);
    assert.ok(back.ok);
    assert.deepEqual(back.payload, { cmr: 15, frames: [sid] });
  }
});

test("RFC 4867 4.3 and 4.4: several frames of every mode per packet round-trip, F bits chaining the ToC", () => {
  const rnd = prng(99);
  for (const format of FORMATS) {
    for (let mode = 0; mode <= 9; mode++) {
      const frames = [randomFrame(mode, rnd), randomFrame((mode + 3) % 10, rnd), { ...randomFrame(mode, rnd), quality: false }, randomFrame(15, rnd)];
      const bytes = packAmrWb({ cmr: mode % 9, frames }, format);
      const bits =
        4 +
        (format === "octet-aligned" ? 4 + 8 * frames.length : 6 * frames.length) +
        frames.reduce((n, f) => n + (format === "octet-aligned" ? 8 * f.data.length : (amrWbFrameBits(f.frameType) ?? 0)), 0);
      assert.equal(bytes.length, Math.ceil(bits / 8), `${format} mode ${mode}: size`);
      const back = unpackAmrWb(bytes, format);
      assert.ok(back.ok, back.ok ? "" : back.reason);
      assert.deepEqual(back.payload, { cmr: mode % 9, frames }, `${format} mode ${mode}`);
    }
  }
});

test("malformed AMR-WB payloads are refused with the reason", () => {
  const rnd = prng(5);
  const eight = packAmrWb({ cmr: 15, frames: [randomFrame(8, rnd)] }, "octet-aligned");
  const cases: [AmrWbFormat, Uint8Array, RegExp][] = [
    ["octet-aligned", new Uint8Array(0), /empty/],
    ["octet-aligned", Uint8Array.of(0xf0, 0x80 | (2 << 3)), /no entry with F = 0/],
    ["octet-aligned", Uint8Array.of(0xf0, 10 << 3), /frame type 10, reserved/],
    ["octet-aligned", eight.subarray(0, 30), /runs past the 30-octet payload/],
    ["octet-aligned", Uint8Array.from([...eight, 0]), /1 octets after the last frame/],
    ["bandwidth-efficient", Uint8Array.of(0xf0 | 0x0, 0b01000000), /runs past/],
    ["bandwidth-efficient", Uint8Array.of(0xf0 | 0b0101, 0b00000000), /frame type 10, reserved/],
    ["bandwidth-efficient", Uint8Array.of(0x87, 0xc0, 0x00), /more than the padding/],
  ];
  for (const [format, bytes, reason] of cases) {
    const r = unpackAmrWb(bytes, format);
    assert.equal(r.ok, false, `${format} ${reason}`);
    if (!r.ok) assert.match(r.reason, reason);
  }
  const random = prng(1);
  for (let i = 0; i < 5000; i++) for (const format of FORMATS) assert.doesNotThrow(() => unpackAmrWb(Uint8Array.from({ length: random() % 70 }, random), format));
});

test("RFC 4867 5: an .awb file is the magic then a header octet (0 FT Q 00) and the frame's octets", () => {
  const rnd = prng(17);
  const frames = [randomFrame(8, rnd), randomFrame(9, rnd), randomFrame(15, rnd), { ...randomFrame(0, rnd), quality: false }];
  const file = writeAwb(frames);
  assert.equal(new TextDecoder().decode(file.subarray(0, 9)), AWB_MAGIC);
  assert.equal(file[9], 0x44, "FT 8, Q 1");
  assert.equal(file[9 + 61], 0x4c, "FT 9 (SID), Q 1");
  assert.equal(file[9 + 61 + 6], 0x7c, "FT 15 (NO_DATA), Q 1, no octets");
  assert.equal(file[9 + 61 + 6 + 1], 0x00, "FT 0, Q 0");
  assert.equal(file.length, 9 + 61 + 6 + 1 + 18);
  const back = readAwb(file);
  assert.ok(back.ok);
  assert.deepEqual(back.frames, frames);
  assert.equal(readAwb(new TextEncoder().encode("#!AMR\n")).ok, false);
  assert.equal(readAwb(file.subarray(0, 40)).ok, false);
});

test("a real AMR-WB decoder (SoX with libopencore-amrwb) decodes the frames after an RTP round trip in both payload formats, to the same audio", { skip: soxSkip() }, () => {
  const rnd = prng(2024);
  // every speech mode, SID and NO_DATA, then a second of mode 8 (23.85 kbit/s, what VoLTE UEs send)
  const frames = [...[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 15].map((m) => randomFrame(m, rnd)), ...Array.from({ length: 50 }, () => randomFrame(8, rnd))];
  const original = decodeAwbWithSox(writeAwb(frames));
  assert.equal(original.length, 320 * frames.length, "20 ms of 16 kHz audio per frame: every frame header was read at its size");
  for (const format of FORMATS) {
    const received: AmrWbFrame[] = [];
    for (let i = 0; i < frames.length; i += 2) {
      const back = unpackAmrWb(packAmrWb({ cmr: 15, frames: frames.slice(i, i + 2) }, format), format);
      assert.ok(back.ok, back.ok ? "" : back.reason);
      received.push(...back.payload.frames);
    }
    const decoded = decodeAwbWithSox(writeAwb(received));
    assert.deepEqual(decoded, original, `${format}: the decoder hears exactly what was sent`);
  }
  // the check has teeth: one octet short in the first frame desynchronises the decoder
  const file = writeAwb(frames);
  const broken = Uint8Array.from([...file.subarray(0, 9 + 1 + 16), ...file.subarray(9 + 1 + 17)]);
  assert.notEqual(decodeAwbWithSox(broken).length, original.length);
});

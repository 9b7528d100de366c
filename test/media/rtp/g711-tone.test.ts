import { test } from "node:test";
import assert from "node:assert/strict";
import { decodePcmu, encodePcmu, linearToMulaw, mulawToLinear } from "../../../src/media/rtp/g711.ts";
import { DBM0_RMS, ToneGenerator } from "../../../src/media/rtp/tone.ts";
import { detectTone, dominantFrequency, levelDbm0, toneLevelDbm0 } from "../../../src/media/rtp/goertzel.ts";

test("G.711 mu-law: every code decodes to a value that encodes back to it (0x7F, negative zero, becomes 0xFF)", () => {
  for (let code = 0; code < 256; code++) assert.equal(linearToMulaw(mulawToLinear(code)), code === 0x7f ? 0xff : code, `code 0x${code.toString(16)}`);
  assert.equal(mulawToLinear(0xff), 0);
  assert.equal(mulawToLinear(0x80), 32124, "the largest magnitude, 8031 x 4");
  assert.equal(mulawToLinear(0x00), -32124);
  assert.equal(linearToMulaw(32767), 0x80, "clipped");
  assert.equal(linearToMulaw(-32768), 0x00);
  assert.equal(linearToMulaw(0), 0xff);
});

test("G.711 mu-law is monotonic and its quantisation error stays within half a step of its segment", () => {
  let last = -Infinity;
  for (let x = -32000; x <= 32000; x += 7) {
    const y = mulawToLinear(linearToMulaw(x));
    assert.ok(y >= last, `monotonic at ${x}`);
    last = y;
    const step = Math.max(8, 2 ** Math.floor(Math.log2(Math.abs(x) + 132)) / 8);
    assert.ok(Math.abs(y - x) <= step, `${x} -> ${y}, step ${step}`);
  }
});

test("a 1004 Hz tone at -13 dBm0, encoded to PCMU and decoded, is detected at its frequency and level", () => {
  const gen = new ToneGenerator({ frequency: 1004, levelDbm0: -13 });
  const frames = Array.from({ length: 10 }, () => gen.frame(20));
  assert.equal(frames[0].length, 160, "20 ms at 8000 Hz");
  for (const frame of frames) {
    const decoded = decodePcmu(encodePcmu(frame));
    const m = detectTone(decoded, 8000, { frequency: 1004, levelDbm0: -13, toleranceDb: 0.5 });
    assert.equal(m.present, true, JSON.stringify(m));
    assert.ok(Math.abs(m.levelDbm0 + 13) < 0.3, `level ${m.levelDbm0}`);
    assert.ok(m.purity > 0.99);
  }
});

test("a 697 Hz tone is not the 1004 Hz tone, silence is silence, and a tone at the wrong level fails the level check", () => {
  const at697 = decodePcmu(encodePcmu(new ToneGenerator({ frequency: 697, levelDbm0: -13 }).next(1600)));
  const wrong = detectTone(at697, 8000, { frequency: 1004 });
  assert.equal(wrong.present, false);
  assert.ok(wrong.levelDbm0 < -40, `1004 Hz component of a 697 Hz tone: ${wrong.levelDbm0} dBm0`);
  assert.ok(Math.abs(wrong.totalLevelDbm0 + 13) < 0.3);
  assert.equal(detectTone(at697, 8000, { frequency: 697 }).present, true);
  assert.ok(Math.abs((dominantFrequency(at697, 8000) ?? 0) - 697) <= 10);

  const silence = decodePcmu(new Uint8Array(1600).fill(0xff));
  const s = detectTone(silence, 8000, { frequency: 1004 });
  assert.equal(s.silent, true);
  assert.equal(s.present, false);
  assert.equal(dominantFrequency(silence, 8000), undefined);

  const quiet = decodePcmu(encodePcmu(new ToneGenerator({ frequency: 1004, levelDbm0: -30 }).next(1600)));
  assert.equal(detectTone(quiet, 8000, { frequency: 1004, levelDbm0: -13 }).present, false, "17 dB too quiet");
  assert.equal(detectTone(quiet, 8000, { frequency: 1004, levelDbm0: -30 }).present, true);
});

test("0 dBm0 is a sine of RMS 16021 in 16-bit PCM (mu-law overload +3.17 dBm0 = 32636, G.711)", () => {
  assert.ok(Math.abs(DBM0_RMS - 16021) < 1);
  const zero = new ToneGenerator({ frequency: 1004, levelDbm0: 0 }).next(8000);
  assert.ok(Math.abs(levelDbm0(zero)) < 0.05);
  assert.ok(Math.abs(toneLevelDbm0(zero, 8000, 1004)) < 0.05);
  assert.throws(() => new ToneGenerator({ frequency: 1004, levelDbm0: 4 }), /overload/);
  assert.throws(() => new ToneGenerator({ frequency: 4000, levelDbm0: -10 }), /half the sampling rate/);
});

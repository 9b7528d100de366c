// G.711 mu-law (PCMU, RFC 3551 4.5.14): ITU-T G.711 Table 2a/2b, on 16-bit linear samples. The
// encoder is the classic segment search with a bias of 0x84 (33 in the 14-bit domain, shifted),
// the decoder a table; encode(decode(x)) === x for every code.

const BIAS = 0x84;
/** The largest 16-bit magnitude the encoder distinguishes (8159 in G.711's 14-bit scale, x4, less the bias). */
const CLIP = 32635;

const DECODE_TABLE: Int16Array = (() => {
  const t = new Int16Array(256);
  for (let code = 0; code < 256; code++) {
    const u = ~code & 0xff;
    const exponent = (u >> 4) & 0x07;
    const mantissa = u & 0x0f;
    const magnitude = (((mantissa << 3) + BIAS) << exponent) - BIAS;
    t[code] = u & 0x80 ? -magnitude : magnitude;
  }
  return t;
})();

/** One 16-bit linear sample to its mu-law code (G.711 mu-law: sign, 3-bit segment, 4-bit step, all bits inverted). */
export function linearToMulaw(sample: number): number {
  let s = Math.max(-32768, Math.min(32767, Math.round(sample)));
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  if (s > CLIP) s = CLIP;
  s += BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

/** One mu-law code to its 16-bit linear value (G.711 Table 2, decoder output x4). */
export function mulawToLinear(code: number): number {
  return DECODE_TABLE[code & 0xff];
}

/** PCMU payload (RFC 3551 4.5.14: one octet per sample) from 16-bit linear samples. */
export function encodePcmu(samples: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = linearToMulaw(samples[i]);
  return out;
}

/** 16-bit linear samples from a PCMU payload. */
export function decodePcmu(payload: Uint8Array): Int16Array {
  const out = new Int16Array(payload.length);
  for (let i = 0; i < payload.length; i++) out[i] = DECODE_TABLE[payload[i]];
  return out;
}

/** The mu-law code of a zero sample (0xFF): what a silent PCMU frame is made of. */
export const MULAW_SILENCE = 0xff;

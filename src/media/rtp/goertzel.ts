// Tone detection with the Goertzel algorithm (the generalised form, for a frequency that need
// not fall on a DFT bin): the level of one frequency component in dBm0, compared with the
// level of the whole signal, tells the right tone from silence and from another tone.
import { rmsToDbm0 } from "./tone.ts";

/** Below this total level a signal counts as silence (mu-law's smallest non-zero step is about -66 dBm0). */
export const SILENCE_DBM0 = -60;

/**
 * The mean square (power) of the component of `samples` at `frequency`: 2|X(w)|^2 / N^2, from
 * the Goertzel recursion s[n] = x[n] + 2cos(w)s[n-1] - s[n-2], |X|^2 = s1^2 + s2^2 - 2cos(w)s1s2.
 * For a sine of amplitude A at that frequency it is A^2/2, its RMS squared.
 */
export function goertzelPower(samples: ArrayLike<number>, sampleRate: number, frequency: number): number {
  const n = samples.length;
  if (n === 0) return 0;
  const coeff = 2 * Math.cos((2 * Math.PI * frequency) / sampleRate);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const s = samples[i] + coeff * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  const magnitude2 = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return (2 * Math.max(0, magnitude2)) / (n * n);
}

/** Mean square of the whole signal. */
export function meanSquare(samples: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i] * samples[i];
  return samples.length === 0 ? 0 : sum / samples.length;
}

/** The level of the whole signal in dBm0 (16-bit linear PCM, see tone.ts). */
export function levelDbm0(samples: ArrayLike<number>): number {
  return rmsToDbm0(Math.sqrt(meanSquare(samples)));
}

/** The level of the component at `frequency` in dBm0. */
export function toneLevelDbm0(samples: ArrayLike<number>, sampleRate: number, frequency: number): number {
  return rmsToDbm0(Math.sqrt(goertzelPower(samples, sampleRate, frequency)));
}

export interface ToneSpec {
  /** Hz. */
  readonly frequency: number;
  /** Expected level in dBm0; any level when absent. */
  readonly levelDbm0?: number;
  /** Allowed difference from levelDbm0 in dB (default 3). */
  readonly toleranceDb?: number;
  /** Least share of the signal's power the tone must carry (default 0.5: the tone dominates). */
  readonly minPurity?: number;
}

export interface ToneMeasurement {
  readonly frequency: number;
  /** Level of the component at `frequency`. */
  readonly levelDbm0: number;
  /** Level of the whole signal. */
  readonly totalLevelDbm0: number;
  /** Share of the signal's power at `frequency`, 0..1. */
  readonly purity: number;
  readonly silent: boolean;
  /** The tone is there: not silence, dominant, at the expected level within tolerance. */
  readonly present: boolean;
  readonly samples: number;
}

/** Whether `samples` carry the tone of `spec`, with the levels measured. */
export function detectTone(samples: ArrayLike<number>, sampleRate: number, spec: ToneSpec): ToneMeasurement {
  const total = meanSquare(samples);
  const component = goertzelPower(samples, sampleRate, spec.frequency);
  const totalLevelDbm0 = rmsToDbm0(Math.sqrt(total));
  const level = rmsToDbm0(Math.sqrt(component));
  const purity = total > 0 ? Math.min(1, component / total) : 0;
  const silent = totalLevelDbm0 < SILENCE_DBM0;
  const levelOk = spec.levelDbm0 === undefined || Math.abs(level - spec.levelDbm0) <= (spec.toleranceDb ?? 3);
  return {
    frequency: spec.frequency,
    levelDbm0: round2(level),
    totalLevelDbm0: round2(totalLevelDbm0),
    purity: round2(purity),
    silent,
    present: !silent && purity >= (spec.minPurity ?? 0.5) && levelOk,
    samples: samples.length,
  };
}

/**
 * The strongest frequency between `from` and `to` Hz in steps of `step` Hz (a coarse scan for
 * diagnostics: "a 697 Hz tone arrived instead"); undefined for silence.
 */
export function dominantFrequency(samples: ArrayLike<number>, sampleRate: number, from = 100, to = sampleRate / 2 - 100, step = 10): number | undefined {
  if (levelDbm0(samples) < SILENCE_DBM0) return undefined;
  let best: number | undefined;
  let bestPower = 0;
  for (let f = from; f <= to; f += step) {
    const p = goertzelPower(samples, sampleRate, f);
    if (p > bestPower) {
      bestPower = p;
      best = f;
    }
  }
  return best;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

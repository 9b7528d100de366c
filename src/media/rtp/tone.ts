// Levels in dBm0 and a sine tone generator for test signals such as the 1004 Hz test tone
// (ITU-T O.41 / G.712 use 1004 Hz to avoid sampling-rate sub-harmonics).
//
// ITU-T G.711 puts the mu-law overload point (T_max) at +3.17 dBm0; T_max is 8159 in G.711's
// 14-bit scale, 32636 in the 16-bit linear scale used here, so a 0 dBm0 sine has a peak of
// 32636 / 10^(3.17/20) = 22657 and an RMS of 16021.

/** Peak of a 0 dBm0 sine in 16-bit linear PCM (G.711 mu-law: T_max = +3.17 dBm0 = 32636). */
export const DBM0_PEAK = 32636 / 10 ** (3.17 / 20);
/** RMS of a 0 dBm0 sine in 16-bit linear PCM. */
export const DBM0_RMS = DBM0_PEAK / Math.SQRT2;
/** The floor reported for silence (a level of -Infinity is not JSON). */
export const LEVEL_FLOOR_DBM0 = -100;

/** An RMS value in 16-bit linear PCM to dBm0, floored at LEVEL_FLOOR_DBM0. */
export function rmsToDbm0(rms: number): number {
  if (!(rms > 0)) return LEVEL_FLOOR_DBM0;
  return Math.max(LEVEL_FLOOR_DBM0, 20 * Math.log10(rms / DBM0_RMS));
}

/** The peak amplitude of a sine at `levelDbm0` in 16-bit linear PCM. */
export function sinePeak(levelDbm0: number): number {
  return DBM0_PEAK * 10 ** (levelDbm0 / 20);
}

export interface ToneOptions {
  /** Hz, e.g. 1004. */
  readonly frequency: number;
  /** Level of the sine in dBm0, e.g. -13; at most +3 (mu-law overloads at +3.17 dBm0). */
  readonly levelDbm0: number;
  /** Samples per second (default 8000, the G.711 rate). */
  readonly sampleRate?: number;
}

/** A continuous sine, handed out frame by frame with its phase carried over. */
export class ToneGenerator {
  private phase = 0;
  private readonly step: number;
  private readonly peak: number;
  readonly sampleRate: number;

  constructor(readonly options: ToneOptions) {
    this.sampleRate = options.sampleRate ?? 8000;
    if (!(options.frequency > 0 && options.frequency < this.sampleRate / 2))
      throw new RangeError(`tone frequency ${options.frequency} Hz is not between 0 and half the sampling rate ${this.sampleRate / 2} Hz`);
    if (!(options.levelDbm0 <= 3.17)) throw new RangeError(`tone level ${options.levelDbm0} dBm0 is above the mu-law overload point +3.17 dBm0 (G.711)`);
    this.step = (2 * Math.PI * options.frequency) / this.sampleRate;
    this.peak = sinePeak(options.levelDbm0);
  }

  /** The next `count` samples, 16-bit linear. */
  next(count: number): Int16Array {
    const out = new Int16Array(count);
    for (let i = 0; i < count; i++) {
      out[i] = Math.round(this.peak * Math.sin(this.phase));
      this.phase += this.step;
    }
    this.phase %= 2 * Math.PI;
    return out;
  }

  /** One frame of `ptimeMs` (default 20 ms: 160 samples at 8000 Hz). */
  frame(ptimeMs = 20): Int16Array {
    return this.next(Math.round((ptimeMs * this.sampleRate) / 1000));
  }
}

// What a sending stream puts in each packet: a source hands out one frame's payload at a time,
// for `samples` timestamp units (ptime x clock rate).
import { type AmrWbFormat, type AmrWbFrame, AMR_WB_NO_MODE_REQUEST, amrWbNoData, packAmrWb } from "./amr-wb.ts";
import { MULAW_SILENCE, encodePcmu } from "./g711.ts";
import { ToneGenerator, type ToneOptions } from "./tone.ts";

export interface PayloadSource {
  /** A short name for logs and stats, e.g. "PCMU 1004 Hz -13 dBm0". */
  readonly description: string;
  /** The payload of the next frame, `samples` timestamp units long. */
  next(samples: number): Uint8Array;
}

/** PCMU silence: every sample the mu-law code of zero (0xFF). */
export function pcmuSilence(): PayloadSource {
  let frame = new Uint8Array(0);
  return {
    description: "PCMU silence",
    next(samples) {
      if (frame.length !== samples) frame = new Uint8Array(samples).fill(MULAW_SILENCE);
      return frame;
    },
  };
}

/** A PCMU sine, e.g. pcmuTone({ frequency: 1004, levelDbm0: -13 }), continuous across frames. */
export function pcmuTone(options: Omit<ToneOptions, "sampleRate">): PayloadSource {
  const generator = new ToneGenerator({ ...options, sampleRate: 8000 });
  return { description: `PCMU ${options.frequency} Hz ${options.levelDbm0} dBm0`, next: (samples) => encodePcmu(generator.next(samples)) };
}

/**
 * AMR-WB frames (e.g. read from an .awb file with readAwb) played in a loop, one 20 ms frame per
 * 320 timestamp units (RFC 4867 4.1: the clock is 16000 Hz), packed per RFC 4867 4.3 or 4.4.
 */
export function amrWbFrames(frames: readonly AmrWbFrame[], format: AmrWbFormat, cmr = AMR_WB_NO_MODE_REQUEST): PayloadSource {
  if (frames.length === 0) throw new RangeError("amrWbFrames needs at least one frame");
  let next = 0;
  return {
    description: `AMR-WB ${frames.length} frames, ${format}`,
    next(samples) {
      const count = Math.max(1, Math.round(samples / 320));
      const out: AmrWbFrame[] = [];
      for (let i = 0; i < count; i++) {
        out.push(frames[next]);
        next = (next + 1) % frames.length;
      }
      return packAmrWb({ cmr, frames: out }, format);
    },
  };
}

/** AMR-WB packets with NO_DATA frames only (RFC 4867 4.3.2 FT 15): a stream that keeps its sequence going without speech. */
export function amrWbNoDataSource(format: AmrWbFormat): PayloadSource {
  const payload = packAmrWb({ cmr: AMR_WB_NO_MODE_REQUEST, frames: [amrWbNoData()] }, format);
  return { description: `AMR-WB NO_DATA, ${format}`, next: () => payload };
}

// A Clock on fake time for unit tests: nothing fires until advance() moves time forward.
import type { Clock, TimerHandle } from "../../src/sip/clock.ts";

interface FakeTimer {
  readonly at: number;
  /** Creation order, so that timers due at the same instant fire in the order they were set. */
  readonly seq: number;
  readonly fn: () => void;
}

export class FakeClock implements Clock {
  private time: number;
  private seq = 0;
  private readonly timers = new Map<TimerHandle, FakeTimer>();

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const handle = { fakeTimer: this.seq } as unknown as TimerHandle;
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    this.timers.set(handle, { at: this.time + delay, seq: this.seq++, fn });
    return handle;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle);
  }

  /**
   * Moves time forward by `ms`, firing every timer due up to the new time in time order (ties in
   * creation order), with now() equal to each timer's due time while it runs. Timers set by a
   * callback fire too when they fall due within the window.
   */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`cannot advance a clock by ${ms} ms`);
    const end = this.time + ms;
    for (;;) {
      let next: [TimerHandle, FakeTimer] | undefined;
      for (const entry of this.timers) {
        const t = entry[1];
        if (t.at > end) continue;
        if (!next || t.at < next[1].at || (t.at === next[1].at && t.seq < next[1].seq)) next = entry;
      }
      if (!next) break;
      this.timers.delete(next[0]);
      this.time = next[1].at;
      next[1].fn();
    }
    this.time = end;
  }

  /** Number of timers set and neither fired nor cleared. */
  pending(): number {
    return this.timers.size;
  }
}

// An injectable clock so that transaction timers can run on fake time in unit tests.

export type TimerHandle = { readonly __timer: unique symbol } | NodeJS.Timeout;

export interface Clock {
  /** Milliseconds, monotonic enough for deadlines (performance.timeOrigin + performance.now()). */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // Protocol timers must not keep a finished run alive.
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

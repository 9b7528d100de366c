// RFC 3261 17 (Timers D, I, J, K) and RFC 6026 7 (L, M): the wait of a transaction before it
// terminates. Under load thousands wait at once, each for one of a few durations: one clock timer
// per duration, with the waiting transactions in the order they started, rather than a timer and
// two closures for each (issue 17).
import type { Clock, TimerHandle } from "../clock.ts";

/** What waits on the queue: told when its wait, started at `at` minus its duration, is over. */
export interface Lingering {
  lingerEnded(at: number): void;
}

/** The transactions waiting for one duration: due times only grow, so the head is always next. */
class Fifo {
  waiting: (Lingering | undefined)[] = [];
  due: number[] = [];
  head = 0;
  timer: TimerHandle | undefined;
}

export class LingerQueue {
  private readonly byDuration = new Map<number, Fifo>();

  constructor(private readonly clock: Clock) {}

  /** Starts a wait of `ms`; returns its due time, which lingerEnded is given back. */
  add(waiter: Lingering, ms: number): number {
    const at = this.clock.now() + ms;
    let q = this.byDuration.get(ms);
    if (!q) this.byDuration.set(ms, (q = new Fifo()));
    q.waiting.push(waiter);
    q.due.push(at);
    if (q.timer === undefined) this.arm(q, ms);
    return at;
  }

  /** Ends the wait `waiter` started, due at `at`, without telling it: the queue lets go of it. */
  cancel(waiter: Lingering, at: number): void {
    for (const q of this.byDuration.values()) {
      // Due times only grow: the first at `at` is found by halving, then the waiter among equals
      let lo = q.head;
      let hi = q.due.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (q.due[mid] < at) lo = mid + 1;
        else hi = mid;
      }
      for (let i = lo; i < q.due.length && q.due[i] === at; i++) {
        if (q.waiting[i] !== waiter) continue;
        q.waiting[i] = undefined;
        return;
      }
    }
  }

  /** How many waits are queued (ended early ones included until they fall due). */
  get size(): number {
    let n = 0;
    for (const q of this.byDuration.values()) n += q.waiting.length - q.head;
    return n;
  }

  /** Clears the clock's timers; the waits left never end. */
  dispose(): void {
    for (const q of this.byDuration.values()) if (q.timer !== undefined) this.clock.clearTimeout(q.timer);
    this.byDuration.clear();
  }

  private arm(q: Fifo, ms: number): void {
    q.timer = this.clock.setTimeout(() => this.expire(q), Math.max(1, ms));
  }

  private expire(q: Fifo): void {
    q.timer = undefined;
    const now = this.clock.now();
    while (q.head < q.waiting.length && q.due[q.head] <= now) {
      const waiter = q.waiting[q.head];
      const at = q.due[q.head];
      q.waiting[q.head] = undefined;
      q.head++;
      waiter?.lingerEnded(at);
    }
    if (q.head === q.waiting.length) {
      q.waiting = [];
      q.due = [];
      q.head = 0;
      return;
    }
    // What fell due is dropped from the front once it is most of the arrays
    if (q.head > 1024 && q.head * 2 > q.waiting.length) {
      q.waiting = q.waiting.slice(q.head);
      q.due = q.due.slice(q.head);
      q.head = 0;
    }
    this.arm(q, q.due[q.head] - now);
  }
}

// A queue of things that happened (responses, requests, notifications) that steps wait for with a
// deadline; a timed-out wait lists what did arrive.
import { type Clock, type TimerHandle, systemClock } from "./clock.ts";
import type { Deadline } from "./deadline.ts";
import { ExpectationError } from "./failure.ts";

/** The longest delay a Node timer holds; Node fires a larger or infinite delay after 1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** One pending `next` or `observe`; a class rather than closures (a named function expression costs an own "name" property per call under tsx). */
class Waiter<T> {
  timer: TimerHandle | undefined;
  constructor(
    readonly match: (item: T) => boolean,
    /** A waiter from `next` takes the item; one from `observe` only looks at it. */
    readonly consume: boolean,
    private readonly done: (item: T) => void,
    private readonly clock: Clock,
  ) {}

  resolve(item: T): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.done(item);
  }
}

export class WaitableQueue<T> {
  private readonly items: T[] = [];
  /**
   * In the order they started. An array, not a Set: a queue that outlives many waits (a standing
   * UE's incoming calls under load) would churn a Set's table (see KeyedTable).
   */
  private readonly waiters: Waiter<T>[] = [];
  /** Everything ever pushed, consumed or not, in order. */
  readonly history: T[] = [];

  constructor(
    private readonly summarize: (item: T) => string,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Every waiter the item matches receives it; an item no waiter wanted is queued for a later `next`. */
  push(item: T): void {
    this.history.push(item);
    let taken = false;
    const waiters = this.waiters;
    for (let i = 0; i < waiters.length;) {
      const w = waiters[i];
      if (!w.match(item)) {
        i++;
        continue;
      }
      waiters.splice(i, 1);
      w.resolve(item);
      if (w.consume) taken = true;
    }
    if (!taken) this.items.push(item);
  }

  /** Empties `history` (what is queued stays): a UE that outlives its test case would keep every item otherwise. */
  forgetHistory(): void {
    this.history.length = 0;
  }

  take(match: (item: T) => boolean): T | undefined {
    const i = this.items.findIndex(match);
    return i < 0 ? undefined : this.items.splice(i, 1)[0];
  }

  /** Resolves with the first item matching, queued or future; rejects at the deadline naming what arrived. */
  next(match: (item: T) => boolean, deadline: Deadline, expected: string, clause?: string): Promise<T> {
    const found = this.take(match);
    if (found !== undefined) return Promise.resolve(found);
    return this.wait(match, deadline, expected, clause, true);
  }

  /** Resolves once an item matching has been pushed (now or earlier), leaving it for `next`. */
  observe(match: (item: T) => boolean, deadline: Deadline, expected: string, clause?: string): Promise<T> {
    const seen = this.history.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return this.wait(match, deadline, expected, clause, false);
  }

  private wait(match: (item: T) => boolean, deadline: Deadline, expected: string, clause: string | undefined, consume: boolean): Promise<T> {
    const started = this.clock.now();
    return new Promise<T>((resolve, reject) => {
      const waiter = new Waiter(match, consume, resolve, this.clock);
      this.arm(waiter, deadline, () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(
          new ExpectationError({
            expected,
            received: this.items.map(this.summarize),
            timeout: { ms: this.clock.now() - started, budget: deadline.budget },
            ...(clause ? { clause } : {}),
          }),
        );
      });
      this.waiters.push(waiter);
    });
  }

  /**
   * Deadline.never() has no timer at all, and a deadline beyond what a Node timer holds (2**31-1 ms;
   * a larger or infinite delay fires after 1 ms) waits in chunks.
   */
  private arm(waiter: Waiter<T>, deadline: Deadline, expire: () => void): void {
    const remaining = deadline.remaining();
    if (!Number.isFinite(remaining)) return;
    const chunk = Math.min(remaining, MAX_TIMER_MS);
    waiter.timer = this.clock.setTimeout(() => {
      if (chunk < remaining) this.arm(waiter, deadline, expire);
      else expire();
    }, chunk);
  }

  pending(): readonly T[] {
    return this.items;
  }
}

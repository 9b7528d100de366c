// A queue of things that happened (responses, requests, notifications) that steps wait for with a
// deadline; a timed-out wait lists what did arrive.
import { type Clock, type TimerHandle, systemClock } from "./clock.ts";
import type { Deadline } from "./deadline.ts";
import { ExpectationError } from "./failure.ts";

/** The longest delay a Node timer holds; Node fires a larger or infinite delay after 1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Waiter<T> {
  readonly match: (item: T) => boolean;
  readonly resolve: (item: T) => void;
  /** A waiter from `next` takes the item; one from `observe` only looks at it. */
  readonly consume: boolean;
}

export class WaitableQueue<T> {
  private readonly items: T[] = [];
  private readonly waiters = new Set<Waiter<T>>();
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
    for (const w of this.waiters) {
      if (w.match(item)) {
        this.waiters.delete(w);
        w.resolve(item);
        if (w.consume) taken = true;
      }
    }
    if (!taken) this.items.push(item);
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
      let timer: TimerHandle | undefined;
      const waiter: Waiter<T> = {
        match,
        consume,
        resolve: (item) => {
          if (timer !== undefined) this.clock.clearTimeout(timer);
          resolve(item);
        },
      };
      // Deadline.never() has no timer at all, and a deadline beyond what a Node timer holds
      // (2**31-1 ms; a larger or infinite delay fires after 1 ms) waits in chunks.
      const arm = (): void => {
        const remaining = deadline.remaining();
        if (!Number.isFinite(remaining)) return;
        const chunk = Math.min(remaining, MAX_TIMER_MS);
        timer = this.clock.setTimeout(() => {
          if (chunk < remaining) {
            arm();
            return;
          }
          this.waiters.delete(waiter);
          reject(
            new ExpectationError({
              expected,
              received: this.items.map(this.summarize),
              timeout: { ms: this.clock.now() - started, budget: deadline.budget },
              ...(clause ? { clause } : {}),
            }),
          );
        }, chunk);
      };
      arm();
      this.waiters.add(waiter);
    });
  }

  pending(): readonly T[] {
    return this.items;
  }
}

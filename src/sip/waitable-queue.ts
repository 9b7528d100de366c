// A queue of things that happened (responses, requests, notifications) that steps wait for with a
// deadline; a timed-out wait lists what did arrive.
import { type Clock, systemClock } from "./clock.ts";
import type { Deadline } from "./deadline.ts";
import { ExpectationError } from "./failure.ts";

interface Waiter<T> {
  readonly match: (item: T) => boolean;
  readonly resolve: (item: T) => void;
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

  push(item: T): void {
    this.history.push(item);
    for (const w of this.waiters) {
      if (w.match(item)) {
        this.waiters.delete(w);
        w.resolve(item);
        return;
      }
    }
    this.items.push(item);
  }

  take(match: (item: T) => boolean): T | undefined {
    const i = this.items.findIndex(match);
    return i < 0 ? undefined : this.items.splice(i, 1)[0];
  }

  /** Resolves with the first item matching, queued or future; rejects at the deadline naming what arrived. */
  next(match: (item: T) => boolean, deadline: Deadline, expected: string, clause?: string): Promise<T> {
    const found = this.take(match);
    if (found !== undefined) return Promise.resolve(found);
    const started = this.clock.now();
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter<T> = {
        match,
        resolve: (item) => {
          this.clock.clearTimeout(timer);
          resolve(item);
        },
      };
      const timer = this.clock.setTimeout(() => {
        this.waiters.delete(waiter);
        reject(
          new ExpectationError({
            expected,
            received: this.items.map(this.summarize),
            timeout: { ms: this.clock.now() - started, budget: deadline.budget },
            ...(clause ? { clause } : {}),
          }),
        );
      }, deadline.remaining());
      this.waiters.add(waiter);
    });
  }

  pending(): readonly T[] {
    return this.items;
  }
}

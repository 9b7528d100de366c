// One timer for every sending stream of the process: tasks are kept in a binary heap by due
// time, and the timer is set for the earliest. A thousand streams at 50 packets/s cost one timer
// firing per millisecond at most, not 50,000 timers a second.
import { mediaNow } from "./wait.ts";

export interface PacedTask {
  /** Runs at (or just after) its due time; returns the next due time, or undefined to stop. */
  run(now: number): number | undefined;
}

interface Entry {
  readonly due: number;
  readonly task: PacedTask;
  readonly generation: number;
}

/** Tasks due within this much of now run in the same firing (timers have millisecond resolution). */
const EARLY_MS = 0.5;
/** Node's largest timer delay. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class Pacer {
  private readonly heap: Entry[] = [];
  private readonly generations = new Map<PacedTask, number>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;

  /** Runs `task` at `due` (ms on mediaNow's clock), replacing any earlier schedule of it. */
  schedule(task: PacedTask, due: number): void {
    const generation = (this.generations.get(task) ?? 0) + 1;
    this.generations.set(task, generation);
    this.push({ due, task, generation });
    this.arm();
  }

  cancel(task: PacedTask): void {
    this.generations.delete(task);
  }

  /** Tasks scheduled (for tests). */
  get size(): number {
    return this.generations.size;
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    const now = mediaNow();
    while (this.heap.length > 0 && this.heap[0].due <= now + EARLY_MS) {
      const e = this.pop();
      if (this.generations.get(e.task) !== e.generation) continue;
      let next: number | undefined;
      try {
        next = e.task.run(now);
      } catch (err) {
        // a task that throws is stopped; the error surfaces the way an uncaught one would, without stopping the other tasks
        this.generations.delete(e.task);
        queueMicrotask(() => {
          throw err;
        });
        continue;
      }
      if (next === undefined) this.generations.delete(e.task);
      else this.push({ due: next, task: e.task, generation: e.generation });
    }
    this.arm();
  }

  private arm(): void {
    // drop stale entries at the top so that the timer is set for a live one
    while (this.heap.length > 0 && this.generations.get(this.heap[0].task) !== this.heap[0].generation) this.pop();
    if (this.heap.length === 0) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.timerAt = Number.POSITIVE_INFINITY;
      return;
    }
    const due = this.heap[0].due;
    if (this.timer && this.timerAt <= due) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = due;
    this.timer = setTimeout(() => this.fire(), Math.min(MAX_TIMER_MS, Math.max(0, Math.floor(due - mediaNow()))));
    // the streams' sockets keep the process alive while they are open, not the pacer
    this.timer.unref();
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent].due <= e.due) break;
      h[i] = h[parent];
      i = parent;
    }
    h[i] = e;
  }

  private pop(): Entry {
    const h = this.heap;
    const top = h[0];
    const last = h.pop() as Entry;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const r = l + 1;
        const c = r < h.length && h[r].due < h[l].due ? r : l;
        if (h[c].due >= last.due) break;
        h[i] = h[c];
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}

/** The process's pacer, shared by every MediaStream. */
export const sharedPacer = new Pacer();

// Every wait has an absolute deadline; an inner wait never outlives its parent, and a timeout
// names the budget that ran out.
import { type Clock, systemClock } from "./clock.ts";

export class Deadline {
  private constructor(
    /** Absolute time in the clock's milliseconds. */
    readonly at: number,
    /** What the budget is for, e.g. "64*T1 for REGISTER" or "step 'UE-A receives 200'". */
    readonly budget: string,
    readonly clock: Clock,
  ) {}

  static after(ms: number, budget: string, clock: Clock = systemClock): Deadline {
    return new Deadline(clock.now() + ms, budget, clock);
  }

  static never(clock: Clock = systemClock): Deadline {
    return new Deadline(Number.POSITIVE_INFINITY, "no deadline", clock);
  }

  /** The earlier of this deadline and one `ms` from now, keeping the name of whichever is earlier. */
  within(ms: number, budget: string): Deadline {
    const at = this.clock.now() + ms;
    return at < this.at ? new Deadline(at, budget, this.clock) : this;
  }

  earliest(other: Deadline | undefined): Deadline {
    return other && other.at < this.at ? other : this;
  }

  remaining(): number {
    return Math.max(0, this.at - this.clock.now());
  }

  expired(): boolean {
    return this.clock.now() >= this.at;
  }
}

/** A wait that reached its deadline. */
export class TimeoutError extends Error {
  constructor(
    message: string,
    readonly budget: string,
    readonly waitedMs: number,
  ) {
    super(message);
    this.name = "TimeoutError";
  }
}

// A bounded ring of per-second samples of a received stream, for plotting: packets and jitter
// each second. Memory stays fixed whatever the call's length; the oldest seconds fall off.

export interface SecondSample {
  /** Unix-epoch second the sample covers. */
  readonly second: number;
  readonly packets: number;
  /** Interarrival jitter (RFC 3550 A.8) in ms at the last packet of that second. */
  readonly jitterMs: number;
}

export class PerSecondRing {
  private readonly seconds: Float64Array;
  private readonly packets: Uint32Array;
  private readonly jitter: Float64Array;
  /** Index of the newest sample; -1 while empty. */
  private head = -1;
  private size = 0;

  constructor(readonly capacity = 300) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.seconds = new Float64Array(capacity);
    this.packets = new Uint32Array(capacity);
    this.jitter = new Float64Array(capacity);
  }

  /** Counts one packet that arrived at `arrivalMs` with the jitter then in force. */
  add(arrivalMs: number, jitterMs: number): void {
    const second = Math.floor(arrivalMs / 1000);
    if (this.head < 0 || second > this.seconds[this.head]) {
      // seconds without packets are samples too (0 packets), up to the ring's capacity
      const last = this.head < 0 ? second - 1 : this.seconds[this.head];
      const lastJitter = this.head < 0 ? jitterMs : this.jitter[this.head];
      for (let s = Math.max(last + 1, second - this.capacity + 1); s <= second; s++) this.push(s, s === second ? jitterMs : lastJitter);
    } else if (second < this.seconds[this.head]) {
      return; // a clock step backwards: the sample is dropped rather than misplaced
    }
    this.packets[this.head]++;
    this.jitter[this.head] = jitterMs;
  }

  /** Oldest first. */
  samples(): SecondSample[] {
    const out: SecondSample[] = [];
    for (let i = this.size - 1; i >= 0; i--) {
      const at = (this.head - i + this.capacity) % this.capacity;
      out.push({ second: this.seconds[at], packets: this.packets[at], jitterMs: round3(this.jitter[at]) });
    }
    return out;
  }

  private push(second: number, jitterMs: number): void {
    this.head = (this.head + 1) % this.capacity;
    this.seconds[this.head] = second;
    this.packets[this.head] = 0;
    this.jitter[this.head] = jitterMs;
    this.size = Math.min(this.capacity, this.size + 1);
  }
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

// The last moments of decoded audio a stream received, in a fixed buffer: enough to measure a
// tone or tell silence after the fact, never more than the capacity given.

export class AudioRing {
  private readonly buffer: Int16Array;
  private end = 0;
  private filled = 0;

  constructor(readonly capacity: number) {
    this.buffer = new Int16Array(Math.max(0, Math.floor(capacity)));
  }

  push(samples: Int16Array): void {
    const cap = this.buffer.length;
    if (cap === 0) return;
    const take = samples.length > cap ? samples.subarray(samples.length - cap) : samples;
    const first = Math.min(take.length, cap - this.end);
    this.buffer.set(take.subarray(0, first), this.end);
    this.buffer.set(take.subarray(first), 0);
    this.end = (this.end + take.length) % cap;
    this.filled = Math.min(cap, this.filled + take.length);
  }

  /** The most recent `count` samples (fewer when fewer were received), oldest first. */
  recent(count = this.filled): Int16Array {
    const n = Math.min(count, this.filled);
    const out = new Int16Array(n);
    const cap = this.buffer.length;
    const start = (this.end - n + cap) % cap;
    const first = Math.min(n, cap - start);
    out.set(this.buffer.subarray(start, start + first), 0);
    out.set(this.buffer.subarray(0, n - first), first);
    return out;
  }

  get length(): number {
    return this.filled;
  }
}

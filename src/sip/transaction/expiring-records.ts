// What must be remembered after a transaction or a dialog ended, for the waits of RFC 3261 17.1.2.2
// and 17.2.2 (Timers K and J), RFC 6026 7.2 (Timer M) and 13.2.2.4 (ACKs of an ended dialog): under
// load hundreds of thousands at once. Kept outside the objects the collector traces (issue 17):
// bytes in chunks that double from 2 KiB to 1 MiB (full ones reused once every record in them has
// expired), the rest in typed arrays made at the first record, found through a hash table of slots
// in a typed array too (no Map: one of hundreds of thousands of entries churned and was rehashed
// into ever new tables in old space). Nothing runs when a record
// expires: it is no longer found, and its room is taken back when the records before it have
// expired too.
import type { Clock, TimerHandle } from "../clock.ts";
import { keyHash } from "../keyed-table.ts";

/** A record as stored: its fields are byte strings (one character per byte, latin1). */
export interface ExpiringRecord {
  readonly key: string;
  /** When it stops being found (ms of the clock). */
  readonly due: number;
  /** A small number the owner gives meaning to (e.g. a status code and a kind). */
  readonly meta: number;
  readonly fields: readonly string[];
}

const NO_SLOT = -1;
const FIRST_SLOTS = 8;
/** Chunks start small and double up to CHUNK: a UE with a few records (10,000 in one process) keeps a few KiB, not a MiB. */
const FIRST_CHUNK = 2048;
const CHUNK = 1 << 20;
/** Emptied chunks kept for reuse: fresh memory costs a page fault per 4 KiB written. */
const SPARE_CHUNKS = 4;
/** How often at most the store sweeps on its own (see armSweep): the room of expired records is taken back within this. */
const SWEEP_EVERY = 1000;
/** Shared by every instance until its first record (never written while empty). */
const NO_ROWS = new Float64Array(0);
const NO_HEADS = new Int32Array(0);
const HASH = 0;
const DUE = 1;
const META = 2;
const CHUNK_NUMBER = 3;
const OFFSET = 4;
const OLDER = 5;
const COLUMNS = 6;

export class ExpiringRecords {
  private slots = 0;
  /**
   * A row of COLUMNS numbers per slot, one typed array for all (each is an ArrayBuffer of its own:
   * fewer is lighter for a UE with a few records): the key's hash, the due time, the meta, where the
   * record starts (the number of its chunk, counted from the first ever, and the offset in it), and
   * the next older slot in the same bucket of `heads` (or NO_SLOT).
   */
  private rows = NO_ROWS;
  /** Twice as many buckets as slots, by the low bits of the key's hash: the newest slot in each, or NO_SLOT. */
  private heads = NO_HEADS;
  /** Slot of the oldest record, and how many are stored (expired ones included until swept). */
  private head = 0;
  private count = 0;
  /** The chunks that hold records, oldest first; the number of the first; how much of the last is used. */
  private chunks: Buffer[] = [];
  private firstChunk = 0;
  private used = 0;
  private nextChunk = FIRST_CHUNK;
  private spare: Buffer[] = [];
  /** The one clock timer of the store while it holds records. */
  private sweeper: TimerHandle | undefined;

  constructor(private readonly clock: Clock) {}

  /** Records stored and not yet swept (expired ones still stored behind a later one count). */
  get size(): number {
    this.sweep(this.clock.now());
    return this.count;
  }

  /**
   * Stores `fields` under `key` until `due`. Fields are byte strings (a character per byte) or
   * Buffers; a later record under the same key hides an earlier one.
   */
  add(key: string, due: number, fields: readonly (string | Buffer)[] = [], meta = 0): void {
    this.sweep(this.clock.now());
    const hash = keyHash(key);
    const keyLength = Buffer.byteLength(key, "utf8");
    let length = 4 + keyLength + 2;
    for (const f of fields) length += 4 + f.length;
    if (this.count === this.slots) this.growSlots();
    const b = this.room(length);
    const slot = (this.head + this.count) & (this.slots - 1);
    this.rows[slot * COLUMNS + CHUNK_NUMBER] = this.firstChunk + this.chunks.length - 1;
    this.rows[slot * COLUMNS + OFFSET] = this.used;
    let p = this.used;
    this.used += length;
    b.writeUInt32LE(keyLength, p);
    b.write(key, p + 4, keyLength, "utf8");
    p += 4 + keyLength;
    b.writeUInt16LE(fields.length, p);
    p += 2;
    for (const f of fields) {
      b.writeUInt32LE(f.length, p);
      if (typeof f === "string") b.write(f, p + 4, f.length, "latin1");
      else b.set(f, p + 4); // TypedArray set: what Buffer.copy ends in, without its argument handling
      p += 4 + f.length;
    }
    const row = slot * COLUMNS;
    this.rows[row + HASH] = hash;
    this.rows[row + DUE] = due;
    this.rows[row + META] = meta;
    this.link(slot, hash);
    this.count++;
    this.armSweep();
  }

  /** The newest record under `key` that is not yet due, if any. */
  find(key: string): ExpiringRecord | undefined {
    const now = this.clock.now();
    this.sweep(now);
    if (this.count === 0) return undefined;
    const hash = keyHash(key);
    for (let slot = this.heads[hash & (this.heads.length - 1)]; slot !== NO_SLOT; slot = this.rows[slot * COLUMNS + OLDER]) {
      const row = slot * COLUMNS;
      if (this.rows[row + HASH] === hash && this.rows[row + DUE] > now && this.keyAt(slot) === key) return this.read(slot, key);
    }
    return undefined;
  }

  has(key: string): boolean {
    return this.find(key) !== undefined;
  }

  /** Forgets every record, gives back the room and stops the store's timer. */
  clear(): void {
    if (this.sweeper !== undefined) this.clock.clearTimeout(this.sweeper);
    this.sweeper = undefined;
    this.head = this.count = 0;
    this.release();
  }

  /** Back to the state before the first record: a store that holds nothing keeps no memory (a UE that went idle). */
  private release(): void {
    this.firstChunk += this.chunks.length;
    this.chunks = [];
    this.spare = [];
    this.used = 0;
    this.nextChunk = FIRST_CHUNK;
    this.slots = 0;
    this.rows = NO_ROWS;
    this.heads = NO_HEADS;
  }

  /**
   * One clock timer while records are stored, due when the oldest is (at most once a second): an
   * idle store gives its room back too, not only when the next record comes.
   */
  private armSweep(): void {
    if (this.sweeper !== undefined || this.count === 0) return;
    const wait = Math.max(SWEEP_EVERY, this.rows[this.head * COLUMNS + DUE] - this.clock.now());
    this.sweeper = this.clock.setTimeout(() => {
      this.sweeper = undefined;
      this.sweep(this.clock.now());
      this.armSweep();
    }, wait);
  }

  /** Drops the records at the front that are due; one due later keeps those behind it until it is. */
  private sweep(now: number): void {
    while (this.count > 0 && this.rows[this.head * COLUMNS + DUE] <= now) {
      const slot = this.head;
      const bucket = this.rows[slot * COLUMNS + HASH] & (this.heads.length - 1);
      // The oldest record is the last of its bucket's chain
      let s = this.heads[bucket];
      if (s === slot) this.heads[bucket] = NO_SLOT;
      else {
        while (s !== NO_SLOT && this.rows[s * COLUMNS + OLDER] !== slot) s = this.rows[s * COLUMNS + OLDER];
        if (s !== NO_SLOT) this.rows[s * COLUMNS + OLDER] = NO_SLOT;
      }
      this.head = (this.head + 1) & (this.slots - 1);
      this.count--;
    }
    if (this.count === 0) {
      this.head = 0;
      if (this.slots > 0) this.release();
      return;
    }
    // The chunks before the oldest record's are empty: reused, or let go
    const keep = this.rows[this.head * COLUMNS + CHUNK_NUMBER];
    while (this.firstChunk < keep) {
      const chunk = this.chunks.shift()!;
      this.firstChunk++;
      if (chunk.length === CHUNK && this.spare.length < SPARE_CHUNKS) this.spare.push(chunk);
    }
  }

  /** The chunk a record of `length` bytes goes in, at `used`: a new one when the last is full. */
  private room(length: number): Buffer {
    const last = this.chunks[this.chunks.length - 1];
    if (last && this.used + length <= last.length) return last;
    // A record larger than the chunk due gets a chunk of its own size; a spare (full-size) one serves any other.
    // Never from Buffer's shared pool: a small chunk kept for long would keep its whole 8 KiB slab
    const size = Math.max(this.nextChunk, length);
    if (this.nextChunk < CHUNK) this.nextChunk *= 2;
    const chunk = (size <= CHUNK ? this.spare.pop() : undefined) ?? Buffer.allocUnsafeSlow(size);
    this.chunks.push(chunk);
    this.used = 0;
    return chunk;
  }

  private chunkAt(slot: number): Buffer {
    return this.chunks[this.rows[slot * COLUMNS + CHUNK_NUMBER] - this.firstChunk];
  }

  private growSlots(): void {
    const slots = Math.max(FIRST_SLOTS, this.slots * 2);
    const rows = new Float64Array(slots * COLUMNS);
    // In order from the oldest, which is slot 0 from now on (the ring in at most two pieces); the chains are made again
    const first = Math.min(this.count, this.slots - this.head);
    rows.set(this.rows.subarray(this.head * COLUMNS, (this.head + first) * COLUMNS), 0);
    if (first < this.count) rows.set(this.rows.subarray(0, (this.count - first) * COLUMNS), first * COLUMNS);
    this.rows = rows;
    this.slots = slots;
    this.head = 0;
    this.heads = new Int32Array(slots * 2).fill(NO_SLOT);
    for (let slot = 0; slot < this.count; slot++) this.link(slot, rows[slot * COLUMNS + HASH]);
  }

  /** Makes `slot` the newest of its bucket. */
  private link(slot: number, hash: number): void {
    const bucket = hash & (this.heads.length - 1);
    this.rows[slot * COLUMNS + OLDER] = this.heads[bucket];
    this.heads[bucket] = slot;
  }

  private keyAt(slot: number): string {
    const b = this.chunkAt(slot);
    const p = this.rows[slot * COLUMNS + OFFSET];
    return b.toString("utf8", p + 4, p + 4 + b.readUInt32LE(p));
  }

  private read(slot: number, key: string): ExpiringRecord {
    const b = this.chunkAt(slot);
    let p = this.rows[slot * COLUMNS + OFFSET];
    p += 4 + b.readUInt32LE(p);
    const n = b.readUInt16LE(p);
    p += 2;
    const fields: string[] = [];
    for (let i = 0; i < n; i++) {
      const length = b.readUInt32LE(p);
      fields.push(b.toString("latin1", p + 4, p + 4 + length));
      p += 4 + length;
    }
    return { key, due: this.rows[slot * COLUMNS + DUE], meta: this.rows[slot * COLUMNS + META], fields };
  }
}

/** A string as a byte string for a record's field: its UTF-8 bytes, a character each. */
export function byteString(s: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(s) ? s : Buffer.from(s, "utf8").toString("latin1");
}

// What must be remembered after a transaction or a dialog ended, for the waits of RFC 3261 17.1.2.2
// (Timer K), RFC 6026 7.2 (Timer M) and 13.2.2.4 (ACKs of an ended dialog): under load hundreds of
// thousands at once. Kept outside the objects the collector traces (issue 17): bytes in chunks of
// 1 MiB, reused once every record in them has expired, the rest in typed arrays, and a Map from a
// numeric hash of the key to a slot (numbers only, so that it holds no object per record). Nothing
// runs when a record expires: it is no longer found, and its room is taken back when the records
// before it have expired too.
import type { Clock } from "../clock.ts";

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
const FIRST_SLOTS = 64;
const CHUNK = 1 << 20;
/** Emptied chunks kept for reuse: fresh memory costs a page fault per 4 KiB written. */
const SPARE_CHUNKS = 4;

export class ExpiringRecords {
  private slots = FIRST_SLOTS;
  private hashes = new Int32Array(FIRST_SLOTS);
  private dues = new Float64Array(FIRST_SLOTS);
  private metas = new Int32Array(FIRST_SLOTS);
  /** Where each record starts: the number of its chunk (counted from the first ever) and the offset in it. */
  private chunkNumbers = new Float64Array(FIRST_SLOTS);
  private offsets = new Int32Array(FIRST_SLOTS);
  /** The next older slot whose key has the same hash, or NO_SLOT. */
  private older = new Int32Array(FIRST_SLOTS);
  /** Slot of the oldest record, and how many are stored (expired ones included until swept). */
  private head = 0;
  private count = 0;
  /** Hash of the key -> the newest slot with that hash. */
  private readonly index = new Map<number, number>();
  /** The chunks that hold records, oldest first; the number of the first; how much of the last is used. */
  private chunks: Buffer[] = [];
  private firstChunk = 0;
  private used = 0;
  private readonly spare: Buffer[] = [];

  constructor(private readonly clock: Clock) {}

  /** Records stored and not yet swept (expired ones still in the ring behind a later one count). */
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
    const h = hashOf(key);
    // hashOf tells an ASCII key (most are: branches, tags, Call-IDs) by a negative sign
    const ascii = h < 0;
    const hash = ascii ? ~h : h;
    const keyLength = ascii ? key.length : Buffer.byteLength(key, "utf8");
    let length = 4 + keyLength + 2;
    for (const f of fields) length += 4 + f.length;
    if (this.count === this.slots) this.growSlots();
    const b = this.room(length);
    const slot = (this.head + this.count) & (this.slots - 1);
    this.chunkNumbers[slot] = this.firstChunk + this.chunks.length - 1;
    this.offsets[slot] = this.used;
    let p = this.used;
    this.used += length;
    b.writeUInt32LE(keyLength, p);
    b.write(key, p + 4, keyLength, ascii ? "latin1" : "utf8");
    p += 4 + keyLength;
    b.writeUInt16LE(fields.length, p);
    p += 2;
    for (const f of fields) {
      b.writeUInt32LE(f.length, p);
      if (typeof f === "string") b.write(f, p + 4, f.length, "latin1");
      else f.copy(b, p + 4);
      p += 4 + f.length;
    }
    this.hashes[slot] = hash;
    this.dues[slot] = due;
    this.metas[slot] = meta;
    this.older[slot] = this.index.get(hash) ?? NO_SLOT;
    this.index.set(hash, slot);
    this.count++;
  }

  /** The newest record under `key` that is not yet due, if any. */
  find(key: string): ExpiringRecord | undefined {
    const now = this.clock.now();
    this.sweep(now);
    const h = hashOf(key);
    let slot = this.index.get(h < 0 ? ~h : h) ?? NO_SLOT;
    while (slot !== NO_SLOT) {
      if (this.dues[slot] > now && this.keyAt(slot) === key) return this.read(slot, key);
      slot = this.older[slot];
    }
    return undefined;
  }

  has(key: string): boolean {
    return this.find(key) !== undefined;
  }

  clear(): void {
    this.index.clear();
    this.head = this.count = 0;
    this.firstChunk += this.chunks.length;
    this.chunks = [];
    this.used = 0;
  }

  /** Drops the records at the front that are due; one due later keeps those behind it until it is. */
  private sweep(now: number): void {
    while (this.count > 0 && this.dues[this.head] <= now) {
      const slot = this.head;
      const h = this.hashes[slot];
      // The oldest record is the last of its hash's chain
      const newest = this.index.get(h);
      if (newest === slot) this.index.delete(h);
      else {
        let s = newest ?? NO_SLOT;
        while (s !== NO_SLOT && this.older[s] !== slot) s = this.older[s];
        if (s !== NO_SLOT) this.older[s] = NO_SLOT;
      }
      this.head = (this.head + 1) & (this.slots - 1);
      this.count--;
    }
    // The chunks before the oldest record's are empty: reused, or let go
    const keep = this.count > 0 ? this.chunkNumbers[this.head] : this.firstChunk + this.chunks.length - 1;
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
    // A record larger than a chunk gets a chunk of its own size
    const chunk = (length <= CHUNK && this.spare.pop()) || Buffer.allocUnsafe(Math.max(CHUNK, length));
    this.chunks.push(chunk);
    this.used = 0;
    return chunk;
  }

  private chunkAt(slot: number): Buffer {
    return this.chunks[this.chunkNumbers[slot] - this.firstChunk];
  }

  private growSlots(): void {
    const slots = this.slots * 2;
    const order = (a: Int32Array | Float64Array, b: Int32Array | Float64Array): void => {
      for (let i = 0; i < this.count; i++) b[i] = a[(this.head + i) & (this.slots - 1)];
    };
    const hashes = new Int32Array(slots);
    const dues = new Float64Array(slots);
    const metas = new Int32Array(slots);
    const chunkNumbers = new Float64Array(slots);
    const offsets = new Int32Array(slots);
    order(this.hashes, hashes);
    order(this.dues, dues);
    order(this.metas, metas);
    order(this.chunkNumbers, chunkNumbers);
    order(this.offsets, offsets);
    this.hashes = hashes;
    this.dues = dues;
    this.metas = metas;
    this.chunkNumbers = chunkNumbers;
    this.offsets = offsets;
    this.older = new Int32Array(slots);
    this.slots = slots;
    this.head = 0;
    this.index.clear();
    for (let slot = 0; slot < this.count; slot++) {
      this.older[slot] = this.index.get(hashes[slot]) ?? NO_SLOT;
      this.index.set(hashes[slot], slot);
    }
  }

  private keyAt(slot: number): string {
    const b = this.chunkAt(slot);
    const p = this.offsets[slot];
    return b.toString("utf8", p + 4, p + 4 + b.readUInt32LE(p));
  }

  private read(slot: number, key: string): ExpiringRecord {
    const b = this.chunkAt(slot);
    let p = this.offsets[slot];
    p += 4 + b.readUInt32LE(p);
    const n = b.readUInt16LE(p);
    p += 2;
    const fields: string[] = [];
    for (let i = 0; i < n; i++) {
      const length = b.readUInt32LE(p);
      fields.push(b.toString("latin1", p + 4, p + 4 + length));
      p += 4 + length;
    }
    return { key, due: this.dues[slot], meta: this.metas[slot], fields };
  }
}

/**
 * FNV-1a over the UTF-16 code units, kept to 30 bits so that it is a small integer (no heap number)
 * as a Map key; returned as ~hash (negative) when every unit is ASCII.
 */
function hashOf(key: string): number {
  let h = 0x811c9dc5;
  let units = 0;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    units |= c;
    h = Math.imul(h ^ c, 0x01000193);
  }
  h &= 0x3fffffff;
  return units < 0x80 ? ~h : h;
}

/** A string as a byte string for a record's field: its UTF-8 bytes, a character each. */
export function byteString(s: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(s) ? s : Buffer.from(s, "utf8").toString("latin1");
}

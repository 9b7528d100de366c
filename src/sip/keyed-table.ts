// Tables whose entries come and go with every call (transactions by branch, dialogs by key) under
// load (issue 17). Not a Map: V8 rehashes a Map that churns into a new backing table and links the
// old table to it without clearing it, so once a table is in old space the dead chain of its
// successors, and every entry they held, survives each scavenge until the next mark-compact: whole
// calls are promoted (measured: 100-135 MB promoted per 20,000 calls, against 2.7 MB without).
// Not a dictionary-mode object either: every new key would be internalized into V8's string table.

/**
 * FNV-1a over the UTF-16 code units, kept to 30 bits: a small integer, stored without a heap number
 * (and exact in a float). The hash of this table's keys and of ExpiringRecords'.
 */
export function keyHash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h & 0x3fffffff;
}

/** Slots of the first storage, made at the first entry: a UE of a load has a few tables, most of them empty. */
const FIRST_CAPACITY = 8;

/**
 * A string-keyed hash table with the part of Map's interface the layers use; values are never
 * undefined. Open addressing with linear probing; a deletion shifts the entries after it back
 * (Knuth 6.4, Algorithm R), so there are no tombstones and storage is replaced only to grow.
 */
export class KeyedTable<V> {
  private keys: (string | undefined)[] = [];
  private values_: (V | undefined)[] = [];
  private hashes: number[] = [];
  private mask = -1;
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(key: string): V | undefined {
    const i = this.find(key, keyHash(key));
    return i < 0 ? undefined : this.values_[i];
  }

  has(key: string): boolean {
    return this.find(key, keyHash(key)) >= 0;
  }

  set(key: string, value: V): this {
    if (this.mask < 0) this.grow();
    const hash = keyHash(key);
    const keys = this.keys;
    let i = hash & this.mask;
    for (let k = keys[i]; k !== undefined; k = keys[i]) {
      if (k === key) {
        this.values_[i] = value;
        return this;
      }
      i = (i + 1) & this.mask;
    }
    keys[i] = key;
    this.values_[i] = value;
    this.hashes[i] = hash;
    // At most half full: probes stay short
    if (++this.count * 2 > keys.length) this.grow();
    return this;
  }

  delete(key: string): boolean {
    let i = this.find(key, keyHash(key));
    if (i < 0) return false;
    const { keys, values_: values, hashes, mask } = this;
    // Algorithm R: move back each later entry of the run whose home slot is not between the hole and it
    for (let j = (i + 1) & mask; keys[j] !== undefined; j = (j + 1) & mask) {
      const home = hashes[j] & mask;
      if (i <= j ? i < home && home <= j : i < home || home <= j) continue;
      keys[i] = keys[j];
      values[i] = values[j];
      hashes[i] = hashes[j];
      i = j;
    }
    keys[i] = undefined;
    values[i] = undefined;
    this.count--;
    return true;
  }

  /** The values now held, in no particular order. */
  values(): V[] {
    const out: V[] = [];
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] !== undefined) out.push(this.values_[i] as V);
    return out;
  }

  private find(key: string, hash: number): number {
    if (this.count === 0) return -1;
    const keys = this.keys;
    let i = hash & this.mask;
    for (let k = keys[i]; k !== undefined; k = keys[i]) {
      if (k === key) return i;
      i = (i + 1) & this.mask;
    }
    return -1;
  }

  private grow(): void {
    const { keys, values_: values, hashes } = this;
    const capacity = Math.max(FIRST_CAPACITY, keys.length * 2);
    this.keys = new Array<string | undefined>(capacity).fill(undefined);
    this.values_ = new Array<V | undefined>(capacity).fill(undefined);
    this.hashes = new Array<number>(capacity).fill(0);
    this.mask = capacity - 1;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      if (key === undefined) continue;
      let j = hashes[i] & this.mask;
      while (this.keys[j] !== undefined) j = (j + 1) & this.mask;
      this.keys[j] = key;
      this.values_[j] = values[i];
      this.hashes[j] = hashes[i];
    }
    // The old storage may be in old space: emptied, it keeps no entry alive once dead
    keys.fill(undefined);
    values.fill(undefined);
  }
}

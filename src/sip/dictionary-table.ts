// Tables whose entries come and go with every call (transactions by branch, dialogs by key) under
// load (issue 17). A JS Map is the natural choice, but V8 rehashes a Map that churns into a new
// backing table and links the old table to it: once a table is in old space, the dead chain of
// its successors, and every entry they held, survives each scavenge until the next mark-compact,
// so whole calls are promoted (measured: 120-135 MB promoted per 20,000 calls against 2.5 MB with
// this table). A dictionary-mode object reuses its storage in place and links nothing.

/** A string-keyed table with the part of Map's interface the layers use; values are never undefined. */
export class DictionaryTable<V> {
  // Object.create(null): a dictionary-mode object with no prototype, so any key (even "__proto__") is an own property
  private entries: Record<string, V | undefined> = Object.create(null) as Record<string, V | undefined>;
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(key: string): V | undefined {
    return this.entries[key];
  }

  has(key: string): boolean {
    return this.entries[key] !== undefined;
  }

  set(key: string, value: V): this {
    if (this.entries[key] === undefined) this.count++;
    this.entries[key] = value;
    return this;
  }

  delete(key: string): boolean {
    if (this.entries[key] === undefined) return false;
    delete this.entries[key];
    this.count--;
    return true;
  }

  /** The values now held: in the order their keys were added, integer-like keys first (as for any object). */
  values(): V[] {
    const out: V[] = [];
    for (const key in this.entries) out.push(this.entries[key] as V);
    return out;
  }
}

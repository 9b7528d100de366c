// Hand-written checks on YAML nodes: each reads one value, reports a problem with the node's line
// and the dotted field path when the value is not what the schema expects, and never throws.
import { type Document, type LineCounter, type Node, isAlias, isMap, isScalar, isSeq } from "yaml";
import { EXCERPT_CHARS, PROFILE_LIMITS } from "./limits.ts";
import type { ProfileProblem } from "./profile-error.ts";

/** A value in the document: its dotted path, its node (null when a key has no node) and the line to blame. */
export interface Slot {
  readonly path: string;
  readonly node: Node | null;
  /** Line of the value, or of its key when the value has no position. */
  readonly line: number | undefined;
  /** Line of the key holding the value (absent for list items and the document). */
  readonly keyLine?: number | undefined;
}

/** Collects problems while the schema walks the document. */
export class Checker {
  readonly problems: ProfileProblem[] = [];

  constructor(
    readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  lineOf(node: Node | null | undefined): number | undefined {
    const range = node?.range;
    return range ? this.lines.linePos(range[0]).line : undefined;
  }

  report(line: number | undefined, field: string, message: string): void {
    if (field === "") field = "(profile)";
    this.problems.push(line === undefined ? { file: this.file, field, message } : { file: this.file, line, field, message });
  }

  /** Resolves an alias (`*name`) to the node it stands for. */
  deref(node: unknown): Node | null {
    if (isAlias(node)) return (node.resolve(this.doc) as Node | undefined) ?? null;
    return (node as Node | null | undefined) ?? null;
  }

  slot(path: string, node: unknown, fallbackLine?: number, keyLine?: number): Slot {
    const n = this.deref(node);
    return { path, node: n, line: this.lineOf(n) ?? keyLine ?? fallbackLine, keyLine };
  }
}

/** How a found value is shown in a message; `hidden` shows only its kind (the value may be a secret). */
export function describe(node: Node | null, hidden = false): string {
  if (node === null) return "nothing";
  if (isMap(node)) return node.items.length === 0 ? "an empty mapping" : "a mapping";
  if (isSeq(node)) return node.items.length === 0 ? "an empty list" : "a list";
  if (isScalar(node)) {
    const v = node.value;
    if (v === null || v === undefined) return "an empty value";
    if (hidden) return typeof v === "string" ? "a string (not shown)" : `a ${typeof v} (not shown)`;
    if (typeof v === "string") return JSON.stringify(shorten(v));
    // A number's source may be megabytes of digits (issue 10, gap 4)
    return shorten(node.source ?? String(v));
  }
  return "an unsupported YAML node";
}

function shorten(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** An oversize string as a problem shows it: its length and a short start, or only its length when hidden. */
export function describeOversize(text: string, hidden = false): string {
  if (hidden) return `a string of ${text.length} characters (not shown)`;
  return `a string of ${text.length} characters starting ${JSON.stringify(text.slice(0, EXCERPT_CHARS))}...`;
}

/** Issue 10, gap 4: a string over `max` characters is a problem; the value is never quoted in full. */
export function checkLength(ck: Checker, slot: Slot, text: string, expected: string, max: number, hidden = false): boolean {
  if (text.length <= max) return true;
  ck.report(slot.line, slot.path, `expected ${expected} of at most ${max} characters; found ${describeOversize(text, hidden)}`);
  return false;
}

/** Reports `expected ...; found ...` at the slot; returns undefined for the caller to return. */
export function reject(ck: Checker, slot: Slot, expected: string, hidden = false): undefined {
  ck.report(slot.line, slot.path, `expected ${expected}; found ${describe(slot.node, hidden)}`);
  return undefined;
}

export function child(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

/** The fields of one mapping, by name, with their slots. */
export class MapView {
  constructor(
    private readonly ck: Checker,
    readonly path: string,
    /** Where a missing field is reported: the line of the key holding this mapping. */
    readonly line: number | undefined,
    readonly entries: ReadonlyMap<string, Slot>,
  ) {}

  get(name: string): Slot | undefined {
    return this.entries.get(name);
  }

  /** An optional field: absent, or given with an empty value (`field:` followed by nothing), is undefined. */
  optional(name: string): Slot | undefined {
    const s = this.entries.get(name);
    return s && !(isScalar(s.node) && s.node.value === null) ? s : undefined;
  }

  /** The slot of a required field, or a "missing" problem naming what was expected. */
  required(name: string, expected: string): Slot | undefined {
    const s = this.entries.get(name);
    if (!s) this.ck.report(this.line, child(this.path, name), `missing required field; expected ${expected}`);
    return s;
  }
}

export interface MapOptions {
  /** The known field names; null accepts any key (the caller checks the keys). */
  readonly fields: readonly string[] | null;
  /** The message for a key not in `fields` (the default lists the known fields). */
  readonly unknown?: (key: string) => string | undefined;
  /** Keys that would hold a secret in the clear: key -> the message that rejects it. */
  readonly secretKeys?: Readonly<Record<string, string>>;
  /** At most this many entries (PROFILE_LIMITS); mappings of fixed fields need none. */
  readonly maxEntries?: number;
}

/** Reads a mapping: reports a wrong type, unknown keys and literal secrets; returns the known fields. */
export function readMap(ck: Checker, slot: Slot, expected: string, options: MapOptions): MapView | undefined {
  const node = slot.node;
  if (!isMap(node)) return reject(ck, slot, expected);
  if (options.maxEntries !== undefined && node.items.length > options.maxEntries) {
    ck.report(slot.line, slot.path, `expected at most ${options.maxEntries} entries; found ${node.items.length}`);
    return undefined;
  }
  const entries = new Map<string, Slot>();
  for (const pair of node.items) {
    const keyNode = ck.deref(pair.key);
    const key = isScalar(keyNode) ? String(keyNode.value) : describe(keyNode);
    const keyLine = ck.lineOf(keyNode) ?? slot.line;
    if (key.length > PROFILE_LIMITS.textChars) {
      // The key is part of the field path: the path shows only its start (issue 10, gap 4)
      ck.report(keyLine, child(slot.path, `${key.slice(0, EXCERPT_CHARS)}...`), `expected a key of at most ${PROFILE_LIMITS.textChars} characters; found ${describeOversize(key)}`);
      continue;
    }
    const path = child(slot.path, key);
    const secret = options.secretKeys?.[key];
    if (secret !== undefined) {
      ck.report(keyLine, path, secret);
    } else if (options.fields !== null && !options.fields.includes(key)) {
      ck.report(keyLine, path, options.unknown?.(key) ?? `unknown field; expected one of ${options.fields.join(", ")}`);
    } else {
      entries.set(key, ck.slot(path, pair.value, slot.line, keyLine));
    }
  }
  return new MapView(ck, slot.path, slot.keyLine ?? slot.line, entries);
}

/**
 * A non-empty string of at most `max` characters (PROFILE_LIMITS.textChars unless given); `pattern`
 * adds a syntax check described by `expected`.
 */
export function readString(ck: Checker, slot: Slot, expected = "a string", options: { pattern?: RegExp; hidden?: boolean; max?: number } = {}): string | undefined {
  const node = slot.node;
  if (!isScalar(node) || typeof node.value !== "string" || node.value === "") {
    const quoteHint = !options.hidden && isScalar(node) && (typeof node.value === "number" || typeof node.value === "boolean") ? " (quote it)" : "";
    return reject(ck, slot, expected + quoteHint, options.hidden);
  }
  if (!checkLength(ck, slot, node.value, expected, options.max ?? PROFILE_LIMITS.textChars, options.hidden)) return undefined;
  if (options.pattern && !options.pattern.test(node.value)) return reject(ck, slot, expected, options.hidden);
  return node.value;
}

/** An integer within [min, max]. */
export function readInteger(ck: Checker, slot: Slot, expected: string, min: number, max: number): number | undefined {
  const node = slot.node;
  if (!isScalar(node) || typeof node.value !== "number" || !Number.isInteger(node.value) || node.value < min || node.value > max) {
    return reject(ck, slot, expected);
  }
  return node.value;
}

export function readBoolean(ck: Checker, slot: Slot): boolean | undefined {
  const node = slot.node;
  if (!isScalar(node) || typeof node.value !== "boolean") return reject(ck, slot, "true or false");
  return node.value;
}

export function readEnum<T extends string>(ck: Checker, slot: Slot, values: readonly T[]): T | undefined {
  const node = slot.node;
  if (!isScalar(node) || !(values as readonly unknown[]).includes(node.value)) return reject(ck, slot, `one of ${values.join(", ")}`);
  return node.value as T;
}

/**
 * A list of at most `max` items (PROFILE_LIMITS) whose items `item` reads (each item's path is
 * `path[i]`). Returns undefined when the value is not a list, is empty while `nonEmpty`, is too long
 * (its items are then not read), or when any item failed.
 */
export function readList<T>(ck: Checker, slot: Slot, expected: string, max: number, item: (s: Slot) => T | undefined, nonEmpty = false): T[] | undefined {
  const node = slot.node;
  if (!isSeq(node) || (nonEmpty && node.items.length === 0)) return reject(ck, slot, expected);
  if (node.items.length > max) {
    ck.report(slot.line, slot.path, `expected ${expected} of at most ${max} items; found ${node.items.length} items`);
    return undefined;
  }
  const out: T[] = [];
  let failed = false;
  node.items.forEach((n, i) => {
    const v = item(ck.slot(`${slot.path}[${i}]`, n, slot.line));
    if (v === undefined) failed = true;
    else out.push(v);
  });
  return failed ? undefined : out;
}

/**
 * A mapping whose `kind` field selects the fields it may hold (target kinds, auth kinds). A field of
 * another kind is reported as such; with no valid kind, the fields of every kind are accepted.
 */
export function readKinded<K extends string>(
  ck: Checker,
  slot: Slot,
  expected: string,
  label: string,
  fieldsByKind: Readonly<Record<K, readonly string[]>>,
  secretKeys?: Readonly<Record<string, string>>,
): { view: MapView; kind: K | undefined } | undefined {
  const kinds = Object.keys(fieldsByKind) as K[];
  const all = [...new Set(kinds.flatMap((k) => fieldsByKind[k]))];
  const peeked = peekKind(ck, slot.node, kinds);
  const fields = peeked === undefined ? all : fieldsByKind[peeked];
  const unknown = (key: string): string | undefined => {
    const owners = kinds.filter((k) => fieldsByKind[k].includes(key));
    if (peeked === undefined || owners.length === 0) return undefined;
    return `applies only to ${label} kind ${owners.join(" or ")}; expected one of ${fields.join(", ")} for kind ${peeked}`;
  };
  const view = readMap(ck, slot, expected, secretKeys ? { fields, unknown, secretKeys } : { fields, unknown });
  if (!view) return undefined;
  const kindSlot = view.required("kind", `one of ${kinds.join(", ")}`);
  const kind = kindSlot && readEnum(ck, kindSlot, kinds);
  return { view, kind };
}

function peekKind<K extends string>(ck: Checker, node: Node | null, kinds: readonly K[]): K | undefined {
  if (!isMap(node)) return undefined;
  for (const pair of node.items) {
    const key = ck.deref(pair.key);
    const value = ck.deref(pair.value);
    if (isScalar(key) && key.value === "kind" && isScalar(value) && (kinds as readonly unknown[]).includes(value.value)) return value.value as K;
  }
  return undefined;
}

// Structural validation of a profile through its JSON Schema (./profile-schema.ts) with ajv, each
// error mapped back to the YAML node it is about: `file:line: field.path: expected <the field's
// description>; found <the value, or its kind>`. An enum names its values, a boolean "true or false",
// a limit the limit. A value the schema marks writeOnly (a secret's variable) is never shown, nor is
// more than the start of an oversize one (issue 10, gap 4).
import { type ErrorObject, Ajv } from "ajv";
import { type Document, type LineCounter, type Node, isAlias, isMap, isScalar, isSeq } from "yaml";
import { EXCERPT_CHARS, PROFILE_LIMITS } from "./limits.ts";
import type { ProfileProblem } from "./profile-error.ts";
import { ProfileSchema } from "./profile-schema.ts";
import { hiddenValueKind } from "./secrets.ts";

/** The parts of a JSON Schema node this module reads (ajv's SchemaNode types every key as any). */
export interface SchemaNode {
  readonly [key: string]: unknown;
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly items?: SchemaNode | readonly SchemaNode[];
  readonly additionalItems?: SchemaNode;
  readonly additionalProperties?: SchemaNode | boolean;
  readonly oneOf?: readonly SchemaNode[];
  readonly required?: readonly string[];
  readonly enum?: readonly unknown[];
  readonly description?: string;
  readonly type?: string;
  readonly discriminator?: { readonly propertyName: string };
}

export type Segment = string | number;

const ajv = new Ajv({ allErrors: true, verbose: true, discriminator: true, allowUnionTypes: true, strictTuples: false });
ajv.addVocabulary(["x-unknown-field"]);
const validate = ajv.compile(ProfileSchema);

/** Where each value of the document is: its YAML node and its key's, for lines; its data, for paths. */
export class Locator {
  constructor(
    readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
    readonly data: unknown,
  ) {}

  /** The node at `segments`, its key's node (none for list items and the document) and its parent's line. */
  private nodes(segments: readonly Segment[]): { node: Node | null; key: Node | null; parentLine: number } {
    let node = this.deref(this.doc.contents);
    let key: Node | null = null;
    let parentLine = 1;
    for (const seg of segments) {
      parentLine = this.lineOf(key) ?? this.lineOf(node) ?? parentLine;
      const pair = isMap(node) ? node.items.find((p) => String((this.deref(p.key) as { value?: unknown } | null)?.value) === String(seg)) : undefined;
      key = this.deref(pair?.key);
      node = isSeq(node) ? this.deref(node.items[Number(seg)]) : this.deref(pair?.value);
    }
    return { node, key, parentLine };
  }

  /** The line of a value: its node's, else its key's, else its parent's. */
  line(segments: readonly Segment[]): number {
    const n = this.nodes(segments);
    return this.lineOf(n.node) ?? this.lineOf(n.key) ?? n.parentLine;
  }

  /** Where a mapping misses a field: the line of the key holding it (of the mapping itself for list items). */
  keyLine(segments: readonly Segment[]): number {
    const n = this.nodes(segments);
    return this.lineOf(n.key) ?? this.lineOf(n.node) ?? n.parentLine;
  }

  /** The dotted path shown in problems: `ixit.subscribers[1].auth`; an oversize key shows its start only. */
  path(segments: readonly Segment[]): string {
    let out = "";
    segments.forEach((seg, i) => {
      const key = String(seg);
      if (Array.isArray(valueAt(this.data, segments.slice(0, i)))) out += `[${key}]`;
      else out += `${out === "" ? "" : "."}${key.length > PROFILE_LIMITS.textChars ? `${key.slice(0, EXCERPT_CHARS)}...` : key}`;
    });
    return out === "" ? "(profile)" : out;
  }

  /** How the value at `segments` is shown; `hidden` shows only its kind (the value may be a secret). */
  describe(segments: readonly Segment[], hidden = false): string {
    const node = this.nodes(segments).node;
    if (node === null) return "nothing";
    if (isMap(node)) return node.items.length === 0 ? "an empty mapping" : "a mapping";
    if (isSeq(node)) return node.items.length === 0 ? "an empty list" : "a list";
    if (!isScalar(node)) return "an unsupported YAML node";
    const v = node.value;
    if (v === null || v === undefined) return "an empty value";
    if (hidden) return typeof v === "string" ? hiddenValueKind(v) : `a ${typeof v} (not shown)`;
    // A number's source may be megabytes of digits (issue 10, gap 4)
    return typeof v === "string" ? JSON.stringify(shorten(v)) : shorten(node.source ?? scalarText(v));
  }

  problem(segments: readonly Segment[], message: string, line = this.line(segments)): ProfileProblem {
    return { file: this.file, line, field: this.path(segments), message };
  }

  private lineOf(node: Node | null | undefined): number | undefined {
    return node?.range ? this.lines.linePos(node.range[0]).line : undefined;
  }

  private deref(node: unknown): Node | null {
    return ((isAlias(node) ? node.resolve(this.doc) : node) as Node | null | undefined) ?? null;
  }
}

function shorten(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export function valueAt(data: unknown, segments: readonly Segment[]): unknown {
  return segments.reduce<unknown>((v, s) => (v !== null && typeof v === "object" ? (v as Record<string, unknown>)[s] : undefined), data);
}

/** A value as text: a scalar as itself, anything else as JSON. */
function scalarText(v: unknown): string {
  return typeof v === "number" || typeof v === "boolean" || typeof v === "bigint" ? v.toString() : (JSON.stringify(v) ?? "undefined");
}

/** The schema of the value at `segments`; a kinded mapping's branch is the one its data's kind selects. */
export function schemaAt(segments: readonly Segment[], data: unknown): SchemaNode | undefined {
  let schema: SchemaNode | undefined = ProfileSchema;
  for (let i = 0; i <= segments.length && schema; i++) {
    schema = kindBranch(schema, valueAt(data, segments.slice(0, i))) ?? schema;
    if (i === segments.length) break;
    const seg = segments[i];
    if (schema.discriminator?.propertyName === seg) return { enum: kinds(schema) };
    const items: SchemaNode | readonly SchemaNode[] | undefined = schema.items;
    if (typeof seg === "number" && items) schema = isNodeList(items) ? (items[seg] ?? schema.additionalItems) : items;
    else schema = schema.properties?.[String(seg)] ?? (typeof schema.additionalProperties === "object" ? schema.additionalProperties : undefined);
  }
  return schema;
}

const isNodeList = (x: SchemaNode | readonly SchemaNode[]): x is readonly SchemaNode[] => Array.isArray(x);
/** The `kind` a branch of a kinded union stands for. */
const kindOf = (branch: SchemaNode): unknown => branch.properties?.["kind"]?.["const"];
const kinds = (union: SchemaNode): unknown[] => (union.oneOf ?? []).map(kindOf);
function kindBranch(schema: SchemaNode, value: unknown): SchemaNode | undefined {
  const tag = value !== null && typeof value === "object" ? (value as Record<string, unknown>)["kind"] : undefined;
  return schema.discriminator ? (schema.oneOf ?? []).find((b) => kindOf(b) === tag) : undefined;
}

/** What a problem says was expected of a value of `schema`. */
export function expected(schema: SchemaNode | undefined): string {
  if (schema?.["enum"]) return `one of ${(schema["enum"] as unknown[]).join(", ")}`;
  if (schema?.discriminator) return `one of ${kinds(schema).join(", ")}`;
  return schema?.["type"] === "boolean" ? "true or false" : (schema?.["description"] ?? "a valid value");
}

export interface SchemaProblems {
  readonly problems: ProfileProblem[];
  /** Whether the value at `segments` passed: no problem at it, inside it, or at a value holding it. */
  ok(segments: readonly Segment[]): boolean;
  /** Whether the value at `segments` was read whole: no problem at it or at a value holding it. */
  sound(segments: readonly Segment[]): boolean;
}

/** The message for the unknown key `key` of the mapping at `segments`, or undefined for the default. */
export type UnknownFieldMessage = (segments: readonly Segment[], key: string) => string | undefined;

/** Validates the document's data against the schema: one problem per field, with the line of its node. */
export function schemaProblems(at: Locator, unknownField: UnknownFieldMessage): SchemaProblems {
  const found = new Map<string, { segments: Segment[]; problem: ProfileProblem }>();
  const errors = validate(at.data) ? [] : (validate.errors ?? []);
  // A list or mapping over its limit is one problem: its items are not reported (issue 10, gap 4)
  const capped = errors.filter((e) => e.keyword === "maxItems" || e.keyword === "maxProperties");
  const kept = errors.filter((e) => capped.includes(e) || !capped.some((c) => e.instancePath === c.instancePath || e.instancePath.startsWith(`${c.instancePath}/`)));
  // Unknown fields first: "found a literal password" reads before "passwordEnv: missing"
  kept.sort((a, b) => Number(b.keyword === "additionalProperties") - Number(a.keyword === "additionalProperties"));
  for (const e of kept) {
    const mapped = problemOf(at, e, errors, unknownField);
    if (mapped && !found.has(mapped.problem.field)) found.set(mapped.problem.field, mapped);
  }
  const paths = [...found.values()].map((f) => f.segments.map(String));
  const within = (outer: readonly string[], inner: readonly string[]): boolean => outer.length <= inner.length && outer.every((s, i) => s === inner[i]);
  return {
    problems: [...found.values()].map((f) => f.problem),
    ok: (segments) => !paths.some((p) => within(p, segments.map(String)) || within(segments.map(String), p)),
    sound: (segments) => !paths.some((p) => within(p, segments.map(String))),
  };
}

function problemOf(at: Locator, e: ErrorObject, all: readonly ErrorObject[], unknownField: UnknownFieldMessage): { segments: Segment[]; problem: ProfileProblem } | undefined {
  const base: Segment[] =
    e.instancePath === ""
      ? []
      : e.instancePath
          .slice(1)
          .split("/")
          .map((s, i, a) => {
            const seg = s.replace(/~1/g, "/").replace(/~0/g, "~");
            return Array.isArray(valueAt(at.data, a.slice(0, i))) ? Number(seg) : seg;
          });
  // A keyword of a conditional (if/else) holds no description: the value's own schema does
  const own = (e.parentSchema ?? {}) as SchemaNode;
  const schema = own["description"] === undefined && e.propertyName === undefined ? (schemaAt(base, at.data) ?? own) : own;
  const p = e.params as Record<string, unknown>;
  const value = valueAt(at.data, base);
  const hidden = schema["writeOnly"] === true;
  const problem = (segments: Segment[], message: string, line?: number) => ({ segments, problem: at.problem(segments, message, line) });
  const missing = (segments: Segment[], what: string) => problem(segments, `missing required field; expected ${what}`, at.keyLine(base));
  if (e.propertyName !== undefined) {
    // A key checked by propertyNames: the line and the path are the key's
    const segments = [...base, e.propertyName];
    if (e.keyword === "maxLength") return problem(segments, `expected a key of at most ${String(p["limit"])} characters; found ${oversize(e.propertyName, false)}`, at.keyLine(segments));
    return problem(segments, `expected ${expected(schema)} as the key; found ${JSON.stringify(e.propertyName)}`, at.keyLine(segments));
  }
  switch (e.keyword) {
    case "if":
    case "propertyNames":
      return undefined;
    case "required": {
      const field = String(p["missingProperty"]);
      // A field of "exactly one of" (a container's image or build) is reported by that oneOf
      if (all.some((o) => o.keyword === "oneOf" && e.schemaPath.startsWith(`${o.schemaPath}/`))) return undefined;
      return missing([...base, field], expected(schemaAt([...base, field], at.data)));
    }
    case "additionalProperties": {
      const segments = [...base, String(p["additionalProperty"])];
      return problem(segments, unknownField(base, String(p["additionalProperty"])) ?? unknownMessage(e, schema, base), at.keyLine(segments));
    }
    case "discriminator":
      if (p["tagValue"] === undefined) return missing([...base, "kind"], expected(schema));
      return problem([...base, "kind"], `expected ${expected(schema)}; found ${at.describe([...base, "kind"])}`);
    case "oneOf": {
      // "Exactly one of these fields" (a oneOf of branches that each require one field): none, or both
      const names = (schema.oneOf ?? []).map((b) => String(b.required?.[0]));
      const passing = (p["passingSchemas"] as number[] | null) ?? [];
      if (passing.length > 1) return problem([...base, names[passing[1]]], `expected either ${names.join(" or ")}, not both; found both`);
      return missing([...base, names[0]], names.map((n) => `${n} (${expected(schema.properties?.[n])})`).join(" or "));
    }
    case "maxLength":
      return problem(base, `expected at most ${String(p["limit"])} characters; found ${oversize(String(value), hidden)}`);
    case "maxItems":
    case "maxProperties":
      return problem(base, `expected at most ${String(p["limit"])} ${e.keyword === "maxItems" ? "items" : "entries"}; found ${Object.keys(value as object).length}`);
    case "uniqueItems": {
      const [first, again] = [Number(p["i"]), Number(p["j"])].sort((a, b) => a - b) as [number, number];
      return problem([...base, again], `expected each value once; found ${at.describe([...base, again])} again (first at ${at.path([...base, first])})`);
    }
    default: {
      const quote = e.keyword === "type" && schema["type"] === "string" && !hidden && (typeof value === "number" || typeof value === "boolean") ? " (quote it)" : "";
      return problem(base, `expected ${expected(schema)}${quote}; found ${at.describe(base, hidden)}`);
    }
  }
}

/** An oversize string as a problem shows it: its length and a short start, or only its length when hidden. */
function oversize(text: string, hidden: boolean): string {
  return `a string of ${text.length} characters ${hidden ? "(not shown)" : `starting ${JSON.stringify(text.slice(0, EXCERPT_CHARS))}...`}`;
}

/** An unknown field: one of another kind says which kind holds it; otherwise the known fields are listed. */
function unknownMessage(e: ErrorObject, schema: SchemaNode, base: Segment[]): string {
  const fields = Object.keys(schema.properties ?? {});
  const key = String(e.params["additionalProperty"]);
  const union = /\/oneOf\/\d+\/additionalProperties$/.test(e.schemaPath) ? schemaAt(base, undefined) : undefined;
  const owners = union?.discriminator ? (union.oneOf ?? []).filter((b) => b.properties?.[key]).map(kindOf) : [];
  if (owners.length > 0) return `applies only to ${String(base[base.length - 1])} kind ${owners.join(" or ")}; expected one of ${fields.join(", ")} for kind ${String(kindOf(schema))}`;
  const said = schema["x-unknown-field"];
  return `${typeof said === "string" ? said : "unknown field"}; expected one of ${fields.join(", ")}`;
}

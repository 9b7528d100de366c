// PICS applicability expressions carried by scenario tags (ETSI/TTCN-3 sense: a test case applies
// when the SUT claims the capabilities it needs).
//
// Syntax of a tag: `@pics:<expression>`, where
//   expression = term *( "|" term )        ; or, lowest precedence
//   term       = factor *( "&" factor )    ; and
//   factor     = *"!" capability            ; not, highest precedence
//   capability = one of PICS_NAMES (aka, digest, tcp, 100rel, reg-event ...)
// No parentheses: `aka&tcp|digest` reads (aka and tcp) or digest. Spaces around operators are
// allowed (Gherkin tags never hold them). Several @pics tags on one scenario are ANDed. The `@` may
// be left out (`pics:aka`), for callers that strip it from Cucumber's tag names.
import { PICS_NAMES, type Pics, type PicsName } from "./profile.ts";

export const PICS_TAG_PREFIX = "@pics:";

export type PicsExpr =
  | { readonly op: "capability"; readonly name: PicsName }
  | { readonly op: "not"; readonly operand: PicsExpr }
  | { readonly op: "and"; readonly operands: readonly PicsExpr[] }
  | { readonly op: "or"; readonly operands: readonly PicsExpr[] };

export interface PicsParseError {
  readonly error: string;
}

export interface Applicability {
  readonly applicable: boolean;
  /** Why not: `PICS "aka & tcp" not claimed by the profile: aka=false`. */
  readonly reason?: string;
}

export function isPicsParseError(x: PicsExpr | PicsParseError): x is PicsParseError {
  return (x as PicsParseError).error !== undefined;
}

/** Whether a tag is a PICS tag: `@pics:...`, or `pics:...` as some callers strip the `@`. */
export function isPicsTag(tag: string): boolean {
  return tag.startsWith(PICS_TAG_PREFIX) || tag.startsWith(PICS_TAG_PREFIX.slice(1));
}

/** Parses a scenario tag `@pics:<expression>` (the `@` may be left out). Never throws. */
export function parsePicsTag(tag: string): PicsExpr | PicsParseError {
  if (!isPicsTag(tag)) return { error: `tag "${tag}" is not a PICS tag (expected ${PICS_TAG_PREFIX}<expression>)` };
  const parsed = parsePicsExpression(tag.slice(tag.indexOf(":") + 1));
  return isPicsParseError(parsed) ? { error: `tag "${tag}": ${parsed.error}` } : parsed;
}

/** Parses the expression of a tag (without `@pics:`). Never throws. */
export function parsePicsExpression(text: string): PicsExpr | PicsParseError {
  if (/[()]/.test(text)) return { error: `parentheses are not supported in PICS expression "${text}" (& binds tighter than |)` };
  if (text.trim() === "") return { error: "empty PICS expression" };
  return list(text, "|", "or", (term) => list(term, "&", "and", (factor) => parseFactor(factor, text), text), text);
}

function list(text: string, sep: "|" | "&", op: "or" | "and", item: (s: string) => PicsExpr | PicsParseError, whole: string): PicsExpr | PicsParseError {
  const operands: PicsExpr[] = [];
  for (const part of text.split(sep)) {
    if (part.trim() === "") return { error: `missing operand of "${sep}" in PICS expression "${whole}"` };
    const e = item(part);
    if (isPicsParseError(e)) return e;
    operands.push(e);
  }
  return operands.length === 1 ? operands[0] : { op, operands };
}

function parseFactor(text: string, whole: string): PicsExpr | PicsParseError {
  const s = text.trim();
  if (s.startsWith("!")) {
    if (s.slice(1).trim() === "") return { error: `missing capability after "!" in PICS expression "${whole}"` };
    const operand = parseFactor(s.slice(1), whole);
    return isPicsParseError(operand) ? operand : { op: "not", operand };
  }
  if (!(PICS_NAMES as readonly string[]).includes(s)) {
    return { error: `unknown capability "${s}" in PICS expression "${whole}"; expected one of ${PICS_NAMES.join(", ")}` };
  }
  return { op: "capability", name: s as PicsName };
}

/** The canonical text of an expression: `aka & tcp | !websocket`. */
export function formatPicsExpr(e: PicsExpr): string {
  switch (e.op) {
    case "capability":
      return e.name;
    case "not":
      return `!${formatPicsExpr(e.operand)}`;
    case "and":
      return e.operands.map(formatPicsExpr).join(" & ");
    case "or":
      return e.operands.map(formatPicsExpr).join(" | ");
  }
}

export function evaluate(e: PicsExpr, pics: Pics): boolean {
  switch (e.op) {
    case "capability":
      return pics[e.name];
    case "not":
      return !evaluate(e.operand, pics);
    case "and":
      return e.operands.every((o) => evaluate(o, pics));
    case "or":
      return e.operands.some((o) => evaluate(o, pics));
  }
}

/** The capabilities whose values make `e` evaluate to `value` (which it does), in order of appearance. */
function culprits(e: PicsExpr, pics: Pics, value: boolean): PicsName[] {
  switch (e.op) {
    case "capability":
      return [e.name];
    case "not":
      return culprits(e.operand, pics, !value);
    case "and":
    case "or": {
      // and is made false by its false operands, or true by all; or is made true by its true operands, or false by all
      const all = (e.op === "and") === value;
      return e.operands.filter((o) => all || evaluate(o, pics) === value).flatMap((o) => culprits(o, pics, value));
    }
  }
}

/**
 * Whether a scenario applies to the profile's PICS, from its tags (tags other than `@pics:...` or
 * `pics:...` are ignored; several PICS tags are ANDed). Throws an Error on a tag that does not parse: that is
 * a fault of the suite, not of the SUT (the suite's own tests check that every tag parses).
 */
export function applicability(tags: readonly string[], pics: Pics): Applicability {
  const reasons: string[] = [];
  for (const tag of tags) {
    if (!isPicsTag(tag)) continue;
    const expr = parsePicsTag(tag);
    if (isPicsParseError(expr)) throw new Error(`invalid PICS tag: ${expr.error}`);
    if (evaluate(expr, pics)) continue;
    const names = [...new Set(culprits(expr, pics, false))];
    reasons.push(`PICS "${formatPicsExpr(expr)}" not claimed by the profile: ${names.map((n) => `${n}=${pics[n]}`).join(", ")}`);
  }
  return reasons.length === 0 ? { applicable: true } : { applicable: false, reason: reasons.join("; ") };
}

// Which test cases a run takes: --tags (a Cucumber tag expression), then --shard i/n. A selection
// that matches nothing is bad input, not an empty pass: it names the identifiers nearest to what
// was asked.
import parseTagExpression from "@cucumber/tag-expressions";
import type { TestCase } from "./test-case.ts";

export class SelectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SelectionError";
  }
}

/** The test cases `tags` selects, in catalogue order; throws a SelectionError when the expression is malformed or matches nothing (shards: selectForSut). */
export function selectTestCases(catalog: readonly TestCase[], tags: string | undefined): TestCase[] {
  let filter: ReturnType<typeof parseTagExpression> | undefined;
  try {
    filter = tags ? parseTagExpression(tags) : undefined;
  } catch (e) {
    throw new SelectionError(`--tags "${tags}" is not a tag expression: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
  }
  const filtered = catalog.filter((tc) => !filter || filter.evaluate([...tc.tags]));
  if (tags && filtered.length === 0) throw new SelectionError(`no test case matches --tags "${tags}"${nearest(catalog, tags)}`);
  return filtered;
}

/**
 * A warning for a --tags expression that selects something although some of its words are no tag
 * of the suite ("@IMS-CALL-09 or @IMS-MSG-001" runs IMS-MSG-001 only): one line naming those words
 * and the nearest identifiers, or undefined. The run goes on.
 */
export function selectionWarning(catalog: readonly TestCase[], tags: string | undefined): string | undefined {
  if (!tags) return undefined;
  const words = unknownWords(catalog, tags);
  if (words.length === 0) return undefined;
  const hints = nearestTo(catalog, words);
  const what = words.length === 1 ? `${words[0]} is no tag of the suite` : `${words.join(", ")} are no tags of the suite`;
  return `--tags "${tags}": ${what}${hints.length ? ` (nearest: ${hints.join(", ")})` : ""}; running what the rest of the expression selects`;
}

/** The words of a tag expression that are no tag of the suite. */
function unknownWords(catalog: readonly TestCase[], tags: string): string[] {
  const known = new Set(catalog.flatMap((tc) => tc.tags));
  return [...new Set(tags.split(/[\s()]+/).filter((w) => w && !["and", "or", "not"].includes(w) && !known.has(w)))];
}

/** "; nearest identifiers: @IMS-REG-001, ..." for the words of the expression that are no tag of the suite. */
function nearest(catalog: readonly TestCase[], tags: string): string {
  const unique = nearestTo(catalog, unknownWords(catalog, tags));
  return unique.length ? `; nearest: ${unique.join(", ")} (ims-interop list shows them all)` : "; ims-interop list shows the test cases and their tags";
}

/** Up to three identifiers nearest to each word (edit distance), or the tag a word lacking its @ names. */
function nearestTo(catalog: readonly TestCase[], words: readonly string[]): string[] {
  const known = new Set(catalog.flatMap((tc) => tc.tags));
  const ids = catalog.map((tc) => `@${tc.id}`);
  const hints: string[] = [];
  for (const w of words) {
    const asTag = w.startsWith("@") ? w : `@${w}`;
    if (!w.startsWith("@") && known.has(asTag)) {
      hints.push(`${asTag} (a tag starts with @)`);
      continue;
    }
    // Equally near by spelling: the nearer number first (@IMS-CALL-09: 008, 011 before 001)
    const ranked = ids.map((id) => ({ id, d: distance(asTag.toUpperCase(), id.toUpperCase()), n: numberDistance(asTag, id) })).sort((a, b) => a.d - b.d || a.n - b.n || a.id.localeCompare(b.id));
    hints.push(
      ...ranked
        .filter((r) => r.d <= Math.max(2, ranked[0].d))
        .slice(0, 3)
        .map((r) => r.id),
    );
  }
  return [...new Set(hints)];
}

/** How far apart the last numbers of two tags are (0 when either has none). */
function numberDistance(a: string, b: string): number {
  const x = /(\d+)\D*$/.exec(a)?.[1];
  const y = /(\d+)\D*$/.exec(b)?.[1];
  return x === undefined || y === undefined ? 0 : Math.abs(Number(x) - Number(y));
}

/** Levenshtein distance. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

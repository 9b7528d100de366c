// Which test cases a run takes: --tags (a Cucumber tag expression), then --shard i/n. A selection
// that matches nothing is bad input, not an empty pass: it names the identifiers nearest to what
// was asked.
import parseTagExpression from "@cucumber/tag-expressions";
import { type Shard, selectShard } from "./shard.ts";
import type { TestCase } from "./test-case.ts";

export class SelectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SelectionError";
  }
}

/** The test cases `tags` and `shard` select, in catalogue order; throws a SelectionError when the expression is malformed or matches nothing. */
export function selectTestCases(catalog: readonly TestCase[], tags: string | undefined, shard?: Shard): TestCase[] {
  let filter: ReturnType<typeof parseTagExpression> | undefined;
  try {
    filter = tags ? parseTagExpression(tags) : undefined;
  } catch (e) {
    throw new SelectionError(`--tags "${tags}" is not a tag expression: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
  }
  const filtered = catalog.filter((tc) => !filter || filter.evaluate([...tc.tags]));
  if (tags && filtered.length === 0) throw new SelectionError(`no test case matches --tags "${tags}"${nearest(catalog, tags)}`);
  return shard ? selectShard(filtered, shard) : filtered;
}

/** "; nearest identifiers: @IMS-REG-001, ..." for the words of the expression that are no tag of the suite. */
function nearest(catalog: readonly TestCase[], tags: string): string {
  const known = [...new Set(catalog.flatMap((tc) => tc.tags))];
  const words = tags.split(/[\s()]+/).filter((w) => w && !["and", "or", "not"].includes(w) && !known.includes(w));
  const ids = catalog.map((tc) => `@${tc.id}`);
  const hints: string[] = [];
  for (const w of words) {
    const asTag = w.startsWith("@") ? w : `@${w}`;
    if (!w.startsWith("@") && known.includes(asTag)) {
      hints.push(`${asTag} (a tag starts with @)`);
      continue;
    }
    const ranked = ids.map((id) => ({ id, d: distance(asTag.toUpperCase(), id.toUpperCase()) })).sort((a, b) => a.d - b.d || a.id.localeCompare(b.id));
    hints.push(...ranked.filter((r) => r.d <= Math.max(2, ranked[0]!.d)).slice(0, 3).map((r) => r.id));
  }
  const unique = [...new Set(hints)];
  return unique.length ? `; nearest: ${unique.join(", ")} (ims-interop list shows them all)` : "; ims-interop list shows the test cases and their tags";
}

/** Levenshtein distance. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

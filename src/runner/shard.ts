// Deterministic sharding of the selected test cases over several CI jobs: shard i of n takes the
// test cases whose position in identifier order is i-1 modulo n, so every test case lands in
// exactly one shard whatever machine computes it.
import type { TestCase } from "./test-case.ts";

export interface Shard {
  /** 1-based. */
  readonly index: number;
  readonly total: number;
}

export function parseShard(text: string): Shard | { error: string } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) return { error: `--shard takes i/n, e.g. 1/2; not "${text}"` };
  const index = Number(m[1]);
  const total = Number(m[2]);
  if (total < 1 || index < 1 || index > total) return { error: `--shard ${text}: i must be from 1 to n` };
  return { index, total };
}

export function selectShard<T extends Pick<TestCase, "id">>(cases: readonly T[], shard: Shard): T[] {
  const sorted = [...cases].sort((a, b) => a.id.localeCompare(b.id));
  return sorted.filter((_, i) => i % shard.total === shard.index - 1);
}

// Subscriber pools: a role listed more than once in ixit.subscribers is a pool, and each parallel
// worker running against one shared SUT takes its own subscriber of every role, so that no two
// workers register, call or de-register the same identities.
import type { Profile, Subscriber } from "./profile.ts";

/** The subscribers of a role, in profile order. */
export function poolOf(profile: Profile, role: string): Subscriber[] {
  return profile.ixit.subscribers.filter((s) => s.role === role);
}

/** The subscriber of `role` that worker `worker` (0-based) uses. */
export function subscriberFor(profile: Profile, role: string, worker: number): Subscriber | undefined {
  return poolOf(profile, role)[worker];
}

/**
 * Why `parallel` workers cannot share this profile's SUT, or undefined when they can: against a
 * shared SUT every role needs a subscriber per worker. The embedded core runs once per worker.
 */
export function parallelProblem(profile: Profile, parallel: number): string | undefined {
  if (parallel > 1 && profile.terminal)
    return `--parallel ${parallel}: ${profile.file} describes a terminal, and a run tests one UE under test at a time (its test cases switch it on and off in turn); leave --parallel out`;
  if (parallel <= 1 || profile.target.kind === "embedded") return undefined;
  const roles = [...new Set(profile.ixit.subscribers.map((s) => s.role))];
  const short = roles.filter((r) => poolOf(profile, r).length < parallel);
  if (short.length === 0) return undefined;
  return `--parallel ${parallel} against one ${profile.target.kind} SUT needs ${parallel} subscribers of every role, so that no two workers use the same identities; ${profile.file} lists ${short.map((r) => `${poolOf(profile, r).length} for ${r}`).join(", ")} (add subscribers with the same role to ixit.subscribers)`;
}

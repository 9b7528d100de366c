// The UE pool of a load run (issue 17): every flow slot uses a subscriber of its own of every role,
// so that flows running side by side never share an identity. Where the subscribers come from:
// - the profile's load.pool section: identities from its patterns, {n} = first + slot, credentials
//   from the environment variables it names (src/profile/load-section.ts), for a SUT provisioned
//   with them;
// - without one, the embedded core: numbered copies of each role's subscriber (alice -> alice.1,
//   alice.2, ...; slot s is numbered s + 1), which the core provisions itself. The copies keep their
//   role's credentials (a shared password, or K/OPc with the HSS's own SQN per subscriber). tel URIs
//   are not copied: a number cannot be patterned without a numbering plan, so test cases that call a
//   tel URI are not load cases;
// - without one, any other SUT: the subscribers its profile lists, the k-th of every role for slot k
//   (as for --parallel).
// A shard runs some of the slots (e.g. 1, 3, 5): its profile holds those slots' subscribers, in
// order, so that its local slot k (subscriberFor(profile, role, k)) is global slot slots[k].
import { poolOf } from "../profile/pools.ts";
import { poolOfSlots } from "../profile/load-section.ts";
import type { Profile, Subscriber } from "../profile/profile.ts";

type Environment = Readonly<Record<string, string | undefined>>;

/** A load pool that cannot be built from the profile: too few subscribers listed, or bad slots. */
export class LoadPoolError extends Error {
  override readonly name = "LoadPoolError";
}

/** `sip:alice@ims.example.test` -> `sip:alice.3@ims.example.test`; an NAI `alice@ims.example.test` likewise. */
function numbered(identity: string, n: number): string {
  return identity.replace(/^((?:sips?:)?[^@;]+)@/i, `$1.${n}@`);
}

/** The roles of the profile, in the order they first appear. */
function rolesOf(profile: Profile): string[] {
  return [...new Set(profile.ixit.subscribers.map((s) => s.role))];
}

/** The numbered copies of each role's first subscriber for slot numbers `numbers` (1-based), slot by slot. */
function numberedCopies(profile: Profile, numbers: readonly number[]): Subscriber[] {
  const subscribers: Subscriber[] = [];
  for (const k of numbers)
    for (const role of rolesOf(profile)) {
      const s = profile.ixit.subscribers.find((x) => x.role === role)!;
      subscribers.push({
        ...s,
        impi: numbered(s.impi, k),
        impus: s.impus.filter((u) => !u.toLowerCase().startsWith("tel:")).map((u) => numbered(u, k)),
        ...(s.displayName ? { displayName: `${s.displayName} ${k}` } : {}),
      });
    }
  return subscribers;
}

/**
 * The profile whose subscribers are those of the global slots `slots` (the ones this process runs,
 * e.g. [1, 3, 5] for a shard): local index k, as subscriberFor(profile, role, k) reads it, holds
 * slot slots[k] of every role. With a load.pool section: identities from its patterns (n = first +
 * slot) and credentials from `env` (a ProfileError names a missing variable and the profile, never
 * a value). Without one: numbered copies for the embedded target, else the profile's own
 * subscribers at the slots' indices (a LoadPoolError when it lists too few).
 */
export function poolFor(profile: Profile, slots: readonly number[], env: Environment = process.env): Profile {
  const wrong = slots.find((s, i) => !Number.isSafeInteger(s) || s < 0 || slots.indexOf(s) !== i);
  if (wrong !== undefined) throw new LoadPoolError(`load pool slots are distinct whole numbers from 0; found ${String(wrong)} in ${slots.join(", ")}`);
  const subscribers = ((): Subscriber[] => {
    if (profile.load?.pool) return poolOfSlots(profile, slots, env);
    if (profile.target.kind === "embedded")
      return numberedCopies(
        profile,
        slots.map((s) => s + 1),
      );
    const needed = slots.length === 0 ? 0 : Math.max(...slots) + 1;
    const roles = rolesOf(profile);
    const short = roles.filter((r) => poolOf(profile, r).length < needed);
    if (short.length > 0)
      throw new LoadPoolError(
        `a load run of slot${slots.length === 1 ? "" : "s"} ${describe(slots)} against one ${profile.target.kind} SUT needs ${needed} subscribers of every role, so that no two flows use the same identities; ${profile.file} lists ${short.map((r) => `${poolOf(profile, r).length} for ${r}`).join(", ")} (add subscribers with the same role to ixit.subscribers, or identity patterns in load.pool)`,
      );
    return slots.flatMap((s) => roles.map((r) => poolOf(profile, r)[s]));
  })();
  return { ...profile, ixit: { ...profile.ixit, subscribers } };
}

function describe(slots: readonly number[]): string {
  return slots.length <= 6 ? slots.join(", ") : `${slots.slice(0, 3).join(", ")}, ..., ${slots[slots.length - 1]}`;
}

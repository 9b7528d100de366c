// The UE pool of a load run (issue 17): every role of the profile repeated once per concurrent
// flow, each copy a subscriber of its own (alice -> alice.1, alice.2, ...), so that flows running
// side by side never share an identity. The copies keep their role's credentials (a shared
// password, or K/OPc with the HSS's own SQN per subscriber). tel URIs are not copied: a number
// cannot be patterned without a numbering plan, so test cases that call a tel URI are not load cases.
import type { Profile, Subscriber } from "../profile/profile.ts";

/** `sip:alice@ims.example.test` -> `sip:alice.3@ims.example.test`; an NAI `alice@ims.example.test` likewise. */
function numbered(identity: string, n: number): string {
  return identity.replace(/^((?:sips?:)?[^@;]+)@/i, `$1.${n}@`);
}

/** The profile with `slots` subscribers of every role (slot k: the k-th of each role, as subscriberFor reads it). */
export function loadPool(profile: Profile, slots: number): Profile {
  const roles = [...new Set(profile.ixit.subscribers.map((s) => s.role))];
  const subscribers: Subscriber[] = [];
  for (let k = 1; k <= slots; k++)
    for (const role of roles) {
      const s = profile.ixit.subscribers.find((x) => x.role === role)!;
      subscribers.push({
        ...s,
        impi: numbered(s.impi, k),
        impus: s.impus.filter((u) => !u.toLowerCase().startsWith("tel:")).map((u) => numbered(u, k)),
        ...(s.displayName ? { displayName: `${s.displayName} ${k}` } : {}),
      });
    }
  return { ...profile, ixit: { ...profile.ixit, subscribers } };
}

// TS 24.229 5.1.1.3: the UE learns its registration state from the reginfo of the reg event
// NOTIFYs (RFC 3680 5). A notifier may send the state in several NOTIFYs (RFC 6665 4.2.2), so the
// UE looks through the NOTIFYs of its subscription until its contact shows the state asked for.
import type { Deadline } from "../deadline.ts";
import { parseReginfo, type ReginfoContact } from "../event/reginfo.ts";
import { sameContact } from "../message/index.ts";
import type { Notification, Subscription } from "./subscription.ts";

/** The contact's entry in a reginfo body (its URI compared without parameters), or undefined. */
export async function regContact(body: string, contact: string): Promise<ReginfoContact | undefined> {
  // A body that is not reginfo has no entry; the requirements layer reports the malformed document (reginfo.*)
  const info = await parseReginfo(body).catch(() => undefined);
  return info?.registrations.flatMap((r) => r.contacts).find((c) => sameContact(c.uri, contact));
}

/**
 * Resolves with the first NOTIFY (from `first` on, then those that follow) whose reginfo shows
 * `contact` in `state`; rejects at the deadline describing the last NOTIFY's contacts.
 */
export async function waitForRegContact(sub: Subscription, contact: string, state: "active" | "terminated", deadline: Deadline, clause: string, first?: Notification): Promise<Notification> {
  let n = first ?? (await sub.waitForNotify(() => true, deadline, `a NOTIFY showing ${contact} ${state}`, clause));
  for (;;) {
    if ((await regContact(n.body, contact))?.state === state) return n;
    const info = await parseReginfo(n.body).catch((e: unknown) => (e instanceof Error ? e.message : String(e)));
    const seen =
      typeof info === "string"
        ? info
        : `contacts: ${
            info.registrations
              .flatMap((r) => r.contacts)
              .map((c) => `${c.uri} ${c.state}/${c.event}`)
              .join("; ") || "none"
          }`;
    n = await sub.waitForNotify(() => true, deadline, `a reginfo contact ${contact} with state "${state}" (last NOTIFY: ${seen})`, clause);
  }
}

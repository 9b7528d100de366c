// The INVITE a callee of the scenario receives, shared by the call, media and session-timer steps.
import type { IncomingCall } from "../../src/sip/ue/index.ts";
import { fail } from "./expect.ts";
import type { ImsWorld } from "./world.ts";

/**
 * The INVITE for `role`, waited for once and kept. The wait also ends when a call of this scenario
 * gets a final error response first: the INVITE will not come, and the report says why.
 */
export async function incoming(world: ImsWorld, role: string, clause = "TS 24.229 5.4.3.2"): Promise<IncomingCall> {
  const known = world.incoming.get(role);
  if (known) return known;
  const ue = await world.ue(role);
  const deadline = world.deadline(`INVITE at ${role}`);
  const rejected = [...world.outgoing.entries()].map(([caller, call]) =>
    call
      .waitForResponse((r) => r.status >= 300, deadline)
      .then((r): never => fail(`an INVITE for ${role} (${ue.impu})`, `${caller}'s INVITE was answered ${r.startLine()} by the network instead`, clause)),
  );
  for (const p of rejected) p.catch(() => undefined);
  const call = await Promise.race([ue.waitForCall(deadline), ...rejected]);
  world.incoming.set(role, call);
  return call;
}

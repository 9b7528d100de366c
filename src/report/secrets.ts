// The secrets of a profile (Digest passwords, AKA K and OPc), for masking every file a run writes.
import type { Profile } from "../profile/profile.ts";
import { maskSecrets as mask } from "./mask-secrets.ts";

export function profileSecrets(p: Profile): Array<string | Buffer> {
  return p.ixit.subscribers.flatMap((s): Array<string | Buffer> => (s.auth.kind === "digest" ? [s.auth.password] : [s.auth.k, s.auth.opc]));
}

export const maskSecrets = mask;

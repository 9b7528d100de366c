// The secrets of a profile (Digest passwords, AKA K and OPc), for masking every file a run writes.
import type { Profile } from "../profile/profile.ts";
import { maskSecrets as mask } from "./mask-secrets.ts";

export function profileSecrets(p: Profile): Array<string | Buffer> {
  return p.ixit.subscribers.flatMap((s): Array<string | Buffer> => (s.auth.kind === "digest" ? [s.auth.password] : [s.auth.k, s.auth.opc]));
}

export const maskSecrets = mask;

/** Masks secrets inside binary evidence (a pcap) without changing its length: each occurrence becomes '*'. */
export function maskBytes(data: Buffer, secrets: readonly (string | Buffer)[]): Buffer {
  const out = Buffer.from(data);
  for (const s of secrets) {
    const forms = typeof s === "string" ? [Buffer.from(s)] : [s, Buffer.from(s.toString("hex")), Buffer.from(s.toString("hex").toUpperCase()), Buffer.from(s.toString("base64"))];
    for (const f of forms) {
      if (f.length < 4) continue;
      for (let i = out.indexOf(f); i >= 0; i = out.indexOf(f, i + f.length)) out.fill(0x2a, i, i + f.length);
    }
  }
  return out;
}

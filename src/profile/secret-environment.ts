// The secrets of a loaded profile as the environment variables it names: a child process that loads
// the same profile with this environment resolves the same values (for the embedded target, the
// values generated for this run instead of new random ones).
import type { Profile } from "./profile.ts";

export function secretEnvironment(profile: Profile): Record<string, string> {
  const env: Record<string, string> = {};
  for (const s of profile.ixit.subscribers) {
    if (s.auth.kind === "digest") env[s.auth.passwordEnv] = s.auth.password;
    else {
      env[s.auth.kEnv] = s.auth.k.toString("hex");
      env[s.auth.opcEnv] = s.auth.opc.toString("hex");
    }
  }
  return env;
}

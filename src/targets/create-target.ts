import type { FaultName, Profile } from "../profile/profile.ts";
import { ContainerTarget } from "./container-target.ts";
import { EmbeddedTarget } from "./embedded-target.ts";
import { ProcessTarget } from "./process-target.ts";
import { RemoteTarget } from "./remote-target.ts";
import type { Target } from "./target.ts";

export function createTarget(profile: Profile, extraFaults: readonly FaultName[] = []): Target {
  const t = profile.target;
  switch (t.kind) {
    case "embedded":
      return new EmbeddedTarget(profile, [...new Set([...t.faults, ...extraFaults])]);
    case "remote":
      return new RemoteTarget(profile);
    case "process":
      return new ProcessTarget(profile);
    case "container":
      return new ContainerTarget(profile);
  }
}

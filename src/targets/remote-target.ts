// A SUT that runs elsewhere: nothing to start; reachability is checked by the pre-flight OPTIONS.
import type { Profile } from "../profile/profile.ts";
import type { StartedTarget, Target } from "./target.ts";

export class RemoteTarget implements Target {
  readonly kind = "remote";
  constructor(private readonly profile: Profile) {}

  start(): Promise<StartedTarget> {
    const { pcscf, pcscfUri } = this.profile.ixit;
    return Promise.resolve({
      description: `remote SUT at ${pcscf.host}:${pcscf.port}`,
      pcscf,
      ...(pcscfUri ? { pcscfUri } : {}),
      logs: () => "",
      stop: () => Promise.resolve(),
    });
  }
}

// One profile load per run: the runner hands its loaded profile to the Cucumber worker that runs in
// its own process; a worker in a child process loads the file once, with the secrets the runner
// resolved passed in its environment (generated ones included, for the embedded target).
import { loadProfile } from "../profile/index.ts";
import type { Profile } from "../profile/profile.ts";
import type { SuiteParameters } from "./suite-parameters.ts";

const runs = new Map<string, Profile>();

export function handOverProfile(runId: string, profile: Profile): void {
  runs.set(runId, profile);
}

export function releaseProfile(runId: string): void {
  runs.delete(runId);
}

export async function profileOfRun(p: Pick<SuiteParameters, "runId" | "profileFile">): Promise<Profile> {
  return runs.get(p.runId) ?? (await loadProfile(p.profileFile));
}

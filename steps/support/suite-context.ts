// Per-worker state shared by the scenarios of one Cucumber worker: the profile, and the embedded
// reference core when the SUT is embedded. Started by the first scenario (it has the world
// parameters), stopped in AfterAll.
import { AfterAll } from "@cucumber/cucumber";
import { loadProfile } from "../../src/profile/index.ts";
import type { Profile } from "../../src/profile/profile.ts";
import type { ReferenceCore } from "../../src/reference-core/index.ts";
import type { SuiteParameters } from "../../src/runner/suite-parameters.ts";
import { EmbeddedTarget, type StartedTarget } from "../../src/targets/index.ts";

export interface SuiteContext {
  readonly profile: Profile;
  readonly sut: StartedTarget;
  /** The embedded core, for network-side triggers (TS 24.228 6.7, 6.8); absent for other targets. */
  readonly core?: ReferenceCore;
  /** This Cucumber worker's index (0 when not parallel): which subscriber of each role's pool it uses. */
  readonly worker: number;
}

/** Read once, at the edge: Cucumber tells each parallel worker its id. */
const WORKER = Number(process.env["CUCUMBER_WORKER_ID"] ?? "0") || 0;

let context: SuiteContext | undefined;
let starting: Promise<SuiteContext> | undefined;

export function suiteContext(parameters: SuiteParameters): Promise<SuiteContext> {
  if (context) return Promise.resolve(context);
  starting ??= (async () => {
    const profile = await loadProfile(parameters.profileFile);
    if (parameters.sut.kind === "embedded") {
      const started = await new EmbeddedTarget(profile, parameters.faults).start();
      context = { profile, sut: started, core: started.core, worker: WORKER };
    } else {
      const { pcscf, pcscfUri, description } = parameters.sut;
      context = { profile, sut: { description, pcscf, ...(pcscfUri ? { pcscfUri } : {}), logs: () => "", stop: () => Promise.resolve() }, worker: WORKER };
    }
    return context;
  })();
  return starting;
}

AfterAll(async function () {
  const c = context;
  context = undefined;
  starting = undefined;
  await c?.sut.stop();
});

// Per-worker state shared by the scenarios of one Cucumber worker: the run's profile, the SUT the
// runner started for this worker, and the runner's test-bed service. Made by the first scenario (it
// has the world parameters), forgotten in AfterAll; the runner starts and stops the SUT.
import { AfterAll } from "@cucumber/cucumber";
import type { Profile } from "../../src/profile/profile.ts";
import { profileOfRun } from "../../src/runner/profile-handoff.ts";
import { type SuiteParameters, type SutParameters, sutOfWorker } from "../../src/runner/suite-parameters.ts";
import { type TestBedClient, testBedClient } from "../../src/runner/test-bed-client.ts";

export interface SuiteContext {
  readonly profile: Profile;
  readonly sut: SutParameters;
  /** The SUT's log and network-side triggers (TS 24.228 6.7, 6.8), through the runner. */
  readonly testBed: TestBedClient;
  /**
   * Which subscriber of each role's pool this worker uses: its Cucumber worker index when the
   * workers share one SUT, 0 when it has a SUT of its own (the embedded core, one per worker).
   */
  readonly worker: number;
  /** An interop run's pair (issue 15): the originating network is `profile`/`sut`, the terminating one here. */
  readonly interop?: {
    readonly originating: string;
    readonly terminating: { readonly name: string; readonly profile: Profile; readonly sut: SutParameters; readonly testBed: TestBedClient };
  };
}

/** Read once, at the edge: Cucumber tells each parallel worker its id. */
const WORKER = Number(process.env["CUCUMBER_WORKER_ID"] ?? "0") || 0;

/**
 * The context of the run in progress, by its run (and an interop pair's terminating network): a load
 * run (src/load) runs no AfterAll between its runs.
 */
let context: { key: string; value: Promise<SuiteContext> } | undefined;

export function suiteContext(parameters: SuiteParameters): Promise<SuiteContext> {
  const key = `${parameters.runId} ${parameters.interop?.terminating.runId ?? ""}`;
  if (context?.key === key) return context.value;
  const value = (async () => {
    const sut = sutOfWorker(parameters, WORKER);
    const worker = parameters.suts.length > 1 ? 0 : WORKER;
    const i = parameters.interop;
    const interop = i
      ? {
          originating: i.originating,
          terminating: {
            name: i.terminating.name,
            profile: await profileOfRun({ runId: i.terminating.runId, profileFile: i.terminating.profileFile }),
            sut: i.terminating.sut,
            testBed: testBedClient(i.terminating.sut),
          },
        }
      : undefined;
    return { profile: await profileOfRun(parameters), sut, testBed: testBedClient(sut), worker, ...(interop ? { interop } : {}) };
  })();
  context = { key, value };
  return value;
}

AfterAll(function () {
  context = undefined;
});

// A parallel worker leaves Ctrl-C (SIGINT, and SIGHUP when the terminal closes, which reach the
// whole foreground process group) to the runner, which ends the running step through the
// interrupt file and writes the reports; a worker whose runner is gone ends too.
if (process.env["CUCUMBER_WORKER_ID"] !== undefined) {
  for (const signal of ["SIGINT", "SIGHUP"] as const) process.on(signal, () => undefined);
  process.on("disconnect", () => process.exit(1));
}

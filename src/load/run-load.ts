// A load run (issue 17, first working part): one test case of the suite run as many flows, several
// at a time, each flow executing the test case's own step definitions and hooks (the support code
// Cucumber loads from steps/) with a World of its own, so that every message is judged by the same
// requirements as in conformance. A flow that fails is counted under the requirement it broke; RFC
// 6076's figures come from the flows' traces. Each concurrent flow uses its own slot of the UE pool.
//
// Against the embedded core the UE pool is made for the run (loadPool); another SUT must have its
// pool provisioned already: its profile lists a subscriber of every role per concurrent flow.
// Not yet: rates (flows start as soon as a slot is free), registration storms of their own, the
// live screen, the HTML report, thresholds, pools from a pattern, shards across machines.
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import type { IWorld } from "@cucumber/cucumber";
import type { GherkinDocument, Pickle } from "@cucumber/messages";
import { loadProfile, parallelProblem } from "../profile/index.ts";
import type { FaultName, Profile } from "../profile/profile.ts";
import { handOverProfile, releaseProfile } from "../runner/profile-handoff.ts";
import { picklesOf } from "../runner/catalog.ts";
import { suiteSupport } from "../runner/run-suite.ts";
import type { SuiteParameters } from "../runner/suite-parameters.ts";
import { startTestBedService } from "../runner/test-bed-service.ts";
import type { TraceEntry } from "../sip/transport/trace.ts";
import { createTarget, preflightOptions } from "../targets/index.ts";
import { LoadRecorder, type LoadResult } from "./metrics.ts";
import { loadPool } from "./pool.ts";
import { recordTrace } from "./trace-metrics.ts";

export interface LoadOptions {
  readonly profileFile: string;
  readonly projectDir: string;
  /** The test case run as load, e.g. "IMS-CALL-001" (an outline: its examples in turn). */
  readonly testCase: string;
  /** How many flows in all. */
  readonly flows: number;
  /** How many at a time (and so how many slots the UE pool has). */
  readonly concurrency: number;
  /** Faults for the embedded reference core. */
  readonly faults?: readonly FaultName[];
  readonly onFlow?: (flow: FlowOutcome) => void;
}

export interface FlowOutcome {
  readonly index: number;
  readonly slot: number;
  readonly ok: boolean;
  /** The requirement a failed flow broke ("response.cseq"), or what failed otherwise ("expectation", "inconclusive", "error"). */
  readonly failure?: string;
  readonly reason?: string;
  readonly durationMs: number;
}

export interface LoadRunResult {
  readonly result: LoadResult;
  readonly flows: readonly FlowOutcome[];
  readonly sut: string;
}

/** The class of the World the support code defines (ImsWorld). */
type WorldClass = new (options: {
  parameters: SuiteParameters;
  attach: () => void;
  log: () => void;
  link: () => void;
}) => IWorld<SuiteParameters> & { loadSlot: number | undefined; trace: { entries: readonly TraceEntry[] } };

/** What a failed flow broke: "Requirement: <id>: ..." names it; the verdict classes name the rest. */
export function failureOf(e: unknown): { failure: string; reason: string } {
  const message = e instanceof Error ? e.message : String(e);
  const id = /^(?:example \d+ of \d+: )?Requirement: ([^:\s]+):/.exec(message)?.[1];
  if (id) return { failure: id, reason: message };
  const name = e instanceof Error ? e.name : "";
  if (name === "InconclusiveError") return { failure: "inconclusive", reason: message };
  if (name === "ExpectationError" || name === "AssertionError" || /^Expected: /m.test(message)) return { failure: "expectation", reason: message };
  return { failure: "error", reason: message };
}

/** A load run that cannot start: bad input (exit 2), nothing started. */
export class LoadInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LoadInputError";
  }
}

export async function runLoad(o: LoadOptions): Promise<LoadRunResult> {
  const base = await loadProfile(o.profileFile);
  if (base.terminal) throw new LoadInputError(`${base.file} describes a terminal: a load run tests a network`);
  // The embedded core gets a pool made for the run; another SUT is provisioned already: its profile
  // lists a subscriber of every role per concurrent flow (as for --parallel)
  const shortage = base.target.kind === "embedded" ? undefined : parallelProblem(base, o.concurrency);
  if (shortage) throw new LoadInputError(shortage.replace(`--parallel ${o.concurrency}`, `--concurrency ${o.concurrency}`).replace("no two workers", "no two flows"));
  const profile: Profile = base.target.kind === "embedded" ? loadPool(base, o.concurrency) : base;
  const { pickles, document } = await picklesOf(join(o.projectDir, "features"), o.projectDir, o.testCase);
  const library = await suiteSupport(o.projectDir);
  const target = await createTarget(profile, o.faults ?? []).start();
  const runId = randomUUID();
  const service = await startTestBedService(target);
  try {
    const probe = await preflightOptions(target.pcscf, profile.ixit.transports[0] ?? "udp", profile.ixit.domain, 3000, profile.ixit.localHost);
    if (!probe.ok) throw new Error(`the SUT is unreachable: ${probe.detail}`);
    handOverProfile(runId, profile);
    const parameters: SuiteParameters = {
      profileFile: profile.file,
      runId,
      suts: [
        {
          pcscf: target.pcscf,
          ...(target.pcscfUri ? { pcscfUri: target.pcscfUri } : {}),
          description: target.description,
          testBed: { url: service.url, token: service.token, network: target.network !== undefined },
        },
      ],
      load: true,
    };
    const recorder = new LoadRecorder(Date.now());
    const outcomes: FlowOutcome[] = [];
    let next = 0;
    const slotLoop = async (slot: number): Promise<void> => {
      for (let index = next++; index < o.flows; index = next++) {
        const pickle = pickles[index % pickles.length];
        const outcome = await runFlow(library as unknown as Library, document, pickle, parameters, slot, index, recorder);
        outcomes.push(outcome);
        o.onFlow?.(outcome);
      }
    };
    await Promise.all(Array.from({ length: Math.min(o.concurrency, o.flows) }, (_, slot) => slotLoop(slot)));
    return { result: recorder.result(), flows: outcomes.sort((a, b) => a.index - b.index), sut: target.description };
  } finally {
    releaseProfile(runId);
    await service.close();
    await target.stop();
  }
}

/** The parts of Cucumber's support code library a flow uses. */
interface Library {
  readonly World: WorldClass;
  readonly beforeTestCaseHookDefinitions: readonly HookDefinition[];
  readonly afterTestCaseHookDefinitions: readonly HookDefinition[];
  readonly stepDefinitions: readonly StepDefinition[];
}
interface HookDefinition {
  appliesToTestCase(pickle: Pickle): boolean;
  readonly code: (this: unknown, parameter: unknown) => unknown;
}
interface StepDefinition {
  matchesStepName(text: string): boolean;
  getInvocationParameters(request: { step: Pickle["steps"][number]; world: unknown; hookParameter: unknown }): Promise<{ parameters: unknown[] }>;
  readonly code: (this: unknown, ...args: unknown[]) => unknown;
}

/** One flow: the Before hooks, the steps, the After hooks (in reverse, as Cucumber runs them), in a World of its own. */
async function runFlow(library: Library, document: GherkinDocument, pickle: Pickle, parameters: SuiteParameters, slot: number, index: number, recorder: LoadRecorder): Promise<FlowOutcome> {
  const started = Date.now();
  const world = new library.World({ parameters, attach: () => undefined, log: () => undefined, link: () => undefined });
  // The pool slot is this flow's: set before any hook reads a subscriber
  world.loadSlot = slot;
  const hookParameter = { gherkinDocument: document, pickle, testCaseStartedId: `load-${index}` };
  let failed: unknown;
  try {
    for (const h of library.beforeTestCaseHookDefinitions.filter((x) => x.appliesToTestCase(pickle))) await h.code.call(world, hookParameter);
    for (const step of pickle.steps) {
      const matching = library.stepDefinitions.filter((d) => d.matchesStepName(step.text));
      if (matching.length !== 1) throw new Error(`step "${step.text}" has ${matching.length} definitions`);
      const { parameters: args } = await matching[0].getInvocationParameters({ step, world, hookParameter });
      await matching[0].code.apply(world, args);
    }
  } catch (e) {
    failed = e;
  }
  const result = failed === undefined ? { status: "PASSED" } : { status: "FAILED", message: failureOf(failed).reason };
  for (const h of [...library.afterTestCaseHookDefinitions].reverse().filter((x) => x.appliesToTestCase(pickle))) {
    try {
      await h.code.call(world, { ...hookParameter, result, willBeRetried: false });
    } catch (e) {
      // The After hook judges what nobody consumed and what the postamble saw: its failure is the flow's
      failed ??= e;
    }
  }
  recordTrace(recorder, world.trace.entries);
  const end = Date.now();
  if (failed === undefined) return { index, slot, ok: true, durationMs: end - started };
  const f = failureOf(failed);
  recorder.failure(f.failure, end);
  return { index, slot, ok: false, failure: f.failure, reason: f.reason, durationMs: end - started };
}

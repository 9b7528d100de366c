// A load run (issue 17): test cases of the suite run as many flows, each flow executing the test
// case's own step definitions and hooks (the support code Cucumber loads from steps/) with a World of
// its own, so that every message is judged by the same requirements as in conformance. A flow that
// fails is counted under the requirement it broke; RFC 6076's figures come from the flows' traces.
//
// Each flow in flight uses a slot of the UE pool (every role once per slot). Flows start as soon as a
// slot is free (closed loop), or at a rate (open loop: arrival k at k/rate s, waiting for a free slot
// when all are busy). No flow starts after the duration or beyond the flow cap; those in flight end
// within their own deadlines. A shard i/n of a run takes the slots s with s mod n = i-1, its share of
// the rate and of the flows, so that n jobs together make the run and never share an identity.
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import type { IWorld } from "@cucumber/cucumber";
import type { GherkinDocument, Pickle } from "@cucumber/messages";
import { loadProfile } from "../profile/index.ts";
import type { FaultName, Profile } from "../profile/profile.ts";
import { handOverProfile, releaseProfile } from "../runner/profile-handoff.ts";
import { picklesOf } from "../runner/catalog.ts";
import { suiteSupport } from "../runner/run-suite.ts";
import type { Shard } from "../runner/shard.ts";
import type { SuiteParameters } from "../runner/suite-parameters.ts";
import { startTestBedService } from "../runner/test-bed-service.ts";
import type { TraceEntry } from "../sip/transport/trace.ts";
import { createTarget, preflightOptions } from "../targets/index.ts";
import { FAILED_FLOWS_KEPT, LOAD_DOCUMENT_FORMAT, type FailedFlow, type LoadDocument } from "./load-document.ts";
import type { LiveState } from "./live-screen.ts";
import { LoadRecorder, loadFigures } from "./metrics.ts";
import { poolFor } from "./pool.ts";
import { judgeThresholds } from "./thresholds.ts";
import { recordTrace } from "./trace-metrics.ts";

/** Flows in all when neither a cap nor a duration is given. */
export const DEFAULT_FLOWS = 100;
/** Slots when neither the UEs nor the slots are given. */
export const DEFAULT_SLOTS = 10;
/** Failed flows kept with their reason, per failure identifier. */

export interface LoadOptions {
  readonly profileFile: string;
  readonly projectDir: string;
  /** The test cases run as load, e.g. ["IMS-CALL-001"]; flows take their scenarios (an outline's examples) in turn. */
  readonly testCases: readonly string[];
  /** UEs in the pool in all: slots = ues / roles of the profile. Default: the profile's load.ues. */
  readonly ues?: number;
  /** Flows in flight at most (slots of the pool); overrides `ues`. */
  readonly slots?: number;
  /** Flows started per second; absent: each slot starts its next flow as soon as it is free. */
  readonly rate?: number;
  /** No flow starts after this many ms. */
  readonly durationMs?: number;
  /** Flows in all at most. */
  readonly flows?: number;
  readonly shard?: Shard;
  /** Faults for the embedded reference core. */
  readonly faults?: readonly FaultName[];
  /**
   * Every flow registers its UEs and de-registers them (true), rather than meeting "UE-A is
   * registered" with the registration the slot's last passed flow left standing (the default).
   */
  readonly registerPerFlow?: boolean;
  /** Aborted: no new flow starts; those in flight end; the document holds what ran. */
  readonly signal?: AbortSignal;
  readonly onFlow?: (flow: FlowOutcome) => void;
  /** Called once flows start, with what a live screen shows. */
  readonly onStart?: (probe: () => LiveState) => void;
}

export interface FlowOutcome {
  readonly index: number;
  readonly testCase: string;
  /** The pool slot (global: the same in every shard). */
  readonly slot: number;
  readonly ok: boolean;
  /** The requirement a failed flow broke ("response.cseq"), or what failed otherwise ("expectation", "inconclusive", "error"). */
  readonly failure?: string;
  readonly reason?: string;
  readonly durationMs: number;
  /** When it ended, ms since the run's start. */
  readonly at: number;
}

export interface LoadRunResult {
  readonly document: LoadDocument;
  /** Every flow, in index order (a failed one's reason only for the first few of each failure). */
  readonly flows: readonly FlowOutcome[];
  /** The run was aborted before its end. */
  readonly interrupted: boolean;
}

/** The class of the World the support code defines (ImsWorld). */
type WorldClass = new (options: {
  parameters: SuiteParameters;
  attach: () => void;
  log: () => void;
  link: () => void;
}) => IWorld<SuiteParameters> & { loadSlot: number | undefined; loadStanding: Map<string, StandingUe> | undefined; trace: { entries: readonly TraceEntry[] } };

/** A UE that stays registered between the flows of a slot (steps/support/standing-ue.ts): released at the end of the run. */
interface StandingUe {
  release(): Promise<void>;
}

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

/** How a run goes, resolved from the options and the profile's load section. */
export interface LoadPlan {
  readonly ues: number;
  /** Slots of the whole run. */
  readonly slots: number;
  /** The global slots this process runs (all, or its shard's). */
  readonly ownSlots: readonly number[];
  /** This process's rate (its shard's share). */
  readonly rate?: number;
  readonly durationMs?: number;
  /** This process's flow cap (its shard's share). */
  readonly flows?: number;
}

/** The plan of a run: options over the profile's load section over the defaults; a shard's share. */
export function loadPlan(profile: Profile, o: Pick<LoadOptions, "ues" | "slots" | "rate" | "durationMs" | "flows" | "shard">): LoadPlan {
  const section = profile.load;
  // A pool from patterns has its own roles; otherwise every role of the profile is in every slot
  const roles = section?.pool?.subscribers.length ?? (new Set(profile.ixit.subscribers.map((s) => s.role)).size || 1);
  const ues = o.slots !== undefined ? o.slots * roles : (o.ues ?? section?.ues ?? DEFAULT_SLOTS * roles);
  const slots = o.slots ?? Math.floor(ues / roles);
  if (slots < 1) throw new LoadInputError(`${ues} UEs make no flow slot: every flow uses one UE of each of the ${roles} roles of ${profile.file}`);
  const rate = o.rate ?? section?.rate;
  const durationMs = o.durationMs ?? section?.durationMs;
  const cap = o.flows ?? section?.flows ?? (durationMs === undefined ? DEFAULT_FLOWS : undefined);
  const shard = o.shard ?? { index: 1, total: 1 };
  const ownSlots = Array.from({ length: slots }, (_, s) => s).filter((s) => s % shard.total === shard.index - 1);
  if (ownSlots.length === 0) throw new LoadInputError(`--shard ${shard.index}/${shard.total}: ${slots} slots leave this shard none; give more UEs or fewer shards`);
  const share = (n: number): number => Math.floor(n / shard.total) + (shard.index - 1 < n % shard.total ? 1 : 0);
  return {
    ues,
    slots,
    ownSlots,
    ...(rate !== undefined ? { rate: rate / shard.total } : {}),
    ...(durationMs !== undefined ? { durationMs } : {}),
    ...(cap !== undefined ? { flows: share(cap) } : {}),
  };
}

export async function runLoad(o: LoadOptions): Promise<LoadRunResult> {
  const base = await loadProfile(o.profileFile);
  if (base.terminal) throw new LoadInputError(`${base.file} describes a terminal: a load run tests a network`);
  if (o.testCases.length === 0) throw new LoadInputError("a load run needs a test case");
  const plan = loadPlan(base, o);
  let profile: Profile;
  try {
    profile = poolFor(base, plan.ownSlots);
  } catch (e) {
    throw new LoadInputError(e instanceof Error ? e.message : String(e));
  }
  const scenarios: { id: string; pickle: Pickle; document: GherkinDocument }[] = [];
  for (const id of o.testCases) {
    const { pickles, document } = await picklesOf(join(o.projectDir, "features"), o.projectDir, id);
    for (const pickle of pickles) scenarios.push({ id, pickle, document });
  }
  const library = (await suiteSupport(o.projectDir)) as unknown as Library;
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
          ...(target.websocket ? { websocket: target.websocket } : {}),
          description: target.description,
          testBed: { url: service.url, token: service.token, network: target.network !== undefined },
        },
      ],
      load: true,
    };
    const startedAt = Date.now();
    const recorder = new LoadRecorder(startedAt);
    const outcomes: FlowOutcome[] = [];
    const kept = new Map<string, number>();
    const failures: Record<string, number> = {};
    let started = 0;
    let passed = 0;
    let failed = 0;
    let inFlight = 0;
    const mayStart = (): boolean => !o.signal?.aborted && (plan.flows === undefined || started < plan.flows) && (plan.durationMs === undefined || Date.now() - startedAt < plan.durationMs);

    // Per slot: the UEs registered by its flows' preconditions, kept for its next flow
    const standing = plan.ownSlots.map(() => new Map<string, StandingUe>());
    const flow = async (local: number): Promise<void> => {
      const index = started++;
      const scenario = scenarios[index % scenarios.length];
      inFlight++;
      recorder.flowStarted(Date.now(), inFlight);
      const outcome = await runFlow(library, scenario, parameters, { local, global: plan.ownSlots[local], standing: o.registerPerFlow ? undefined : standing[local] }, index, recorder);
      inFlight--;
      let keptOutcome: FlowOutcome = { ...outcome, at: Date.now() - startedAt };
      if (outcome.ok) passed++;
      else {
        failed++;
        const f = outcome.failure ?? "error";
        failures[f] = (failures[f] ?? 0) + 1;
        const n = kept.get(f) ?? 0;
        kept.set(f, n + 1);
        if (n >= FAILED_FLOWS_KEPT) {
          const { reason: _dropped, ...rest } = keptOutcome;
          keptOutcome = rest;
        }
      }
      outcomes.push(keptOutcome);
      o.onFlow?.(keptOutcome);
    };

    o.onStart?.(() => ({
      elapsedMs: Date.now() - startedAt,
      started,
      passed,
      failed,
      inFlight,
      slots: plan.ownSlots.length,
      ...(plan.rate !== undefined ? { targetRate: plan.rate } : {}),
      failures: { ...failures },
      series: recorder.seriesSoFar(),
      ...(plan.durationMs !== undefined ? { durationMs: plan.durationMs } : {}),
      ...(plan.flows !== undefined ? { flowsCap: plan.flows } : {}),
    }));

    if (plan.rate === undefined) {
      // Closed loop: every slot starts its next flow as soon as its last one ended
      const slotLoop = async (local: number): Promise<void> => {
        while (mayStart()) await flow(local);
      };
      await Promise.all(plan.ownSlots.map((_, local) => slotLoop(local)));
    } else {
      // Open loop: arrival k is due at k/rate s; a late arrival (no free slot) starts when one frees
      // Free slots in the order they were freed: the least recently used first, so that every identity of the pool takes turns
      const free = plan.ownSlots.map((_, local) => local);
      const waiting: ((local: number) => void)[] = [];
      const release = (local: number): void => {
        const next = waiting.shift();
        if (next) next(local);
        else free.push(local);
      };
      const running = new Set<Promise<void>>();
      for (let k = 0; ; k++) {
        const due = startedAt + (k * 1000) / plan.rate;
        await sleep(due - Date.now(), o.signal);
        if (!mayStart()) break;
        const local = free.shift() ?? (await new Promise<number>((resolve) => waiting.push(resolve)));
        if (!mayStart()) {
          release(local);
          break;
        }
        const p = flow(local).finally(() => {
          running.delete(p);
          release(local);
        });
        running.add(p);
      }
      await Promise.all(running);
    }
    const endedAt = Date.now();
    // The standing registrations end with the run (not counted in its figures)
    await Promise.all(standing.flatMap((m) => [...m.values()].map((ue) => ue.release())));
    const result = recorder.result();
    const figures = loadFigures(result);
    outcomes.sort((a, b) => a.index - b.index);
    const failedFlows: FailedFlow[] = outcomes
      .filter((x): x is FlowOutcome & { reason: string; failure: string } => !x.ok && x.reason !== undefined && x.failure !== undefined)
      .map((x) => ({ index: x.index, testCase: x.testCase, failure: x.failure, reason: x.reason, at: x.at }));
    const document: LoadDocument = {
      format: LOAD_DOCUMENT_FORMAT,
      testCases: [...o.testCases],
      profile: base.file,
      sut: target.description,
      options: {
        ues: plan.ues,
        slots: plan.slots,
        ...(plan.rate !== undefined ? { rate: plan.rate * (o.shard?.total ?? 1) } : {}),
        ...(plan.durationMs !== undefined ? { durationMs: plan.durationMs } : {}),
        ...(plan.flows !== undefined ? { flows: plan.flows } : {}),
        ...(o.shard ? { shard: `${o.shard.index}/${o.shard.total}` } : {}),
        ...(o.faults && o.faults.length > 0 ? { faults: [...o.faults] } : {}),
      },
      wallMs: endedAt - startedAt,
      flowsStarted: started,
      flowsPassed: passed,
      flowsFailed: failed,
      result,
      figures,
      thresholds: judgeThresholds(base.load?.thresholds ?? [], { figures, flowsStarted: started, flowsPassed: passed, flowsFailed: failed, failures: result.failures }),
      failedFlows,
    };
    return { document, flows: outcomes, interrupted: o.signal?.aborted === true };
  } finally {
    releaseProfile(runId);
    await service.close();
    await target.stop();
  }
}

/** Waits `ms` (nothing when not positive), or less when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
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

/** The step definition of each pickle step, found once per run: flows repeat the same steps. */
const definitions = new WeakMap<Pickle["steps"][number], StepDefinition>();

function definitionOf(library: Library, step: Pickle["steps"][number]): StepDefinition {
  const known = definitions.get(step);
  if (known) return known;
  const matching = library.stepDefinitions.filter((d) => d.matchesStepName(step.text));
  if (matching.length !== 1) throw new Error(`step "${step.text}" has ${matching.length} definitions`);
  definitions.set(step, matching[0]);
  return matching[0];
}

/** One flow: the Before hooks, the steps, the After hooks (in reverse, as Cucumber runs them), in a World of its own. */
async function runFlow(
  library: Library,
  scenario: { id: string; pickle: Pickle; document: GherkinDocument },
  parameters: SuiteParameters,
  slot: { local: number; global: number; standing: Map<string, StandingUe> | undefined },
  index: number,
  recorder: LoadRecorder,
): Promise<Omit<FlowOutcome, "at">> {
  const { pickle, document } = scenario;
  const started = Date.now();
  const world = new library.World({ parameters, attach: () => undefined, log: () => undefined, link: () => undefined });
  // The pool slot is this flow's (its index in this process's pool): set before any hook reads a subscriber
  world.loadSlot = slot.local;
  world.loadStanding = slot.standing;
  const hookParameter = { gherkinDocument: document, pickle, testCaseStartedId: `load-${index}` };
  let failed: unknown;
  try {
    for (const h of library.beforeTestCaseHookDefinitions.filter((x) => x.appliesToTestCase(pickle))) await h.code.call(world, hookParameter);
    for (const step of pickle.steps) {
      const definition = definitionOf(library, step);
      const { parameters: args } = await definition.getInvocationParameters({ step, world, hookParameter });
      await definition.code.apply(world, args);
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
  const base = { index, testCase: scenario.id, slot: slot.global, durationMs: end - started };
  if (failed === undefined) {
    recorder.flowPassed(end);
    return { ...base, ok: true };
  }
  const f = failureOf(failed);
  recorder.failure(f.failure, end);
  return { ...base, ok: false, failure: f.failure, reason: f.reason };
}

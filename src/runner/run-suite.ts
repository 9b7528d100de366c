// Runs the conformance suite: profile -> test cases selected by tags and PICS -> SUT started and
// probed -> Cucumber -> one verdict per test case (pass, fail, inconclusive, not-applicable, error).
import { randomUUID } from "node:crypto";
import { existsSync, writeFileSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Writable } from "node:stream";
import { type ISupportCodeLibrary, loadConfiguration, loadSupport, runCucumber } from "@cucumber/cucumber/api";
import { type Envelope, TestStepResultStatus } from "@cucumber/messages";
import { applicability, loadProfile, parallelProblem } from "../profile/index.ts";
import { FAULT_NAMES, type FaultName, type Profile, UE_FAULT_NAMES, type UeFaultName, UPPER_TESTER_ACTIONS, type UpperTesterAction } from "../profile/profile.ts";
import { secretEnvironment } from "../profile/secret-environment.ts";
import { createTarget, preflightOptions, type StartedTarget, type SutDown } from "../targets/index.ts";
import { loadCatalog } from "./catalog.ts";
import { handOverProfile, releaseProfile } from "./profile-handoff.ts";
import { handOverTerminalBed, releaseTerminalBed } from "./terminal-handoff.ts";
import { startTerminalBed } from "../targets/terminal-bed.ts";
import { type TestBedService, startTestBedService } from "./test-bed-service.ts";
import type { SuiteParameters, SutParameters } from "./suite-parameters.ts";
import { type CheckedRequirement, REQUIREMENTS_MEDIA_TYPE, parseRequirementsEvidence } from "./requirements-evidence.ts";
import { selectTestCases } from "./selection.ts";
import { type Shard, selectShard } from "./shard.ts";
import type { TestCase } from "./test-case.ts";
import { type Verdict, VERDICTS, verdictOfStep, worse } from "./verdict.ts";

export interface RunOptions {
  readonly profileFile: string;
  /** The profile already loaded from profileFile (the CLI validates it first); loaded here when absent. */
  readonly profile?: Profile;
  /** A Cucumber tag expression narrowing the selection, e.g. "@IMS-REG-001 or @IMS-CALL-001". */
  readonly tags?: string;
  readonly parallel?: number;
  /** Faults for the embedded reference core (a terminal profile: for the self-test UE), added to the profile's. */
  readonly faults?: readonly (FaultName | UeFaultName)[];
  readonly projectDir: string;
  readonly onProgress?: (result: TestCaseResult) => void;
  /** A test case starts (for a "now running" line). */
  readonly onStart?: (testCase: TestCase) => void;
  /** Run only this shard of the selected test cases (`--shard i/n`). */
  readonly shard?: Shard;
  /** Where allure-cucumberjs writes its results (emptied first); none when absent. */
  readonly allureResultsDir?: string;
  /**
   * Aborted on SIGINT/SIGTERM/SIGHUP, its reason the signal's name: the running test case ends as
   * error ("interrupted"), no other starts (each is error, "not run"), the SUT is stopped.
   */
  readonly signal?: AbortSignal;
}

export interface TestCaseResult {
  readonly testCase: TestCase;
  readonly verdict: Verdict;
  /** Why: the failure message, the not-applicable reason, or the test-bed problem. */
  readonly reason?: string;
  readonly durationMs: number;
  /** The requirements the test case checked on the messages its UEs received (absent when it did not run). */
  readonly requirements?: readonly CheckedRequirement[];
  /** It never started: the run was interrupted first. */
  readonly notRun?: true;
  /**
   * The profile's knownDeviations entry for this test case: shown beside the verdict, never changing
   * it or the gate (TTCN-3 practice: the certification summary lists declared deviations).
   */
  readonly knownDeviation?: string;
}

export interface RunResult {
  readonly profile: Profile;
  readonly sut: string;
  readonly results: readonly TestCaseResult[];
  readonly counts: Readonly<Record<Verdict, number>>;
  readonly durationMs: number;
  /** When the run started, ISO 8601 (UTC): summary.json's date, which `compare` orders runs by. */
  readonly startedAt?: string;
  /** Set when a signal cut the run short: "interrupted by SIGINT". */
  readonly interrupted?: string;
}

/** A test case of the terminal suite (features/terminal): run only with a terminal profile, and the others only with a network one. */
export const TERMINAL_TAG = "@terminal";
/** `@upper-tester:call`: the test case makes the UE under test act so; not applicable where the upper tester cannot. */
export const UPPER_TESTER_TAG = "@upper-tester:";

/** Why the profile's upper tester cannot do what the test case needs, or undefined when it can. */
export function upperTesterProblem(tags: readonly string[], profile: Profile): string | undefined {
  const ut = profile.terminal?.upperTester;
  if (!ut) return undefined;
  const needed = tags.filter((t) => t.startsWith(UPPER_TESTER_TAG)).map((t) => t.slice(UPPER_TESTER_TAG.length));
  const unknown = needed.filter((a) => !(UPPER_TESTER_ACTIONS as readonly string[]).includes(a));
  if (unknown.length > 0) return `the test case asks for unknown upper tester actions: ${unknown.join(", ")}`;
  const missing = (needed as UpperTesterAction[]).filter((a) => ut.actions[a] === undefined);
  return missing.length > 0 ? `the profile's upper tester (${ut.kind}) declares no ${missing.map((a) => `"${a}"`).join(", ")} action: the harness cannot make the UE under test do it` : undefined;
}

/** A test case of the interop suite (features/interop): run by `ims-interop interop` on pairs of networks, never on one. */
export const INTEROP_TAG = "@interop";

/** The test cases of the catalog a profile's SUT is tested with alone: the terminal suite for a terminal, the rest but the interop suite for a network. */
export function forSut(cases: readonly TestCase[], profile: Profile): TestCase[] {
  return cases.filter((tc) => tc.tags.includes(TERMINAL_TAG) === (profile.terminal !== undefined) && !tc.tags.includes(INTEROP_TAG));
}

/**
 * What a run of the profile's SUT selects: the test cases of its suite that `tags` select, then its
 * shard of those (so that the shards of a run split exactly its test cases, whatever the other
 * suites hold).
 */
export function selectForSut(catalog: readonly TestCase[], tags: string | undefined, shard: Shard | undefined, profile: Profile): TestCase[] {
  const selected = forSut(selectTestCases(catalog, tags), profile);
  return shard ? selectShard(selected, shard) : selected;
}

/** Whether a test case applies to the profile: its PICS, then what the upper tester can make a UE under test do. */
export function applicabilityFor(tc: TestCase, profile: Profile): { readonly applicable: boolean; readonly reason?: string } {
  const a = applicability(tc.picsTags, profile.pics);
  if (!a.applicable) return { applicable: false, reason: a.reason ?? "excluded by the profile's PICS" };
  const upper = upperTesterProblem(tc.tags, profile);
  return upper ? { applicable: false, reason: upper } : { applicable: true };
}

export async function runSuite(o: RunOptions): Promise<RunResult> {
  const started = performance.now();
  // Problems name the file as the user typed it; workers get the absolute path.
  const loaded = o.profile ?? (await loadProfile(o.profileFile));
  const ueFaults = (o.faults ?? []).filter((f): f is UeFaultName => (UE_FAULT_NAMES as readonly string[]).includes(f));
  const profile: Profile =
    ueFaults.length > 0 && loaded.target.kind === "embedded" ? { ...loaded, target: { ...loaded.target, ueFaults: [...new Set([...loaded.target.ueFaults, ...ueFaults])] } } : loaded;
  const profileFile = resolve(o.profileFile);
  const refused = parallelProblem(profile, o.parallel ?? 0);
  if (refused) throw new Error(refused);
  const catalog = await loadCatalog(join(o.projectDir, "features"), o.projectDir);
  // A terminal profile runs the terminal suite; a network profile, the rest
  const selected = selectForSut(catalog, o.tags, o.shard, profile);
  // The previous run's results go only now: the profile is valid and this run really starts
  if (o.allureResultsDir) {
    await rm(o.allureResultsDir, { recursive: true, force: true });
    await mkdir(o.allureResultsDir, { recursive: true });
  }
  const results: TestCaseResult[] = [];
  const applicable: TestCase[] = [];
  for (const tc of selected) {
    const a = applicabilityFor(tc, profile);
    if (a.applicable) applicable.push(tc);
    else results.push({ testCase: tc, verdict: "not-applicable", reason: a.reason ?? "excluded by the profile's PICS", durationMs: 0 });
  }
  for (const r of results) o.onProgress?.(r);

  const runId = randomUUID();
  const interruptFile = join(tmpdir(), `ims-interop-interrupt-${process.pid}-${runId}`);
  const interruptedBy = (): string | undefined => (o.signal?.aborted ? `interrupted by ${String(o.signal.reason)}` : undefined);
  let interruptedAt = Number.POSITIVE_INFINITY;
  const onAbort = (): void => {
    interruptedAt = Date.now();
    writeFileSync(interruptFile, interruptedBy() ?? "interrupted");
  };
  if (o.signal?.aborted) onAbort();
  else o.signal?.addEventListener("abort", onAbort, { once: true });
  const notRun = (tc: TestCase): TestCaseResult => ({
    testCase: tc,
    verdict: "error",
    reason: `not run: the run was ${interruptedBy() ?? "interrupted"} before this test case started`,
    durationMs: 0,
    notRun: true,
  });

  const faults = [...(profile.target.kind === "embedded" ? profile.target.faults : []), ...(o.faults ?? []).filter((f): f is FaultName => (FAULT_NAMES as readonly string[]).includes(f))];
  // Every target kind through one lifecycle: start, pre-flight OPTIONS, test-bed service, stop. The
  // embedded core runs once per parallel worker (its profile has one subscriber per role).
  const instances = profile.target.kind === "embedded" && !profile.terminal ? Math.max(1, o.parallel ?? 0) : 1;
  const targets: StartedTarget[] = [];
  const services: TestBedService[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.allSettled(services.map((s) => s.close()));
    await Promise.allSettled(targets.map((t) => t.stop()));
  };
  const failAll = (reason: string): void => {
    for (const tc of applicable) {
      const r: TestCaseResult = interruptedBy() ? notRun(tc) : { testCase: tc, verdict: "error", reason, durationMs: 0 };
      results.push(r);
      o.onProgress?.(r);
    }
  };
  let sutDescription = `${profile.target.kind} SUT (not started)`;
  try {
    if (applicable.length > 0) {
      if (profile.terminal) {
        // A UE under test: the harness's network runs for the whole run, the UE is switched on per test case
        const bed = await untilAborted(
          startTerminalBed(profile, { projectDir: o.projectDir }),
          o.signal,
          (late) =>
            // Started after the signal: stopped in the background; should that fail, the exit hooks kill it
            void late.stop().catch(() => undefined),
        );
        targets.push(bed);
        handOverTerminalBed(runId, bed);
        services.push(await startTestBedService(bed));
      }
      for (let i = 0; i < (profile.terminal ? 0 : instances); i++) {
        const target = await untilAborted(
          createTarget(profile, faults).start(),
          o.signal,
          (late) =>
            // Started after the signal: stopped in the background; should that fail, the exit hooks kill it
            void late.stop().catch(() => undefined),
        );
        targets.push(target);
        const probe = await untilAborted(preflightOptions(target.pcscf, profile.ixit.transports[0] ?? "udp", profile.ixit.domain, 3000, profile.ixit.localHost), o.signal);
        if (!probe.ok) throw new Error(`the SUT is unreachable: ${probe.detail}`);
        services.push(await startTestBedService(target));
      }
      sutDescription = targets[0].description + (targets.length > 1 ? ` (and ${targets.length - 1} more, one per worker)` : "");
    }
  } catch (e) {
    o.signal?.removeEventListener("abort", onAbort);
    await stopAll();
    failAll(e instanceof Error ? e.message : String(e));
    return finish(profile, targets[0]?.description ?? describeUnstarted(profile), results, started, interruptedBy());
  }

  // A SUT that goes down during the run: noticed within half a second, told to the workers by a file
  const sutDownFile = join(tmpdir(), `ims-interop-sut-down-${process.pid}-${runId}`);
  const sutDown = (): SutDown | undefined => targets.map((t) => t.down?.()).find((d) => d);
  const watch = targets.some((t) => t.down !== undefined)
    ? setInterval(() => {
        const down = sutDown();
        if (down && !existsSync(sutDownFile)) writeFileSync(sutDownFile, down.reason);
      }, 500)
    : undefined;
  handOverProfile(runId, profile);
  try {
    if (applicable.length > 0) {
      const suts: SutParameters[] = targets.map((t, i) => ({
        pcscf: t.pcscf,
        ...(t.pcscfUri ? { pcscfUri: t.pcscfUri } : {}),
        ...(t.websocket ? { websocket: t.websocket } : {}),
        description: t.description,
        testBed: { url: services[i].url, token: services[i].token, network: t.network !== undefined },
      }));
      const parameters: SuiteParameters = { profileFile, runId, suts, sutDownFile, interruptFile };
      // When each test case started and finished (ms since the epoch): what happened after the SUT went down or the run was interrupted
      const startedAt = new Map<string, number>();
      const finishedAt = new Map<string, number>();
      const verdicts = await runCucumberOn(applicable, parameters, profile, o, sutDown, startedAt, finishedAt);
      // Decided again at the end: a failure that the poll saw before the SUT's exit was known, but
      // that came after the exit, is the test bed's too
      const down = sutDown();
      if (down) for (const [id, r] of verdicts) if (r.verdict !== "pass" && r.verdict !== "error" && finishedAt.get(id)! >= down.at) verdicts.set(id, blameTestBed(r, down.reason));
      // Interrupted: what started after the signal did not run, whatever Cucumber said of it
      for (const [id, r] of verdicts) if (startedAt.get(id)! >= interruptedAt) verdicts.set(id, notRun(r.testCase));
      for (const tc of applicable) {
        if (!verdicts.has(tc.id)) {
          const r: TestCaseResult = interruptedBy() ? notRun(tc) : { testCase: tc, verdict: "error", reason: "the test case did not run (no result from Cucumber)", durationMs: 0 };
          results.push(r);
          o.onProgress?.(r);
        }
      }
      results.push(...verdicts.values());
    }
  } finally {
    o.signal?.removeEventListener("abort", onAbort);
    releaseProfile(runId);
    releaseTerminalBed(runId);
    if (watch) clearInterval(watch);
    await rm(sutDownFile, { force: true });
    await rm(interruptFile, { force: true });
    await stopAll();
  }
  return finish(profile, sutDescription, results, started, interruptedBy());
}

/** A SUT that did not start or answer: its kind and address, for the summary. */
function describeUnstarted(profile: Profile): string {
  const t = profile.target.kind;
  return t === "embedded" ? "embedded reference core (not started)" : `${t} SUT at ${profile.ixit.pcscf.host}:${profile.ixit.pcscf.port} (not reached)`;
}

/** `work`, or a rejection as soon as `signal` aborts; what `work` yields after that goes to `late`. */
export async function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined, late?: (value: T) => void): Promise<T> {
  if (!signal) return work;
  let abandoned = false;
  let onAbort = (): void => undefined;
  const aborted = new Promise<never>((_, fail) => {
    onAbort = () => {
      abandoned = true;
      fail(new Error(`interrupted by ${String(signal.reason)}`));
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  // The caller gets `work`'s rejection through the race below; this branch only hands on a late value
  work.then((v) => abandoned && late?.(v)).catch(() => undefined);
  try {
    return await Promise.race([work, aborted]);
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

function finish(profile: Profile, sut: string, results: TestCaseResult[], started: number, interrupted: string | undefined): RunResult {
  const withDeviation = (r: TestCaseResult): TestCaseResult => {
    const d = profile.knownDeviations[r.testCase.id];
    return d === undefined ? r : { ...r, knownDeviation: d };
  };
  const order = new Map(results.map((r) => [r.testCase.id, withDeviation(r)]));
  const sorted = [...order.values()].sort((a, b) => a.testCase.id.localeCompare(b.testCase.id));
  const counts = Object.fromEntries(VERDICTS.map((v) => [v, sorted.filter((r) => r.verdict === v).length])) as Record<Verdict, number>;
  const durationMs = performance.now() - started;
  return { profile, sut, results: sorted, counts, durationMs, startedAt: new Date(Date.now() - durationMs).toISOString(), ...(interrupted ? { interrupted } : {}) };
}

let support: ISupportCodeLibrary | undefined;

/**
 * The suite's step definitions, hooks and World (steps/**), loaded once per process: what a load run
 * (src/load) executes flow by flow, the same code Cucumber runs in conformance.
 */
export async function suiteSupport(projectDir: string): Promise<ISupportCodeLibrary> {
  if (support) return support;
  const environment = { cwd: projectDir, stdout: new Writable({ write: (_c, _e, done) => done() }), stderr: process.stderr, env: process.env };
  const { runConfiguration } = await loadConfiguration({ file: false, provided: { paths: ["features/**/*.feature"], import: ["steps/**/*.ts"] } }, environment);
  support ??= await loadSupport(runConfiguration, environment);
  return support;
}

function blameTestBed(r: TestCaseResult, reason: string): TestCaseResult {
  return { ...r, verdict: "error", reason: `${reason}: the test bed failed during this test case\n${r.reason ?? ""}` };
}

/** Runs the applicable test cases through Cucumber and reads one verdict per test case from its messages. */
export async function runCucumberOn(
  cases: readonly TestCase[],
  parameters: SuiteParameters,
  profile: Profile,
  o: Pick<RunOptions, "projectDir" | "parallel" | "allureResultsDir" | "onStart" | "onProgress">,
  sutDown: () => SutDown | undefined,
  startedAt: Map<string, number>,
  finishedAt: Map<string, number>,
): Promise<Map<string, TestCaseResult>> {
  const byId = new Map(cases.map((tc) => [tc.id, tc]));
  const tagExpression = cases.map((tc) => `@${tc.id}`).join(" or ");
  // Workers of a parallel run load the TypeScript steps through tsx, as this process does.
  const nodeOptions = `${process.env["NODE_OPTIONS"] ?? ""} --import tsx`.trim();
  const environment = {
    cwd: o.projectDir,
    stdout: new Writable({ write: (_c, _e, done) => done() }),
    stderr: process.stderr,
    // Secrets as resolved here (generated ones too, for the embedded core) for workers in child processes
    env: { ...process.env, ...secretEnvironment(profile), NODE_OPTIONS: nodeOptions },
  };
  const { runConfiguration } = await loadConfiguration(
    {
      file: false,
      provided: {
        paths: ["features/**/*.feature"],
        import: ["steps/**/*.ts"],
        tags: tagExpression,
        parallel: o.parallel ?? 0,
        worldParameters: JSON.parse(JSON.stringify(parameters)) as Record<string, never>,
        format: o.allureResultsDir ? ["allure-cucumberjs/reporter"] : [],
        ...(o.allureResultsDir ? { formatOptions: { resultsDir: o.allureResultsDir } } : {}),
      },
    },
    environment,
  );
  const pickles = new Map<string, string>(); // pickle id -> test case id
  const testCases = new Map<string, string>(); // Cucumber test case id -> our id
  const attempts = new Map<string, { id: string; start: number; verdict: Verdict; reason?: string; requirements?: CheckedRequirement[] }>();
  const out = new Map<string, TestCaseResult>();
  // A scenario outline is one test case with several examples: its verdict is the worst of theirs,
  // given once all have finished (ETSI: one test case run with several parameter sets)
  const examples = new Map<string, number>();
  const finished = new Map<string, TestCaseResult[]>();
  const onMessage = (m: Envelope): void => {
    if (m.pickle) {
      const id = m.pickle.tags.map((t) => /^@(IMS-[A-Z]+-\d{3})$/.exec(t.name)?.[1]).find((x) => x);
      if (id) pickles.set(m.pickle.id, id);
      if (id) examples.set(id, (examples.get(id) ?? 0) + 1);
    } else if (m.testCase) {
      const id = pickles.get(m.testCase.pickleId);
      if (id) testCases.set(m.testCase.id, id);
    } else if (m.testCaseStarted) {
      const id = testCases.get(m.testCaseStarted.testCaseId);
      if (id) {
        attempts.set(m.testCaseStarted.id, { id, start: toMs(m.testCaseStarted.timestamp), verdict: "pass" });
        startedAt.set(id, Date.now());
        const tc = byId.get(id);
        if (tc) o.onStart?.(tc);
      }
    } else if (m.testStepFinished) {
      const a = attempts.get(m.testStepFinished.testCaseStartedId);
      const r = m.testStepFinished.testStepResult;
      if (!a) return;
      const v = verdictOfStep(r.status, r.exception?.type);
      if (worse(a.verdict, v) !== a.verdict) {
        a.verdict = v;
        a.reason = r.exception?.message ?? r.message ?? (r.status === TestStepResultStatus.SKIPPED ? "a step was skipped: the test case did not run to its end" : r.status);
      }
    } else if (m.attachment?.mediaType === REQUIREMENTS_MEDIA_TYPE && m.attachment.testCaseStartedId) {
      const a = attempts.get(m.attachment.testCaseStartedId);
      if (a) a.requirements = parseRequirementsEvidence(m.attachment.body);
    } else if (m.testCaseFinished) {
      const a = attempts.get(m.testCaseFinished.testCaseStartedId);
      const tc = a && byId.get(a.id);
      if (!a || !tc) return;
      // A test case that did not pass while the SUT went down tells nothing about the SUT's conformance
      const end = toMs(m.testCaseFinished.timestamp);
      finishedAt.set(tc.id, Date.now());
      const own: TestCaseResult = {
        testCase: tc,
        verdict: a.verdict,
        ...(a.reason ? { reason: a.reason } : {}),
        durationMs: end - a.start,
        ...(a.requirements ? { requirements: a.requirements } : {}),
      };
      const down = a.verdict !== "pass" ? sutDown() : undefined;
      const done = [...(finished.get(tc.id) ?? []), down ? blameTestBed(own, down.reason) : own];
      finished.set(tc.id, done);
      if (done.length < (examples.get(tc.id) ?? 1)) return;
      const result = done.length === 1 ? done[0] : mergeExamples(done);
      out.set(tc.id, result);
      o.onProgress?.(result);
    }
  };
  // Step definitions are ES modules: imported once per process, so the library is kept for later runs
  support ??= await loadSupport(runConfiguration, environment);
  await runCucumber({ ...runConfiguration, support }, environment, onMessage);
  return out;
}

/** The examples of one scenario outline as one test case: the worst verdict with its reason (naming the example), durations added, requirements summed. */
function mergeExamples(done: readonly TestCaseResult[]): TestCaseResult {
  const worst = done.reduce((w, r) => (worse(w.verdict, r.verdict) === w.verdict ? w : r));
  const index = done.indexOf(worst);
  const tallies = new Map<string, CheckedRequirement>();
  for (const q of done.flatMap((r) => r.requirements ?? [])) {
    const t = tallies.get(q.id);
    tallies.set(q.id, t ? { ...t, checked: t.checked + q.checked, violated: t.violated + q.violated } : q);
  }
  const requirements = [...tallies.values()].sort((a, b) => a.id.localeCompare(b.id));
  return {
    testCase: worst.testCase,
    verdict: worst.verdict,
    ...(worst.reason ? { reason: `example ${index + 1} of ${done.length}: ${worst.reason}` } : {}),
    durationMs: done.reduce((sum, r) => sum + r.durationMs, 0),
    ...(requirements.length > 0 ? { requirements } : {}),
  };
}

function toMs(t: { seconds: number; nanos: number }): number {
  return t.seconds * 1000 + t.nanos / 1e6;
}

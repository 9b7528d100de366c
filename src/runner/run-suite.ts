// Runs the conformance suite: profile -> test cases selected by tags and PICS -> SUT started and
// probed -> Cucumber -> one verdict per test case (pass, fail, inconclusive, not-applicable, error).
import { existsSync, writeFileSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Writable } from "node:stream";
import { type ISupportCodeLibrary, loadConfiguration, loadSupport, runCucumber } from "@cucumber/cucumber/api";
import type { Envelope } from "@cucumber/messages";
import parseTagExpression from "@cucumber/tag-expressions";
import { applicability, loadProfile, parallelProblem } from "../profile/index.ts";
import type { FaultName, Profile } from "../profile/profile.ts";
import { createTarget, preflightOptions, type StartedTarget, type SutDown } from "../targets/index.ts";
import { loadCatalog } from "./catalog.ts";
import type { SuiteParameters, SutParameters } from "./suite-parameters.ts";
import { type CheckedRequirement, REQUIREMENTS_MEDIA_TYPE, parseRequirementsEvidence } from "./requirements-evidence.ts";
import { type Shard, selectShard } from "./shard.ts";
import type { TestCase } from "./test-case.ts";
import { type Verdict, VERDICTS, verdictOfStep, worse } from "./verdict.ts";

export interface RunOptions {
  readonly profileFile: string;
  /** A Cucumber tag expression narrowing the selection, e.g. "@IMS-REG-001 or @IMS-CALL-001". */
  readonly tags?: string;
  readonly parallel?: number;
  /** Faults for the embedded reference core, added to the profile's. */
  readonly faults?: readonly FaultName[];
  readonly projectDir: string;
  readonly onProgress?: (result: TestCaseResult) => void;
  /** Run only this shard of the selected test cases (`--shard i/n`). */
  readonly shard?: Shard;
  /** Where allure-cucumberjs writes its results (emptied first); none when absent. */
  readonly allureResultsDir?: string;
}

export interface TestCaseResult {
  readonly testCase: TestCase;
  readonly verdict: Verdict;
  /** Why: the failure message, the not-applicable reason, or the test-bed problem. */
  readonly reason?: string;
  readonly durationMs: number;
  /** The requirements the test case checked on the messages its UEs received (absent when it did not run). */
  readonly requirements?: readonly CheckedRequirement[];
}

export interface RunResult {
  readonly profile: Profile;
  readonly sut: string;
  readonly results: readonly TestCaseResult[];
  readonly counts: Readonly<Record<Verdict, number>>;
  readonly durationMs: number;
}

export async function runSuite(o: RunOptions): Promise<RunResult> {
  const started = performance.now();
  if (o.allureResultsDir) {
    await rm(o.allureResultsDir, { recursive: true, force: true });
    await mkdir(o.allureResultsDir, { recursive: true });
  }
  // Problems name the file as the user typed it; workers get the absolute path.
  const profile = await loadProfile(o.profileFile);
  const profileFile = resolve(o.profileFile);
  const refused = parallelProblem(profile, o.parallel ?? 0);
  if (refused) throw new Error(refused);
  const catalog = await loadCatalog(join(o.projectDir, "features"), o.projectDir);
  const filter = o.tags ? parseTagExpression(o.tags) : undefined;
  const filtered = catalog.filter((tc) => !filter || filter.evaluate([...tc.tags]));
  const selected = o.shard ? selectShard(filtered, o.shard) : filtered;
  const results: TestCaseResult[] = [];
  const applicable: TestCase[] = [];
  for (const tc of selected) {
    const a = applicability(tc.picsTags, profile.pics);
    if (a.applicable) applicable.push(tc);
    else results.push({ testCase: tc, verdict: "not-applicable", reason: a.reason ?? "excluded by the profile's PICS", durationMs: 0 });
  }
  for (const r of results) o.onProgress?.(r);

  const faults = [...(profile.target.kind === "embedded" ? profile.target.faults : []), ...(o.faults ?? [])];
  let target: StartedTarget | undefined;
  let sut: SutParameters;
  let sutDescription: string;
  const failAll = (reason: string): void => {
    for (const tc of applicable) {
      const r: TestCaseResult = { testCase: tc, verdict: "error", reason, durationMs: 0 };
      results.push(r);
      o.onProgress?.(r);
    }
  };
  try {
    if (profile.target.kind === "embedded") {
      sut = { kind: "embedded" };
      sutDescription = `embedded reference core${faults.length ? ` with faults ${faults.join(", ")}` : ""}`;
    } else {
      target = await createTarget(profile).start();
      sutDescription = target.description;
      const probe = await preflightOptions(target.pcscf, profile.ixit.transports[0] ?? "udp", profile.ixit.domain, 3000, profile.ixit.localHost);
      if (!probe.ok) throw new Error(`the SUT is unreachable: ${probe.detail}`);
      sut = { kind: "address", pcscf: target.pcscf, ...(target.pcscfUri ? { pcscfUri: target.pcscfUri } : {}), description: target.description };
    }
  } catch (e) {
    await target?.stop().catch(() => undefined);
    const reason = e instanceof Error ? e.message : String(e);
    failAll(reason);
    return finish(profile, `${profile.target.kind} SUT (not started)`, results, started);
  }

  // A SUT that goes down during the run: noticed within half a second, told to the workers by a file
  const sutDownFile = join(tmpdir(), `ims-interop-sut-down-${process.pid}-${Date.now()}`);
  const watch = target?.down
    ? setInterval(() => {
        const down = target?.down?.();
        if (down && !existsSync(sutDownFile)) writeFileSync(sutDownFile, down.reason);
      }, 500)
    : undefined;
  try {
    if (applicable.length > 0) {
      const parameters: SuiteParameters = { profileFile, faults, sut, sutDownFile };
      // When each test case finished (ms since the epoch), for deciding what happened after the SUT went down
      const finishedAt = new Map<string, number>();
      const verdicts = await runCucumberOn(applicable, parameters, o, () => target?.down?.(), finishedAt);
      // Decided again at the end: a failure that the poll saw before the SUT's exit was known, but
      // that came after the exit, is the test bed's too
      const down = target?.down?.();
      if (down) for (const [id, r] of verdicts) if (r.verdict !== "pass" && r.verdict !== "error" && finishedAt.get(id)! >= down.at) verdicts.set(id, blameTestBed(r, down.reason));
      for (const tc of applicable) {
        if (!verdicts.has(tc.id)) {
          const r: TestCaseResult = { testCase: tc, verdict: "error", reason: "the test case did not run (no result from Cucumber)", durationMs: 0 };
          results.push(r);
          o.onProgress?.(r);
        }
      }
      results.push(...verdicts.values());
    }
  } finally {
    if (watch) clearInterval(watch);
    await rm(sutDownFile, { force: true });
    await target?.stop().catch(() => undefined);
  }
  return finish(profile, sutDescription, results, started);
}

function finish(profile: Profile, sut: string, results: TestCaseResult[], started: number): RunResult {
  const order = new Map(results.map((r) => [r.testCase.id, r]));
  const sorted = [...order.values()].sort((a, b) => a.testCase.id.localeCompare(b.testCase.id));
  const counts = Object.fromEntries(VERDICTS.map((v) => [v, sorted.filter((r) => r.verdict === v).length])) as Record<Verdict, number>;
  return { profile, sut, results: sorted, counts, durationMs: performance.now() - started };
}

let support: ISupportCodeLibrary | undefined;

/** Runs the applicable test cases through Cucumber and reads one verdict per test case from its messages. */
function blameTestBed(r: TestCaseResult, reason: string): TestCaseResult {
  return { ...r, verdict: "error", reason: `${reason}: the test bed failed during this test case\n${r.reason ?? ""}` };
}

async function runCucumberOn(cases: readonly TestCase[], parameters: SuiteParameters, o: RunOptions, sutDown: () => SutDown | undefined, finishedAt: Map<string, number>): Promise<Map<string, TestCaseResult>> {
  const byId = new Map(cases.map((tc) => [tc.id, tc]));
  const tagExpression = cases.map((tc) => `@${tc.id}`).join(" or ");
  // Workers of a parallel run load the TypeScript steps through tsx, as this process does.
  const nodeOptions = `${process.env["NODE_OPTIONS"] ?? ""} --import tsx`.trim();
  const environment = {
    cwd: o.projectDir,
    stdout: new Writable({ write: (_c, _e, done) => done() }),
    stderr: process.stderr,
    env: { ...process.env, NODE_OPTIONS: nodeOptions },
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
  const onMessage = (m: Envelope): void => {
    if (m.pickle) {
      const id = m.pickle.tags.map((t) => /^@(IMS-[A-Z]+-\d{3})$/.exec(t.name)?.[1]).find((x) => x);
      if (id) pickles.set(m.pickle.id, id);
    } else if (m.testCase) {
      const id = pickles.get(m.testCase.pickleId);
      if (id) testCases.set(m.testCase.id, id);
    } else if (m.testCaseStarted) {
      const id = testCases.get(m.testCaseStarted.testCaseId);
      if (id) attempts.set(m.testCaseStarted.id, { id, start: toMs(m.testCaseStarted.timestamp), verdict: "pass" });
    } else if (m.testStepFinished) {
      const a = attempts.get(m.testStepFinished.testCaseStartedId);
      const r = m.testStepFinished.testStepResult;
      if (!a) return;
      const v = verdictOfStep(r.status, r.exception?.type);
      if (worse(a.verdict, v) !== a.verdict) {
        a.verdict = v;
        a.reason = r.exception?.message ?? r.message ?? (r.status === "SKIPPED" ? "a step was skipped: the test case did not run to its end" : r.status);
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
      finishedAt.set(tc.id, end);
      const own: TestCaseResult = { testCase: tc, verdict: a.verdict, ...(a.reason ? { reason: a.reason } : {}), durationMs: end - a.start, ...(a.requirements ? { requirements: a.requirements } : {}) };
      const down = a.verdict !== "pass" ? sutDown() : undefined;
      const result = down ? blameTestBed(own, down.reason) : own;
      out.set(tc.id, result);
      o.onProgress?.(result);
    }
  };
  // Step definitions are ES modules: imported once per process, so the library is kept for later runs
  support ??= await loadSupport(runConfiguration, environment);
  await runCucumber({ ...runConfiguration, support }, environment, onMessage);
  return out;
}

function toMs(t: { seconds: number; nanos: number }): number {
  return t.seconds * 1000 + t.nanos / 1e6;
}

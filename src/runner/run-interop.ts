// Runs the interop suite (issue 15): several profiles, each a network (any target kind), started
// once for the whole run and told of each other (their domains and interconnect addresses); then,
// for each ordered pair (X, Y), X != Y, the interop test cases (features/interop, tag @interop) with
// UE-A registered in X and UE-B in Y (TS 24.228 7.2: S-CSCF to S-CSCF through the I-CSCF).
import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadProfile } from "../profile/index.ts";
import type { FaultName, Profile, SipAddress } from "../profile/profile.ts";
import { createTarget, type PeerNetwork, preflightOptions, type StartedTarget, type SutDown } from "../targets/index.ts";
import { loadCatalog } from "./catalog.ts";
import { type InteropNetwork, type InteropPair, type InteropResult, orderedPairs, pairLabel } from "./interop-result.ts";
import { handOverProfile, releaseProfile } from "./profile-handoff.ts";
import { INTEROP_TAG, type TestCaseResult, applicabilityFor, runCucumberOn, untilAborted } from "./run-suite.ts";
import { selectTestCases } from "./selection.ts";
import type { Shard } from "./shard.ts";
import type { SuiteParameters, SutParameters } from "./suite-parameters.ts";
import { type TestBedService, startTestBedService } from "./test-bed-service.ts";
import type { TestCase } from "./test-case.ts";
import { VERDICTS, type Verdict } from "./verdict.ts";

/** The environment variable a process or container SUT gets its peers in: `domain=host:port,...` (UDP). */
export const PEERS_VARIABLE = "IMS_PEERS";

export interface InteropOptions {
  readonly profileFiles: readonly string[];
  /** The profiles already loaded (the CLI validates them first), in the order of profileFiles. */
  readonly profiles?: readonly Profile[];
  /** A Cucumber tag expression narrowing the interop test cases. */
  readonly tags?: string;
  /** Run only this shard of the ordered pairs (`--pair i/n`). */
  readonly pair?: Shard;
  /** Faults for embedded networks, by network index (added to their profiles'). */
  readonly faults?: readonly (readonly FaultName[] | undefined)[];
  readonly projectDir: string;
  /** Where each pair's Allure results go: `<dir>/<pair index>` (the CLI relabels and gathers them). */
  readonly allureResultsDir?: string;
  readonly onProgress?: (pair: InteropPair, result: TestCaseResult) => void;
  readonly onStart?: (pair: InteropPair, testCase: TestCase) => void;
  /** Aborted on SIGINT/SIGTERM/SIGHUP: the running test case ends as error, no other starts. */
  readonly signal?: AbortSignal;
}

/** A network of the run as the runner holds it. */
interface Network {
  readonly profile: Profile;
  readonly name: string;
  readonly runId: string;
  target?: StartedTarget;
  service?: TestBedService;
  /** Why it is not running: every pair it is in is error with this reason. */
  problem?: string;
}

/** Problems with the profiles themselves: bad input (exit 2), nothing started. */
export class InteropInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InteropInputError";
  }
}

/** The networks' names: the profiles' names, " #2" added to a name already taken. */
export function networkNames(profiles: readonly Profile[]): string[] {
  const names: string[] = [];
  for (const p of profiles) {
    let name = p.name;
    for (let i = 2; names.includes(name); i++) name = `${p.name} #${i}`;
    names.push(name);
  }
  return names;
}

/** Why these profiles cannot be run together, or undefined. */
export function interopProblem(profiles: readonly Profile[]): string | undefined {
  if (profiles.length < 2) return `an interop run needs at least two profiles (networks); given ${profiles.length}`;
  const terminal = profiles.find((p) => p.terminal);
  if (terminal) return `${terminal.file}: a terminal profile (a UE under test) has no place in an interop run, which pairs networks`;
  const domains = new Map<string, string>();
  for (const p of profiles) {
    const d = p.ixit.domain.toLowerCase();
    const other = domains.get(d);
    if (other) return `${other} and ${p.file} both serve the domain ${p.ixit.domain}: the networks of an interop run need different home domains, or requests could not be routed between them`;
    domains.set(d, p.file);
  }
  for (const p of profiles) {
    if (p.target.kind !== "embedded" && !p.ixit.interconnect?.address)
      return `${p.file}: ixit.interconnect.address is needed in an interop run: where the other networks send requests for this network's users (its I-CSCF or IBCF; docs/interop.md)`;
  }
  return undefined;
}

/** The interop test cases a tag expression selects; none is bad input. */
export function interopCases(catalog: readonly TestCase[], tags: string | undefined): TestCase[] {
  const cases = selectTestCases(catalog, tags).filter((tc) => tc.tags.includes(INTEROP_TAG));
  if (cases.length === 0) throw new InteropInputError(`--tags ${tags ?? ""} selects no interop test case (features/interop)`);
  return cases;
}

/** `domain=host:port,...`: the value of IMS_PEERS for a SUT, naming the other networks. */
export function peersVariable(peers: readonly PeerNetwork[]): string {
  return peers.map((p) => `${p.domain}=${p.host}:${p.port}`).join(",");
}

export async function runInterop(o: InteropOptions): Promise<InteropResult> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const profiles = o.profiles ?? (await Promise.all(o.profileFiles.map((f) => loadProfile(f))));
  const problem = interopProblem(profiles);
  if (problem) throw new InteropInputError(problem);
  const names = networkNames(profiles);
  const networks: Network[] = profiles.map((profile, i) => ({ profile, name: names[i], runId: randomUUID() }));
  const catalog = await loadCatalog(join(o.projectDir, "features"), o.projectDir);
  const cases = interopCases(catalog, o.tags);
  const all = orderedPairs(networks.length);
  const chosen = o.pair ? all.filter((_, k) => k % o.pair!.total === o.pair!.index - 1) : all;
  const needed = [...new Set(chosen.flatMap((p) => [p.originating, p.terminating]))].sort((a, b) => a - b);

  const interruptFile = join(tmpdir(), `ims-interop-interrupt-${process.pid}-${randomUUID()}`);
  const interruptedBy = (): string | undefined => (o.signal?.aborted ? `interrupted by ${String(o.signal.reason)}` : undefined);
  const onAbort = (): void => writeFileSync(interruptFile, interruptedBy() ?? "interrupted");
  if (o.signal?.aborted) onAbort();
  else o.signal?.addEventListener("abort", onAbort, { once: true });

  const pairs: InteropPair[] = [];
  try {
    await startNetworks(networks, needed, o);
    for (const { originating, terminating } of chosen) {
      const x = networks[originating];
      const y = networks[terminating];
      const label = pairLabel(x.name, y.name);
      // A SUT that a test case found silent is named in this file; it ends that pair's later test cases (a file per pair: the other pairs are not its)
      const sutDownFile = join(tmpdir(), `ims-interop-sut-down-${process.pid}-${randomUUID()}`);
      const results = await runPair(x, y, { originating, terminating, label }, cases, o, interruptFile, sutDownFile, interruptedBy).finally(() => rm(sutDownFile, { force: true }));
      pairs.push({ originating, terminating, label, results, counts: countVerdicts(results) });
    }
  } finally {
    o.signal?.removeEventListener("abort", onAbort);
    for (const n of networks) releaseProfile(n.runId);
    await Promise.allSettled(networks.flatMap((n) => (n.service ? [n.service.close()] : [])));
    await Promise.allSettled(networks.flatMap((n) => (n.target ? [n.target.stop()] : [])));
    await rm(interruptFile, { force: true });
  }
  const described: InteropNetwork[] = networks.map((n, i) => ({
    name: n.name,
    vendor: n.profile.vendor,
    product: n.profile.product,
    productVersion: n.profile.productVersion,
    domain: n.profile.ixit.domain,
    profileFile: o.profileFiles[i] ?? n.profile.file,
    sut: n.target?.description ?? (n.problem ? `not running: ${n.problem}` : needed.includes(i) ? "not started" : "not in this shard's pairs"),
  }));
  const interrupted = interruptedBy();
  return { networks: described, pairs, pairCount: all.length, durationMs: performance.now() - started, startedAt, ...(interrupted ? { interrupted } : {}) };
}

/**
 * Starts the networks of the chosen pairs: the embedded cores first (their addresses are known only
 * once they listen), then the others with IMS_PEERS in their environment; the embedded cores are
 * told their peers last. A network that does not start is noted (its pairs are error), the run goes on.
 */
async function startNetworks(networks: Network[], needed: readonly number[], o: InteropOptions): Promise<void> {
  const embeddedFirst = [...needed].sort((a, b) => Number(networks[b].profile.target.kind === "embedded") - Number(networks[a].profile.target.kind === "embedded"));
  // Where each network takes requests from the others: the IXIT's interconnect address, an embedded core's own
  const interconnect = (n: Network): SipAddress | undefined => n.profile.ixit.interconnect?.address ?? (n.profile.target.kind === "embedded" ? n.target?.pcscf : undefined);
  const peersOf = (n: Network): PeerNetwork[] =>
    needed
      .map((i) => networks[i])
      .filter((p) => p !== n)
      .flatMap((p) => {
        const a = interconnect(p);
        return a ? [{ domain: p.profile.ixit.domain, host: a.host, port: a.port }] : [];
      });
  for (const i of embeddedFirst) {
    const n = networks[i];
    const profile = withPeers(n.profile, peersOf(n));
    try {
      const target = await untilAborted(createTarget(profile, o.faults?.[i] ?? []).start(), o.signal, (late) => void late.stop().catch(() => undefined));
      n.target = target;
      const probe = await untilAborted(preflightOptions(target.pcscf, profile.ixit.transports[0] ?? "udp", profile.ixit.domain, 3000, profile.ixit.localHost), o.signal);
      if (!probe.ok) throw new Error(`the SUT is unreachable: ${probe.detail}`);
      n.service = await startTestBedService(target);
      handOverProfile(n.runId, n.profile);
    } catch (e) {
      n.problem = `network ${n.name} (${n.profile.file}) did not start: ${e instanceof Error ? e.message : String(e)}`;
      // Interrupted while starting: nothing more starts; every pair's test cases are "not run"
      if (o.signal?.aborted) return;
    }
  }
  for (const i of needed) networks[i].target?.setPeers?.(peersOf(networks[i]));
}

/** A process or container SUT's profile with IMS_PEERS added to its environment (remote SUTs are set up by hand: docs/interop.md). */
function withPeers(profile: Profile, peers: readonly PeerNetwork[]): Profile {
  const t = profile.target;
  if (t.kind !== "process" && t.kind !== "container") return profile;
  return { ...profile, target: { ...t, env: { ...t.env, [PEERS_VARIABLE]: peersVariable(peers) } } };
}

async function runPair(
  x: Network,
  y: Network,
  which: Pick<InteropPair, "originating" | "terminating" | "label">,
  cases: readonly TestCase[],
  o: InteropOptions,
  interruptFile: string,
  sutDownFile: string,
  interruptedBy: () => string | undefined,
): Promise<TestCaseResult[]> {
  const { label } = which;
  // What the progress callbacks are told of the pair (its results are the run's, once all are in)
  const pair: InteropPair = { ...which, results: [], counts: countVerdicts([]) };
  const results: TestCaseResult[] = [];
  const report = (r: TestCaseResult): void => {
    results.push(r);
    o.onProgress?.(pair, r);
  };
  const applicable: TestCase[] = [];
  for (const tc of cases) {
    // Both networks take part: the test case applies when both claim what it needs
    const reasons = [x, y].flatMap((n) => {
      const a = applicabilityFor(tc, n.profile);
      return a.applicable ? [] : [`network ${n.name}: ${a.reason ?? "excluded by its PICS"}`];
    });
    if (reasons.length > 0) report({ testCase: tc, verdict: "not-applicable", reason: reasons.join("; "), durationMs: 0 });
    else applicable.push(tc);
  }
  // A network that did not start, or whose process or container has exited since
  const gone = [x, y].map((n) => ({ n, why: n.problem ?? (!n.target || !n.service ? `network ${n.name} is not running` : n.target.down?.()?.reason) })).find((g) => g.why);
  if (gone || interruptedBy()) {
    for (const tc of applicable) {
      const why = interruptedBy();
      report(
        why
          ? { testCase: tc, verdict: "error", reason: `not run: the run was ${why} before this test case started`, durationMs: 0, notRun: true }
          : { testCase: tc, verdict: "error", reason: gone!.n.problem ?? `network ${gone!.n.name} (${gone!.n.profile.file}) is down: ${gone!.why ?? ""}`, durationMs: 0 },
      );
    }
    return results;
  }
  if (applicable.length === 0) return results;
  const sutOf = (n: Network): SutParameters => {
    const t = n.target!;
    const s = n.service!;
    return {
      pcscf: t.pcscf,
      ...(t.pcscfUri ? { pcscfUri: t.pcscfUri } : {}),
      description: t.description,
      testBed: { url: s.url, token: s.token, network: t.network !== undefined },
    };
  };
  const parameters: SuiteParameters = {
    profileFile: resolve(x.profile.file),
    runId: x.runId,
    suts: [sutOf(x)],
    sutDownFile,
    interruptFile,
    interop: { originating: x.name, terminating: { name: y.name, profileFile: resolve(y.profile.file), runId: y.runId, sut: sutOf(y) } },
  };
  const resultsDir = o.allureResultsDir ? pairResultsDir(o.allureResultsDir, label) : undefined;
  if (resultsDir) await mkdir(resultsDir, { recursive: true });
  const startedAt = new Map<string, number>();
  const finishedAt = new Map<string, number>();
  const sutDown = (): SutDown | undefined => [x, y].map((n) => n.target?.down?.()).find((d) => d);
  const verdicts = await runCucumberOn(
    applicable,
    parameters,
    x.profile,
    {
      projectDir: o.projectDir,
      parallel: 0,
      ...(resultsDir ? { allureResultsDir: resultsDir } : {}),
      onStart: (tc) => o.onStart?.(pair, tc),
      onProgress: (r) => o.onProgress?.(pair, r),
    },
    sutDown,
    startedAt,
    finishedAt,
  );
  for (const tc of applicable) {
    const r = verdicts.get(tc.id);
    const why = interruptedBy();
    if (r) results.push(r);
    else
      report(
        why
          ? { testCase: tc, verdict: "error", reason: `not run: the run was ${why} before this test case started`, durationMs: 0, notRun: true }
          : { testCase: tc, verdict: "error", reason: "the test case did not run (no result from Cucumber)", durationMs: 0 },
      );
  }
  return results.sort((a, b) => a.testCase.id.localeCompare(b.testCase.id));
}

/** Where a pair's Allure results are written under InteropOptions.allureResultsDir. */
export function pairResultsDir(root: string, label: string): string {
  return join(root, label.replace(/[^A-Za-z0-9.-]+/g, "_"));
}

export function countVerdicts(results: readonly TestCaseResult[]): Record<Verdict, number> {
  return Object.fromEntries(VERDICTS.map((v) => [v, results.filter((r) => r.verdict === v).length])) as Record<Verdict, number>;
}

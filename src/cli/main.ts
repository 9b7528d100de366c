// The `ims-interop` command: run, list, validate, merge, compare, report. Exit codes (EXIT_CODES
// below, and exitCodeOf in certification-summary.ts): 0 the gate passed, 1 the SUT failed it, 2 bad
// input, 3 the test bed or the harness, 130/143/129 a signal; compare: 1 a regression.
import { existsSync } from "node:fs";
import { mkdir, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { argv, exit, stderr, stdout } from "node:process";
import { fileURLToPath } from "node:url";
import { type Environment, ProfileError, loadProfile, parallelProblem, parseDurationMs } from "../profile/index.ts";
import { FAULT_NAMES, type FaultName, type Profile, UE_FAULT_NAMES, type UeFaultName } from "../profile/profile.ts";
import { CatalogError, SelectionError, applicabilityFor, loadCatalog, parseShard, runSuite, selectForSut, selectionWarning, type Shard } from "../runner/index.ts";
import { type ParsedArgs, UsageError, parseArgs, single } from "./args.ts";
import { generateReport, refreshGate, serveDirectory } from "../report/allure-report.ts";
import { EXIT_3_MEANING, exitCodeOf, gate, summaryTable } from "../report/certification-summary.ts";
import { MergeInputError, isInteropReports, mergeInteropReports, mergeReports } from "../report/merge-results.ts";
import { CompareInputError, type ComparedSummary, compareSummaries, comparisonHtml, comparisonJson, comparisonLines, readSummaryFile } from "../report/compare.ts";
import { killStartedProcessesSync } from "../targets/index.ts";
import { leaveSignalsToCaller } from "../targets/container-cleanup.ts";
import { ReportsBusyError, lockReports } from "./reports-lock.ts";
import { escapeControlCharacters } from "../report/control-characters.ts";
import { writeInteropResults, writeOutputs } from "./write-outputs.ts";
import { LoadInputError, runLoad } from "../load/run-load.ts";
import { asLoadDocument, type LoadDocument, mergeLoadDocuments } from "../load/load-document.ts";
import { loadExitCode, loadSummaryLines } from "../load/load-summary.ts";
import { writeLoadReport } from "../report/load-report.ts";
import { startLiveScreen } from "../load/live-screen.ts";
import { judgeThresholds } from "../load/thresholds.ts";
import { InteropInputError, interopCases, interopProblem, runInterop } from "../runner/index.ts";
import { MatrixInputError, allureLinkIndex, interopMatrix, matrixConsoleLines, matrixExitCode, matrixHtml, matrixJson } from "../report/interop-matrix.ts";
import { LiveOutput, deviationNote, gateLines, notPassedLines, summaryLines } from "./print-results.ts";

// Everything printed goes through the control-character escape: SUT bytes (a reason phrase, a
// header) and a profile's text never drive the terminal
const print = (text: string): boolean => stdout.write(escapeControlCharacters(text));
const printError = (text: string): boolean => stderr.write(escapeControlCharacters(text));

const PROJECT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
/** Where a run writes: reports/ unless --reports names another folder. */
function outputDirs(a: ParsedArgs): { reports: string; results: string; report: string } {
  const reports = resolve(single(a, "reports") ?? resolve(PROJECT, "reports"));
  return { reports, results: resolve(reports, "allure-results"), report: resolve(reports, "allure-report") };
}

/** Bad input found by a command itself (a missing folder): one line, exit 2, no usage hint. */
class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}

const EXIT_CODES = `Exit codes of run, interop and merge:
  0              the gate passed: every applicable mandatory test case passed, and optional ones
                 that did not pass are within --max-optional-failures
  1              the SUT failed the gate: an applicable mandatory test case is fail, or more
                 optional ones are fail than --max-optional-failures allows
  2              bad input, nothing run: arguments, the profile, a --tags that matches nothing or
                 is malformed, a reports folder another run is using (merge: a test case in two
                 inputs, an input without summary.json)
  3              the test bed or the harness: the gate failed without such a fail (errors and
                 inconclusive verdicts: an unreachable SUT, a SUT that stopped, a harness error)
  130, 143, 129  interrupted by SIGINT, SIGTERM, SIGHUP (the reports of what ran are written)
A test case listed under the profile's knownDeviations keeps its verdict and counts for the gate
like any other; the deviation is shown beside it (console, summary.json, junit.xml).`;

/** `text` in lines of at most `width` characters, each indented by `indent` spaces, broken at spaces. */
function wrap(text: string, indent: number, width: number): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && indent + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.map((l) => " ".repeat(indent) + l).join("\n");
}

const COMMAND_HELP: Readonly<Record<string, string>> = {
  run: `ims-interop run [--profile <file>] [--tags <expr>] [--shard <i>/<n>] [--parallel <n>]
                [--fault <name>]... [--max-optional-failures <n>] [--reports <dir>] [--report]
                [--verbose]
    Runs the suite against the profile's SUT (default profiles/embedded.yaml). Prints a line per
    test case as it ends (on a terminal, a progress line while one runs), then the counts, the
    test cases that did not pass one line each, and the gate; --verbose prints the full table.
    Writes summary.json, junit.xml and allure-results/ under reports/ (or --reports <dir>);
    --report also writes the HTML report (needs Java).
    --tags      a Cucumber tag expression: "@IMS-REG-001 or @IMS-CALL-001", "@mandatory and not @pics:aka"
    --shard     i/n: the i-th of n shards of the selected test cases (merge them afterwards)
    --parallel  n Cucumber workers (a shared SUT needs n subscribers of every role)
    --fault     makes the embedded reference core misbehave (embedded target only):
${wrap(FAULT_NAMES.join(", "), 16, 100)}
                with a terminal profile, the self-test UE:
${wrap(UE_FAULT_NAMES.join(", "), 16, 100)}`,
  interop: `ims-interop interop --profiles <file> <file>... [--tags <expr>] [--pair <i>/<n>]
                [--fault [<n>:]<name>]... [--max-optional-failures <n>] [--reports <dir>] [--report]
    Multi-vendor interoperability (features/interop): starts the SUT of every profile (each a
    network with its own home domain), tells each the others' domains and interconnect addresses
    (docs/interop.md), then for every ordered pair (X, Y), X != Y, registers UE-A in X and UE-B in
    Y and runs the interop test cases. Prints a line per test case and pair, then the matrix a line
    per pair, and the gate over all pairs. Writes interop/matrix.json and interop/matrix.html (rows:
    originating network, columns: terminating) and allure-results/ (parentSuite "X -> Y") under
    reports/ (or --reports <dir>); --report also writes the HTML report, which the matrix links to.
    --pair      i/n: the i-th of n shards of the ordered pairs (merge them afterwards)
    --fault     makes an embedded reference core misbehave: n:name for the n-th profile only,
                name for every embedded one; the interconnect faults are drop-pai-at-boundary,
                lose-record-route-across, reject-foreign-domain`,
  load: `ims-interop load --tags <test cases> [--profile <file>] [--ues <n> | --concurrency <n>]
                [--rate <per s>] [--duration <time>] [--flows <n>] [--shard <i>/<n>]
                [--register-per-flow] [--fault <name>]... [--reports <dir>]
    Runs test cases of the suite as load (docs/load.md): many flows, each with the test case's own
    steps and the requirement checks of conformance, each flow in flight with subscribers of its own
    (a slot of the UE pool: every role once). --tags: test cases by identifier ("@IMS-REG-001 or
    @IMS-CALL-001", flows take them in turn; IMS-REG-001 alone is a registration storm). --ues: the
    pool in all (slots = UEs / roles); --concurrency: the slots (default 10); --rate: flows started
    per second (default: a slot starts its next flow when its last ended); --duration (30s, 2m):
    no flow starts after it; --flows: at most this many (default 100 without --duration). The
    profile's load section gives defaults, the pool's identity patterns and thresholds. --shard i/n:
    this job's share of the pool, the rate and the flows (merge the shards afterwards). A slot's
    UEs register in its first flow and stay registered for its next ones ("UE-A is registered" is
    met by that registration) while its flows pass; --register-per-flow makes every flow register
    and de-register its UEs, as in conformance. Shows a live
    screen on stderr; prints failures by requirement and RFC 6076's figures; writes load/load.json
    (histograms that merge exactly) and load/load.html. Exit: with thresholds, 1 when one is not
    met, else 0; without, 1 when a flow failed on a requirement or expectation, 3 when flows failed
    only on errors or inconclusive verdicts, else 0; 2 for bad input; 130 interrupted (what ran is
    written).`,
  list: `ims-interop list [--profile <file>] [--tags <expr>] [--shard <i>/<n>]
    Lists the test cases the selection takes and whether the profile's PICS make them applicable.
    Needs no secret: unset variables of the profile are not checked.`,
  validate: `ims-interop validate [--profile] <file>
    Checks a profile: one line per problem and exit 2 when it is invalid, exit 0 when it is valid.
    Needs no secret: it says which variables are unset (run needs them) without checking them.`,
  merge: `ims-interop merge <reports dir>... --into <dir> [--max-optional-failures <n>] [--report]
    Merges the results of shards (each run with --reports <dir>) into one summary.json, with the
    counts, the gate and the exit code recomputed, and one allure-results/ folder. Shards of an
    interop run (--pair i/n) merge into one interop/matrix.json and matrix.html instead, shards
    of a load run (load --shard i/n) into one load/load.json and load.html (histograms added, the
    thresholds judged on the merge).`,
  compare: `ims-interop compare <summary.json> <summary.json>... [--out <dir>]
    Compares runs (the summary.json of run or merge): a table of test cases x runs (product,
    version, date), the runs of a product side by side in date order. What changed between
    consecutive runs of a product is listed, regressions first (pass -> fail, error or
    inconclusive), then fixes (-> pass), then other changes (pass <-> not-applicable, a test case
    absent from a run: —). Writes compare.html and compare.json under --out (default
    reports/compare/). Exit 0 without regression, 1 with one, 2 for bad input (fewer than two
    files, a file that is not a summary.json).`,
  report: `ims-interop report [--reports <dir>] [--serve] [--port <n>]
    Generates the Allure HTML report in <dir>/allure-report/ from <dir>/allure-results/ (needs
    Java). --serve serves it on 127.0.0.1 (the report does not load from file://), without
    generating it again when it is newer than every result. Exit 2 when there are no results,
    3 when the report could not be generated.`,
  version: `ims-interop version
    Prints the version.`,
};

const USAGE = `Usage: ims-interop <command> [options]
  run       run the suite against a profile's SUT
  interop   run the interop suite on every ordered pair of several profiles' SUTs: the matrix
  load      run test cases as load: rates, UE pools, RFC 6076 figures, failures by requirement
  list      list the test cases and their applicability
  validate  check a profile
  merge     merge the results of shards
  compare   compare runs (releases) of products: regressions, fixes, changes
  report    generate (and serve) the HTML report
  version   print the version
ims-interop help <command> shows one command's options; ims-interop help shows them all.
`;

const HELP = `ims-interop: conformance and interoperability test harness for IMS networks and terminals

${Object.values(COMMAND_HELP).join("\n\n")}

${EXIT_CODES}
`;

/** The exit status of a process ended by a signal (128 + its number), as a shell reports it. */
const SIGNAL_EXIT: Readonly<Record<string, number>> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

/** The profile a command names: --profile <file> or one positional argument (not both, unless the same). */
function profileArgument(a: ParsedArgs, fallback?: string): string {
  const option = single(a, "profile");
  if (a.positionals.length > 1) throw new UsageError(`one profile at most; found ${a.positionals.map((p) => `"${p}"`).join(", ")}`);
  const positional = a.positionals[0];
  if (option !== undefined && positional !== undefined && option !== positional) throw new UsageError(`two profiles: --profile ${option} and ${positional}`);
  const file = option ?? positional ?? fallback;
  if (file === undefined) throw new UsageError("needs a profile: --profile <file>");
  return file;
}

/** A value that stands for a secret in a profile loaded by list or validate: 32 hexadecimal digits fit a password, K and OPc. */
const PLACEHOLDER_SECRET = "00112233445566778899aabbccddeeff";

/**
 * Loads a profile for list and validate, which use no secret: a variable the profile names and the
 * environment does not set resolves to a placeholder, and is reported in `unset`.
 */
async function loadProfileWithoutSecrets(file: string): Promise<{ profile: Profile; unset: string[] }> {
  const unset = new Set<string>();
  const env: Environment = new Proxy(
    {},
    {
      get(_target, name) {
        if (typeof name !== "string") return undefined;
        const value = process.env[name];
        if (value !== undefined) return value;
        unset.add(name);
        return PLACEHOLDER_SECRET;
      },
    },
  );
  const profile = await loadProfile(file, env);
  return { profile, unset: [...unset].sort() };
}

/**
 * The CLI owns SIGINT, SIGTERM and SIGHUP during a run: the first stops the run after (or in) the
 * running test case and writes what ran; a second exits at once (the exit hooks kill the SUT's
 * process group and remove its container). The caller removes `onSignal` when the run ends.
 */
function signalHandling(
  suts: string,
  beforePrint: () => void = () => undefined,
  stopping = "stopping the running test case, then writing the reports of what ran",
): { interrupt: AbortController; onSignal: (signal: NodeJS.Signals) => void } {
  const interrupt = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    beforePrint();
    if (!interrupt.signal.aborted) {
      printError(`\nims-interop: ${signal}: ${stopping} (${signal === "SIGINT" ? "Ctrl-C" : signal} again exits at once)\n`);
      interrupt.abort(signal);
      return;
    }
    printError(`ims-interop: ${signal} again: stopping ${suts} and exiting without reports\n`);
    killStartedProcessesSync("SIGTERM", { graceMs: 1000 });
    exit(SIGNAL_EXIT[String(interrupt.signal.reason)] ?? 130);
  };
  leaveSignalsToCaller();
  for (const s of Object.keys(SIGNAL_EXIT)) process.on(s, onSignal);
  return { interrupt, onSignal };
}

async function run(args: string[]): Promise<number> {
  const a = parseArgs(args, {
    profile: "value",
    tags: "value",
    parallel: "value",
    fault: "value",
    report: "flag",
    "max-optional-failures": "value",
    reports: "value",
    shard: "value",
    verbose: "flag",
  });
  const shardText = single(a, "shard");
  const shard = shardOf(shardText);
  const out = outputDirs(a);
  const profileFile = profileArgument(a, "profiles/embedded.yaml");
  const parallel = wholeNumber(a, "parallel") ?? 0;
  const maxOptionalFailures = wholeNumber(a, "max-optional-failures");
  const gateOptions = maxOptionalFailures === undefined ? {} : { maxOptionalFailures };
  const faults = a.options.get("fault") ?? [];
  const tags = single(a, "tags");
  // Everything is checked before the previous run's outputs are touched. --fault against another
  // target is a usage error whatever the secrets: the target kind is read first. A terminal
  // profile's embedded target is the self-test UE, with faults of its own
  if (faults.length > 0) {
    const unsecret = (await loadProfileWithoutSecrets(profileFile)).profile;
    const { kind } = unsecret.target;
    const known: readonly string[] = unsecret.terminal ? UE_FAULT_NAMES : FAULT_NAMES;
    const what = unsecret.terminal ? "the self-test UE" : "the embedded reference core";
    for (const f of faults) if (!known.includes(f)) throw new UsageError(`unknown fault "${f}" of ${what}; expected one of ${known.join(", ")}`);
    if (kind !== "embedded") throw new UsageError(`--fault applies to ${what}; profile ${profileFile} has target kind ${kind}`);
  }
  const profile = await loadProfile(profileFile);
  const catalog = await loadCatalog(resolve(PROJECT, "features"), PROJECT);
  const selected = selectForSut(catalog, tags, shard, profile);
  const refused = parallelProblem(profile, parallel);
  if (refused) {
    printError(`ims-interop: ${refused}\n`);
    return 2;
  }
  const warning = selectionWarning(catalog, tags);
  if (warning) printError(`ims-interop: warning: ${warning}\n`);
  const lock = await lockReports(out.reports, `run --profile ${profileFile}`);
  const applicable = selected.filter((tc) => applicabilityFor(tc, profile).applicable).length;
  const live = new LiveOutput(stdout, applicable, profile.knownDeviations);
  // Signals: the first stops the run after (or in) the running test case and writes what ran; a
  // second exits at once (the exit hooks kill the SUT's process group and remove its container)
  const { interrupt, onSignal } = signalHandling("the SUT", () => live.clear());
  try {
    await rm(join(out.reports, "summary.json"), { force: true });
    await rm(join(out.reports, "junit.xml"), { force: true });
    print(`ims-interop: running the suite with ${profileFile}${parallel > 1 ? ` on ${parallel} workers` : ""}${shard ? `, shard ${shardText}` : ""}\n`);
    const result = await runSuite({
      profileFile,
      profile,
      projectDir: PROJECT,
      allureResultsDir: out.results,
      parallel,
      faults: faults as (FaultName | UeFaultName)[],
      signal: interrupt.signal,
      ...(tags ? { tags } : {}),
      ...(shard ? { shard } : {}),
      onStart: (tc) => live.start(tc),
      onProgress: (r) => live.result(r),
    });
    live.clear();
    const verdict = gate(result, gateOptions);
    await writeOutputs(result, verdict, out.reports, out.results, PROJECT);
    if (a.options.has("verbose")) print("\n" + summaryTable(result));
    const lines = [...summaryLines(result), ...notPassedLines(result), ...gateLines(verdict)];
    const code = exitCodeOf(result, verdict, gateOptions);
    if (code === 3 && !result.interrupted) lines.push(EXIT_3_MEANING);
    print(lines.join("\n") + "\n");
    print(`results: ${relative(process.cwd(), out.reports) || "."}/summary.json, junit.xml, allure-results/\n`);
    if (result.interrupted) return SIGNAL_EXIT[String(interrupt.signal.reason)] ?? 130;
    if (a.options.has("report")) print(`${(await generateReport(out.results, out.report)).message}\n`);
    return code;
  } finally {
    for (const s of Object.keys(SIGNAL_EXIT)) process.removeListener(s, onSignal);
    lock.release();
  }
}

function shardOf(text: string | undefined): Shard | undefined {
  if (text === undefined) return undefined;
  const shard = parseShard(text);
  if ("error" in shard) throw new UsageError(shard.error);
  return shard;
}

/** `--fault name` (every embedded network) or `--fault n:name` (the n-th profile's): the faults per network. */
function interopFaults(given: readonly string[], profiles: readonly Profile[], files: readonly string[]): FaultName[][] {
  const out: FaultName[][] = profiles.map(() => []);
  for (const g of given) {
    const m = /^(?:(\d+):)?(.+)$/.exec(g)!;
    const name = m[2];
    if (!(FAULT_NAMES as readonly string[]).includes(name)) throw new UsageError(`unknown fault "${name}" of the embedded reference core; expected one of ${FAULT_NAMES.join(", ")}`);
    const which = m[1] === undefined ? profiles.map((_, i) => i) : [Number(m[1]) - 1];
    for (const i of which) {
      const p = profiles[i];
      if (!p) throw new UsageError(`--fault ${g}: there are ${profiles.length} profiles`);
      if (p.target.kind !== "embedded") {
        if (m[1] !== undefined) throw new UsageError(`--fault ${g} applies to the embedded reference core; profile ${files[i]} has target kind ${p.target.kind}`);
        continue;
      }
      out[i].push(name as FaultName);
    }
  }
  if (given.length > 0 && out.every((f) => f.length === 0)) throw new UsageError("--fault applies to the embedded reference core; none of the profiles has an embedded target");
  return out;
}

async function interop(args: string[]): Promise<number> {
  const a = parseArgs(args, { profiles: "value", tags: "value", pair: "value", fault: "value", report: "flag", "max-optional-failures": "value", reports: "value" });
  // --profiles x.yaml y.yaml: the option's value and the positionals after it
  const files = [...(a.options.get("profiles") ?? []), ...a.positionals];
  if (files.length < 2) throw new UsageError(`interop needs two profiles or more: --profiles <file> <file>...; ${files.length === 0 ? "none given" : `only ${files[0]} given`}`);
  const pairText = single(a, "pair");
  const pair = pairText === undefined ? undefined : parseShard(pairText);
  if (pair && "error" in pair) throw new UsageError(pair.error.replace("--shard", "--pair"));
  const out = outputDirs(a);
  const maxOptionalFailures = wholeNumber(a, "max-optional-failures");
  const gateOptions = maxOptionalFailures === undefined ? {} : { maxOptionalFailures };
  const tags = single(a, "tags");
  const profiles: Profile[] = [];
  for (const f of files) profiles.push(await loadProfile(f));
  const problem = interopProblem(profiles);
  if (problem) throw new InteropInputError(problem);
  const faults = interopFaults(a.options.get("fault") ?? [], profiles, files);
  interopCases(await loadCatalog(resolve(PROJECT, "features"), PROJECT), tags);
  const lock = await lockReports(out.reports, `interop --profiles ${files.join(" ")}`);
  const { interrupt, onSignal } = signalHandling("the SUTs");
  const pairsDir = join(out.reports, "interop", "pairs");
  try {
    await rm(join(out.reports, "interop"), { recursive: true, force: true });
    await rm(out.results, { recursive: true, force: true });
    print(`ims-interop: interop run of ${files.length} networks (${files.join(", ")})${pair ? `, pairs shard ${pairText}` : ""}\n`);
    const result = await runInterop({
      profileFiles: files,
      profiles,
      projectDir: PROJECT,
      allureResultsDir: pairsDir,
      faults,
      signal: interrupt.signal,
      ...(tags ? { tags } : {}),
      ...(pair ? { pair } : {}),
      onProgress: (p, r) =>
        print(`${r.verdict.toUpperCase().padEnd(14)} ${p.label}: ${r.testCase.id} ${r.testCase.name}${r.verdict === "pass" ? "" : ` (${(r.reason ?? "").split("\n")[0].slice(0, 160)})`}\n`),
    });
    const matrix = interopMatrix(result, gateOptions);
    await writeInteropResults(result, matrix, profiles, pairsDir, out.results);
    const interopDir = join(out.reports, "interop");
    await mkdir(interopDir, { recursive: true });
    await writeFile(join(interopDir, "matrix.json"), matrixJson(matrix));
    let links: Awaited<ReturnType<typeof allureLinkIndex>> | undefined;
    if (a.options.has("report") && !result.interrupted) {
      print(`${(await generateReport(out.results, out.report)).message}\n`);
      links = await allureLinkIndex(out.report, interopDir);
    }
    await writeFile(join(interopDir, "matrix.html"), matrixHtml(matrix, links ? { allureLinks: links } : {}));
    print(matrixConsoleLines(matrix).join("\n") + "\n");
    print(`results: ${relative(process.cwd(), interopDir) || "."}/matrix.html, matrix.json; ${relative(process.cwd(), out.results) || "."}/\n`);
    if (result.interrupted) return SIGNAL_EXIT[String(interrupt.signal.reason)] ?? 130;
    const code = matrixExitCode(matrix, gateOptions);
    if (code === 3) print(EXIT_3_MEANING + "\n");
    return code;
  } finally {
    for (const s of Object.keys(SIGNAL_EXIT)) process.removeListener(s, onSignal);
    await rm(pairsDir, { recursive: true, force: true });
    lock.release();
  }
}

async function merge(args: string[]): Promise<number> {
  const a = parseArgs(args, { into: "value", "max-optional-failures": "value", report: "flag" });
  const into = single(a, "into");
  if (!into || a.positionals.length === 0) throw new UsageError("merge needs the reports folders of the shards and --into <dir>");
  const max = wholeNumber(a, "max-optional-failures");
  // The shards of a load run (load --shard i/n): one load result
  const loadInputs = a.positionals.filter((p) => existsSync(join(resolve(p), "load", "load.json")));
  if (loadInputs.length > 0) {
    if (loadInputs.length < a.positionals.length)
      throw new MergeInputError(`${a.positionals.find((p) => !loadInputs.includes(p))} holds no load/load.json while ${loadInputs[0]} does: merge takes shards of one kind of run`);
    return mergeLoad(a.positionals, into);
  }
  // The shards of an interop run (--pair i/n): one matrix
  const interopInputs = a.positionals.filter((p) => isInteropReports(resolve(p)));
  if (interopInputs.length > 0) {
    if (interopInputs.length < a.positionals.length)
      throw new MergeInputError(`${a.positionals.find((p) => !interopInputs.includes(p))} is not an interop run's reports folder while ${interopInputs[0]} is: merge takes shards of one kind of run`);
    return mergeInterop(a.positionals, into, max, a.options.has("report"));
  }
  const lock = await lockReports(resolve(into), "merge");
  const m = await mergeReports(
    a.positionals.map((p) => resolve(p)),
    resolve(into),
    max,
  ).finally(() => lock.release());
  const c = m.counts;
  const lines = [
    `merged ${a.positionals.length} result sets into ${into}: ${m.testCases} test cases${m.duplicates.length ? `, ${m.duplicates.length} reported twice (${m.duplicates.join(", ")})` : ""}`,
    `  ${c["pass"] ?? 0} pass, ${c["fail"] ?? 0} fail, ${c["inconclusive"] ?? 0} inconclusive, ${c["not-applicable"] ?? 0} not applicable, ${c["error"] ?? 0} error`,
    ...gateLines(m.gate),
  ];
  // Inputs that overlap are bad input whatever the verdicts: the merge cannot say which result holds
  const code = m.duplicates.length > 0 ? 2 : m.exitCode;
  if (code === 3) lines.push(EXIT_3_MEANING);
  print(lines.join("\n") + "\n");
  // The merged gate replaces the first shard's on the report's overview
  await refreshGate(resolve(into, "allure-results"), m.gate);
  if (a.options.has("report")) print(`${(await generateReport(resolve(into, "allure-results"), resolve(into, "allure-report"))).message}\n`);
  return code;
}

/** `--tags` of a load run: test cases by identifier, joined by "or" or commas. */
function loadTestCases(tags: string | undefined): string[] {
  const parts = (tags ?? "")
    .split(/\s*,\s*|\s+or\s+/)
    .map((t) => t.trim())
    .filter((t) => t !== "");
  if (parts.length === 0 || parts.some((t) => !/^@IMS-[A-Z]+-\d{3}$/.test(t)))
    throw new UsageError(`load takes test cases by identifier: --tags @IMS-CALL-001, or several: --tags "@IMS-REG-001 or @IMS-CALL-001"; found ${tags === undefined ? "none" : `"${tags}"`}`);
  return [...new Set(parts.map((t) => t.slice(1)))];
}

async function load(args: string[]): Promise<number> {
  const a = parseArgs(args, {
    profile: "value",
    tags: "value",
    ues: "value",
    concurrency: "value",
    rate: "value",
    duration: "value",
    flows: "value",
    shard: "value",
    fault: "value",
    reports: "value",
    "register-per-flow": "flag",
  });
  const profileFile = profileArgument(a, "profiles/embedded.yaml");
  const testCases = loadTestCases(single(a, "tags"));
  const ues = wholeNumber(a, "ues");
  const slots = wholeNumber(a, "concurrency");
  const flows = wholeNumber(a, "flows");
  for (const [name, v] of [
    ["ues", ues],
    ["concurrency", slots],
    ["flows", flows],
  ] as const)
    if (v === 0) throw new UsageError(`--${name} takes a whole number from 1`);
  const rateText = single(a, "rate");
  const rate = rateText === undefined ? undefined : Number(rateText);
  if (rate !== undefined && !(Number.isFinite(rate) && rate > 0)) throw new UsageError(`--rate takes flows per second above 0, not "${rateText}"`);
  const durationText = single(a, "duration");
  const durationMs = durationText === undefined ? undefined : parseDurationMs(durationText);
  if (durationMs === null) throw new UsageError(`--duration takes a time such as 30s, 2m or 500ms, not "${durationText}"`);
  const shard = shardOf(single(a, "shard"));
  const faults = a.options.get("fault") ?? [];
  for (const f of faults) if (!(FAULT_NAMES as readonly string[]).includes(f)) throw new UsageError(`unknown fault "${f}" of the embedded reference core; expected one of ${FAULT_NAMES.join(", ")}`);
  const out = outputDirs(a);
  const lock = await lockReports(out.reports, `load --tags ${testCases.join(",")}`);
  let screen: { stop(): void } | undefined;
  const { interrupt, onSignal } = signalHandling(profileFile, () => screen?.stop(), "no new flow starts; the flows in flight end, then what ran is written");
  try {
    const asked = [
      ues !== undefined ? `${ues} UEs` : "",
      slots !== undefined ? `${slots} at a time` : "",
      rate !== undefined ? `${rate} flows/s` : "",
      durationText !== undefined ? `for ${durationText}` : "",
      flows !== undefined ? `${flows} flows at most` : "",
      shard ? `shard ${shard.index}/${shard.total}` : "",
    ].filter((x) => x !== "");
    print(`ims-interop: ${testCases.join(", ")} as load with ${profileFile}${asked.length ? `: ${asked.join(", ")}` : ""}\n`);
    const r = await runLoad({
      profileFile,
      projectDir: PROJECT,
      testCases,
      ...(ues !== undefined ? { ues } : {}),
      ...(slots !== undefined ? { slots } : {}),
      ...(rate !== undefined ? { rate } : {}),
      ...(durationMs !== undefined ? { durationMs } : {}),
      ...(flows !== undefined ? { flows } : {}),
      ...(shard ? { shard } : {}),
      faults: faults as FaultName[],
      registerPerFlow: a.options.has("register-per-flow"),
      signal: interrupt.signal,
      onStart: (probe) => {
        screen = startLiveScreen(probe, stderr);
      },
    });
    screen?.stop();
    screen = undefined;
    const doc = r.document;
    print(loadSummaryLines(doc).join("\n") + "\n");
    const dir = join(out.reports, "load");
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "load.json"), JSON.stringify(doc, null, 2) + "\n");
    await writeLoadReport(doc, dir);
    print(`results: ${relative(process.cwd(), dir) || "."}/load.html, load.json\n`);
    if (r.interrupted) return SIGNAL_EXIT[String(interrupt.signal.reason)] ?? 130;
    const code = loadExitCode(doc);
    if (code === 3) print("exit 3: flows failed only on errors or inconclusive verdicts, not on a fail of the SUT: see the test bed or the harness\n");
    return code;
  } finally {
    screen?.stop();
    for (const s of Object.keys(SIGNAL_EXIT)) process.removeListener(s, onSignal);
    lock.release();
  }
}

/** `merge` of a load run's shards: one load.json and load.html, the thresholds judged on the merge. */
async function mergeLoad(inputs: readonly string[], into: string): Promise<number> {
  const docs: LoadDocument[] = [];
  for (const p of inputs) {
    const file = join(resolve(p), "load", "load.json");
    docs.push(asLoadDocument(JSON.parse(await readFile(file, "utf8")) as unknown, file));
  }
  let merged: LoadDocument;
  try {
    merged = mergeLoadDocuments(docs, judgeThresholds);
  } catch (e) {
    throw new MergeInputError(e instanceof Error ? e.message : String(e));
  }
  const lock = await lockReports(resolve(into), "merge");
  try {
    const dir = join(resolve(into), "load");
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "load.json"), JSON.stringify(merged, null, 2) + "\n");
    await writeLoadReport(merged, dir);
    print(`merged ${inputs.length} load results (${(merged.mergedFrom ?? []).join(", ")}) into ${into}\n`);
    print(loadSummaryLines(merged).join("\n") + "\n");
    print(`results: ${relative(process.cwd(), dir) || "."}/load.html, load.json\n`);
    return loadExitCode(merged);
  } finally {
    lock.release();
  }
}

/** `merge` of an interop run's shards: one matrix.json and matrix.html, the Allure results side by side, the gate over all pairs. */
async function mergeInterop(inputs: readonly string[], into: string, max: number | undefined, report: boolean): Promise<number> {
  const lock = await lockReports(resolve(into), "merge");
  try {
    const matrix = await mergeInteropReports(
      inputs.map((p) => resolve(p)),
      resolve(into),
      max,
    );
    const results = resolve(into, "allure-results");
    await refreshGate(results, matrix.gate);
    const interopDir = resolve(into, "interop");
    await mkdir(interopDir, { recursive: true });
    await writeFile(join(interopDir, "matrix.json"), matrixJson(matrix));
    let links: Awaited<ReturnType<typeof allureLinkIndex>> | undefined;
    if (report) {
      print(`${(await generateReport(results, resolve(into, "allure-report"))).message}\n`);
      links = await allureLinkIndex(resolve(into, "allure-report"), interopDir);
    }
    await writeFile(join(interopDir, "matrix.html"), matrixHtml(matrix, links ? { allureLinks: links } : {}));
    print(`merged ${inputs.length} interop result sets into ${into}\n`);
    print(matrixConsoleLines(matrix).join("\n") + "\n");
    const code = matrixExitCode(matrix, max === undefined ? {} : { maxOptionalFailures: max });
    if (code === 3) print(EXIT_3_MEANING + "\n");
    return code;
  } finally {
    lock.release();
  }
}

async function compare(args: string[]): Promise<number> {
  const a = parseArgs(args, { out: "value" });
  if (a.positionals.length < 2) throw new UsageError(`compare needs two summary.json files or more; ${a.positionals.length === 0 ? "none given" : `only ${a.positionals[0]} given`}`);
  const out = resolve(single(a, "out") ?? resolve(PROJECT, "reports", "compare"));
  // Every file is read and checked before anything is written
  const summaries: ComparedSummary[] = [];
  for (const file of a.positionals) summaries.push(await readSummaryFile(file));
  const c = compareSummaries(summaries);
  await mkdir(out, { recursive: true });
  await writeFile(join(out, "compare.json"), comparisonJson(c));
  await writeFile(join(out, "compare.html"), comparisonHtml(c));
  print(comparisonLines(c).join("\n") + "\n");
  print(`written: ${relative(process.cwd(), out) || "."}/compare.html, compare.json\n`);
  return c.changes.some((ch) => ch.kind === "regression") ? 1 : 0;
}

/** Every file under `dir`, with its modification time. */
async function filesWithTimes(dir: string): Promise<Array<{ file: string; mtimeMs: number }>> {
  const found: Array<{ file: string; mtimeMs: number }> = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const file = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await filesWithTimes(file)));
    else if (entry.isFile()) found.push({ file, mtimeMs: (await stat(file)).mtimeMs });
  }
  return found;
}

async function report(args: string[]): Promise<number> {
  const a = parseArgs(args, { serve: "flag", port: "value", reports: "value" });
  const out = outputDirs(a);
  const given = single(a, "reports");
  const port = wholeNumber(a, "port") ?? 0;
  const shown = given ?? (relative(process.cwd(), out.reports) || ".");
  if (!existsSync(out.reports)) throw new InputError(`the reports folder ${shown} does not exist: ims-interop run${given ? ` --reports ${given}` : ""} writes it`);
  const results = existsSync(out.results) ? await filesWithTimes(out.results) : [];
  if (!results.some((f) => f.file.endsWith("-result.json")))
    throw new InputError(`${join(shown, "allure-results")} holds no test result: ims-interop run${given ? ` --reports ${given}` : ""} writes them`);
  // --serve shows the report as it is when it is newer than every result: generating it again
  // would add the same run to its history a second time
  const index = join(out.report, "index.html");
  const generatedAt = existsSync(index) ? (await stat(index)).mtimeMs : undefined;
  const fresh = generatedAt !== undefined && results.every((f) => f.mtimeMs <= generatedAt);
  if (a.options.has("serve") && fresh) {
    print(`report: ${join(shown, "allure-report")}/index.html is newer than every result: serving it as it is\n`);
  } else {
    const generated = await generateReport(out.results, out.report);
    if (!generated.ok) {
      printError(`ims-interop: ${generated.message}\n`);
      return generated.problem === "no-results" ? 2 : 3;
    }
    print(`${generated.message}\n`);
  }
  if (a.options.has("serve")) {
    const { url } = await serveDirectory(out.report, port);
    print(`serving the report at ${url} (Ctrl-C to stop)\n`);
    await new Promise(() => undefined);
  }
  return 0;
}

function wholeNumber(a: ParsedArgs, name: string): number | undefined {
  const v = single(a, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} takes a whole number, not "${v}"`);
  return n;
}

async function list(args: string[]): Promise<number> {
  const a = parseArgs(args, { profile: "value", tags: "value", shard: "value" });
  const shard = shardOf(single(a, "shard"));
  const tags = single(a, "tags");
  const { profile } = await loadProfileWithoutSecrets(profileArgument(a, "profiles/embedded.yaml"));
  const catalog = await loadCatalog(resolve(PROJECT, "features"), PROJECT);
  const selected = selectForSut(catalog, tags, shard, profile);
  const warning = selectionWarning(catalog, tags);
  if (warning) printError(`ims-interop: warning: ${warning}\n`);
  for (const tc of selected) {
    const app = applicabilityFor(tc, profile);
    print(
      `${tc.id.padEnd(13)} ${tc.level.padEnd(9)} ${app.applicable ? "applicable    " : "not applicable"} ${tc.name}${app.applicable ? "" : `  (${app.reason})`}${deviationNote(profile.knownDeviations[tc.id])}\n`,
    );
  }
  return 0;
}

async function validate(args: string[]): Promise<number> {
  const a = parseArgs(args, { profile: "value" });
  const file = profileArgument(a);
  const { profile: p, unset } = await loadProfileWithoutSecrets(file);
  print(
    `${file}: valid (${p.name}; target ${p.target.kind}; ${p.ixit.subscribers.length} subscribers; PICS ${
      Object.entries(p.pics)
        .filter(([, v]) => v)
        .map(([k]) => k)
        .join(", ") || "none"
    })\n`,
  );
  if (unset.length > 0) {
    const names = `${unset.join(", ")} ${unset.length === 1 ? "is" : "are"} not set`;
    print(
      p.target.kind === "embedded"
        ? `${names}: each run generates a random value (embedded target)\n`
        : `secrets not checked: ${names} (run needs ${unset.length === 1 ? "it" : "them"}; list and validate do not)\n`,
    );
  }
  return 0;
}

async function version(): Promise<number> {
  const pkg = JSON.parse(await readFile(resolve(PROJECT, "package.json"), "utf8")) as { version: string };
  print(`ims-interop ${pkg.version}\n`);
  return 0;
}

const COMMANDS: Readonly<Record<string, (args: string[]) => Promise<number>>> = { run, interop, load, report, merge, compare, list, validate, version };

async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  try {
    if (command === undefined) {
      printError(USAGE);
      return 2;
    }
    if (command === "help" || command === "--help" || command === "-h") {
      const about = rest[0];
      if (about === undefined) {
        print(HELP);
        return 0;
      }
      const text = COMMAND_HELP[about];
      if (!text) throw new UsageError(`no command "${about}"; expected one of ${Object.keys(COMMANDS).join(", ")}`);
      print(`${text}\n${about === "run" || about === "interop" ? `\n${EXIT_CODES}\n` : ""}`);
      return 0;
    }
    if (command === "--version") return await version();
    const handler = COMMANDS[command];
    if (!handler) throw new UsageError(`unknown command "${command}"; expected one of ${Object.keys(COMMANDS).join(", ")}`);
    if (rest.includes("--help") || rest.includes("-h")) {
      print(`${COMMAND_HELP[command]}\n${command === "run" || command === "merge" || command === "interop" ? `\n${EXIT_CODES}\n` : ""}`);
      return 0;
    }
    return await handler(rest);
  } catch (e) {
    if (e instanceof ProfileError) {
      printError(e.format() + "\n");
      return 2;
    }
    if (e instanceof UsageError) {
      printError(`ims-interop: ${e.message}\nsee: ims-interop help${command && COMMANDS[command] ? ` ${command}` : ""}\n`);
      return 2;
    }
    if (
      e instanceof ReportsBusyError ||
      e instanceof SelectionError ||
      e instanceof CatalogError ||
      e instanceof MergeInputError ||
      e instanceof CompareInputError ||
      e instanceof InputError ||
      e instanceof InteropInputError ||
      e instanceof LoadInputError ||
      e instanceof MatrixInputError
    ) {
      printError(`ims-interop: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

exit(await main(argv.slice(2)));

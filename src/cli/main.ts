// The `ims-interop` command: run, list, validate. Exit codes: 0 the gate passed (or the profile is
// valid), 1 a mandatory applicable test case did not pass, 2 bad input (profile or arguments).
import { rm } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { argv, exit, stderr, stdout } from "node:process";
import { fileURLToPath } from "node:url";
import { ProfileError, applicability, loadProfile, parallelProblem } from "../profile/index.ts";
import { FAULT_NAMES, type FaultName } from "../profile/profile.ts";
import { CatalogError, SelectionError, loadCatalog, parseShard, runSuite, selectTestCases } from "../runner/index.ts";
import { type ParsedArgs, UsageError, parseArgs, single } from "./args.ts";
import { generateReport, serveDirectory } from "../report/allure-report.ts";
import { gate, summaryTable } from "../report/certification-summary.ts";
import { mergeReports } from "../report/merge-results.ts";
import { killStartedProcessesSync } from "../targets/index.ts";
import { leaveSignalsToCaller } from "../targets/container-cleanup.ts";
import { ReportsBusyError, lockReports } from "./reports-lock.ts";
import { escapeControlCharacters } from "../report/control-characters.ts";
import { writeOutputs } from "./write-outputs.ts";
import { progressLine, summaryLines } from "./print-results.ts";

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

const HELP = `ims-interop: conformance and interoperability test harness for IMS networks and terminals

Usage:
  ims-interop run --profile <file> [--tags <expr>] [--parallel <n>] [--fault <name>]...
                  [--max-optional-failures <n>] [--report] [--reports <dir>] [--shard <i>/<n>]
      Runs the suite against the profile's SUT; prints a verdict per test case, the summary table
      and the gate; writes reports/summary.json, reports/junit.xml, reports/allure-results/.
      Exit 0 when every applicable mandatory test case passed (and optional failures are within
      --max-optional-failures), 1 otherwise, 2 on bad input. --report also writes the HTML report.
  ims-interop merge <reports dir>... --into <dir> [--max-optional-failures <n>] [--report]
      Merges the results of shards into one summary (gate recomputed) and one Allure results folder.
  ims-interop report [--serve] [--port <n>] [--reports <dir>]
      Generates the Allure HTML report in reports/allure-report/ (needs Java); --serve serves it.
  ims-interop list --profile <file> [--tags <expr>]
      Lists the test cases and whether the profile's PICS make them applicable.
  ims-interop validate <profile>
      Checks a profile; one line per problem, exit 2 when it is invalid.
  ims-interop version | help

--fault applies to the embedded reference core: ${FAULT_NAMES.join(", ")}.
`;

/** The exit status of a process ended by a signal (128 + its number), as a shell reports it. */
const SIGNAL_EXIT: Readonly<Record<string, number>> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

async function run(args: string[]): Promise<number> {
  const a = parseArgs(args, { profile: "value", tags: "value", parallel: "value", fault: "value", report: "flag", "max-optional-failures": "value", reports: "value", shard: "value" });
  const shardText = single(a, "shard");
  const shard = shardText === undefined ? undefined : parseShard(shardText);
  if (shard && "error" in shard) throw new UsageError(shard.error);
  const out = outputDirs(a);
  const profileFile = single(a, "profile") ?? "profiles/embedded.yaml";
  const parallel = wholeNumber(a, "parallel") ?? 0;
  const maxOptionalFailures = wholeNumber(a, "max-optional-failures");
  const faults = a.options.get("fault") ?? [];
  for (const f of faults) if (!(FAULT_NAMES as readonly string[]).includes(f)) throw new UsageError(`unknown fault "${f}"; expected one of ${FAULT_NAMES.join(", ")}`);
  const tags = single(a, "tags");
  // Everything is checked before the previous run's outputs are touched
  const profile = await loadProfile(profileFile);
  selectTestCases(await loadCatalog(resolve(PROJECT, "features"), PROJECT), tags, shard);
  const refused = parallelProblem(profile, parallel);
  if (refused) {
    printError(`ims-interop: ${refused}\n`);
    return 2;
  }
  const lock = await lockReports(out.reports, `run --profile ${profileFile}`);
  // Signals: the first stops the run after (or in) the running test case and writes what ran; a
  // second exits at once (the exit hooks kill the SUT's process group and remove its container)
  const interrupt = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!interrupt.signal.aborted) {
      printError(`\nims-interop: ${signal}: stopping the running test case, then writing the reports of what ran (${signal === "SIGINT" ? "Ctrl-C" : signal} again exits at once)\n`);
      interrupt.abort(signal);
      return;
    }
    printError(`ims-interop: ${signal} again: stopping the SUT and exiting without reports\n`);
    killStartedProcessesSync("SIGTERM", { graceMs: 1000 });
    exit(SIGNAL_EXIT[String(interrupt.signal.reason)] ?? 130);
  };
  leaveSignalsToCaller();
  for (const s of Object.keys(SIGNAL_EXIT)) process.on(s, onSignal);
  try {
    await rm(join(out.reports, "summary.json"), { force: true });
    await rm(join(out.reports, "junit.xml"), { force: true });
    print(`ims-interop: running the suite with ${profileFile}${parallel > 1 ? ` on ${parallel} workers` : ""}${shard ? `, shard ${shardText}` : ""}\n`);
    const result = await runSuite({
      profileFile, profile, projectDir: PROJECT, allureResultsDir: out.results, parallel, faults: faults as FaultName[],
      signal: interrupt.signal,
      ...(tags ? { tags } : {}),
      ...(shard ? { shard } : {}),
      onProgress: (r) => print(progressLine(r) + "\n"),
    });
    const verdict = gate(result, maxOptionalFailures === undefined ? {} : { maxOptionalFailures });
    await writeOutputs(result, verdict, out.reports, out.results, PROJECT);
    print("\n" + summaryTable(result));
    print(summaryLines(result).join("\n") + "\n");
    print(verdict.passed ? "gate: passed (every applicable mandatory test case passed)\n" : `gate: FAILED\n${verdict.reasons.map((r) => `  ${r}`).join("\n")}\n`);
    print(`results: ${relative(process.cwd(), out.reports) || "."}/summary.json, junit.xml, allure-results/\n`);
    if (result.interrupted) return SIGNAL_EXIT[String(interrupt.signal.reason)] ?? 130;
    if (a.options.has("report")) print(`${(await generateReport(out.results, out.report)).message}\n`);
    return verdict.passed ? 0 : 1;
  } finally {
    for (const s of Object.keys(SIGNAL_EXIT)) process.removeListener(s, onSignal);
    lock.release();
  }
}

async function merge(args: string[]): Promise<number> {
  const a = parseArgs(args, { into: "value", "max-optional-failures": "value", report: "flag" });
  const into = single(a, "into");
  if (!into || a.positionals.length === 0) throw new UsageError("merge needs the reports folders of the shards and --into <dir>");
  const max = wholeNumber(a, "max-optional-failures");
  const lock = await lockReports(resolve(into), "merge");
  const m = await mergeReports(a.positionals.map((p) => resolve(p)), resolve(into), max).finally(() => lock.release());
  print(`merged ${a.positionals.length} result sets into ${into}: ${m.testCases} test cases${m.duplicates.length ? `, ${m.duplicates.length} reported twice (${m.duplicates.join(", ")})` : ""}\n`);
  print(m.gatePassed ? "gate: passed\n" : "gate: FAILED (see summary.json)\n");
  if (a.options.has("report")) print(`${(await generateReport(resolve(into, "allure-results"), resolve(into, "allure-report"))).message}\n`);
  return m.gatePassed ? 0 : 1;
}

async function report(args: string[]): Promise<number> {
  const a = parseArgs(args, { serve: "flag", port: "value", reports: "value" });
  const out = outputDirs(a);
  const generated = await generateReport(out.results, out.report);
  print(`${generated.message}\n`);
  if (!generated.ok) return 1;
  if (a.options.has("serve")) {
    const { url } = await serveDirectory(out.report, wholeNumber(a, "port") ?? 0);
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
  const a = parseArgs(args, { profile: "value", tags: "value" });
  const profile = await loadProfile(single(a, "profile") ?? "profiles/embedded.yaml");
  const catalog = await loadCatalog(resolve(PROJECT, "features"), PROJECT);
  for (const tc of catalog) {
    const app = applicability(tc.picsTags, profile.pics);
    print(`${tc.id.padEnd(13)} ${tc.level.padEnd(9)} ${app.applicable ? "applicable    " : "not applicable"} ${tc.name}${app.applicable ? "" : `  (${app.reason})`}\n`);
  }
  return 0;
}

async function validate(args: string[]): Promise<number> {
  const a = parseArgs(args, {});
  const file = a.positionals[0];
  if (!file) throw new UsageError("validate needs a profile file");
  const p = await loadProfile(file);
  print(`${file}: valid (${p.name}; target ${p.target.kind}; ${p.ixit.subscribers.length} subscribers; PICS ${Object.entries(p.pics).filter(([, v]) => v).map(([k]) => k).join(", ") || "none"})\n`);
  return 0;
}

async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  try {
    switch (command) {
      case "run":
        return await run(rest);
      case "report":
        return await report(rest);
      case "merge":
        return await merge(rest);
      case "list":
        return await list(rest);
      case "validate":
        return await validate(rest);
      case "version":
      case "--version": {
        const { readFile } = await import("node:fs/promises");
        const pkg = JSON.parse(await readFile(resolve(PROJECT, "package.json"), "utf8")) as { version: string };
        print(`ims-interop ${pkg.version}\n`);
        return 0;
      }
      case undefined:
      case "help":
      case "--help":
      case "-h":
        print(HELP);
        return 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
    if (e instanceof ProfileError) {
      printError(e.format() + "\n");
      return 2;
    }
    if (e instanceof UsageError) {
      printError(`ims-interop: ${e.message}\n\n${HELP}`);
      return 2;
    }
    if (e instanceof ReportsBusyError || e instanceof SelectionError) {
      printError(`ims-interop: ${e.message}\n`);
      return 2;
    }
    if (e instanceof CatalogError) {
      printError(`ims-interop: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

exit(await main(argv.slice(2)));

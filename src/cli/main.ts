// The `ims-interop` command: run, list, validate. Exit codes: 0 the gate passed (or the profile is
// valid), 1 a mandatory applicable test case did not pass, 2 bad input (profile or arguments).
import { resolve } from "node:path";
import { argv, exit, stderr, stdout } from "node:process";
import { fileURLToPath } from "node:url";
import { ProfileError, applicability, loadProfile } from "../profile/index.ts";
import { FAULT_NAMES, type FaultName } from "../profile/profile.ts";
import { CatalogError, loadCatalog, runSuite } from "../runner/index.ts";
import { UsageError, parseArgs, single } from "./args.ts";
import { gatePassed, progressLine, summaryLines } from "./print-results.ts";

const PROJECT = resolve(fileURLToPath(new URL("../..", import.meta.url)));

const HELP = `ims-interop: conformance and interoperability test harness for IMS networks and terminals

Usage:
  ims-interop run --profile <file> [--tags <expr>] [--parallel <n>] [--fault <name>]...
      Runs the suite against the profile's SUT; prints a verdict per test case and the count.
      Exit 0 when every applicable mandatory test case passed, 1 otherwise, 2 on bad input.
  ims-interop list --profile <file> [--tags <expr>]
      Lists the test cases and whether the profile's PICS make them applicable.
  ims-interop validate <profile>
      Checks a profile; one line per problem, exit 2 when it is invalid.
  ims-interop version | help

--fault applies to the embedded reference core: ${FAULT_NAMES.join(", ")}.
`;

async function run(args: string[]): Promise<number> {
  const a = parseArgs(args, { profile: "value", tags: "value", parallel: "value", fault: "value" });
  const profileFile = single(a, "profile") ?? "profiles/embedded.yaml";
  const parallel = Number(single(a, "parallel") ?? "0");
  if (!Number.isInteger(parallel) || parallel < 0) throw new UsageError(`--parallel takes a whole number, not "${single(a, "parallel")}"`);
  const faults = a.options.get("fault") ?? [];
  for (const f of faults) if (!(FAULT_NAMES as readonly string[]).includes(f)) throw new UsageError(`unknown fault "${f}"; expected one of ${FAULT_NAMES.join(", ")}`);
  stdout.write(`ims-interop: running the suite with ${profileFile}${parallel > 1 ? ` on ${parallel} workers` : ""}\n`);
  const tags = single(a, "tags");
  const result = await runSuite({
    profileFile, projectDir: PROJECT, reportsDir: resolve(PROJECT, "reports"), parallel, faults: faults as FaultName[],
    ...(tags ? { tags } : {}),
    onProgress: (r) => stdout.write(progressLine(r) + "\n"),
  });
  stdout.write(summaryLines(result).join("\n") + "\n");
  const passed = gatePassed(result);
  stdout.write(passed ? "gate: passed (every applicable mandatory test case passed)\n" : "gate: FAILED (a mandatory applicable test case did not pass)\n");
  stdout.write("results: reports/results.json, reports/junit.xml\n");
  return passed ? 0 : 1;
}

async function list(args: string[]): Promise<number> {
  const a = parseArgs(args, { profile: "value", tags: "value" });
  const profile = await loadProfile(single(a, "profile") ?? "profiles/embedded.yaml");
  const catalog = await loadCatalog(resolve(PROJECT, "features"), PROJECT);
  for (const tc of catalog) {
    const app = applicability(tc.picsTags, profile.pics);
    stdout.write(`${tc.id.padEnd(13)} ${tc.level.padEnd(9)} ${app.applicable ? "applicable    " : "not applicable"} ${tc.name}${app.applicable ? "" : `  (${app.reason})`}\n`);
  }
  return 0;
}

async function validate(args: string[]): Promise<number> {
  const a = parseArgs(args, {});
  const file = a.positionals[0];
  if (!file) throw new UsageError("validate needs a profile file");
  const p = await loadProfile(file);
  stdout.write(`${file}: valid (${p.name}; target ${p.target.kind}; ${p.ixit.subscribers.length} subscribers; PICS ${Object.entries(p.pics).filter(([, v]) => v).map(([k]) => k).join(", ") || "none"})\n`);
  return 0;
}

async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  try {
    switch (command) {
      case "run":
        return await run(rest);
      case "list":
        return await list(rest);
      case "validate":
        return await validate(rest);
      case "version":
      case "--version": {
        const { readFile } = await import("node:fs/promises");
        const pkg = JSON.parse(await readFile(resolve(PROJECT, "package.json"), "utf8")) as { version: string };
        stdout.write(`ims-interop ${pkg.version}\n`);
        return 0;
      }
      case undefined:
      case "help":
      case "--help":
      case "-h":
        stdout.write(HELP);
        return 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
    if (e instanceof ProfileError) {
      stderr.write(e.format() + "\n");
      return 2;
    }
    if (e instanceof UsageError) {
      stderr.write(`ims-interop: ${e.message}\n\n${HELP}`);
      return 2;
    }
    if (e instanceof CatalogError) {
      stderr.write(`ims-interop: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

exit(await main(argv.slice(2)));

// `ims-interop report`: the Allure 2 HTML report from reports/allure-results, with the history of
// the previous report carried over so that trends show; and a small HTTP server for it (the
// Allure 2 report does not load from file://).
//
// The first screen says who was tested and whether the gate passed, from the summary.json beside
// the results (the run's or the merge's, so the gate is the one the exit code gave):
// - the report's name (allure generate --name): "ims-interop: <vendor> <product> <version>
//   (<profile>) — gate FAILED", the title of the overview's summary;
// - the Environment widget's first row, Gate (refreshed here from summary.json: after a merge the
//   results carry the first shard's environment);
// - the Executors widget: an entry "ims-interop" whose link, "Certification summary: gate FAILED",
//   opens certification-summary.html, summary.json rendered (written into the report, with
//   summary.json beside it). It is an executor of its own (a second results folder holding only
//   its executor.json), so a CI build's executor stays as it is, and no test result is invented:
//   the counts and the percentage are the run's.
// Generating is idempotent: results unchanged since the report was generated (same files, same
// summary) leave the report as it is, and its history gets no second entry for the same run.
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, dirname, extname, isAbsolute, join, normalize, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { reportName, withGate } from "./allure-results.ts";
import { type SummaryDocument, renderSummaryHtml } from "./summary-html.ts";

export interface GenerateResult {
  readonly ok: boolean;
  /** One line for the console: where the report is, or why it is not there. */
  readonly message: string;
  readonly seconds: number;
  /**
   * Why it is not there: "no-results" (the results folder is missing or holds no test result: bad
   * input, exit 2), "no-java", "allure-failed".
   */
  readonly problem?: "no-results" | "no-java" | "allure-failed";
  /** The report was already generated from these very results: left as it was. */
  readonly upToDate?: boolean;
}

export interface GenerateOptions {
  /** The reports folder a plain `ims-interop report` uses; the serve hint names --reports when the report is elsewhere. Default: the project's reports/. */
  readonly defaultReportsDir?: string;
}

/** The certification summary page, in the report folder beside index.html. */
export const SUMMARY_PAGE = "certification-summary.html";
/** What the report was generated from (a digest of the results and the summary), in the report folder. */
const SOURCE_FILE = "ims-interop-source.json";
/** Changes when what generateReport writes changes, so that an older report is regenerated. */
const FORMAT = 2;

const PROJECT_REPORTS = resolve(fileURLToPath(new URL("../../reports", import.meta.url)));

/** The allure-commandline launcher (installed as a dependency; needs a Java runtime). */
function allureBin(): string {
  const require = createRequire(import.meta.url);
  return join(resolve(require.resolve("allure-commandline/package.json"), ".."), "dist", "bin", "allure");
}

export function javaAvailable(): boolean {
  const r = spawnSync("java", ["-version"], { stdio: "ignore" });
  return r.status === 0;
}

/** A path as the user would type it: relative to the working directory when inside it, quoted when needed. */
function shellPath(p: string): string {
  const rel = relative(process.cwd(), p);
  const shown = rel === "" ? "." : !rel.startsWith("..") && !isAbsolute(rel) ? rel : p;
  return /^[\w@%+=:,./-]+$/.test(shown) ? shown : `'${shown.replace(/'/g, "'\\''")}'`;
}

/** "ims-interop report --serve", with --reports when the report is not under the default reports folder. */
export function serveCommand(reportDir: string, defaultReportsDir = PROJECT_REPORTS): string {
  const dir = resolve(reportDir);
  if (basename(dir) !== "allure-report") return `ims-interop report --serve (or any static HTTP server on ${shellPath(dir)})`;
  const reports = dirname(dir);
  return reports === resolve(defaultReportsDir) ? "ims-interop report --serve" : `ims-interop report --serve --reports ${shellPath(reports)}`;
}

export async function generateReport(resultsDir: string, reportDir: string, options: GenerateOptions = {}): Promise<GenerateResult> {
  const t0 = performance.now();
  const results = (await readdir(resultsDir).catch(() => undefined)) ?? undefined;
  if (results === undefined) return { ok: false, problem: "no-results", message: `no test results: ${resultsDir} does not exist (run \`ims-interop run\` first, with the same --reports)`, seconds: 0 };
  if (!results.some((f) => f.endsWith("-result.json")))
    return { ok: false, problem: "no-results", message: `no test results in ${resultsDir}: it holds no *-result.json (run \`ims-interop run\` first, with the same --reports)`, seconds: 0 };
  if (!javaAvailable()) {
    return {
      ok: false,
      problem: "no-java",
      message: `no Java runtime: the HTML report was not generated (install default-jre-headless); the results stay in ${resultsDir}, with reports/junit.xml and reports/summary.json`,
      seconds: 0,
    };
  }
  const serve = `serve it with: ${serveCommand(reportDir, options.defaultReportsDir)}`;
  // The summary of the run (or of the merge) beside the results: the gate and the SUT of the first screen
  const summaryText = await readFile(join(dirname(resolve(resultsDir)), "summary.json"), "utf8").catch(() => undefined);
  const summary = parseSummary(summaryText);
  if (summary?.gate) await refreshGate(resultsDir, summary.gate);
  const name = summary
    ? reportName({
        vendor: summary.vendor ?? "",
        product: summary.product ?? "",
        productVersion: summary.productVersion ?? "",
        profile: summary.profile ?? "",
        gate: summary.gate ?? { passed: false },
      })
    : "ims-interop conformance report";

  // Unchanged results: the report stays (no second history entry for the same run)
  const source = { format: FORMAT, digest: await digestOf(resultsDir, summaryText ?? ""), name };
  const previous = await readFile(join(reportDir, SOURCE_FILE), "utf8").then(
    (t) => JSON.parse(t) as typeof source,
    () => undefined,
  );
  if (previous && previous.format === source.format && previous.digest === source.digest && (await exists(join(reportDir, "index.html")))) {
    return { ok: true, upToDate: true, message: `report: ${reportDir}/index.html, up to date with ${resultsDir} (${serve})`, seconds: (performance.now() - t0) / 1000 };
  }

  // History: the previous report's history/ goes into the results before generating
  const history = join(reportDir, "history");
  if (await exists(history)) await cp(history, join(resultsDir, "history"), { recursive: true });
  await mkdir(reportDir, { recursive: true });
  // The certification summary's own executor entry, in a results folder of its own
  const overview = summary ? await mkdtemp(join(tmpdir(), "ims-interop-overview-")) : undefined;
  try {
    if (overview && summary) {
      const gate = summary.gate ?? { passed: false, reasons: [] };
      const executor = { name: "ims-interop", type: "ims-interop", buildName: `Certification summary: gate ${gate.passed ? "passed" : "FAILED"}`, buildUrl: SUMMARY_PAGE, reportName: name };
      await writeFile(join(overview, "executor.json"), JSON.stringify(executor, null, 2));
    }
    const r = spawnSync(allureBin(), ["generate", resultsDir, ...(overview ? [overview] : []), "-o", reportDir, "--clean", "--name", name], {
      encoding: "utf8",
      env: { ...process.env, ALLURE_NO_ANALYTICS: "true" },
    });
    if (r.status !== 0) {
      return {
        ok: false,
        problem: "allure-failed",
        message: `allure generate failed (exit ${r.status}): ${(r.stderr || r.stdout || "").trim().split("\n").slice(-3).join(" ")}`,
        seconds: (performance.now() - t0) / 1000,
      };
    }
  } finally {
    if (overview) await rm(overview, { recursive: true, force: true });
  }
  if (summary && summaryText !== undefined) {
    await writeFile(join(reportDir, SUMMARY_PAGE), renderSummaryHtml(summary, name));
    await writeFile(join(reportDir, "summary.json"), summaryText);
  }
  await writeFile(join(reportDir, SOURCE_FILE), JSON.stringify(source, null, 2) + "\n");
  return { ok: true, message: `report: ${reportDir}/index.html (${serve})`, seconds: (performance.now() - t0) / 1000 };
}

function parseSummary(text: string | undefined): SummaryDocument | undefined {
  if (text === undefined) return undefined;
  try {
    const s = JSON.parse(text) as SummaryDocument;
    return typeof s === "object" && s !== null ? s : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The Gate row of environment.properties and a CI executor's "— gate ..." set to `gate` (a merge's:
 * the merged results carry the first shard's). generateReport does it from summary.json; `merge`
 * without --report can call it with the merged gate.
 */
export async function refreshGate(resultsDir: string, gate: NonNullable<SummaryDocument["gate"]>): Promise<void> {
  const g = { passed: gate.passed, reasons: gate.reasons ?? [] };
  const envFile = join(resultsDir, "environment.properties");
  const env = await readFile(envFile, "utf8").catch(() => undefined);
  if (env !== undefined) {
    const next = withGate(env, g);
    if (next !== env) await writeFile(envFile, next);
  }
  const executorFile = join(resultsDir, "executor.json");
  const executor = await readFile(executorFile, "utf8").then(
    (t) => JSON.parse(t) as Record<string, unknown>,
    () => undefined,
  );
  if (executor && typeof executor["buildName"] === "string") {
    const buildName = executor["buildName"].replace(/ \u2014 gate (passed|FAILED)$/, "") + ` \u2014 gate ${g.passed ? "passed" : "FAILED"}`;
    if (buildName !== executor["buildName"]) await writeFile(executorFile, JSON.stringify({ ...executor, buildName }, null, 2));
  }
}

/** A digest of the results' files (Allure reads no sub-folder but history/, which is the previous report's) and of the summary. */
async function digestOf(resultsDir: string, summaryText: string): Promise<string> {
  const hash = createHash("sha256");
  const files = (await readdir(resultsDir, { withFileTypes: true }))
    .filter((d) => d.isFile())
    .map((d) => d.name)
    .sort();
  for (const f of files) {
    hash.update(`${f}\0`);
    hash.update(await readFile(join(resultsDir, f)));
    hash.update("\0");
  }
  hash.update(summaryText);
  return hash.digest("hex");
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".pcap": "application/vnd.tcpdump.pcap",
};

/** Serves a directory on 127.0.0.1 (port 0 picks one); resolves once listening. */
export async function serveDirectory(dir: string, port = 0): Promise<{ server: Server; url: string }> {
  const root = resolve(dir);
  const server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? "/").split("?")[0]);
    const file = normalize(join(root, path.endsWith("/") ? `${path}index.html` : path));
    if (!file.startsWith(root + sep) && file !== root) {
      res.writeHead(403).end();
      return;
    }
    readFile(file).then(
      (body) => res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(body),
      () => res.writeHead(404).end("not found"),
    );
  });
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", () => r()));
  const address = server.address();
  const p = typeof address === "object" && address ? address.port : port;
  return { server, url: `http://127.0.0.1:${p}/` };
}

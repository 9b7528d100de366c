// `ims-interop report`: the Allure 2 HTML report from reports/allure-results, with the history of
// the previous report carried over so that trends show; and a small HTTP server for it (the
// Allure 2 report does not load from file://).
import { spawnSync } from "node:child_process";
import { cp, mkdir, readFile, stat } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import { extname, join, normalize, resolve, sep } from "node:path";

export interface GenerateResult {
  readonly ok: boolean;
  /** One line for the console: where the report is, or why it is not there. */
  readonly message: string;
  readonly seconds: number;
}

/** The allure-commandline launcher (installed as a dependency; needs a Java runtime). */
function allureBin(): string {
  const require = createRequire(import.meta.url);
  return join(resolve(require.resolve("allure-commandline/package.json"), ".."), "dist", "bin", "allure");
}

export function javaAvailable(): boolean {
  const r = spawnSync("java", ["-version"], { stdio: "ignore" });
  return r.status === 0;
}

export async function generateReport(resultsDir: string, reportDir: string): Promise<GenerateResult> {
  const t0 = performance.now();
  if (!javaAvailable()) {
    return { ok: false, message: `no Java runtime: the HTML report was not generated (install default-jre-headless); the results stay in ${resultsDir}, with reports/junit.xml and reports/summary.json`, seconds: 0 };
  }
  // History: the previous report's history/ goes into the results before generating
  const history = join(reportDir, "history");
  if (await exists(history)) await cp(history, join(resultsDir, "history"), { recursive: true });
  await mkdir(reportDir, { recursive: true });
  const r = spawnSync(allureBin(), ["generate", resultsDir, "-o", reportDir, "--clean"], { encoding: "utf8", env: { ...process.env, ALLURE_NO_ANALYTICS: "true" } });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) return { ok: false, message: `allure generate failed (exit ${r.status}): ${(r.stderr || r.stdout || "").trim().split("\n").slice(-3).join(" ")}`, seconds };
  return { ok: true, message: `report: ${reportDir}/index.html (serve it with: ims-interop report --serve)`, seconds };
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(() => true, () => false);
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".json": "application/json", ".svg": "image/svg+xml",
  ".png": "image/png", ".ico": "image/x-icon", ".txt": "text/plain; charset=utf-8", ".woff": "font/woff", ".woff2": "font/woff2", ".pcap": "application/vnd.tcpdump.pcap",
};

/** Serves a directory on 127.0.0.1 (port 0 picks one); resolves once listening. */
export async function serveDirectory(dir: string, port = 0): Promise<{ server: Server; url: string }> {
  const root = resolve(dir);
  const server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? "/").split("?")[0]!);
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

// Time to generate the Allure HTML report for the full suite (results of one run against the
// embedded reference core), with allure-commandline.
import { spawnSync } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { generateReport, javaAvailable } from "../src/report/allure-report.ts";

const PROJECT = resolve(import.meta.dirname, "..");

export async function benchReport(): Promise<{ testCases: number; seconds: number } | { skipped: string }> {
  if (!javaAvailable()) return { skipped: "no Java runtime (Debian package default-jre-headless)" };
  const dir = await mkdtemp(join(tmpdir(), "ims-interop-bench-report-"));
  const run = spawnSync(process.execPath, [join(PROJECT, "bin/ims-interop.mjs"), "run", "--profile", "profiles/embedded.yaml", "--reports", dir], { cwd: PROJECT, encoding: "utf8" });
  if (run.status !== 0) return { skipped: `the suite run failed: ${run.stdout.slice(-300)}` };
  const g = await generateReport(join(dir, "allure-results"), join(dir, "allure-report"));
  if (!g.ok) return { skipped: g.message };
  return { testCases: 25, seconds: g.seconds };
}

// After a run: the certification summary, JUnit XML and the finished Allure results, all under
// reports/, all masked for the profile's secrets; the Allure results carry the gate (overview) too.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { finishAllureResults, setHarnessVersion } from "../report/allure-results.ts";
import { type GateVerdict, summaryJson } from "../report/certification-summary.ts";
import { junitXml } from "../report/junit.ts";
import { maskSecrets, profileSecrets } from "../report/secrets.ts";
import type { RunResult } from "../runner/index.ts";

export async function writeOutputs(run: RunResult, gateVerdict: GateVerdict, reportsDir: string, allureResultsDir: string, projectDir: string): Promise<void> {
  const pkg = JSON.parse(await readFile(join(projectDir, "package.json"), "utf8")) as { version: string };
  setHarnessVersion(pkg.version);
  const secrets = profileSecrets(run.profile);
  await mkdir(reportsDir, { recursive: true });
  await writeFile(join(reportsDir, "summary.json"), maskSecrets(summaryJson(run, gateVerdict), secrets));
  await writeFile(join(reportsDir, "junit.xml"), maskSecrets(junitXml(run), secrets));
  await mkdir(allureResultsDir, { recursive: true });
  await finishAllureResults(allureResultsDir, run, gateVerdict);
}

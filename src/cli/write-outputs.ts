// After a run: the certification summary, JUnit XML and the finished Allure results, all under
// reports/, all masked for the profile's secrets; the Allure results carry the gate (overview) too.
import { cp, mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { finishAllureResults, gateLine, propertyLine, setHarnessVersion } from "../report/allure-results.ts";
import { type GateVerdict, summaryJson } from "../report/certification-summary.ts";
import { junitXml } from "../report/junit.ts";
import { maskSecrets, profileSecrets } from "../report/secrets.ts";
import { type InteropResult, type RunResult, pairResultsDir } from "../runner/index.ts";
import type { InteropMatrix } from "../report/interop-matrix.ts";
import type { Profile } from "../profile/profile.ts";

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

/**
 * After an interop run (issue 15): each pair's Allure results finished (parentSuite "X -> Y", the
 * pair as a parameter, both networks' secrets masked) and gathered into `allureResultsDir`, with
 * the gate over all pairs on the overview.
 */
export async function writeInteropResults(result: InteropResult, matrix: InteropMatrix, profiles: readonly Profile[], pairsDir: string, allureResultsDir: string): Promise<void> {
  await mkdir(allureResultsDir, { recursive: true });
  const secrets = profiles.flatMap(profileSecrets);
  let first = true;
  for (const pair of result.pairs) {
    const x = profiles[pair.originating];
    const y = profiles[pair.terminating];
    const run: RunResult = {
      profile: x,
      sut: `${result.networks[pair.originating].sut} -> ${result.networks[pair.terminating].sut}`,
      results: pair.results,
      counts: pair.counts,
      durationMs: pair.results.reduce((t, r) => t + r.durationMs, 0),
    };
    const dir = pairResultsDir(pairsDir, pair.label);
    await mkdir(dir, { recursive: true });
    await finishAllureResults(dir, run, matrix.gate, process.env, { label: pair.label, terminating: y });
    for (const f of await readdir(dir)) {
      // categories and executor are the same for every pair; the environment is written below
      if (["categories.json", "executor.json"].includes(f) && !first) continue;
      if (f === "environment.properties") continue;
      await cp(join(dir, f), join(allureResultsDir, f), { recursive: true });
    }
    first = false;
  }
  const environment = [
    propertyLine("Gate", gateLine(matrix.gate)),
    ...result.networks.map((n, i) => propertyLine(`Network.${i + 1}`, `${n.name} (${n.vendor} ${n.product} ${n.productVersion}, ${n.domain}): ${n.sut}`)),
    propertyLine("Pairs", `${result.pairs.length} of ${result.pairCount}`),
  ];
  await writeFile(join(allureResultsDir, "environment.properties"), maskSecrets(environment.join("\n") + "\n", secrets));
}

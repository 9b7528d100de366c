// Writes docs/requirements.md from the catalogue and runs of the suite against the reference core
// (fast timers) and of the terminal suite against the self-test UE. Run: npm run requirements-doc
import { writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { exercisedBy, renderRequirementsDoc } from "../src/report/requirements-doc.ts";
import { runSuite } from "../src/runner/index.ts";

const project = resolve(import.meta.dirname, "..");
const network = await runSuite({ profileFile: join(project, "test/fixtures/profiles/embedded-fast.yaml"), projectDir: project });
const terminal = await runSuite({ profileFile: join(project, "profiles/self-test-ue.yaml"), projectDir: project });
const runs = [network, terminal];
const notPassing = runs.flatMap((run) => run.results).filter((r) => r.verdict !== "pass" && r.verdict !== "not-applicable");
if (notPassing.length > 0)
  throw new Error(`the suite must pass against the reference core to document what it exercises; not passing: ${notPassing.map((r) => `${r.testCase.id} ${r.verdict}`).join(", ")}`);
await writeFile(join(project, "docs/requirements.md"), renderRequirementsDoc(exercisedBy(network, terminal)));
process.stdout.write(`docs/requirements.md: ${network.results.length + terminal.results.length} test cases, written\n`);

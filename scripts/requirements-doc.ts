// Writes docs/requirements.md from the catalogue and a run of the suite against the reference core
// (fast timers). Run: npm run requirements-doc
import { writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { exercisedBy, renderRequirementsDoc } from "../src/report/requirements-doc.ts";
import { runSuite } from "../src/runner/index.ts";

const project = resolve(import.meta.dirname, "..");
const run = await runSuite({ profileFile: join(project, "test/fixtures/profiles/embedded-fast.yaml"), projectDir: project });
const notPassing = run.results.filter((r) => r.verdict !== "pass");
if (notPassing.length > 0)
  throw new Error(`the suite must pass against the reference core to document what it exercises; not passing: ${notPassing.map((r) => `${r.testCase.id} ${r.verdict}`).join(", ")}`);
await writeFile(join(project, "docs/requirements.md"), renderRequirementsDoc(exercisedBy(run)));
process.stdout.write(`docs/requirements.md: ${run.results.length} test cases, written\n`);

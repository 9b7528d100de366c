// Scenario set-up and tear-down: the World connects to the suite context; at the end, what the UEs
// received and nobody consumed is judged, and the scenario's message trace and the requirements
// it checked are attached as evidence for the report.
import { existsSync, readFileSync } from "node:fs";
import { After, Before, Status } from "@cucumber/cucumber";
import { judgeUnconsumed } from "../../src/conformance/unconsumed.ts";
import { TestBedError } from "../../src/runner/verdict.ts";
import { REQUIREMENTS_MEDIA_TYPE } from "../../src/runner/requirements-evidence.ts";
import { maskSecrets, profileSecrets } from "../../src/report/secrets.ts";
import { evidenceOf } from "./evidence.ts";
import { HOOK } from "./step-wrapper.ts";
import type { ImsWorld } from "./world.ts";

// Hook options as the definition-function wrapper reads them (Cucumber passes wrapperOptions through)
const hook = { wrapperOptions: HOOK } as object;

Before(hook, async function (this: ImsWorld, { pickle }) {
  // The runner saw the SUT go down: every later test case ends at once with the error verdict
  const down = this.parameters.sutDownFile;
  if (down && existsSync(down)) throw new TestBedError(`the SUT is down: ${readFileSync(down, "utf8")}`);
  await this.init(pickle.tags.map((t) => t.name));
});

After(hook, async function (this: ImsWorld, { result, pickle }) {
  // Judged before the clean-up, which is not part of the test case: what nobody consumed
  if (result?.status === Status.PASSED) judgeUnconsumed(this.monitor, this.ues.values());
  // The evidence is computed before the clean-up de-registrations, which are not part of the test case
  const entries = [...this.trace.entries];
  const evidence = entries.length > 0 && this.suite ? evidenceOf(entries, this.ues, this.suite.sut.pcscf, this.suite.profile, pickle.name) : [];
  await this.dispose();
  for (const e of evidence) {
    if (typeof e.data === "string") this.attach(e.data, { mediaType: e.mediaType, fileName: e.name });
    else this.attach(e.data, { mediaType: e.mediaType, fileName: e.name });
  }
  this.attach(JSON.stringify({ requirements: this.monitor.tallied() }, null, 2), { mediaType: REQUIREMENTS_MEDIA_TYPE, fileName: "requirements checked.json" });
  const logs = this.suite?.sut.logs();
  if (result?.status === Status.FAILED && logs && this.suite) this.attach(maskSecrets(logs.slice(-20000), profileSecrets(this.suite.profile)), { mediaType: "text/plain", fileName: "SUT log.txt" });
});

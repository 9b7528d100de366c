// Scenario set-up and tear-down: the World connects to the suite context, and at the end the
// scenario's message trace is attached as evidence for the report.
import { existsSync, readFileSync } from "node:fs";
import { After, Before, Status } from "@cucumber/cucumber";
import { TestBedError } from "../../src/runner/verdict.ts";
import { maskSecrets, profileSecrets } from "../../src/report/secrets.ts";
import { evidenceOf } from "./evidence.ts";
import type { ImsWorld } from "./world.ts";

Before(async function (this: ImsWorld, { pickle }) {
  // The runner saw the SUT go down: every later test case ends at once with the error verdict
  const down = this.parameters.sutDownFile;
  if (down && existsSync(down)) throw new TestBedError(`the SUT is down: ${readFileSync(down, "utf8")}`);
  await this.init(pickle.tags.map((t) => t.name));
});

After(async function (this: ImsWorld, { result, pickle }) {
  // The evidence is computed before the clean-up de-registrations, which are not part of the test case
  const entries = [...this.trace.entries];
  const evidence = entries.length > 0 && this.suite ? evidenceOf(entries, this.ues, this.suite.sut.pcscf, this.suite.profile, pickle.name) : [];
  await this.dispose();
  for (const e of evidence) {
    if (typeof e.data === "string") this.attach(e.data, { mediaType: e.mediaType, fileName: e.name });
    else this.attach(e.data, { mediaType: e.mediaType, fileName: e.name });
  }
  const logs = this.suite?.sut.logs();
  if (result?.status === Status.FAILED && logs && this.suite) this.attach(maskSecrets(logs.slice(-20000), profileSecrets(this.suite.profile)), { mediaType: "text/plain", fileName: "SUT log.txt" });
});

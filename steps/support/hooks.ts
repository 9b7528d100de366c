// Scenario set-up and tear-down: the World connects to the suite context, and at the end the
// scenario's message trace is attached as evidence for the report.
import { After, Before, Status } from "@cucumber/cucumber";
import { formatTraceText } from "../../src/report/trace-text.ts";
import type { ImsWorld } from "./world.ts";

Before(async function (this: ImsWorld, { pickle }) {
  await this.init(pickle.tags.map((t) => t.name));
});

After(async function (this: ImsWorld, { result }) {
  await this.dispose();
  if (this.trace.entries.length > 0) this.attach(formatTraceText(this.trace.entries), "text/plain");
  if (result?.status === Status.FAILED && this.suite?.sut.logs()) this.attach(this.suite.sut.logs().slice(-20000), "text/plain");
});

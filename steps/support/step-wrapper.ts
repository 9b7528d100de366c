// Every step and hook of the suite runs through this wrapper: it starts the budget of the phase
// (every wait inside ends by it), then turns what the conformance monitor found meanwhile into the
// step's result: a violated requirement fails the test case even when the step only asked for a
// status code; a harness fault is an error. Every failure gets the call log of the test case.
import { setDefinitionFunctionWrapper } from "@cucumber/cucumber";
import { RequirementViolationError } from "../../src/conformance/violation.ts";
import { HarnessError, InterruptedError } from "../../src/runner/verdict.ts";
import { whenInterrupted } from "./interruption.ts";
import { ImsWorld, type Phase } from "./world.ts";

/** Options a hook passes so that its budget and failures name it: `{ wrapperOptions: HOOK }`. */
export const HOOK = { phase: "hook" as Phase };

type Code = (this: unknown, ...args: unknown[]) => unknown;

setDefinitionFunctionWrapper((code: Code, options?: { phase?: Phase }) => {
  return async function (this: unknown, ...args: unknown[]): Promise<unknown> {
    // BeforeAll/AfterAll run without a World
    if (!(this instanceof ImsWorld)) return code.apply(this, args);
    this.beginPhase(options?.phase ?? "step");
    let failure: unknown;
    let result: unknown;
    // A step ends at once when the run is interrupted; hooks run to their end (the After hook
    // skips the postamble then, and still attaches the evidence)
    const watch = options?.phase === "hook" ? undefined : whenInterrupted(this.parameters);
    try {
      const step = Promise.resolve(code.apply(this, args));
      result = watch ? await Promise.race([step, watch.interrupted.then((why) => Promise.reject(new InterruptedError(`${why}: this test case was stopped in this step`)))]) : await step;
    } catch (e) {
      failure = e;
    } finally {
      watch?.cancel();
    }
    if (failure instanceof InterruptedError) throw failure;
    const news = this.monitor.takeNew();
    if (news.harnessErrors.length > 0) throw new HarnessError(news.harnessErrors.join("\n"), { cause: failure });
    if (news.violations.length > 0) throw new RequirementViolationError(news.violations, failure, this.callLog());
    if (failure !== undefined) throw withCallLog(failure, this.callLog());
    return result;
  };
});

/** Appends the call log to a failure's message (and its stack, which the report shows). */
function withCallLog(e: unknown, log: readonly string[]): unknown {
  if (!(e instanceof Error) || log.length === 0 || e.message.includes("\nCall log:")) return e;
  const before = e.message;
  e.message = `${before}\nCall log:\n${log.map((l) => `  ${l}`).join("\n")}`;
  if (e.stack) e.stack = e.stack.replace(before, e.message);
  return e;
}

// A run interrupted by a signal: the runner writes the interrupt file; the running step ends at once
// with the error verdict ("interrupted"), no later test case starts (the runner marks them not run).
import { existsSync, readFileSync } from "node:fs";
import type { SuiteParameters } from "../../src/runner/suite-parameters.ts";

const POLL_MS = 100;
/** The reason, once seen, per interrupt file (one per run). */
const seen = new Map<string, string>();

/** Why the run was interrupted, or undefined while it was not. */
export function interruption(p: SuiteParameters): string | undefined {
  const file = p.interruptFile;
  if (!file) return undefined;
  const known = seen.get(file);
  if (known !== undefined) return known;
  if (!existsSync(file)) return undefined;
  const reason = readFileSync(file, "utf8") || "interrupted";
  seen.set(file, reason);
  return reason;
}

/** Resolves with the reason when the run is interrupted; `cancel()` stops watching. */
export function whenInterrupted(p: SuiteParameters): { readonly interrupted: Promise<string>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const interrupted = new Promise<string>((done) => {
    if (!p.interruptFile) return;
    timer = setInterval(() => {
      const reason = interruption(p);
      if (reason !== undefined) {
        clearInterval(timer);
        done(reason);
      }
    }, POLL_MS);
  });
  return { interrupted, cancel: () => clearInterval(timer) };
}

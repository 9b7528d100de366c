// Wall time of the whole suite against the embedded reference core, serial and on two Cucumber
// workers, and how much of it was CPU work (harness plus embedded core) rather than waiting on the
// network and protocol timers.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { runSuite } from "../src/runner/index.ts";

const PROJECT = resolve(import.meta.dirname, "..");

export interface SuiteFigures {
  readonly parallel: number;
  readonly testCases: number;
  readonly passed: number;
  readonly wallSeconds: number;
  /** CPU seconds of this process and of its finished child processes (the Cucumber workers). */
  readonly cpuSeconds: number;
  /** cpuSeconds / wallSeconds / cores used: an upper bound on the harness's own share, as it includes the embedded core. */
  readonly busyShare: number;
}

/** CPU seconds (user + system) of the children this process has waited for, from /proc (Linux). */
function childrenCpuSeconds(): number {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // fields[13], fields[14] are cutime and cstime (fields 16 and 17 of proc(5)), in clock ticks
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return 0;
  }
}

export async function benchSuite(parallel: number): Promise<SuiteFigures> {
  const cpu0 = process.cpuUsage();
  const children0 = childrenCpuSeconds();
  const t0 = performance.now();
  const r = await runSuite({ profileFile: join(PROJECT, "profiles/embedded.yaml"), projectDir: PROJECT, parallel });
  const wallSeconds = (performance.now() - t0) / 1000;
  const own = process.cpuUsage(cpu0);
  const cpuSeconds = (own.user + own.system) / 1e6 + (childrenCpuSeconds() - children0);
  return { parallel, testCases: r.results.length, passed: r.counts.pass, wallSeconds, cpuSeconds, busyShare: cpuSeconds / wallSeconds / Math.max(1, parallel) };
}

// One run at a time per reports folder: a lock file holds the running run's pid; a second run into
// the same folder is refused with one line instead of mixing its results with the first's.
import { readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";

export const LOCK_FILE = ".ims-interop.lock";

export class ReportsBusyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReportsBusyError";
  }
}

export interface ReportsLock {
  release(): void;
}

/** Takes the folder's lock (a stale one, whose process is gone, is taken over); releases it at exit too. */
export async function lockReports(dir: string, command: string): Promise<ReportsLock> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, LOCK_FILE);
  const mine = JSON.stringify({ pid: process.pid, since: new Date().toISOString(), command });
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, mine, { flag: "wx" });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0) throw e;
      const holder = readHolder(file);
      if (holder && alive(holder.pid))
        throw new ReportsBusyError(
          `the reports folder ${dir} is in use by another run (pid ${holder.pid}, since ${holder.since}); wait for it to end, or give this run its own folder with --reports <dir>`,
        );
      unlinkSync(file);
    }
  }
  const release = (): void => {
    try {
      if (readFileSync(file, "utf8") === mine) unlinkSync(file);
    } catch {
      // already gone
    }
    process.removeListener("exit", release);
  };
  process.on("exit", release);
  return { release };
}

function readHolder(file: string): { pid: number; since: string } | undefined {
  try {
    const h = JSON.parse(readFileSync(file, "utf8")) as { pid?: unknown; since?: unknown };
    return typeof h.pid === "number" ? { pid: h.pid, since: String(h.since) } : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

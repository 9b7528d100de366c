// A SUT started as a local process (e.g. Kamailio from Debian's packages): spawned with the
// profile's command, ready when it answers SIP OPTIONS, always killed on stop.
import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import type { Profile } from "../profile/profile.ts";
import { preflightOptions } from "./preflight.ts";
import { type StartedTarget, type Target, TargetUnavailableError } from "./target.ts";

const LOG_LIMIT = 256 * 1024;
const live = new Set<ChildProcess>();
process.once("exit", () => {
  for (const c of live) killGroup(c, "SIGKILL");
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

export class ProcessTarget implements Target {
  readonly kind = "process";
  constructor(private readonly profile: Profile) {}

  async start(): Promise<StartedTarget> {
    const t = this.profile.target;
    if (t.kind !== "process") throw new Error("ProcessTarget needs a process target");
    const { pcscf, pcscfUri, domain, transports } = this.profile.ixit;
    // `${port}` and `${host}` in arguments stand for the P-CSCF address of the profile
    const args = t.args.map((a) => a.replaceAll("${port}", String(pcscf.port)).replaceAll("${host}", pcscf.host));
    const cwd = resolve(t.cwd ?? ".");
    let output = "";
    // Its own process group, so that stopping it also stops what it started (a wrapper script's children)
    const child = spawn(t.command, args, { cwd, env: { ...process.env, ...t.env }, stdio: ["ignore", "pipe", "pipe"], detached: true });
    live.add(child);
    const append = (b: Buffer): void => {
      output = (output + b.toString("utf8")).slice(-LOG_LIMIT);
    };
    child.stdout?.on("data", append);
    child.stderr?.on("data", append);
    let exited: string | undefined;
    let exitedAt = 0;
    const exit = new Promise<void>((done) => {
      child.once("exit", (code, signal) => {
        exited = `exited with ${signal ?? `code ${code}`}`;
        exitedAt = Date.now();
        live.delete(child);
        done();
      });
      child.once("error", (e) => {
        exited = `could not be started: ${e.message}`;
        live.delete(child);
        done();
      });
    });
    let stopping = false;
    const stop = async (): Promise<void> => {
      stopping = true;
      if (exited !== undefined) return;
      killGroup(child, "SIGTERM");
      const timer = setTimeout(() => killGroup(child, "SIGKILL"), 3000);
      await exit;
      clearTimeout(timer);
    };
    // Readiness: OPTIONS until an answer, the process exits, or startTimeoutMs passes
    const until = Date.now() + t.startTimeoutMs;
    let last = "";
    while (Date.now() < until) {
      if (exited !== undefined) break;
      const probe = await preflightOptions(pcscf, transports[0] ?? "udp", domain, 500, this.profile.ixit.localHost);
      if (probe.ok) {
        return {
          description: `process "${t.command}" at ${pcscf.host}:${pcscf.port} (pid ${child.pid})`,
          pcscf,
          ...(pcscfUri ? { pcscfUri } : {}),
          logs: () => output,
          down: () => (exited !== undefined && !stopping ? { reason: `the SUT process "${t.command}" (pid ${child.pid}) ${exited}`, at: exitedAt } : undefined),
          stop,
        };
      }
      last = probe.detail;
    }
    await stop();
    const why = exited !== undefined ? `it ${exited}` : `${last}; gave up after ${t.startTimeoutMs} ms`;
    throw new TargetUnavailableError(`the SUT process "${t.command} ${args.join(" ")}" did not become ready at ${pcscf.host}:${pcscf.port}: ${why}\n${output.slice(-2000)}`);
  }
}

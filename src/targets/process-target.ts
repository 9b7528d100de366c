// A SUT started as a local process (e.g. Kamailio from Debian's packages): spawned with the
// profile's command in a process group of its own, ready when it answers SIP OPTIONS from a process
// of that group. Never a SUT left behind, never the wrong one tested (issue 10, gap 2):
// - the P-CSCF port must be free (UDP and TCP) before the start, or the start is refused naming the owner;
// - the whole group is killed on stop() (until none of it is left), on a failed start, at exit (also
//   after an uncaught exception or unhandled rejection: both end in 'exit'), and by
//   killStartedProcessesSync() from the CLI's signal handlers (none is installed here);
// - down() tells when the leader exits, when the group dies, or when the SIP socket is gone.
import { type ChildProcess, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Profile } from "../profile/profile.ts";
import { websocketAccessFromIxit } from "./certificate.ts";
import { belongsToGroup, busyPortProblem, describeProcess, portOwners, type PortOwner, processGroupMembers, type SocketProtocol, socketsOnPort, sutPorts } from "./port-owner.ts";
import { preflightOptions } from "./preflight.ts";
import { type StartedTarget, type SutDown, type Target, TargetUnavailableError } from "./target.ts";
import { TimestampedLog } from "./timestamped-log.ts";

const LOG_LIMIT = 256 * 1024;
/** Lines of output quoted when the program exits before it is ready (item 3) and when it goes down. */
const START_TAIL_LINES = 20;
const DOWN_TAIL_LINES = 10;
/** SIGTERM, then SIGKILL after this long; then at most KILL_WAIT_MS for the kernel to finish. */
const STOP_GRACE_MS = 3000;
const KILL_WAIT_MS = 2000;
const POLL_MS = 50;
/** At exit: SIGTERM, this long for the SUT to clean up (run-kamailio.sh removes its directory), then SIGKILL. */
const EXIT_GRACE_MS = 1000;

/** Process groups started here and not yet seen gone, by pgid (the leader's pid). */
const live = new Set<number>();
process.once("exit", () => {
  killStartedProcessesSync("SIGTERM", { graceMs: EXIT_GRACE_MS });
});

export interface KillOptions {
  /** Wait up to this long (blocking) for each group to be gone, then SIGKILL what is left; 0: signal only. */
  readonly graceMs?: number;
}

/**
 * For signal and exit handlers (synchronous): sends `signal` to the process group of every process
 * target started and not yet gone. With `graceMs`, blocks until the groups are gone, SIGKILLs those
 * still there after graceMs, and waits for them up to 2 s more. Returns the pgids with processes
 * left when it returns (empty: none; with graceMs 0 the signal may not have taken effect yet).
 */
export function killStartedProcessesSync(signal: NodeJS.Signals = "SIGTERM", options: KillOptions = {}): number[] {
  const groups = aliveGroups([...live]);
  for (const g of groups) signalGroup(g, signal);
  const graceMs = options.graceMs ?? 0;
  if (graceMs <= 0) return aliveGroups(groups);
  const until = Date.now() + graceMs;
  while (aliveGroups(groups).length > 0 && Date.now() < until) sleepSync(POLL_MS);
  if (signal !== "SIGKILL") for (const g of aliveGroups(groups)) signalGroup(g, "SIGKILL");
  const killUntil = Date.now() + KILL_WAIT_MS;
  while (aliveGroups(groups).length > 0 && Date.now() < killUntil) sleepSync(POLL_MS);
  return aliveGroups(groups);
}

/** The groups of `pgids` with a process left; the others are forgotten. */
function aliveGroups(pgids: readonly number[]): number[] {
  return pgids.filter((g) => {
    if (groupAlive(g)) return true;
    live.delete(g);
    return false;
  });
}

/** The pgids of the process targets started and not yet seen gone. */
export function liveProcessGroups(): number[] {
  return [...live];
}

export interface ProcessTargetOptions {
  /** How long stop() waits after SIGTERM before SIGKILL (default 3000 ms). */
  readonly stopGraceMs?: number;
}

export interface StartedProcessTarget extends StartedTarget {
  /** The leader's pid, also the process group's id. */
  readonly pid: number;
  /** Writes to the process's standard input (a terminal profile's upper tester of kind stdin). */
  readonly write?: (text: string) => void;
}

export class ProcessTarget implements Target {
  readonly kind = "process";
  constructor(
    private readonly profile: Profile,
    private readonly options: ProcessTargetOptions = {},
  ) {}

  async start(): Promise<StartedProcessTarget> {
    const t = this.profile.target;
    if (t.kind !== "process") throw new Error("ProcessTarget needs a process target");
    const { pcscf, pcscfUri, domain, transports } = this.profile.ixit;
    const protocol = transports[0] ?? "udp";
    const socketProtocol: SocketProtocol = protocol === "udp" ? "udp" : "tcp";
    // A terminal profile: the process is the UE under test, probed and watched at its own address
    const ueAddress = this.profile.terminal?.address;
    const sip = ueAddress ?? pcscf;
    const field = ueAddress ? "terminal.address.port" : "ixit.pcscf.port";
    // `${port}` and `${host}` in arguments stand for the P-CSCF address of the profile; `${uePort}` and `${ueHost}` for terminal.address;
    // `${wsPort}`, `${wssPort}` and `${wssCertificate}` for ixit.websocket's ws.port, wss.port and certificate (empty without them)
    const websocketGiven = this.profile.ixit.websocket;
    const args = t.args.map((a) =>
      a
        .replaceAll("${port}", String(pcscf.port))
        .replaceAll("${host}", pcscf.host)
        .replaceAll("${uePort}", String(ueAddress?.port ?? ""))
        .replaceAll("${ueHost}", ueAddress?.host ?? "")
        .replaceAll("${wsPort}", String(websocketGiven?.ws?.port ?? ""))
        .replaceAll("${wssPort}", String(websocketGiven?.wss?.port ?? ""))
        .replaceAll("${wssCertificate}", websocketGiven?.certificate ?? ""),
    );
    const commandLine = [t.command, ...args].join(" ");
    const cwd = resolve(t.cwd ?? ".");

    // Item 2: a busy port would be answered by its owner (an orphan of an earlier run), not by the SUT
    const busy = await busyPortProblem(sutPorts(this.profile, sip, field));
    if (busy) throw new TargetUnavailableError(busy);

    let output = "";
    // The same output line by line, each line stamped with its arrival: a test case's slice of it is its evidence
    const log = new TimestampedLog(LOG_LIMIT);
    // Its own process group, so that stopping it also stops what it started (a wrapper script's children)
    // The upper tester of kind stdin writes the UE's commands to its standard input
    const input = this.profile.terminal?.upperTester?.kind === "stdin";
    const child = spawn(t.command, args, { cwd, env: { ...process.env, ...t.env }, stdio: [input ? "pipe" : "ignore", "pipe", "pipe"], detached: true });
    // A write to a process that exited fails on the pipe: down() tells why, not an uncaught EPIPE
    child.stdin?.on("error", () => undefined);
    const pid = child.pid;
    if (pid !== undefined) live.add(pid);
    const append = (b: Buffer, stream: "stdout" | "stderr"): void => {
      output = (output + b.toString("utf8")).slice(-LOG_LIMIT);
      log.append(b, stream);
    };
    child.stdout?.on("data", (b: Buffer) => append(b, "stdout"));
    child.stderr?.on("data", (b: Buffer) => append(b, "stderr"));
    let exited: string | undefined;
    let exitedAt = 0;
    const exit = new Promise<void>((done) => {
      child.once("exit", (code, signal) => {
        exited = `exited with ${signal ?? `code ${code}`}`;
        exitedAt = Date.now();
        watchGroup(child);
        done();
      });
      child.once("error", (e) => {
        exited ??= `could not be started: ${e.message}`;
        exitedAt ||= Date.now();
        done();
      });
    });

    let stopping: Promise<void> | undefined;
    const stop = (): Promise<void> => {
      stopping ??= (async () => {
        if (pid !== undefined) await terminateGroup(pid, this.options.stopGraceMs ?? STOP_GRACE_MS);
        // the leader is gone with its group; its 'exit' follows once Node has reaped it
        await Promise.race([exit, new Promise((r) => setTimeout(r, KILL_WAIT_MS).unref())]);
      })();
      return stopping;
    };

    try {
      // Readiness: OPTIONS until an answer, the process exits, or startTimeoutMs passes
      const until = Date.now() + t.startTimeoutMs;
      let last = "";
      while (Date.now() < until && exited === undefined) {
        const probe = await preflightOptions(sip, protocol, domain, 500, this.profile.ixit.localHost);
        if (!probe.ok) {
          last = probe.detail;
          continue;
        }
        // Item 4: the answer must come from the process started, not from one that took the port meanwhile
        const held = pid === undefined ? undefined : portOwners(socketProtocol, sip.port, sip.host);
        const foreign = held && pid !== undefined ? foreignHolder(held.sockets, held.owners, pid) : undefined;
        if (foreign !== undefined) {
          throw new TargetUnavailableError(
            `the SIP port ${protocol.toUpperCase()} ${sip.host}:${sip.port} answered, but the process holding it (${foreign}) is not the one started ("${t.command}", pid ${pid}); stop it or choose another port in the profile (${field})`,
          );
        }
        // Its own sockets: down() reports when they are gone
        const ours = new Set((held?.sockets ?? []).map((s) => s.inode));
        // ixit.websocket (RFC 7118): the listeners as the profile gives them; the WSS certificate file
        // (a path on this host, relative to cwd) is read now, once the SUT is ready: it may make one per run
        const websocket = websocketGiven ? await websocketAccessFromIxit(websocketGiven, (file) => readFile(resolve(cwd, file), "utf8")) : undefined;
        let downState: SutDown | undefined;
        let checkedAt = 0;
        return {
          description: `process "${t.command}" at ${sip.host}:${sip.port} (pid ${pid})`,
          ...(child.stdin ? { write: (line: string) => void child.stdin?.write(line) } : {}),
          pid: pid!,
          pcscf,
          ...(pcscfUri ? { pcscfUri } : {}),
          ...(websocket ? { websocket } : {}),
          logs: (since) => log.text(since),
          // Item 5: the leader exited (its group still running or not), or the SIP socket closed
          down: () => {
            if (stopping) return undefined;
            if (downState) return downState;
            if (exited !== undefined) {
              downState = { reason: `the SUT process "${t.command}" (pid ${pid}) ${exited}; ${groupText(pid!)}${tail(output, DOWN_TAIL_LINES)}`, at: exitedAt };
            } else if (ours.size > 0 && Date.now() - checkedAt >= 250) {
              checkedAt = Date.now();
              const now = socketsOnPort(socketProtocol, sip.port, sip.host);
              if (now && !now.some((s) => ours.has(s.inode))) {
                downState = {
                  reason: `the SUT process "${t.command}" (pid ${pid}) still runs, but nothing of it listens on ${socketProtocol.toUpperCase()} ${sip.host}:${sip.port} any more${tail(output, DOWN_TAIL_LINES)}`,
                  at: Date.now(),
                };
              }
            }
            return downState;
          },
          stop,
        };
      }
      if (pid === undefined) throw new TargetUnavailableError(`the SUT process "${commandLine}" ${exited ?? "could not be started"}`);
      const why =
        exited === undefined
          ? `it did not become ready at ${sip.host}:${sip.port}: ${last}; gave up after ${t.startTimeoutMs} ms`
          : `it ${exited} before it answered OPTIONS at ${sip.host}:${sip.port}`;
      // Item 3: the last lines it printed say why
      throw new TargetUnavailableError(`the SUT process "${commandLine}" did not start: ${why}${tail(output, START_TAIL_LINES)}`);
    } catch (e) {
      // Item 1: a failed start (or any exception meanwhile) leaves nothing behind
      // The start's failure is the news; a group that survived its kill is added to it
      const survivors = await stop().then(
        () => undefined,
        (k: unknown) => (k instanceof Error ? k.message : String(k)),
      );
      if (survivors && e instanceof Error) e.message += `\n${survivors}`;
      throw e;
    }
  }
}

/** The first socket on the port that no process of group `pgid` holds, described; undefined when all are ours. */
function foreignHolder(sockets: readonly { inode: number; uid: number }[], owners: readonly PortOwner[], pgid: number): string | undefined {
  for (const s of sockets) {
    const holders = owners.filter((o) => o.inode === s.inode);
    if (holders.some((o) => belongsToGroup(o.pid, pgid) !== false)) continue;
    const first = holders.sort((a, b) => a.pid - b.pid)[0];
    return first ? describeProcess(first) : `not visible to this user: it belongs to uid ${s.uid}`;
  }
  return undefined;
}

/** "its process group still runs: pid 12 "kamailio", ..." or "no process of its group is left". */
function groupText(pgid: number): string {
  const members = processGroupMembers(pgid);
  if (!members) return groupAlive(pgid) ? "its process group still runs" : "no process of its group is left";
  if (members.length === 0) return "no process of its group is left";
  const shown = members.slice(0, 3).map(describeProcess).join(", ");
  return `its process group still runs: ${shown}${members.length > 3 ? ` and ${members.length - 3} more` : ""}`;
}

/** "; its last output:\n  line" (the last `lines` lines, each cut at 300 characters), or "; it printed nothing". */
function tail(output: string, lines: number): string {
  const all = output.split(/\r?\n/).filter((l) => l.trim() !== "");
  if (all.length === 0) return "; it printed nothing";
  return `; its last output:\n${all
    .slice(-lines)
    .map((l) => `  ${l.length > 300 ? `${l.slice(0, 300)}...` : l}`)
    .join("\n")}`;
}

/** SIGTERM to the group, SIGKILL after `graceMs`; resolves once no process of it is left (item 1). */
async function terminateGroup(pgid: number, graceMs: number): Promise<void> {
  if (!groupAlive(pgid)) {
    live.delete(pgid);
    return;
  }
  signalGroup(pgid, "SIGTERM");
  const killAt = Date.now() + graceMs;
  let killed = false;
  for (;;) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    if (!groupAlive(pgid)) break;
    if (!killed && Date.now() >= killAt) {
      signalGroup(pgid, "SIGKILL");
      killed = true;
    } else if (killed && Date.now() >= killAt + KILL_WAIT_MS) {
      throw new Error(`the SUT's process group ${pgid} is still there ${KILL_WAIT_MS} ms after SIGKILL (${groupText(pgid)})`);
    }
  }
  live.delete(pgid);
}

/** After the leader's exit: forget the group once none of it is left (its pgid may then be reused). */
function watchGroup(child: ChildProcess): void {
  const pgid = child.pid;
  if (pgid === undefined) return;
  const timer = setInterval(() => {
    if (groupAlive(pgid)) return;
    live.delete(pgid);
    clearInterval(timer);
  }, 250);
  timer.unref();
}

/** Some process of the group is alive (not a zombie): /proc where it exists, else kill(-pgid, 0). */
function groupAlive(pgid: number): boolean {
  const members = processGroupMembers(pgid);
  if (members) return members.length > 0;
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is gone
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

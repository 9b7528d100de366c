// Runs SIPp 3.6.1 (Debian package sip-tester, command `sipp`) as a child
// process on 127.0.0.1 for interoperability tests and reports its result.
// Scenario files live in test/sipp/ (see test/sipp/scenarios.ts).
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createSocket } from "node:dgram";
import { createServer } from "node:net";
import { existsSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export type SippTransport = "udp" | "tcp";

export interface SippResult {
  /** 0: all calls succeeded, 1: at least one failed, 97: stopped by an
   *  internal command, 99: normal exit without calls, 255 (-1): fatal error,
   *  254 (-2): could not bind a socket; null when killed by a signal. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** SuccessfulCall(C) of the -trace_stat file (0 when SIPp wrote none). */
  successful: number;
  /** FailedCall(C) of the -trace_stat file. */
  failed: number;
  /** Retransmissions(C) of the -trace_stat file, when present. */
  retransmissions?: number;
  /** Every cumulative "(C)" counter of the -trace_stat file, without the
   *  suffix: IncomingCall, OutgoingCall, FailedTestDoesntMatch, ... */
  counters: Record<string, number>;
  /** True when timeoutMs expired and SIPp was stopped. */
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** Contents of the -trace_err file ("" if SIPp wrote none). */
  errors: string;
  /** Contents of the -trace_msg file when traceMessages was set. */
  messages?: string;
}

export interface SippRun {
  port: number;
  transport: SippTransport;
  pid: number | undefined;
  /** The full sipp command line arguments, for diagnostics. */
  args: string[];
  done: Promise<SippResult>;
  /** SIGTERM (SIPp then prints and dumps its statistics), SIGKILL after 2 s. */
  stop(): Promise<SippResult>;
}

export interface SippOptions {
  /** Built-in scenario name (-sn: "uac", "uas", "regexp", "branchc",
   *  "branchs", "3pcc-*") or path to an XML file (-sf). */
  scenario: string;
  transport: SippTransport;
  /** 0 or undefined: pick a free port (retried if SIPp cannot bind it). */
  localPort?: number;
  /** host:port of the peer, for client scenarios. */
  remote?: string;
  /** -m: stop after this many calls (default 1). */
  calls?: number;
  /** -r: calls per second. */
  rate?: number;
  /** -key name value: [name] keywords of the scenario. */
  keys?: Record<string, string>;
  /** -s: user part of the Request-URI ([service]). */
  service?: string;
  /** -au / -ap: credentials for [authentication]. */
  authUser?: string;
  authPass?: string;
  /** CSV text for -inf (first line SEQUENTIAL, RANDOM or USER). */
  injectCsv?: string;
  /** Over TCP, SIPp by default fails the calls of a connection the peer
   *  closes; startSipp passes -reconnect_close false unless this is true. */
  reconnectClose?: boolean;
  /** -trace_msg: return the SIP messages SIPp sent and received. */
  traceMessages?: boolean;
  extraArgs?: string[];
  /** Stop SIPp (SIGTERM, then SIGKILL) after this many milliseconds. */
  timeoutMs: number;
}

export const SIPP_MISSING = "sipp (Debian package sip-tester) is not installed";

const BUILTIN_SCENARIOS = new Set(["uac", "uas", "regexp", "branchc", "branchs", "3pcc-C-A", "3pcc-C-B", "3pcc-A", "3pcc-B"]);
const SIPP_BIND_FAILED = 254; // SIPp exit code -2: "Fatal error binding a socket"
const KILL_GRACE_MS = 2000;
const OUTPUT_LIMIT = 1 << 20;

let available: boolean | undefined;

/** `sipp -v` runs (it exits with 99 after printing its version). */
export function sippAvailable(): boolean {
  if (available === undefined) {
    const r = spawnSync("sipp", ["-v"], { encoding: "utf8", timeout: 10_000 });
    available = r.error === undefined && /SIPp v\d/.test(r.stdout ?? "");
  }
  return available;
}

/** For node:test `{ skip }`: skip when SIPp is missing, except under CI, where
 *  the test runs and fails instead. */
export function sippSkip(): string | false {
  if (sippAvailable() || process.env.CI) return false;
  return SIPP_MISSING;
}

// Never leave a sipp process behind, also when a test fails or throws.
const live = new Set<ChildProcess>();
const scratch = new Set<string>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const child of live) child.kill("SIGKILL");
    for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  });
}

function canBind(port: number, transport: SippTransport): Promise<boolean> {
  return new Promise((done) => {
    if (transport === "udp") {
      const s = createSocket("udp4");
      s.once("error", () => done(false));
      s.bind(port, "127.0.0.1", () => s.close(() => done(true)));
    } else {
      const s = createServer();
      s.once("error", () => done(false));
      s.listen(port, "127.0.0.1", () => s.close(() => done(true)));
    }
  });
}

/** A port free on 127.0.0.1 for both UDP and TCP at the time of the call. */
export async function pickFreePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((done, fail) => {
      const s = createSocket("udp4");
      s.once("error", fail);
      s.bind(0, "127.0.0.1", () => {
        const p = s.address().port;
        s.close(() => done(p));
      });
    });
    if (await canBind(port, "tcp")) return port;
  }
  throw new Error("no free port on 127.0.0.1 for both UDP and TCP");
}

function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      // The descriptor closed meanwhile.
    }
  }
  return inodes;
}

/** Whether process `pid` holds a socket bound (UDP) or listening (TCP) on
 *  127.0.0.1:port, read from /proc/net/{udp,tcp} (Linux). */
function isBound(pid: number, port: number, transport: SippTransport): boolean {
  const table = readFileSync(`/proc/net/${transport}`, "utf8").split("\n").slice(1);
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  const inodes = socketInodes(pid);
  return table.some((line) => {
    const f = line.trim().split(/\s+/);
    if (f[1] !== local || !inodes.has(f[9] ?? "")) return false;
    return transport === "udp" || f[3] === "0A"; // TCP_LISTEN
  });
}

/** Parses the last row of a -trace_stat CSV into its "(C)" counters. */
export function parseSippStat(csv: string): Record<string, number> {
  const lines = csv.split(/\r?\n/).filter((l) => l.trim() !== "");
  const counters: Record<string, number> = {};
  if (lines.length < 2) return counters;
  const names = lines[0].split(";");
  const values = lines[lines.length - 1].split(";");
  names.forEach((name, i) => {
    const m = /^(.+)\(C\)$/.exec(name);
    const value = values[i];
    if (m && value !== undefined && /^\d+(\.\d+)?$/.test(value)) counters[m[1]] = Number(value);
  });
  return counters;
}

function buildArgs(opts: SippOptions, port: number, dir: string): string[] {
  const args: string[] = [];
  if (opts.remote) args.push(opts.remote);
  if (BUILTIN_SCENARIOS.has(opts.scenario)) args.push("-sn", opts.scenario);
  else args.push("-sf", resolve(opts.scenario));
  args.push("-nostdin", "-i", "127.0.0.1", "-bind_local", "-ci", "127.0.0.1");
  args.push("-p", String(port), "-t", opts.transport === "udp" ? "u1" : "t1");
  args.push("-m", String(opts.calls ?? 1));
  if (opts.rate !== undefined) args.push("-r", String(opts.rate));
  for (const [name, value] of Object.entries(opts.keys ?? {})) args.push("-key", name, value);
  if (opts.service !== undefined) args.push("-s", opts.service);
  if (opts.authUser !== undefined) args.push("-au", opts.authUser);
  if (opts.authPass !== undefined) args.push("-ap", opts.authPass);
  if (opts.injectCsv !== undefined) args.push("-inf", join(dir, "inject.csv"));
  if (opts.transport === "tcp" && !opts.reconnectClose) args.push("-reconnect_close", "false");
  args.push("-trace_err", "-error_file", join(dir, "errors.log"));
  args.push("-trace_stat", "-stf", join(dir, "stat.csv"));
  if (opts.traceMessages) args.push("-trace_msg", "-message_file", join(dir, "messages.log"));
  args.push(...(opts.extraArgs ?? []));
  return args;
}

async function readOptional(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return "";
  }
}

function appendCapped(buffer: string, chunk: Buffer): string {
  const next = buffer + chunk.toString("utf8");
  return next.length > OUTPUT_LIMIT ? next.slice(next.length - OUTPUT_LIMIT) : next;
}

interface Attempt {
  run: SippRun;
  /** Resolves true once SIPp listens on the port, false if it exited first. */
  ready: Promise<boolean>;
}

function launch(opts: SippOptions, port: number, dir: string): Attempt {
  const args = buildArgs(opts, port, dir);
  const child = spawn("sipp", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  live.add(child);
  let stdout = "";
  let stderr = "";
  let timedOut = false;
  let exited = false;
  let killTimer: NodeJS.Timeout | undefined;
  child.stdout.on("data", (c: Buffer) => (stdout = appendCapped(stdout, c)));
  child.stderr.on("data", (c: Buffer) => (stderr = appendCapped(stderr, c)));

  const terminate = (): void => {
    if (exited || killTimer) return;
    child.kill("SIGTERM");
    killTimer = setTimeout(() => child.kill("SIGKILL"), KILL_GRACE_MS);
  };
  const timeout = setTimeout(() => {
    timedOut = true;
    terminate();
  }, opts.timeoutMs);

  const done = new Promise<SippResult>((settle) => {
    const finish = async (code: number | null, signal: NodeJS.Signals | null, spawnError?: Error) => {
      if (exited) return; // "error" may be followed by "close"
      exited = true;
      clearTimeout(timeout);
      clearTimeout(killTimer);
      live.delete(child);
      const counters = parseSippStat(await readOptional(join(dir, "stat.csv")));
      const result: SippResult = {
        exitCode: code,
        signal,
        successful: counters.SuccessfulCall ?? 0,
        failed: counters.FailedCall ?? 0,
        counters,
        timedOut,
        stdout,
        stderr: spawnError ? `${stderr}${spawnError.message}` : stderr,
        errors: await readOptional(join(dir, "errors.log")),
      };
      if (counters.Retransmissions !== undefined) result.retransmissions = counters.Retransmissions;
      if (opts.traceMessages) result.messages = await readOptional(join(dir, "messages.log"));
      settle(result);
    };
    child.once("error", (err) => void finish(null, null, err));
    child.once("close", (code, signal) => void finish(code, signal));
  });

  const ready = (async () => {
    if (!existsSync(`/proc/net/${opts.transport}`)) {
      // Not Linux: no way to look; give SIPp a moment to bind.
      await Promise.race([done, new Promise((r) => setTimeout(r, 500))]);
      return !exited;
    }
    while (!exited) {
      try {
        if (child.pid !== undefined && isBound(child.pid, port, opts.transport)) return true;
      } catch {
        // /proc/<pid> vanished: SIPp is exiting.
      }
      await Promise.race([done, new Promise((r) => setTimeout(r, 20))]);
    }
    return false;
  })();

  const run: SippRun = {
    port,
    transport: opts.transport,
    pid: child.pid,
    args,
    done,
    stop: () => {
      terminate();
      return done;
    },
  };
  return { run, ready };
}

/** Starts SIPp and resolves once it listens on its port (or has already
 *  finished, as a fast client scenario may). Rejects only if SIPp is missing. */
export async function startSipp(opts: SippOptions): Promise<SippRun> {
  if (!sippAvailable()) throw new Error(SIPP_MISSING);
  installExitHook();
  const autoPort = !opts.localPort;
  for (let attempt = 1; ; attempt++) {
    const dir = await mkdtemp(join(tmpdir(), "sipp-"));
    scratch.add(dir);
    if (opts.injectCsv !== undefined) await writeFile(join(dir, "inject.csv"), opts.injectCsv);
    const port = autoPort ? await pickFreePort() : opts.localPort!;
    const { run, ready } = launch(opts, port, dir);
    const cleanup = run.done.then(async (result) => {
      await rm(dir, { recursive: true, force: true });
      scratch.delete(dir);
      return result;
    });
    const withCleanup: SippRun = {
      ...run,
      done: cleanup,
      stop: () => {
        void run.stop();
        return cleanup;
      },
    };
    if (await ready) return withCleanup;
    const result = await cleanup;
    // Another process took the port between picking and binding: try another.
    if (!(autoPort && result.exitCode === SIPP_BIND_FAILED && attempt < 5)) return withCleanup;
  }
}

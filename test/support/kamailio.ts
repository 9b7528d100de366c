// Runs Kamailio 5.6 (Debian packages kamailio and kamailio-presence-modules) as a foreground
// child process on 127.0.0.1 with the IMS-like configuration of docker/kamailio-ims/, and
// reports it ready once it answers a SIP OPTIONS over UDP (RFC 3261 11.2).
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { pickFreePort } from "./sipp.ts";

/** The Digest passwords of docker/kamailio-ims/subscribers.cfg's users, by the variables the Kamailio profiles name. */
export const KAMAILIO_PASSWORDS = {
  IMS_UE_A_PASSWORD: "alice-kamailio-1",
  IMS_UE_B_PASSWORD: "bob-kamailio-2",
  IMS_UE_C_PASSWORD: "carol-kamailio-3",
  IMS_UE_W_PASSWORD: "walter-kamailio-4",
  IMS_UE_V_PASSWORD: "victor-kamailio-5",
} as const;

export const KAMAILIO_MISSING = "kamailio (Debian packages kamailio, kamailio-presence-modules, kamailio-websocket-modules, kamailio-tls-modules; openssl) is not installed";

/** docker/kamailio-ims/: kamailio.cfg and the files it includes. */
export const KAMAILIO_CONFIG_DIR = fileURLToPath(new URL("../../docker/kamailio-ims/", import.meta.url));

/** db_text tables from the Debian package: pua needs "pua", presence (publ_cache 1) the other three. */
const DBTEXT_SCHEMA_DIR = "/usr/share/kamailio/dbtext/kamailio";
const DBTEXT_TABLES = ["version", "pua", "presentity", "active_watchers", "watchers"];
const KILL_GRACE_MS = 3000;
const LOG_LIMIT = 1 << 20;
const PROBE_INTERVAL_MS = 100;

export interface KamailioOptions {
  /** 0 or undefined: pick a port free for UDP and TCP (retried if Kamailio cannot bind it). */
  port?: number;
  /** Extra environment, e.g. IMS_UE_A_PASSWORD; only PATH is inherited besides. */
  env: Record<string, string>;
  /** How long to wait for the first answer to OPTIONS. */
  timeoutMs: number;
}

export interface KamailioRun {
  port: number;
  pid: number | undefined;
  /** The full kamailio command line arguments, for diagnostics. */
  args: readonly string[];
  /** SIGTERM to Kamailio's process group, SIGKILL after 3 s; resolves once it has exited. */
  stop(): Promise<void>;
  /** What Kamailio printed so far (stderr and stdout, the last MiB). */
  logs(): string;
}

let available: boolean | undefined;

/** The modules directory Kamailio was built with, read from `kamailio -h`. */
function modulesDir(help: string): string | undefined {
  return /-L path\s+Modules search path \(default: ([^)]+)\)/.exec(help)?.[1];
}

/**
 * `kamailio -v` runs and the presence modules are installed, and the WebSocket and TLS modules the
 * Kamailio profiles' WS and WSS listeners need (profiles/kamailio.yaml claims websocket), and openssl
 * (run-kamailio.sh makes the WSS certificate with it).
 */
export function kamailioAvailable(): boolean {
  if (available === undefined) {
    const v = spawnSync("kamailio", ["-v"], { encoding: "utf8", timeout: 10_000 });
    const h = spawnSync("kamailio", ["-h"], { encoding: "utf8", timeout: 10_000 });
    const dir = modulesDir(`${h.stdout ?? ""}${h.stderr ?? ""}`);
    available =
      v.error === undefined &&
      /version: kamailio 5\./.test(`${v.stdout ?? ""}${v.stderr ?? ""}`) &&
      dir !== undefined &&
      existsSync(join(dir, "presence_reginfo.so")) &&
      existsSync(join(dir, "pua_reginfo.so")) &&
      ["xhttp.so", "websocket.so", "tls.so", "nathelper.so"].every((m) => existsSync(join(dir, m))) &&
      spawnSync("openssl", ["version"], { timeout: 10_000 }).status === 0;
  }
  return available;
}

/** For node:test `{ skip }`: skip when Kamailio is missing, except under CI, where the test runs and fails. */
export function kamailioSkip(): string | false {
  if (kamailioAvailable() || process.env.CI) return false;
  return KAMAILIO_MISSING;
}

// Never leave a Kamailio process group behind, also when a test fails or throws, or when the
// test process is ended by a signal (Kamailio runs in its own process group, which the signal
// does not reach, and its workers outlive a killed main process).
const live = new Set<ChildProcess>();
const scratch = new Set<string>();
let exitHookInstalled = false;
function cleanUp(): void {
  for (const child of live) killGroup(child, "SIGKILL");
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
}
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", cleanUp);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const onSignal = (): void => {
      cleanUp();
      // Then die of the same signal, as without this handler.
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    if (process.listenerCount(signal) === 0) process.once(signal, onSignal);
  }
}

/** Kamailio forks its workers: signal the whole process group the child leads. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

/** The command line: foreground (-DD), log to stderr (-E), runtime dir and PID file in `dir`. */
export function kamailioArgs(port: number, dir: string): string[] {
  return [
    "-f",
    join(KAMAILIO_CONFIG_DIR, "kamailio.cfg"),
    "-DD",
    "-E",
    "-w",
    dir,
    "-Y",
    dir,
    "-P",
    join(dir, "kamailio.pid"),
    "-m",
    "64",
    "-M",
    "8",
    "-A",
    `SIP_PORT=${port}`,
    "-A",
    `DB_URL="text://${join(dir, "db")}"`,
  ];
}

/** An OPTIONS for the server itself (RFC 3261 11.1), sent from 127.0.0.1:`localPort`. */
export function optionsProbe(port: number, localPort: number, callId: string): string {
  return [
    `OPTIONS sip:127.0.0.1:${port} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${localPort};branch=z9hG4bK${randomBytes(6).toString("hex")};rport`,
    "Max-Forwards: 70",
    `From: <sip:probe@127.0.0.1:${localPort}>;tag=${randomBytes(4).toString("hex")}`,
    `To: <sip:127.0.0.1:${port}>`,
    `Call-ID: ${callId}`,
    "CSeq: 1 OPTIONS",
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n");
}

/** Sends OPTIONS over UDP every 100 ms until a 200 with our Call-ID arrives (true) or `until` settles (false). */
export function waitForOptions200(port: number, until: Promise<unknown>): Promise<boolean> {
  return new Promise((settle) => {
    const socket = createSocket("udp4");
    const callId = `probe-${randomBytes(8).toString("hex")}`;
    let timer: NodeJS.Timeout | undefined;
    let finished = false;
    const finish = (ok: boolean): void => {
      if (finished) return;
      finished = true;
      clearInterval(timer);
      socket.close();
      settle(ok);
    };
    socket.on("message", (data) => {
      const text = data.toString("utf8");
      if (/^SIP\/2\.0 200 /.test(text) && new RegExp(`^Call-ID:\\s*${callId}\\s*$`, "mi").test(text)) finish(true);
    });
    socket.on("error", () => undefined);
    socket.bind(0, "127.0.0.1", () => {
      const send = (): void => {
        const probe = Buffer.from(optionsProbe(port, socket.address().port, callId));
        socket.send(probe, port, "127.0.0.1", () => undefined);
      };
      send();
      timer = setInterval(send, PROBE_INTERVAL_MS);
    });
    void until.then(() => finish(false));
  });
}

function prepareDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "kamailio-ims-"));
  scratch.add(dir);
  mkdirSync(join(dir, "db"));
  for (const table of DBTEXT_TABLES) {
    const from = join(DBTEXT_SCHEMA_DIR, table);
    if (!existsSync(from)) throw new Error(`the db_text table ${from} is missing (Debian package kamailio)`);
    copyFileSync(from, join(dir, "db", table));
  }
  return dir;
}

interface Attempt {
  run: KamailioRun;
  ready: Promise<boolean>;
  hasExited: () => boolean;
  bindFailed: () => boolean;
}

function launch(port: number, dir: string, options: KamailioOptions): Attempt {
  const args = kamailioArgs(port, dir);
  const child = spawn("kamailio", args, {
    cwd: dir,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin", ...options.env },
  });
  live.add(child);
  let output = "";
  const append = (chunk: Buffer): void => {
    output += chunk.toString("utf8");
    if (output.length > LOG_LIMIT) output = output.slice(output.length - LOG_LIMIT);
  };
  child.stdout.on("data", append);
  child.stderr.on("data", append);
  let hasExited = false;
  const exited = new Promise<void>((done) => {
    child.once("error", (e) => {
      append(Buffer.from(`\n${e.message}\n`));
      done();
    });
    child.once("close", () => done());
  }).then(() => {
    hasExited = true;
    live.delete(child);
  });
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      killGroup(child, "SIGTERM");
      const grace = setTimeout(() => killGroup(child, "SIGKILL"), KILL_GRACE_MS);
      await exited;
      clearTimeout(grace);
      // Workers that outlived the main process get the group's SIGKILL too.
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // The group is gone.
        }
      }
      rmSync(dir, { recursive: true, force: true });
      scratch.delete(dir);
    })();
    return stopping;
  };
  const timeout = new Promise<void>((done) => setTimeout(done, options.timeoutMs).unref());
  const ready = waitForOptions200(port, Promise.race([exited, timeout]));
  return {
    run: { port, pid: child.pid, args, stop, logs: () => output },
    ready,
    hasExited: () => hasExited,
    bindFailed: () => /bind|Address already in use/i.test(output),
  };
}

/** Whether 127.0.0.1:port can be bound for UDP without SO_REUSEADDR (Kamailio sets it, so a
 *  second Kamailio would share the port silently instead of failing). */
function udpPortFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = createSocket({ type: "udp4", reuseAddr: false });
    s.once("error", () => done(false));
    s.bind(port, "127.0.0.1", () => s.close(() => done(true)));
  });
}

/** Starts Kamailio and resolves once it answers OPTIONS on UDP; rejects (with its logs) otherwise. */
export async function startKamailio(options: KamailioOptions): Promise<KamailioRun> {
  if (!kamailioAvailable()) throw new Error(KAMAILIO_MISSING);
  installExitHook();
  const autoPort = !options.port;
  if (!autoPort && !(await udpPortFree(options.port!))) throw new Error(`udp:127.0.0.1:${options.port} is already in use`);
  for (let attempt = 1; ; attempt++) {
    const port = autoPort ? await pickFreePort() : options.port!;
    const dir = prepareDir();
    const a = launch(port, dir, options);
    if (await a.ready) return a.run;
    const exitedEarly = a.hasExited();
    const logs = a.run.logs();
    await a.run.stop();
    if (autoPort && exitedEarly && a.bindFailed() && attempt < 5) continue;
    const why = exitedEarly ? "exited before it answered OPTIONS" : `did not answer OPTIONS within ${options.timeoutMs} ms`;
    throw new Error(`Kamailio on udp:127.0.0.1:${port} ${why} (kamailio ${a.run.args.join(" ")})\n${logs}`);
  }
}

/**
 * profiles/kamailio.yaml on free ports (SIP, which is also its interconnect address, WS and WSS),
 * run from the project directory, written into `dir`: tests that start Kamailio side by side with
 * kamailio-suite.test.ts (which uses the profile's own ports).
 */
export async function kamailioProfileOnFreePorts(dir: string): Promise<{ file: string; port: number }> {
  const project = fileURLToPath(new URL("../../", import.meta.url));
  const [port, wsPort, wssPort] = [await pickFreePort(), await pickFreePort(), await pickFreePort()];
  const text = readFileSync(join(project, "profiles/kamailio.yaml"), "utf8")
    // ixit.pcscf and ixit.interconnect.address: Kamailio's one SIP socket
    .replaceAll(/port: 25070\b/g, `port: ${port}`)
    .replace(/port: 25080\b/, `port: ${wsPort}`)
    .replace(/port: 25443\b/, `port: ${wssPort}`)
    .replace(/certificate: \S+/, `certificate: ${join(dir, "wss-cert.pem")}`)
    // run-kamailio.sh is found relative to the working directory
    .replace(/^( {2}kind: process\b.*)$/m, `$1\n  cwd: ${project}`);
  if ((text.match(new RegExp(`port: ${port}\\b`, "g")) ?? []).length !== 2 || !/^ {2}cwd: /m.test(text)) throw new Error("profiles/kamailio.yaml changed: its ports could not be moved");
  const file = join(dir, "kamailio.yaml");
  writeFileSync(file, text);
  return { file, port };
}

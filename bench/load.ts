// Load figures against Kamailio (issue 17), each beside SIPp or on its own:
//   benchKamailioRegistrations  registrations per second, the driver's UEs vs SIPp's REGISTER scenario
//                               ([authentication], users and passwords from an injection CSV), each
//                               user once with Digest, the same number in flight
//   benchRssPerUe               RSS per registered ImsUe, 10,000 of them registered with Kamailio in one
//                               (child) process
//   benchLoadVsSipp             `ims-interop load --tags @IMS-CALL-001` end to end (every requirement
//                               checked) vs `sipp -sf uac` to a `sipp -sf uas`, both through Kamailio
// Kamailio is docker/kamailio-ims/ with its load users (IMS_LOAD_USERS, IMS_LOAD_PASSWORD:
// load<n> and load<n>b@ims.example.test, README.md "Load users"), a fresh instance per side so that neither
// side finds the other's registrations (and reg state records) in it.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { appendFile, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import type { LoadDocument } from "../src/load/load-document.ts";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ImsUe } from "../src/sip/ue/index.ts";
import { createTransport } from "../src/sip/transport/transport-factory.ts";
import { KAMAILIO_PASSWORDS, type KamailioRun, kamailioAvailable, kamailioProfileOnFreePorts, startKamailio } from "../test/support/kamailio.ts";
import { pickFreePort, sippAvailable, startSipp } from "../test/support/sipp.ts";

const PROJECT = resolve(import.meta.dirname, "..");
const DOMAIN = "ims.example.test";
/** Load users Kamailio provisions at start (subscribers.cfg route[LOAD_USERS]): load1 .. load20000 and load1b .. load20000b. */
export const LOAD_USERS = 20000;
export const LOAD_PASSWORD = "load-kamailio-bench";
const BUFFERS = ["-buff_size", "4194304"];
const KAMAILIO_DESCRIPTION = "Kamailio 5.6, docker/kamailio-ims/ as a local process";

/** The environment that provisions the load users, besides the suite's own subscribers' passwords. */
export function loadUsersEnv(): Record<string, string> {
  return { ...KAMAILIO_PASSWORDS, IMS_LOAD_USERS: String(LOAD_USERS), IMS_LOAD_PASSWORD: LOAD_PASSWORD };
}

function startLoadKamailio(): Promise<KamailioRun> {
  return startKamailio({ env: loadUsersEnv(), timeoutMs: 20000 });
}

function skipped(): string | undefined {
  if (!kamailioAvailable()) return "kamailio (Debian packages kamailio, kamailio-presence-modules, ...) is not installed";
  if (!sippAvailable()) return "sipp (Debian package sip-tester) is not installed";
  return undefined;
}

/** CPU seconds (user + system) of every process in Kamailio's process group so far, from /proc (Linux; 0 elsewhere). */
async function groupCpuSeconds(pgid: number | undefined): Promise<number> {
  if (pgid === undefined) return 0;
  let ticks = 0;
  try {
    for (const pid of await readdir("/proc")) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        // the fields after ") ": state ppid pgrp ... utime(12th) stime(13th)
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        if (Number(f[2]) === pgid) ticks += Number(f[11]) + Number(f[12]);
      } catch {
        // the process ended meanwhile
      }
    }
  } catch {
    return 0;
  }
  return ticks / 100; // USER_HZ
}

// ---------------------------------------------------------------------------------------------
// (a) registrations per second

export interface RegistrationFigures {
  readonly attempted: number;
  readonly registered: number;
  readonly failed: number;
  readonly seconds: number;
  readonly registrationsPerSecond: number;
  /** CPU seconds Kamailio spent meanwhile (all its processes): whether the SUT or the client was the limit. */
  readonly kamailioCpuSeconds: number;
  /** Requests sent more than once (SIPp's Retransmissions counter; the driver's are not counted). */
  readonly retransmissions?: number;
}

export interface RegistrationBench {
  readonly users: number;
  readonly inFlight: number;
  readonly against: string;
  readonly driver: RegistrationFigures;
  readonly sipp: RegistrationFigures;
  /** driver / sipp registrations per second. */
  readonly ratio: number;
}

/** SIPp: REGISTER, 401 with the challenge, REGISTER with [authentication] from the CSV's user and password, 200. */
function registerScenario(): string {
  const register = (cseq: number, auth: string): string => `  <send retrans="500">
    <![CDATA[

      REGISTER sip:${DOMAIN} SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      Max-Forwards: 70
      From: <sip:[field0]@${DOMAIN}>;tag=[pid]SIPpTag[call_number]
      To: <sip:[field0]@${DOMAIN}>
      Call-ID: [call_id]
      CSeq: ${cseq} REGISTER
      Contact: <sip:[field0]@[local_ip]:[local_port];transport=[transport]>;expires=600000
      Expires: 600000
      Supported: path${auth}
      Content-Length: 0

    ]]>
  </send>
`;
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<!-- Written by bench/load.ts: one registration with SIP Digest per call, the user ([field0]) and the [authentication] keyword with its password ([field1]) from the injection file -->
<scenario name="REGISTER with Digest">
${register(1, "")}  <recv response="401" auth="true">
  </recv>
${register(2, "\n      [field1]")}  <recv response="200" rtd="true">
  </recv>
</scenario>
`;
}

/** SIPp's injection file: a user and its [authentication] keyword per line, the calls taking them in turn. */
function injectionCsv(users: readonly string[]): string {
  // SIPp 3.6 takes no keyword inside [authentication ...]: the field holds the whole keyword, user and password
  return ["SEQUENTIAL", ...users.map((u) => `${u};[authentication username=${u} password=${LOAD_PASSWORD}]`)].join("\n") + "\n";
}

/** load1 .. load<count>. */
function loadUsers(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `load${i + 1}`);
}

/** A UE of the driver for load<n>, over UDP only (one socket: 10,000 UEs with a TCP listener each would need 20,000 descriptors). */
async function loadUe(n: number, pcscfPort: number): Promise<ImsUe> {
  const udp = await createTransport({ protocol: "udp", host: "127.0.0.1", port: 0 });
  return ImsUe.start({
    name: `load${n}`,
    impi: `load${n}@${DOMAIN}`,
    impu: `sip:load${n}@${DOMAIN}`,
    domain: DOMAIN,
    credentials: { kind: "digest", password: LOAD_PASSWORD },
    pcscf: { protocol: "udp", host: "127.0.0.1", port: pcscfPort },
    protocol: "udp",
    transports: [udp],
  });
}

/** Registers every UE once, `inFlight` at a time; the count of 2xx. */
async function registerAll(ues: readonly ImsUe[], inFlight: number): Promise<{ registered: number; failed: number }> {
  let next = 0;
  let registered = 0;
  let failed = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < ues.length; i = next++) {
      try {
        const outcome = await ues[i].registration.register({ expires: 600000 });
        if (outcome.final.status >= 200 && outcome.final.status < 300) registered++;
        else failed++;
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, ues.length) }, worker));
  return { registered, failed };
}

async function driverRegistrations(users: number, inFlight: number): Promise<RegistrationFigures> {
  const kamailio = await startLoadKamailio();
  const ues: ImsUe[] = [];
  try {
    // The UEs (sockets, endpoints) exist before the clock starts, as SIPp's socket does
    for (let n = 1; n <= users; n++) ues.push(await loadUe(n, kamailio.port));
    const cpu0 = await groupCpuSeconds(kamailio.pid);
    const t0 = performance.now();
    const { registered, failed } = await registerAll(ues, inFlight);
    const seconds = (performance.now() - t0) / 1000;
    const kamailioCpuSeconds = (await groupCpuSeconds(kamailio.pid)) - cpu0;
    return { attempted: users, registered, failed, seconds, registrationsPerSecond: registered / seconds, kamailioCpuSeconds };
  } finally {
    await Promise.all(ues.map((u) => u.close()));
    await kamailio.stop();
  }
}

async function sippRegistrations(users: number, inFlight: number, scenarioFile: string): Promise<RegistrationFigures> {
  const kamailio = await startLoadKamailio();
  try {
    const cpu0 = await groupCpuSeconds(kamailio.pid);
    const t0 = performance.now();
    const run = await startSipp({
      scenario: scenarioFile,
      transport: "udp",
      remote: `127.0.0.1:${kamailio.port}`,
      calls: users,
      injectCsv: injectionCsv(loadUsers(users)),
      extraArgs: [...BUFFERS, "-r", "1000000", "-l", String(inFlight)],
      timeoutMs: 120000,
    });
    const r = await run.done;
    const seconds = (performance.now() - t0) / 1000;
    const kamailioCpuSeconds = (await groupCpuSeconds(kamailio.pid)) - cpu0;
    if (r.successful === 0) throw new Error(`sipp registered nobody (exit ${String(r.exitCode)}): ${(r.errors || r.stderr).slice(0, 500)}`);
    return {
      attempted: users,
      registered: r.successful,
      failed: r.failed + (users - r.successful - r.failed),
      seconds,
      registrationsPerSecond: r.successful / seconds,
      kamailioCpuSeconds,
      ...(r.retransmissions !== undefined ? { retransmissions: r.retransmissions } : {}),
    };
  } finally {
    await kamailio.stop();
  }
}

/** Registrations per second against Kamailio: `users` load users, each once with Digest, `inFlight` at a time; the driver, then SIPp. */
export async function benchKamailioRegistrations(users: number, inFlight = 50): Promise<RegistrationBench | { skipped: string }> {
  const why = skipped();
  if (why) return { skipped: why };
  if (users > LOAD_USERS) throw new Error(`at most ${LOAD_USERS} load users`);
  const dir = await mkdtemp(join(tmpdir(), "bench-load-"));
  try {
    const scenario = join(dir, "register-digest.xml");
    await writeFile(scenario, registerScenario());
    const driver = await driverRegistrations(users, inFlight);
    const sipp = await sippRegistrations(users, inFlight, scenario);
    return { users, inFlight, against: KAMAILIO_DESCRIPTION, driver, sipp, ratio: driver.registrationsPerSecond / sipp.registrationsPerSecond };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// (b) RSS per registered UE

export interface RssFigures {
  readonly ues: number;
  readonly registered: number;
  readonly failed: number;
  readonly rssBytesBefore: number;
  readonly rssBytesAfter: number;
  /** (RSS after - RSS before) / UEs (all of them registered, unless `failed` says otherwise). */
  readonly bytesPerUe: number;
  /** The same for the V8 heap (heapUsed), to tell JavaScript objects from sockets and buffers. */
  readonly heapBytesPerUe: number;
  readonly registrationSeconds: number;
  readonly against: string;
  readonly what: string;
}

const RSS_CHILD = "--rss-child";

/**
 * RSS per registered UE: a child process (node --expose-gc, nothing else loaded in it) measures its RSS
 * after a full GC, starts `ues` ImsUe over UDP and registers them all with Kamailio (200 in flight),
 * and measures again after a full GC with every UE alive and registered.
 */
export async function benchRssPerUe(ues: number): Promise<RssFigures | { skipped: string }> {
  if (!kamailioAvailable()) return { skipped: "kamailio is not installed" };
  const self = fileURLToPath(import.meta.url);
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", self, RSS_CHILD, String(ues)], { cwd: PROJECT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString("utf8")));
    child.stderr.on("data", (c: Buffer) => (err = (err + c.toString("utf8")).slice(-4000)));
    child.once("close", (c) => done({ code: c, stdout: out, stderr: err }));
  });
  const last = stdout.trim().split("\n").at(-1) ?? "";
  if (code !== 0 || !last.startsWith("{")) throw new Error(`the RSS child exited ${String(code)}: ${stderr}`);
  return JSON.parse(last) as RssFigures;
}

async function rssChild(count: number): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with --expose-gc");
  const settle = async (): Promise<NodeJS.MemoryUsage> => {
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 50));
    }
    return process.memoryUsage();
  };
  const kamailio = await startLoadKamailio();
  const ues: ImsUe[] = [];
  try {
    // Warm up: one UE registered and closed, so that the code paths' own allocations are not counted per UE
    const warm = await loadUe(LOAD_USERS, kamailio.port);
    await warm.registration.register({ expires: 600000 });
    await warm.close();
    const before = await settle();
    for (let n = 1; n <= count; n++) ues.push(await loadUe(n, kamailio.port));
    const t0 = performance.now();
    const { registered, failed } = await registerAll(ues, 200);
    const registrationSeconds = (performance.now() - t0) / 1000;
    const after = await settle();
    const figures: RssFigures = {
      ues: count,
      registered,
      failed,
      rssBytesBefore: before.rss,
      rssBytesAfter: after.rss,
      bytesPerUe: (after.rss - before.rss) / count,
      heapBytesPerUe: (after.heapUsed - before.heapUsed) / count,
      registrationSeconds,
      against: KAMAILIO_DESCRIPTION,
      what: "ImsUe over UDP (one socket each, no TCP listener), registered (Digest), alive",
    };
    process.stdout.write(JSON.stringify(figures) + "\n");
  } finally {
    await Promise.all(ues.map((u) => u.close()));
    await kamailio.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// (c) ims-interop load vs SIPp's uac, through Kamailio

export interface LoadCommandOptions {
  /** ims-interop's flows in all. */
  readonly flows: number;
  /** SIPp's calls in all (default: flows): SIPp runs through a few hundred in a tenth of a second. */
  readonly sippCalls?: number;
  /** At once: --concurrency, and SIPp's -l. */
  readonly concurrency: number;
  /** Passed to ims-interop load only when given (the rewritten CLI's options). */
  readonly ues?: number;
  readonly rate?: number;
  readonly duration?: string;
}

export interface InteropLoadFigures {
  readonly flowsStarted: number;
  readonly flowsPassed: number;
  readonly flowsFailed: number;
  /** The run's wall time as load.json gives it (the flows, without the command's start). */
  readonly wallSeconds: number;
  readonly flowsPerSecond: number;
  /** The whole command: node, the TypeScript loader, Cucumber's support code, Kamailio's start and stop. */
  readonly commandSeconds: number;
  readonly exitCode: number | null;
  /** RFC 6076 SRD (INVITE -> first status-indicative response), ms. */
  readonly srdP50?: number;
  readonly srdP95?: number;
  /** Registration attempts and INVITEs in all (RFC 6076's counters in load.json): what the flows sent. */
  readonly registrations?: number;
  readonly invites?: number;
  /** Failed flows by requirement, from load.json. */
  readonly failures?: Readonly<Record<string, number>>;
}

export interface SippCallFigures {
  readonly calls: number;
  readonly failed: number;
  readonly seconds: number;
  readonly callsPerSecond: number;
  readonly retransmissions: number;
  /** The first line of SIPp's error log (caller's, then answerer's), when a call failed. */
  readonly firstError?: string;
}

export interface LoadVsSipp {
  readonly options: LoadCommandOptions;
  readonly against: string;
  readonly interop: InteropLoadFigures | { readonly error: string };
  readonly sipp: SippCallFigures | { readonly error: string };
  /** ims-interop flows per second / SIPp calls per second, when both ran. */
  readonly ratio?: number;
}

/** profiles/kamailio.yaml on free ports with Kamailio's load users (IMS_LOAD_USERS) as its load pool: slot s is UE-A load<s+1>, UE-B load<s+1>b. */
async function loadProfile(dir: string): Promise<string> {
  const { file } = await kamailioProfileOnFreePorts(dir);
  const pool = [
    ["UE-A", "load{n}"],
    ["UE-B", "load{n}b"],
  ].map(
    ([role, user]) =>
      `      - role: ${role}\n        impi: "${user}@${DOMAIN}"\n        impus: ["sip:${user}@${DOMAIN}"]\n        auth: { kind: digest, passwordEnv: IMS_LOAD_PASSWORD, algorithm: MD5 }`,
  );
  await appendFile(file, `\nload:\n  pool:\n    first: 1\n    subscribers:\n${pool.join("\n")}\n`);
  return file;
}

/** The parts of load.json (a LoadDocument, src/load/load-document.ts) read here. */
type LoadJson = Pick<LoadDocument, "flowsStarted" | "flowsPassed" | "flowsFailed" | "wallMs" | "figures" | "result">;

async function interopLoad(o: LoadCommandOptions): Promise<InteropLoadFigures> {
  const dir = await mkdtemp(join(tmpdir(), "bench-load-cli-"));
  try {
    const profile = await loadProfile(dir);
    const reports = join(dir, "reports");
    const args = [
      join(PROJECT, "bin/ims-interop.mjs"),
      "load",
      "--profile",
      profile,
      "--tags",
      "@IMS-CALL-001",
      "--flows",
      String(o.flows),
      "--concurrency",
      String(o.concurrency),
      "--reports",
      reports,
    ];
    if (o.ues !== undefined) args.push("--ues", String(o.ues));
    if (o.rate !== undefined) args.push("--rate", String(o.rate));
    if (o.duration !== undefined) args.push("--duration", o.duration);
    const t0 = performance.now();
    const { code, output } = await new Promise<{ code: number | null; output: string }>((done) => {
      // The process target inherits this environment: run-kamailio.sh gives IMS_LOAD_* to Kamailio
      const child = spawn(process.execPath, args, { cwd: PROJECT, env: { ...process.env, ...loadUsersEnv() }, stdio: ["ignore", "pipe", "pipe"] });
      let text = "";
      const keep = (c: Buffer): void => void (text = (text + c.toString("utf8")).slice(-8000));
      child.stdout.on("data", keep);
      child.stderr.on("data", keep);
      const timer = setTimeout(() => child.kill("SIGTERM"), 300_000);
      child.once("close", (c) => {
        clearTimeout(timer);
        done({ code: c, output: text });
      });
    });
    const commandSeconds = (performance.now() - t0) / 1000;
    let doc: LoadJson;
    try {
      doc = JSON.parse(await readFile(join(reports, "load", "load.json"), "utf8")) as LoadJson;
    } catch {
      throw new Error(`ims-interop ${args.slice(1).join(" ")} exited ${String(code)} without load/load.json:\n${output.trim().split("\n").slice(-12).join("\n")}`);
    }
    const passed = doc.flowsPassed;
    const failed = doc.flowsFailed;
    const wallSeconds = doc.wallMs / 1000;
    const srd = doc.figures.delays.srd;
    return {
      flowsStarted: doc.flowsStarted ?? passed + failed,
      flowsPassed: passed,
      flowsFailed: failed,
      wallSeconds,
      flowsPerSecond: passed / wallSeconds,
      commandSeconds,
      exitCode: code,
      ...(srd && srd.count > 0 && srd.p50 !== undefined ? { srdP50: srd.p50 } : {}),
      ...(srd && srd.count > 0 && srd.p95 !== undefined ? { srdP95: srd.p95 } : {}),
      ...(doc.result?.counts?.registrations !== undefined ? { registrations: doc.result.counts.registrations } : {}),
      ...(doc.result?.counts?.invites !== undefined ? { invites: doc.result.counts.invites } : {}),
      ...(doc.result?.failures ? { failures: doc.result.failures } : {}),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const SDP = `v=0
      o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0
      a=rtpmap:0 PCMU/8000`;

/**
 * SIPp's built-in uac, adapted to a proxy that record-routes (Kamailio): the INVITE from a registered
 * load user ([caller]) to another ([callee]) with the Service-Route preloaded, rrs="true" on the 200,
 * the ACK and the BYE to [next_url] with [routes] (RFC 3261 12.2.1.1), as IMS-CALL-001's caller does.
 * Kamailio's two UDP workers now and then relay the 180 after the 200 (about 1 call in 1,000 at 20 in
 * flight): SIPp aborts that call on the "unexpected" 180 (it fails). optional="global" would take the
 * 180 but jump back before the 200, and the call would wait for it forever; an optional <recv> right
 * before a <send> SIPp refuses.
 */
function uacScenario(): string {
  const inDialog = (method: string, cseq: number): string => `  <send${method === "BYE" ? ' retrans="500"' : ""}>
    <![CDATA[

      ${method} [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      [routes]
      Max-Forwards: 70
      From: <sip:[caller]@${DOMAIN}>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[callee]@${DOMAIN}>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: ${cseq} ${method}
      Contact: <sip:[caller]@[local_ip]:[local_port];transport=[transport]>
      Content-Length: 0

    ]]>
  </send>
`;
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<!-- Written by bench/load.ts: SIPp's uac through a record-routing proxy -->
<scenario name="uac through Kamailio">
  <send retrans="500">
    <![CDATA[

      INVITE sip:[callee]@${DOMAIN} SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      Route: <sip:orig@[remote_ip]:[remote_port];lr>
      Max-Forwards: 70
      From: <sip:[caller]@${DOMAIN}>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[callee]@${DOMAIN}>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:[caller]@[local_ip]:[local_port];transport=[transport]>
      Content-Type: application/sdp
      Content-Length: [len]

      ${SDP}

    ]]>
  </send>
  <recv response="100" optional="true">
  </recv>
  <recv response="180" optional="true">
  </recv>
  <recv response="200" rtd="true" rrs="true">
  </recv>
${inDialog("ACK", 1)}${inDialog("BYE", 2)}  <recv response="200" crlf="true">
  </recv>
</scenario>
`;
}

/** SIPp's built-in uas with the Record-Route copied into its 180 and 200 (RFC 3261 12.1.1), so that the ACK and BYE come through Kamailio. */
function uasScenario(): string {
  const response = (status: string, retrans: boolean, sdp: boolean): string => `  <send${retrans ? ' retrans="500"' : ""}>
    <![CDATA[

      SIP/2.0 ${status}
      [last_Via:]
      [last_Record-Route:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
${sdp ? `      Content-Type: application/sdp\n      Content-Length: [len]\n\n      ${SDP}` : "      Content-Length: 0"}

    ]]>
  </send>
`;
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<!-- Written by bench/load.ts: SIPp's uas with Record-Route copied into its responses -->
<scenario name="uas behind Kamailio">
  <recv request="INVITE" crlf="true">
  </recv>
${response("180 Ringing", false, false)}${response("200 OK", true, true)}  <recv request="ACK" optional="true" rtd="true" crlf="true">
  </recv>
  <recv request="BYE">
  </recv>
  <send>
    <![CDATA[

      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
      Content-Length: 0

    ]]>
  </send>
</scenario>
`;
}

/** Registers `user` with Kamailio from 127.0.0.1:port with the registration scenario (SIPp then leaves the port). */
async function sippRegisterFrom(port: number, user: string, kamailioPort: number, scenario: string): Promise<void> {
  const run = await startSipp({ scenario, transport: "udp", localPort: port, remote: `127.0.0.1:${kamailioPort}`, calls: 1, injectCsv: injectionCsv([user]), timeoutMs: 10000 });
  const r = await run.done;
  if (r.successful !== 1) throw new Error(`sipp could not register ${user} from port ${port} (exit ${String(r.exitCode)}): ${(r.errors || r.stderr).slice(0, 500)}`);
}

async function sippLoad(o: LoadCommandOptions): Promise<SippCallFigures> {
  const dir = await mkdtemp(join(tmpdir(), "bench-load-sipp-"));
  const kamailio = await startLoadKamailio();
  try {
    const files = { register: join(dir, "register-digest.xml"), uac: join(dir, "uac-rr.xml"), uas: join(dir, "uas-rr.xml") };
    await writeFile(files.register, registerScenario());
    await writeFile(files.uac, uacScenario());
    await writeFile(files.uas, uasScenario());
    // The answerer: load1b registered with the address the uas then listens on; the caller: load1, so
    // that Kamailio asserts its identity (its Via sent-by is bound to load1), as for the driver's UE-A
    const [uasPort, uacPort] = [await pickFreePort(), await pickFreePort()];
    await sippRegisterFrom(uasPort, "load1b", kamailio.port, files.register);
    await sippRegisterFrom(uacPort, "load1", kamailio.port, files.register);
    const calls = o.sippCalls ?? o.flows;
    const uas = await startSipp({ scenario: files.uas, transport: "udp", localPort: uasPort, calls, extraArgs: BUFFERS, timeoutMs: 120000 });
    const t0 = performance.now();
    const uac = await startSipp({
      scenario: files.uac,
      transport: "udp",
      localPort: uacPort,
      remote: `127.0.0.1:${kamailio.port}`,
      calls,
      keys: { caller: "load1", callee: "load1b" },
      extraArgs: [...BUFFERS, "-r", "1000000", "-l", String(o.concurrency)],
      timeoutMs: 120000,
    });
    const caller = await uac.done;
    const seconds = (performance.now() - t0) / 1000;
    const answerer = await Promise.race([uas.done, new Promise<undefined>((r) => setTimeout(() => r(undefined), 3000))]);
    const callee = answerer ?? (await uas.stop());
    const firstError = (caller.errors + callee.errors).split(/\r?\n/).find((l) => /\S/.test(l) && !/^The following events occurred/.test(l));
    if (caller.successful === 0) throw new Error(`sipp uac completed no call (exit ${String(caller.exitCode)}): ${(caller.errors || caller.stderr).slice(0, 500)}`);
    return {
      calls: caller.successful,
      failed: caller.failed + callee.failed,
      seconds,
      callsPerSecond: caller.successful / seconds,
      retransmissions: (caller.retransmissions ?? 0) + (callee.retransmissions ?? 0),
      // without SIPp's "date time epoch: " prefix
      ...(firstError ? { firstError: firstError.replace(/^\S+\t\S+\t\S+: /, "").slice(0, 300) } : {}),
    };
  } finally {
    await kamailio.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The SIPp scenarios this file writes (registration with Digest, uac and uas through Kamailio), for a look at them. */
export function sippScenarios(): { register: string; uac: string; uas: string } {
  return { register: registerScenario(), uac: uacScenario(), uas: uasScenario() };
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * (c): `ims-interop load --tags @IMS-CALL-001` against profiles/kamailio.yaml (on free ports, the load
 * users as its subscribers; the CLI starts Kamailio itself) vs SIPp's uac and uas through a Kamailio
 * started here, the same flows/calls and concurrency. Either side failing is reported, not thrown.
 */
export async function benchLoadVsSipp(o: LoadCommandOptions): Promise<LoadVsSipp | { skipped: string }> {
  const why = skipped();
  if (why) return { skipped: why };
  let interop: LoadVsSipp["interop"];
  let sipp: LoadVsSipp["sipp"];
  try {
    interop = await interopLoad(o);
  } catch (e) {
    interop = { error: message(e) };
  }
  try {
    sipp = await sippLoad(o);
  } catch (e) {
    sipp = { error: message(e) };
  }
  const ratio = "error" in interop || "error" in sipp ? undefined : interop.flowsPerSecond / sipp.callsPerSecond;
  return { options: o, against: KAMAILIO_DESCRIPTION, interop, sipp, ...(ratio !== undefined ? { ratio } : {}) };
}

// node --expose-gc --import tsx bench/load.ts --rss-child <ues>: benchRssPerUe's measuring process
if (process.argv[2] === RSS_CHILD && resolve(process.argv[1] ?? "") === fileURLToPath(import.meta.url)) {
  await rssChild(Number(process.argv[3]));
  process.exit(0);
}

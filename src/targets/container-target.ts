// A SUT in a container (testcontainers): its image built from docker/<build> or given, run on the
// host's network so that the simulated UEs and the SUT see the same addresses (no NAT: Via,
// Contact and Record-Route stay valid), ready when it answers SIP OPTIONS (never a log line),
// always removed afterwards (docs/containers.md). For a terminal profile the container is the UE
// under test: it gets the harness's network as its P-CSCF (SIP_HOST/SIP_PORT) and its own address
// (UE_SIP_HOST/UE_SIP_PORT), and is ready when it answers OPTIONS at terminal.address.
import { randomBytes } from "node:crypto";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import { type ContainerRuntimeClient, GenericContainer, type StartedTestContainer } from "testcontainers";
import type { Profile } from "../profile/profile.ts";
import { websocketAccessFromIxit } from "./certificate.ts";
import { trackContainer, untrackContainer } from "./container-cleanup.ts";
import { type ContainerImage, containerRuntime, ensureBuiltImage, ensureGivenImage, resolveBuildContext } from "./container-image.ts";
import { busyPortProblem, sutPorts } from "./port-owner.ts";
import { preflightOptions } from "./preflight.ts";
import { type StartedTarget, type Target, TargetUnavailableError, type SutDown } from "./target.ts";
import { TimestampedLog } from "./timestamped-log.ts";

/** Every container of this harness carries it, with the pid of the process that started it. */
export const CONTAINER_RUN_LABEL = "org.ims-interop.run";
/** The profile file (base name) a container was started for. */
export const CONTAINER_PROFILE_LABEL = "org.ims-interop.profile";

const LOG_LIMIT = 256 * 1024;
/** One OPTIONS waits this long before the next is sent. */
const PROBE_WAIT_MS = 500;
/** A probe that failed at once (e.g. TCP connection refused) is repeated after this pause. */
const PROBE_PAUSE_MS = 100;
/** How long stop() waits for the last log lines after the container is removed. */
const LOG_DRAIN_MS = 2000;
const PROJECT_DIR = fileURLToPath(new URL("../../", import.meta.url));

export interface ContainerTargetOptions {
  /** Where `docker/<build>` is looked for; the project's own folder by default. */
  readonly projectDir?: string;
}

export interface StartedContainerTarget extends StartedTarget {
  /** The container's name: ims-interop-<pid>-<n>-<random>. */
  readonly containerName: string;
  readonly containerId: string;
  readonly image: ContainerImage;
  /** Milliseconds from the container's start to its first answer to OPTIONS. */
  readonly readyAfterMs: number;
}

let sequence = 0;

/**
 * The container's environment: SIP_HOST, SIP_PORT (the IXIT's P-CSCF address, where the SUT must
 * listen) and SIP_DOMAIN; then the profile's `env`; then each subscriber's secrets under the
 * variable names the profile gives (IMS_UE_A_PASSWORD ...), so the SUT holds what the UEs hold.
 * A terminal profile (the container is the UE under test): SIP_HOST and SIP_PORT are the harness's
 * network, the UE's P-CSCF, and UE_SIP_HOST, UE_SIP_PORT its own address (terminal.address).
 * With ixit.websocket (RFC 7118), WS_PORT and WSS_PORT: where the SUT's WebSocket listeners must be.
 */
export function containerEnvironment(profile: Profile): Record<string, string> {
  const t = profile.target;
  const { pcscf, domain, subscribers, websocket } = profile.ixit;
  const ue = profile.terminal?.address;
  const env: Record<string, string> = {
    SIP_HOST: pcscf.host,
    SIP_PORT: String(pcscf.port),
    SIP_DOMAIN: domain,
    ...(ue ? { UE_SIP_HOST: ue.host, UE_SIP_PORT: String(ue.port) } : {}),
    ...(websocket?.ws ? { WS_PORT: String(websocket.ws.port) } : {}),
    ...(websocket?.wss ? { WSS_PORT: String(websocket.wss.port) } : {}),
    ...(t.kind === "container" ? t.env : {}),
  };
  for (const s of subscribers) {
    if (s.auth.kind === "digest") {
      env[s.auth.passwordEnv] = s.auth.password;
    } else {
      env[s.auth.kEnv] = s.auth.k.toString("hex");
      env[s.auth.opcEnv] = s.auth.opc.toString("hex");
    }
  }
  return env;
}

export class ContainerTarget implements Target {
  readonly kind = "container";
  constructor(
    private readonly profile: Profile,
    private readonly options: ContainerTargetOptions = {},
  ) {}

  async start(): Promise<StartedContainerTarget> {
    const t = this.profile.target;
    if (t.kind !== "container") throw new Error("ContainerTarget needs a container target");
    const { pcscf, pcscfUri, domain, transports, localHost } = this.profile.ixit;
    const protocol = transports[0] ?? "udp";
    // A terminal profile: the container is the UE under test, probed at its own address (ixit.pcscf is the harness's network)
    const ueAddress = this.profile.terminal?.address;
    const sip = ueAddress ?? pcscf;
    const field = ueAddress ? "terminal.address" : "ixit.pcscf";
    const where = `${protocol.toUpperCase()} ${sip.host}:${sip.port}${ueAddress ? " (terminal.address)" : ""}`;

    // With the host's network the container binds the host's ports: one in use (an earlier UE or core
    // still on it, or any process's socket) would answer the probe instead, or make the SUT exit at start
    const busy = await busyPortProblem(sutPorts(this.profile, sip, `${field}.port`));
    if (busy) throw new TargetUnavailableError(`${busy} before the ${ueAddress ? "UE's" : "SUT's"} container starts`);

    const client = await containerRuntime();
    const image =
      t.build !== undefined
        ? await ensureBuiltImage(client, resolveBuildContext(t.build, this.options.projectDir ?? PROJECT_DIR, this.profile.file))
        : await ensureGivenImage(client, t.image ?? "", t.startTimeoutMs);

    const name = `ims-interop-${process.pid}-${++sequence}-${randomBytes(3).toString("hex")}`;
    const remove = (): Promise<void> => removeContainer(client, name);
    trackContainer({ name, remove });

    let output = "";
    // The same output line by line, each line stamped with its arrival: a test case's slice of it is its evidence
    const log = new TimestampedLog(LOG_LIMIT);
    let logEnded: () => void = () => undefined;
    const logDone = new Promise<void>((done) => (logEnded = done));
    const container = new GenericContainer(image.image)
      .withName(name)
      .withLabels({ [CONTAINER_RUN_LABEL]: String(process.pid), [CONTAINER_PROFILE_LABEL]: basename(this.profile.file) })
      // the UEs' 127.0.0.1 is the SUT's 127.0.0.1: no port mapping, no NAT
      .withNetworkMode("host")
      .withEnvironment(containerEnvironment(this.profile))
      .withLogConsumer((stream) => {
        stream.on("data", (chunk: Buffer | string) => {
          output = (output + chunk.toString()).slice(-LOG_LIMIT);
          log.append(chunk);
        });
        stream.once("end", () => logEnded());
        stream.once("error", () => logEnded());
      });

    let stopping: Promise<void> | undefined;
    const stop = (): Promise<void> => {
      stopping ??= (async () => {
        await remove();
        untrackContainer(name);
        await Promise.race([logDone, sleep(LOG_DRAIN_MS)]);
      })().catch((e: unknown) => {
        stopping = undefined; // the next stop() tries again
        throw new Error(`could not remove the container ${name}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      });
      return stopping;
    };
    const giveUp = async (message: string, cause?: unknown): Promise<never> => {
      // The start's failure is the news; a failed removal is added to it (the exit hook tries again)
      const removal = await stop().then(
        () => "",
        (e: unknown) => `\n${e instanceof Error ? e.message : String(e)}`,
      );
      const tail = output.trim() ? `\ncontainer output (last lines):\n${output.slice(-2000)}` : "";
      throw new TargetUnavailableError(message + removal + tail, cause === undefined ? undefined : { cause });
    };

    // The log stream ends when the container stops; unless stop() did it, the SUT went down
    let down: SutDown | undefined;
    void logDone.then(async () => {
      if (stopping) return;
      const state = await containerState(client, name);
      if (!stopping && !state.running) down = { reason: `the SUT container ${name} ${state.detail}`, at: state.finishedAt ?? Date.now() };
    });

    let id: string;
    let running: StartedTestContainer;
    const started = performance.now();
    try {
      running = await container.start();
      id = running.getId();
    } catch (e) {
      return giveUp(`the container ${name} (image ${image.image}) could not be started: ${e instanceof Error ? e.message : String(e)}`, e);
    }

    // Readiness (RFC 3261 11): OPTIONS until an answer, the container stops, or startTimeoutMs passes
    const readyBy = Date.now() + t.startTimeoutMs;
    let last = "no OPTIONS sent";
    for (;;) {
      const left = readyBy - Date.now();
      if (left <= 0) break;
      const sent = performance.now();
      const probe = await preflightOptions(sip, protocol, domain, Math.min(PROBE_WAIT_MS, left), localHost);
      if (probe.ok) {
        const readyAfterMs = performance.now() - started;
        // ixit.websocket (RFC 7118): the listeners as the profile gives them; the WSS certificate file
        // is a path inside the container, read now that it is ready (its entry point may make one per start)
        const ws = this.profile.ixit.websocket;
        const websocket = ws ? await websocketAccessFromIxit(ws, (file) => readInContainer(running, file)).catch((e: unknown) => giveUp(e instanceof Error ? e.message : String(e), e)) : undefined;
        return {
          description: `container ${name} (image ${image.image}, ${image.how}; host network)${ueAddress ? " (UE under test)" : ""} at ${transports.map((p) => p.toUpperCase()).join("/")} ${sip.host}:${sip.port}, answered OPTIONS ${(readyAfterMs / 1000).toFixed(2)} s after start`,
          pcscf,
          ...(pcscfUri ? { pcscfUri } : {}),
          ...(websocket ? { websocket } : {}),
          containerName: name,
          containerId: id,
          image,
          readyAfterMs,
          logs: (since) => log.text(since),
          down: () => down,
          stop,
        };
      }
      last = probe.detail;
      const state = await containerState(client, name);
      if (!state.running) {
        return giveUp(
          `the container ${name} (image ${image.image}) ${state.detail} before it answered SIP OPTIONS at ${where}; awaited for ${Math.round(performance.now() - started)} ms of ${t.startTimeoutMs} ms`,
        );
      }
      const pause = PROBE_PAUSE_MS - (performance.now() - sent);
      if (pause > 0) await sleep(Math.min(pause, Math.max(0, readyBy - Date.now())));
    }
    return giveUp(
      `the container ${name} (image ${image.image}, host network) did not answer SIP OPTIONS at ${where}: awaited an answer for ${t.startTimeoutMs} ms (target.startTimeoutMs); last probe: ${last}. ` +
        "Host networking needs a Linux engine, or Docker Desktop with host networking enabled (docs/containers.md)",
    );
  }
}

async function removeContainer(client: ContainerRuntimeClient, name: string): Promise<void> {
  try {
    await client.container.getById(name).remove({ force: true, v: true });
  } catch (e) {
    // 404: already gone; 409: a removal is already in progress
    const status = (e as { statusCode?: number }).statusCode;
    if (status !== 404 && status !== 409) throw e;
  }
}

async function containerState(client: ContainerRuntimeClient, name: string): Promise<{ running: boolean; detail: string; finishedAt?: number }> {
  try {
    const s = (await client.container.getById(name).inspect()).State;
    if (s.Running) return { running: true, detail: "is running" };
    const finished = Date.parse(s.FinishedAt);
    return {
      running: false,
      ...(Number.isFinite(finished) && finished > 0 ? { finishedAt: finished } : {}),
      detail: `stopped (${s.Status}, exit code ${s.ExitCode}${s.OOMKilled ? ", killed: out of memory" : ""}${s.Error ? `, ${s.Error}` : ""})`,
    };
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) return { running: false, detail: "was removed" };
    return { running: false, detail: `could not be inspected (${e instanceof Error ? e.message : String(e)})` };
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

/** A text file inside a running container (cat through docker exec). */
async function readInContainer(container: StartedTestContainer, file: string): Promise<string> {
  const r = await container.exec(["cat", file]);
  if (r.exitCode !== 0) throw new Error(`cat ${file} in the container exited with ${r.exitCode}: ${r.output.trim().slice(0, 300)}`);
  return r.stdout;
}

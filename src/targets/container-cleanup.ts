// The containers this process started and has not removed yet. None outlives the harness: on
// SIGINT or SIGTERM they are removed and the signal is raised again to take its default course
// (the process ends with status 130 or 143); at exit any still listed are removed with the docker
// CLI.
import { spawnSync } from "node:child_process";

export interface LiveContainer {
  /** The container's name, unique per start (also accepted by the engine as its id). */
  readonly name: string;
  /** Removes the container (force); resolves also when it is already gone. */
  remove(): Promise<void>;
}

const SIGNALS = ["SIGINT", "SIGTERM"] as const;
type CleanupSignal = (typeof SIGNALS)[number];
/** How long a signal waits for the removals before it takes its course anyway. */
const SIGNAL_CLEANUP_MS = 15_000;

const live = new Map<string, LiveContainer>();
const handlers = new Map<CleanupSignal, () => void>();
let exitHookInstalled = false;
/** The program handles signals itself (the CLI: it writes the reports, then stops every target). */
let signalsLeftToCaller = false;

/** From now on signals are the caller's: no handler here; the exit hook still removes what is left. */
export function leaveSignalsToCaller(): void {
  signalsLeftToCaller = true;
  removeSignalHandlers();
}

/** Names of the containers started and not yet removed, for tests and messages. */
export function liveContainerNames(): string[] {
  return [...live.keys()];
}

/** Lists `c` until `untrackContainer(c.name)`; installs the signal and exit hooks while any is listed. */
export function trackContainer(c: LiveContainer): void {
  live.set(c.name, c);
  installHooks();
}

export function untrackContainer(name: string): void {
  live.delete(name);
  if (live.size === 0) removeSignalHandlers();
}

/** Removes every listed container; never rejects. */
export async function removeLiveContainers(): Promise<void> {
  const all = [...live.values()];
  await Promise.allSettled(
    all.map(async (c) => {
      await c.remove();
      live.delete(c.name);
    }),
  );
}

function installHooks(): void {
  for (const signal of signalsLeftToCaller ? [] : SIGNALS) {
    if (handlers.has(signal)) continue;
    const handler = (): void => void onSignal(signal);
    handlers.set(signal, handler);
    process.on(signal, handler);
  }
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // Last resort when the process ends without stop() (an uncaught error, process.exit()
    // elsewhere): 'exit' handlers must be synchronous, so the docker CLI does it.
    process.on("exit", () => {
      if (live.size === 0) return;
      spawnSync("docker", ["rm", "--force", "--volumes", ...live.keys()], { stdio: "ignore", timeout: 10_000 });
      live.clear();
    });
  }
}

function removeSignalHandlers(): void {
  for (const [signal, handler] of handlers) process.removeListener(signal, handler);
  handlers.clear();
}

async function onSignal(signal: CleanupSignal): Promise<void> {
  const mine = handlers.get(signal);
  const bound = new Promise<void>((done) => setTimeout(done, SIGNAL_CLEANUP_MS).unref());
  await Promise.race([removeLiveContainers(), bound]);
  removeSignalHandlers();
  // The signal is raised again: with no other listener its default action ends the process with
  // status 128 + 2 (SIGINT) or 128 + 15 (SIGTERM), as if no handler had been installed. Listeners
  // that stand back while another one exists (signal-exit, which testcontainers loads) now find
  // themselves alone and re-raise it too; an embedding program's own listener decides for itself.
  if (mine) process.kill(process.pid, signal);
}

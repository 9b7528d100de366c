// A terminal profile's test bed (the harness's network and the UE under test's switch), handed by
// the runner to the Cucumber worker in its own process: the steps drive the network and the upper
// tester directly. Terminal runs are never parallel (one UE under test), so the worker is in process.
import type { TerminalBed } from "../targets/terminal-bed.ts";

const beds = new Map<string, TerminalBed>();

export function handOverTerminalBed(runId: string, bed: TerminalBed): void {
  beds.set(runId, bed);
}

export function releaseTerminalBed(runId: string): void {
  beds.delete(runId);
}

/** The run's terminal bed; undefined for a network profile. */
export function terminalBedOfRun(runId: string): TerminalBed | undefined {
  return beds.get(runId);
}

// The live screen of a load run (issue 17), like SIPp's: elapsed time, the rate of the last full
// second against the target, flows in flight against the slots, totals, the mean delays of the last
// second and the failures by requirement. On a terminal it is redrawn in place; elsewhere (CI logs)
// one compact line every 10 s. Either way stop() prints the final state once.
import type { LoadSecond } from "./metrics.ts";

/** What the screen shows: the run reads it off its recorder and pool. */
export interface LiveState {
  elapsedMs: number;
  started: number;
  passed: number;
  failed: number;
  inFlight: number;
  slots: number;
  /** Flows per second asked for; absent: as fast as the slots free. */
  targetRate?: number;
  /** Failed flows by requirement (or expectation). */
  failures: Readonly<Record<string, number>>;
  /** Per second since the start (LoadRecorder.seriesSoFar). */
  series: readonly LoadSecond[];
  durationMs?: number;
  flowsCap?: number;
}

/** Where the screen goes: process.stdout or process.stderr (NodeJS.WriteStream), or a fake. */
export interface LiveScreenOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** Off a terminal: one compact line this often (ms of the run). */
export const COMPACT_EVERY_MS = 10_000;
/** The most requirements the screen lists. */
const FAILURES_SHOWN = 8;

// Requirement identifiers may carry an SUT's text: control characters shown as escapes
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;
const printable = (text: string): string => text.replace(CONTROL, (c) => (c.charCodeAt(0) <= 0xff ? `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}` : `\\u${c.charCodeAt(0).toString(16)}`));

/** "01:02:03". */
function clock(ms: number): string {
  const s = Math.max(0, Math.floor((Number.isFinite(ms) ? ms : 0) / 1000));
  const two = (n: number): string => String(n).padStart(2, "0");
  return `${two(Math.floor(s / 3600))}:${two(Math.floor((s % 3600) / 60))}:${two(s % 60)}`;
}

/** The last full second of the run (its series index), or undefined in the first second. */
function lastFullSecond(s: LiveState): number | undefined {
  const k = Math.floor(s.elapsedMs / 1000) - 1;
  return k >= 0 ? k : undefined;
}

/** Flows started in the last full second; undefined in the first second. */
function currentRate(s: LiveState): number | undefined {
  const k = lastFullSecond(s);
  return k === undefined ? undefined : (s.series[k]?.started ?? 0);
}

function meanMs(sum: number | undefined, count: number | undefined): string {
  return count ? `${((sum ?? 0) / count).toFixed(1)} ms` : "-";
}

function fit(line: string, width: number): string {
  return line.length > width ? `${line.slice(0, Math.max(1, width - 1))}…` : line;
}

/** The screen, one line per "\n" (no trailing newline), none wider than `width`. */
export function renderLiveScreen(s: LiveState, width = 80): string {
  const w = Math.max(20, Math.floor(width));
  const rate = currentRate(s);
  const last = lastFullSecond(s);
  const second = last === undefined ? undefined : s.series[last];
  const title = " ims-interop load ";
  const dashes = Math.max(0, w - title.length);
  const lines: string[] = [`${"-".repeat(Math.floor(dashes / 2))}${title}${"-".repeat(Math.ceil(dashes / 2))}`];
  const duration = s.durationMs !== undefined && s.durationMs > 0 ? ` / ${clock(s.durationMs)} (${Math.min(100, Math.floor((100 * s.elapsedMs) / s.durationMs))} %)` : "";
  lines.push(`  elapsed   ${clock(s.elapsedMs)}${duration}`);
  lines.push(`  rate      ${rate === undefined ? "-" : rate} flows/s (last second)   target ${s.targetRate !== undefined ? `${s.targetRate} flows/s` : "none (as fast as slots free)"}`);
  lines.push(`  in flight ${s.inFlight} / ${s.slots} slots`);
  lines.push(`  flows     ${s.started} started${s.flowsCap !== undefined ? ` of ${s.flowsCap}` : ""}   ${s.passed} passed   ${s.failed} failed`);
  lines.push(`  delays    last second: SRD mean ${meanMs(second?.srdSum, second?.srdCount)}   RRD mean ${meanMs(second?.rrdSum, second?.rrdCount)}`);
  const failures = Object.entries(s.failures)
    .filter(([, n]) => n > 0)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  if (failures.length === 0) lines.push(`  failures  none`);
  else {
    lines.push(`  failures by requirement:`);
    const digits = String(failures[0][1]).length;
    for (const [id, n] of failures.slice(0, FAILURES_SHOWN)) lines.push(`    ${String(n).padStart(digits)}  ${printable(id)}`);
    if (failures.length > FAILURES_SHOWN) lines.push(`    ... and ${failures.length - FAILURES_SHOWN} more requirement(s)`);
  }
  return lines.map((l) => fit(l, w)).join("\n");
}

/** The line printed every 10 s off a terminal. */
export function compactLiveLine(s: LiveState): string {
  const rate = currentRate(s);
  const target = s.targetRate !== undefined ? ` (target ${s.targetRate})` : "";
  return `load ${clock(s.elapsedMs)}: ${s.started} started, ${s.passed} passed, ${s.failed} failed, ${s.inFlight}/${s.slots} in flight, ${rate ?? "-"} flows/s${target}`;
}

/**
 * Shows the screen while a load runs: on a terminal redrawn every `intervalMs` in place; otherwise
 * a compact line each time the run's elapsed time passes another 10 s. The timer does not keep the
 * process alive. stop() clears it and prints the final state once (later calls do nothing).
 */
export function startLiveScreen(probe: () => LiveState, out: LiveScreenOutput, intervalMs = 1000): { stop(): void } {
  const tty = out.isTTY === true;
  // a line as wide as the terminal would wrap, and then the cursor-up would miss the first line
  const width = (): number => (tty ? Math.max(20, (out.columns || 80) - 1) : 80);
  let drawn = 0;
  let nextLineAt = COMPACT_EVERY_MS;
  let stopped = false;
  const read = (): LiveState | undefined => {
    try {
      return probe();
    } catch {
      return undefined; // a probe that fails must not end the run
    }
  };
  const draw = (s: LiveState): void => {
    const text = renderLiveScreen(s, width());
    // up to the screen's first line, clear to the end, draw
    out.write(`${drawn > 0 ? `\x1b[${drawn}A` : ""}\r\x1b[0J${text}\n`);
    drawn = text.split("\n").length;
  };
  const tick = (): void => {
    const s = read();
    if (!s) return;
    if (tty) draw(s);
    else if (s.elapsedMs >= nextLineAt) {
      out.write(`${compactLiveLine(s)}\n`);
      nextLineAt = (Math.floor(s.elapsedMs / COMPACT_EVERY_MS) + 1) * COMPACT_EVERY_MS;
    }
  };
  if (tty) tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    stop(): void {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      const s = read();
      if (!s) return;
      if (tty) draw(s);
      else out.write(`${renderLiveScreen(s, width())}\n`);
    },
  };
}

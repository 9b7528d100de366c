// Deadlines for the media layer's waits. The media layer imports nothing of the project, so a
// deadline is either an absolute time in ms or any object with `at` and `budget` (the SIP
// layer's Deadline is one); a wait that runs out names the budget, and its parts match the
// project's failure format (Expected / Received / Timeout / Clause).

/** An absolute time in ms on the project's clock (performance.timeOrigin + performance.now()), or a named budget. */
export type MediaDeadline = number | { readonly at: number; readonly budget: string };

/** The clock deadlines are read on: Unix-epoch-like milliseconds, monotonic. */
export function mediaNow(): number {
  return performance.timeOrigin + performance.now();
}

/** The same parts as the SIP layer's FailureParts, so that a caller can report them as its own. */
export interface MediaFailureParts {
  readonly expected: string;
  readonly received: readonly string[];
  readonly timeout?: { readonly ms: number; readonly budget: string };
  readonly clause?: string;
}

/** A media wait that reached its deadline. */
export class MediaTimeoutError extends Error {
  readonly budget: string;
  readonly waitedMs: number;

  constructor(readonly parts: MediaFailureParts & { readonly timeout: { readonly ms: number; readonly budget: string } }) {
    super(formatParts(parts));
    this.name = "TimeoutError";
    this.budget = parts.timeout.budget;
    this.waitedMs = parts.timeout.ms;
  }
}

export function deadlineAt(deadline: MediaDeadline): { at: number; budget: string } {
  if (typeof deadline === "number") return { at: deadline, budget: "media wait" };
  return { at: deadline.at, budget: deadline.budget };
}

export function formatParts(p: MediaFailureParts): string {
  const lines = [`Expected: ${p.expected}`];
  if (p.received.length === 0) lines.push("Received: nothing");
  else {
    lines.push(`Received: ${p.received[0]}`);
    for (const r of p.received.slice(1)) lines.push(`          ${r}`);
  }
  if (p.timeout) lines.push(`Timeout:  ${p.timeout.ms >= 1000 ? `${(p.timeout.ms / 1000).toFixed(1)} s` : `${Math.round(p.timeout.ms)} ms`} (${p.timeout.budget})`);
  if (p.clause) lines.push(`Clause:   ${p.clause}`);
  return lines.join("\n");
}

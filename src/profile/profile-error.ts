// What is wrong with a profile: every problem found, each with its file, line and dotted field path.
import { PROFILE_LIMITS } from "./limits.ts";

export interface ProfileProblem {
  readonly file: string;
  /** 1-based line of the offending node (or of the mapping that lacks a field); absent when unknown. */
  readonly line?: number;
  /** Dotted path of the field, e.g. "ixit.subscribers[1].auth.kEnv"; "(yaml)" or "(profile)" for the whole file. */
  readonly field: string;
  /** What was expected and what was found. Never holds a secret value. */
  readonly message: string;
}

/** One line: `profiles/x.yaml:12: ixit.transports[1]: expected one of udp, tcp, tls, ws, wss; found "sctp"`. */
export function formatProblem(p: ProfileProblem): string {
  const where = p.line === undefined ? p.file : `${p.file}:${p.line}`;
  return `${where}: ${p.field}: ${p.message}`;
}

/** Problems in document order (stable; problems without a line come last). */
export function sortProblems(problems: readonly ProfileProblem[]): ProfileProblem[] {
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => (a.p.line ?? Number.MAX_SAFE_INTEGER) - (b.p.line ?? Number.MAX_SAFE_INTEGER) || a.i - b.i)
    .map((x) => x.p);
}

/** Thrown by loadProfile: holds every problem found, not just the first. */
export class ProfileError extends Error {
  override readonly name = "ProfileError";
  readonly problems: readonly ProfileProblem[];

  constructor(problems: readonly ProfileProblem[], options?: { cause?: unknown }) {
    const sorted = sortProblems(problems);
    const file = sorted[0]?.file ?? "profile";
    const count = sorted.length === 1 ? "1 problem" : `${sorted.length} problems`;
    super(`invalid profile ${file} (${count}):\n${formatShown(sorted)}`, options);
    this.problems = sorted;
  }

  /**
   * One line per problem, in document order: what the CLI prints before it exits with status 2. At
   * most PROFILE_LIMITS.problemsShown lines, then one line counting the rest (issue 10, gap 4).
   */
  format(): string {
    return formatShown(this.problems);
  }
}

function formatShown(problems: readonly ProfileProblem[]): string {
  const max = PROFILE_LIMITS.problemsShown;
  const shown = problems.slice(0, max).map(formatProblem);
  if (problems.length > max) shown.push(`${problems[0].file}: ... and ${problems.length - max} more problems (the first ${max} are shown)`);
  return shown.join("\n");
}

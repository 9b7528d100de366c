// What `ims-interop run` prints: one line per test case as it finishes (on a terminal, a progress
// line while one runs), then a compact summary: the counts, the test cases that did not pass one
// line each (a reason shared by several printed once), and the gate.
// Every text goes through escapeControlCharacters first: a reason quotes the SUT's bytes, and an
// escape sequence in them must not reach the terminal (issue 10, gap 4).
import { type GateVerdict, cutAtWord } from "../report/certification-summary.ts";
import { escapeControlCharacters, escapeControlCharactersInSipText } from "../report/control-characters.ts";
import type { RunResult, TestCase, TestCaseResult } from "../runner/index.ts";
import type { Verdict } from "../runner/verdict.ts";

const MARK: Record<Verdict, string> = { pass: "pass", fail: "FAIL", inconclusive: "INCONC", "not-applicable": "n/a", error: "ERROR" };

/** How much of a reason's first line the summary shows, and of a known deviation. */
const REASON_WIDTH = 90;
const DEVIATION_WIDTH = 60;

/** A single line: line feeds shown as \n too, so a name cannot start a line of its own. */
function oneLine(text: string): string {
  return escapeControlCharacters(text).replace(/\n/g, "\\n");
}

/** The first line of a reason, escaped (a SIP message's CRLF is a line end). */
function firstLine(reason: string | undefined): string {
  return escapeControlCharacters((reason ?? "").split(/\r?\n/)[0]);
}

/** " (known deviation: ...)" on one line, cut at a word boundary; "" when none is declared. */
export function deviationNote(deviation: string | undefined): string {
  if (deviation === undefined) return "";
  return ` (known deviation: ${cutAtWord(oneLine(deviation.replace(/\s*\n\s*/g, " ").trim()), DEVIATION_WIDTH)})`;
}

/** The live line of a finished test case: verdict, id, name, duration, a declared deviation, then for any verdict but pass the first lines of the reason. */
export function progressLine(r: TestCaseResult, deviation: string | undefined = r.knownDeviation): string {
  const secs = r.durationMs > 0 ? ` (${(r.durationMs / 1000).toFixed(2)} s)` : "";
  // The reason keeps its lines (a SIP message's CRLF read as line ends); a bare CR is escaped
  const reason = escapeControlCharactersInSipText(r.reason ?? "");
  const why =
    r.verdict === "pass"
      ? ""
      : `\n      ${reason
          .split("\n")
          .slice(0, r.verdict === "not-applicable" ? 1 : 4)
          .join("\n      ")}`;
  return `${verdictLine(r, secs)}${deviationNote(deviation)}${why}`;
}

function verdictLine(r: TestCaseResult, secs = ""): string {
  return `  ${MARK[r.verdict].padEnd(6)} ${oneLine(r.testCase.id).padEnd(13)} ${oneLine(r.testCase.name)}${secs}`;
}

/** The heading of the summary: how many test cases against what, and the counts. */
export function summaryLines(run: RunResult): string[] {
  const c = run.counts;
  const total = run.results.length;
  return [
    "",
    `${total} test cases against ${oneLine(run.sut)} (profile ${oneLine(run.profile.name)}) in ${(run.durationMs / 1000).toFixed(1)} s:`,
    `  ${c.pass} pass, ${c.fail} fail, ${c.inconclusive} inconclusive, ${c["not-applicable"]} not applicable, ${c.error} error`,
  ];
}

/**
 * The test cases that did not pass (not applicable aside: listed as they were found), one line each:
 * verdict, id, the first line of the reason cut at a word boundary, a declared deviation. Test
 * cases with the same verdict and reason share one line ("ERROR  25 test cases: the SUT is
 * unreachable: ..."), the reason in full when they are every applicable test case.
 */
export function notPassedLines(run: RunResult): string[] {
  const applicable = run.results.filter((r) => r.verdict !== "not-applicable");
  const shown = applicable.filter((r) => r.verdict !== "pass");
  const groups = new Map<string, TestCaseResult[]>();
  for (const r of shown) {
    // A declared deviation is said per test case: such a test case is never folded into a group
    const key = r.knownDeviation === undefined ? `${r.verdict}\n${r.reason ?? ""}` : `${r.testCase.id}\n`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const lines: string[] = [];
  for (const group of groups.values()) {
    const r = group[0];
    if (group.length === 1) {
      lines.push(`  ${MARK[r.verdict].padEnd(6)} ${oneLine(r.testCase.id).padEnd(13)} ${cutAtWord(firstLine(r.reason), REASON_WIDTH)}${deviationNote(r.knownDeviation)}`);
    } else if (group.length === applicable.length) {
      lines.push(`  ${MARK[r.verdict].padEnd(6)} ${group.length} test cases: ${firstLine(r.reason)}`);
    } else {
      lines.push(`  ${MARK[r.verdict].padEnd(6)} ${group.length} test cases: ${cutAtWord(firstLine(r.reason), REASON_WIDTH)}`);
      lines.push(`         ${group.map((g) => oneLine(g.testCase.id)).join(", ")}`);
    }
  }
  return lines;
}

/** "gate: passed", or "gate: FAILED" and its reasons, those naming test cases one line per verdict. */
export function gateLines(gateVerdict: GateVerdict): string[] {
  if (gateVerdict.passed) return ["gate: passed (every applicable mandatory test case passed)"];
  const lines: string[] = [];
  const byVerdict = new Map<string, string[]>();
  for (const reason of gateVerdict.reasons) {
    const m = /^mandatory (\S+) is (\S+)$/.exec(reason);
    if (!m) {
      lines.push(reason);
      continue;
    }
    if (!byVerdict.has(m[2])) lines.push(`\0${m[2]}`);
    byVerdict.set(m[2], [...(byVerdict.get(m[2]) ?? []), m[1]]);
  }
  const out = lines.map((l) => {
    if (!l.startsWith("\0")) return oneLine(l);
    const verdict = l.slice(1);
    const ids = byVerdict.get(verdict)!;
    if (ids.length === 1) return `mandatory ${ids[0]} is ${verdict}`;
    if (ids.length <= 3) return `mandatory ${ids.join(", ")} are ${verdict}`;
    return `${ids.length} mandatory test cases are ${verdict}: ${ids.slice(0, 3).join(", ")} and ${ids.length - 3} more`;
  });
  return ["gate: FAILED", ...out.map((l) => `  ${l}`)];
}

/** Where live output goes: a stream, with isTTY and columns when it is a terminal. */
export interface LiveStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

const CLEAR_LINE = "\r\x1b[2K";

/**
 * The live part of `run`: a verdict line per finished test case (the reason's lines under it; a
 * reason the previous one had is not repeated), and on a terminal only, a progress line
 * "[12/25] running IMS-CALL-004 Caller cancels before answer" rewritten in place while a test case
 * runs and erased before each verdict line. A test case that ended in error without starting (an
 * unreachable SUT, an interrupted run) is left to the summary, where a shared reason is said once.
 */
export class LiveOutput {
  private readonly running = new Map<string, { testCase: TestCase; index: number }>();
  private started = 0;
  private drawn = false;
  private last: { key: string; id: string } | undefined;

  constructor(
    private readonly out: LiveStream,
    /** The applicable test cases: the n of [i/n]. */
    private readonly total: number,
    /** The profile's knownDeviations: test case id -> reason. */
    private readonly deviations: Readonly<Record<string, string>> = {},
  ) {}

  /** A test case starts. */
  start(testCase: TestCase): void {
    this.started++;
    this.running.set(testCase.id, { testCase, index: this.started });
    this.draw();
  }

  /** A test case has its verdict. */
  result(r: TestCaseResult): void {
    const wasRunning = this.running.delete(r.testCase.id);
    if (r.verdict === "error" && !wasRunning) return;
    this.clear();
    const deviation = r.knownDeviation ?? this.deviations[r.testCase.id];
    const key = `${r.verdict}\n${r.reason ?? ""}`;
    if (r.verdict !== "pass" && r.verdict !== "not-applicable" && this.last?.key === key) {
      this.out.write(`${progressLine({ ...r, reason: "" }, deviation).split("\n")[0]}, same reason as ${oneLine(this.last.id)}\n`);
    } else {
      this.out.write(`${progressLine(r, deviation)}\n`);
      if (r.verdict !== "pass" && r.verdict !== "not-applicable") this.last = { key, id: r.testCase.id };
    }
    this.draw();
  }

  /** Erases the progress line (before other output: the summary, a signal's message). */
  clear(): void {
    if (!this.drawn) return;
    this.out.write(CLEAR_LINE);
    this.drawn = false;
  }

  /** The progress line of the test case started last among those running; only on a terminal. */
  private draw(): void {
    if (!this.out.isTTY) return;
    const now = [...this.running.values()].at(-1);
    if (!now) return this.clear();
    const text = `[${now.index}/${this.total}] running ${oneLine(now.testCase.id)} ${oneLine(now.testCase.name)}`;
    // Never wider than the terminal: a wrapped line cannot be rewritten in place
    const width = Math.max(20, (this.out.columns || 80) - 1);
    this.out.write(`${CLEAR_LINE}${text.length > width ? `${text.slice(0, width - 1)}…` : text}`);
    this.drawn = true;
  }
}

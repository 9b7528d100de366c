// Which messages of a test case's trace made it fail, for the ladder to mark them (LadderMark):
// - every requirement violation whose message the monitor identified (Violation.seq, the trace
//   entry it followed: src/conformance/monitor.ts), labelled with the requirement id;
// - a failed expectation (ExpectationError: "Expected: ... / Received: <message>") whose Received is
//   a message of the trace: the newest received entry whose summary is that line, exactly as the
//   failure formatter wrote it (describeMessageInDetail or summarizeMessage of the parsed entry).
import type { Violation } from "../conformance/violation.ts";
import { describeMessageInDetail, summarizeMessage } from "../sip/failure.ts";
import { parseMessage } from "../sip/message/index.ts";
import type { TraceEntry } from "../sip/transport/trace.ts";
import type { LadderMark } from "./ladder-svg.ts";

/** The label of a failed expectation's message, beside its arrow. */
export const EXPECTATION_MARK = "expectation failed";

export function violationMarks(violations: readonly Violation[]): LadderMark[] {
  return violations
    .filter((v) => v.seq !== undefined)
    .map((v) => ({
      seq: v.seq!,
      label: v.requirement.id,
      detail: `Requirement ${v.requirement.id} (${v.requirement.clause}): ${v.requirement.statement}\nExpected: ${v.finding.expected}\nReceived: ${v.finding.received}`,
    }));
}

/**
 * The message a failed expectation names as Received, if it is one of the received entries; the
 * newest of them when the same summary arrived twice (a retransmission).
 */
export function expectationMark(entries: readonly TraceEntry[], failure: string): LadderMark | undefined {
  // A requirement violation names its message itself (violationMarks); "Received: nothing" names none
  if (/^(?:\w+: )?Requirement: /.test(failure)) return undefined;
  const received = /^(?:\w+: )?Received: (.+)$/m.exec(failure)?.[1]?.trim();
  if (!received || received === "nothing") return undefined;
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i];
    if (e.direction !== "received") continue;
    const parsed = parseMessage(e.bytes);
    if (!parsed.ok) continue;
    let summaries: string[];
    try {
      summaries = [describeMessageInDetail(parsed.message), summarizeMessage(parsed.message)];
    } catch {
      continue;
    }
    if (!summaries.includes(received)) continue;
    const expected = /^(?:\w+: )?Expected: (.+)$/m.exec(failure)?.[1]?.trim();
    const clause = /^Clause: +(.+)$/m.exec(failure)?.[1]?.trim();
    return {
      seq: e.seq,
      label: clause ? `${EXPECTATION_MARK} (${clause})` : EXPECTATION_MARK,
      detail: [expected ? `Expected: ${expected}` : undefined, `Received: ${received}`, clause ? `Clause: ${clause}` : undefined].filter((x) => x !== undefined).join("\n"),
    };
  }
  return undefined;
}

/** Every mark of a failed test case: its violations, or else the message its failed expectation received. */
export function failureMarks(entries: readonly TraceEntry[], violations: readonly Violation[], failure: string | undefined): LadderMark[] {
  const marks = violationMarks(violations).filter((m) => entries.some((e) => e.seq === m.seq));
  if (marks.length > 0 || !failure) return marks;
  const m = expectationMark(entries, failure);
  return m ? [m] : [];
}

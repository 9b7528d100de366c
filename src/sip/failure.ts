// The one failure formatter of the driver: what was expected, what arrived, the timeout if any,
// the clause that says so, then the call log. Steps and reports print these messages as they are.
import { type SipMessage, headerKey } from "./message/index.ts";

export interface FailureParts {
  /** The requirement violated, when the failure is one: its id and the normative statement. */
  readonly requirement?: { readonly id: string; readonly statement: string };
  /** What the test waited for, e.g. "200 (REGISTER) carrying Service-Route". */
  readonly expected: string;
  /** What arrived instead, summarised; empty when nothing arrived. */
  readonly received: readonly string[];
  /** Set when the wait ended at its deadline. */
  readonly timeout?: { readonly ms: number; readonly budget: string };
  /** The specification clause the expectation comes from, e.g. "TS 24.229 5.1.1.2". */
  readonly clause?: string;
  /** Recent messages of the test case, one summary line each. */
  readonly callLog?: readonly string[];
}

export class ExpectationError extends Error {
  constructor(readonly parts: FailureParts) {
    super(formatFailure(parts));
    this.name = parts.timeout ? "TimeoutError" : "ExpectationError";
  }
}

export function formatFailure(p: FailureParts): string {
  const lines = p.requirement ? [`Requirement: ${p.requirement.id}: ${p.requirement.statement}`] : [];
  lines.push(`Expected: ${p.expected}`);
  if (p.received.length === 0) lines.push("Received: nothing");
  else {
    lines.push(`Received: ${p.received[0]}`);
    for (const r of p.received.slice(1)) lines.push(`          ${r}`);
  }
  if (p.timeout) lines.push(`Timeout:  ${formatMs(p.timeout.ms)} (${p.timeout.budget})`);
  if (p.clause) lines.push(`Clause:   ${p.clause}`);
  if (p.callLog && p.callLog.length > 0) {
    lines.push("Call log:");
    for (const l of p.callLog) lines.push(`  ${l}`);
  }
  return lines.join("\n");
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s` : `${Math.round(ms)} ms`;
}

const SUMMARY_HEADERS = [
  "from",
  "to",
  "call-id",
  "cseq",
  "contact",
  "require",
  "supported",
  "rseq",
  "rack",
  "event",
  "subscription-state",
  "service-route",
  "p-associated-uri",
  "p-asserted-identity",
  "www-authenticate",
  "security-server",
  "expires",
  "content-type",
];

/**
 * Start line and the headers an engineer looks at first, each spelled as the sender wrote it (a
 * compact form stays compact); secrets never appear in SIP headers we keep.
 */
export function summarizeMessage(m: SipMessage, headers: readonly string[] = ["cseq", "call-id"]): string {
  const parts = [m.startLine()];
  for (const name of headers) {
    const key = headerKey(name);
    const h = m.headers.find((x) => x.key === key);
    if (h !== undefined) parts.push(`${h.name}: ${h.value}`);
  }
  return parts.join(" | ");
}

export function describeMessageInDetail(m: SipMessage): string {
  return summarizeMessage(m, SUMMARY_HEADERS);
}

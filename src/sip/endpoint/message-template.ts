// Templates for `expect`: what a received message must look like, and how to say so in a report.
import { type SipMessage, isRequest } from "../message/index.ts";

export type HeaderCondition = string | RegExp | boolean | ((value: string | undefined) => boolean);

export interface MessageTemplate {
  /** A request with this method. */
  readonly method?: string;
  /** A response with this status, one of these, or a class like "2xx". */
  readonly status?: number | readonly number[] | `${1 | 2 | 3 | 4 | 5 | 6}xx`;
  /** The CSeq method (for responses: the request they answer). */
  readonly cseqMethod?: string;
  /** Header conditions: a string equals the first value, a RegExp tests it, true/false requires presence/absence. */
  readonly headers?: Readonly<Record<string, HeaderCondition>>;
  readonly callId?: string;
  readonly body?: RegExp;
  readonly where?: (m: SipMessage) => boolean;
  /** Words for the report, replacing the generated description. */
  readonly description?: string;
  /** Specification clause cited when the expectation fails. */
  readonly clause?: string;
}

export function matchesTemplate(m: SipMessage, t: MessageTemplate): boolean {
  if (t.method !== undefined && (!isRequest(m) || m.method !== t.method)) return false;
  if (t.status !== undefined) {
    if (isRequest(m)) return false;
    if (typeof t.status === "number" && m.status !== t.status) return false;
    if (Array.isArray(t.status) && !t.status.includes(m.status)) return false;
    if (typeof t.status === "string" && Math.floor(m.status / 100) !== Number(t.status[0])) return false;
  }
  try {
    if (t.callId !== undefined && m.callId !== t.callId) return false;
    if (t.cseqMethod !== undefined && m.cseq.method !== t.cseqMethod) return false;
  } catch {
    return false;
  }
  if (t.headers) {
    for (const [name, cond] of Object.entries(t.headers)) if (!headerMatches(m.header(name), cond)) return false;
  }
  if (t.body && !t.body.test(m.bodyText)) return false;
  if (t.where) {
    try {
      if (!t.where(m)) return false;
    } catch {
      return false;
    }
  }
  return true;
}

function headerMatches(value: string | undefined, cond: HeaderCondition): boolean {
  if (typeof cond === "boolean") return (value !== undefined) === cond;
  if (typeof cond === "function") return cond(value);
  if (value === undefined) return false;
  return typeof cond === "string" ? value === cond : cond.test(value);
}

export function describeTemplate(t: MessageTemplate): string {
  if (t.description) return t.description;
  let s = t.method ?? (t.status !== undefined ? `${Array.isArray(t.status) ? t.status.join(" or ") : String(t.status)} response` : "any message");
  if (t.cseqMethod) s += ` to ${t.cseqMethod}`;
  const conds = Object.entries(t.headers ?? {}).map(([n, c]) =>
    c === true ? `with ${n}` : c === false ? `without ${n}` : typeof c === "function" ? `with a matching ${n}` : `with ${n} ${c instanceof RegExp ? `matching ${c}` : `"${c}"`}`,
  );
  if (t.body) conds.push(`body matching ${t.body}`);
  if (conds.length) s += ` ${conds.join(", ")}`;
  return s;
}

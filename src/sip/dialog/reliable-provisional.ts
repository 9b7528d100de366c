// RFC 3262: reliable provisional responses. RSeq numbering on the UAS side, RAck and in-order
// acceptance on the UAC side.
import type { SipResponse } from "../message/index.ts";

export interface RSeqCheck {
  readonly verdict: "new" | "retransmission" | "out-of-order" | "missing-rseq";
  readonly rseq?: number;
}

/** RFC 3262 4: the UAC accepts a reliable 1xx whose RSeq is one higher than the last, per dialog. */
export function checkRSeq(lastRSeq: number | undefined, response: SipResponse): RSeqCheck {
  const v = response.header("rseq");
  if (v === undefined || !/^\d{1,10}$/.test(v)) return { verdict: "missing-rseq" };
  const rseq = Number(v);
  if (lastRSeq === undefined) return { verdict: "new", rseq };
  if (rseq <= lastRSeq) return { verdict: "retransmission", rseq };
  if (rseq === lastRSeq + 1) return { verdict: "new", rseq };
  return { verdict: "out-of-order", rseq };
}

/** RFC 3262 7.2: RAck = response-num CSeq-num Method. */
export function rackValue(response: SipResponse): string {
  const cseq = response.cseq;
  return `${response.header("rseq")} ${cseq.seq} ${cseq.method}`;
}

export function isReliableProvisional(response: SipResponse): boolean {
  return response.status > 100 && response.status < 200 && response.optionTags("require").includes("100rel");
}

export function parseRAck(value: string | undefined): { rseq: number; cseq: number; method: string } | undefined {
  const m = value === undefined ? null : /^\s*(\d{1,10})\s+(\d{1,10})\s+(\S+)\s*$/.exec(value);
  return m ? { rseq: Number(m[1]), cseq: Number(m[2]), method: m[3] } : undefined;
}

/** RFC 3262 3: the first RSeq is chosen between 1 and 2**31-1; later ones increment by one. */
export class RSeqCounter {
  private next: number;
  constructor(start = 1 + Math.floor(Math.random() * 1000)) {
    this.next = start;
  }
  take(): number {
    return this.next++;
  }
}

// A party the harness does not drive through its own endpoint (a browser running sip.js) is judged
// from its trace instead: every message it receives is parsed and handed to the monitor with the
// request a response answers (matched by the top Via branch and the CSeq method of what it sent,
// RFC 3261 17.1.3), exactly as the endpoint's observer hands over a simulated UE's messages.
import { type SipMessage, type SipRequest, parseMessage } from "../sip/message/index.ts";
import { responseKey } from "../sip/transaction/index.ts";
import type { TraceEntry, TraceSink } from "../sip/transport/trace.ts";
import type { ConformanceMonitor } from "./monitor.ts";
import type { UeFacts } from "./requirement.ts";
import { safe } from "./safe-read.ts";

/** How many requests a party's trace keeps for matching responses. */
const KEPT_REQUESTS = 200;

/** A trace sink that records into `trace` and judges what the party received; `facts` names the party. */
export function judgingTrace(trace: TraceSink, monitor: ConformanceMonitor, facts: UeFacts): TraceSink {
  const requests = new Map<string, SipRequest>();
  // RFC 3261 17.1.3: the same key for a request sent and the responses that answer it
  const key = (m: SipMessage): string | undefined => safe(() => responseKey(m));
  return {
    record(entry: Omit<TraceEntry, "seq">): void {
      trace.record(entry);
      if (entry.note?.startsWith("keep-alive")) return;
      const parsed = parseMessage(entry.bytes);
      const source = { protocol: entry.protocol, host: entry.remote.host, port: entry.remote.port };
      if (!parsed.ok) {
        if (entry.direction === "received") monitor.problem(facts, { kind: "unparsable", description: `${parsed.error.reason} (line ${parsed.error.line})`, source, at: entry.time });
        return;
      }
      const m = parsed.message;
      if (entry.direction === "sent") {
        const k = m.kind === "request" ? key(m) : undefined;
        if (k) {
          requests.set(k, m as SipRequest);
          if (requests.size > KEPT_REQUESTS) requests.delete(requests.keys().next().value as string);
        }
        return;
      }
      const k = m.kind === "response" ? key(m) : undefined;
      const request = k ? requests.get(k) : undefined;
      monitor.received(facts, { message: m, source, at: entry.time, retransmission: false, ...(request ? { request } : {}) });
    },
  };
}

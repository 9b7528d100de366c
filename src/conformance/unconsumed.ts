// At the end of a test case, what a UE received and nobody consumed is judged: a response that
// matched none of its transactions or dialogs, a request its flow did not cause.
import { summarizeMessage } from "../sip/failure.ts";
import type { SipMessage } from "../sip/message/index.ts";
import { requirement } from "./catalogue.ts";
import type { ConformanceMonitor } from "./monitor.ts";

/** What is left with a UE at the end: its inbox and the calls and MESSAGEs no step took. */
export interface LeftOver {
  readonly name: string;
  readonly endpoint: { readonly inbox: { unconsumed(): readonly { readonly message: SipMessage }[] } };
  readonly incomingCalls: { pending(): readonly { readonly invite: SipMessage }[] };
  readonly messages: { pending(): readonly { readonly message: SipMessage }[] };
}

export function judgeUnconsumed(monitor: ConformanceMonitor, ues: Iterable<LeftOver>): void {
  for (const ue of ues) {
    // Checked for every UE, whether or not anything was left
    monitor.record(requirement("response.matches-transaction"), undefined, ue.name, "end of the test case");
    monitor.record(requirement("request.expected"), undefined, ue.name, "end of the test case");
    const left = [...ue.endpoint.inbox.unconsumed().map((r) => r.message), ...ue.incomingCalls.pending().map((c) => c.invite), ...ue.messages.pending().map((r) => r.message)];
    for (const m of left) {
      const summary = summarizeMessage(m, ["cseq", "call-id", "from", "to"]);
      if (m.kind === "response") {
        monitor.record(requirement("response.matches-transaction"), { expected: `no response that matches none of ${ue.name}'s transactions or dialogs`, received: summary }, ue.name, summary, m);
      } else {
        monitor.record(requirement("request.expected"), { expected: `no request to ${ue.name} that the test case's flow did not cause`, received: summary }, ue.name, summary, m);
      }
    }
  }
}

// RFC 6076's samples read from a flow's trace (issue 17): the same trace the conformance evidence is
// drawn from, so that a load run needs no instrumentation of the driver. A request the flow's UEs
// sent is matched with the responses they received for it (Call-ID, CSeq number and method).
import { parseMessage, type SipMessage } from "../sip/message/index.ts";
import type { TraceEntry } from "../sip/transport/trace.ts";
import type { LoadRecorder, SessionSample } from "./metrics.ts";

interface Timed {
  readonly at: number;
  readonly message: SipMessage;
}

function key(m: SipMessage): string {
  return `${m.callId} ${m.cseq.seq} ${m.cseq.method}`;
}

/** Records the flow's registrations (RFC 6076 4.1, 4.2) and sessions (4.3 to 4.9) into `recorder`. */
export function recordTrace(recorder: LoadRecorder, entries: readonly TraceEntry[]): void {
  const sent: Timed[] = [];
  const sentKeys = new Set<string>();
  const responses = new Map<string, Timed[]>();
  for (const e of entries) {
    const parsed = parseMessage(e.bytes);
    if (!parsed.ok) continue;
    const m = parsed.message;
    let k: string;
    try {
      k = key(m);
    } catch {
      continue; // a message without a readable CSeq or Call-ID counts for nothing here (the requirements judged it)
    }
    // A retransmission (RFC 3261 17.1.1.2, 17.1.2.2) is the same request: the first sending counts (RFC 6076 delays run from it)
    if (e.direction === "sent" && m.kind === "request" && !sentKeys.has(k)) {
      sentKeys.add(k);
      sent.push({ at: e.time, message: m });
    } else if (e.direction === "received" && m.kind === "response") responses.set(k, [...(responses.get(k) ?? []), { at: e.time, message: m }]);
  }
  const finalOf = (r: Timed): Timed | undefined => (responses.get(key(r.message)) ?? []).find((x) => x.message.kind === "response" && x.message.status >= 200);
  const statusOf = (t: Timed | undefined): number | undefined => (t?.message.kind === "response" ? t.message.status : undefined);

  // RFC 6076 4.1: from the first REGISTER of a registration (its Call-ID) to its final response other than a challenge.
  // A de-registration (Expires 0, RFC 3261 10.2.2) and a query (no Contact, 10.2.3) register nothing:
  // a flow that found its UEs registered and de-registered them counts no registration attempt
  const registrations = new Map<string, Timed[]>();
  for (const r of sent.filter((x) => x.message.kind === "request" && x.message.method === "REGISTER" && registers(x.message)))
    registrations.set(r.message.callId, [...(registrations.get(r.message.callId) ?? []), r]);
  for (const attempts of registrations.values()) {
    const first = attempts[0];
    const finals = attempts.map(finalOf).filter((x): x is Timed => x !== undefined && statusOf(x) !== 401 && statusOf(x) !== 407);
    const end = finals[0];
    recorder.registration({ sentAt: first.at, ...(end ? { endedAt: end.at, status: statusOf(end)! } : {}) });
  }

  // RFC 6076 4.3 to 4.9: each initial INVITE (no To tag) a UE sent, with the BYE of its call
  for (const invite of sent.filter((x) => x.message.kind === "request" && x.message.method === "INVITE" && x.message.toTag === undefined)) {
    const got = responses.get(key(invite.message)) ?? [];
    const first = got.find((x) => statusOf(x) !== 100);
    const final = finalOf(invite);
    const status = statusOf(final);
    const bye = sent.find((x) => x.message.kind === "request" && x.message.method === "BYE" && x.message.callId === invite.message.callId);
    const byeFinal = bye ? finalOf(bye) : undefined;
    const sample: SessionSample = {
      inviteAt: invite.at,
      ...(first ? { firstResponseAt: first.at } : {}),
      ...(status !== undefined ? { finalStatus: status } : {}),
      ...(status === 200 && final ? { answeredAt: final.at } : {}),
      ...(bye ? { byeAt: bye.at } : {}),
      ...(byeFinal ? { byeAnsweredAt: byeFinal.at, byeStatus: statusOf(byeFinal)! } : {}),
    };
    recorder.session(sample);
  }
}

/** A REGISTER that adds or refreshes a binding: a Contact, and not every expiry 0. */
function registers(m: SipMessage): boolean {
  const contact = m.header("contact");
  if (contact === undefined || contact.trim() === "*") return false;
  const expiries = [...contact.matchAll(/;\s*expires\s*=\s*(\d+)/gi)].map((x) => Number(x[1]));
  if (expiries.length > 0) return expiries.some((e) => e > 0);
  return m.expires !== 0;
}

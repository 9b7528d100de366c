// Requirements for IMS-MSG-002, SMS over IP (TS 24.341, TS 24.011, TS 23.040), on what the network
// sends a simulated UE: the 202 to a MESSAGE carrying an RP message, the RP message of a MESSAGE
// to the UE, its TPDU, and the message reference of a report.
import type { SipMessage } from "../../sip/message/index.ts";
import { type RpMessage, SMS_CONTENT_TYPE, decodeRp, describeRp } from "../../sms/index.ts";
import type { Finding, Observation, Requirement } from "../requirement.ts";

/** TS 24.341 5.3: the message carries an RP message (Content-Type application/vnd.3gpp.sms). */
function carriesSms(m: SipMessage): boolean {
  return (m.header("content-type") ?? "").split(";")[0].trim().toLowerCase() === SMS_CONTENT_TYPE;
}

/** The RP message of a body that decodes as one. */
function rpOf(m: SipMessage): RpMessage | undefined {
  const r = decodeRp(m.body);
  return r.ok ? r.value : undefined;
}

const hex = (b: Buffer): string => (b.length > 48 ? `${b.subarray(0, 48).toString("hex")}... (${b.length} octets)` : `${b.toString("hex")} (${b.length} octets)`);

/** TS 23.040 9.2: the TPDU each RP message to the MS carries in RP-User-Data. */
const TPDU_FOR: Readonly<Record<string, readonly string[]>> = {
  "RP-DATA": ["SMS-DELIVER", "SMS-STATUS-REPORT"],
  "RP-ACK": ["SMS-SUBMIT-REPORT"],
  "RP-ERROR": ["SMS-SUBMIT-REPORT"],
};

/** The RP-Message References of the RP-DATA this UE sent in MESSAGEs the network answered, oldest first. */
function referencesSent(o: Observation): number[] {
  const out: number[] = [];
  for (const e of o.earlier) {
    const req = e.request;
    if (e.message.kind !== "response" || !req || req.method !== "MESSAGE" || !carriesSms(req)) continue;
    const rp = rpOf(req);
    if (rp?.type === "RP-DATA" && rp.direction === "ms-to-network" && !out.includes(rp.reference)) out.push(rp.reference);
  }
  return out;
}

export const SMS_REQUIREMENTS: readonly Requirement[] = [
  // TS 24.341 5.3.3 (IP-SM-GW), flows B.5 and B.6; TS 34.229-5 A.13 steps 2 and 8, A.14 step 4: the
  // IP-SM-GW answers a MESSAGE carrying a short message or a report with 202 (Accepted): the RP
  // message is taken for processing, its outcome follows in an RP message of its own.
  {
    id: "sms.accepted-202",
    clause: "TS 24.341 5.3.3, B.5 (TS 34.229-5 A.13)",
    statement:
      "a MESSAGE carrying an RP message (Content-Type application/vnd.3gpp.sms) that the network accepts is answered 202 Accepted, not another 2xx: the SC's outcome (the submit report) follows in a MESSAGE of its own",
    constrains: "network",
    appliesTo: { kind: "response", methods: ["MESSAGE"], status: [200, 299] },
    when: (o) => o.request !== undefined && carriesSms(o.request),
    check: (o): Finding | undefined => {
      const m = o.message;
      if (m.kind !== "response" || m.status === 202) return undefined;
      const rp = o.request ? rpOf(o.request) : undefined;
      return { expected: `202 Accepted for the MESSAGE with ${rp ? describeRp(rp) : "an RP message"}`, received: m.startLine() };
    },
  },
  // TS 24.341 5.3.1.3, 5.3.2.3 (the UE receives a short message, a submit report, a status report in
  // a MESSAGE); TS 24.011 7.3.1.1 (RP-DATA network to MS), 7.3.3 (RP-ACK), 7.3.4 (RP-ERROR), 8.2.
  {
    id: "sms.rp-message",
    clause: "TS 24.011 7.3, 8.2",
    statement:
      "a MESSAGE with Content-Type application/vnd.3gpp.sms reaching a UE carries one RP message from the network to the MS: RP-DATA (RP-Originator Address the SC, RP-User-Data), RP-ACK or RP-ERROR (with RP-Cause), each element as TS 24.011 8.2 defines it",
    constrains: "network",
    appliesTo: { kind: "request", methods: ["MESSAGE"] },
    when: (o) => carriesSms(o.message),
    check: (o): Finding | undefined => {
      const body = o.message.body;
      const r = decodeRp(body);
      const expected = "RP-DATA, RP-ACK or RP-ERROR network to MS (TS 24.011 7.3)";
      if (!r.ok) return { expected, received: `${r.reason}: ${hex(body)}` };
      if (r.value.direction !== "network-to-ms" || r.value.type === "RP-SMMA") return { expected, received: `${describeRp(r.value)}: ${hex(body)}` };
      return undefined;
    },
  },
  // TS 23.040 9.2.2.1 (SMS-DELIVER), 9.2.2.2a (SMS-SUBMIT-REPORT), 9.2.2.3, 9.2.3.16 (TP-UDL and
  // TP-UD); TS 24.011 8.2.5.3: RP-User-Data holds the TPDU of the short message transfer layer.
  {
    id: "sms.tpdu",
    clause: "TS 23.040 9.2.2.1, 9.2.3.16",
    statement:
      "the RP-User-Data of an RP message to a UE holds a TPDU for the MS that decodes: an SMS-DELIVER (or SMS-STATUS-REPORT) in RP-DATA, an SMS-SUBMIT-REPORT in RP-ACK or RP-ERROR, its user data as TP-DCS and TP-UDL announce them",
    constrains: "network",
    appliesTo: { kind: "request", methods: ["MESSAGE"] },
    when: (o) => {
      if (!carriesSms(o.message)) return false;
      const rp = rpOf(o.message);
      return rp !== undefined && rp.direction === "network-to-ms" && rp.userData !== undefined;
    },
    check: (o): Finding | undefined => {
      const rp = rpOf(o.message)!;
      const allowed = TPDU_FOR[rp.type] ?? [];
      const expected = `${allowed.join(" or ")} in the RP-User-Data of ${rp.type} (TS 23.040 9.2)`;
      const t = rp.tpdu;
      if (!t || !t.ok) return { expected, received: `${t && !t.ok ? t.reason : "no TPDU"}: ${hex(rp.userData ?? Buffer.alloc(0))}` };
      if (!allowed.includes(t.value.type)) return { expected, received: `${t.value.type}: ${hex(rp.userData ?? Buffer.alloc(0))}` };
      return undefined;
    },
  },
  // TS 24.011 8.2.3 (RP-Message Reference): an RP-ACK or RP-ERROR carries the reference of the
  // RP-DATA it answers, so the submit report names the short message the UE submitted.
  {
    id: "sms.report-reference",
    clause: "TS 24.011 8.2.3",
    statement: "an RP-ACK or RP-ERROR the network sends a UE carries the RP-Message Reference of an RP-DATA that UE sent (the submit report names the short message it reports on)",
    constrains: "network",
    appliesTo: { kind: "request", methods: ["MESSAGE"] },
    when: (o) => {
      if (!carriesSms(o.message)) return false;
      const rp = rpOf(o.message);
      return rp !== undefined && rp.direction === "network-to-ms" && (rp.type === "RP-ACK" || rp.type === "RP-ERROR") && referencesSent(o).length > 0;
    },
    check: (o): Finding | undefined => {
      const rp = rpOf(o.message)!;
      const sent = referencesSent(o);
      if (sent.includes(rp.reference)) return undefined;
      return { expected: `RP-Message Reference ${sent.join(" or ")} (of the RP-DATA ${o.ue.name} sent)`, received: describeRp(rp) };
    },
  },
];

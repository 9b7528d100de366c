// Requirements on every response a UE receives, whatever the method: RFC 3261 8.2.6.2 (the UAS
// copies From, Call-ID, CSeq and Via, adds a To tag) as the UAC checks them on receipt (8.1.3.3),
// with RFC 3261 16.7 step 3 (each proxy removes its own Via, so the UE sees exactly its own).
import { type SipRequest, type SipResponse, isNameAddrError, parseNameAddr, uriEquals } from "../../sip/message/index.ts";
import { quoteIn } from "../quote.ts";
import type { Finding, Observation, Requirement } from "../requirement.ts";

function pair(o: Observation): [SipResponse, SipRequest] {
  return [o.message as SipResponse, o.request!];
}

function sameUri(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  const x = parseNameAddr(a);
  const y = parseNameAddr(b);
  if (isNameAddrError(x) || isNameAddrError(y)) return false;
  return uriEquals(x.uri, y.uri);
}

/** The sent-by and branch of a Via value, read leniently: "SIP/2.0/UDP host:port;branch=z9hG4bK..." */
function viaIdentity(v: string): { sentBy: string; branch: string } {
  const [head = "", ...params] = v.split(";");
  const sentBy = head.trim().split(/\s+/)[1]?.toLowerCase() ?? "";
  const branch =
    params
      .map((p) => p.trim())
      .find((p) => p.toLowerCase().startsWith("branch="))
      ?.slice(7) ?? "";
  return { sentBy, branch };
}

export const RESPONSE_REQUIREMENTS: readonly Requirement[] = [
  {
    id: "response.call-id",
    clause: "RFC 3261 8.2.6.2, 8.1.3.3",
    statement: "the Call-ID of a response equals the Call-ID of the request it answers",
    constrains: "any",
    appliesTo: { kind: "response" },
    check: (o): Finding | undefined => {
      const [r, q] = pair(o);
      return r.header("call-id") === q.callId ? undefined : { expected: `Call-ID: ${q.callId} (the ${q.method}'s)`, received: quoteIn(r, "call-id") };
    },
  },
  {
    id: "response.cseq",
    clause: "RFC 3261 8.2.6.2, 8.1.3.3",
    statement: "the CSeq of a response (number and method) equals the CSeq of the request it answers",
    constrains: "any",
    appliesTo: { kind: "response" },
    check: (o) => {
      const [r, q] = pair(o);
      const got = r.cseq;
      return got.seq === q.cseq.seq && got.method === q.cseq.method ? undefined : { expected: `CSeq: ${q.cseq.seq} ${q.cseq.method} (the request's)`, received: quoteIn(r, "cseq") };
    },
  },
  {
    id: "response.from",
    clause: "RFC 3261 8.2.6.2",
    statement: "the From of a response equals the From of the request, tag included",
    constrains: "any",
    appliesTo: { kind: "response" },
    check: (o) => {
      const [r, q] = pair(o);
      const ok = r.fromTag === q.fromTag && sameUri(r.header("from"), q.header("from"));
      return ok ? undefined : { expected: `From: ${q.header("from")} (the request's)`, received: quoteIn(r, "from") };
    },
  },
  {
    id: "response.to",
    clause: "RFC 3261 8.2.6.2",
    statement: "the To URI of a response equals the request's; a To tag the request carried is kept",
    constrains: "any",
    appliesTo: { kind: "response" },
    check: (o) => {
      const [r, q] = pair(o);
      const ok = sameUri(r.header("to"), q.header("to")) && (q.toTag === undefined || r.toTag === q.toTag);
      return ok ? undefined : { expected: `To: ${q.header("to")}${q.toTag ? "" : " (with a tag added)"}`, received: quoteIn(r, "to") };
    },
  },
  {
    id: "response.to-tag",
    clause: "RFC 3261 8.2.6.2",
    statement: "a response other than 100 (Trying) to a request without To tag carries a To tag",
    constrains: "any",
    appliesTo: { kind: "response", status: [101, 699] },
    when: (o) => o.request!.toTag === undefined,
    check: (o) => {
      const [r] = pair(o);
      return r.toTag ? undefined : { expected: "a To header with a tag parameter", received: quoteIn(r, "to") };
    },
  },
  {
    id: "response.via",
    clause: "RFC 3261 8.2.6.2, 16.7 step 3",
    statement: "a response carries exactly the Via values of the request it answers (same sent-by and branch, in order): the UAS copied them all, every proxy removed its own",
    constrains: "any",
    appliesTo: { kind: "response" },
    check: (o) => {
      const [r, q] = pair(o);
      const sent = q.headerValues("via");
      const got = r.headerValues("via");
      const ok =
        got.length === sent.length &&
        got.every((v, i) => {
          const a = viaIdentity(v);
          const b = viaIdentity(sent[i]);
          return a.sentBy === b.sentBy && a.branch === b.branch;
        });
      return ok ? undefined : { expected: `Via: ${sent.join(", ")} (the request's, received/rport may be added)`, received: quoteIn(r, "via") };
    },
  },
];

// Requirements on requests within and around a dialog and their responses: PRACK, UPDATE, BYE, CANCEL, ACK, MESSAGE (RFC 3261 9, 12.2, 15, RFC 3262, RFC 3311, RFC 3428).
// A UE sees only what it receives: a request is judged against the requests the same UE received
// earlier in the test case (the INVITE a CANCEL, ACK or PRACK refers to, the dialog's earlier
// requests), a response against the request the UE sent. NOTIFY is judged by reg-event.ts.
import { parseRAck } from "../../sip/dialog/index.ts";
import { type SipMessage, type SipRequest, type Uri, isNameAddrError, isViaError, parseNameAddr, parseVia, uriEquals, viaBranch } from "../../sip/message/index.ts";
import { quoteHeader, quoteIn } from "../quote.ts";
import { assertedIdentityFinding, bareOrNameAddrUri } from "../asserted-identity.ts";
import type { Finding, Observation, Requirement } from "../requirement.ts";

/** Requests that can be sent within a dialog and that this file judges (NOTIFY is reg-event.ts's). */
const IN_DIALOG_METHODS = ["INVITE", "BYE", "UPDATE", "PRACK", "INFO", "MESSAGE", "REFER", "OPTIONS"];
/** Requests that create a dialog: their CSeq starts the remote sequence of the UAS (RFC 3261 12.1.1). */
const DIALOG_CREATING = new Set(["INVITE", "SUBSCRIBE", "REFER"]);

/** A typed view that may throw on an odd header, read as undefined instead. */
function read<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

function request(o: Observation): SipRequest {
  return o.message as SipRequest;
}

/** The requests the same UE received before this one, oldest first. */
function earlierRequests(o: Observation): SipRequest[] {
  const out: SipRequest[] = [];
  for (const e of o.earlier) if (e.message.kind === "request") out.push(e.message);
  return out;
}

/** Sent-by (lower-case host:port) and branch of the top Via, read leniently; undefined when unreadable. */
function topVia(m: SipMessage): { sentBy: string; branch: string } | undefined {
  const first = m.headerValues("via")[0];
  if (first === undefined) return undefined;
  const v = parseVia(first);
  if (isViaError(v)) return undefined;
  return { sentBy: `${v.host.toLowerCase()}:${v.port ?? ""}`, branch: viaBranch(v) ?? "" };
}

function sameTopVia(a: SipMessage, b: SipMessage): boolean {
  const x = topVia(a);
  const y = topVia(b);
  return x !== undefined && y !== undefined && x.branch !== "" && x.branch === y.branch && x.sentBy === y.sentBy;
}

/** The URI of a name-addr header (From, To, Contact), undefined when absent or unreadable. */
function headerUri(m: SipMessage, name: string): Uri | undefined {
  const v = m.header(name);
  if (v === undefined) return undefined;
  const na = parseNameAddr(v);
  return isNameAddrError(na) ? undefined : na.uri;
}

function sameUri(a: Uri | undefined, b: Uri | undefined): boolean {
  return a !== undefined && b !== undefined && uriEquals(a, b);
}

const cseqOf = (m: SipMessage): number | undefined => read(() => m.cseq.seq);
const toTagOf = (m: SipMessage): string | undefined => read(() => m.toTag);
const fromTagOf = (m: SipMessage): string | undefined => read(() => m.fromTag);
const callIdOf = (m: SipMessage): string | undefined => m.header("call-id");

/** The INVITEs this UE received earlier, oldest first. */
function earlierInvites(o: Observation): SipRequest[] {
  return earlierRequests(o).filter((r) => r.method === "INVITE");
}

/**
 * The INVITE a CANCEL or ACK refers to: the one with the same top Via (a CANCEL, an ACK for a
 * non-2xx), else the latest with the same Call-ID whose CSeq number matches, else the latest with
 * the same Call-ID, else the latest INVITE at all (a wrong Call-ID still has something to be judged
 * against). Undefined when the UE received no INVITE.
 */
function referencedInvite(o: Observation, m: SipRequest): SipRequest | undefined {
  const invites = earlierInvites(o);
  const byVia = invites.filter((i) => sameTopVia(i, m));
  if (byVia.length > 0) return byVia[byVia.length - 1];
  const callId = callIdOf(m);
  const sameCall = invites.filter((i) => callIdOf(i) === callId);
  const seq = cseqOf(m);
  const bySeq = sameCall.filter((i) => cseqOf(i) === seq);
  if (bySeq.length > 0) return bySeq[bySeq.length - 1];
  if (sameCall.length > 0) return sameCall[sameCall.length - 1];
  return invites[invites.length - 1];
}

/** An ACK for a non-2xx final response: hop by hop, it carries the top Via of the INVITE (RFC 3261 17.1.1.3). */
function isNon2xxAck(o: Observation, m: SipRequest): boolean {
  return m.method === "ACK" && earlierInvites(o).some((i) => callIdOf(i) === callIdOf(m) && sameTopVia(i, m));
}

function finding(expected: string, received: string[]): Finding {
  return { expected, received: received.join("; ") };
}

export const IN_DIALOG_REQUIREMENTS: readonly Requirement[] = [
  // RFC 3261 12.2.1.1: "Requests within a dialog MUST contain strictly monotonically increasing and
  // contiguous CSeq sequence numbers (increasing-by-one) in each direction (excepting ACK and CANCEL
  // of course, whose numbers equal the requests being acknowledged or cancelled)"; 12.2.2: a lower
  // one is out of order. Contiguity is not judged: a request a proxy rejected never reaches the UE.
  {
    id: "in-dialog.cseq-increase",
    clause: "RFC 3261 12.2.1.1, 12.2.2",
    statement: "the CSeq numbers of the requests a peer sends within one dialog strictly increase (ACK and CANCEL reuse the number of the request they refer to; retransmissions repeat theirs)",
    constrains: "network",
    appliesTo: { kind: "request", methods: IN_DIALOG_METHODS },
    when: (o) => !o.retransmission && toTagOf(o.message) !== undefined,
    check: (o) => {
      const m = request(o);
      const seq = cseqOf(m);
      const callId = callIdOf(m);
      const local = toTagOf(m);
      const remote = fromTagOf(m);
      if (seq === undefined || remote === undefined) return undefined;
      let last: SipRequest | undefined;
      for (const r of earlierRequests(o)) {
        if (r.method === "ACK" || r.method === "CANCEL") continue;
        if (callIdOf(r) !== callId || fromTagOf(r) !== remote) continue;
        const tag = toTagOf(r);
        // The dialog's requests, and the request that created it (no To tag yet, RFC 3261 12.1.1)
        if (tag === undefined ? !DIALOG_CREATING.has(r.method) : tag !== local) continue;
        const rSeq = cseqOf(r);
        if (rSeq === undefined) continue;
        // A retransmission the transaction layer did not absorb (its transaction had ended): same branch, method, number
        if (r.method === m.method && rSeq === seq && sameTopVia(r, m)) return undefined;
        if (last === undefined || rSeq >= (cseqOf(last) ?? 0)) last = r;
      }
      const max = last === undefined ? undefined : cseqOf(last);
      if (last === undefined || max === undefined || seq > max) return undefined;
      return { expected: `a CSeq number above ${max}, the number of the peer's earlier ${quoteIn(last, "cseq")}`, received: quoteIn(m, "cseq") };
    },
  },
  // RFC 3261 12.2.1.1: "If the route set is empty, the UAC MUST place the remote target URI into the
  // Request-URI"; with a loose-routing first route likewise. A proxy on the route forwards it
  // unchanged (16.5: a Request-URI of a domain the proxy is not responsible for is the only target),
  // and one that was strict-routed to restores it from the last Route (16.4). The remote target is
  // the UE's Contact, so the UE receives its own Contact URI.
  {
    id: "in-dialog.request-uri",
    clause: "RFC 3261 12.2.1.1, 16.4, 16.5",
    statement: "the Request-URI of a request within a dialog reaching the UE is the UE's Contact URI (the remote target of the sender's dialog)",
    constrains: "network",
    appliesTo: { kind: "request", methods: [...IN_DIALOG_METHODS, "ACK"] },
    // The ACK for a non-2xx response is not a request within the dialog: ack.matches-invite judges it
    when: (o) => toTagOf(o.message) !== undefined && !isNon2xxAck(o, request(o)),
    check: (o) => {
      const m = request(o);
      const contact = bareOrNameAddrUri(o.ue.contact);
      if (contact === undefined) return undefined;
      return sameUri(bareOrNameAddrUri(m.uriText), contact) ? undefined : { expected: `Request-URI ${o.ue.contact} (${o.ue.name}'s Contact)`, received: m.startLine() };
    },
  },
  // RFC 3261 9.1: "The Request-URI, Call-ID, To, the numeric part of CSeq, and From header fields in
  // the CANCEL request MUST be identical to those in the request being cancelled, including tags. A
  // CANCEL constructed by a client MUST have only a single Via header field value matching the top
  // Via value in the request being cancelled." A stateful proxy builds the CANCEL it sends
  // downstream so (16.10); the UE matches it to its INVITE by that Via (9.2, 17.2.3).
  {
    id: "cancel.matches-invite",
    clause: "RFC 3261 9.1",
    statement: "a CANCEL carries the Request-URI, Call-ID, From, To (tags included) and CSeq number of the INVITE it cancels, and that INVITE's top Via",
    constrains: "network",
    appliesTo: { kind: "request", methods: ["CANCEL"] },
    check: (o) => {
      const m = request(o);
      const invite = referencedInvite(o, m);
      if (!invite)
        return { expected: "a CANCEL of an INVITE this UE received (RFC 3261 9.1: a CANCEL follows a provisional response)", received: `${m.startLine()} with no INVITE received before it` };
      const wrong: string[] = [];
      if (!sameUri(bareOrNameAddrUri(m.uriText), bareOrNameAddrUri(invite.uriText))) wrong.push(m.startLine());
      if (callIdOf(m) !== callIdOf(invite)) wrong.push(quoteHeader(m, "call-id"));
      if (!sameUri(headerUri(m, "from"), headerUri(invite, "from")) || fromTagOf(m) !== fromTagOf(invite)) wrong.push(quoteHeader(m, "from"));
      if (!sameUri(headerUri(m, "to"), headerUri(invite, "to")) || toTagOf(m) !== toTagOf(invite)) wrong.push(quoteHeader(m, "to"));
      if (cseqOf(m) === undefined || cseqOf(m) !== cseqOf(invite)) wrong.push(quoteHeader(m, "cseq"));
      if (!sameTopVia(m, invite)) wrong.push(quoteHeader(m, "via"));
      if (wrong.length === 0) return undefined;
      const i = invite;
      return finding(
        `as in the cancelled INVITE: Request-URI ${i.uriText}, Call-ID: ${callIdOf(i)}, From: ${i.header("from")}, To: ${i.header("to")}, CSeq number ${cseqOf(i)}, top Via: ${i.headerValues("via")[0]}`,
        wrong,
      );
    },
  },
  // RFC 3261 13.2.2.4 (ACK for a 2xx): "The header fields of the ACK are constructed in the same way
  // as for any request sent within a dialog ... The sequence number of the CSeq header field MUST
  // be the same as the INVITE being acknowledged"; 17.1.1.3 (ACK for a non-2xx, built hop by hop):
  // "values for the Call-ID, From, and Request-URI that are equal to ... the original request", "The
  // To header field in the ACK MUST equal the To header field in the response being acknowledged",
  // "the same value for the sequence number as was present in the original request".
  {
    id: "ack.matches-invite",
    clause: "RFC 3261 13.2.2.4, 17.1.1.3",
    statement: "an ACK carries the Call-ID, From (tag included) and CSeq number of the INVITE it acknowledges and its To URI with the tag of the response; an ACK for a non-2xx also its Request-URI",
    constrains: "network",
    appliesTo: { kind: "request", methods: ["ACK"] },
    check: (o) => {
      const m = request(o);
      // A stray ACK (no INVITE received) acknowledges nothing this UE sent: nothing to compare with
      const invite = referencedInvite(o, m);
      if (!invite) return undefined;
      const wrong: string[] = [];
      if (callIdOf(m) !== callIdOf(invite)) wrong.push(quoteHeader(m, "call-id"));
      if (!sameUri(headerUri(m, "from"), headerUri(invite, "from")) || fromTagOf(m) !== fromTagOf(invite)) wrong.push(quoteHeader(m, "from"));
      const inviteTag = toTagOf(invite);
      const tag = toTagOf(m);
      if (!sameUri(headerUri(m, "to"), headerUri(invite, "to")) || tag === undefined || (inviteTag !== undefined && tag !== inviteTag)) wrong.push(quoteHeader(m, "to"));
      if (cseqOf(m) === undefined || cseqOf(m) !== cseqOf(invite)) wrong.push(quoteHeader(m, "cseq"));
      const non2xx = sameTopVia(m, invite);
      if (non2xx && !sameUri(bareOrNameAddrUri(m.uriText), bareOrNameAddrUri(invite.uriText))) wrong.push(m.startLine());
      if (wrong.length === 0) return undefined;
      const i = invite;
      return finding(
        `as in the acknowledged INVITE: Call-ID: ${callIdOf(i)}, From: ${i.header("from")}, the URI of To: ${i.header("to")} with the response's tag, CSeq number ${cseqOf(i)}${non2xx ? `, Request-URI ${i.uriText}` : ""}`,
        wrong,
      );
    },
  },
  // RFC 3262 7.2: "The first number is the value from the RSeq header in the provisional response
  // that is being acknowledged. The next number, and the method, are copied from the CSeq in the
  // response that is being acknowledged." Table 3: RAck is mandatory (m) in PRACK. The UE sends
  // reliable provisional responses to INVITE only (RFC 3262 4: 100rel applies to INVITE).
  {
    id: "prack.rack",
    clause: "RFC 3262 7.2",
    statement: 'a PRACK carries RAck "response-num CSeq-num method" whose CSeq-num and method are those of the INVITE whose reliable provisional response it acknowledges',
    constrains: "network",
    appliesTo: { kind: "request", methods: ["PRACK"] },
    check: (o) => {
      const m = request(o);
      const rack = parseRAck(m.header("rack"));
      // The INVITEs of this dialog's caller: same Call-ID and From tag, no To tag or this one
      const callId = callIdOf(m);
      const from = fromTagOf(m);
      const to = toTagOf(m);
      const invites = earlierInvites(o).filter((i) => callIdOf(i) === callId && fromTagOf(i) === from && (toTagOf(i) === undefined || toTagOf(i) === to));
      const seqs = [...new Set(invites.map((i) => cseqOf(i)).filter((s): s is number => s !== undefined))];
      const expected = `RAck: <RSeq> ${seqs.length > 0 ? seqs.join(" or ") : "<the INVITE's CSeq number>"} INVITE`;
      if (!rack || rack.rseq < 1 || rack.rseq > 2 ** 32 - 1) return { expected, received: quoteIn(m, "rack") };
      if (rack.method !== "INVITE" || (seqs.length > 0 && !seqs.includes(rack.cseq))) return { expected, received: quoteIn(m, "rack") };
      return undefined;
    },
  },
  // RFC 3311 7, Table 1: Contact is mandatory ("m") in UPDATE; 5.1: "UPDATE is a target refresh request".
  {
    id: "update.contact",
    clause: "RFC 3311 7",
    statement: "an UPDATE carries a Contact header field (Table 1: mandatory in the request)",
    constrains: "any",
    appliesTo: { kind: "request", methods: ["UPDATE"] },
    check: (o) => {
      const m = request(o);
      const values = m.headerValues("contact");
      const ok = values.length > 0 && values.every((v) => !isNameAddrError(parseNameAddr(v)));
      return ok ? undefined : { expected: "a Contact header field with the sender's URI", received: quoteIn(m, "contact") };
    },
  },
  // RFC 3311 7, Table 1: Contact is mandatory ("m") in a 2xx response to UPDATE.
  {
    id: "update.2xx-contact",
    clause: "RFC 3311 7",
    statement: "a 2xx response to UPDATE carries a Contact header field (Table 1: mandatory in 2xx)",
    constrains: "any",
    appliesTo: { kind: "response", methods: ["UPDATE"], status: [200, 299] },
    check: (o) => {
      const m = o.message;
      const values = m.headerValues("contact");
      const ok = values.length > 0 && values.every((v) => !isNameAddrError(parseNameAddr(v)));
      return ok ? undefined : { expected: "a Contact header field with the answering UA's URI", received: quoteIn(m, "contact") };
    },
  },
  // RFC 3428 4: "MESSAGE requests do not initiate dialogs. User Agents MUST NOT insert Contact
  // header fields into MESSAGE requests." (Table 1: Contact "-" in MESSAGE.)
  {
    id: "message.no-contact",
    clause: "RFC 3428 4",
    statement: "a MESSAGE request carries no Contact header field (MESSAGE does not initiate a dialog)",
    constrains: "any",
    appliesTo: { kind: "request", methods: ["MESSAGE"] },
    check: (o) => (o.message.hasHeader("contact") ? { expected: "no Contact header field", received: quoteIn(o.message, "contact") } : undefined),
  },
  // TS 24.229 5.2.6.3.1: the originating P-CSCF asserts the identity of the user in P-Asserted-Identity
  // for an initial request for a dialog or a request for a standalone transaction (MESSAGE), and it
  // travels through the trust domain to the terminating UE. RFC 3325 9.1: "A P-Asserted-Identity
  // header field value MUST consist of exactly one name-addr or addr-spec. There may be one or two
  // P-Asserted-Identity values. If there is one value, it MUST be a sip, sips, or tel URI. If there
  // are two values, one value MUST be a sip or sips URI and the other MUST be a tel URI." RFC 3325 7:
  // with privacy requested it may be withheld. (invite.p-asserted-identity is the same for INVITE.)
  {
    id: "message.p-asserted-identity",
    clause: "TS 24.229 5.2.6.3.1, RFC 3325 9.1",
    statement: "a MESSAGE outside a dialog reaching a UE carries P-Asserted-Identity (unless privacy was requested): one or two values, at most one SIP/SIPS URI and at most one tel URI",
    constrains: "network",
    appliesTo: { kind: "request", methods: ["MESSAGE"] },
    when: (o) => toTagOf(o.message) === undefined,
    check: (o) => assertedIdentityFinding(o.message, "sender"),
  },
  // RFC 3261 20.15: "The Content-Type header field MUST be present if the body is not empty."
  // (RFC 3428 9, Table 1: Content-Type "*", required when there is a body.)
  {
    id: "message.content-type",
    clause: "RFC 3261 20.15",
    statement: "a MESSAGE request with a non-empty body carries a Content-Type header field naming the body's media type",
    constrains: "any",
    appliesTo: { kind: "request", methods: ["MESSAGE"] },
    when: (o) => o.message.body.length > 0,
    check: (o) => {
      const m = o.message;
      const type = m.header("content-type");
      return type !== undefined && type.trim() !== ""
        ? undefined
        : { expected: "Content-Type: <media type of the body>", received: `${quoteIn(m, "content-type")} with a body of ${m.body.length} bytes` };
    },
  },
  // RFC 3428 7: "A 2xx response to a MESSAGE request MUST NOT contain a body."
  {
    id: "message.2xx-no-body",
    clause: "RFC 3428 7",
    statement: "a 2xx response to MESSAGE carries no body",
    constrains: "any",
    appliesTo: { kind: "response", methods: ["MESSAGE"], status: [200, 299] },
    check: (o) => {
      const m = o.message;
      return m.body.length === 0
        ? undefined
        : { expected: "no message body (Content-Length: 0)", received: `a body of ${m.body.length} bytes (${quoteHeader(m, "content-type")}) in ${m.startLine()}` };
    },
  },
  // RFC 3428 7: "A UAS MUST NOT insert a Contact header field into a 2xx response."
  {
    id: "message.2xx-no-contact",
    clause: "RFC 3428 7",
    statement: "a 2xx response to MESSAGE carries no Contact header field",
    constrains: "any",
    appliesTo: { kind: "response", methods: ["MESSAGE"], status: [200, 299] },
    check: (o) => (o.message.hasHeader("contact") ? { expected: "no Contact header field", received: quoteIn(o.message, "contact") } : undefined),
  },
];

// Requirements on INVITE: its responses as the calling UE receives them (RFC 3261 12.1.1, 13.3.1.4,
// 16.6 item 4), reliable provisional responses (RFC 3262 3, 5), the offer/answer they carry
// (RFC 3261 13.3.1.4; the SDP itself is sdp.ts's), and the initial INVITE a called UE receives (RFC 3261 8.1.1,
// 16.6, RFC 3325 9.1, TS 24.229 5.2.6.3.1, 5.4.3.3).
// Every check reads the message leniently and never throws: an unreadable header is judged, never
// a harness error. The responses to a re-INVITE are judged here only for RFC 3262.
import { isReliableProvisional } from "../../sip/dialog/index.ts";
import {
  MAGIC_COOKIE,
  type SipMessage,
  type SipRequest,
  type SipResponse,
  hasParam,
  isNameAddrError,
  isSipUri,
  isViaError,
  parseNameAddr,
  parseVia,
  uriEquals,
  viaBranch,
} from "../../sip/message/index.ts";
import { quoteHeader, quoteIn } from "../quote.ts";
import { sessionDescription } from "../sdp-body.ts";
import { assertedIdentityFinding, bareOrNameAddrUri } from "../asserted-identity.ts";
import type { Finding, Observation, Requirement } from "../requirement.ts";
import { safe, toTagOf } from "../safe-read.ts";

/** RFC 3262 3: the first RSeq lies in 1 .. 2**31-1; RFC 3262 7.1: any RSeq in 1 .. 2**32-1. */
const FIRST_RSEQ_MAX = 2 ** 31 - 1;
const RSEQ_MAX = 2 ** 32 - 1;

/** The INVITE transaction a request opens: Call-ID, CSeq and top Via branch. */
function transactionKey(q: SipRequest | undefined): string | undefined {
  return q ? safe(() => `${q.callId}|${q.cseq.seq}|${q.cseq.method}|${q.branch ?? ""}`) : undefined;
}

/** Responses the UE received earlier to the same INVITE (same transaction) with the same To tag: one dialog's. */
function earlierOfDialog(o: Observation): SipResponse[] {
  const key = transactionKey(o.request);
  const tag = toTagOf(o.message);
  if (key === undefined) return [];
  return o.earlier.filter((e) => e.message.kind === "response" && transactionKey(e.request) === key && toTagOf(e.message) === tag).map((e) => e.message as SipResponse);
}

/** RFC 3262 3: a provisional response sent reliably (101-199 with Require: 100rel). */
const reliable = (m: SipMessage): m is SipResponse => m.kind === "response" && safe(() => isReliableProvisional(m)) === true;

/** A response to an INVITE outside any dialog (its request had no To tag): not to a re-INVITE. */
const toInitialInvite = (o: Observation): boolean => o.request !== undefined && toTagOf(o.request) === undefined;

/** RFC 3261 12.1: a 2xx, or a 101-199 with a To tag, to an initial INVITE establishes a dialog. */
function createsDialog(o: Observation): boolean {
  const m = o.message;
  if (m.kind !== "response" || !toInitialInvite(o)) return false;
  return (m.status >= 200 && m.status < 300) || (m.status > 100 && m.status < 200 && toTagOf(m) !== undefined);
}

/** An INVITE that opens a dialog: no To tag (RFC 3261 12.1: requests within a dialog are another area's). */
const initialInvite = (o: Observation): boolean => o.message.kind === "request" && toTagOf(o.message) === undefined;

/** The RSeq of a response when it is 1*DIGIT within 1 .. 2**32-1 (RFC 3262 7.1), else undefined. */
function rseqOf(m: SipMessage): number | undefined {
  const values = m.headerValues("rseq");
  if (values.length !== 1 || !/^\d{1,10}$/.test(values[0].trim())) return undefined;
  const n = Number(values[0].trim());
  return n >= 1 && n <= RSEQ_MAX ? n : undefined;
}

function offers100rel(q: SipRequest): boolean {
  return [...q.optionTags("supported"), ...q.optionTags("require")].map((t) => t.trim()).includes("100rel");
}

/** What is wrong with the Contact of a message that must carry exactly one SIP or SIPS URI, or undefined. */
function singleSipContact(m: SipMessage): string | undefined {
  const values = m.headerValues("contact");
  if (values.length === 0) return "no Contact";
  if (values.length > 1) return `${values.length} Contact values`;
  const v = values[0];
  if (v.trim() === "*") return `Contact "*"`;
  const na = parseNameAddr(v);
  if (isNameAddrError(na)) return `a Contact that is not a name-addr or addr-spec (${na.error})`;
  if (!isSipUri(na.uri)) return `a Contact with a ${na.uri.scheme}: URI`;
  return undefined;
}

/** RFC 3261 25.1: name-addr = [ display-name ] LAQUOT addr-spec RAQUOT (a quoted display name may hold "<"). */
function isNameAddrForm(value: string): boolean {
  return value
    .trim()
    .replace(/^"(?:[^"\\]|\\.)*"/, "")
    .includes("<");
}

/** The first Record-Route value that is not a name-addr with a SIP or SIPS URI carrying lr (RFC 3261 16.6 item 4, 20.30). */
function badRecordRoute(m: SipMessage): { value: string; why: string } | undefined {
  for (const value of m.headerValues("record-route")) {
    const na = parseNameAddr(value);
    if (isNameAddrError(na)) return { value, why: na.error };
    if (!isNameAddrForm(value)) return { value, why: "not in name-addr form (<URI>)" };
    if (!isSipUri(na.uri)) return { value, why: `a ${na.uri.scheme}: URI, not SIP or SIPS` };
    if (!hasParam(na.uri.params, "lr")) return { value, why: "no lr parameter" };
  }
  return undefined;
}

/** A body without Content-Type (RFC 3261 20.15), as found. */
function bodyWithoutType(m: SipMessage): Finding | undefined {
  if (m.body.length === 0 || m.hasHeader("content-type")) return undefined;
  return { expected: "a Content-Type header field describing the body", received: `Content-Type: absent, with a body of ${m.body.length} bytes in ${m.startLine()}` };
}

export const INVITE_REQUIREMENTS: readonly Requirement[] = [
  // RFC 3261 12.1.1: "The UAS MUST add a Contact header field to the response ... The URI provided in
  // the Contact header field MUST be a SIP or SIPS URI"; 12.1: 2xx and 101-199 with a To tag create dialogs.
  {
    id: "invite-response.contact",
    clause: "RFC 3261 12.1.1, 13.3.1.4",
    statement: "a response to INVITE that creates a dialog (2xx, or 101-199 with a To tag) carries a Contact with exactly one SIP or SIPS URI",
    constrains: "any",
    appliesTo: { kind: "response", methods: ["INVITE"], status: [101, 299] },
    when: createsDialog,
    check: (o) => {
      const problem = singleSipContact(o.message);
      return problem ? { expected: `a Contact with one SIP or SIPS URI (the callee's remote target), not ${problem}`, received: quoteIn(o.message, "contact") } : undefined;
    },
  },
  // RFC 3261 16.6 item 4: "The URI placed in the Record-Route header field value MUST be a SIP or SIPS
  // URI. This URI MUST contain an lr parameter"; 12.1.1: the UAS copies the values into the response;
  // 20.30: rec-route = name-addr *( SEMI rr-param ).
  {
    id: "invite-response.record-route",
    clause: "RFC 3261 16.6 item 4, 12.1.1",
    statement: "every Record-Route value of a dialog-creating response to INVITE is a name-addr with a SIP or SIPS URI carrying lr",
    constrains: "network",
    appliesTo: { kind: "response", methods: ["INVITE"], status: [101, 299] },
    when: (o) => createsDialog(o) && o.message.hasHeader("record-route"),
    check: (o) => {
      const bad = badRecordRoute(o.message);
      return bad ? { expected: `Record-Route values like <sip:proxy;lr> (RFC 3261 16.6 item 4); "${bad.value}" is ${bad.why}`, received: quoteIn(o.message, "record-route") } : undefined;
    },
  },
  // RFC 3261 20.15: "The Content-Type header field MUST be present if the body is not empty."
  {
    id: "invite-response.content-type",
    clause: "RFC 3261 20.15",
    statement: "a response to INVITE with a non-empty body carries a Content-Type",
    constrains: "any",
    appliesTo: { kind: "response", methods: ["INVITE"] },
    check: (o) => bodyWithoutType(o.message),
  },
  // RFC 3261 13.3.1.4: "If the INVITE request contained an offer, and the UAS had not yet sent an answer,
  // the 2xx MUST contain an answer. If the INVITE did not contain an offer, the 2xx MUST contain an offer
  // if the UAS had not yet sent an offer." Only a reliable response sends one (13.2.1, RFC 3262 5), and
  // each dialog (To tag) of a forked INVITE is its own offer/answer exchange (13.2.1).
  {
    id: "invite-2xx.sdp",
    clause: "RFC 3261 13.3.1.4",
    statement: "a 2xx to an initial INVITE carries the SDP answer (or, to an INVITE without offer, the offer) unless a reliable provisional of the same dialog carried it",
    constrains: "network",
    appliesTo: { kind: "response", methods: ["INVITE"], status: [200, 299] },
    when: toInitialInvite,
    check: (o) => {
      const m = o.message;
      if (sessionDescription(m) !== undefined) return undefined;
      if (earlierOfDialog(o).some((r) => reliable(r) && sessionDescription(r) !== undefined)) return undefined;
      const what = sessionDescription(o.request!) === undefined ? "the SDP offer (the INVITE had none)" : "the SDP answer to the INVITE's offer";
      return {
        expected: `${what}: no reliable provisional response of To tag ${toTagOf(m) ?? "(none)"} carried it`,
        received: `${quoteHeader(m, "content-type")}, body of ${m.body.length} bytes in ${m.startLine()}`,
      };
    },
  },
  // RFC 3262 3: a reliable provisional response "MUST include an RSeq header field. The value of the
  // header field for the first reliable provisional response in a transaction MUST be between 1 and
  // 2**31 - 1"; 7.1: RSeq carries a value from 1 to 2**32 - 1.
  {
    id: "reliable-1xx.rseq",
    clause: "RFC 3262 3, 7.1",
    statement: "a reliable provisional response (Require: 100rel) carries one RSeq, between 1 and 2**31-1 in the first of its dialog",
    constrains: "network",
    appliesTo: { kind: "response", methods: ["INVITE"], status: [101, 199] },
    when: (o) => reliable(o.message),
    check: (o) => {
      const m = o.message;
      const rseq = rseqOf(m);
      const first = !earlierOfDialog(o).some((r) => reliable(r) && rseqOf(r) !== undefined);
      if (rseq !== undefined && (!first || rseq <= FIRST_RSEQ_MAX)) return undefined;
      return { expected: `one RSeq with a number from 1 to ${first ? "2**31-1 (the first reliable provisional response)" : "2**32-1"}`, received: quoteIn(m, "rseq") };
    },
  },
  // RFC 3262 3: "The value of the RSeq in each subsequent reliable provisional response for the same
  // request MUST be greater by exactly one." Erratum 4600: each fork numbers on its own; RFC 3262 4: a
  // response with the dialog ID, CSeq and RSeq of an earlier one is its retransmission.
  {
    id: "reliable-1xx.rseq-increment",
    clause: "RFC 3262 3",
    statement: "each further reliable provisional response of a dialog to the same INVITE has an RSeq one higher than the previous (retransmissions repeat theirs)",
    constrains: "network",
    appliesTo: { kind: "response", methods: ["INVITE"], status: [101, 199] },
    when: (o) => reliable(o.message) && rseqOf(o.message) !== undefined,
    check: (o) => {
      const rseq = rseqOf(o.message)!;
      const seen = earlierOfDialog(o)
        .filter(reliable)
        .map(rseqOf)
        .filter((n): n is number => n !== undefined);
      if (seen.length === 0 || seen.includes(rseq)) return undefined;
      const last = Math.max(...seen);
      if (rseq === last + 1) return undefined;
      return { expected: `RSeq: ${last + 1} (the previous reliable provisional response of To tag ${toTagOf(o.message) ?? "(none)"} had RSeq ${last})`, received: quoteIn(o.message, "rseq") };
    },
  },
  // RFC 3262 3: "If the request did not include either a Supported or Require header field indicating
  // this feature, the UAS MUST NOT send the provisional response reliably."
  {
    id: "reliable-1xx.requested",
    clause: "RFC 3262 3",
    statement: "a provisional response is sent reliably only when the INVITE listed 100rel in Supported or Require",
    constrains: "network",
    appliesTo: { kind: "response", methods: ["INVITE"], status: [101, 199] },
    when: (o) => reliable(o.message),
    check: (o) => {
      const q = o.request!;
      if (offers100rel(q)) return undefined;
      return { expected: `an unreliable provisional response: the INVITE had ${quoteHeader(q, "supported")}, ${quoteHeader(q, "require")}`, received: quoteIn(o.message, "require") };
    },
  },
  // RFC 3262 5: "if a reliable provisional response is the first reliable message sent back to the UAC,
  // and the INVITE did not contain an offer, one MUST appear in that reliable provisional response."
  {
    id: "reliable-1xx.offer",
    clause: "RFC 3262 5",
    statement: "to an initial INVITE without an offer, the first reliable provisional response of a dialog carries the SDP offer",
    constrains: "network",
    appliesTo: { kind: "response", methods: ["INVITE"], status: [101, 199] },
    when: (o) => toInitialInvite(o) && reliable(o.message) && sessionDescription(o.request!) === undefined,
    check: (o) => {
      const m = o.message;
      const rseq = rseqOf(m);
      // The first reliable one of this dialog, or a retransmission of it
      const earlier = earlierOfDialog(o).filter(reliable);
      if (earlier.some((r) => rseqOf(r) !== rseq)) return undefined;
      if (sessionDescription(m) !== undefined) return undefined;
      return {
        expected: "an SDP offer in the first reliable provisional response (the INVITE had none)",
        received: `${quoteHeader(m, "content-type")}, body of ${m.body.length} bytes in ${m.startLine()}`,
      };
    },
  },
  // RFC 3262 3: "A UAS MUST NOT attempt to send a 100 (Trying) response reliably."
  {
    id: "invite-100.not-reliable",
    clause: "RFC 3262 3",
    statement: "a 100 (Trying) to INVITE is never sent reliably: it carries no Require: 100rel",
    constrains: "any",
    appliesTo: { kind: "response", methods: ["INVITE"], status: [100, 100] },
    check: (o) => {
      const m = o.message;
      return m
        .optionTags("require")
        .map((t) => t.trim())
        .includes("100rel")
        ? { expected: "a 100 (Trying) without Require: 100rel", received: quoteIn(m, "require") }
        : undefined;
    },
  },
  // RFC 3261 16.6 item 3: "If the copy contains a Max-Forwards header field, the proxy MUST decrement its
  // value by one (1). If the copy does not contain a Max-Forwards header field, the proxy MUST add one";
  // 20.22: an integer in the range 0-255.
  {
    id: "invite.max-forwards",
    clause: "RFC 3261 16.6 item 3, 20.22",
    statement: "an INVITE the network forwards to a UE carries Max-Forwards, an integer from 0 to 255",
    constrains: "network",
    appliesTo: { kind: "request", methods: ["INVITE"] },
    when: initialInvite,
    check: (o) => {
      const values = o.message.headerValues("max-forwards");
      const v = values[0]?.trim();
      return values.length === 1 && v !== undefined && /^\d{1,3}$/.test(v) && Number(v) <= 255
        ? undefined
        : { expected: "one Max-Forwards with a value from 0 to 255 (each proxy decrements it, or adds it)", received: quoteIn(o.message, "max-forwards") };
    },
  },
  // RFC 3261 8.1.1.7: "The branch ID inserted by an element compliant with this specification MUST
  // always begin with the characters "z9hG4bK""; 16.6 item 8: the proxy's Via follows 8.1.1.7.
  {
    id: "invite.via-branch",
    clause: "RFC 3261 8.1.1.7, 16.6 item 8",
    statement: "the top Via of an initial INVITE (reaching a UE, or sent by a UE under test) carries a branch beginning with z9hG4bK",
    constrains: "any",
    appliesTo: { kind: "request", methods: ["INVITE"] },
    when: initialInvite,
    check: (o) => {
      const top = o.message.headerValues("via")[0];
      const via = top === undefined ? undefined : parseVia(top);
      const branch = via && !isViaError(via) ? viaBranch(via) : undefined;
      return branch?.startsWith(MAGIC_COOKIE)
        ? undefined
        : { expected: `a top Via with branch=${MAGIC_COOKIE}... (the sender's transaction)`, received: `Via: ${top ?? "absent"} in ${o.message.startLine()}` };
    },
  },
  // RFC 3261 16.6 item 4: "The URI placed in the Record-Route header field value MUST be a SIP or SIPS
  // URI. This URI MUST contain an lr parameter"; 20.30: rec-route = name-addr *( SEMI rr-param ).
  {
    id: "invite.record-route",
    clause: "RFC 3261 16.6 item 4, 20.30",
    statement: "every Record-Route value of an INVITE reaching a UE is a name-addr with a SIP or SIPS URI carrying lr",
    constrains: "network",
    appliesTo: { kind: "request", methods: ["INVITE"] },
    when: (o) => initialInvite(o) && o.message.hasHeader("record-route"),
    check: (o) => {
      const bad = badRecordRoute(o.message);
      return bad ? { expected: `Record-Route values like <sip:proxy;lr> (RFC 3261 16.6 item 4); "${bad.value}" is ${bad.why}`, received: quoteIn(o.message, "record-route") } : undefined;
    },
  },
  // TS 24.229 5.2.6.3.1: the P-CSCF asserts the identity of the originating user in P-Asserted-Identity,
  // which travels through the trust domain to the terminating UE. RFC 3325 9.1: "A P-Asserted-Identity
  // header field value MUST consist of exactly one name-addr or addr-spec. There may be one or two
  // P-Asserted-Identity values. If there is one value, it MUST be a sip, sips, or tel URI. If there are
  // two values, one value MUST be a sip or sips URI and the other MUST be a tel URI." RFC 3325 7: with
  // privacy requested it may be withheld.
  {
    id: "invite.p-asserted-identity",
    clause: "TS 24.229 5.2.6.3.1, RFC 3325 9.1",
    statement: "an initial INVITE reaching a UE carries P-Asserted-Identity (unless privacy was requested): one or two values, at most one SIP/SIPS URI and at most one tel URI",
    constrains: "network",
    appliesTo: { kind: "request", methods: ["INVITE"] },
    when: initialInvite,
    check: (o) => assertedIdentityFinding(o.message, "caller"),
  },
  // RFC 3261 16.5, 16.6 item 2: the targets of a request for a registered address-of-record are its
  // registered contacts, and "The Request-URI in the copy's start line MUST be replaced with the URI for
  // this target"; TS 24.229 5.4.3.3: the S-CSCF routes a terminating request to the registered contact.
  // Compared as RFC 3261 19.1.4 says: a parameter only one of them has is ignored, except user, ttl,
  // method, maddr and transport.
  {
    id: "invite.request-uri",
    clause: "RFC 3261 16.6 item 2, TS 24.229 5.4.3.3",
    statement: "the Request-URI of an initial INVITE reaching a UE is the contact address that UE registered (RFC 3261 19.1.4 comparison)",
    constrains: "network",
    appliesTo: { kind: "request", methods: ["INVITE"] },
    when: (o) => initialInvite(o) && bareOrNameAddrUri(o.ue.contact) !== undefined,
    check: (o) => {
      const q = o.message as SipRequest;
      const got = bareOrNameAddrUri(q.uriText);
      const want = bareOrNameAddrUri(o.ue.contact)!;
      return got && uriEquals(got, want) ? undefined : { expected: `Request-URI ${o.ue.contact} (${o.ue.name}'s registered contact)`, received: q.startLine() };
    },
  },
  // RFC 3261 8.1.1.8: "The Contact header field MUST be present and contain exactly one SIP or SIPS URI
  // in any request that can result in the establishment of a dialog"; 16.6 item 1: proxies keep it.
  {
    id: "invite.contact",
    clause: "RFC 3261 8.1.1.8",
    statement: "an initial INVITE (reaching a UE, or sent by a UE under test) carries a Contact with exactly one SIP or SIPS URI",
    constrains: "any",
    appliesTo: { kind: "request", methods: ["INVITE"] },
    when: initialInvite,
    check: (o) => {
      const problem = singleSipContact(o.message);
      return problem ? { expected: `a Contact with one SIP or SIPS URI (the caller's remote target), not ${problem}`, received: quoteIn(o.message, "contact") } : undefined;
    },
  },
  // RFC 3261 20.15: "The Content-Type header field MUST be present if the body is not empty."
  {
    id: "invite.content-type",
    clause: "RFC 3261 20.15",
    statement: "an initial INVITE (reaching a UE, or sent by a UE under test) with a non-empty body carries a Content-Type",
    constrains: "any",
    appliesTo: { kind: "request", methods: ["INVITE"] },
    when: initialInvite,
    check: (o) => bodyWithoutType(o.message),
  },
];

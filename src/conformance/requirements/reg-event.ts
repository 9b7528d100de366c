// Requirements on the reg event package as the subscribing UE sees it (RFC 6665, RFC 3680,
// TS 24.229 5.4.2.1): the 2xx to its SUBSCRIBE, the NOTIFYs it receives and their reginfo bodies.
// A NOTIFY may arrive before the 2xx to the SUBSCRIBE (RFC 6665 4.1.2.4): what is judged against
// the SUBSCRIBE is judged only once the UE has seen a response to it.
import { parseSubscriptionState } from "../../sip/dialog/index.ts";
import { type ReginfoReading, readReginfoSync } from "../../sip/event/reginfo.ts";
import {
  type SipMessage,
  type SipRequest,
  type SipResponse,
  formatUri,
  isNameAddrError,
  isUriParseError,
  paramValue,
  parseNameAddr,
  parseParams,
  parseUri,
  uriEquals,
} from "../../sip/message/index.ts";
import { quoteIn } from "../quote.ts";
import type { Finding, Observation, Requirement } from "../requirement.ts";

const DELTA_SECONDS = /^\d+$/;
const REGINFO = "application/reginfo+xml";
const REGINFO_NS = "urn:ietf:params:xml:ns:reginfo";
const CONTACT_EVENTS = ["registered", "created", "refreshed", "shortened", "expired", "deactivated", "probation", "unregistered", "rejected"];

/** RFC 6665 8.2.1: Event = event-type *( SEMI event-param ); the id parameter takes part in matching. */
function eventOf(m: SipMessage): { type: string; id: string | undefined } | undefined {
  const v = m.header("event");
  if (v === undefined) return undefined;
  const semi = v.indexOf(";");
  const type = (semi < 0 ? v : v.slice(0, semi)).trim();
  const params = semi < 0 ? [] : (parseParams(v, semi) ?? []);
  return { type, id: paramValue(params, "id") };
}

/** A typed view that may throw on a malformed header, read as undefined instead. */
function safely<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/** The NOTIFY's dialog as the UE holds it: Call-ID, the notifier's tag (From), the UE's tag (To). */
function dialogOf(m: SipMessage): string | undefined {
  const callId = m.header("call-id");
  const remote = safely(() => m.fromTag);
  const local = safely(() => m.toTag);
  return callId === undefined ? undefined : `${callId}|${remote ?? ""}|${local ?? ""}`;
}

/** The SUBSCRIBE this NOTIFY belongs to, when the UE has seen a response to it (same Call-ID, its From tag is the NOTIFY's To tag). */
function subscribeOf(o: Observation): SipRequest | undefined {
  const n = o.message;
  const callId = n.header("call-id");
  const local = safely(() => n.toTag);
  for (const e of o.earlier) {
    const q = e.request;
    if (e.message.kind !== "response" || q?.method !== "SUBSCRIBE") continue;
    if (q.header("call-id") === callId && safely(() => q.fromTag) === local) return q;
  }
  return undefined;
}

/** A NOTIFY of the reg event package: its Event says reg, or it has none and its SUBSCRIBE was for reg. */
function isRegNotify(o: Observation): boolean {
  const e = eventOf(o.message);
  if (e) return e.type.toLowerCase() === "reg";
  const s = subscribeOf(o);
  return s !== undefined && eventOf(s)?.type.toLowerCase() === "reg";
}

function mediaType(contentType: string | undefined): string | undefined {
  return contentType?.split(";")[0]!.trim().toLowerCase();
}

/** A reg NOTIFY whose body is declared a reginfo document. */
function carriesReginfo(o: Observation): boolean {
  return o.message.body.length > 0 && mediaType(o.message.contentType) === REGINFO && isRegNotify(o);
}

/** Bodies already read: several requirements, and every later NOTIFY of the dialog, look at the same one. */
const readings = new WeakMap<SipMessage, ReginfoReading | string>();

/** The reginfo body read, or the parser's reason. */
function reginfoOf(m: SipMessage): ReginfoReading | string {
  const known = readings.get(m);
  if (known !== undefined) return known;
  let r: ReginfoReading | string;
  try {
    r = readReginfoSync(m.bodyText);
  } catch (e) {
    r = e instanceof Error ? e.message : String(e);
  }
  readings.set(m, r);
  return r;
}

function reading(o: Observation): ReginfoReading | undefined {
  const r = reginfoOf(o.message);
  return typeof r === "string" ? undefined : r;
}

/**
 * The earlier NOTIFYs of the same subscription dialog that carried a reginfo body, oldest first:
 * retransmissions (absorbed, or repeating a CSeq already seen) are one NOTIFY, not a new document.
 */
function earlierDocuments(o: Observation): { cseq: string; reading: ReginfoReading | undefined }[] {
  const dialog = dialogOf(o.message);
  const seen = new Set<string>();
  const out: { cseq: string; reading: ReginfoReading | undefined }[] = [];
  for (const e of o.earlier) {
    const m = e.message;
    if (m.kind !== "request" || m.method !== "NOTIFY" || e.retransmission || dialogOf(m) !== dialog) continue;
    const cseq = m.header("cseq") ?? "";
    if (seen.has(cseq)) continue;
    seen.add(cseq);
    if (m.body.length === 0 || mediaType(m.contentType) !== REGINFO) continue;
    out.push({ cseq, reading: reading(e) });
  }
  return out;
}

/** A NOTIFY that is a new document of its subscription: not absorbed as a retransmission, a CSeq not seen before. */
function isNewDocument(o: Observation): boolean {
  if (o.retransmission) return false;
  const cseq = o.message.header("cseq") ?? "";
  const dialog = dialogOf(o.message);
  return !o.earlier.some((e) => e.message.kind === "request" && e.message.method === "NOTIFY" && dialogOf(e.message) === dialog && (e.message.header("cseq") ?? "") === cseq);
}

function excerpt(m: SipMessage): string {
  const body = m.bodyText.replace(/\s+/g, " ").trim();
  return body.length > 300 ? `${body.slice(0, 300)}...` : body;
}

export const REG_EVENT_REQUIREMENTS: readonly Requirement[] = [
  // RFC 6665 4.2.1.1: "The 200-class response to the SUBSCRIBE request MUST contain an "Expires"
  // header field", the actual duration of the subscription (4.1.2.1: the subscriber reads it there).
  {
    id: "subscribe-2xx.expires",
    clause: "RFC 6665 4.2.1.1, 4.1.2.1",
    statement: "a 2xx to SUBSCRIBE carries an Expires header (delta-seconds): the duration the notifier granted",
    constrains: "network",
    appliesTo: { kind: "response", methods: ["SUBSCRIBE"], status: [200, 299] },
    check: (o) => {
      const r = o.message as SipResponse;
      const v = r.header("expires")?.trim();
      return v !== undefined && DELTA_SECONDS.test(v) ? undefined : { expected: "Expires: <delta-seconds> (the subscription's duration)", received: quoteIn(r, "expires") };
    },
  },
  // RFC 6665 4.2.1.1: the period in the 200-class response "MAY be shorter but MUST NOT be longer
  // than specified in the request" (the same for a refresh, 4.2.1.3; for Expires: 0 it is 0).
  {
    id: "subscribe-2xx.expires-not-longer",
    clause: "RFC 6665 4.2.1.1",
    statement: "the Expires of a 2xx to SUBSCRIBE is not longer than the Expires the SUBSCRIBE asked for",
    constrains: "network",
    appliesTo: { kind: "response", methods: ["SUBSCRIBE"], status: [200, 299] },
    when: (o) => DELTA_SECONDS.test(o.request!.header("expires")?.trim() ?? "") && DELTA_SECONDS.test((o.message as SipResponse).header("expires")?.trim() ?? ""),
    check: (o) => {
      const r = o.message as SipResponse;
      const asked = Number(o.request!.header("expires")!.trim());
      const granted = Number(r.header("expires")!.trim());
      return granted <= asked ? undefined : { expected: `Expires: ${asked} or less (the SUBSCRIBE's)`, received: quoteIn(r, "expires") };
    },
  },
  // RFC 6665 8.2.1: NOTIFY and SUBSCRIBE match by "Event": the event-type compared byte by byte and
  // the "id" parameter (one with an id never matches one without); 4.2.2: the NOTIFY is sent for
  // the subscription, so its Event names the package the SUBSCRIBE asked for (reg, RFC 3680 4.1).
  {
    id: "notify.event",
    clause: "RFC 6665 8.2.1",
    statement: "a NOTIFY carries one Event header whose event type and id match the SUBSCRIBE of its subscription",
    constrains: "network",
    appliesTo: { kind: "request", methods: ["NOTIFY"] },
    check: (o): Finding | undefined => {
      const n = o.message;
      const lines = n.headers.filter((h) => h.key === "event");
      const e = eventOf(n);
      const s = subscribeOf(o);
      const asked = s ? eventOf(s) : undefined;
      const expected = asked ? `Event: ${asked.type}${asked.id !== undefined ? `;id=${asked.id}` : ""} (the SUBSCRIBE's)` : "one Event header naming the subscribed event package";
      if (lines.length !== 1 || !e || e.type === "" || !/^[A-Za-z0-9.!%*_+`'~-]+$/.test(e.type)) return { expected, received: quoteIn(n, "event") };
      if (asked && (asked.type !== e.type || asked.id !== e.id)) return { expected, received: quoteIn(n, "event") };
      return undefined;
    },
  },
  // RFC 6665 4.2.2: "NOTIFY requests MUST contain a "Subscription-State" header field with a value
  // of "active", "pending", or "terminated"."
  {
    id: "notify.subscription-state",
    clause: "RFC 6665 4.2.2",
    statement: 'a NOTIFY carries a Subscription-State header with the value "active", "pending" or "terminated"',
    constrains: "network",
    appliesTo: { kind: "request", methods: ["NOTIFY"] },
    check: (o) => {
      const n = o.message;
      const s = parseSubscriptionState(n.header("subscription-state"));
      return s && ["active", "pending", "terminated"].includes(s.state)
        ? undefined
        : { expected: "Subscription-State: active;expires=<s> | pending;expires=<s> | terminated[;reason=<reason>]", received: quoteIn(n, "subscription-state") };
    },
  },
  // RFC 6665 4.2.2: "If the value of the "Subscription-State" header field is "active" or
  // "pending", the notifier MUST also include in the "Subscription-State" header field an
  // "expires" parameter that indicates the time remaining on the subscription."
  {
    id: "notify.subscription-state-expires",
    clause: "RFC 6665 4.2.2",
    statement: 'a NOTIFY with Subscription-State "active" or "pending" carries an expires parameter (delta-seconds): the time the subscription has left',
    constrains: "network",
    appliesTo: { kind: "request", methods: ["NOTIFY"] },
    when: (o) => ["active", "pending"].includes(parseSubscriptionState(o.message.header("subscription-state"))?.state ?? ""),
    check: (o) => {
      const n = o.message;
      const s = parseSubscriptionState(n.header("subscription-state"));
      return s?.expires !== undefined ? undefined : { expected: `Subscription-State: ${s?.state ?? "active"};expires=<delta-seconds>`, received: quoteIn(n, "subscription-state") };
    },
  },
  // RFC 3680 4.5: "All subscribers and notifiers MUST support the "application/reginfo+xml" data
  // format"; without an Accept header it is the default, and with one it is listed (RFC 6665 4.2.2:
  // the NOTIFY body is of a format the SUBSCRIBE accepts).
  {
    id: "reginfo.content-type",
    clause: "RFC 3680 4.5",
    statement: "a reg event NOTIFY with a body declares it Content-Type: application/reginfo+xml (or another type the SUBSCRIBE's Accept listed)",
    constrains: "network",
    appliesTo: { kind: "request", methods: ["NOTIFY"] },
    when: (o) => o.message.body.length > 0 && isRegNotify(o),
    check: (o) => {
      const n = o.message;
      const accepted = (subscribeOf(o)?.headerValues("accept") ?? []).map((a) => mediaType(a)!).filter((a) => a !== "");
      const allowed = [...new Set([REGINFO, ...accepted])];
      const got = mediaType(n.contentType);
      // RFC 3261 20.1: an Accept range "type/*" or "*/*" admits every subtype
      const admits = (range: string): boolean => range === got || range === "*/*" || (range.endsWith("/*") && got?.startsWith(range.slice(0, -1)) === true);
      return got !== undefined && allowed.some(admits) ? undefined : { expected: `Content-Type: ${allowed.join(" or ")}`, received: quoteIn(n, "content-type") };
    },
  },
  // RFC 3680 5.1: "Registration information is an XML document that MUST be well-formed"; it
  // "begins with the root element tag "reginfo"" in the namespace urn:ietf:params:xml:ns:reginfo.
  {
    id: "reginfo.well-formed",
    clause: "RFC 3680 5.1",
    statement: "the reginfo body of a reg NOTIFY is well-formed XML whose root element is reginfo in the namespace urn:ietf:params:xml:ns:reginfo",
    constrains: "network",
    appliesTo: { kind: "request", methods: ["NOTIFY"] },
    when: carriesReginfo,
    check: (o) => {
      const r = reginfoOf(o.message);
      if (typeof r === "string") return { expected: `a well-formed <reginfo xmlns="${REGINFO_NS}"> document`, received: `${r}: ${excerpt(o.message)}` };
      return r.namespace === REGINFO_NS
        ? undefined
        : {
            expected: `<reginfo xmlns="${REGINFO_NS}" ...>`,
            received: `a reginfo root element ${r.namespace === undefined ? "without a namespace" : `in the namespace "${r.namespace}"`}: ${excerpt(o.message)}`,
          };
    },
  },
  // RFC 3680 5.1: "There are two attributes associated with the "reginfo" element, both of which
  // MUST be present": version ("Versions MUST be representable using a 32 bit integer") and
  // state, full or partial.
  {
    id: "reginfo.document-attributes",
    clause: "RFC 3680 5.1",
    statement: 'the reginfo element carries a version (a non-negative 32-bit integer) and a state ("full" or "partial")',
    constrains: "network",
    appliesTo: { kind: "request", methods: ["NOTIFY"] },
    when: (o) => carriesReginfo(o) && reading(o) !== undefined,
    check: (o) => {
      const r = reading(o)!;
      const v = r.versionText?.trim();
      const ok = v !== undefined && DELTA_SECONDS.test(v) && Number(v) <= 0xffffffff && ["full", "partial"].includes(r.reginfo.state);
      return ok
        ? undefined
        : {
            expected: '<reginfo version="<0..4294967295>" state="full|partial">',
            received: `version ${v === undefined ? "absent" : `"${v}"`}, state ${r.reginfo.state === "" ? "absent" : `"${r.reginfo.state}"`}`,
          };
    },
  },
  // RFC 3680 5.1: the "registration" element has three attributes, "all of which MUST be
  // included": aor (a URI, the address-of-record), id, and state ("init", "active" or "terminated").
  {
    id: "reginfo.registration",
    clause: "RFC 3680 5.1",
    statement: 'each registration element carries an aor (a URI), an id and a state ("init", "active" or "terminated")',
    constrains: "network",
    appliesTo: { kind: "request", methods: ["NOTIFY"] },
    when: (o) => carriesReginfo(o) && reading(o) !== undefined,
    check: (o) => {
      const bad = reading(o)!.reginfo.registrations.filter((g) => isUriParseError(parseUri(g.aor.trim())) || g.id === "" || !["init", "active", "terminated"].includes(g.state));
      if (bad.length === 0) return undefined;
      return { expected: '<registration aor="<URI>" id="<id>" state="init|active|terminated">', received: bad.map((g) => `<registration aor="${g.aor}" id="${g.id}" state="${g.state}">`).join(", ") };
    },
  },
  // RFC 3680 5.1: the "contact" element has the attributes id, state ("active" or "terminated")
  // and event (registered, created, refreshed, shortened, expired, deactivated, probation,
  // unregistered, rejected), which "MUST be present", and contains a "uri" element; "If the event
  // attribute has a value of shortened, the "expires" attribute MUST be present."
  {
    id: "reginfo.contact",
    clause: "RFC 3680 5.1",
    statement: "each contact element carries an id, a state (active or terminated), an event of RFC 3680 (expires with shortened) and a uri element",
    constrains: "network",
    appliesTo: { kind: "request", methods: ["NOTIFY"] },
    when: (o) => carriesReginfo(o) && reading(o) !== undefined,
    check: (o) => {
      const contacts = reading(o)!.reginfo.registrations.flatMap((g) => g.contacts);
      const bad = contacts.filter(
        (c) =>
          c.id === "" ||
          !["active", "terminated"].includes(c.state) ||
          !CONTACT_EVENTS.includes(c.event) ||
          c.uri === "" ||
          (c.event === "shortened" && !(Number.isInteger(c.expires) && c.expires! >= 0)),
      );
      if (bad.length === 0) return undefined;
      return {
        expected:
          '<contact id="<id>" state="active|terminated" event="registered|created|refreshed|shortened|expired|deactivated|probation|unregistered|rejected" [expires="<s>"]><uri>...</uri></contact>',
        received: bad.map((c) => `<contact id="${c.id}" state="${c.state}" event="${c.event}"${c.expires !== undefined ? ` expires="${c.expires}"` : ""}><uri>${c.uri}</uri>`).join(", "),
      };
    },
  },
  // RFC 3680 5.1: "Versions start at 0, and increment by one for each new document sent to a
  // subscriber. Versions are scoped within a subscription." A retransmitted NOTIFY is the same
  // document; a NOTIFY of another subscription (another dialog) counts on its own.
  {
    id: "reginfo.version",
    clause: "RFC 3680 5.1",
    statement: "within one subscription, each new reginfo document's version is one more than the previous document's",
    constrains: "network",
    appliesTo: { kind: "request", methods: ["NOTIFY"] },
    when: (o) => carriesReginfo(o) && isNewDocument(o) && reading(o) !== undefined,
    check: (o) => {
      const docs = earlierDocuments(o);
      const previous = docs[docs.length - 1];
      if (!previous?.reading) return undefined;
      const before = previous.reading.reginfo.version;
      const now = reading(o)!.reginfo.version;
      return now === before + 1
        ? undefined
        : {
            expected: `version="${before + 1}" (the previous NOTIFY, CSeq ${previous.cseq}, had version="${before}")`,
            received: `version="${reading(o)!.versionText ?? ""}" in NOTIFY CSeq ${o.message.header("cseq") ?? ""}`,
          };
    },
  },
  // RFC 6665 4.2.1.2: upon accepting a subscription the notifier MUST send a NOTIFY "to communicate
  // the current resource state"; RFC 3680 5.1: state "full" is the document with the full
  // registration state, "partial" only what changed since the previous document, which the first
  // NOTIFY of a subscription does not have (TS 24.229 5.4.2.1.2: full state in the first NOTIFY).
  {
    id: "reginfo.first-full",
    clause: "RFC 6665 4.2.1.2, TS 24.229 5.4.2.1.2",
    statement: 'the first reginfo document of a subscription has state="full"',
    constrains: "network",
    appliesTo: { kind: "request", methods: ["NOTIFY"] },
    when: (o) => carriesReginfo(o) && isNewDocument(o) && reading(o) !== undefined && earlierDocuments(o).length === 0,
    check: (o) => {
      const state = reading(o)!.reginfo.state;
      return state === "full"
        ? undefined
        : { expected: '<reginfo ... state="full"> (the first NOTIFY of the subscription)', received: `state="${state}" in NOTIFY CSeq ${o.message.header("cseq") ?? ""}` };
    },
  },
  // TS 24.229 5.4.2.1.2: the S-CSCF's NOTIFY carries a <registration> element for the public user
  // identity subscribed to (and the others of its implicit registration set), its aor attribute set
  // to that identity. The NOTIFY's From is the resource: the To of the SUBSCRIBE (RFC 6665 4.1.2.1).
  {
    id: "reginfo.subscribed-aor",
    clause: "TS 24.229 5.4.2.1.2",
    statement: "a full reginfo document contains a registration element whose aor is the public user identity subscribed to (the NOTIFY's From URI)",
    constrains: "network",
    appliesTo: { kind: "request", methods: ["NOTIFY"] },
    when: (o) => carriesReginfo(o) && reading(o)?.reginfo.state === "full",
    check: (o) => {
      const n = o.message;
      const from = parseNameAddr(n.header("from") ?? "");
      if (isNameAddrError(from)) return undefined;
      const regs = reading(o)!.reginfo.registrations;
      const found = regs.some((g) => {
        const u = parseUri(g.aor.trim());
        return !isUriParseError(u) && uriEquals(u, from.uri);
      });
      return found
        ? undefined
        : { expected: `<registration aor="${formatUri(from.uri)}"> (the subscribed identity, the NOTIFY's From)`, received: `aors: ${regs.map((g) => g.aor).join(", ") || "none"}` };
    },
  },
];

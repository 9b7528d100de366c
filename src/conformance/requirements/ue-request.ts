// Requirements on the requests (and INVITE 2xx retransmissions) of a UE under test, as the harness's
// network receives them, judged against what the network sent it before (`o.sent`): the Route set
// from the stored Service-Route (TS 24.229 5.1.2A.1.1), sending only while registered (5.1.1.7),
// the preferred identity among the associated ones (RFC 3325 9.2), the SDP offer of an initial
// INVITE (RFC 3264 5) and the end of 2xx retransmissions at the ACK (RFC 3261 13.3.1.4).
// Every check reads the message leniently and never throws: an unreadable header is judged.
import { parseSdp } from "../../media/index.ts";
import { readReginfoSync } from "../../sip/event/reginfo.ts";
import { type SipMessage, type SipRequest, type SipResponse, type Uri, isNameAddrError, isUriParseError, paramValue, parseNameAddr, parseUri, uriEquals } from "../../sip/message/index.ts";
import { quoteHeader, quoteIn } from "../quote.ts";
import type { Observation, Requirement, SentMessage, UeFacts } from "../requirement.ts";
import { forSyntaxCheck, scanConnections, sessionDescription } from "../sdp-body.ts";
import { cseqOf, safe, toTagOf } from "../safe-read.ts";

/** Requests that start a dialog or stand alone (TS 24.229 5.1.2A.1.1's "initial request"); REGISTER, ACK and CANCEL are not. */
const INITIAL_METHODS = ["INVITE", "MESSAGE", "SUBSCRIBE", "OPTIONS"];

/** RFC 3261 2xx retransmissions still in flight when the ACK arrived are tolerated this long (ms). */
export const ACK_GRACE_MS = 250;

const DELTA_SECONDS = /^\d+$/;

/** A request outside any dialog (no To tag) of a method that starts one or stands alone. */
function initialRequest(o: Observation): boolean {
  const m = o.message;
  return m.kind === "request" && INITIAL_METHODS.includes(m.method) && m.hasHeader("to") && toTagOf(m) === undefined;
}

const isRegister2xx = (m: SipMessage): m is SipResponse => m.kind === "response" && m.status >= 200 && m.status < 300 && cseqOf(m)?.method === "REGISTER";

/** The newest 2xx to a REGISTER the network sent, or undefined. */
function newestRegister2xx(o: Observation): SipResponse | undefined {
  return [...(o.sent ?? [])].reverse().find((s) => isRegister2xx(s.message))?.message as SipResponse | undefined;
}

/** The URI of a name-addr or addr-spec value, or undefined. */
function uriOf(value: string): Uri | undefined {
  const na = parseNameAddr(value);
  return isNameAddrError(na) ? undefined : na.uri;
}

/** The URI of a bare URI or name-addr text (the UE facts), or undefined. */
function factUri(text: string): Uri | undefined {
  const u = parseUri(text.trim());
  return isUriParseError(u) ? uriOf(text) : u;
}

/**
 * RFC 3261 10.3 step 8: a 2xx to REGISTER lists the current bindings with their expiration (the
 * expires parameter, else the Expires header). It leaves the UE registered when it lists the UE's
 * contact (any binding when the contact is unknown) with an expiration above 0.
 */
export function grantsRegistration(r: SipResponse, ue: UeFacts): boolean {
  const header = r.header("expires")?.trim();
  const headerExpires = header !== undefined && DELTA_SECONDS.test(header) ? Number(header) : undefined;
  const own = factUri(ue.contact);
  return r.headerValues("contact").some((v) => {
    const na = parseNameAddr(v);
    if (isNameAddrError(na)) return false;
    if (own && !uriEquals(own, na.uri)) return false;
    const p = paramValue(na.params, "expires")?.trim();
    const expires = p !== undefined && DELTA_SECONDS.test(p) ? Number(p) : headerExpires;
    return expires !== undefined && expires > 0;
  });
}

/** A reg event NOTIFY (RFC 3680) whose reginfo has the UE's registration (any, when its identity is unknown) in state "terminated". */
function terminatesRegistration(m: SipMessage, ue: UeFacts): boolean {
  if (m.kind !== "request" || m.method !== "NOTIFY") return false;
  if (m.header("event")?.split(";")[0].trim().toLowerCase() !== "reg" || m.body.length === 0) return false;
  const reading = safe(() => readReginfoSync(m.bodyText));
  if (!reading) return false;
  const impu = factUri(ue.impu);
  return reading.reginfo.registrations.some((g) => {
    if (g.state !== "terminated") return false;
    const aor = factUri(g.aor);
    return impu === undefined || aor === undefined || uriEquals(impu, aor);
  });
}

/** What the network last told the UE about its registration: the newest REGISTER 2xx or terminating reg NOTIFY. */
function lastRegistrationEvent(o: Observation): { registered: boolean; what: SentMessage } | undefined {
  for (const s of [...(o.sent ?? [])].reverse()) {
    if (isRegister2xx(s.message)) return { registered: grantsRegistration(s.message, o.ue), what: s };
    if (terminatesRegistration(s.message, o.ue)) return { registered: false, what: s };
  }
  return undefined;
}

/** The newest REGISTER 2xx when it left the UE registered and carries Service-Route. */
function storedServiceRoute(o: Observation): SipResponse | undefined {
  const event = lastRegistrationEvent(o);
  if (!event?.registered) return undefined;
  const r = event.what.message as SipResponse;
  return r.headerValues("service-route").length > 0 ? r : undefined;
}

/** RFC 8866 5.14: m=<media> <port>[/<number of ports>] <proto> <fmt> ...: the port and how many formats. */
function mediaLine(line: string): { port: number; formats: number } {
  const m = /^m=\S+ +(\d+)(?:\/\d+)? +\S+((?: +\S+)*) *$/.exec(line);
  return m ? { port: Number(m[1]), formats: m[2].trim() === "" ? 0 : m[2].trim().split(/ +/).length } : { port: 0, formats: 0 };
}

const describeSent = (m: SipMessage): string => `${m.startLine()}${m.kind === "response" ? ` (to CSeq ${m.header("cseq") ?? "?"})` : ""}`;

export const UE_REQUEST_REQUIREMENTS: readonly Requirement[] = [
  // TS 24.229 5.1.1.2.1: the UE stores the Service-Route of the 200 (OK) to its REGISTER;
  // 5.1.2A.1.1: in an initial request it builds "a list of Route header field values made out of
  // ... the P-CSCF URI ... and the values received in the Service-Route header field saved from the
  // 200 (OK) response to the last registration or re-registration" (RFC 3608 6: in that order).
  {
    id: "ue-request.route",
    clause: "TS 24.229 5.1.2A.1.1, 5.1.1.2.1, RFC 3608 6",
    statement:
      "an initial request from the UE (INVITE, MESSAGE, SUBSCRIBE, OPTIONS) carries Route values ending with the Service-Route of the network's last 2xx to its registration, in order (a P-CSCF URI may precede them)",
    constrains: "ue",
    appliesTo: { kind: "request", methods: INITIAL_METHODS },
    when: (o) => initialRequest(o) && storedServiceRoute(o) !== undefined,
    check: (o) => {
      const q = o.message as SipRequest;
      const sr = storedServiceRoute(o)!.headerValues("service-route");
      const srUris = sr.map(uriOf);
      const routes = q.headerValues("route").map(uriOf);
      const tail = routes.slice(routes.length - sr.length);
      const ok =
        routes.length >= sr.length &&
        tail.every((u, i) => {
          const want = srUris[i];
          return u !== undefined && want !== undefined && uriEquals(u, want);
        });
      return ok ? undefined : { expected: `Route: [<P-CSCF URI>,] ${sr.join(", ")} (the stored Service-Route, last and in order)`, received: quoteIn(q, "route") };
    },
  },
  // TS 24.229 5.1.2A.1.1: the UE sends initial requests for a registered public user identity;
  // 5.1.1.6 (after its own de-registration) and 5.1.1.7 (a reg event NOTIFY with the registration
  // terminated: the UE considers the identity de-registered; paraphrased) it no longer does. Judged by what the
  // network last said: a 2xx that bound the UE's contact (expires > 0), a 2xx that removed it, or a
  // reg NOTIFY terminating the registration. No 2xx to a REGISTER yet: not registered.
  {
    id: "ue-request.registered",
    clause: "TS 24.229 5.1.2A.1.1, 5.1.1.6, 5.1.1.7",
    statement:
      "the UE sends an initial request (INVITE, MESSAGE, SUBSCRIBE, OPTIONS) only while registered: the network's last word was a 2xx to REGISTER binding its contact, not a de-registration 2xx or a reg NOTIFY with the registration terminated",
    constrains: "ue",
    appliesTo: { kind: "request", methods: INITIAL_METHODS },
    when: initialRequest,
    check: (o) => {
      const event = lastRegistrationEvent(o);
      if (event?.registered) return undefined;
      const q = o.message as SipRequest;
      const why = event ? `after ${describeSent(event.what.message)}, which ended the registration` : "before any 2xx to a REGISTER";
      return { expected: "no initial request before the UE is registered (a 2xx to its REGISTER binding its contact)", received: `${q.startLine()} ${why}` };
    },
  },
  // RFC 3261 13.2.1: "The initial offer MUST be in either an INVITE or, if not there, in the first
  // non-failure reliable message from the UAS back to the UAC"; TS 24.229 5.1.3.1 / 6.1.2: an IMS
  // UE originating a session puts its SDP offer in the initial INVITE (not verified against the TS text). RFC 3264 5: the offer has
  // m= lines with ports and formats; RFC 8866 5.7: a c= at session level or in each m= section.
  {
    id: "ue-invite.sdp-offer",
    clause: "TS 24.229 5.1.3.1, RFC 3264 5, RFC 3261 13.2.1",
    statement:
      "an initial INVITE from the UE carries an SDP offer (application/sdp) that parses, with an m= line with a port > 0 and a payload type, and a c= line (session level or in each such m= section)",
    constrains: "ue",
    appliesTo: { kind: "request", methods: ["INVITE"] },
    when: (o) => toTagOf(o.message) === undefined && o.message.hasHeader("to"),
    check: (o) => {
      const q = o.message as SipRequest;
      const expected = "Content-Type: application/sdp with v=, o=, s=, c=, t= and m=<media> <port > 0> <proto> <payload types>";
      const text = sessionDescription(q);
      if (text === undefined) return { expected, received: `${quoteHeader(q, "content-type")} with a body of ${q.body.length} bytes in ${q.startLine()} (no SDP offer)` };
      // Read line by line first, so that a missing m= or c= is named as such (the parser refuses both)
      const scan = scanConnections(text);
      const media = scan.media.map((m) => ({ ...m, ...mediaLine(m.line) }));
      const usable = media.filter((m) => m.port > 0 && m.formats > 0);
      if (usable.length === 0) {
        return { expected, received: media.length === 0 ? "an SDP offer without any m= line" : `no m= line with a port > 0 and a payload type: ${media.map((m) => m.line).join(" | ")}` };
      }
      const noC = scan.session ? [] : usable.filter((m) => m.connections === 0);
      if (noC.length > 0) return { expected, received: `no c= line at session level nor after ${noC.map((m) => m.line).join(", ")}` };
      const syntax = forSyntaxCheck(text);
      const parsed = parseSdp(syntax.text);
      if (!parsed.ok) return { expected, received: `an SDP that does not parse: line ${syntax.original[parsed.error.line - 1] ?? parsed.error.line}: ${parsed.error.reason}` };
      return undefined;
    },
  },
  // RFC 3325 9.2: a UA may insert P-Preferred-Identity naming the identity it wants asserted;
  // TS 24.229 5.1.2A.1.1: the UE may put there one of its registered public user identities or an
  // implicitly registered one, i.e. one the network listed in P-Associated-URI (paraphrased).
  {
    id: "ue-request.p-preferred-identity",
    clause: "TS 24.229 5.1.2A.1.1, RFC 3325 9.2",
    statement: "where an initial request from the UE carries P-Preferred-Identity, each value is one of the public identities of the P-Associated-URI in the network's last 2xx to REGISTER",
    constrains: "ue",
    appliesTo: { kind: "request", methods: INITIAL_METHODS },
    when: (o) => initialRequest(o) && o.message.headerValues("p-preferred-identity").length > 0 && (newestRegister2xx(o)?.headerValues("p-associated-uri").length ?? 0) > 0,
    check: (o) => {
      const q = o.message as SipRequest;
      const pau = newestRegister2xx(o)!.headerValues("p-associated-uri");
      const listed = pau.map(uriOf).filter((u): u is Uri => u !== undefined);
      const ok = q.headerValues("p-preferred-identity").every((v) => {
        const u = uriOf(v);
        return u !== undefined && listed.some((l) => uriEquals(l, u));
      });
      return ok ? undefined : { expected: `P-Preferred-Identity: one of ${pau.join(", ")} (the last REGISTER 2xx's P-Associated-URI)`, received: quoteIn(q, "p-preferred-identity") };
    },
  },
  // RFC 3261 13.3.1.4: "Response retransmissions cease when an ACK request for the response is
  // received"; 17.2.1 /
  // RFC 6026 7.1: the ACK for a 2xx has the INVITE's Call-ID and CSeq number and the 2xx's To tag.
  // A retransmission arriving more than ACK_GRACE_MS after the ACK was sent is not one in flight.
  {
    id: "ue-invite.2xx-after-ack",
    clause: "RFC 3261 13.3.1.4",
    statement: `the UE stops retransmitting a 2xx to INVITE once the ACK arrived: no 2xx of that dialog and INVITE more than ${ACK_GRACE_MS} ms after the network sent the ACK`,
    constrains: "ue",
    appliesTo: { kind: "response", methods: ["INVITE"], status: [200, 299] },
    when: (o) => o.at !== undefined,
    check: (o) => {
      const r = o.message as SipResponse;
      const id = r.header("call-id")?.trim();
      const seq = cseqOf(r)?.seq;
      const tag = toTagOf(r);
      const ack = (o.sent ?? []).find((s) => {
        const m = s.message;
        return m.kind === "request" && m.method === "ACK" && m.header("call-id")?.trim() === id && cseqOf(m)?.seq === seq && toTagOf(m) === tag && o.at! - s.at > ACK_GRACE_MS;
      });
      if (!ack) return undefined;
      return {
        expected: `no retransmission of the 2xx more than ${ACK_GRACE_MS} ms after the ACK (${(ack.message as SipRequest).startLine()}, CSeq ${ack.message.header("cseq") ?? "?"})`,
        received: `${r.startLine()} (Call-ID ${id ?? "?"}, CSeq ${r.header("cseq") ?? "?"}, To tag ${tag ?? "none"}) ${o.at! - ack.at} ms after the ACK was sent`,
      };
    },
  },
];

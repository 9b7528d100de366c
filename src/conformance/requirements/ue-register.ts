// Requirements on the REGISTER requests of a UE under test (TS 24.229 5.1.1.2.1, 5.1.1.4.1; RFC 3261
// 10.2, 22.2; RFC 7616 3.4; RFC 3310 3.2), as the harness's network receives them: what a
// registration asks for and how it answers the network's challenge (the 401s in `o.sent`).
// Every check reads the message leniently and never throws: an unreadable header is judged.
import { type AuthChallenge, parseAuthChallenges, parseAuthParams } from "../../sip/auth/index.ts";
import { type SipMessage, type SipRequest, type SipResponse, type Uri, isNameAddrError, isSipUri, isUriParseError, paramValue, parseNameAddr, parseUri, uriEquals } from "../../sip/message/index.ts";
import { quoteHeader, quoteIn } from "../quote.ts";
import type { Finding, Observation, Requirement, SentMessage } from "../requirement.ts";
import { cseqOf, safe } from "../safe-read.ts";

const DELTA_SECONDS = /^\d+$/;

/** TS 24.229 5.1.1.2.1: "set to the value of 600 000 seconds as the value desired for the duration of the registration". */
export const UE_REGISTRATION_EXPIRES = 600000;

const callIdOf = (m: SipMessage): string | undefined => m.header("call-id")?.trim();

/** One Contact value of a REGISTER, read leniently: "*", a name-addr with the expiration it asks for, or why it does not parse. */
type RegisterContact = { star: true; text: string } | { star: false; text: string; uri: Uri; expires: number | undefined } | { star: false; text: string; error: string };

/** RFC 3261 10.2.1.1: the expires parameter of a Contact, else the Expires header; undefined: none asked (or not delta-seconds). */
export function registerContacts(req: SipRequest): RegisterContact[] {
  const header = req.header("expires")?.trim();
  const headerExpires = header !== undefined && DELTA_SECONDS.test(header) ? Number(header) : undefined;
  return req.headerValues("contact").map((text): RegisterContact => {
    if (text.trim() === "*") return { star: true, text };
    const na = parseNameAddr(text);
    if (isNameAddrError(na)) return { star: false, text, error: na.error };
    const p = paramValue(na.params, "expires")?.trim();
    return { star: false, text, uri: na.uri, expires: p !== undefined && DELTA_SECONDS.test(p) ? Number(p) : headerExpires };
  });
}

/** A REGISTER that registers: a Contact (not "*") whose expiration is not 0 (none asked: the registrar chooses, still a registration). */
export function registersContact(req: SipRequest): boolean {
  const contacts = registerContacts(req);
  return !contacts.some((c) => c.star) && contacts.some((c) => !c.star && "uri" in c && c.expires !== 0);
}

/** A response the network sent to a REGISTER (by its CSeq method), with the status range. */
export function isRegisterResponse(m: SipMessage, low: number, high: number): m is SipResponse {
  return m.kind === "response" && m.status >= low && m.status <= high && cseqOf(m)?.method === "REGISTER";
}

/** The newest 401 the network sent to a REGISTER of this Call-ID, or undefined. */
function newestChallenge(o: Observation): SentMessage | undefined {
  const id = callIdOf(o.message);
  return [...(o.sent ?? [])].reverse().find((s) => isRegisterResponse(s.message, 401, 401) && callIdOf(s.message) === id);
}

/** The Digest challenges of a 401's WWW-Authenticate lines (RFC 7235 4.1: one line may carry several). */
function digestChallenges(r: SipMessage): AuthChallenge[] {
  return r
    .headerValues("www-authenticate")
    .flatMap((line) => parseAuthChallenges(line))
    .filter((c) => c.scheme.toLowerCase() === "digest");
}

/** The Digest credentials of every Authorization line of the request. */
function digestCredentials(q: SipMessage): AuthChallenge[] {
  return q
    .headerValues("authorization")
    .map((line) => parseAuthParams(line))
    .filter((c) => c.scheme.toLowerCase() === "digest");
}

/** The digest-uri names the Request-URI (RFC 3261 22.4: compared as URIs; text equality when either does not parse). */
function sameUriText(a: string, b: string): boolean {
  const x = parseUri(a.trim());
  const y = parseUri(b.trim());
  if (isUriParseError(x) || isUriParseError(y)) return a.trim() === b.trim();
  return uriEquals(x, y);
}

/** The host of the Request-URI (the home domain name, TS 24.229 5.1.1.2.1), lower-cased, or undefined. */
function requestUriHost(q: SipRequest): string | undefined {
  const u = safe(() => q.uri);
  return u && isSipUri(u) ? u.host.toLowerCase() : undefined;
}

const show = (v: string | undefined): string => (v === undefined ? "absent" : `"${v}"`);

export const UE_REGISTER_REQUIREMENTS: readonly Requirement[] = [
  // TS 24.229 5.1.1.2.1: the REGISTER carries a Supported header field with the "path" option tag
  // (RFC 3327; paraphrased), for the initial registration and (5.1.1.4.1) a re-registration.
  {
    id: "ue-register.supported-path",
    clause: "TS 24.229 5.1.1.2.1, 5.1.1.4.1",
    statement: 'a REGISTER from the UE that registers a contact (expiration not 0) carries Supported with the option tag "path"',
    constrains: "ue",
    appliesTo: { kind: "request", methods: ["REGISTER"] },
    when: (o) => registersContact(o.message as SipRequest),
    check: (o) => {
      const q = o.message as SipRequest;
      return q.optionTags("supported").some((t) => t.trim() === "path") ? undefined : { expected: "Supported: path (with any other option tags)", received: quoteIn(q, "supported") };
    },
  },
  // TS 24.229 5.1.1.2.1 (and 5.1.1.4.1 for a re-registration): "an Expires header field, or the
  // expires parameter within the Contact header field, set to the value of 600 000 seconds as the
  // value desired for the duration of the registration"; a de-registration (0) is 5.1.1.6's.
  {
    id: "ue-register.expires",
    clause: "TS 24.229 5.1.1.2.1, 5.1.1.4.1",
    statement: "a REGISTER from the UE that registers a contact asks for 600000 seconds, by the Contact's expires parameter or the Expires header",
    constrains: "ue",
    appliesTo: { kind: "request", methods: ["REGISTER"] },
    when: (o) => registersContact(o.message as SipRequest),
    check: (o) => {
      const q = o.message as SipRequest;
      const bad = registerContacts(q).filter((c) => !c.star && "uri" in c && c.expires !== 0 && c.expires !== UE_REGISTRATION_EXPIRES);
      if (bad.length === 0) return undefined;
      return { expected: `Expires: ${UE_REGISTRATION_EXPIRES} or Contact: <...>;expires=${UE_REGISTRATION_EXPIRES}`, received: `${quoteHeader(q, "contact")} with ${quoteHeader(q, "expires")}` };
    },
  },
  // RFC 3261 10.2.1: the Contact of a REGISTER holds the addresses to bind, "*" only with Expires: 0
  // (10.2.2, removing every binding); RFC 3261 10.2.1.1 / TS 24.229 5.1.1.2.1: the UE binds its
  // contact address (a SIP URI with its IP address or FQDN). An IMS UE never fetches bindings
  // without a Contact (5.1.1.4.1 allows it, but then it is a query, which the UE under test is not asked to do).
  {
    id: "ue-register.contact",
    clause: "TS 24.229 5.1.1.2.1, RFC 3261 10.2.1, 10.2.2",
    statement: 'a REGISTER from the UE carries at least one Contact, each a SIP or SIPS URI with a host; "*" only as the single value with Expires: 0',
    constrains: "ue",
    appliesTo: { kind: "request", methods: ["REGISTER"] },
    check: (o) => {
      const q = o.message as SipRequest;
      const contacts = registerContacts(q);
      const expected = 'Contact: <sip:user@host:port> (a SIP/SIPS URI with a host); "Contact: *" only alone with Expires: 0';
      if (contacts.length === 0) return { expected, received: quoteIn(q, "contact") };
      const starOk = q.header("expires")?.trim() === "0" && contacts.length === 1;
      const bad = contacts.filter((c) => (c.star ? !starOk : "error" in c || !isSipUri(c.uri) || c.uri.host === ""));
      return bad.length === 0 ? undefined : { expected, received: `${quoteHeader(q, "contact")}${contacts.some((c) => c.star) ? ` with ${quoteHeader(q, "expires")}` : ""}` };
    },
  },
  // TS 24.229 5.1.1.2.1 (initial registration: "an Authorization header field, with the "username"
  // header field parameter ...") and 5.1.1.4.1 (re-registration: the credentials of the last
  // challenge), 5.1.1.6 (de-registration likewise): every REGISTER of the UE carries Authorization.
  {
    id: "ue-register.authorization",
    clause: "TS 24.229 5.1.1.2.1, 5.1.1.4.1",
    statement: "every REGISTER from the UE carries an Authorization header (Digest credentials)",
    constrains: "ue",
    appliesTo: { kind: "request", methods: ["REGISTER"] },
    check: (o) => {
      const q = o.message as SipRequest;
      return digestCredentials(q).length > 0
        ? undefined
        : { expected: 'Authorization: Digest username="<private identity>", realm=..., uri=..., nonce=..., response=...', received: quoteIn(q, "authorization") };
    },
  },
  // TS 24.229 5.1.1.2.1: the initial REGISTER's Authorization has "the "username" header field
  // parameter, set to the value of the private user identity; the "realm" header field parameter,
  // set to the domain name of the home network; the "uri" header field parameter, set to the SIP
  // URI of the domain name of the home network; the "nonce" header field parameter, set to an empty
  // value; and the "response" header field parameter, set to an empty value". The Request-URI is
  // that home domain URI too. Judged on a REGISTER before the network challenged or accepted any.
  {
    id: "ue-register.initial-authorization",
    clause: "TS 24.229 5.1.1.2.1",
    statement:
      'the first REGISTER of the UE (no 401 or 2xx to a REGISTER sent yet) carries Authorization with a username, realm = the Request-URI\'s host (the home domain), uri = the Request-URI, nonce="" and response=""',
    constrains: "ue",
    appliesTo: { kind: "request", methods: ["REGISTER"] },
    when: (o) => digestCredentials(o.message).length > 0 && !(o.sent ?? []).some((s) => isRegisterResponse(s.message, 200, 299) || isRegisterResponse(s.message, 401, 401)),
    check: (o) => {
      const q = o.message as SipRequest;
      const host = requestUriHost(q);
      const wrong = (c: AuthChallenge): string[] => {
        const p = c.params;
        const out: string[] = [];
        if ((p["username"] ?? "") === "") out.push(`username ${show(p["username"])}`);
        if (p["realm"] === undefined || p["realm"].toLowerCase() !== host) out.push(`realm ${show(p["realm"])}`);
        if (p["uri"] === undefined || !sameUriText(p["uri"], q.uriText)) out.push(`uri ${show(p["uri"])}`);
        if (p["nonce"] !== "") out.push(`nonce ${show(p["nonce"])}`);
        if (p["response"] !== "") out.push(`response ${show(p["response"])}`);
        return out;
      };
      const all = digestCredentials(q).map(wrong);
      if (all.some((w) => w.length === 0)) return undefined;
      return {
        expected: `Authorization: Digest username="<private identity>", realm="${host ?? "<home domain>"}", uri="${q.uriText}", nonce="", response=""`,
        received: `${quoteHeader(q, "authorization")} (${all[0].join(", ")})`,
      };
    },
  },
  // RFC 3261 22.2 (the UAC retries with credentials for the challenge), RFC 7616 3.4 (realm and
  // nonce from the challenge, uri the request's target, qop one of the offered with nc and cnonce),
  // RFC 3310 3.2 (Digest AKA: RES as the password, same rules); TS 24.229 5.1.1.5.1: the UE answers
  // the 401 to its REGISTER with a REGISTER in the same Call-ID carrying that Authorization.
  {
    id: "ue-register.challenge-answered",
    clause: "RFC 3261 22.2, RFC 7616 3.4, RFC 3310 3.2, TS 24.229 5.1.1.5.1",
    statement:
      "a REGISTER from the UE after the network's 401 to its registration (same Call-ID) carries Authorization with that challenge's realm and nonce, uri = the Request-URI, a non-empty response, and with qop in the challenge a qop it offered plus nc and cnonce",
    constrains: "ue",
    appliesTo: { kind: "request", methods: ["REGISTER"] },
    // Without any Authorization it is ue-register.authorization's
    when: (o) => {
      const c = newestChallenge(o);
      return c !== undefined && digestChallenges(c.message).length > 0 && digestCredentials(o.message).length > 0;
    },
    check: (o): Finding | undefined => {
      const q = o.message as SipRequest;
      const challenges = digestChallenges(newestChallenge(o)!.message);
      const wrong = (ch: AuthChallenge, c: AuthChallenge): string[] => {
        const p = c.params;
        const out: string[] = [];
        if (p["realm"] !== ch.params["realm"]) out.push(`realm ${show(p["realm"])}`);
        if (p["nonce"] !== ch.params["nonce"]) out.push(`nonce ${show(p["nonce"])}`);
        if (p["uri"] === undefined || !sameUriText(p["uri"], q.uriText)) out.push(`uri ${show(p["uri"])}`);
        if ((p["response"] ?? "") === "") out.push(`response ${show(p["response"])}`);
        const offered = (ch.params["qop"] ?? "")
          .split(",")
          .map((x) => x.trim().toLowerCase())
          .filter((x) => x !== "");
        if (offered.length > 0) {
          if (!offered.includes((p["qop"] ?? "").toLowerCase())) out.push(`qop ${show(p["qop"])}`);
          if (!/^[0-9a-fA-F]{8}$/.test(p["nc"] ?? "")) out.push(`nc ${show(p["nc"])}`);
          if ((p["cnonce"] ?? "") === "") out.push(`cnonce ${show(p["cnonce"])}`);
        }
        return out;
      };
      const credentials = digestCredentials(q);
      const tried = challenges.flatMap((ch) => credentials.map((c) => ({ ch, w: wrong(ch, c) })));
      if (tried.some((t) => t.w.length === 0)) return undefined;
      const ch = challenges[0];
      const qop = ch.params["qop"] ? `, qop=<one of "${ch.params["qop"]}">, nc=<8 hex digits>, cnonce="<non-empty>"` : "";
      return {
        expected: `Authorization: Digest realm="${ch.params["realm"] ?? ""}", nonce="${ch.params["nonce"] ?? ""}", uri="${q.uriText}", response="<non-empty>"${qop} (the newest 401's challenge)`,
        received: `${quoteHeader(q, "authorization")}${tried.length > 0 ? ` (${tried[0].w.join(", ")})` : ""}`,
      };
    },
  },
];

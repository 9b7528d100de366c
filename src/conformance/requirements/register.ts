// Requirements on responses to REGISTER (RFC 3261 10.3, RFC 3608, RFC 3455, TS 24.229 5.4.1.2.2),
// as the UE receives them: what the 200 (OK) lists and carries, what a 401 challenges with, what a
// 423 states. The generic response requirements (Call-ID, CSeq, From, To, Via) are in response.ts.
import { type AuthChallenge, parseAkaNonce, parseAuthChallenges } from "../../sip/auth/index.ts";
import { type NameAddr, type SipRequest, type SipResponse, type Uri, formatUri, isNameAddrError, isSipUri, paramValue, parseNameAddr, uriEquals } from "../../sip/message/index.ts";
import { quoteHeader, quoteIn } from "../quote.ts";
import type { Finding, Observation, Requirement } from "../requirement.ts";

function pair(o: Observation): [SipResponse, SipRequest] {
  return [o.message as SipResponse, o.request!];
}

const DELTA_SECONDS = /^\d+$/;

/** A header value read as a name-addr (URI in angle brackets, RFC 3261 25.1), or why not. */
function nameAddrOf(value: string): NameAddr | string {
  const na = parseNameAddr(value);
  if (isNameAddrError(na)) return na.error;
  // RFC 3261 20.10: an addr-spec without <> parses too; the name-addr form has the URI in <>
  const lt = value.indexOf("<");
  const gt = value.lastIndexOf(">");
  return lt >= 0 && gt > lt ? na : `"${value}" is an addr-spec, not a name-addr (<URI>)`;
}

/** One Contact of the REGISTER with the expiration it asks for. */
interface AskedContact {
  readonly uri: Uri;
  readonly text: string;
  /** RFC 3261 10.2.1.1: the expires parameter, else the Expires header; undefined: the registrar chooses. */
  readonly expires: number | undefined;
}

/** What a REGISTER asks for: its contacts (none for a query), or every binding removed with "*". */
interface RegisterAsk {
  readonly star: boolean;
  readonly contacts: readonly AskedContact[];
}

function askOf(req: SipRequest): RegisterAsk {
  const values = req.headerValues("contact");
  const header = req.header("expires")?.trim();
  const headerExpires = header !== undefined && DELTA_SECONDS.test(header) ? Number(header) : undefined;
  const contacts: AskedContact[] = [];
  let star = false;
  for (const v of values) {
    if (v.trim() === "*") {
      star = true;
      continue;
    }
    const na = parseNameAddr(v);
    if (isNameAddrError(na)) continue;
    const p = paramValue(na.params, "expires")?.trim();
    contacts.push({ uri: na.uri, text: formatUri(na.uri), expires: p !== undefined && DELTA_SECONDS.test(p) ? Number(p) : headerExpires });
  }
  return { star, contacts };
}

/** A REGISTER that adds or refreshes at least one binding (not a query, not a removal). */
function registers(req: SipRequest): boolean {
  const ask = askOf(req);
  return !ask.star && ask.contacts.some((c) => c.expires !== 0);
}

/** The bindings a 2xx lists: each Contact value with its expires parameter (undefined when absent or malformed). */
function listedBindings(r: SipResponse): { uri: Uri; expires: number | undefined }[] {
  const out: { uri: Uri; expires: number | undefined }[] = [];
  for (const v of r.headerValues("contact")) {
    const na = parseNameAddr(v);
    if (isNameAddrError(na)) continue;
    const e = paramValue(na.params, "expires")?.trim();
    out.push({ uri: na.uri, expires: e !== undefined && DELTA_SECONDS.test(e) ? Number(e) : undefined });
  }
  return out;
}

/** Every challenge of every WWW-Authenticate line (RFC 7235 4.1: one line may carry several). */
function challenges(r: SipResponse): AuthChallenge[] {
  return r.headerValues("www-authenticate").flatMap((line) => parseAuthChallenges(line));
}

const isDigest = (c: AuthChallenge): boolean => c.scheme.toLowerCase() === "digest";
const isAka = (c: AuthChallenge): boolean => /^akav\d+-/i.test(c.params["algorithm"] ?? "");

function registerExpiry(req: SipRequest): string {
  const ask = askOf(req);
  if (ask.star) return `Contact: * with ${quoteHeader(req, "expires")}`;
  return ask.contacts.map((c) => `${c.text} ${c.expires === undefined ? "(no expiry asked)" : `expires ${c.expires}`}`).join(", ") || "no Contact";
}

export const REGISTER_REQUIREMENTS: readonly Requirement[] = [
  // RFC 3261 10.3 step 8: "The registrar returns a 200 (OK) response. The response MUST contain
  // Contact header field values enumerating all current bindings. Each Contact value MUST feature
  // an "expires" parameter indicating its expiration interval chosen by the registrar."
  {
    id: "register-2xx.contact-expires",
    clause: "RFC 3261 10.3",
    statement: "each Contact value of a 2xx to REGISTER is a binding with an expires parameter (delta-seconds) giving the interval the registrar chose",
    constrains: "network",
    appliesTo: { kind: "response", methods: ["REGISTER"], status: [200, 299] },
    check: (o) => {
      const [r] = pair(o);
      const bad = r.headerValues("contact").filter((v) => {
        if (v.trim() === "*") return true;
        const na = parseNameAddr(v);
        if (isNameAddrError(na)) return true;
        const e = paramValue(na.params, "expires")?.trim();
        return e === undefined || !DELTA_SECONDS.test(e);
      });
      return bad.length === 0 ? undefined : { expected: "Contact: <binding>;expires=<delta-seconds> for every current binding", received: quoteIn(r, "contact") };
    },
  },
  // RFC 3261 10.3 steps 7-8: each contact of the REGISTER with a non-zero expiration is bound (the
  // registrar may shorten the interval) and the 200 enumerates all current bindings, so it lists
  // it; 10.2.4: the UA finds its own contact there (TS 24.229 5.1.1.2.1 a) stores its expiry).
  {
    id: "register-2xx.contact-bound",
    clause: "RFC 3261 10.3",
    statement: "a 2xx to a REGISTER lists, with a non-zero expires, every contact that REGISTER bound with a non-zero expiration",
    constrains: "network",
    appliesTo: { kind: "response", methods: ["REGISTER"], status: [200, 299] },
    when: (o) => registers(o.request!),
    check: (o) => {
      const [r, q] = pair(o);
      const listed = listedBindings(r);
      const missing = askOf(q).contacts.filter((c) => c.expires !== 0 && !listed.some((b) => uriEquals(b.uri, c.uri) && b.expires !== 0));
      if (missing.length === 0) return undefined;
      return { expected: `Contact: <${missing.map((c) => c.text).join(">, <")}>;expires=<granted> (the REGISTER asked for ${registerExpiry(q)})`, received: quoteIn(r, "contact") };
    },
  },
  // RFC 3261 10.3 step 6 ("*" with Expires: 0 removes every binding of the address-of-record) and
  // step 7 (an expiration of zero removes the binding); step 8: the 200 lists the current bindings
  // only, so a removed contact is absent (or shown with expires=0, which says it is no longer bound).
  {
    id: "register-2xx.contact-removed",
    clause: "RFC 3261 10.3",
    statement: "a 2xx to a REGISTER that removed bindings (expires 0, or Contact: * with Expires: 0) no longer lists them as current bindings",
    constrains: "network",
    appliesTo: { kind: "response", methods: ["REGISTER"], status: [200, 299] },
    when: (o) => {
      const ask = askOf(o.request!);
      return ask.star ? o.request!.header("expires")?.trim() === "0" : ask.contacts.some((c) => c.expires === 0);
    },
    check: (o) => {
      const [r, q] = pair(o);
      const ask = askOf(q);
      const removed = ask.contacts.filter((c) => c.expires === 0);
      const still = listedBindings(r).filter((b) => b.expires !== 0 && (ask.star || removed.some((c) => uriEquals(b.uri, c.uri))));
      if (still.length === 0) return undefined;
      const what = ask.star ? "no binding at all (Contact: * with Expires: 0)" : `no Contact <${removed.map((c) => c.text).join(">, <")}> with a non-zero expires`;
      return { expected: what, received: quoteIn(r, "contact") };
    },
  },
  // TS 24.229 5.4.1.2.2: the S-CSCF's 200 (OK) to a (re-)registration shall carry a P-Associated-URI
  // header field listing the registered public user identity and the other identities of its
  // implicit registration set; RFC 7315 4.1 (formerly RFC 3455 4.1): p-aso-uri-spec = name-addr
  // *(SEMI ai-param). A barred identity is left out of the list (the UE then treats the identity
  // under registration as barred, TS 24.229 5.1.1.2.1 c); the profile's identities are not barred.
  {
    id: "register-2xx.p-associated-uri",
    clause: "TS 24.229 5.4.1.2.2, RFC 7315 4.1",
    statement: "the 2xx to a REGISTER that registers a contact carries P-Associated-URI, each value a name-addr, listing the registered public user identity (the To URI)",
    constrains: "network",
    appliesTo: { kind: "response", methods: ["REGISTER"], status: [200, 299] },
    when: (o) => registers(o.request!),
    check: (o) => {
      const [r, q] = pair(o);
      const to = parseNameAddr(q.header("to") ?? "");
      const expected = `P-Associated-URI: <...> values listing ${isNameAddrError(to) ? "the registered public user identity" : formatUri(to.uri)} (the REGISTER's To)`;
      const values = r.headerValues("p-associated-uri").map(nameAddrOf);
      if (values.length === 0 || values.some((v) => typeof v === "string")) return { expected, received: quoteIn(r, "p-associated-uri") };
      const listed = !isNameAddrError(to) && values.some((v) => typeof v !== "string" && uriEquals(v.uri, to.uri));
      return listed ? undefined : { expected, received: quoteIn(r, "p-associated-uri") };
    },
  },
  // TS 24.229 5.4.1.2.2: the 200 (OK) to a (re-)registration shall carry a Service-Route header
  // field with the SIP URI of the S-CSCF (marked for the originating case), preceded by an IBCF's
  // when topology is hidden; RFC 3608 alone leaves it optional, 3GPP makes it mandatory.
  {
    id: "register-2xx.service-route",
    clause: "TS 24.229 5.4.1.2.2",
    statement: "the 2xx to a REGISTER that registers a contact carries a Service-Route header with at least one value",
    constrains: "network",
    appliesTo: { kind: "response", methods: ["REGISTER"], status: [200, 299] },
    when: (o) => registers(o.request!),
    check: (o) => {
      const [r] = pair(o);
      return r.headerValues("service-route").length > 0 ? undefined : { expected: "Service-Route: <sip:...;lr> (the S-CSCF, for originating requests)", received: quoteIn(r, "service-route") };
    },
  },
  // RFC 3608 5: Service-Route = "Service-Route" HCOLON sr-value *(COMMA sr-value), sr-value =
  // name-addr *(SEMI rr-param): the values MUST conform to the syntax of a Route element; TS 24.229
  // 5.4.1.2.2: each is a SIP URI (the S-CSCF, an IBCF), which the UE preloads as its Route.
  {
    id: "register-2xx.service-route-syntax",
    clause: "RFC 3608 5, TS 24.229 5.4.1.2.2",
    statement: "each Service-Route value of a 2xx to REGISTER is a name-addr (<URI>) whose URI is a SIP or SIPS URI",
    constrains: "network",
    appliesTo: { kind: "response", methods: ["REGISTER"], status: [200, 299] },
    check: (o) => {
      const [r] = pair(o);
      const ok = r.headerValues("service-route").every((v) => {
        const na = nameAddrOf(v);
        return typeof na !== "string" && isSipUri(na.uri);
      });
      return ok ? undefined : { expected: "Service-Route: <sip:...;lr>[, <sip:...;lr>] (name-addr values with SIP URIs)", received: quoteIn(r, "service-route") };
    },
  },
  // RFC 3608 5: the Service-Route row of the header table has "2xx" in the where column and "o"
  // only for REGISTER; RFC 3261 20: a header field not applicable to a response "MUST NOT" be put
  // in it by the UAS. The UE takes a service route only from the 2xx to REGISTER (RFC 3608 6.1).
  {
    id: "service-route.only-register-2xx",
    clause: "RFC 3608 5, RFC 3261 20",
    statement: "Service-Route appears only in 2xx responses to REGISTER, in no other response",
    constrains: "network",
    appliesTo: { kind: "response" },
    when: (o) => !(o.request!.method === "REGISTER" && (o.message as SipResponse).status >= 200 && (o.message as SipResponse).status < 300),
    check: (o) => {
      const [r, q] = pair(o);
      return r.hasHeader("service-route") ? { expected: `no Service-Route in a ${r.status} to ${q.method}`, received: quoteIn(r, "service-route") } : undefined;
    },
  },
  // RFC 3261 22.2: "The WWW-Authenticate response-header field MUST be included in 401
  // (Unauthorized) response messages. The field value consists of at least one challenge."
  {
    id: "register-401.www-authenticate",
    clause: "RFC 3261 22.2",
    statement: "a 401 (Unauthorized) to REGISTER carries at least one WWW-Authenticate challenge",
    constrains: "network",
    appliesTo: { kind: "response", methods: ["REGISTER"], status: [401, 401] },
    check: (o) => {
      const [r] = pair(o);
      const ok = challenges(r).some((c) => c.scheme !== "");
      return ok ? undefined : { expected: 'WWW-Authenticate: Digest realm="...", nonce="...", ...', received: quoteIn(r, "www-authenticate") };
    },
  },
  // RFC 3261 22.1: "servers also MUST NOT challenge with "Basic"" (its usage is deprecated).
  {
    id: "register-401.no-basic",
    clause: "RFC 3261 22.1",
    statement: 'a 401 to REGISTER does not challenge with the "Basic" authentication scheme',
    constrains: "network",
    appliesTo: { kind: "response", methods: ["REGISTER"], status: [401, 401] },
    check: (o) => {
      const [r] = pair(o);
      const basic = challenges(r).some((c) => c.scheme.toLowerCase() === "basic");
      return basic ? { expected: "Digest challenges only (Basic MUST NOT be used)", received: quoteIn(r, "www-authenticate") } : undefined;
    },
  },
  // TS 24.229 5.4.1.2.1: the S-CSCF's 401 carries a WWW-Authenticate header field with the home
  // network identification in the realm parameter and RAND and AUTN in the nonce parameter
  // (5.4.1.2.1B likewise for SIP Digest); RFC 2617 3.2.1, which RFC 3261 22.4 makes SIP's Digest:
  // realm and nonce are the directives of a digest-challenge that are not optional.
  {
    id: "register-401.digest-challenge",
    clause: "TS 24.229 5.4.1.2.1, RFC 2617 3.2.1",
    statement: "each Digest challenge of a 401 to REGISTER is well formed and carries the realm and nonce parameters",
    constrains: "network",
    appliesTo: { kind: "response", methods: ["REGISTER"], status: [401, 401] },
    check: (o) => {
      const [r] = pair(o);
      const bad = challenges(r).filter((c) => isDigest(c) && (c.malformed !== undefined || c.params["realm"] === undefined || c.params["nonce"] === undefined));
      if (bad.length === 0) return undefined;
      const why = bad.map((c) => c.malformed ?? `${["realm", "nonce"].filter((p) => c.params[p] === undefined).join(" and ")} missing`).join("; ");
      return { expected: 'WWW-Authenticate: Digest realm="<home network>", nonce="<challenge>", ...', received: `${quoteIn(r, "www-authenticate")} (${why})` };
    },
  },
  // RFC 3310 3.2: with algorithm AKAv1-MD5 (RFC 4169: AKAv2-MD5) the nonce is the base64 encoding
  // of RAND, AUTN and optional server specific data concatenated (RAND and AUTN are 16 octets each,
  // TS 33.102 6.3); TS 24.229 5.4.1.2.1: RAND and AUTN travel in the nonce parameter.
  {
    id: "register-401.aka-nonce",
    clause: "RFC 3310 3.2, TS 24.229 5.4.1.2.1",
    statement: "the nonce of an AKA Digest challenge (algorithm AKAv1-MD5, AKAv2-MD5) is base64 of RAND || AUTN [|| server data]: at least 32 octets",
    constrains: "network",
    appliesTo: { kind: "response", methods: ["REGISTER"], status: [401, 401] },
    check: (o) => {
      const [r] = pair(o);
      const bad = challenges(r).filter((c) => isDigest(c) && isAka(c) && c.params["nonce"] !== undefined && parseAkaNonce(c.params["nonce"]) === undefined);
      if (bad.length === 0) return undefined;
      const lengths = bad.map(
        (c) =>
          `nonce "${c.params["nonce"]}" decodes to ${/^[A-Za-z0-9+/]*={0,2}$/.test((c.params["nonce"] ?? "").trim()) ? `${Buffer.from(c.params["nonce"] ?? "", "base64").length} octets` : "nothing: not base64"}`,
      );
      return { expected: "nonce = base64(RAND (16 octets) || AUTN (16 octets) [|| server data])", received: `${quoteIn(r, "www-authenticate")} (${lengths.join("; ")})` };
    },
  },
  // RFC 3261 10.3 step 7: the registrar rejects a too brief expiration with 423 (Interval Too
  // Brief); "This response MUST contain a Min-Expires header field that states the minimum
  // expiration interval the registrar is willing to honor" (20.23: Min-Expires = delta-seconds).
  {
    id: "register-423.min-expires",
    clause: "RFC 3261 10.3, 20.23",
    statement: "a 423 (Interval Too Brief) to REGISTER carries a Min-Expires header (delta-seconds)",
    constrains: "network",
    appliesTo: { kind: "response", methods: ["REGISTER"], status: [423, 423] },
    check: (o) => {
      const [r] = pair(o);
      const v = r.header("min-expires")?.trim();
      return v !== undefined && DELTA_SECONDS.test(v) ? undefined : { expected: "Min-Expires: <delta-seconds>", received: quoteIn(r, "min-expires") };
    },
  },
  // RFC 3261 10.3 step 7: "If and only if the requested expiration interval is greater than zero
  // AND smaller than one hour AND less than a registrar-configured minimum, the registrar MAY
  // reject the registration with a response of 423 (Interval Too Brief)."
  {
    id: "register-423.too-brief",
    clause: "RFC 3261 10.3",
    statement: "a 423 to REGISTER answers only a requested expiration greater than zero, below one hour and below the Min-Expires it states",
    constrains: "network",
    appliesTo: { kind: "response", methods: ["REGISTER"], status: [423, 423] },
    check: (o): Finding | undefined => {
      const [r, q] = pair(o);
      const ask = askOf(q);
      const min = r.header("min-expires")?.trim();
      const floor = min !== undefined && DELTA_SECONDS.test(min) ? Number(min) : undefined;
      // A contact without an asked expiry leaves the interval to the registrar: no judgment then
      const brief = ask.star || ask.contacts.length === 0 || ask.contacts.some((c) => c.expires === undefined || (c.expires > 0 && c.expires < 3600 && (floor === undefined || c.expires < floor)));
      return brief
        ? undefined
        : {
            expected: `no 423: the REGISTER asked for ${registerExpiry(q)} (423 only for 0 < expires < 3600 and below Min-Expires)`,
            received: `${r.startLine()} with ${quoteHeader(r, "min-expires")}`,
          };
    },
  },
];

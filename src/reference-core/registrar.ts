// The registrar of the reference core: the S-CSCF part of REGISTER (TS 24.229 5.4.1, TS 24.228 6.2,
// RFC 3261 10.3) with the P-CSCF's Path (RFC 3327) collapsed into it.
import { parseAuthParams } from "../sip/auth/index.ts";
import { formatDestination, type Received } from "../sip/endpoint/index.ts";
import { newTag } from "../sip/identifiers.ts";
import { type SipRequest, type Uri, createResponse, formatNameAddr, formatUri, isNameAddrError, paramValue, parseNameAddr, withParam, withoutParam } from "../sip/message/index.ts";
import type { Authenticator } from "./authenticator.ts";
import type { BindingChange } from "./bindings.ts";
import type { CoreContext } from "./core-context.ts";
import { type SubscriberRecord, sameIdentity } from "./hss.ts";

/** RFC 3261 10.2.1.1: the expiry when neither the Contact nor the request gives one. */
const DEFAULT_EXPIRES = 3600;

export type RegistrationListener = (record: SubscriberRecord, changes: readonly BindingChange[]) => void;

export class Registrar {
  /** silent-after-401: Call-IDs whose next REGISTER goes unanswered. */
  private readonly silentCallIds = new Set<string>();

  constructor(
    private readonly ctx: CoreContext,
    private readonly auth: Authenticator,
    private expiresMax: number,
    private readonly onChange: RegistrationListener,
  ) {}

  /** The longest registration granted from now on, in seconds (a test case of a UE under test grants a short one). */
  grantAtMost(seconds: number): void {
    this.expiresMax = seconds;
  }

  handle(rec: Received, req: SipRequest): void {
    const callId = req.callId;
    const what = `REGISTER ${formatUri(req.to.uri)} (CSeq ${req.cseq.seq}) from ${formatDestination(rec.source)}`;
    if (this.silentCallIds.delete(callId)) {
      this.ctx.log(`fault silent-after-401: ${what} not answered`);
      return;
    }
    // RFC 3329 2.3.1: Security-Verify must return the Security-Server of the challenge unchanged (494 otherwise)
    if (this.ctx.secAgree?.rejects(rec, req, what)) return;
    const authorization = req.header("authorization");
    const params = authorization !== undefined ? parseAuthParams(authorization).params : undefined;
    const impi = params?.["username"];
    // TS 24.229 5.4.1.1: the user is identified by the IMPI of the Authorization, or else by the To IMPU
    const record = impi !== undefined ? this.ctx.hss.byImpi(impi) : this.ctx.hss.byImpu(req.to.uri);
    if (!record) return this.refuse(rec, what, 403, `unknown identity ${impi !== undefined ? `IMPI ${impi}` : `IMPU ${formatUri(req.to.uri)}`}`);
    if (!record.impus.some((i) => sameIdentity(i, req.to.uri))) return this.refuse(rec, what, 403, `IMPU ${formatUri(req.to.uri)} does not belong to IMPI ${record.impi}`);
    if (!params) return this.challenge(rec, what, record, "no Authorization");
    if (this.ctx.faults.has("stale-nonce-loop") && (params["nonce"] ?? "") !== "") {
      this.ctx.log(`fault stale-nonce-loop: ${what} carries credentials; challenged again with stale=true`);
      return this.challenge(rec, what, record, "fault stale-nonce-loop", true);
    }
    const verdict = this.auth.check(record, params, "REGISTER");
    if (verdict.kind === "challenge") return this.challenge(rec, what, record, verdict.why, verdict.stale);
    if (verdict.kind === "forbidden") return this.refuse(rec, what, 403, verdict.why);
    this.bind(rec, req, record, what, verdict.why);
  }

  /** TS 24.229 5.4.1.2.1: 401 with a fresh challenge (AKA vector or Digest nonce). */
  private challenge(rec: Received, what: string, record: SubscriberRecord, why: string, stale = false): void {
    const c = this.auth.challenge(record, stale);
    // TS 24.229 5.2.2, TS 33.203 7.2: the P-CSCF adds Security-Server to the 401 of a REGISTER offering sec-agree
    const security = this.ctx.secAgree?.challengeHeaders(rec.message as SipRequest, what) ?? {};
    this.ctx.endpoint.reply(rec, 401, { toTag: newTag(), headers: { "WWW-Authenticate": c.header, ...security } });
    this.ctx.log(`${what}: 401 ${c.description} (${why})`);
    if (this.ctx.faults.has("silent-after-401")) this.silentCallIds.add((rec.message as SipRequest).callId);
  }

  private refuse(rec: Received, what: string, status: number, why: string): void {
    this.ctx.endpoint.reply(rec, status, { toTag: newTag() });
    this.ctx.log(`${what}: ${status} (${why})`);
  }

  /** RFC 3261 10.3 steps 6-8, TS 24.229 5.4.1.2.2 (registration) and 5.4.1.4 (user-initiated deregistration). */
  private bind(rec: Received, req: SipRequest, record: SubscriberRecord, what: string, why: string): void {
    const { bindings, addressing, faults } = this.ctx;
    const requestExpires = req.expires;
    const contacts = req.headerValues("contact");
    const changes: BindingChange[] = [];
    if (contacts.some((c) => c.trim() === "*")) {
      // RFC 3261 10.3 step 6: "*" only with Expires: 0, and then removes every binding
      if (contacts.length !== 1 || requestExpires !== 0) return this.refuse(rec, what, 400, 'Contact "*" needs Expires: 0 and no other Contact');
      for (const b of bindings.removeAll(record)) changes.push({ binding: b, state: "terminated", event: "unregistered" });
    } else {
      const parsed = contacts.map((c) => parseNameAddr(c));
      const bad = parsed.find(isNameAddrError);
      if (bad) return this.refuse(rec, what, 400, `malformed Contact: ${bad.error}`);
      for (const na of parsed) {
        if (isNameAddrError(na)) continue;
        const contact = formatUri(na.uri);
        const existing = bindings.find(record, contact);
        // RFC 3261 10.3 step 7: same Call-ID with a CSeq not higher than the stored one is out of order
        if (existing && existing.callId === req.callId && existing.cseq >= req.cseq.seq) return this.refuse(rec, what, 500, `CSeq ${req.cseq.seq} is not higher than ${existing.cseq} for ${contact}`);
      }
      for (const na of parsed) {
        if (isNameAddrError(na)) continue;
        const e = paramValue(na.params, "expires");
        const asked = e !== undefined && /^\d+$/.test(e) ? Number(e) : (requestExpires ?? DEFAULT_EXPIRES);
        const granted = Math.min(asked, this.expiresMax);
        if (granted === 0 && faults.has("keep-bindings-on-deregister") && bindings.find(record, formatUri(na.uri))) {
          this.ctx.log(`fault keep-bindings-on-deregister: ${formatUri(na.uri)} kept although removed with expires 0`);
          continue;
        }
        addressing.learn(na.uri, rec.source.protocol);
        // RFC 7118 5: a WebSocket client's Contact is unreachable; its binding keeps the REGISTER's flow
        if (granted > 0) addressing.learnFlow(na.uri, rec.source);
        const change = bindings.apply(record, {
          contact: formatUri(na.uri),
          params: withoutParam(na.params, "expires"),
          expires: granted,
          callId: req.callId,
          cseq: req.cseq.seq,
          protocol: rec.source.protocol,
          flow: rec.source,
        });
        if (change) changes.push(change);
      }
    }
    // The fault keeps the bindings but answers as if they were gone
    const kept = faults.has("keep-bindings-on-deregister") && requestExpires === 0 && contacts.length > 0;
    const live = kept ? [] : bindings.live(record);
    const headers: [string, string | number][] = [];
    // RFC 3261 10.3 step 8: the 200 lists every current binding with its expiry
    for (const b of live) headers.push(["Contact", formatNameAddr({ uri: parseContactUri(b.contact), params: withParam(b.params, "expires", String(bindings.remaining(b))) })]);
    const mine = changes.find((c) => c.state === "active");
    // the expiry granted to this REGISTER's contact; 0 when it removed bindings; none for a query
    if (mine) headers.push(["Expires", bindings.remaining(mine.binding)]);
    else if (changes.length > 0 || requestExpires === 0) headers.push(["Expires", 0]);
    // RFC 3327 5.3: the registrar echoes Path in the 200
    for (const p of req.headerValues("path")) headers.push(["Path", p]);
    if (live.length > 0) {
      // TS 24.229 5.4.1.2.2: Service-Route (the S-CSCF, for originating requests) and the implicit set
      if (faults.has("no-service-route")) this.ctx.log(`fault no-service-route: 200 (REGISTER) for ${record.defaultImpu} sent without Service-Route`);
      else headers.push(["Service-Route", addressing.serviceRoute]);
      if (faults.has("wrong-p-associated-uri")) {
        const wrong = `sip:someone-else@${addressing.domain}`;
        headers.push(["P-Associated-URI", `<${wrong}>`]);
        this.ctx.log(`fault wrong-p-associated-uri: 200 (REGISTER) for ${record.defaultImpu} lists ${wrong}`);
      } else headers.push(["P-Associated-URI", record.impus.map((u) => `<${u}>`).join(", ")]);
    }
    const response = createResponse(req, 200, { toTag: newTag() });
    for (const [n, v] of headers) response.addHeader(n, v);
    if (faults.has("wrong-call-id-in-register-200")) {
      response.setHeader("Call-ID", `wrong-${req.callId}`);
      this.ctx.log(`fault wrong-call-id-in-register-200: 200 (REGISTER) with Call-ID wrong-${req.callId}`);
    }
    rec.transaction?.respond(response);
    const summary = changes.map((c) => `${c.binding.contact} ${c.event}${c.state === "active" ? ` for ${bindings.remaining(c.binding)} s` : ""}`).join(", ");
    this.ctx.log(`${what}: 200 (${why}; ${summary || "no change"})`);
    if (changes.length > 0) this.onChange(record, changes);
  }
}

function parseContactUri(text: string): Uri {
  const na = parseNameAddr(`<${text}>`);
  if (isNameAddrError(na)) throw new Error(`stored contact ${text} no longer parses: ${na.error}`);
  return na.uri;
}

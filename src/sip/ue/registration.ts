// TS 24.229 5.1.1.2 (initial registration), 5.1.1.4 (re-registration), 5.1.1.6 (de-registration):
// REGISTER, answer the challenge, and keep Service-Route, P-Associated-URI and the expiry.
import type { Deadline } from "../deadline.ts";
import { newCallId, newTag } from "../identifiers.ts";
import { SipRequest, type SipResponse, isNameAddrError, parseNameAddr, paramValue } from "../message/index.ts";
import type { SecAgreeClient, SecurityAssociations } from "./sec-agree.ts";
import type { UeAuthenticator } from "./ue-credentials.ts";
import type { UeContext } from "./ue-context.ts";

export interface RegisterExchange {
  readonly request: SipRequest;
  readonly response: SipResponse;
}

export interface RegistrationOutcome {
  /** Every REGISTER sent and the final response it got, in order (401, then 200 ...). */
  readonly exchanges: readonly RegisterExchange[];
  readonly final: SipResponse;
  readonly serviceRoute: readonly string[];
  readonly associatedUris: readonly string[];
  /** The expiry the registrar granted for our contact (RFC 3261 10.2.4), when registered. */
  readonly expires?: number;
  /** What the USIM concluded on each AKA challenge (for resynchronisation tests). */
  readonly akaResults: readonly string[];
  /** RFC 3329, TS 33.203 7: the security associations agreed, when the UE offered sec-agree and the network answered with a usable Security-Server. */
  readonly securityAssociations?: SecurityAssociations;
}

export interface RegisterOptions {
  readonly expires?: number;
  readonly deadline?: Deadline;
  /** Send the TS 24.229 initial Authorization with an empty response (default true). */
  readonly initialAuthorization?: boolean;
  /** Extra header lines, e.g. Security-Client (RFC 3329). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Answer at most this many challenges (default 3: a resynchronisation takes two). */
  readonly maxChallenges?: number;
}

/** RFC 3261 10.2.3: what a REGISTER without Contact learnt of the address-of-record's bindings. */
export interface BindingsQuery {
  readonly outcome: RegistrationOutcome;
  /** The Contact values of the 2xx, as the registrar listed them; undefined when the query got no 2xx. */
  readonly bindings?: readonly string[];
}

export class RegistrationClient {
  /** TS 24.229 5.1.1.4.1: re-registrations reuse the Call-ID of the initial registration. */
  readonly callId = newCallId();
  private readonly fromTag = newTag();
  private cseq = 0;
  serviceRoute: string[] = [];
  associatedUris: string[] = [];
  registered = false;
  /** Whether a registration of this client ever succeeded (a postamble then checks it was removed). */
  everRegistered = false;

  constructor(
    private readonly ctx: UeContext,
    private readonly auth: UeAuthenticator,
    private readonly domain: string,
    /** RFC 3329 / TS 33.203 7: the security agreement this UE offers in every REGISTER (IMS AKA only); none without PICS sec-agree. */
    readonly secAgree?: SecAgreeClient,
  ) {}

  private build(expires: number | "query", extra: Readonly<Record<string, string>>): SipRequest {
    const r = new SipRequest("REGISTER", `sip:${this.domain}`);
    r.addHeader("Via", this.ctx.via());
    r.addHeader("Max-Forwards", 70);
    const to = this.ctx.displayName ? `"${this.ctx.displayName}" <${this.ctx.impu}>` : `<${this.ctx.impu}>`;
    r.addHeader("From", `${to};tag=${this.fromTag}`);
    r.addHeader("To", to);
    r.addHeader("Call-ID", this.callId);
    r.addHeader("CSeq", `${++this.cseq} REGISTER`);
    // RFC 3261 10.2.3: a query carries no Contact (and so no expiry)
    if (expires !== "query") {
      r.addHeader("Contact", `<${this.ctx.contact}>;expires=${expires}`);
      r.addHeader("Expires", expires);
    }
    // TS 24.229 5.1.1.2.1: the UE indicates support for Path
    r.addHeader("Supported", "path");
    // TS 24.229 5.1.1.2.1, 5.1.1.5.1: Security-Client, Require and Proxy-Require sec-agree, and after a challenge Security-Verify
    for (const [n, v] of this.secAgree?.headers() ?? []) r.addHeader(n, v);
    for (const [n, v] of Object.entries(extra)) r.addHeader(n, v);
    return r;
  }

  /** Registers (or re-registers, or with expires 0 de-registers), answering up to maxChallenges challenges. */
  register(options: RegisterOptions = {}): Promise<RegistrationOutcome> {
    return this.exchange(options.expires ?? 600000, options);
  }

  /**
   * RFC 3261 10.2.3: asks the registrar which contacts are bound to the UE's public identity (a
   * REGISTER without Contact), answering challenges as a registration does; changes no state.
   */
  async query(options: Omit<RegisterOptions, "expires"> = {}): Promise<BindingsQuery> {
    const outcome = await this.exchange("query", options);
    const ok = outcome.final.status >= 200 && outcome.final.status < 300;
    return ok ? { outcome, bindings: outcome.final.headerValues("contact") } : { outcome };
  }

  private async exchange(expires: number | "query", options: Omit<RegisterOptions, "expires">): Promise<RegistrationOutcome> {
    // Without a caller deadline each REGISTER ends at Timer F (64*T1), which the error then names.
    const deadline = options.deadline ?? this.ctx.budget();
    const exchanges: RegisterExchange[] = [];
    const akaResults: string[] = [];
    let request = this.build(expires, options.headers ?? {});
    // TS 24.229 5.1.1.4.1: a re-REGISTER (or de-REGISTER) carries credentials for the last nonce;
    // 5.1.1.2.1: an initial one carries the empty-response Authorization
    const reused = this.registered ? this.auth.reuse({ method: "REGISTER", uri: request.uriText }) : undefined;
    if (reused) request.addHeader(reused.header, reused.value);
    else if (options.initialAuthorization ?? true) request.addHeader("Authorization", this.auth.initial(this.domain, request.uriText));
    const maxChallenges = options.maxChallenges ?? 3;
    for (let challenges = 0; ; challenges++) {
      const response = await this.ctx.endpoint.request(request, this.ctx.outbound, { ...(deadline ? { deadline } : {}), clause: "TS 24.229 5.1.1.2" });
      exchanges.push({ request, response });
      // RFC 3329 2.3.1 / TS 33.203 7.2: the next REGISTER's Security-Verify mirrors the Security-Server of the challenge
      if (response.status === 401 || response.status === 407) this.secAgree?.challenged(response);
      if ((response.status !== 401 && response.status !== 407) || challenges >= maxChallenges) {
        return this.finish(exchanges, response, expires, akaResults);
      }
      const answer = this.auth.answer(response, { method: "REGISTER", uri: request.uriText });
      if ("error" in answer) return this.finish(exchanges, response, expires, [...akaResults, `no answer: ${answer.error}`]);
      if (answer.aka) akaResults.push(answer.aka);
      request = this.build(expires, options.headers ?? {});
      if (!this.secAgree) for (const ss of response.headerValues("security-server")) request.addHeader("Security-Verify", ss);
      request.addHeader(answer.header, answer.value);
    }
  }

  private finish(exchanges: RegisterExchange[], final: SipResponse, expires: number | "query", akaResults: string[]): RegistrationOutcome {
    // The SAs as agreed, with the fingerprints of the keys the USIM's CK and IK give them (TS 33.203 Annex I)
    const sa = this.secAgree?.agreed((alg, ealg) => this.auth.espKeyFingerprints(alg, ealg));
    const withSa = <T extends RegistrationOutcome>(o: T): T => (sa ? { ...o, securityAssociations: sa } : o);
    if (expires === "query") return withSa({ exchanges, final, serviceRoute: [...this.serviceRoute], associatedUris: [...this.associatedUris], akaResults });
    const ok = final.status >= 200 && final.status < 300;
    let granted: number | undefined;
    if (ok) {
      // TS 24.229 5.1.1.2.1: store Service-Route as the preloaded route, P-Associated-URI as the implicit set
      this.serviceRoute = final.headerValues("service-route");
      this.associatedUris = final.headerValues("p-associated-uri");
      granted = grantedExpiry(final, this.ctx.contact) ?? final.expires;
      this.registered = expires > 0 && granted !== 0;
      if (this.registered) this.everRegistered = true;
      if (!this.registered) {
        this.serviceRoute = [];
        this.auth.forget();
        this.secAgree?.reset();
      }
    }
    const outcome = withSa({ exchanges, final, serviceRoute: [...this.serviceRoute], associatedUris: ok ? final.headerValues("p-associated-uri") : [], akaResults });
    return granted === undefined ? outcome : { ...outcome, expires: granted };
  }
}

/** RFC 3261 10.2.4: the 200 lists the bindings; ours carries the expiry granted. */
function grantedExpiry(response: SipResponse, contact: string): number | undefined {
  for (const v of response.headerValues("contact")) {
    const na = parseNameAddr(v);
    if (isNameAddrError(na)) continue;
    const e = paramValue(na.params, "expires");
    if (e !== undefined && v.includes(contact.replace(/^sips?:/, ""))) return Number(e);
  }
  return undefined;
}

// Where each request received by the reference core goes: to the registrar, to the reg event
// notifier, answered by the core itself (OPTIONS, 405, 420), or proxied between registered UEs
// (TS 24.229 5.2.6 at the P-CSCF, 5.4.3 at the S-CSCF, RFC 3261 16 as the proxy behaviour).
import { type Destination, type Received, type RefusedMessage, formatDestination } from "../sip/endpoint/index.ts";
import { newTag } from "../sip/identifiers.ts";
import { HeaderError, type NameAddr, type SipRequest, type SipResponse, type Uri, createResponse, formatUri, isUriParseError, parseUri } from "../sip/message/index.ts";
import { isWebSocket } from "./addressing.ts";
import type { Binding } from "./bindings.ts";
import type { CoreContext } from "./core-context.ts";
import { GARBAGE, misdirectAudio, strip100relFromRequest, stripTelephoneEvent } from "./faults.ts";
import { type SubscriberRecord, sameIdentity } from "./hss.ts";
import { copyRequest } from "./message-copy.ts";
import type { InterconnectPeer } from "./interconnect.ts";
import type { ForwardTarget, StatefulProxy } from "./proxy.ts";
import { type RegEventNotifier, eventPackage } from "./reg-event.ts";
import type { Registrar } from "./registrar.ts";
import { refusalDestination, refusalResponse } from "./refused.ts";
import { SmsGateway } from "./sms-gateway.ts";

/** RFC 3261 20.5: what the core accepts for itself (REGISTER, OPTIONS) ... */
const OWN_ALLOW = "REGISTER, OPTIONS";
/** ... and what it handles as a whole, proxying the rest (RFC 3261 11.2). */
const ALLOW = "INVITE, ACK, CANCEL, BYE, PRACK, UPDATE, INFO, MESSAGE, OPTIONS, SUBSCRIBE, NOTIFY, REGISTER";
/** RFC 3261 8.2.2.3: option tags the core supports where it is the UAS (registrar, notifier). */
const SUPPORTED: ReadonlySet<string> = new Set(["path"]);
/** RFC 3261 16.3 item 4: option tags the core supports as a proxy (Proxy-Require). */
const PROXY_SUPPORTED: ReadonlySet<string> = new Set<string>();
/** RFC 3261 16.3 item 2: the Request-URI schemes the core understands (TS 24.229: SIP and tel URIs). */
const KNOWN_SCHEMES: ReadonlySet<string> = new Set(["sip", "sips", "tel"]);

export class CoreRouter {
  constructor(
    private readonly ctx: CoreContext,
    private readonly registrar: Registrar,
    private readonly notifier: RegEventNotifier,
    private readonly proxy: StatefulProxy,
    // Issue 16: the SMSC / IP-SM-GW behind the SC's public service identity (TS 24.341 5.3.3)
    private readonly sms: SmsGateway = new SmsGateway(ctx),
  ) {}

  /** The endpoint's request handler: every request is consumed here. */
  receive(rec: Received): boolean {
    const m = rec.message;
    if (m.kind !== "request") return false;
    if (this.silentUntil > this.ctx.clock.now()) return true; // fault hang-on-torture: nothing is answered
    try {
      this.route(rec, m);
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      this.ctx.log(`${m.startLine()}: ${reason}`);
      if (rec.transaction && m.method !== "ACK") {
        // RFC 3261 8.2 / 16.3: a request the core cannot read gets 400, anything else 500
        const status = e instanceof HeaderError ? 400 : 500;
        rec.transaction.respond(withTag(rec, status, e instanceof HeaderError ? reason.slice(0, 100) : undefined));
      }
    }
    return true;
  }

  /** Issue 16 (IMS-ROB-001), fault hang-on-torture: until when the core answers nothing (ms of its clock). */
  private silentUntil = 0;

  /**
   * RFC 3261 8.2, 16.3 item 1, 18.3 (RFC 4475 3.1.2): a request the endpoint refused (it did not parse,
   * or failed the checks of 8.2) gets a stateless 400 (505 for an unknown SIP version); a response is
   * dropped.
   */
  refused(refused: RefusedMessage): void {
    const { faults, clock } = this.ctx;
    if (this.silentUntil > clock.now()) return;
    if (faults.has("hang-on-torture") && /Content-Length \d+ exceeds/.test(refused.reason)) {
      const ms = 64 * this.ctx.endpoint.timers.t1;
      this.silentUntil = clock.now() + ms;
      this.ctx.log(`fault hang-on-torture: a Content-Length larger than its datagram (${refused.reason}); the core answers nothing for 64*T1 = ${ms} ms`);
      return;
    }
    const accept = faults.has("accept-invalid-torture");
    const status = accept ? 200 : refused.status;
    const response = refusalResponse(refused.bytes, status, newTag());
    if (!response) return;
    this.ctx.log(`${accept ? "fault accept-invalid-torture: " : ""}refused request from ${formatDestination(refused.source)} answered ${status} (${refused.reason.slice(0, 200)})`);
    void this.ctx.endpoint
      .sendStateless(response, refusalDestination(refused))
      .catch((e: unknown) => this.ctx.log(`could not answer a refused request: ${e instanceof Error ? e.message : String(e)}`));
  }

  private route(rec: Received, req: SipRequest): void {
    if (req.method === "ACK") return this.routeAck(rec, req);
    if (req.method === "CANCEL") return this.proxy.cancel(rec, req);
    // RFC 3261 16.3 item 2 (RFC 4475 3.3.2, 3.3.3): a Request-URI scheme the core does not understand, before any policy
    if (!KNOWN_SCHEMES.has(req.uri.scheme.toLowerCase())) return this.answer(rec, req, 416, `the Request-URI scheme "${req.uri.scheme}" is not supported (RFC 3261 16.3 item 2)`);
    this.learnFlow(rec, req);
    // RFC 3261 16.3 item 4: the P-CSCF part is a proxy and honours Proxy-Require
    const proxyUnsupported = req.optionTags("proxy-require").filter((t) => !PROXY_SUPPORTED.has(t) && !this.ctx.secAgree?.supports(t));
    if (proxyUnsupported.length > 0) return this.badExtension(rec, req, proxyUnsupported, "Proxy-Require, RFC 3261 16.3 item 4");
    const fwd = copyRequest(req);
    const nextRoute = stripOwnRoutes(this.ctx, fwd);
    if (req.toTag !== undefined) {
      // RFC 3261 12.2.2: within a dialog; ours when it is addressed to the core itself
      if (!nextRoute && this.ctx.addressing.isOwnAddress(req.uri)) {
        if (!this.notifier.inDialog(rec, req)) this.answer(rec, req, 481, "no such dialog at the core");
        return;
      }
      return this.forwardInDialog(rec, req, fwd, nextRoute);
    }
    if (req.method === "REGISTER") {
      if (!this.requireSupported(rec, req)) return;
      return this.registrar.handle(rec, req);
    }
    if (!nextRoute && this.sms.handles(req)) return this.sms.receive(rec, req);
    if (!nextRoute && this.ctx.addressing.isOwnTarget(req.uri)) return this.answerOwn(rec, req);
    if (req.method === "SUBSCRIBE" && eventPackage(req) === "reg") {
      const target = this.ctx.hss.byImpu(req.uri);
      if (target) {
        if (!this.requireSupported(rec, req)) return;
        return this.notifier.subscribe(rec, req, target);
      }
    }
    this.forwardInitial(rec, req, fwd, nextRoute);
  }

  /** RFC 3261 8.2.1, 8.2.2.3, 11.2: requests addressed to the core itself. */
  private answerOwn(rec: Received, req: SipRequest): void {
    if (req.method !== "OPTIONS") {
      // RFC 3261 8.2.1: a method the core does not accept for its own address: 405 with Allow
      this.answer(rec, req, 405, `${req.method} is not accepted for the core's own address`, { Allow: OWN_ALLOW });
      return;
    }
    if (!this.requireSupported(rec, req)) return;
    // RFC 3261 11.2: the capabilities of the core
    this.answer(rec, req, 200, "OPTIONS to the core", { Allow: ALLOW, Supported: [...SUPPORTED].join(", "), Accept: "application/sdp, application/reginfo+xml" });
  }

  /** RFC 3261 8.2.2.3: a Require the core (as UAS) does not support: 420 with Unsupported. */
  private requireSupported(rec: Received, req: SipRequest): boolean {
    // RFC 3329 2.3.1: sec-agree only for a core that supports it (PICS sec-agree); 420 otherwise
    const unsupported = req.optionTags("require").filter((t) => !SUPPORTED.has(t) && !this.ctx.secAgree?.supports(t));
    if (unsupported.length === 0) return true;
    this.badExtension(rec, req, unsupported, "Require, RFC 3261 8.2.2.3");
    return false;
  }

  private badExtension(rec: Received, req: SipRequest, tags: string[], clause: string): void {
    this.answer(rec, req, 420, `unsupported ${tags.join(", ")} (${clause})`, { Unsupported: tags.join(", ") });
  }

  /**
   * TS 24.229 5.2.6.3 (originating P-CSCF) and 5.4.3.3 (terminating S-CSCF): an initial request
   * from a registered UE to a public identity, sent to the contact the target registered.
   */
  private forwardInitial(rec: Received, req: SipRequest, fwd: SipRequest, nextRoute: NameAddr | undefined): void {
    const { hss, bindings, addressing, faults } = this.ctx;
    if (!decrementMaxForwards(fwd)) return this.answer(rec, req, 483, "Max-Forwards reached 0 (RFC 3261 16.3 item 3)");
    if (req.method === "MESSAGE" && faults.has("garbage-to-message")) {
      this.ctx.log(`fault garbage-to-message: MESSAGE ${req.uriText} answered with ${GARBAGE.length} bytes that are not SIP`);
      void this.ctx.endpoint.sendStateless(GARBAGE, rec.source).catch((e: unknown) => this.ctx.log(`fault garbage-to-message: could not send: ${e instanceof Error ? e.message : String(e)}`));
      return;
    }
    if (req.method === "INVITE" && faults.has("500-on-invite")) {
      this.ctx.log(`fault 500-on-invite: INVITE ${req.uriText} answered 500`);
      rec.transaction?.respond(withTag(rec, 500));
      return;
    }
    // Issue 15, TS 24.228 7.2: a request from another network of the run, for one of the core's users
    const fromPeer = this.ctx.interconnect.peerAt(rec.source);
    // No transit: a peer's request is for one of the core's users, never routed on (TS 24.229 5.10 is the IBCF's business)
    if (fromPeer && nextRoute) return this.answer(rec, req, 403, `a request from the network of ${fromPeer.domain} routed on to ${formatUri(nextRoute.uri)}: no transit`);
    if (fromPeer) return this.forwardFromPeer(rec, req, fwd, fromPeer);
    const caller = hss.byImpu(req.from.uri);
    if (!caller || !bindings.isRegistered(caller)) return this.answer(rec, req, 403, `the originating identity ${formatUri(req.from.uri)} is not registered (TS 24.229 5.2.6.3)`);
    // TS 24.229 5.2.6.3.1: P-Asserted-Identity from P-Preferred-Identity when it is one of the user's, else the default IMPU
    fwd.removeHeader("P-Preferred-Identity");
    const asserted = assertedIdentity(req, caller);
    if (faults.has("superstring-p-asserted-identity")) {
      // The right identity's text with more after it: another host, or one more digit
      const wrong = asserted.startsWith("tel:") ? `${asserted}9` : asserted.replace(/@([^;>]+)/, "@$1.invalid");
      fwd.setHeader("P-Asserted-Identity", `<${wrong}>`);
      this.ctx.log(`fault superstring-p-asserted-identity: P-Asserted-Identity <${wrong}> instead of <${asserted}>`);
    } else fwd.setHeader("P-Asserted-Identity", `<${asserted}>`);
    // RFC 3261 16.6 item 4: the core stays on the path of the dialog
    if (faults.has("strip-record-route")) this.ctx.log(`fault strip-record-route: ${req.method} ${req.uriText} forwarded without Record-Route`);
    else fwd.prependHeader("Record-Route", addressing.recordRoute);
    if (nextRoute) {
      const destination = addressing.destination(nextRoute.uri, rec.source.protocol);
      if (!destination) return this.answer(rec, req, 416, `no way to reach ${fwd.uriText}`);
      return this.forward(rec, [{ request: fwd, destination }]);
    }
    const peer = this.ctx.interconnect.peerFor(req.uri);
    if (peer) return this.forwardToPeer(rec, req, fwd, peer);
    this.forwardToContacts(rec, req, fwd);
  }

  /**
   * TS 24.229 5.4.3.2, TS 24.228 7.2: the originating S-CSCF sends a request for a user of another
   * network to that network's interconnect address (its I-CSCF), Request-URI unchanged.
   */
  private forwardToPeer(rec: Received, req: SipRequest, fwd: SipRequest, peer: InterconnectPeer): void {
    const { faults } = this.ctx;
    if (faults.has("reject-foreign-domain")) {
      this.ctx.log(`fault reject-foreign-domain: ${req.method} ${req.uriText} for the network of ${peer.domain} answered 404`);
      return this.answer(rec, req, 404, `no subscriber has the identity ${req.uriText}`);
    }
    if (faults.has("drop-pai-at-boundary")) {
      fwd.removeHeader("P-Asserted-Identity");
      this.ctx.log(`fault drop-pai-at-boundary: ${req.method} ${req.uriText} sent to ${peer.domain} without P-Asserted-Identity`);
    }
    if (faults.has("lose-record-route-across")) {
      fwd.removeHeader("Record-Route");
      this.ctx.log(`fault lose-record-route-across: ${req.method} ${req.uriText} sent to ${peer.domain} without Record-Route`);
    }
    this.forward(rec, [{ request: fwd, destination: this.ctx.interconnect.destination(peer) }]);
  }

  /**
   * TS 24.229 5.4.3.3 (terminating S-CSCF, reached through the I-CSCF): a request from a peer network
   * for one of the core's users. The peer is within the trust domain (TS 24.229 4.4): its
   * P-Asserted-Identity is kept; the core stays on the path (RFC 3261 16.6 item 4).
   */
  private forwardFromPeer(rec: Received, req: SipRequest, fwd: SipRequest, peer: InterconnectPeer): void {
    this.ctx.log(`${req.method} ${req.uriText} from the network of ${peer.domain}`);
    if (this.ctx.faults.has("strip-record-route")) this.ctx.log(`fault strip-record-route: ${req.method} ${req.uriText} forwarded without Record-Route`);
    else fwd.prependHeader("Record-Route", this.ctx.addressing.recordRoute);
    this.forwardToContacts(rec, req, fwd);
  }

  /** TS 24.229 5.4.3.3, RFC 3261 16.5, 16.6 item 2: a request for one of the core's users, to each contact it registered. */
  private forwardToContacts(rec: Received, req: SipRequest, fwd: SipRequest): void {
    const { hss, bindings } = this.ctx;
    // TS 24.229 5.4.3.3: the terminating identity: unknown 404, known but unregistered 480
    const target = hss.byImpu(req.uri);
    if (!target) return this.answer(rec, req, 404, `no subscriber has the identity ${req.uriText}`);
    const bindings_ = bindings.targets(target);
    if (bindings_.length === 0) return this.answer(rec, req, 480, `${target.defaultImpu} is not registered`);
    // RFC 3261 16.5, 16.6 item 2: one copy per registered contact, its Request-URI the contact
    const targets: ForwardTarget[] = [];
    for (const binding of bindings_) {
      const uri = parseUri(binding.contact);
      const destination = isUriParseError(uri) ? undefined : this.bindingDestination(req, binding, uri);
      if (!destination) continue;
      const copy = copyRequest(fwd);
      copy.uriText = binding.contact;
      targets.push({ request: copy, destination });
    }
    if (targets.length === 0) return this.answer(rec, req, 416, `no way to reach the contacts of ${target.defaultImpu}`);
    this.forward(rec, targets);
  }

  /**
   * RFC 7118 5: a binding registered over WebSocket is reached down the flow its REGISTER came on
   * (the Contact's host is not reachable); every other binding at its Contact (RFC 3261 16.6 item 6).
   */
  private bindingDestination(req: SipRequest, binding: Binding, uri: Uri): Destination | undefined {
    const { addressing, faults } = this.ctx;
    if (!isWebSocket(binding.flow.protocol)) return addressing.destination(uri, binding.protocol);
    if (!faults.has("ignore-ws-flow")) return binding.flow;
    const contact = addressing.destination(uri, binding.protocol);
    if (contact)
      this.ctx.log(
        `fault ignore-ws-flow: ${req.method} for ${binding.contact} sent to its Contact at ${formatDestination(contact)}, not down its flow (${formatDestination(binding.flow)}${binding.flow.connectionId !== undefined ? ` connection ${binding.flow.connectionId}` : ""})`,
      );
    return contact;
  }

  /** RFC 7118 5: the Contact of a request from a WebSocket client is reached down the connection it came on. */
  private learnFlow(rec: Received, req: SipRequest): void {
    if (!isWebSocket(rec.source.protocol) || req.method === "REGISTER") return;
    let contact: NameAddr | undefined;
    try {
      contact = req.hasHeader("contact") ? req.nameAddrs("contact")[0] : undefined;
    } catch {
      return; // a Contact that does not parse is judged where it matters, not here
    }
    if (contact) this.ctx.addressing.learnFlow(contact.uri, rec.source);
  }

  /** RFC 3261 16.4, 16.6 item 6: a request within a dialog goes to its Request-URI (the peer's contact). */
  private forwardInDialog(rec: Received, req: SipRequest, fwd: SipRequest, nextRoute: NameAddr | undefined): void {
    if (!decrementMaxForwards(fwd)) return this.answer(rec, req, 483, "Max-Forwards reached 0 (RFC 3261 16.3 item 3)");
    const destination = this.ctx.addressing.destination(nextRoute ? nextRoute.uri : req.uri, rec.source.protocol);
    if (!destination) return this.answer(rec, req, 416, `no way to reach ${req.uriText}`);
    this.forward(rec, [{ request: fwd, destination }]);
  }

  private forward(rec: Received, targets: ForwardTarget[]): void {
    // RFC 4028 8.1: the core's minimum session interval (a 422, or Session-Expires raised); a BYE ends the session
    const copies = targets.map((t) => t.request);
    if (!this.ctx.sessionTimers.request(rec, rec.message as SipRequest, copies)) return;
    for (const { request: fwd } of targets) {
      if (fwd.method === "INVITE" && this.ctx.faults.has("no-100rel")) {
        const had = [...fwd.optionTags("supported"), ...fwd.optionTags("require")].includes("100rel");
        strip100relFromRequest(fwd);
        if (had) this.ctx.log(`fault no-100rel: INVITE ${fwd.uriText} forwarded without 100rel`);
      }
      if (this.ctx.faults.has("strip-telephone-event") && stripTelephoneEvent(fwd)) this.ctx.log(`fault strip-telephone-event: ${fwd.method} ${fwd.uriText} forwarded without telephone-event`);
      if (this.ctx.faults.has("one-way-audio") && misdirectAudio(fwd)) this.ctx.log(`fault one-way-audio: ${fwd.method} ${fwd.uriText} forwarded with its audio address pointing nowhere`);
    }
    this.proxy.fork(rec, targets);
    this.ctx.sessionTimers.sent(copies, rec.message as SipRequest);
  }

  /** RFC 3261 16.11 / 17.2.1: the ACK for a 2xx has no transaction here; forward it statelessly. */
  private routeAck(rec: Received, req: SipRequest): void {
    const fwd = copyRequest(req);
    const nextRoute = stripOwnRoutes(this.ctx, fwd);
    if (!nextRoute && this.ctx.addressing.isOwnAddress(req.uri)) return;
    if (!decrementMaxForwards(fwd)) return;
    const destination = this.ctx.addressing.destination(nextRoute ? nextRoute.uri : req.uri, rec.source.protocol);
    if (destination) this.proxy.forwardStateless(rec, fwd, destination);
  }

  private answer(rec: Received, req: SipRequest, status: number, why: string, headers: Record<string, string> = {}): void {
    const r = withTag(rec, status);
    for (const [n, v] of Object.entries(headers)) r.addHeader(n, v);
    rec.transaction?.respond(r);
    this.ctx.log(`${req.method} ${req.uriText}: ${status} (${why})`);
  }
}

/** A response of the core itself, with its To tag (RFC 3261 8.2.6.2). */
function withTag(rec: Received, status: number, reason?: string): SipResponse {
  return createResponse(rec.message as SipRequest, status, { toTag: newTag(), ...(reason !== undefined ? { reason } : {}) });
}

/** RFC 3261 16.4: removes the leading Route entries that point at the core; returns the next one. */
function stripOwnRoutes(ctx: CoreContext, fwd: SipRequest): NameAddr | undefined {
  for (;;) {
    const first = fwd.nameAddrs("route")[0];
    if (!first) return undefined;
    if (!ctx.addressing.isOwnAddress(first.uri)) return first;
    fwd.removeFirstValue("route");
  }
}

/** RFC 3261 16.6 item 3; false when it is already 0 (16.3 item 3). */
function decrementMaxForwards(fwd: SipRequest): boolean {
  const v = fwd.header("max-forwards");
  const n = v === undefined ? 70 : Number(v.trim());
  if (!Number.isInteger(n) || n < 0) throw new HeaderError("Max-Forwards", `"${v ?? ""}" is not a number (RFC 3261 20.22)`);
  if (n === 0) return false;
  fwd.setHeader("Max-Forwards", n - 1);
  return true;
}

/** TS 24.229 5.2.6.3.1: the asserted identity of the caller. */
function assertedIdentity(req: SipRequest, caller: SubscriberRecord): string {
  const preferred = req.nameAddrs("p-preferred-identity")[0];
  if (preferred) {
    const match = caller.impus.find((i) => sameIdentity(i, preferred.uri));
    if (match) return match;
  }
  return caller.defaultImpu;
}

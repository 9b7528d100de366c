// A simulated IMS UE per TS 24.229 clause 5.1: registration with Path, Service-Route and
// P-Associated-URI, the reg event subscription, calls with or without preconditions, page-mode
// MESSAGE, all through its P-CSCF. Requests nobody declared a behaviour for stay in the inbox.
import type { Clock } from "../clock.ts";
import { Deadline } from "../deadline.ts";
import { KeyedTable } from "../keyed-table.ts";
import { type Received, SipEndpoint } from "../endpoint/index.ts";
import { ExpiringRecords } from "../transaction/index.ts";
import type { Destination } from "../endpoint/destination.ts";
import { dialogKey } from "../dialog/index.ts";
import { summarizeMessage } from "../failure.ts";
import { newCallId, newTag } from "../identifiers.ts";
import { SipRequest, type SipResponse, createResponse } from "../message/index.ts";
import type { TimerSettings } from "../transaction/index.ts";
import { transactionTimeout } from "../transaction/index.ts";
import type { TransportProtocol } from "../transport/address.ts";
import type { TraceSink } from "../transport/trace.ts";
import type { SipTransport } from "../transport/transport.ts";
import { createTransport } from "../transport/transport-factory.ts";
import { WaitableQueue } from "../waitable-queue.ts";
import { type AutomaticRequestIncident, type IncidentListener, watchAutomatic } from "./automatic-request.ts";
import { CallMedia, type CallMediaOptions } from "./call-media.ts";
import { IncomingCall } from "./incoming-call.ts";
import { type CallOptions, OutgoingCall } from "./outgoing-call.ts";
import { RegistrationClient, type RegisterOptions, type RegistrationOutcome } from "./registration.ts";
import { SecAgreeClient, type SecAgreeOptions } from "./sec-agree.ts";
import { Subscription } from "./subscription.ts";
import { UeAuthenticator, type UeCredentials } from "./ue-credentials.ts";
import type { DialogHandler, UeContext } from "./ue-context.ts";

export interface UeConfig {
  /** The UE's name in traces and reports: "UE-A". */
  readonly name: string;
  /** Private user identity (TS 23.228 4.3.3.1), the Digest username. */
  readonly impi: string;
  /** Public user identity: a SIP URI (TS 23.228 4.3.3.2). */
  readonly impu: string;
  readonly displayName?: string;
  /** Home network domain: the REGISTER Request-URI and realm (TS 24.229 5.1.1.2.1). */
  readonly domain: string;
  readonly credentials: UeCredentials;
  /** Where every request goes: the P-CSCF. */
  readonly pcscf: Destination;
  /** P-CSCF URI placed first in the preloaded Route (TS 24.229 5.1.2A.1.1); none in direct tests. */
  readonly pcscfUri?: string;
  readonly protocol: TransportProtocol;
  readonly localHost?: string;
  readonly localPort?: number;
  /** Transports already created (an in-memory network in tests) instead of listening on localHost:localPort; one must be of `protocol`. */
  readonly transports?: readonly SipTransport[];
  readonly timers?: Partial<TimerSettings>;
  readonly trace?: TraceSink;
  readonly clock?: Clock;
  /** The deadline of the running test step: every wait of the UE ends by it (the step's budget is inherited). */
  readonly budget?: () => Deadline;
  /** Answer MESSAGE with 200 automatically (default true). */
  readonly autoAnswerMessages?: boolean;
  /**
   * RFC 3329, TS 33.203 7, TS 24.229 5.1.1.2.1: offer the ipsec-3gpp security agreement in every
   * REGISTER (PICS sec-agree, or a step that asks for it). Only a UE with AKA credentials offers it:
   * the SAs' keys come from IMS AKA's CK and IK (TS 33.203 7.1).
   */
  readonly secAgree?: boolean | SecAgreeOptions;
  /** RFC 3261 18.1.1: the path MTU toward the P-CSCF when known; requests larger than MTU - 200 (1300 bytes when unknown) go over TCP. */
  readonly pathMtu?: number;
}

/**
 * RFC 3261 18.1.1 and 18.2.1, TS 24.229 4.2A: a UE whose transport is UDP also listens for TCP on the
 * same port (its Contact's), so that a large request can reach it over TCP; and it sends its own large
 * requests over TCP. A port the OS picked for UDP may be taken for TCP: another one is tried.
 */
async function udpAndTcp(host: string, port: number | undefined, trace: TraceSink | undefined): Promise<SipTransport[]> {
  const withTrace = trace ? { trace } : {};
  for (let attempt = 1; ; attempt++) {
    const udp = await createTransport({ protocol: "udp", host, port: port ?? 0, ...withTrace });
    try {
      const tcp = await createTransport({ protocol: "tcp", host, port: udp.local.port, ...withTrace });
      return [udp, tcp];
    } catch (e) {
      await udp.close();
      if (port !== undefined || attempt >= 10) throw new Error(`cannot listen for TCP on ${host}:${udp.local.port}, the UE's UDP port: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }
}

const ALLOW = "INVITE, ACK, CANCEL, BYE, PRACK, UPDATE, MESSAGE, OPTIONS, NOTIFY, SUBSCRIBE";

export class ImsUe implements UeContext {
  readonly name: string;
  readonly impu: string;
  readonly displayName?: string;
  readonly outbound: Destination;
  readonly protocol: TransportProtocol;
  readonly contact: string;
  readonly registration: RegistrationClient;
  readonly auth: UeAuthenticator;
  readonly incomingCalls: WaitableQueue<IncomingCall>;
  readonly messages: WaitableQueue<Received>;
  /** By dialog key, call and subscription: KeyedTables, as they churn with every call (see there). */
  private readonly dialogs = new KeyedTable<DialogHandler>();
  private readonly pendingSubscriptions = new KeyedTable<Subscription>();
  private readonly calls = new KeyedTable<IncomingCall>();
  /** Automatic requests that did not end in 2xx, in order. */
  readonly incidents: AutomaticRequestIncident[] = [];
  private readonly incidentListeners: IncidentListener[] = [];
  /** Media streams opened for calls; close() stops those still running (no socket outlives the UE). */
  private readonly mediaStreams = new Set<CallMedia>();

  private constructor(
    readonly endpoint: SipEndpoint,
    readonly config: UeConfig,
  ) {
    this.name = config.name;
    this.impu = config.impu;
    if (config.displayName !== undefined) this.displayName = config.displayName;
    this.outbound = config.pcscf;
    this.protocol = config.protocol;
    this.contact = endpoint.contactUri(config.impi.split("@")[0] ?? "ue", config.protocol);
    this.auth = new UeAuthenticator(config.impi, config.credentials);
    const secAgree = config.secAgree && config.credentials.kind === "aka" ? new SecAgreeClient(endpoint.local(config.protocol).port, config.secAgree === true ? {} : config.secAgree) : undefined;
    this.registration = new RegistrationClient(this, this.auth, config.domain, secAgree);
    this.incomingCalls = new WaitableQueue((c) => summarizeMessage(c.invite), endpoint.clock);
    this.messages = new WaitableQueue((r) => summarizeMessage(r.message), endpoint.clock);
    endpoint.onRequest((r) => this.dispatch(r));
  }

  static async start(config: UeConfig): Promise<ImsUe> {
    const common = {
      ...(config.timers ? { timers: config.timers } : {}),
      ...(config.clock ? { clock: config.clock } : {}),
      ...(config.pathMtu !== undefined ? { pathMtu: config.pathMtu } : {}),
    };
    const host = config.localHost ?? "127.0.0.1";
    const endpoint = config.transports
      ? await SipEndpoint.start({ transports: config.transports, ...common })
      : config.protocol === "udp"
        ? await SipEndpoint.start({ transports: await udpAndTcp(host, config.localPort, config.trace), ...common })
        : await SipEndpoint.start({ listen: [{ protocol: config.protocol, host, port: config.localPort ?? 0 }], ...(config.trace ? { trace: config.trace } : {}), ...common });
    return new ImsUe(endpoint, config);
  }

  // UeContext

  preloadedRoute(): string[] {
    const routes = this.config.pcscfUri ? [`<${this.config.pcscfUri}>`] : [];
    return [...routes, ...this.registration.serviceRoute];
  }

  deadline(label: string, ms?: number): Deadline {
    const own = ms ?? transactionTimeout(this.endpoint.timers);
    const parent = this.budget();
    return parent ? parent.within(own, label) : Deadline.after(own, label, this.endpoint.clock);
  }

  budget(): Deadline | undefined {
    return this.config.budget?.();
  }

  within(deadline: Deadline | undefined): { deadline?: Deadline } {
    const d = deadline ?? this.budget();
    return d ? { deadline: d } : {};
  }

  via(): string {
    return this.endpoint.via(this.protocol);
  }

  automatic(method: string, what: string, outcome: Promise<SipResponse | undefined | void>): void {
    watchAutomatic(
      this.name,
      method,
      what,
      outcome,
      () => this.endpoint.clock.now(),
      (incident) => {
        this.incidents.push(incident);
        for (const l of this.incidentListeners) l(incident);
      },
    );
  }

  /** Tells the listener of every automatic request that did not end in 2xx. */
  onIncident(listener: IncidentListener): void {
    this.incidentListeners.push(listener);
  }

  /** A dialog (a call) of this UE has not ended. */
  hasDialogs(): boolean {
    return this.dialogs.size > 0;
  }

  addDialog(key: string, handler: DialogHandler): void {
    this.dialogs.set(key, handler);
  }

  removeDialog(key: string, lateAcks = true): void {
    this.dialogs.delete(key);
    if (!lateAcks) return;
    // RFC 3261 13.2.2.4: the caller ACKs every 2xx retransmission it receives, also one that crossed
    // the BYE: such an ACK may arrive after the dialog ended, and is absorbed for 64*T1
    (this.endedDialogs ??= new ExpiringRecords(this.endpoint.clock)).add(key, this.endpoint.clock.now() + 64 * this.endpoint.timers.t1);
  }

  /** Dialogs ended lately, by key, until an ACK for them stops being absorbed: records, not objects (issue 17). */
  private endedDialogs: ExpiringRecords | undefined;

  // TS 24.229 5.1.1

  register(options: RegisterOptions = {}): Promise<RegistrationOutcome> {
    return this.registration.register(options);
  }

  /** TS 24.229 5.1.1.6: REGISTER with Expires: 0. */
  deregister(options: Omit<RegisterOptions, "expires"> = {}): Promise<RegistrationOutcome> {
    return this.registration.register({ ...options, expires: 0 });
  }

  /** TS 24.229 5.1.1.3: SUBSCRIBE to the reg event package of our own IMPU, routed by Service-Route. */
  async subscribeReg(options: { expires?: number; deadline?: Deadline } = {}): Promise<Subscription> {
    const s = new Subscription(this, "reg", this.impu, options.expires ?? 600000);
    this.pendingSubscriptions.set(s.pendingKey, s);
    try {
      await s.start(options.deadline);
    } finally {
      this.pendingSubscriptions.delete(s.pendingKey);
    }
    return s;
  }

  // Calls and messages

  /**
   * A media stream for a call, bound on this UE's host: pass it as `media` to call() (the INVITE
   * offers it) or, with `offer` set to the INVITE's SDP, to accept()/provisional() of an incoming call.
   */
  async openMedia(options: CallMediaOptions = {}): Promise<CallMedia> {
    const media = await CallMedia.open({ host: this.config.localHost ?? "127.0.0.1", ...options });
    this.mediaStreams.add(media);
    return media;
  }

  /** Every media stream this UE opened, in order. */
  get media(): readonly CallMedia[] {
    return [...this.mediaStreams];
  }

  call(target: string, options: CallOptions = {}): OutgoingCall {
    return new OutgoingCall(this, target, options).start();
  }

  waitForCall(deadline?: Deadline): Promise<IncomingCall> {
    return this.incomingCalls.next(() => true, deadline ?? this.deadline(`INVITE to ${this.name}`), `an INVITE for ${this.name} (${this.impu})`);
  }

  /** RFC 3428: a page-mode MESSAGE routed by the preloaded route. */
  sendMessage(target: string, text: string | Buffer, options: { contentType?: string; deadline?: Deadline; headers?: Readonly<Record<string, string>> } = {}): Promise<SipResponse> {
    const r = this.buildMessage(target, text, options);
    return this.endpoint.request(r, this.outbound, { ...this.within(options.deadline), clause: "RFC 3428 4" });
  }

  /** The MESSAGE sendMessage would send, for tests that send it themselves (e.g. twice, RFC 3261 17.2). */
  buildMessage(target: string, text: string | Buffer, options: { contentType?: string; headers?: Readonly<Record<string, string>> } = {}): SipRequest {
    const r = new SipRequest("MESSAGE", target);
    r.addHeader("Via", this.via());
    r.addHeader("Max-Forwards", 70);
    for (const route of this.preloadedRoute()) r.addHeader("Route", route);
    r.addHeader("From", `<${this.impu}>;tag=${newTag()}`);
    r.addHeader("To", `<${target}>`);
    r.addHeader("Call-ID", newCallId());
    r.addHeader("CSeq", "1 MESSAGE");
    for (const [n, v] of Object.entries(options.headers ?? {})) r.addHeader(n, v);
    r.setBody(text, options.contentType ?? "text/plain");
    return r;
  }

  waitForMessage(deadline?: Deadline): Promise<Received> {
    return this.messages.next(() => true, deadline ?? this.deadline(`MESSAGE to ${this.name}`), `a MESSAGE for ${this.name} (${this.impu})`);
  }

  /** Declared behaviours for requests the UE receives; what is left goes to the endpoint's inbox. */
  private dispatch(rec: Received): boolean {
    const m = rec.message;
    if (m.kind !== "request") return false;
    const toTag = m.toTag;
    if (toTag) {
      const handler = this.dialogs.get(dialogKey({ callId: m.callId, localTag: toTag, remoteTag: m.fromTag ?? "" }));
      if (handler) {
        handler(rec);
        return true;
      }
      const pending = this.pendingSubscriptions.get(`${m.callId}|${toTag}`);
      if (pending) {
        pending.receive(rec);
        return true;
      }
      if (m.method === "ACK") {
        const key = dialogKey({ callId: m.callId, localTag: toTag, remoteTag: m.fromTag ?? "" });
        return this.endedDialogs?.has(key) ?? false;
      }
      // RFC 3261 12.2.2: a request for a dialog we do not know gets 481
      rec.transaction?.respond(createResponse(m, 481));
      return false;
    }
    switch (m.method) {
      case "INVITE": {
        let call: IncomingCall;
        try {
          call = new IncomingCall(this, rec);
        } catch (e) {
          // An INVITE no dialog can be built from (RFC 2543's From without tag, RFC 4475 3.4.1, forwarded by
          // a SUT): refused with 400 (RFC 3261 8.2), not thrown into the transport as the harness's error
          rec.transaction?.respond(createResponse(m, 400, { toTag: newTag(), reason: (e instanceof Error ? e.message : String(e)).slice(0, 80) }));
          return true;
        }
        this.calls.set(rec.transaction!.id, call);
        rec.transaction!.onTerminated(() => this.calls.delete(rec.transaction!.id));
        this.incomingCalls.push(call);
        return true;
      }
      case "CANCEL": {
        // RFC 3261 9.2: match the INVITE transaction; without one the CANCEL gets 481
        const invite = this.endpoint.transactions.findInviteFor(m);
        const call = invite ? this.calls.get(invite.id) : undefined;
        if (call) call.cancelled(rec);
        else rec.transaction?.respond(createResponse(m, 481));
        return true;
      }
      case "MESSAGE":
        if (this.config.autoAnswerMessages !== false) rec.transaction?.respond(createResponse(m, 200, { toTag: newTag() }));
        this.messages.push(rec);
        return true;
      case "OPTIONS": {
        // RFC 3261 11.2
        const r = createResponse(m, 200, { toTag: newTag() });
        r.addHeader("Allow", ALLOW);
        r.addHeader("Accept", "application/sdp");
        r.addHeader("Supported", "100rel, precondition, path");
        rec.transaction?.respond(r);
        return true;
      }
      default:
        return false;
    }
  }

  /**
   * Forgets the calls, messages and requests received so far, keeping those not yet taken: a UE that
   * serves flow after flow (a standing registration under load) would keep every one of them.
   */
  forgetHistory(): void {
    this.incomingCalls.forgetHistory();
    this.messages.forgetHistory();
    this.endpoint.inbox.forgetHistory();
  }

  async close(): Promise<void> {
    await Promise.all([...this.mediaStreams].map((m) => m.stop("UE closed")));
    this.endedDialogs?.clear();
    await this.endpoint.close();
  }
}

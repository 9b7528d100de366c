// The self-test UE under test: the driver's own ImsUe behind the upper-tester interface, acting as a
// terminal does on its own (TS 24.229 5.1): it registers when told, refreshes before the granted
// expiry (5.1.1.4.1), subscribes to its reg event (5.1.1.3) and stops using a registration the
// network terminated (5.1.1.7), rings on an incoming INVITE (reliably when the caller supports
// 100rel, RFC 3262 3), answers and hangs up when told, answers MESSAGE. Its faults break one of
// these on purpose, so that each terminal test case is proven able to fail.
import { PCMU, createAnswer, parseSdp, serializeSdp } from "../media/index.ts";
import type { Subscriber, UeFaultName, UpperTesterAction } from "../profile/profile.ts";
import type { Deadline } from "../sip/deadline.ts";
import type { TransportProtocol } from "../sip/transport/address.ts";
import { createTransport } from "../sip/transport/transport-factory.ts";
import type { IncomingPacket, SipTransport } from "../sip/transport/transport.ts";
import { ImsUe, type IncomingCall, type OutgoingCall, type Subscription, type UeCredentials } from "../sip/ue/index.ts";
import type { UpperTester, UpperTesterParams } from "./upper-tester.ts";
import { UpperTesterError } from "./upper-tester.ts";

/** TS 24.229 5.1.1.2.1: the expiry the UE asks for in an initial REGISTER. */
const ASKED_EXPIRES = 600000;

export interface SelfTestUeOptions {
  readonly subscriber: Subscriber;
  readonly domain: string;
  /** The harness's network (its P-CSCF). */
  readonly pcscf: { readonly host: string; readonly port: number };
  readonly protocol: TransportProtocol;
  readonly localHost: string;
  readonly timers: { readonly t1: number; readonly t2: number; readonly t4: number };
  readonly faults: readonly UeFaultName[];
  /** Lines for the SUT log of the self-test UE. */
  readonly log: (line: string) => void;
}

/** A started self-test UE: its upper tester, and switch-off. */
export class SelfTestUe implements UpperTester {
  readonly description = "the self-test UE's own controls";
  readonly effectMs = 0;
  private refresh: ReturnType<typeof setTimeout> | undefined;
  private subscription: Subscription | undefined;
  private incoming: IncomingCall | undefined;
  private outgoing: OutgoingCall | undefined;
  /** The incoming call negotiated preconditions (its offer and answer are complete before the 200). */
  private preconditions = false;
  /** The registration the network terminated (reg event): not used again until a new one. */
  private terminated = false;
  private closed = false;

  private constructor(
    readonly ue: ImsUe,
    private readonly options: SelfTestUeOptions,
  ) {
    void this.ringOnIncomingCalls();
  }

  static async start(options: SelfTestUeOptions): Promise<SelfTestUe> {
    const s = options.subscriber;
    const credentials = credentialsOf(s);
    const transport = await createTransport({ protocol: options.protocol, host: options.localHost, port: 0 });
    // Fault no-ack-handling: the UE never sees an ACK, so it retransmits its 2xx (RFC 3261 13.3.1.4 broken)
    const transports = [options.faults.includes("no-ack-handling") ? dropping(transport, (p) => p.bytes.subarray(0, 4).toString("latin1") === "ACK ") : transport];
    const ue = await ImsUe.start({
      name: s.role,
      impi: s.impi,
      impu: s.impus[0] ?? "",
      ...(s.displayName ? { displayName: s.displayName } : {}),
      domain: options.domain,
      credentials,
      pcscf: { protocol: options.protocol, host: options.pcscf.host, port: options.pcscf.port },
      protocol: options.protocol,
      localHost: options.localHost,
      transports,
      timers: options.timers,
    });
    options.log(`self-test UE ${s.role} (${s.impus[0] ?? ""}) switched on at ${ue.contact}${options.faults.length ? `; faults ${options.faults.join(", ")}` : ""}`);
    return new SelfTestUe(ue, options);
  }

  /** Where it listens. */
  get address(): { readonly host: string; readonly port: number } {
    const l = this.ue.endpoint.local(this.options.protocol);
    return { host: l.host, port: l.port };
  }

  lacks(): string | undefined {
    return undefined;
  }

  automatic(): boolean {
    return false;
  }

  async act(action: UpperTesterAction, params: UpperTesterParams, deadline: Deadline): Promise<void> {
    this.options.log(`upper tester: ${action}${params.target ? ` ${params.target}` : ""}`);
    switch (action) {
      case "register":
        return this.register(deadline);
      case "deregister":
        return this.deregister(deadline);
      case "call":
        return this.call(need(params.target, "call"));
      case "answer":
        return this.answer();
      case "hangup":
        return this.hangup(deadline);
      case "message":
        return this.message(need(params.target, "message"), params.text ?? "", deadline);
    }
  }

  private async register(deadline: Deadline): Promise<void> {
    const fault = (f: UeFaultName): boolean => this.options.faults.includes(f);
    const outcome = await this.ue.register({ expires: ASKED_EXPIRES, deadline, initialAuthorization: !fault("no-initial-authorization") });
    if (!this.ue.registration.registered) {
      this.options.log(`registration ended with ${outcome.final.startLine()}`);
      return;
    }
    this.terminated = false;
    // Fault ignore-service-route: the preloaded route leaves the Service-Route out (TS 24.229 5.1.2A.1.1 broken)
    if (fault("ignore-service-route")) this.ue.registration.serviceRoute = [];
    if (!fault("no-refresh")) this.scheduleRefresh(outcome.expires ?? ASKED_EXPIRES);
    if (!this.subscription) this.subscription = await this.subscribe(deadline);
  }

  /** TS 24.229 5.1.1.4.1: re-register when half the granted time has passed (1200 s or less), else 600 s before it ends. */
  private scheduleRefresh(granted: number): void {
    if (this.refresh) clearTimeout(this.refresh);
    const after = granted <= 1200 ? granted / 2 : granted - 600;
    this.options.log(`registration granted for ${granted} s: refresh in ${after} s`);
    this.refresh = setTimeout(() => {
      if (this.closed) return;
      this.ue
        .register({ expires: ASKED_EXPIRES })
        .then((o) => {
          if (this.ue.registration.registered) {
            if (this.options.faults.includes("ignore-service-route")) this.ue.registration.serviceRoute = [];
            this.scheduleRefresh(o.expires ?? ASKED_EXPIRES);
          } else this.options.log(`re-registration ended with ${o.final.startLine()}`);
        })
        // The network judges the refresh it receives; a failed one is only logged here
        .catch((e: unknown) => this.options.log(`re-registration failed: ${e instanceof Error ? e.message : String(e)}`));
    }, after * 1000);
  }

  /** TS 24.229 5.1.1.3: subscribe to the reg event; a NOTIFY terminating the registration ends its use (5.1.1.7). */
  private async subscribe(deadline: Deadline): Promise<Subscription | undefined> {
    try {
      const s = await this.ue.subscribeReg({ deadline });
      void this.followRegEvent(s);
      return s;
    } catch (e) {
      this.options.log(`reg event subscription failed: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  }

  private async followRegEvent(s: Subscription): Promise<void> {
    while (!this.closed) {
      const n = await s.notifications.next(() => true, this.forever(), "NOTIFY").catch(() => undefined);
      if (!n) return;
      const ended = /<registration\b[^>]*\bstate="terminated"/.test(n.body) || n.state?.state === "terminated";
      if (!ended) continue;
      this.options.log("reg event: the network terminated the registration");
      // Fault use-deregistered-registration: the UE goes on as if still registered (TS 24.229 5.1.1.7 broken)
      if (this.options.faults.includes("use-deregistered-registration")) continue;
      this.terminated = true;
      this.ue.registration.registered = false;
      if (this.refresh) clearTimeout(this.refresh);
      this.subscription = undefined;
      return;
    }
  }

  private async deregister(deadline: Deadline): Promise<void> {
    if (this.refresh) clearTimeout(this.refresh);
    await this.ue.deregister({ deadline });
  }

  /** TS 24.229 5.1.2A.1: an originating request only while registered; the self-test UE then registers first. */
  private async call(target: string): Promise<void> {
    if (!this.ue.registration.registered || this.terminated) {
      this.options.log(`call to ${target}: not registered, so no INVITE (TS 24.229 5.1.1.7)`);
      return;
    }
    const media = await this.ue.openMedia();
    // RFC 3325 9.2, TS 24.229 5.1.2A.1.1: the identity it prefers, one of those the network associated with it
    this.outgoing = this.ue.call(target, { media, headers: { "P-Preferred-Identity": `<${this.ue.impu}>` } });
  }

  /** RFC 3261 13.3.1.4, RFC 3264 6: a 200 answering the INVITE's offer, retransmitted until the ACK. */
  private async answer(): Promise<void> {
    const call = this.incoming;
    if (!call) throw new UpperTesterError("the self-test UE has no incoming call to answer");
    // With preconditions the offer and answer are done (183, UPDATE): the 200 carries no SDP
    if (this.preconditions) {
      call.accept({}).catch((e: unknown) => this.options.log(`the answer got no ACK: ${e instanceof Error ? e.message : String(e)}`));
      return;
    }
    const offer = call.invite.body.length > 0 ? call.invite.bodyText : undefined;
    const media = await this.ue.openMedia(offer ? { offer } : {});
    call.accept({ media }).catch((e: unknown) => this.options.log(`the answer got no ACK: ${e instanceof Error ? e.message : String(e)}`));
  }

  private async hangup(deadline: Deadline): Promise<void> {
    const call = this.outgoing ?? this.incoming;
    if (!call) throw new UpperTesterError("the self-test UE has no call to hang up");
    this.outgoing = undefined;
    this.incoming = undefined;
    await call.bye(deadline);
  }

  private async message(target: string, text: string, deadline: Deadline): Promise<void> {
    await this.ue.sendMessage(target, text, { deadline });
  }

  /**
   * RFC 3261 13.3.1.1: an incoming INVITE rings (180), reliably when the caller supports 100rel
   * (RFC 3262 3). An offer with preconditions (RFC 3312 5, TS 24.229 5.1.4.1) is answered first in a
   * reliable 183 with this UE's status, and the caller's UPDATE saying its resources are reserved in a
   * 200 with this UE's reserved too; then it rings.
   */
  private async ringOnIncomingCalls(): Promise<void> {
    while (!this.closed) {
      const call = await this.ue.incomingCalls.next(() => true, this.forever(), "INVITE").catch(() => undefined);
      if (!call) return;
      this.incoming = call;
      void this.ring(call).catch((e: unknown) => this.options.log(`the incoming call did not reach ringing: ${e instanceof Error ? e.message : String(e)}`));
    }
  }

  private async ring(call: IncomingCall): Promise<void> {
    const tags = [...call.invite.optionTags("supported"), ...call.invite.optionTags("require")].map((t) => t.trim().toLowerCase());
    const has = (tag: string): boolean => tags.includes(tag);
    const offer = call.invite.body.length > 0 ? call.invite.bodyText : undefined;
    // Fault unreliable-provisional: every provisional response unreliable, whatever the caller asked (RFC 3262 3 broken)
    const reliable = has("100rel") && !this.options.faults.includes("unreliable-provisional");
    if (offer && has("precondition") && has("100rel") && /^a=des:/m.test(offer)) {
      this.preconditions = true;
      await call.provisional(183, { reliable, sdp: answerWithPreconditions(offer, "none", this.options.localHost) });
      const update = await call.waitForRequest("UPDATE", this.forever(), "RFC 3311 5.1");
      call.answer(update, 200, answerWithPreconditions(update.message.bodyText, "sendrecv", this.options.localHost));
    } else this.preconditions = false;
    await call.provisional(180, { reliable });
  }

  private forever(): Deadline {
    return this.ue.deadline("the self-test UE's life", 2 ** 31 - 1);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.refresh) clearTimeout(this.refresh);
    await this.ue.close();
    this.options.log(`self-test UE ${this.options.subscriber.role} switched off`);
  }
}

/** RFC 3312 5: the SDP answer with this UE's local status (none: not reserved yet; sendrecv: reserved). */
function answerWithPreconditions(offer: string, localCurrent: "none" | "sendrecv", address: string): string {
  const parsed = parseSdp(offer);
  if (!parsed.ok) throw new Error(`the SDP offer does not parse at line ${parsed.error.line}: ${parsed.error.reason}`);
  const answer = createAnswer(parsed.sdp, { address, port: 49172, codecs: [PCMU], telephoneEvent: true, preconditions: { localCurrent } });
  if (!answer.ok) throw new Error(`no SDP answer to the offer: ${answer.error.reason}`);
  return serializeSdp(answer.sdp);
}

/** What a UE of the driver holds of a subscriber's credentials (the password, or K, OPc and SQN of its USIM). */
export function credentialsOf(s: Subscriber): UeCredentials {
  return s.auth.kind === "digest" ? { kind: "digest", password: s.auth.password } : { kind: "aka", k: s.auth.k, opc: s.auth.opc, sqn: s.auth.sqn };
}

function need(v: string | undefined, action: string): string {
  if (v === undefined) throw new UpperTesterError(`the ${action} action needs a target`);
  return v;
}

/** A transport that drops the incoming packets `drop` selects (a fault of the self-test UE). */
function dropping(inner: SipTransport, drop: (p: IncomingPacket) => boolean): SipTransport {
  return {
    protocol: inner.protocol,
    local: inner.local,
    send: (bytes, remote, opts) => inner.send(bytes, remote, opts),
    onPacket: (handler) => inner.onPacket((p) => (drop(p) ? undefined : handler(p))),
    onError: (handler) => inner.onError(handler),
    close: () => inner.close(),
  };
}

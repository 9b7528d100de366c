// The World of one scenario: its simulated UEs by role, the trace of everything they sent and
// received, and what the steps observed. Per-scenario state only (cucumber-js: a small World).
import { setWorldConstructor, World, type IWorldOptions } from "@cucumber/cucumber";
import type { Profile, Subscriber } from "../../src/profile/profile.ts";
import { subscriberFor } from "../../src/profile/index.ts";
import { InconclusiveError } from "../../src/runner/verdict.ts";
import type { SuiteParameters, SutParameters } from "../../src/runner/suite-parameters.ts";
import { Deadline } from "../../src/sip/deadline.ts";
import type { TransportProtocol } from "../../src/sip/transport/address.ts";
import { Trace } from "../../src/sip/transport/trace.ts";
import { ImsUe, type IncomingCall, type OutgoingCall, type Notification, type RegistrationOutcome, type Subscription, type UeCredentials } from "../../src/sip/ue/index.ts";
import type { SipRequest, SipResponse } from "../../src/sip/message/index.ts";
import { ConformanceMonitor, ueLabel } from "../../src/conformance/monitor.ts";
import { networkName, sutName } from "./evidence.ts";
import { callLog } from "../../src/report/call-log.ts";
import { sameContact } from "../../src/sip/message/index.ts";
import { type SuiteContext, suiteContext } from "./suite-context.ts";
import { type FlowBinding, StandingUe } from "./standing-ue.ts";
import { terminalBedOfRun } from "../../src/runner/terminal-handoff.ts";
import { type TerminalBed, UE_UNDER_TEST_ROLE } from "../../src/targets/terminal-bed.ts";
import { credentialsOf } from "../../src/targets/self-test-ue.ts";
import { addressKey } from "../../src/sip/transport/address.ts";
import { existsSync } from "node:fs";
import { judgingTrace } from "../../src/conformance/trace-observer.ts";
import { BrowserUe, DEFAULT_CHROMIUM } from "../../src/webrtc/index.ts";
import { TestBedError } from "../../src/runner/verdict.ts";
import { profileSecrets } from "../../src/report/secrets.ts";

/** An interop test case's two networks (issue 15): UE-A's, where calls start, and UE-B's. */
export type InteropSide = "originating" | "terminating";

/** What is running: a step, or a hook of the test case. Its budget bounds every wait inside it. */
export type Phase = "step" | "hook";

/**
 * Public identities whose bindings a test case of this worker could not remove (its postamble found
 * them still there), with that test case: the next preamble names it.
 */
const leftBehind = new Map<string, string>();

/** How the evidence names the harness's network in a terminal test case. */
export const NETWORK_NAME = "network (the harness: P-CSCF, S-CSCF)";

export class ImsWorld extends World<SuiteParameters> {
  readonly trace = new Trace();
  /** Checks every message the UEs receive against the requirements catalogue. */
  readonly monitor = new ConformanceMonitor();
  private phase: { kind: Phase; started: number; deadline?: Deadline } = { kind: "hook", started: Date.now() };
  /**
   * Started UEs by role as the steps say it ("UE-A", "UE-B", "UE-B2" for a second device, "the UE"
   * for the subject of a REG test). The UE itself is named by its subscriber's role ("the UE" started
   * from UE-A's subscriber is UE-A), so that failures and the evidence name it as every other UE:
   * "UE-A (sip:alice@ims.example.test)" (participantName).
   */
  readonly ues = new Map<string, ImsUe>();
  readonly registrations = new Map<string, RegistrationOutcome>();
  readonly outgoing = new Map<string, OutgoingCall>();
  readonly incoming = new Map<string, IncomingCall>();
  readonly subscriptions = new Map<string, Subscription>();
  readonly responses = new Map<string, SipResponse>();
  readonly notifications = new Map<string, Notification>();
  /** Browser UEs (sip.js in Chromium) by role: UE-W registers from a browser over WS or WSS. */
  readonly browsers = new Map<string, BrowserUe>();
  /** The final status of each browser's REGISTER, awaited by a Then step. */
  readonly browserRegistrations = new Map<string, Promise<number>>();
  /** The final status of each browser's INVITE, by caller. */
  readonly browserCalls = new Map<string, Promise<number>>();
  /** Pending waits started by a When step and awaited by a Then step, by role. */
  readonly acks = new Map<string, Promise<unknown>>();
  readonly pracks = new Map<string, Promise<unknown>>();
  readonly updates = new Map<string, Promise<SipResponse>>();
  readonly cancels = new Map<string, Promise<SipResponse>>();
  readonly byes = new Map<string, Promise<SipResponse>>();
  readonly messages = new Map<string, Promise<SipResponse>>();
  /** The role whose registration the "the registration ..." steps look at. */
  lastRegistration: string | undefined;
  previousRegistration: RegistrationOutcome | undefined;
  protocol: TransportProtocol | undefined;
  /** The request a robustness step sent twice. */
  retransmitted: SipRequest | undefined;
  suite!: SuiteContext;

  /**
   * A load run's slot (issue 17): the UEs that stay registered from one flow of the slot to the next,
   * by role, set by the load runner; undefined in conformance runs and when every flow registers anew.
   */
  loadStanding: Map<string, StandingUe> | undefined;
  /** This flow's UEs started or adopted as standing ones, by role. */
  private readonly standing = new Map<string, StandingUe>();
  /** Roles registered as a precondition ("UE-A is registered"): only these may stay standing. */
  private readonly preconditions = new Set<string>();
  /** Roles that stay registered for the slot's next flow (chosen when the flow passed). */
  private readonly keeping = new Set<string>();

  /** When this test case started (ms since the epoch): the SUT's log attached to it begins here. */
  startedAt = Date.now();

  constructor(options: IWorldOptions<SuiteParameters>) {
    super(options);
    // Violations name the trace entry of their message: the arrow the ladder marks
    this.monitor.follow(this.trace);
  }

  async init(tags: readonly string[]): Promise<void> {
    this.startedAt = Date.now();
    this.suite = await suiteContext(this.parameters);
    const t = tags.find((x) => x.startsWith("@transport:"))?.slice(11) as TransportProtocol | undefined;
    this.protocol = t ?? this.suite.profile.ixit.transports[0] ?? "udp";
    const bed = terminalBedOfRun(this.parameters.runId);
    if (bed) this.followNetwork(bed);
  }

  /** A terminal profile's test bed: the harness's network and the UE under test's switch and upper tester. */
  terminalBed: TerminalBed | undefined;

  /** The terminal test bed of this run; a terminal step run with a network profile is the harness's error. */
  get bed(): TerminalBed {
    if (!this.terminalBed) throw new Error("this step needs a terminal profile (a UE under test): the run's profile describes a network");
    return this.terminalBed;
  }

  /**
   * A terminal test case starts: the network's messages with the UE under test go into this test
   * case's trace (not those with the simulated UEs, which record their own), and every message the
   * UE under test sends is judged against the requirements that bind a UE.
   */
  private followNetwork(bed: TerminalBed): void {
    this.terminalBed = bed;
    const network = bed.harnessNetwork;
    network.follow({
      trace: this.trace,
      isHarnessAddress: (a) => [...this.ues.values()].some((ue) => addressKey(ue.endpoint.local(ue.protocol)) === addressKey(a)),
    });
    const ue = bed.ueUnderTest;
    this.monitor.watchNetwork({ name: `the network, from the UE under test ${UE_UNDER_TEST_ROLE}`, impu: ue.impus[0] ?? "", contact: "", observe: (o) => network.observe(o) });
  }

  /** The public identity a role is reached at: the UE under test's from the profile, a simulated UE's as it registered. */
  async impuOf(role: string): Promise<string> {
    if (role === UE_UNDER_TEST_ROLE) return this.subscriber(UE_UNDER_TEST_ROLE).impus[0] ?? "";
    return (await this.ue(role)).impu;
  }

  get profile() {
    return this.suite.profile;
  }

  /** An interop test case: the network each role is registered in (the originating one unless a step said otherwise). */
  private readonly sides = new Map<string, InteropSide>();

  /** An interop step: `role` belongs to the originating or the terminating network of the pair. */
  placeIn(role: string, side: InteropSide): void {
    if (!this.suite.interop) throw new Error(`"${role} is registered in the ${side} network" needs an interop run (ims-interop interop --profiles x.yaml y.yaml): this run tests one network`);
    this.sides.set(role, side);
  }

  /** The network a role's UE uses: its profile, its SUT and, in an interop run, its name. */
  networkOf(role: string): { readonly profile: Profile; readonly sut: SutParameters; readonly name?: string } {
    const interop = this.suite.interop;
    if (!interop) return { profile: this.profile, sut: this.suite.sut };
    const side = this.sides.get(role) ?? this.sides.get(role.replace(/\d+$/, "")) ?? "originating";
    return side === "terminating" ? interop.terminating : { profile: this.profile, sut: this.suite.sut, name: interop.originating };
  }

  /** The secrets every attachment is masked with: the profile's, and in an interop run the terminating network's too. */
  secrets(): Array<string | Buffer> {
    return [...profileSecrets(this.profile), ...(this.suite.interop ? profileSecrets(this.suite.interop.terminating.profile) : [])];
  }

  /** A load run's flow (issue 17): the slot of the subscriber pool this flow's UEs use. */
  loadSlot: number | undefined;

  /** Which subscriber of each role's pool this test case uses: its load flow's slot, else its worker's. */
  private get slot(): number {
    return this.loadSlot ?? this.suite.worker;
  }

  /** This worker's subscriber of a role (each parallel worker takes its own of the role's pool), from the role's network's profile. */
  subscriber(role: string): Subscriber {
    const profile = this.networkOf(role).profile;
    const s = subscriberFor(profile, role, this.slot);
    if (!s) throw new InconclusiveError(`the profile ${profile.file} has no subscriber with role ${role} for worker ${this.suite.worker}`);
    return s;
  }

  /** This worker's first subscriber, in role order, whose credentials are of this kind (AKA or Digest). */
  subscriberWith(kind: "aka" | "digest"): Subscriber {
    const roles = [...new Set(this.profile.ixit.subscribers.map((x) => x.role))];
    const s = roles.map((r) => subscriberFor(this.profile, r, this.slot)).find((x) => x?.auth.kind === kind);
    if (!s) throw new InconclusiveError(`the profile ${this.profile.file} has no subscriber with ${kind === "aka" ? "AKA" : "Digest"} credentials for worker ${this.suite.worker}`);
    return s;
  }

  /** The public identities of a started UE: its subscriber's in the profile, or the one it uses. */
  identitiesOf(role: string): string[] {
    const ue = this.ues.get(role);
    if (!ue) throw new Error(`${role} has not been started in this scenario`);
    const s = this.networkOf(role).profile.ixit.subscribers.find((x) => x.impi === ue.config.impi);
    return s ? [...s.impus] : [ue.impu];
  }

  credentialsOf(s: Subscriber): UeCredentials {
    return credentialsOf(s);
  }

  /** Starts a UE for a subscriber under a name; a name already started is returned as it is. */
  async startUe(name: string, s: Subscriber, overrides: { credentials?: UeCredentials; impi?: string; impu?: string; secAgree?: boolean } = {}): Promise<ImsUe> {
    const existing = this.ues.get(name);
    if (existing) return existing;
    const network = this.networkOf(name);
    const ixit = network.profile.ixit;
    const sut = network.sut;
    const protocol = this.protocol ?? "udp";
    // A load run: a standing registration of the same identity is ended first (a REG test case's UE
    // must find the registrar as a conformance run leaves it, not with the harness's own binding)
    for (const [role, other] of this.loadStanding ?? []) {
      if (other.started.config.impi !== (overrides.impi ?? s.impi)) continue;
      this.loadStanding?.delete(role);
      await other.release();
    }
    // A load run: the UE's trace, budget and observers behind switches, so that it may stay registered for the slot's next flow
    const standing = this.loadStanding ? new StandingUe() : undefined;
    standing?.bind(this.flowBinding());
    const ue = await ImsUe.start({
      name: this.ueName(name, s),
      impi: overrides.impi ?? s.impi,
      impu: overrides.impu ?? s.impus[0],
      ...(s.displayName ? { displayName: s.displayName } : {}),
      domain: ixit.domain,
      credentials: overrides.credentials ?? this.credentialsOf(s),
      pcscf: { protocol, host: sut.pcscf.host, port: sut.pcscf.port },
      ...(sut.pcscfUri ? { pcscfUri: sut.pcscfUri } : {}),
      protocol,
      localHost: ixit.localHost,
      timers: ixit.timers,
      trace: standing ? standing.trace : this.trace,
      // Every wait of the UE ends by the running step's (or hook's) budget
      budget: standing ? standing.budget : () => this.phaseDeadline(),
      // RFC 3329, TS 33.203 7: an AKA UE offers ipsec-3gpp when the SUT claims sec-agree (or a step asks)
      secAgree: overrides.secAgree ?? network.profile.pics["sec-agree"],
    });
    this.ues.set(name, ue);
    if (standing) {
      standing.attach(ue);
      this.standing.set(name, standing);
    }
    // An interop pair: a violation names the network that delivered the message
    this.monitor.watch(standing ? standing.observable() : ue, network.name ? networkName(network.name, network.profile) : undefined);
    return ue;
  }

  /** What a standing UE of a load run is bound to while this flow holds it. */
  private flowBinding(): FlowBinding {
    return { trace: this.trace, budget: () => this.phaseDeadline() };
  }

  /**
   * A load run's precondition met by the registration an earlier flow of the slot made: the UE is
   * bound to this flow (trace, budget, monitor). One holding a leftover of the time between flows,
   * or no longer registered, is released, and the role registers anew.
   */
  private async adoptStanding(role: string): Promise<ImsUe | undefined> {
    const standing = this.loadStanding?.get(role);
    if (!standing || this.ues.has(role)) return undefined;
    this.loadStanding?.delete(role);
    const ue = standing.started;
    if (!ue.registration.registered || standing.holdsLeftovers() || !standing.outcome) {
      await standing.release();
      return undefined;
    }
    standing.bind(this.flowBinding());
    this.ues.set(role, ue);
    this.standing.set(role, standing);
    this.preconditions.add(role);
    this.registrations.set(role, standing.outcome);
    this.monitor.watch(standing.observable());
    return ue;
  }

  /**
   * The flow ended (its verdict known, before the postamble): in a load run, the UEs registered as
   * its preconditions stay registered for the slot's next flow when it passed and they hold no call
   * or subscription; the others de-register in the postamble as in conformance.
   */
  keepStandingRegistrations(passed: boolean): void {
    if (!this.loadStanding || !passed) return;
    for (const role of this.preconditions) {
      const ue = this.ues.get(role);
      const standing = this.standing.get(role);
      if (ue && standing && ue.registration.registered && !ue.hasDialogs() && !this.subscriptions.has(role) && ue.media.length === 0) {
        standing.outcome = this.registrations.get(role);
        this.keeping.add(role);
      }
    }
  }

  /**
   * The name a started UE goes by: its role, or for "the UE" the role of the subscriber it was started
   * from; a name another UE of this test case already has gets "#2", "#3".
   */
  private ueName(key: string, s: Subscriber): string {
    const base = key === "the UE" ? s.role : key;
    const taken = new Set([...this.ues.values()].map((u) => u.name));
    let name = base;
    for (let i = 2; taken.has(name); i++) name = `${base}#${i}`;
    return name;
  }

  /** How the evidence and every failure name a started UE: "UE-A (sip:alice@ims.example.test)". */
  participantName(ue: ImsUe): string {
    return ueLabel(ue);
  }

  /** The UE of a role, started from the profile's subscriber with that role. */
  ue(role: string): Promise<ImsUe> {
    if (role === UE_UNDER_TEST_ROLE) return Promise.reject(new Error(`${role} is the UE under test, which the harness never simulates: this step cannot act as it`));
    const existing = this.ues.get(role);
    if (existing) return Promise.resolve(existing);
    const base = role.replace(/\d+$/, "");
    return this.startUe(role, this.subscriber(base));
  }

  /** A precondition: the role is registered. Failing here makes the test case inconclusive. */
  async registered(role: string): Promise<ImsUe> {
    const adopted = await this.adoptStanding(role);
    if (adopted) return adopted;
    this.preconditions.add(role);
    const ue = await this.ue(role);
    if (ue.registration.registered) return ue;
    await this.preamble(role, ue);
    let outcome: RegistrationOutcome;
    try {
      outcome = await ue.register({ expires: 3600, deadline: this.deadline(`registration of ${role} (precondition)`) });
    } catch (e) {
      throw new InconclusiveError(`precondition: ${role} could not register: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    this.registrations.set(role, outcome);
    if (!ue.registration.registered) {
      throw new InconclusiveError(
        `precondition: ${role} could not register: the registration ended with ${outcome.final.startLine()} after ${outcome.exchanges.map((x) => x.response.status).join(", ")}`,
      );
    }
    return ue;
  }

  outgoingCall(role: string): OutgoingCall {
    const c = this.outgoing.get(role);
    if (!c) throw new Error(`${role} has placed no call in this scenario`);
    return c;
  }

  incomingCall(role: string): IncomingCall {
    const c = this.incoming.get(role);
    if (!c) throw new Error(`${role} has received no call in this scenario`);
    return c;
  }

  lastOutcome(): RegistrationOutcome {
    return this.registration(this.lastRegistration ?? "the UE");
  }

  registration(role: string): RegistrationOutcome {
    const r = this.registrations.get(role);
    if (!r) throw new Error(`${role} has not registered in this scenario`);
    return r;
  }

  /** A step or hook begins: its budget (64*T1 of the profile) starts now. */
  beginPhase(kind: Phase): void {
    this.phase = { kind, started: Date.now() };
  }

  /** The budget of the running step or hook: no wait inside it outlives it. */
  phaseDeadline(): Deadline {
    if (!this.phase.deadline) {
      const budget = 64 * this.profile.ixit.timers.t1 + this.operatorAllowanceMs();
      const name = this.operatorAllowanceMs() > 0 ? `64*T1 + the operator's ${this.operatorAllowanceMs()} ms` : "64*T1";
      this.phase.deadline = Deadline.after(budget - (Date.now() - this.phase.started), `the ${this.phase.kind}'s budget of ${name} = ${budget} ms`);
    }
    return this.phase.deadline;
  }

  /**
   * A UE under test made to act by an operator (a manual upper tester, an MMI): every step and every
   * wait gets the operator's time on top (upperTester.operatorTimeoutMs); 0 otherwise.
   */
  operatorAllowanceMs(): number {
    const ut = this.suite?.profile.terminal?.upperTester;
    return ut?.kind === "manual" ? ut.operatorTimeoutMs : 0;
  }

  /**
   * A step that waits on a protocol interval longer than 64*T1 (an RFC 4028 session interval): its
   * budget becomes `ms` from now plus 64*T1 for the messages around it, when that is later than the
   * budget it has. Every wait of the step and of its UEs ends by it; Cucumber's own step timeout
   * (steps/support/timeouts.ts) stays above it.
   */
  widenBudget(ms: number, why: string): void {
    const extra = 64 * this.profile.ixit.timers.t1;
    const widened = Deadline.after(ms + extra, `the step's budget of ${why} + 64*T1 = ${Math.round(ms + extra)} ms`);
    if (widened.at > this.phaseDeadline().at) this.phase.deadline = widened;
  }

  /** A deadline for one wait: `ms` (64*T1 of the profile unless given), never past the running step's budget. */
  deadline(label: string, ms?: number): Deadline {
    return this.phaseDeadline().within(ms ?? 64 * this.profile.ixit.timers.t1 + this.operatorAllowanceMs(), label);
  }

  /** The last messages of the test case, one line each, with the UEs and the SUT named as in the ladder. */
  callLog(last = 12): string[] {
    const names = new Map<string, string>();
    for (const ue of this.ues.values()) {
      const l = ue.endpoint.local(ue.protocol);
      names.set(`${l.host}:${l.port}`, this.participantName(ue));
    }
    if (this.suite) names.set(`${this.suite.sut.pcscf.host}:${this.suite.sut.pcscf.port}`, this.terminalBed ? NETWORK_NAME : sutName(this.profile));
    for (const [address, name] of this.ueUnderTestNames()) names.set(address, name);
    return callLog(this.trace.entries, names, last);
  }

  /** Where the UE under test sent from in this test case, named as the evidence names it: "UE under test (sip:ue@ims.example.test)". */
  ueUnderTestNames(): Map<string, string> {
    const names = new Map<string, string>();
    const bed = this.terminalBed;
    if (!bed) return names;
    for (const a of bed.harnessNetwork.ueAddressKeys()) names.set(a, ueLabel({ name: "UE under test", impu: bed.ueUnderTest.impus[0] ?? "" }));
    return names;
  }

  /**
   * Preamble (RFC 3261 10.2.3): before the role registers, its public identity must have no binding
   * but those of this scenario's own UEs; one left by an earlier test case or another client makes
   * the test case inconclusive, naming the bindings and who left them. A query that gets no 2xx
   * proves nothing either way: the registration that follows will tell.
   */
  private async preamble(role: string, ue: ImsUe): Promise<void> {
    const q = await ue.registration.query({ deadline: this.deadline(`bindings query of ${role} (preamble)`) }).catch(() => undefined);
    if (!q?.bindings) return;
    const ours = [...this.ues.values()].map((u) => u.contact);
    const foreign = q.bindings.filter((b) => !ours.some((c) => sameContact(b, c)));
    if (foreign.length === 0) return;
    const who = leftBehind.get(ue.impu);
    throw new InconclusiveError(
      `preamble: ${role}'s public identity ${ue.impu} already has bindings this test case did not make: ${foreign.join(", ")} (RFC 3261 10.2.3 query); ${who ? `left by ${who}` : "not left by a test case of this worker: an earlier run, another worker or another client uses this identity"}`,
    );
  }

  /**
   * Postamble: every UE that registered in this scenario de-registers (if still registered) and
   * queries its bindings (RFC 3261 10.2.3); the requirements layer judges the answer, so a binding
   * the SUT kept is recorded against it in this test case (registrar.binding-removed). Best effort,
   * short deadlines: a SUT that does not answer here has been judged by the test case already.
   */
  async postamble(scenario: string): Promise<void> {
    // One UE after the other: UEs of one identity de-registering at once race for the registrar's nonce
    for (const [role, ue] of this.ues) {
      // A load run's standing registration stays for the slot's next flow
      if (this.keeping.has(role)) continue;
      const short = (what: string) => Deadline.after(1000, `${what} of ${ue.name} (postamble)`);
      if (ue.registration.registered) {
        const o = await ue.deregister({ deadline: short("de-registration"), maxChallenges: 2 }).catch(() => undefined);
        if (!o || o.final.status >= 300) {
          leftBehind.set(ue.impu, `${scenario}, whose de-registration of ${ue.contact} ended ${o ? `with ${o.final.startLine()}` : "without a final response"}`);
          continue;
        }
        // A reg event subscriber is told of the de-registration (TS 24.229 5.4.2.1.2, RFC 3680 5.3):
        // its NOTIFY belongs to this test case and is judged in it, whenever the SUT sends it within
        // the wait; a SUT that sends none is not judged here (no wait failure is a finding)
        const sub = this.subscriptions.get(role);
        if (sub) await sub.waitForNotify((n) => n.state?.state === "terminated" || /state="terminated"/.test(n.body), short("NOTIFY of the de-registration")).catch(() => undefined);
      }
      if (!ue.registration.everRegistered) continue;
      const q = await ue.registration.query({ deadline: short("bindings query"), maxChallenges: 2 }).catch(() => undefined);
      if (q?.bindings?.some((b) => sameContact(b, ue.contact))) leftBehind.set(ue.impu, `${scenario}, whose de-registration of ${ue.contact} the SUT answered 2xx but did not honour`);
      else if (leftBehind.get(ue.impu)?.startsWith(scenario)) leftBehind.delete(ue.impu);
    }
  }

  /**
   * The browser UE of a role (RFC 7118, TS 24.371): sip.js in Debian's Chromium, connected to the SUT's
   * WS or WSS listener through the harness's WebSocket tap, which records its messages in this test
   * case's trace and hands those it receives to the requirements layer. No chromium, no SUT listener
   * or credentials sip.js cannot use are the test bed's or the profile's, never a pass.
   */
  async browser(role: string, transport: "ws" | "wss"): Promise<BrowserUe> {
    const existing = this.browsers.get(role);
    if (existing) return existing;
    const access = this.suite.sut.websocket;
    const at = transport === "wss" ? access?.wss : access?.ws;
    if (!at) throw new InconclusiveError(`the SUT offers no ${transport.toUpperCase()} listener to this test bed (the profile claims websocket, but the target gave no ${transport} address)`);
    if (!existsSync(DEFAULT_CHROMIUM)) throw new TestBedError(`chromium (Debian package chromium) is not installed at ${DEFAULT_CHROMIUM}: the browser test cases cannot run`);
    const s = this.subscriber(role);
    if (s.auth.kind !== "digest" || s.auth.algorithm !== "MD5") throw new InconclusiveError(`${role} needs Digest MD5 credentials: sip.js 0.21.2 answers no other challenge`);
    const impu = s.impus[0] ?? "";
    const ue = await BrowserUe.start({
      name: role,
      impu,
      impi: s.impi,
      password: s.auth.password,
      ...(s.displayName ? { displayName: s.displayName } : {}),
      server: `${transport}://${at.host}:${at.port}`,
      ...(access?.spkiSha256 ? { trustSpkiSha256: access.spkiSha256 } : {}),
      trace: judgingTrace(this.trace, this.monitor, { name: role, impu, contact: "" }),
    });
    this.browsers.set(role, ue);
    return ue;
  }

  /** Closes every UE's sockets and every browser. */
  async dispose(): Promise<void> {
    for (const role of this.keeping) {
      const standing = this.standing.get(role);
      if (!standing || !this.loadStanding) continue;
      standing.unbind();
      this.loadStanding.set(role, standing);
      this.ues.delete(role);
    }
    await Promise.all([...this.ues.values()].map((ue) => ue.close()));
    await Promise.all([...this.browsers.values()].map((b) => b.close()));
  }
}

setWorldConstructor(ImsWorld);

/** A wait started by a When step and awaited by a later Then: marked handled now, so that a scenario that fails earlier leaves no unhandled rejection. */
export function later<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

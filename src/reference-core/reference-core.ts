// The embedded reference IMS core: P-CSCF, S-CSCF and HSS collapsed into one SIP element on real
// sockets (UDP and TCP on the same port; WS and WSS, RFC 7118, each on a port of its own), so that
// the driver talks to it as to a vendor's system (TS 23.228 4, TS 24.228 6-7). It registers and
// authenticates subscribers, notifies the reg event, and proxies requests between registered UEs;
// faults make it misbehave on purpose.
import { createServer } from "node:net";
import type { FaultName, Subscriber } from "../profile/profile.ts";
import { type EndpointObserver, type ListenOptions, type Received, SipEndpoint } from "../sip/endpoint/index.ts";
import type { TimerSettings } from "../sip/transaction/index.ts";
import type { TransportProtocol } from "../sip/transport/address.ts";
import type { TraceSink } from "../sip/transport/trace.ts";
import { CoreAddressing } from "./addressing.ts";
import { Authenticator } from "./authenticator.ts";
import { BindingStore } from "./bindings.ts";
import type { CoreContext } from "./core-context.ts";
import { FaultSet } from "./faults.ts";
import { Hss } from "./hss.ts";
import { StatefulProxy } from "./proxy.ts";
import { RegEventNotifier } from "./reg-event.ts";
import { Registrar } from "./registrar.ts";
import { CoreRouter } from "./router.ts";
import { CoreSessionTimers } from "./session-timer.ts";
import { Interconnect, type InterconnectPeer } from "./interconnect.ts";
import { SmsGateway, type SmsGatewayOptions } from "./sms-gateway.ts";
import { SecAgreeServer } from "./sec-agree.ts";

export interface ReferenceCoreOptions {
  /** Home network domain: the realm, the REGISTER Request-URI, the host of the IMPUs. */
  readonly domain: string;
  /** Address to listen on; default 127.0.0.1. */
  readonly host?: string;
  /** Port for every transport; 0 (default) picks one free for both UDP and TCP. */
  readonly port?: number;
  /** Default ["udp", "tcp"]; only UDP and TCP are offered here (WebSocket is `websocket`). */
  readonly transports?: readonly TransportProtocol[];
  /**
   * SIP over WebSocket (RFC 7118) for WebRTC clients: a WS and/or a WSS listener on `host`, each on
   * a port of its own (WebSocket is HTTP on TCP: it cannot share the SIP TCP port); port 0 or
   * absent picks a free one. Requests for a binding registered over them go down the client's
   * connection (RFC 7118 5).
   */
  readonly websocket?: WebSocketOptions;
  readonly subscribers: readonly Subscriber[];
  readonly faults?: readonly FaultName[];
  readonly timers?: Partial<TimerSettings>;
  readonly trace?: TraceSink;
  /** The longest registration the registrar grants, in seconds (default 600000). */
  readonly registrationExpiresMax?: number;
  /**
   * The smallest session interval the core accepts (RFC 4028 8.1), in seconds: default 90, the floor
   * of RFC 4028 4 and 5. Less is a deliberate deviation, for the embedded profiles' fast tests.
   */
  readonly sessionMinSE?: number;
  /** Issue 16: the SMSC's public service identity (TS 24.341 5.3.1.2); default sip:smsc@<domain>. */
  readonly sms?: SmsGatewayOptions;
  /** RFC 3329, TS 33.203 7 (PICS sec-agree): the P-CSCF agrees ipsec-3gpp with UEs that offer it; without it Require: sec-agree gets 420. */
  readonly secAgree?: boolean;
}

export interface WebSocketOptions {
  readonly ws?: { readonly port?: number };
  readonly wss?: { readonly port?: number; readonly key: string | Buffer; readonly cert: string | Buffer };
}

/** Where the core's WebSocket listeners are bound (only those it was asked for). */
export interface WebSocketAddresses {
  readonly ws?: { readonly host: string; readonly port: number };
  readonly wss?: { readonly host: string; readonly port: number };
}

const MAX_LOG_LINES = 10000;
const PORT_ATTEMPTS = 20;

export class ReferenceCore {
  readonly host: string;
  readonly port: number;
  readonly pcscfUri: string;
  /** The WS and WSS listeners' addresses; empty without the `websocket` option. */
  readonly websocket: WebSocketAddresses;
  /** The log, each line with the time it was written (ms since the epoch). */
  private readonly logLines: { readonly at: number; readonly text: string }[] = [];
  private readonly faultSet: FaultSet;
  private readonly ctx: CoreContext;
  private readonly notifier: RegEventNotifier;
  private readonly registrar: Registrar;
  private readonly expiresMax: number;
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly endpoint: SipEndpoint,
    options: ReferenceCoreOptions,
    host: string,
    port: number,
  ) {
    this.host = host;
    this.port = port;
    this.faultSet = new FaultSet(options.faults ?? []);
    const ws = endpoint.protocols.includes("ws") ? { host, port: endpoint.local("ws").port } : undefined;
    const wss = endpoint.protocols.includes("wss") ? { host, port: endpoint.local("wss").port } : undefined;
    this.websocket = { ...(ws ? { ws } : {}), ...(wss ? { wss } : {}) };
    const faults = this.faultSet;
    const addressing = new CoreAddressing(options.domain, host, port, {
      webSocketPorts: { ...(ws ? { ws: ws.port } : {}), ...(wss ? { wss: wss.port } : {}) },
      useFlows: () => !faults.has("ignore-ws-flow"),
    });
    this.pcscfUri = addressing.pcscfUri;
    const hss = new Hss(options.subscribers);
    const log = (line: string): void => this.record(line);
    this.ctx = {
      sessionTimers: new CoreSessionTimers({ clock: endpoint.clock, faults: this.faultSet, log }, options.sessionMinSE),
      endpoint,
      addressing,
      hss,
      bindings: new BindingStore(endpoint.clock),
      faults: this.faultSet,
      clock: endpoint.clock,
      interconnect: new Interconnect(),
      ...(options.secAgree ? { secAgree: new SecAgreeServer(this.faultSet, log, port) } : {}),
      log,
    };
    this.notifier = new RegEventNotifier(this.ctx);
    this.expiresMax = options.registrationExpiresMax ?? 600000;
    this.registrar = new Registrar(this.ctx, new Authenticator(hss, options.domain, endpoint.clock), this.expiresMax, (record, changes) => this.notifier.registrationChanged(record, changes));
    const router = new CoreRouter(this.ctx, this.registrar, this.notifier, new StatefulProxy(this.ctx), new SmsGateway(this.ctx, options.sms));
    endpoint.onRequest((rec: Received) => router.receive(rec));
    endpoint.onRefused((refused) => router.refused(refused));
  }

  static async start(options: ReferenceCoreOptions): Promise<ReferenceCore> {
    const host = options.host ?? "127.0.0.1";
    const transports: TransportProtocol[] = [...new Set<TransportProtocol>(options.transports ?? ["udp", "tcp"])];
    const unsupported = transports.filter((t) => t !== "udp" && t !== "tcp");
    if (unsupported.length > 0)
      throw new Error(
        `the reference core offers UDP and TCP only, not ${unsupported.map((t) => t.toUpperCase()).join(", ")}${unsupported.some((t) => t === "ws" || t === "wss") ? " (WS and WSS are the websocket option)" : ""}`,
      );
    if (transports.length === 0) throw new Error("the reference core needs at least one transport");
    const common = { ...(options.trace ? { trace: options.trace } : {}), ...(options.timers ? { timers: options.timers } : {}) };
    const ws = options.websocket;
    const webSocketListeners: ListenOptions[] = [
      ...(ws?.ws ? [{ protocol: "ws" as const, host, port: ws.ws.port ?? 0 }] : []),
      ...(ws?.wss ? [{ protocol: "wss" as const, host, port: ws.wss.port ?? 0, tls: { key: ws.wss.key, cert: ws.wss.cert } }] : []),
    ];
    const listen = (port: number): Promise<SipEndpoint> => SipEndpoint.start({ listen: [...transports.map((protocol) => ({ protocol, host, port })), ...webSocketListeners], ...common });
    let endpoint: SipEndpoint | undefined;
    if (options.port !== undefined && options.port !== 0) {
      try {
        endpoint = await listen(options.port);
      } catch (e) {
        throw new Error(`the reference core cannot listen on ${host}:${options.port}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      }
    } else {
      // One port number for every transport: take a free TCP port and bind UDP to it too; retry on a race
      let last: unknown;
      for (let i = 0; i < PORT_ATTEMPTS && !endpoint; i++) {
        try {
          endpoint = await listen(await freeTcpPort(host));
        } catch (e) {
          last = e;
        }
      }
      if (!endpoint) throw new Error(`the reference core found no port free for ${transports.join(" and ")} on ${host} in ${PORT_ATTEMPTS} attempts`, { cause: last });
    }
    const port = endpoint.local(transports[0]).port;
    const core = new ReferenceCore(endpoint, options, host, port);
    const webSockets = [core.websocket.ws ? `; WS ${host}:${core.websocket.ws.port}` : "", core.websocket.wss ? `; WSS ${host}:${core.websocket.wss.port}` : ""].join("");
    core.record(
      `listening on ${transports.map((t) => t.toUpperCase()).join("/")} ${host}:${port}${webSockets} for ${options.domain}; ${options.subscribers.length} subscriber(s)${core.faultSet.view.size ? `; faults ${[...core.faultSet.view].join(", ")}` : ""}`,
    );
    return core;
  }

  get faults(): ReadonlySet<FaultName> {
    return this.faultSet.view;
  }

  /** The log lines, oldest first. */
  get log(): readonly string[] {
    return this.logLines.map((l) => l.text);
  }

  /** The log lines written at or after `since` (ms since the epoch; all without it), each with its time. */
  logEntries(since?: number): { readonly at: number; readonly text: string }[] {
    return since === undefined ? [...this.logLines] : this.logLines.filter((l) => l.at >= since);
  }

  setFault(name: FaultName, on: boolean): void {
    this.faultSet.set(name, on);
    this.record(`fault ${name} ${on ? "on" : "off"}`);
  }

  /** Whether the identity (or one of its implicit registration set) has a valid binding. */
  isRegistered(impu: string): boolean {
    const record = this.ctx.hss.byImpu(impu);
    return record !== undefined && this.ctx.bindings.isRegistered(record);
  }

  /** Issue 15: the other networks of an interop run, each a domain and the address where it takes requests (TS 24.228 7.2). */
  setPeers(peers: readonly InterconnectPeer[]): void {
    this.ctx.interconnect.set(peers);
    this.record(`interconnect: ${peers.length ? peers.map((p) => `${p.domain} at UDP ${p.host}:${p.port}`).join(", ") : "no peers"}`);
  }

  /**
   * TS 24.228 6.7, TS 24.229 5.4.1.5: network-initiated deregistration. Every reg event subscriber
   * of the identity gets a NOTIFY with the registration terminated; then the bindings are removed.
   * Resolves when the NOTIFYs are answered or given up on.
   */

  async deregister(impu: string, event: "deactivated" | "rejected" = "deactivated"): Promise<void> {
    const record = this.ctx.hss.byImpu(impu);
    if (!record) throw new Error(`cannot deregister ${impu}: no subscriber has this public identity`);
    this.record(`network-initiated deregistration of ${record.defaultImpu} (${event})`);
    await this.notifier.deregister(record, event);
    const removed = this.ctx.bindings.removeAll(record);
    this.record(`deregistered ${record.defaultImpu}: ${removed.length} binding(s) removed`);
  }

  /** TS 24.228 6.8: the next REGISTER of the identity is challenged even with valid credentials. */
  requireReauthentication(impu: string): void {
    const record = this.ctx.hss.byImpu(impu);
    if (!record) throw new Error(`cannot require re-authentication of ${impu}: no subscriber has this public identity`);
    record.reauthenticate = true;
    this.record(`re-authentication required for ${record.defaultImpu}`);
  }

  /**
   * The longest registration the registrar grants from now on (TS 24.229 5.4.1.2.2: the S-CSCF may
   * shorten the expiry the UE asked for); undefined restores the configured one.
   */
  grantExpiresAtMost(seconds: number | undefined): void {
    this.registrar.grantAtMost(seconds ?? this.expiresMax);
    this.record(seconds === undefined ? `registrations granted up to ${this.expiresMax} s again` : `registrations granted for at most ${seconds} s`);
  }

  /** Removes the identity's bindings without telling anyone (a test bed starting a test case afresh, not a network procedure). */
  forgetBindings(impu: string): number {
    const record = this.ctx.hss.byImpu(impu);
    if (!record) return 0;
    const removed = this.ctx.bindings.removeAll(record).length;
    if (removed > 0) this.record(`forgot ${removed} binding(s) of ${record.defaultImpu} (test bed reset)`);
    return removed;
  }

  /** Sees every message the core receives (with the request a response answers), before it acts on it. */
  observe(observer: EndpointObserver): () => void {
    return this.endpoint.observe(observer);
  }

  /** Where the core's sockets are: the address of its first transport. */
  get address(): { readonly host: string; readonly port: number } {
    return { host: this.host, port: this.port };
  }

  /** Closes the sockets and ends every transaction. Idempotent. */
  stop(): Promise<void> {
    this.ctx.sessionTimers.dispose();
    this.stopping ??= this.endpoint.close().then(() => this.record("stopped"));
    return this.stopping;
  }

  private record(line: string): void {
    if (this.logLines.length >= MAX_LOG_LINES) this.logLines.splice(0, this.logLines.length - MAX_LOG_LINES + 1);
    this.logLines.push({ at: Date.now(), text: line });
  }
}

/** A port the OS considers free for TCP on `host` right now. */
function freeTcpPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen({ host, port: 0 }, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error("no port assigned"))));
    });
  });
}

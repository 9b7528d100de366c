// The message-level API of the driver: one SIP endpoint (a simulated UE, or the reference core)
// with its transports, its transaction layer (RFC 3261 17) and its transport-layer routing (18).
// Send any request or response, including a malformed one; expect a message matching a template.
import { type Clock, systemClock } from "../clock.ts";
import { Deadline } from "../deadline.ts";
import { newBranch } from "../identifiers.ts";
import {
  type ParseError,
  type SerializeOptions,
  type SipMessage,
  type SipRequest,
  type SipResponse,
  HeaderError,
  checkMessage,
  createResponse,
  parseMessage,
  serializeMessage,
} from "../message/index.ts";
import type { ClientTransaction, ClientTransactionUser, Flow, SendFn, ServerTransaction, TimerSettings } from "../transaction/index.ts";
import { TransactionLayer, clientTransactionKey, responseKey } from "../transaction/index.ts";
import { type TransportAddress, type TransportProtocol, isReliable, viaTransportToken } from "../transport/address.ts";
import type { IncomingPacket, SipTransport, TransportError } from "../transport/transport.ts";
import type { TraceSink } from "../transport/trace.ts";
import { createTransport } from "../transport/transport-factory.ts";
import { type Destination, formatDestination, responseDestination, rewriteTopViaTransport, stampReceived, udpRequestLimit } from "./destination.ts";
import { Inbox, type Received } from "./inbox.ts";
import { PendingRequest } from "./pending-request.ts";
import type { EndpointObserver, EndpointProblem, ObservedMessage } from "./observer.ts";

export interface ListenOptions {
  readonly protocol: TransportProtocol;
  readonly host?: string;
  readonly port?: number;
  readonly tls?: { readonly key: string | Buffer; readonly cert: string | Buffer; readonly ca?: string | Buffer; readonly rejectUnauthorized?: boolean };
}

export interface EndpointOptions {
  /** Transports the endpoint creates, one per entry. Give either this or `transports`. */
  readonly listen?: readonly ListenOptions[];
  /**
   * Transports already created (an in-memory network in tests), at most one per protocol; the
   * endpoint owns them from now on and closes them. Their trace is their own (`trace` is not applied).
   */
  readonly transports?: readonly SipTransport[];
  /** Where transports created from `listen` record every message. */
  readonly trace?: TraceSink;
  readonly timers?: Partial<TimerSettings>;
  readonly clock?: Clock;
  /**
   * RFC 3261 18.1.1: the path MTU toward the peers, when known. A request sent in a client
   * transaction larger than MTU - 200 bytes (1300 bytes when it is unknown) goes over TCP instead of
   * UDP, to the same host and port, when the endpoint has a TCP transport.
   */
  readonly pathMtu?: number;
}

/** How `send()` picks the transport of one request. */
export interface SendOptions {
  /** Sends over the destination's transport whatever the request's size (RFC 3261 18.1.1 not applied: a test, or a fault, that means it). */
  readonly keepTransport?: boolean;
}

/** Consumes a received request and returns true, or returns false to leave it for others. */
export type RequestHandler = (received: Received) => boolean;
/** Responses that match no client transaction: 2xx retransmissions for dialogs (RFC 3261 13.2.2.4). */
export type StrayResponseHandler = (response: SipResponse, source: Destination) => boolean;

/** A message the endpoint refused (RFC 3261 8.2, 18.3; RFC 4475 3.1.2): recorded as a problem, then handed to `onRefused` handlers. */
export interface RefusedMessage {
  /** The octets as they arrived. */
  readonly bytes: Buffer;
  readonly reason: string;
  /** The response the problem calls for (400, or 505 for an unknown SIP version). */
  readonly status: number;
  readonly source: Destination;
  /** The request, when it parsed (its checks failed). */
  readonly request?: SipRequest;
}
export type RefusedHandler = (refused: RefusedMessage) => void;

export interface RequestOptions {
  /** Ends the wait before 64*T1; the transaction itself keeps running to absorb late responses. */
  readonly deadline?: Deadline;
  readonly onProvisional?: (response: SipResponse) => void;
  /** Cited when no final response arrives. */
  readonly clause?: string;
  /** See SendOptions. */
  readonly keepTransport?: boolean;
}

export class SipEndpoint {
  readonly transactions: TransactionLayer;
  readonly inbox: Inbox;
  readonly problems: EndpointProblem[] = [];
  readonly clock: Clock;
  private readonly handlers: RequestHandler[] = [];
  private readonly strayHandlers: StrayResponseHandler[] = [];
  private readonly refusedHandlers: RefusedHandler[] = [];
  private readonly observers: EndpointObserver[] = [];
  /** Client transactions over a connection-oriented transport, by where they went: a reset ends them (RFC 3261 17.1.4). */
  private readonly overConnections = new Map<ClientTransaction, Destination>();
  /** Requests sent outside a transaction, by client transaction key, so that observers see what a response answers. */
  private readonly statelessRequests = new Map<string, SipRequest>();
  private closed = false;
  /** RFC 3261 18.1.1: the largest request sent over UDP. */
  readonly udpLimit: number;

  private constructor(
    private readonly transports: Map<TransportProtocol, SipTransport>,
    options: EndpointOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.transactions = new TransactionLayer({ ...(options.timers ? { timers: options.timers } : {}), clock: this.clock });
    this.inbox = new Inbox(this.clock);
    this.udpLimit = udpRequestLimit(options.pathMtu);
    // RFC 3261 17, RFC 6026 7: a message a transaction's state has no transition for is evidence about the peer
    this.transactions.onIllegalEvent((e) => this.problem("protocol", `${e.kind.toUpperCase()} ${e.transaction} in state ${e.state}: ${e.event} is illegal (${e.detail})`));
    for (const t of transports.values()) {
      t.onPacket((p) => this.receive(p));
      t.onError((e) => this.transportProblem(e));
    }
  }

  static async start(options: EndpointOptions): Promise<SipEndpoint> {
    if ((options.listen === undefined) === (options.transports === undefined)) throw new Error("SipEndpoint.start takes either listen or transports, not both or neither");
    const transports = new Map<TransportProtocol, SipTransport>();
    for (const t of options.transports ?? []) {
      if (transports.has(t.protocol)) throw new Error(`two ${t.protocol.toUpperCase()} transports given: an endpoint has one per protocol`);
      transports.set(t.protocol, t);
    }
    try {
      for (const l of options.listen ?? []) {
        const t = await createTransport({
          protocol: l.protocol,
          host: l.host ?? "127.0.0.1",
          port: l.port ?? 0,
          ...(options.trace ? { trace: options.trace } : {}),
          ...(l.tls ? { tls: l.tls } : {}),
        });
        transports.set(l.protocol, t);
      }
    } catch (e) {
      await Promise.all([...transports.values()].map((t) => t.close()));
      throw e;
    }
    return new SipEndpoint(transports, options);
  }

  get timers(): TimerSettings {
    return this.transactions.timers;
  }

  get protocols(): TransportProtocol[] {
    return [...this.transports.keys()];
  }

  transport(protocol: TransportProtocol): SipTransport {
    const t = this.transports.get(protocol);
    if (!t) throw new Error(`this endpoint has no ${protocol.toUpperCase()} transport (it listens on ${this.protocols.join(", ") || "nothing"})`);
    return t;
  }

  local(protocol: TransportProtocol): TransportAddress {
    return this.transport(protocol).local;
  }

  /** A top Via for a new client transaction: sent-by is our listening address, rport asked (RFC 3581). */
  via(protocol: TransportProtocol, branch = newBranch()): string {
    let sentBy = this.sentBy.get(protocol);
    if (sentBy === undefined) {
      const l = this.local(protocol);
      const host = l.host.includes(":") ? `[${l.host}]` : l.host;
      sentBy = `SIP/2.0/${viaTransportToken(protocol)} ${host}:${l.port};branch=`;
      this.sentBy.set(protocol, sentBy);
    }
    return `${sentBy}${branch};rport`;
  }

  /** A request's bytes serialized by sizedTransport to measure it, for its first send (RFC 3261 18.1.1). */
  private measured: { readonly request: SipRequest; readonly bytes: Buffer } | undefined;
  /** "SIP/2.0/UDP host:port;branch=" by protocol: a transport's bound address does not change. */
  private readonly sentBy = new Map<TransportProtocol, string>();

  /** A Contact URI reaching this endpoint over `protocol`. */
  contactUri(user: string, protocol: TransportProtocol): string {
    const l = this.local(protocol);
    const host = l.host.includes(":") ? `[${l.host}]` : l.host;
    return `sip:${user}@${host}:${l.port}${protocol === "udp" ? "" : `;transport=${protocol}`}`;
  }

  /** Declares a behaviour for incoming requests; handlers run in the order added. */
  onRequest(handler: RequestHandler): () => void {
    this.handlers.push(handler);
    return () => {
      const i = this.handlers.indexOf(handler);
      if (i >= 0) this.handlers.splice(i, 1);
    };
  }

  /** Lets an observer see every received message and every problem, before any behaviour runs. */
  observe(observer: EndpointObserver): () => void {
    this.observers.push(observer);
    return () => {
      const i = this.observers.indexOf(observer);
      if (i >= 0) this.observers.splice(i, 1);
    };
  }

  private notify(observed: ObservedMessage): void {
    for (const o of this.observers) o.received?.(observed);
  }

  /** Lets an element answer what the endpoint refuses (a UAS's or proxy's 400, RFC 3261 8.2, 16.3); by default it is only recorded. */
  onRefused(handler: RefusedHandler): () => void {
    this.refusedHandlers.push(handler);
    return () => {
      const i = this.refusedHandlers.indexOf(handler);
      if (i >= 0) this.refusedHandlers.splice(i, 1);
    };
  }

  private refuse(refused: RefusedMessage): void {
    for (const h of this.refusedHandlers) h(refused);
  }

  onStrayResponse(handler: StrayResponseHandler): () => void {
    this.strayHandlers.push(handler);
    return () => {
      const i = this.strayHandlers.indexOf(handler);
      if (i >= 0) this.strayHandlers.splice(i, 1);
    };
  }

  /**
   * Starts a client transaction for the request to `destination`. A request without Via gets ours
   * (RFC 3261 8.1.1.7) and one without Max-Forwards gets 70 (8.1.1.6).
   */
  send(request: SipRequest, to: Destination, user: ClientTransactionUser, options: SendOptions = {}): ClientTransaction {
    if (!request.hasHeader("via")) request.prependHeader("Via", this.via(to.protocol));
    if (!request.hasHeader("max-forwards")) request.addHeader("Max-Forwards", 70);
    const destination = options.keepTransport ? to : this.sizedTransport(request, to, true);
    let tx: ClientTransaction | undefined;
    const flow: Flow = { reliable: isReliable(destination.protocol), send: this.sender(destination, (e: unknown) => tx?.transportError(asError(e))) };
    try {
      tx = this.transactions.sendRequest(request, flow, user);
    } finally {
      this.measured = undefined;
    }
    if (flow.reliable && !tx.terminated) {
      const sent = tx;
      this.overConnections.set(sent, destination);
      sent.onTerminated(() => this.overConnections.delete(sent));
    }
    return tx;
  }

  /**
   * RFC 3261 18.1.1: where `request` (with its Via) goes when `destination` says UDP: over TCP to the
   * same host and port when it is larger than `udpLimit` and this endpoint has a TCP transport, with
   * its top Via changed to say so; otherwise `destination` itself. Stream destinations are kept.
   */
  transportFor(request: SipRequest, destination: Destination): Destination {
    return this.sizedTransport(request, destination, false);
  }

  /**
   * transportFor; with `keep`, the bytes it serialized to measure a request that stays on UDP are
   * kept for that request's first send, which send() makes before it returns (and forgets them then).
   */
  private sizedTransport(request: SipRequest, destination: Destination, keep: boolean): Destination {
    if (destination.protocol !== "udp" || destination.connectionId !== undefined) return destination;
    const tcp = this.transports.get("tcp");
    if (!tcp) return destination;
    const bytes = serializeMessage(request);
    if (bytes.length <= this.udpLimit) {
      if (keep) this.measured = { request, bytes };
      return destination;
    }
    // Our own sent-by names the UDP listener: the TCP listener's port replaces it when they differ
    const udp = this.transports.get("udp");
    let viaPort: number | undefined;
    try {
      viaPort = request.hasHeader("via") ? request.topVia.port : undefined;
    } catch {
      viaPort = undefined; // a malformed Via (a test's) is left as it is
    }
    const ownSentBy = udp !== undefined && viaPort === udp.local.port && tcp.local.port !== udp.local.port;
    rewriteTopViaTransport(request, "tcp", ownSentBy ? tcp.local.port : undefined);
    return { protocol: "tcp", host: destination.host, port: destination.port };
  }

  /**
   * Sends a request and resolves with its final response; provisional ones go to onProvisional.
   * Rejects with an ExpectationError on Timer B/F (64*T1), on the caller's deadline, or when the
   * transport cannot reach the destination.
   */
  request(request: SipRequest, to: Destination, options: RequestOptions = {}): Promise<SipResponse> {
    const started = this.clock.now();
    return new Promise<SipResponse>((resolve, reject) => {
      // RFC 3261 18.1.1: chosen here (with the Via the request will carry) so that a timeout names where it went
      if (!request.hasHeader("via")) request.prependHeader("Via", this.via(to.protocol));
      if (!request.hasHeader("max-forwards")) request.addHeader("Max-Forwards", 70);
      const destination = options.keepTransport ? to : this.sizedTransport(request, to, true);
      const pending = new PendingRequest(request, destination, options, this.clock, this.timers, started, () => this.problemsFrom(destination, started), resolve, reject);
      this.send(request, destination, pending, { keepTransport: true });
      pending.until(options.deadline);
    });
  }

  /** Sends a response within its server transaction (which retransmits it as RFC 3261 17.2 says). */
  respond(tx: ServerTransaction, response: SipResponse): void {
    tx.respond(response);
  }

  /** RFC 3261 8.2.6 response to a received request, sent in its transaction. */
  reply(
    received: Received,
    status: number,
    options: { reason?: string; toTag?: string; headers?: Record<string, string | number>; body?: { type: string; content: string | Buffer } } = {},
  ): SipResponse {
    if (!received.transaction || received.message.kind !== "request") throw new Error(`cannot answer ${received.message.startLine()}: it has no server transaction`);
    const response = createResponse(received.message, status, options);
    for (const [n, v] of Object.entries(options.headers ?? {})) response.addHeader(n, v);
    if (options.body) response.setBody(options.body.content, options.body.type);
    received.transaction.respond(response);
    return response;
  }

  /**
   * Sends a message outside any transaction: ACK for 2xx, stateless responses, and deliberately
   * malformed messages (raw bytes are sent as they are; `contentLength: "keep"` keeps a wrong length).
   */
  sendStateless(message: SipMessage | Buffer, destination: Destination, options: SerializeOptions = {}): Promise<void> {
    if (!Buffer.isBuffer(message) && message.kind === "request" && message.method !== "ACK" && message.branch) {
      this.statelessRequests.set(clientTransactionKey(message.branch, message.method), message);
      // The newest few are enough: a response to a stateless request comes within a transaction's lifetime
      if (this.statelessRequests.size > 64) this.statelessRequests.delete(this.statelessRequests.keys().next().value!);
    }
    const bytes = Buffer.isBuffer(message) ? message : serializeMessage(message, options);
    return this.sendBytes(bytes, destination);
  }

  // The send functions of flows are returned anonymous: under tsx (esbuild keepNames) a named
  // function expression gets an own "name" property, a cost on every request

  /** A client transaction's flow: every message to `destination`, failures to `failed`. */
  private sender(destination: Destination, failed: (e: unknown) => void): SendFn {
    return (m) => this.postMessage(m, destination, failed);
  }

  /** A server transaction's flow: RFC 3261 18.2.2, responses to where the top Via says. */
  private responder(request: SipRequest, source: Destination): SendFn {
    return (m) => this.postMessage(m, responseDestination(request.topVia, source), (e: unknown) => this.problem("transport", asError(e).message, source));
  }

  /** A flow's send: the message serialized and posted; the bytes are returned for the transaction to keep (SendFn). */
  private postMessage(m: SipMessage, destination: Destination, failed: (e: unknown) => void): Buffer {
    const measured = this.measured;
    const bytes = measured !== undefined && measured.request === m ? measured.bytes : serializeMessage(m);
    this.postBytes(bytes, destination, failed);
    return bytes;
  }

  /** sendBytes without a promise where the transport has post(): a failure goes to `failed`, always later. */
  private postBytes(bytes: Buffer, destination: Destination, failed: (e: unknown) => void): void {
    const transport = this.closed ? undefined : this.transports.get(destination.protocol);
    if (transport?.post && destination.connectionId === undefined) transport.post(bytes, { host: destination.host, port: destination.port }, failed);
    else this.sendBytes(bytes, destination).catch(failed);
  }

  private sendBytes(bytes: Buffer, destination: Destination): Promise<void> {
    if (this.closed) return Promise.reject(new Error("the endpoint is closed"));
    const transport = this.transports.get(destination.protocol);
    if (!transport) return Promise.reject(new Error(`no ${destination.protocol.toUpperCase()} transport to reach ${formatDestination(destination)}`));
    const opts = destination.connectionId !== undefined ? { connectionId: destination.connectionId } : undefined;
    return transport.send(bytes, { host: destination.host, port: destination.port }, opts);
  }

  private receive(p: IncomingPacket): void {
    const source: Destination =
      p.connectionId !== undefined
        ? { protocol: p.protocol, host: p.remote.host, port: p.remote.port, connectionId: p.connectionId }
        : { protocol: p.protocol, host: p.remote.host, port: p.remote.port };
    const parsed = parseMessage(p.bytes);
    if (!parsed.ok) {
      const reason = describeParseError(parsed.error, p.bytes);
      this.problem("unparsable", reason, source);
      this.refuse({ bytes: p.bytes, reason, status: 400, source });
      return;
    }
    const m = parsed.message;
    try {
      if (m.kind === "response") this.receiveResponse(m, source);
      else this.receiveRequest(m, source, p.bytes);
    } catch (e) {
      if (!(e instanceof HeaderError)) throw e;
      this.problem("invalid", `${m.startLine()}: ${e.message}`, source);
      if (m.kind === "request") this.refuse({ bytes: p.bytes, reason: e.message, status: 400, source, request: m });
    }
  }

  private receiveResponse(response: SipResponse, source: Destination): void {
    const tx = this.transactions.clientFor(response);
    if (this.observers.length > 0) {
      const at = this.clock.now();
      const request = tx ? tx.request : this.statelessRequest(response);
      this.notify(request ? { message: response, source, at, request, retransmission: false } : { message: response, source, at, retransmission: false });
    }
    if (tx) {
      tx.receiveResponse(response);
      return;
    }
    for (const h of this.strayHandlers) if (h(response, source)) return;
    this.inbox.push({ message: response, source, at: this.clock.now() });
  }

  /** The request sent outside a transaction that `response` answers, if one is remembered. */
  private statelessRequest(response: SipResponse): SipRequest | undefined {
    const key = responseKey(response);
    return key === undefined ? undefined : this.statelessRequests.get(key);
  }

  private receiveRequest(request: SipRequest, source: Destination, bytes?: Buffer): void {
    const problems = checkMessage(request).filter((p) => ["Via", "From", "To", "Call-ID", "CSeq", "Request-Line"].includes(p.header));
    if (problems.length > 0) {
      const reason = `${request.startLine()}: ${problems.map((p) => `${p.header} ${p.reason}`).join("; ")}`;
      this.problem("invalid", reason, source);
      if (bytes) this.refuse({ bytes, reason, status: problems.find((p) => p.status !== 400)?.status ?? 400, source, request });
      return;
    }
    stampReceived(request, source);
    const flow: Flow = { reliable: isReliable(source.protocol), send: this.responder(request, source), received: bytes };
    const result = this.transactions.receiveRequest(request, flow);
    this.notify({ message: request, source, at: this.clock.now(), retransmission: result.kind === "absorbed" });
    if (result.kind === "absorbed") return;
    const received: Received = result.kind === "new" ? { message: request, transaction: result.transaction, source, at: this.clock.now() } : { message: request, source, at: this.clock.now() };
    for (const h of this.handlers) if (h(received)) return;
    this.inbox.push(received);
  }

  /** Unparsable or invalid messages that came from `d` since `since`: what "arrived" instead. */
  private problemsFrom(d: Destination, since: number): string[] {
    return this.problems.filter((p) => p.at >= since && p.kind !== "transport" && p.source?.host === d.host && p.source.port === d.port).map((p) => p.description);
  }

  private transportProblem(e: TransportError): void {
    const source = e.remote ? { protocol: e.protocol, host: e.remote.host, port: e.remote.port } : undefined;
    // A handler that threw is the harness's own fault, not the network's
    this.problem(e.code === "handler" ? "handler" : "transport", e.message, source);
    // RFC 3261 17.1.4: a connection reset while a request waits on it is a transport error for
    // that transaction, reported at once rather than at Timer B/F
    if (!e.remote || (e.code !== "socket" && e.code !== "connect")) return;
    for (const [tx, d] of this.overConnections) {
      if (d.protocol === e.protocol && d.port === e.remote.port && sameHost(d.host, e.remote.host)) tx.transportError(e);
    }
  }

  private problem(kind: EndpointProblem["kind"], description: string, source?: Destination): void {
    const p: EndpointProblem = source ? { kind, description, source, at: this.clock.now() } : { kind, description, at: this.clock.now() };
    this.problems.push(p);
    for (const o of this.observers) o.problem?.(p);
  }

  /** Closes every transport and terminates every transaction. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.transactions.dispose();
    await Promise.all([...this.transports.values()].map((t) => t.close()));
  }
}

/** Host names as the transport reports them: "::ffff:127.0.0.1" is 127.0.0.1, "localhost" the loopback. */
function sameHost(a: string, b: string): boolean {
  const norm = (h: string): string => {
    const x = h
      .toLowerCase()
      .replace(/^\[|\]$/g, "")
      .replace(/^::ffff:/, "");
    return x === "localhost" ? "127.0.0.1" : x;
  };
  return norm(a) === norm(b);
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

function describeParseError(e: ParseError, bytes: Buffer): string {
  const firstLine = bytes.toString("utf8", 0, Math.min(bytes.length, 120)).split(/\r?\n/)[0] ?? "";
  return `unparsable message (line ${e.line}, offset ${e.position}): ${e.reason}; starts "${firstLine}"`;
}

export { Deadline };

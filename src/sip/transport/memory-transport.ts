// An in-memory network for tests: transports attached to it exchange whole messages with no socket,
// asynchronously (a microtask later), and a rule may drop or delay chosen packets on the injectable
// clock, so that retransmission timers (RFC 3261 17.1.1.2, 17.1.2.2) can be proven on fake time.
// Addresses are labels ("127.0.0.2":5060); nothing is bound or resolved.
import { performance } from "node:perf_hooks";
import { type TransportAddress, type TransportProtocol, addressKey, formatAddress, isReliable } from "./address.ts";
import { TransportEvents } from "./transport-events.ts";
import { TransportError } from "./transport.ts";
import type { IncomingPacket, SipTransport } from "./transport.ts";
import type { TraceSink } from "./trace.ts";

/** One message put on the in-memory network. */
export interface InMemoryPacket {
  /** Order in which packets were sent on this network, from 1. */
  readonly seq: number;
  readonly protocol: TransportProtocol;
  readonly from: TransportAddress;
  readonly to: TransportAddress;
  readonly bytes: Buffer;
}

/** What happens to a packet: delivered (a microtask later), lost, or delivered `delay` ms later on the network's clock. */
export type PacketFate = "deliver" | "drop" | { readonly delay: number };

/** Decides the fate of every packet sent (absent: every packet is delivered). */
export type PacketRule = (packet: InMemoryPacket) => PacketFate;

/** A packet and what became of it: "undeliverable" when no transport listened at its destination. */
export interface InMemoryDelivery {
  readonly packet: InMemoryPacket;
  readonly fate: "delivered" | "dropped" | "undeliverable";
  /** When it was delivered or given up, on the network's clock. */
  readonly at: number;
}

/**
 * The clock delays run on: structurally the driver's Clock (src/sip/clock.ts), which the transport
 * layer may not import, so that the endpoints' FakeClock can be given here too.
 */
export interface NetworkClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
}

const realClock: NetworkClock = {
  now: () => performance.timeOrigin + performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
};

export interface InMemoryNetworkOptions {
  /** The clock delays run on: the endpoints' FakeClock in tests. Default real time. */
  readonly clock?: NetworkClock;
  readonly rule?: PacketRule;
}

export interface MemoryTransportOptions {
  /** The protocol the transport poses as; reliable ones (TCP, TLS, WS, WSS) need no retransmission (RFC 3261 17). Default UDP. */
  readonly protocol?: TransportProtocol;
  /** A label such as "127.0.0.2"; nothing is bound. */
  readonly host: string;
  /** 0 or absent: the next free port from 40000 on this host. */
  readonly port?: number;
  readonly trace?: TraceSink | null;
}

const FIRST_EPHEMERAL_PORT = 40000;

/** The medium: which transport listens where, and every packet sent with its fate. */
export class InMemoryNetwork {
  readonly clock: NetworkClock;
  /** The rule applied to every packet from now on; undefined delivers everything. */
  rule: PacketRule | undefined;
  /** Every packet sent, with its fate, in the order the fates were decided. */
  readonly deliveries: InMemoryDelivery[] = [];
  private readonly listeners = new Map<string, MemoryTransport>();
  private nextSeq = 1;
  private nextPort = FIRST_EPHEMERAL_PORT;
  /** Deliveries queued as microtasks and not yet run. */
  private inFlight = 0;
  /** Deliveries waiting for the clock to reach their delay. */
  private delayed = 0;

  constructor(options: InMemoryNetworkOptions = {}) {
    this.clock = options.clock ?? realClock;
    this.rule = options.rule;
  }

  /** Attaches a transport at host:port; rejects with a "bind" TransportError when the address is taken. */
  // eslint-disable-next-line @typescript-eslint/require-await -- async so that a taken address rejects, as a real bind does
  async open(options: MemoryTransportOptions): Promise<MemoryTransport> {
    const protocol = options.protocol ?? "udp";
    let port = options.port ?? 0;
    if (port === 0) {
      while (this.listeners.has(listenKey(protocol, { host: options.host, port: this.nextPort }))) this.nextPort++;
      port = this.nextPort++;
    }
    const local: TransportAddress = { host: options.host, port };
    const key = listenKey(protocol, local);
    if (this.listeners.has(key)) {
      throw new TransportError(`${protocol} listen on ${formatAddress(local)}: address in use on the in-memory network`, { code: "bind", protocol, local });
    }
    const transport = new MemoryTransport(this, protocol, local, options.trace);
    this.listeners.set(key, transport);
    return transport;
  }

  /** Sent packets whose delivery is pending: a microtask away, or delayed on the clock. */
  get pending(): number {
    return this.inFlight + this.delayed;
  }

  /** Resolves once no delivery is a microtask away (delayed ones wait for the clock to reach them). */
  async idle(): Promise<void> {
    do await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.inFlight > 0);
  }

  /** @internal Called by a transport: decides the packet's fate and delivers it later. */
  carry(protocol: TransportProtocol, from: TransportAddress, to: TransportAddress, bytes: Buffer): void {
    const packet: InMemoryPacket = { seq: this.nextSeq++, protocol, from: { ...from }, to: { ...to }, bytes: Buffer.from(bytes) };
    const fate = this.rule ? this.rule(packet) : "deliver";
    if (fate === "drop") {
      this.deliveries.push({ packet, fate: "dropped", at: this.clock.now() });
      return;
    }
    const deliver = (): void => {
      this.inFlight++;
      queueMicrotask(() => {
        this.inFlight--;
        this.deliver(packet);
      });
    };
    if (fate === "deliver" || !(fate.delay > 0)) {
      deliver();
      return;
    }
    this.delayed++;
    this.clock.setTimeout(() => {
      this.delayed--;
      deliver();
    }, fate.delay);
  }

  /** @internal A transport closed: it no longer receives. */
  detach(transport: MemoryTransport): void {
    const key = listenKey(transport.protocol, transport.local);
    if (this.listeners.get(key) === transport) this.listeners.delete(key);
  }

  /** Whether a transport of `protocol` listens at `to` (a reliable send there is "connected"). */
  reachable(protocol: TransportProtocol, to: TransportAddress): boolean {
    return this.listeners.has(listenKey(protocol, to));
  }

  private deliver(packet: InMemoryPacket): void {
    const target = this.listeners.get(listenKey(packet.protocol, packet.to));
    this.deliveries.push({ packet, fate: target ? "delivered" : "undeliverable", at: this.clock.now() });
    target?.receive(packet);
  }
}

/** RFC 3261 18 over the in-memory network: one packet carries one message, as over UDP. */
export class MemoryTransport implements SipTransport {
  private readonly events: TransportEvents;
  private closed = false;

  /** @internal Created by InMemoryNetwork.open. */
  constructor(
    private readonly network: InMemoryNetwork,
    readonly protocol: TransportProtocol,
    readonly local: TransportAddress,
    trace: TraceSink | null | undefined,
  ) {
    this.events = new TransportEvents(protocol, trace);
  }

  onPacket(handler: (packet: IncomingPacket) => void): void {
    this.events.onPacket(handler);
  }

  onError(handler: (error: TransportError) => void): void {
    this.events.onError(handler);
  }

  /**
   * Puts the message on the network. Over a reliable protocol a destination where nothing listens
   * is a refused connection (rejected, as TCP would be); over UDP the packet is simply lost.
   */
  send(bytes: Buffer, remote: TransportAddress): Promise<void> {
    if (this.closed) {
      return Promise.reject(new TransportError(`${this.protocol} transport ${formatAddress(this.local)} is closed`, { code: "closed", protocol: this.protocol, remote, local: this.local }));
    }
    if (isReliable(this.protocol) && !this.network.reachable(this.protocol, remote)) {
      const error = new TransportError(`${this.protocol} connect to ${formatAddress(remote)}: nothing listens there on the in-memory network`, {
        code: "connect",
        protocol: this.protocol,
        remote,
        local: this.local,
      });
      this.events.error(error);
      return Promise.reject(error);
    }
    this.events.sent(bytes, this.local, remote);
    this.network.carry(this.protocol, this.local, remote, bytes);
    return Promise.resolve();
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.events.muted = true;
      this.network.detach(this);
    }
    return Promise.resolve();
  }

  /** @internal A packet the network delivers here. */
  receive(packet: InMemoryPacket): void {
    if (this.closed) return;
    if (packet.bytes.length === 0 || isCrlfOnly(packet.bytes)) {
      this.events.receivedOther(packet.bytes, this.local, packet.from, "keep-alive");
      return;
    }
    this.events.received({ bytes: packet.bytes, protocol: this.protocol, local: this.local, remote: packet.from });
  }
}

/** A transport attached to `network` (resolves at once; rejects when the address is taken). */
export function createMemoryTransport(network: InMemoryNetwork, options: MemoryTransportOptions): Promise<MemoryTransport> {
  return network.open(options);
}

function listenKey(protocol: TransportProtocol, address: TransportAddress): string {
  return `${protocol}|${addressKey(address)}`;
}

/** True for a packet made only of CR and LF (a CRLF keep-alive, RFC 5626 4.4.1). */
function isCrlfOnly(bytes: Buffer): boolean {
  for (const b of bytes) if (b !== 0x0d && b !== 0x0a) return false;
  return true;
}

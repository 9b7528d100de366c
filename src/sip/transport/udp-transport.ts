import { createSocket } from "node:dgram";
import { type LookupOneOptions, lookup as dnsLookup } from "node:dns";
import type { RemoteInfo, Socket } from "node:dgram";
import { formatAddress, ipFamily, unbracketHost } from "./address.ts";
import type { TransportAddress } from "./address.ts";
import { TransportEvents } from "./transport-events.ts";
import { TransportError, afterPendingCloses, describeFailure } from "./transport.ts";
import type { IncomingPacket, SipTransport, TransportBaseOptions } from "./transport.ts";

/** The last IP literal literalLookup answered, and its family. */
let lastLiteral = "";
let lastFamily = 0;

/**
 * dgram's address look-up for every datagram: an IP address (what SIP over UDP mostly sends to) is
 * answered at once, not a tick later through dns.lookup; a name still goes to dns.lookup.
 */
function literalLookup(host: string, options: LookupOneOptions | number, done: (error: NodeJS.ErrnoException | null, address: string, family: number) => void): void {
  // A load sends to one peer: its address is checked once, not for every datagram
  if (host === lastLiteral) return done(null, host, lastFamily);
  const literal = ipFamily(host);
  if (literal === 0) return dnsLookup(host, typeof options === "number" ? { family: options } : options, done);
  lastLiteral = host;
  lastFamily = literal;
  done(null, host, literal);
}

export interface UdpTransportOptions extends TransportBaseOptions {
  /** SO_RCVBUF asked for; the OS may clamp it (net.core.rmem_max). Default 4 MiB. */
  recvBufferSize?: number;
  /** SO_SNDBUF asked for; the OS may clamp it (net.core.wmem_max). Default 4 MiB. */
  sendBufferSize?: number;
  /** For an IPv6 bind address: refuse IPv4-mapped traffic. Default false (dual stack). */
  ipv6Only?: boolean;
}

export const DEFAULT_UDP_BUFFER_SIZE = 4 * 1024 * 1024;

/** True for a datagram made only of CR and LF (a CRLF keep-alive some UAs send over UDP). */
function isCrlfOnly(bytes: Buffer): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b !== 0x0d && b !== 0x0a) return false;
  }
  return true;
}

/** A message send() or post() accepted, written at the end of the event loop's turn. */
interface QueuedDatagram {
  readonly bytes: Buffer;
  readonly remote: TransportAddress;
  /** Told that the datagram went out: send()'s promise only. */
  readonly sent: (() => void) | undefined;
  readonly failed: (error: TransportError) => void;
}

/** RFC 3261 18 over UDP: one datagram carries one message. */
export class UdpTransport implements SipTransport {
  readonly protocol = "udp" as const;
  local: TransportAddress;
  private readonly socket: Socket;
  /** An udp6 socket (bound to an IPv6 address). */
  private readonly ipv6: boolean;
  private readonly events: TransportEvents;
  private closing: Promise<void> | undefined;
  private isClosed = false;
  /** Datagrams accepted by send() or post() and not yet written: see flush(). */
  private queue: QueuedDatagram[] = [];

  private constructor(socket: Socket, ipv6: boolean, options: UdpTransportOptions) {
    this.socket = socket;
    this.ipv6 = ipv6;
    this.local = { host: options.host, port: options.port };
    this.events = new TransportEvents("udp", options.trace);
  }

  /** Binds the socket; resolves once it is bound. */
  static async open(options: UdpTransportOptions): Promise<UdpTransport> {
    const host = unbracketHost(options.host);
    const ipv6 = ipFamily(host) === 6;
    const socket = createSocket({
      type: ipv6 ? "udp6" : "udp4",
      lookup: literalLookup,
      ...(options.ipv6Only === undefined ? {} : { ipv6Only: options.ipv6Only }),
    });
    const transport = new UdpTransport(socket, ipv6, options);
    await new Promise<void>((resolve, reject) => {
      const onError = (cause: Error): void => {
        socket.close();
        reject(
          new TransportError(describeFailure("udp bind to", options, cause), {
            code: "bind",
            protocol: "udp",
            local: { host: options.host, port: options.port },
            cause,
          }),
        );
      };
      socket.once("error", onError);
      socket.bind({ address: host, port: options.port }, () => {
        socket.off("error", onError);
        resolve();
      });
    });
    const bound = socket.address();
    transport.local = { host: bound.address, port: bound.port };
    transport.setBufferSizes(options.recvBufferSize ?? DEFAULT_UDP_BUFFER_SIZE, options.sendBufferSize ?? DEFAULT_UDP_BUFFER_SIZE);
    socket.on("message", (bytes, rinfo) => transport.receive(bytes, rinfo));
    socket.on("error", (cause) => {
      transport.events.error(
        new TransportError(describeFailure("udp socket", transport.local, cause), {
          code: "socket",
          protocol: "udp",
          local: transport.local,
          cause,
        }),
      );
    });
    return transport;
  }

  /** Socket buffer sizes in effect (Linux reports twice the size asked, clamped to the system maximum). */
  get bufferSizes(): { recv: number; send: number } {
    return { recv: this.socket.getRecvBufferSize(), send: this.socket.getSendBufferSize() };
  }

  private setBufferSizes(recv: number, send: number): void {
    // Large buffers absorb bursts of a load run; an OS refusing the size keeps its own.
    try {
      this.socket.setRecvBufferSize(recv);
    } catch {
      // clamped or refused by the OS
    }
    try {
      this.socket.setSendBufferSize(send);
    } catch {
      // clamped or refused by the OS
    }
  }

  onPacket(handler: (packet: IncomingPacket) => void): void {
    this.events.onPacket(handler);
  }

  onError(handler: (error: TransportError) => void): void {
    this.events.onError(handler);
  }

  send(bytes: Buffer, remote: TransportAddress): Promise<void> {
    if (this.isClosed) return Promise.reject(this.closedError(remote));
    return new Promise<void>((resolve, reject) => this.enqueue(bytes, remote, resolve, reject));
  }

  /** send() without a promise: what the endpoint's transactions use, most of what a load sends. */
  post(bytes: Buffer, remote: TransportAddress, failed: (error: TransportError) => void): void {
    if (this.isClosed) {
      const error = this.closedError(remote);
      queueMicrotask(() => failed(error));
      return;
    }
    this.enqueue(bytes, remote, undefined, failed);
  }

  private enqueue(bytes: Buffer, remote: TransportAddress, sent: (() => void) | undefined, failed: (error: TransportError) => void): void {
    this.events.sent(bytes, this.local, remote);
    this.queue.push({ bytes, remote, sent, failed });
    if (this.queue.length === 1) setImmediate(() => this.flush());
  }

  private closedError(remote: TransportAddress): TransportError {
    return new TransportError(`udp transport ${formatAddress(this.local)} is closed`, { code: "closed", protocol: "udp", remote, local: this.local });
  }

  /**
   * Writes the datagrams queued during this turn of the event loop, in order. Sent together rather
   * than one by one between receptions, they wake the peer once per batch, not once per message.
   */
  private flush(): void {
    const queue = this.queue;
    if (queue.length === 0) return;
    this.queue = [];
    // Anonymous callbacks only: a named function expression costs an own "name" property per call under tsx
    for (const { bytes, remote, sent, failed } of queue) {
      try {
        this.socket.send(bytes, remote.port, this.destinationHost(remote.host), (cause) => {
          if (cause) failed(this.sendFailed(remote, cause));
          else sent?.();
        });
      } catch (cause) {
        // Invalid port or address, or the socket closed: dgram throws synchronously.
        failed(this.sendFailed(remote, cause));
      }
    }
  }

  /** Reports a failed send to the error handlers and returns the error the send rejects with. */
  private sendFailed(remote: TransportAddress, cause: unknown): TransportError {
    const error = new TransportError(describeFailure("udp send to", remote, cause), {
      code: "send",
      protocol: "udp",
      remote,
      local: this.local,
      cause,
    });
    this.events.error(error);
    return error;
  }

  /** A dual-stack IPv6 socket reaches IPv4 peers through IPv4-mapped addresses. */
  private destinationHost(host: string): string {
    const bare = unbracketHost(host);
    return this.ipv6 && ipFamily(bare) === 4 ? `::ffff:${bare}` : bare;
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      // What send() accepted still goes out: dgram writes it a tick later (after its address look-up)
      this.flush();
      this.isClosed = true;
      this.events.muted = true;
      process.nextTick(() => this.socket.close(() => resolve()));
    }).then(afterPendingCloses);
    return this.closing;
  }

  private receive(bytes: Buffer, rinfo: RemoteInfo): void {
    const remote: TransportAddress = { host: rinfo.address, port: rinfo.port };
    if (bytes.length === 0 || isCrlfOnly(bytes)) {
      this.events.receivedOther(bytes, this.local, remote, "keep-alive");
      return;
    }
    this.events.received({ bytes, protocol: "udp", local: this.local, remote });
  }
}

/** A UDP transport bound to host:port (resolves once bound). */
export function createUdpTransport(options: UdpTransportOptions): Promise<UdpTransport> {
  return UdpTransport.open(options);
}

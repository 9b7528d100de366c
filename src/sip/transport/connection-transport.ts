import { formatAddress } from "./address.ts";
import type { TransportAddress, TransportProtocol } from "./address.ts";
import { ConnectionTable } from "./connection-table.ts";
import { TransportEvents } from "./transport-events.ts";
import { TransportError, afterPendingCloses, describeFailure } from "./transport.ts";
import type { IncomingPacket, SendOptions, SipTransport, TransportErrorCode } from "./transport.ts";
import type { TraceSink } from "./trace.ts";

/** What a concrete connection (net/tls socket, WebSocket) provides. */
export interface ConnectionIo {
  /** Resolves once the bytes are handed to the OS. */
  write(bytes: Buffer): Promise<void>;
  /** Closes at once; the owner then calls connectionClosed(). */
  destroy(): void;
}

export type ConnectionState = "connecting" | "open" | "closed";

/** A connection of a connection-oriented transport (TCP, TLS, WS, WSS). */
export class TransportConnection {
  readonly id: string;
  /** True when this side opened it. */
  readonly outbound: boolean;
  remote: TransportAddress;
  local: TransportAddress;
  state: ConnectionState;
  io: ConnectionIo | undefined;
  /** Settles when the connection is established (or fails to be). */
  readonly ready: Promise<void>;
  /** Resolves once the underlying socket is closed. */
  readonly closed: Promise<void>;
  resolveReady!: () => void;
  rejectReady!: (error: TransportError) => void;
  resolveClosed!: () => void;
  connectTimer: NodeJS.Timeout | undefined;

  constructor(id: string, outbound: boolean, remote: TransportAddress, local: TransportAddress) {
    this.id = id;
    this.outbound = outbound;
    this.remote = remote;
    this.local = local;
    this.state = outbound ? "connecting" : "open";
    this.ready = new Promise<void>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    // Awaited by senders; a connection nobody waited for must not raise an unhandled rejection.
    this.ready.catch(() => {});
    this.closed = new Promise<void>((resolve) => {
      this.resolveClosed = resolve;
    });
    if (!outbound) this.resolveReady();
  }
}

/** Read-only view of a connection, for diagnostics and tests. */
export interface ConnectionInfo {
  id: string;
  outbound: boolean;
  state: ConnectionState;
  local: TransportAddress;
  remote: TransportAddress;
}

export interface ConnectionTransportOptions {
  /** Give up establishing a connection after this long. Default 10 s. */
  connectTimeoutMs?: number;
  trace?: TraceSink | null;
}

let connectionCounter = 0;

/**
 * Connection bookkeeping shared by the stream (TCP/TLS) and WebSocket transports:
 * connection table, connection reuse, send, close and error reporting.
 */
export abstract class ConnectionTransport implements SipTransport {
  readonly protocol: TransportProtocol;
  local: TransportAddress;
  protected readonly events: TransportEvents;
  protected readonly connections = new ConnectionTable<TransportConnection>();
  protected isClosed = false;
  private closing: Promise<void> | undefined;
  private readonly connectTimeoutMs: number;

  protected constructor(protocol: TransportProtocol, local: TransportAddress, options: ConnectionTransportOptions) {
    this.protocol = protocol;
    this.local = local;
    this.events = new TransportEvents(protocol, options.trace);
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  }

  /** Starts connecting `connection` to `remote`; reports progress through the connection* methods. */
  protected abstract dial(connection: TransportConnection, remote: TransportAddress): ConnectionIo;
  /** Stops listening. */
  protected abstract shutdown(): Promise<void>;

  get connectionCount(): number {
    return this.connections.size;
  }

  listConnections(): ConnectionInfo[] {
    return this.connections.values().map((c) => ({
      id: c.id,
      outbound: c.outbound,
      state: c.state,
      local: c.local,
      remote: c.remote,
    }));
  }

  onPacket(handler: (packet: IncomingPacket) => void): void {
    this.events.onPacket(handler);
  }

  onError(handler: (error: TransportError) => void): void {
    this.events.onError(handler);
  }

  async send(bytes: Buffer, remote: TransportAddress, opts?: SendOptions): Promise<void> {
    if (this.isClosed) throw this.closedError(remote);
    let connection = opts?.connectionId === undefined ? undefined : this.connections.get(opts.connectionId);
    // RFC 3261 18.2.2: if the request's connection is gone, open one to the sent-by address.
    if (connection === undefined || connection.state === "closed") connection = this.connections.lookup(remote);
    if (connection === undefined || connection.state === "closed") connection = this.open(remote);
    await connection.ready;
    if (this.isClosed) throw this.closedError(remote);
    const io = connection.io;
    if (io === undefined || connection.state !== "open") {
      throw new TransportError(describeFailure(`${this.protocol} connection ${connection.id} to`, remote, "closed"), {
        code: "send",
        protocol: this.protocol,
        remote,
        connectionId: connection.id,
      });
    }
    this.events.sent(bytes, connection.local, connection.remote, connection.id);
    try {
      await io.write(bytes);
    } catch (cause) {
      throw new TransportError(describeFailure(`${this.protocol} send on ${connection.id} to`, connection.remote, cause), {
        code: "send",
        protocol: this.protocol,
        remote: connection.remote,
        local: connection.local,
        connectionId: connection.id,
        cause,
      });
    }
  }

  close(): Promise<void> {
    this.closing ??= this.closeAll();
    return this.closing;
  }

  private async closeAll(): Promise<void> {
    this.isClosed = true;
    this.events.muted = true;
    const all = this.connections.values();
    for (const connection of all) connection.io?.destroy();
    await Promise.all([this.shutdown(), ...all.map((c) => c.closed)]);
    await afterPendingCloses();
  }

  /** An outbound connection to `remote`, registered before it is established so concurrent sends share it. */
  private open(remote: TransportAddress): TransportConnection {
    const connection = new TransportConnection(this.newConnectionId(), true, remote, this.local);
    this.connections.add(connection, remote);
    connection.connectTimer = setTimeout(() => {
      if (connection.state !== "connecting") return;
      this.connectionFailed(connection, new Error(`connect timeout after ${this.connectTimeoutMs} ms`));
      connection.io?.destroy();
    }, this.connectTimeoutMs);
    connection.connectTimer.unref();
    try {
      connection.io = this.dial(connection, remote);
    } catch (cause) {
      this.connectionFailed(connection, cause);
      this.connectionClosed(connection);
    }
    return connection;
  }

  protected newConnectionId(): string {
    return `${this.protocol}-${++connectionCounter}`;
  }

  /** Registers a connection accepted by the server. */
  protected accepted(io: ConnectionIo, remote: TransportAddress, local: TransportAddress): TransportConnection {
    const connection = new TransportConnection(this.newConnectionId(), false, remote, local);
    connection.io = io;
    this.connections.add(connection, remote);
    return connection;
  }

  /** The outbound connection is established; `remote` is the peer's actual address. */
  protected connectionOpened(connection: TransportConnection, local: TransportAddress, remote: TransportAddress): void {
    if (connection.state !== "connecting") return;
    clearTimeout(connection.connectTimer);
    connection.state = "open";
    connection.local = local;
    connection.remote = remote;
    this.connections.alias(connection, remote);
    connection.resolveReady();
  }

  /** Reports a connection failure (before or after establishment). */
  protected connectionFailed(connection: TransportConnection, cause: unknown, code?: TransportErrorCode): void {
    if (connection.state === "closed") return;
    const connecting = connection.state === "connecting";
    const error = new TransportError(describeFailure(connecting ? `${this.protocol} connect to` : `${this.protocol} connection ${connection.id} with`, connection.remote, cause), {
      code: code ?? (connecting ? "connect" : "socket"),
      protocol: this.protocol,
      remote: connection.remote,
      local: connection.local,
      connectionId: connection.id,
      cause,
    });
    if (connecting) {
      clearTimeout(connection.connectTimer);
      connection.state = "closed";
      this.connections.remove(connection);
      connection.rejectReady(error);
    }
    this.events.error(error);
  }

  /** The underlying socket is closed. */
  protected connectionClosed(connection: TransportConnection): void {
    clearTimeout(connection.connectTimer);
    if (connection.state === "connecting") {
      connection.rejectReady(
        new TransportError(describeFailure(`${this.protocol} connect to`, connection.remote, "connection closed"), {
          code: "connect",
          protocol: this.protocol,
          remote: connection.remote,
          connectionId: connection.id,
        }),
      );
    }
    connection.state = "closed";
    this.connections.remove(connection);
    connection.resolveClosed();
  }

  /** Delivers one received message. */
  protected deliver(connection: TransportConnection, bytes: Buffer): void {
    this.events.received({
      bytes,
      protocol: this.protocol,
      local: connection.local,
      remote: connection.remote,
      connectionId: connection.id,
    });
  }

  private closedError(remote: TransportAddress): TransportError {
    return new TransportError(`${this.protocol} transport ${formatAddress(this.local)} is closed`, {
      code: "closed",
      protocol: this.protocol,
      remote,
      local: this.local,
    });
  }
}

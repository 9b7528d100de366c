import type { Server, Socket } from "node:net";
import { ipFamily, isWildcardHost, unbracketHost } from "./address.ts";
import type { TransportAddress } from "./address.ts";
import { ConnectionTransport, TransportConnection } from "./connection-transport.ts";
import type { ConnectionIo, ConnectionTransportOptions } from "./connection-transport.ts";
import { StreamFramer } from "./stream-framer.ts";
import type { StreamFramerOptions } from "./stream-framer.ts";
import { listen } from "./listen.ts";
import { TransportError, describeFailure } from "./transport.ts";
import type { TransportBaseOptions } from "./transport.ts";

/** How a stream transport makes its sockets: plain TCP or TLS. */
export interface StreamSocketFactory {
  readonly protocol: "tcp" | "tls";
  /**
   * A server calling `onSocket` for each established (for TLS: handshaken) connection,
   * and `onHandshakeError` for a connection whose TLS handshake failed.
   */
  createServer(onSocket: (socket: Socket) => void, onHandshakeError: (remote: TransportAddress, cause: Error) => void): Server;
  /** Starts a client connection; `readyEvent` is emitted on the socket once it can carry data. */
  connect(remote: TransportAddress, localAddress: string | undefined): { socket: Socket; readyEvent: string };
}

export interface StreamTransportOptions extends TransportBaseOptions, ConnectionTransportOptions {
  /** RFC 3261 18.3 framing limits. */
  framer?: StreamFramerOptions;
  /** TCP_NODELAY on every connection. Default true. */
  noDelay?: boolean;
}

const PING = Buffer.from("\r\n\r\n", "latin1");
const PONG = Buffer.from("\r\n", "latin1");

function socketAddress(address: string | undefined, port: number | undefined): TransportAddress | undefined {
  return address === undefined || port === undefined ? undefined : { host: address, port };
}

/**
 * RFC 3261 18 over a byte stream (TCP, TLS): a listening server plus client connections,
 * both directions usable, messages framed by Content-Length (RFC 3261 18.3).
 */
export class StreamTransport extends ConnectionTransport {
  private readonly factory: StreamSocketFactory;
  private readonly options: StreamTransportOptions;
  private readonly server: Server;
  private readonly accepting = new Set<Socket>();

  private constructor(factory: StreamSocketFactory, options: StreamTransportOptions, server: Server) {
    super(factory.protocol, { host: options.host, port: options.port }, options);
    this.factory = factory;
    this.options = options;
    this.server = server;
  }

  /** Creates the transport and resolves once its server is listening. */
  static async listen(factory: StreamSocketFactory, options: StreamTransportOptions): Promise<StreamTransport> {
    let transport: StreamTransport | undefined;
    const server = factory.createServer(
      (socket) => transport?.acceptSocket(socket),
      (remote, cause) => transport?.handshakeFailed(remote, cause),
    );
    transport = new StreamTransport(factory, options, server);
    transport.local = await listen(server, server, { host: options.host, port: options.port }, factory.protocol);
    transport.watchServer();
    return transport;
  }

  private watchServer(): void {
    // Every accepted TCP socket, handshaking or not, so that close() can end them all.
    this.server.on("connection", (raw: Socket) => {
      this.accepting.add(raw);
      raw.once("close", () => this.accepting.delete(raw));
    });
    this.server.on("error", (cause) => {
      this.events.error(
        new TransportError(describeFailure(`${this.protocol} server`, this.local, cause), {
          code: "socket",
          protocol: this.protocol,
          local: this.local,
          cause,
        }),
      );
    });
  }

  /** TLS: a client whose handshake failed never becomes a connection. */
  private handshakeFailed(remote: TransportAddress, cause: Error): void {
    this.events.error(
      new TransportError(describeFailure(`${this.protocol} handshake from`, remote, cause), {
        code: "handshake",
        protocol: this.protocol,
        local: this.local,
        remote,
        cause,
      }),
    );
  }

  private acceptSocket(socket: Socket): void {
    const remote = socketAddress(socket.remoteAddress, socket.remotePort);
    const local = socketAddress(socket.localAddress, socket.localPort) ?? this.local;
    if (this.isClosed || remote === undefined) {
      socket.destroy();
      return;
    }
    const connection = this.accepted(this.socketIo(socket), remote, local);
    this.wire(connection, socket);
  }

  protected dial(connection: TransportConnection, remote: TransportAddress): ConnectionIo {
    // Outbound connections leave from the listening interface when it is a specific address of the same family.
    const family = ipFamily(remote.host);
    const bindTo = !isWildcardHost(this.local.host) && family !== 0 && ipFamily(this.local.host) === family ? this.local.host : undefined;
    const target = { host: unbracketHost(remote.host), port: remote.port };
    const { socket, readyEvent } = this.factory.connect(target, bindTo);
    socket.once(readyEvent, () => {
      const local = socketAddress(socket.localAddress, socket.localPort) ?? this.local;
      const actual = socketAddress(socket.remoteAddress, socket.remotePort) ?? target;
      this.connectionOpened(connection, local, actual);
    });
    this.wire(connection, socket);
    return this.socketIo(socket);
  }

  protected shutdown(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const raw of this.accepting) raw.destroy();
    });
  }

  private socketIo(socket: Socket): ConnectionIo {
    return {
      write: (bytes) =>
        new Promise<void>((resolve, reject) => {
          socket.write(bytes, (error) => (error ? reject(error) : resolve()));
        }),
      destroy: () => socket.destroy(),
    };
  }

  /** Framing, keep-alive, error and close handling of one socket. */
  private wire(connection: TransportConnection, socket: Socket): void {
    if (this.options.noDelay ?? true) socket.setNoDelay(true);
    const framer = new StreamFramer(
      {
        message: (bytes) => this.deliver(connection, bytes),
        keepAlive: (kind) => {
          this.events.receivedOther(kind === "ping" ? PING : PONG, connection.local, connection.remote, `keep-alive ${kind} (${connection.id})`);
          // RFC 5626 4.4.1: a double-CRLF ping is answered with a single-CRLF pong.
          if (kind === "ping" && !socket.destroyed) {
            this.events.sent(PONG, connection.local, connection.remote, `keep-alive pong (${connection.id})`);
            socket.write(PONG);
          }
        },
        error: (cause) => {
          // RFC 3261 18.3: a stream that cannot be framed must be closed.
          this.connectionFailed(connection, cause, "framing");
          socket.destroy();
        },
      },
      this.options.framer,
    );
    socket.on("data", (chunk: Buffer) => framer.push(chunk));
    socket.on("error", (cause) => this.connectionFailed(connection, cause));
    socket.on("close", () => {
      framer.stop();
      this.connectionClosed(connection);
    });
  }
}

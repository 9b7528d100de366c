import { isUtf8 } from "node:buffer";
import { createServer as createHttpServer } from "node:http";
import type { IncomingMessage, Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Server as HttpsServer } from "node:https";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer } from "ws";
import type { RawData } from "ws";
import { formatHost, ipFamily, isWildcardHost } from "./address.ts";
import type { TransportAddress } from "./address.ts";
import { ConnectionTransport, TransportConnection } from "./connection-transport.ts";
import type { ConnectionIo, ConnectionTransportOptions } from "./connection-transport.ts";
import { tlsClientOptions, tlsServerOptions, watchTlsHandshakes } from "./tls-transport.ts";
import type { TlsSettings } from "./tls-transport.ts";
import { listen } from "./listen.ts";
import { TransportError, describeFailure } from "./transport.ts";
import type { TransportBaseOptions } from "./transport.ts";

/** RFC 7118 4.1: the WebSocket subprotocol both sides must agree on. */
export const SIP_SUBPROTOCOL = "sip";

export interface WsTransportOptions extends TransportBaseOptions, ConnectionTransportOptions {
  /** true: "wss" (WebSocket over TLS, `tls` must hold the server key and cert). Default false. */
  secure?: boolean;
  /** Certificates for wss, server and client side. */
  tls?: TlsSettings;
  /** Request path used when connecting (the server accepts any path). Default "/". */
  path?: string;
  /** Largest WebSocket message accepted. Default 16 MiB. */
  maxPayload?: number;
}

function rawToBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function offeredSubprotocols(request: IncomingMessage): string[] {
  const header = request.headers["sec-websocket-protocol"];
  return header === undefined ? [] : header.split(",").map((p) => p.trim());
}

function peerOf(socket: { remoteAddress?: string | undefined; remotePort?: number | undefined }): TransportAddress | undefined {
  return socket.remoteAddress === undefined || socket.remotePort === undefined ? undefined : { host: socket.remoteAddress, port: socket.remotePort };
}

/**
 * RFC 7118 SIP over WebSocket: each WebSocket message carries exactly one SIP message
 * (RFC 7118 5.1), no Content-Length framing needed; text and binary frames are accepted.
 */
export class WsTransport extends ConnectionTransport {
  private readonly options: WsTransportOptions;
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly accepting = new Set<Socket>();

  private constructor(options: WsTransportOptions, server: Server, wss: WebSocketServer) {
    super(options.secure ? "wss" : "ws", { host: options.host, port: options.port }, options);
    this.options = options;
    this.server = server;
    this.wss = wss;
  }

  /** Creates the transport and resolves once its server is listening. */
  static async listen(options: WsTransportOptions): Promise<WsTransport> {
    const protocol = options.secure ? "wss" : "ws";
    const server = options.secure ? createHttpsServer(tlsServerOptions(options.tls ?? {})) : createHttpServer();
    // Plain HTTP requests get 426: only WebSocket upgrades are served.
    server.on("request", (_request, response) => {
      response.writeHead(426, { Upgrade: "websocket", Connection: "close" });
      response.end();
    });
    let transport: WsTransport | undefined;
    const wss = new WebSocketServer({
      server,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: options.maxPayload ?? 16 * 1024 * 1024,
      // RFC 7118 4.1: a handshake that does not offer "sip" is refused.
      verifyClient: (info, callback) => {
        if (offeredSubprotocols(info.req).includes(SIP_SUBPROTOCOL)) {
          callback(true);
          return;
        }
        transport?.refused(info.req);
        callback(false, 400, "Sec-WebSocket-Protocol must offer sip (RFC 7118)");
      },
      handleProtocols: (protocols) => (protocols.has(SIP_SUBPROTOCOL) ? SIP_SUBPROTOCOL : false),
    });
    transport = new WsTransport(options, server, wss);
    wss.on("connection", (ws, request) => transport.acceptSocket(ws, request));
    transport.local = await listen(server, wss, { host: options.host, port: options.port }, protocol);
    transport.watchServer();
    return transport;
  }

  private watchServer(): void {
    // The WebSocketServer re-emits the HTTP server's errors.
    this.wss.on("error", (cause) => {
      this.events.error(
        new TransportError(describeFailure(`${this.protocol} server`, this.local, cause), {
          code: "socket",
          protocol: this.protocol,
          local: this.local,
          cause,
        }),
      );
    });
    this.wss.on("wsClientError", (cause: Error, socket: Duplex, request: IncomingMessage) => {
      this.handshakeError(request, cause);
      socket.destroy();
    });
    if (this.options.secure) {
      watchTlsHandshakes(this.server as HttpsServer, (remote, cause) => {
        this.events.error(
          new TransportError(describeFailure(`${this.protocol} TLS handshake from`, remote, cause), {
            code: "handshake",
            protocol: this.protocol,
            local: this.local,
            remote,
            cause,
          }),
        );
      });
    }
    // Every accepted TCP socket, so that close() can end those not yet upgraded too.
    this.server.on("connection", (raw: Socket) => {
      this.accepting.add(raw);
      raw.once("close", () => this.accepting.delete(raw));
    });
  }

  private refused(request: IncomingMessage): void {
    this.handshakeError(request, new Error("no sip subprotocol offered"));
  }

  private handshakeError(request: IncomingMessage, cause: Error): void {
    const remote = peerOf(request.socket);
    this.events.error(
      new TransportError(describeFailure(`${this.protocol} handshake from`, remote, cause), {
        code: "handshake",
        protocol: this.protocol,
        local: this.local,
        ...(remote === undefined ? {} : { remote }),
        cause,
      }),
    );
  }

  private acceptSocket(ws: WebSocket, request: IncomingMessage): void {
    const remote = peerOf(request.socket);
    const local = request.socket.localAddress === undefined || request.socket.localPort === undefined ? this.local : { host: request.socket.localAddress, port: request.socket.localPort };
    if (this.isClosed || remote === undefined) {
      ws.terminate();
      return;
    }
    const connection = this.accepted(this.socketIo(ws), remote, local);
    this.wire(connection, ws);
  }

  protected dial(connection: TransportConnection, remote: TransportAddress): ConnectionIo {
    const secure = this.protocol === "wss";
    const url = `${this.protocol}://${formatHost(remote.host)}:${remote.port}${this.options.path ?? "/"}`;
    const family = ipFamily(remote.host);
    const bindTo = !isWildcardHost(this.local.host) && family !== 0 && ipFamily(this.local.host) === family ? this.local.host : undefined;
    const ws = new WebSocket(url, SIP_SUBPROTOCOL, {
      perMessageDeflate: false,
      maxPayload: this.options.maxPayload ?? 16 * 1024 * 1024,
      ...(bindTo === undefined ? {} : { localAddress: bindTo }),
      ...(secure ? tlsClientOptions(this.options.tls ?? {}, remote.host) : {}),
    });
    let local: TransportAddress = this.local;
    let peer: TransportAddress = remote;
    ws.once("upgrade", (response) => {
      local = peerOf({ remoteAddress: response.socket.localAddress, remotePort: response.socket.localPort }) ?? local;
      peer = peerOf(response.socket) ?? peer;
    });
    ws.once("open", () => {
      // RFC 7118 4.1: the server must have selected "sip" (ws already refuses any other answer).
      if (ws.protocol !== SIP_SUBPROTOCOL) {
        this.connectionFailed(connection, new Error(`server selected subprotocol "${ws.protocol}"`));
        ws.terminate();
        return;
      }
      this.connectionOpened(connection, local, peer);
    });
    this.wire(connection, ws);
    return this.socketIo(ws);
  }

  protected async shutdown(): Promise<void> {
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const raw of this.accepting) raw.destroy();
    });
  }

  private socketIo(ws: WebSocket): ConnectionIo {
    return {
      // RFC 7118 4.2: UTF-8 messages go in text frames, others in binary frames.
      write: (bytes) =>
        new Promise<void>((resolve, reject) => {
          ws.send(bytes, { binary: !isUtf8(bytes) }, (error) => (error ? reject(error) : resolve()));
        }),
      destroy: () => ws.terminate(),
    };
  }

  private wire(connection: TransportConnection, ws: WebSocket): void {
    // RFC 7118 5.1: one WebSocket message is one SIP message, text or binary.
    ws.on("message", (data) => this.deliver(connection, rawToBuffer(data)));
    ws.on("error", (cause) => this.connectionFailed(connection, cause));
    ws.on("close", () => this.connectionClosed(connection));
  }
}

/** A WebSocket (or, with secure, WebSocket over TLS) transport listening on host:port. */
export function createWsTransport(options: WsTransportOptions): Promise<WsTransport> {
  return WsTransport.listen(options);
}

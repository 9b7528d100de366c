import type { Socket } from "node:net";
import { connect, createServer } from "node:tls";
import type { ConnectionOptions, Server as TlsServer, TLSSocket, TlsOptions } from "node:tls";
import { addressKey, ipFamily } from "./address.ts";
import type { TransportAddress } from "./address.ts";
import { StreamTransport } from "./stream-transport.ts";
import type { StreamSocketFactory, StreamTransportOptions } from "./stream-transport.ts";

type Pem = string | Buffer | Array<string | Buffer>;

/** Certificates and verification policy, used by both the server and the client side. */
export interface TlsSettings {
  /** Private key (PEM) of this side's certificate. */
  key?: Pem;
  /** Certificate chain (PEM) presented by the server, and by the client when set. */
  cert?: Pem;
  /** Trusted CAs (PEM); default: Node's bundled roots. */
  ca?: Pem;
  /** Verify the peer's certificate (client side always, server side with requestCert). Default true. */
  rejectUnauthorized?: boolean;
  /** Server side: ask clients for a certificate (mutual TLS). Default false. */
  requestCert?: boolean;
  /** Client side: SNI name and name checked in the server certificate, when it differs from the host. */
  servername?: string;
  /** Minimum protocol version; default Node's (TLSv1.2). */
  minVersion?: TlsOptions["minVersion"];
}

export type TlsTransportOptions = StreamTransportOptions & TlsSettings;

/** Node TLS server options from TlsSettings. */
export function tlsServerOptions(settings: TlsSettings): TlsOptions {
  const options: TlsOptions = {
    rejectUnauthorized: settings.rejectUnauthorized ?? true,
    requestCert: settings.requestCert ?? false,
  };
  if (settings.key !== undefined) options.key = settings.key;
  if (settings.cert !== undefined) options.cert = settings.cert;
  if (settings.ca !== undefined) options.ca = settings.ca;
  if (settings.minVersion !== undefined) options.minVersion = settings.minVersion;
  return options;
}

/** Node TLS client options from TlsSettings, for a connection to `host`. */
export function tlsClientOptions(settings: TlsSettings, host: string): ConnectionOptions {
  const options: ConnectionOptions = { rejectUnauthorized: settings.rejectUnauthorized ?? true };
  if (settings.key !== undefined) options.key = settings.key;
  if (settings.cert !== undefined) options.cert = settings.cert;
  if (settings.ca !== undefined) options.ca = settings.ca;
  if (settings.minVersion !== undefined) options.minVersion = settings.minVersion;
  // RFC 6066 3: SNI carries host names only, never IP literals.
  if (settings.servername !== undefined) options.servername = settings.servername;
  else if (ipFamily(host) === 0) options.servername = host;
  return options;
}

/**
 * Reports incoming connections whose TLS handshake fails, with the peer's address.
 * Node's 'tlsClientError' hands over a socket that has often lost its address already,
 * so the address is taken from the TCP connection when it is accepted.
 */
export function watchTlsHandshakes(server: TlsServer, onFailure: (remote: TransportAddress, cause: Error) => void): void {
  const handshaking = new Map<Socket, { remote: TransportAddress; key: string; reported: boolean }>();
  const find = (key: string): Socket | undefined => {
    for (const [raw, entry] of handshaking) if (entry.key === key) return raw;
    return undefined;
  };
  server.prependListener("connection", (raw: Socket) => {
    if (raw.remoteAddress === undefined || raw.remotePort === undefined) return;
    const remote = { host: raw.remoteAddress, port: raw.remotePort };
    const entry = { remote, key: addressKey(remote), reported: false };
    handshaking.set(raw, entry);
    raw.once("close", () => {
      if (!handshaking.delete(raw) || entry.reported) return;
      onFailure(remote, new Error("connection closed before the TLS handshake completed"));
    });
  });
  server.on("secureConnection", (socket: TLSSocket) => {
    if (socket.remoteAddress === undefined || socket.remotePort === undefined) return;
    const raw = find(addressKey({ host: socket.remoteAddress, port: socket.remotePort }));
    if (raw !== undefined) handshaking.delete(raw);
  });
  server.on("tlsClientError", (cause: Error, socket: TLSSocket) => {
    let raw: Socket | undefined;
    if (socket.remoteAddress !== undefined && socket.remotePort !== undefined) {
      raw = find(addressKey({ host: socket.remoteAddress, port: socket.remotePort }));
    } else {
      // Already torn down: its TCP connection is destroyed but not yet closed.
      for (const [candidate, entry] of handshaking) {
        if (candidate.destroyed && !entry.reported) {
          raw = candidate;
          break;
        }
      }
    }
    const entry = raw === undefined ? undefined : handshaking.get(raw);
    if (entry === undefined) return;
    entry.reported = true;
    onFailure(entry.remote, cause);
  });
}

/** TLS sockets (RFC 3261 26.2.1 / RFC 5630); a connection is usable once the handshake is done. */
export function tlsSocketFactory(settings: TlsSettings): StreamSocketFactory {
  const serverOptions = tlsServerOptions(settings);
  return {
    protocol: "tls",
    createServer: (onSocket, onHandshakeError) => {
      const server = createServer(serverOptions, (socket) => onSocket(socket));
      watchTlsHandshakes(server, onHandshakeError);
      return server;
    },
    connect: (remote, localAddress) => ({
      socket: connect({
        ...tlsClientOptions(settings, remote.host),
        host: remote.host,
        port: remote.port,
        ...(localAddress === undefined ? {} : { localAddress }),
      }),
      readyEvent: "secureConnect",
    }),
  };
}

/** A TLS transport listening on host:port (resolves once listening). */
export function createTlsTransport(options: TlsTransportOptions): Promise<StreamTransport> {
  return StreamTransport.listen(tlsSocketFactory(options), options);
}

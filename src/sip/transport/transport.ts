import { formatAddress } from "./address.ts";
import type { TransportAddress, TransportProtocol } from "./address.ts";
import type { TraceSink } from "./trace.ts";

/** One whole SIP message as received (a datagram, a framed stream message, a WebSocket message). */
export interface IncomingPacket {
  bytes: Buffer;
  protocol: TransportProtocol;
  local: TransportAddress;
  remote: TransportAddress;
  /** Connection it arrived on (connection-oriented transports only), for sending the response back on it. */
  connectionId?: string;
}

export interface SendOptions {
  /** RFC 3261 18.2.2: send on this connection (the one the request arrived on) if it is still open. */
  connectionId?: string;
}

/** The transport layer of RFC 3261 18, working on raw bytes. */
export interface SipTransport {
  readonly protocol: TransportProtocol;
  /** Bound address (the actual port when 0 was asked). */
  readonly local: TransportAddress;
  /**
   * Sends one message. Stream transports reuse the connection given by connectionId, else an
   * open connection to `remote`, else connect. Rejects with a TransportError on failure (the
   * failure is also reported to onError handlers).
   */
  send(bytes: Buffer, remote: TransportAddress, opts?: SendOptions): Promise<void>;
  /**
   * Sends one message as send() does, without a promise: a failure is given to `failed` (always
   * later, never during the call). A transport without it is used through send().
   */
  post?(bytes: Buffer, remote: TransportAddress, failed: (error: TransportError) => void): void;
  onPacket(handler: (packet: IncomingPacket) => void): void;
  /** Framing, connection and socket errors; never thrown from event handlers. */
  onError(handler: (error: TransportError) => void): void;
  /** Idempotent; closes every socket and connection. */
  close(): Promise<void>;
}

export type TransportErrorCode =
  | "bind" // could not listen / bind
  | "connect" // could not establish a connection
  | "send" // a send failed
  | "socket" // an established socket failed
  | "framing" // RFC 3261 18.3: unframeable stream data, connection closed
  | "handshake" // TLS or WebSocket handshake refused or failed (incoming)
  | "closed" // the transport is closed
  | "handler"; // an onPacket handler threw

export interface TransportErrorDetails {
  code: TransportErrorCode;
  protocol: TransportProtocol;
  remote?: TransportAddress;
  local?: TransportAddress;
  connectionId?: string;
  cause?: unknown;
}

export class TransportError extends Error {
  readonly code: TransportErrorCode;
  readonly protocol: TransportProtocol;
  readonly remote: TransportAddress | undefined;
  readonly local: TransportAddress | undefined;
  readonly connectionId: string | undefined;

  constructor(message: string, details: TransportErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "TransportError";
    this.code = details.code;
    this.protocol = details.protocol;
    this.remote = details.remote;
    this.local = details.local;
    this.connectionId = details.connectionId;
  }
}

/** Message text "<what> <address>: <cause>" for a TransportError. */
export function describeFailure(what: string, remote: TransportAddress | undefined, cause: unknown): string {
  const where = remote === undefined ? "" : ` ${formatAddress(remote)}`;
  const why = cause instanceof Error ? cause.message : cause === undefined ? "" : typeof cause === "string" ? cause : JSON.stringify(cause);
  return `${what}${where}${why === "" ? "" : `: ${why}`}`;
}

/** Options common to every transport. */
export interface TransportBaseOptions {
  /** Address to bind/listen on ("0.0.0.0", "::", "127.0.0.1", ...). */
  host: string;
  /** Port to bind/listen on; 0 picks an ephemeral port. */
  port: number;
  /** Where every sent and received message is reported; null or absent: not recorded. */
  trace?: TraceSink | null;
}

/**
 * Resolves after the event loop's close phase, when handles whose close was started have
 * really been released (libuv runs close callbacks after the check phase).
 */
export function afterPendingCloses(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

export {
  addressKey,
  defaultPort,
  formatAddress,
  formatHost,
  ipFamily,
  isReliable,
  isWildcardHost,
  TRANSPORT_PROTOCOLS,
  unbracketHost,
  viaTransportToken,
} from "./address.ts";
export type { TransportAddress, TransportProtocol } from "./address.ts";
export { nullTraceSink, Trace, traceTime } from "./trace.ts";
export type { TraceEntry, TraceListener, TraceOptions, TraceSink } from "./trace.ts";
export {
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_HEADER_BYTES,
  FramingError,
  StreamFramer,
} from "./stream-framer.ts";
export type { FramingErrorCode, KeepAliveKind, StreamFramerHandlers, StreamFramerOptions } from "./stream-framer.ts";
export { TransportError } from "./transport.ts";
export type {
  IncomingPacket,
  SendOptions,
  SipTransport,
  TransportBaseOptions,
  TransportErrorCode,
  TransportErrorDetails,
} from "./transport.ts";
export { ConnectionTransport } from "./connection-transport.ts";
export type { ConnectionInfo, ConnectionState, ConnectionTransportOptions } from "./connection-transport.ts";
export { StreamTransport } from "./stream-transport.ts";
export type { StreamSocketFactory, StreamTransportOptions } from "./stream-transport.ts";
export { createUdpTransport, DEFAULT_UDP_BUFFER_SIZE, UdpTransport } from "./udp-transport.ts";
export type { UdpTransportOptions } from "./udp-transport.ts";
export { createTcpTransport, tcpSocketFactory } from "./tcp-transport.ts";
export type { TcpTransportOptions } from "./tcp-transport.ts";
export { createTlsTransport, tlsSocketFactory } from "./tls-transport.ts";
export type { TlsSettings, TlsTransportOptions } from "./tls-transport.ts";
export { createWsTransport, SIP_SUBPROTOCOL, WsTransport } from "./ws-transport.ts";
export type { WsTransportOptions } from "./ws-transport.ts";
export { createTransport } from "./transport-factory.ts";
export type { CreateTransportOptions } from "./transport-factory.ts";

import type { SipTransport } from "./transport.ts";
import { createTcpTransport } from "./tcp-transport.ts";
import type { TcpTransportOptions } from "./tcp-transport.ts";
import { createTlsTransport } from "./tls-transport.ts";
import type { TlsTransportOptions } from "./tls-transport.ts";
import { createUdpTransport } from "./udp-transport.ts";
import type { UdpTransportOptions } from "./udp-transport.ts";
import { createWsTransport } from "./ws-transport.ts";
import type { WsTransportOptions } from "./ws-transport.ts";

export type CreateTransportOptions =
  | ({ protocol: "udp" } & UdpTransportOptions)
  | ({ protocol: "tcp" } & TcpTransportOptions)
  | ({ protocol: "tls" } & TlsTransportOptions)
  | ({ protocol: "ws" } & Omit<WsTransportOptions, "secure">)
  | ({ protocol: "wss" } & Omit<WsTransportOptions, "secure">);

/** Creates a transport of the given protocol; resolves once it is bound / listening. */
export function createTransport(options: CreateTransportOptions): Promise<SipTransport> {
  switch (options.protocol) {
    case "udp":
      return createUdpTransport(options);
    case "tcp":
      return createTcpTransport(options);
    case "tls":
      return createTlsTransport(options);
    case "ws":
      return createWsTransport({ ...options, secure: false });
    case "wss":
      return createWsTransport({ ...options, secure: true });
  }
}

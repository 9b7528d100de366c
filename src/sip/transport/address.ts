import { isIPv4, isIPv6 } from "node:net";

/** A transport-layer endpoint: IP address (or host name) and port. */
export interface TransportAddress {
  host: string;
  port: number;
}

/** RFC 3261 18 / RFC 7118: the transports a SIP element may use. */
export type TransportProtocol = "udp" | "tcp" | "tls" | "ws" | "wss";

export const TRANSPORT_PROTOCOLS: readonly TransportProtocol[] = ["udp", "tcp", "tls", "ws", "wss"];

/** Strips the brackets of a bracketed IPv6 reference ("[::1]" -> "::1"). */
export function unbracketHost(host: string): string {
  return host.length > 1 && host.charCodeAt(0) === 0x5b && host.charCodeAt(host.length - 1) === 0x5d ? host.slice(1, -1) : host;
}

/** RFC 3986 3.2.2 / RFC 3261 25.1 hostport: an IPv6 address is written in brackets. */
export function formatHost(host: string): string {
  const bare = unbracketHost(host);
  return bare.includes(":") ? `[${bare}]` : bare;
}

/** "host:port", with an IPv6 host in brackets ("[::1]:5060"). */
export function formatAddress(address: TransportAddress): string {
  return `${formatHost(address.host)}:${address.port}`;
}

/**
 * Canonical form of an address for connection tables: brackets removed, lower case,
 * IPv4-mapped IPv6 ("::ffff:127.0.0.1") folded to plain IPv4 so that a dual-stack
 * socket's view of a peer matches the address the peer was reached at.
 */
export function addressKey(address: TransportAddress): string {
  let host = unbracketHost(address.host).toLowerCase();
  if (host.startsWith("::ffff:") && isIPv4(host.slice(7))) host = host.slice(7);
  return `${host.includes(":") ? `[${host}]` : host}:${address.port}`;
}

/** 4 or 6 for an IP literal, 0 for a host name. */
export function ipFamily(host: string): 0 | 4 | 6 {
  const bare = unbracketHost(host);
  if (isIPv4(bare)) return 4;
  if (isIPv6(bare)) return 6;
  return 0;
}

/** The wildcard ("any") addresses a transport may be bound to. */
export function isWildcardHost(host: string): boolean {
  const bare = unbracketHost(host);
  return bare === "0.0.0.0" || bare === "::" || bare === "";
}

/**
 * RFC 3261 17.1.1.2 / 17.1.2.2: Timers A and E (request retransmission) only run
 * over unreliable transports; TCP, TLS and WebSocket (RFC 7118 5) are reliable.
 */
export function isReliable(protocol: TransportProtocol): boolean {
  return protocol !== "udp";
}

/** RFC 3261 20.42 / RFC 7118 5.2: the transport token of a Via header. */
export function viaTransportToken(protocol: TransportProtocol): "UDP" | "TCP" | "TLS" | "WS" | "WSS" {
  switch (protocol) {
    case "udp":
      return "UDP";
    case "tcp":
      return "TCP";
    case "tls":
      return "TLS";
    case "ws":
      return "WS";
    case "wss":
      return "WSS";
  }
}

/** RFC 3261 19.1.2: default port when a URI carries none (5061 for TLS/SIPS). */
export function defaultPort(protocol: TransportProtocol): number {
  switch (protocol) {
    case "udp":
    case "tcp":
      return 5060;
    case "tls":
      return 5061;
    case "ws":
      return 80;
    case "wss":
      return 443;
  }
}

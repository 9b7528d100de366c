// RFC 3261 18.1.1 and 18.2.2 (with RFC 3581): where requests and responses are sent.
import { type SipRequest, type Via, formatVia, isSipUri, isViaError, paramValue, parseVia, splitHeaderValues, viaRport, withParam } from "../message/index.ts";
import { type TransportProtocol, viaTransportToken } from "../transport/address.ts";

/** A peer as the transport layer sees it: protocol, address and, on streams, the connection. */
export interface Destination {
  readonly protocol: TransportProtocol;
  readonly host: string;
  readonly port: number;
  /** RFC 3261 18.2.2: a response goes back on the connection its request arrived on. */
  readonly connectionId?: string;
}

export function formatDestination(d: Destination): string {
  const host = d.host.includes(":") && !d.host.startsWith("[") ? `[${d.host}]` : d.host;
  return `${d.protocol.toUpperCase()} ${host}:${d.port}`;
}

const DEFAULT_PORT: Record<TransportProtocol, number> = { udp: 5060, tcp: 5060, tls: 5061, ws: 80, wss: 443 };

/**
 * RFC 3261 18.2.2 and RFC 3581 4: responses over a stream go back on the request's connection;
 * over UDP to `received` (or sent-by) and to `rport` (or the sent-by port).
 */
export function responseDestination(topVia: Via, source: Destination): Destination {
  const protocol = source.protocol;
  const received = paramValue(topVia.params, "received");
  const host = received || stripBrackets(topVia.host);
  const rport = viaRport(topVia);
  const port = typeof rport === "number" ? rport : (topVia.port ?? DEFAULT_PORT[protocol]);
  return source.connectionId !== undefined ? { protocol, host, port, connectionId: source.connectionId } : { protocol, host, port };
}

/**
 * RFC 3261 18.2.1 and RFC 3581 4: the server stamps the top Via with the source address it saw, so
 * that responses find their way back through NAT.
 */
export function stampReceived(request: SipRequest, source: Destination): void {
  const first = request.headers.findIndex((h) => h.key === "via");
  if (first < 0) return;
  const line = request.headers[first];
  const values = splitHeaderValues(line.value);
  const via = parseVia(values[0] ?? "");
  if (isViaError(via)) return;
  const rport = viaRport(via);
  const needsReceived = stripBrackets(via.host) !== source.host;
  if (!needsReceived && rport !== "requested") return;
  let params = withParam(via.params, "received", source.host);
  if (rport === "requested") params = withParam(params, "rport", String(source.port));
  values[0] = formatVia({ ...via, params });
  request.headers[first] = { name: line.name, key: "via", value: values.join(", ") };
}

/** RFC 3261 18.1.1: the largest request sent over UDP when the path MTU is unknown. */
export const UNKNOWN_MTU_UDP_LIMIT = 1300;

/**
 * RFC 3261 18.1.1: the largest request that may go over UDP: one "within 200 bytes of the path MTU",
 * or "larger than 1300 bytes and the path MTU is unknown", MUST go over a congestion-controlled
 * transport (TCP). `pathMtu` undefined: unknown.
 */
export function udpRequestLimit(pathMtu?: number): number {
  return pathMtu === undefined ? UNKNOWN_MTU_UDP_LIMIT : pathMtu - 200;
}

/** RFC 3261 18.1.1 (RFC 2914): the transports with congestion control; only UDP has none. */
export function isCongestionControlled(protocol: TransportProtocol): boolean {
  return protocol !== "udp";
}

/**
 * RFC 3261 18.1.1: "If this causes a change in the transport protocol from the one indicated in the
 * top Via, the value in the top Via MUST be changed": the top Via's transport becomes `protocol`, and
 * its sent-by port `port` when given (the listener of that transport). Returns whether it changed.
 */
export function rewriteTopViaTransport(request: SipRequest, protocol: TransportProtocol, port?: number): boolean {
  const first = request.headers.findIndex((h) => h.key === "via");
  if (first < 0) return false;
  const line = request.headers[first];
  const values = splitHeaderValues(line.value);
  const via = parseVia(values[0] ?? "");
  if (isViaError(via)) return false;
  const transport = viaTransportToken(protocol);
  if (via.transport.toUpperCase() === transport && (port === undefined || via.port === port)) return false;
  values[0] = formatVia({ ...via, transport, ...(port !== undefined ? { port } : {}) });
  request.headers[first] = { name: line.name, key: "via", value: values.join(", ") };
  return true;
}

/**
 * RFC 3261 8.1.2 and 16.12 (loose routing): the next hop is the first Route if present, otherwise the
 * Request-URI. No DNS (RFC 3263) here: hosts are literal addresses or names the OS resolves.
 */
export function nextHop(request: SipRequest, fallbackProtocol: TransportProtocol): Destination | undefined {
  const route = request.nameAddrs("route")[0];
  const uri = route ? route.uri : request.uri;
  if (!isSipUri(uri)) return undefined;
  const transport = paramValue(uri.params, "transport")?.toLowerCase();
  const protocol = transport === "udp" || transport === "tcp" || transport === "tls" || transport === "ws" || transport === "wss" ? transport : uri.scheme === "sips" ? "tls" : fallbackProtocol;
  return { protocol, host: stripBrackets(paramValue(uri.params, "maddr") || uri.host), port: uri.port ?? DEFAULT_PORT[protocol] };
}

export function stripBrackets(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

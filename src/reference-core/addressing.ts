// How the reference core names itself and reaches its peers: its own URIs (P-CSCF URI,
// Service-Route, Record-Route, Contact), whether a URI points at it (RFC 3261 16.4 loose routing),
// and where a request for a URI goes (RFC 3261 16.6 item 6, 18.1.1), remembering the transport each
// UE registered with and, for WebSocket clients (RFC 7118 5), the connection their contact is
// reached through.
import type { Destination } from "../sip/endpoint/index.ts";
import { type Uri, isSipUri, paramValue, type SipUri } from "../sip/message/index.ts";
import { type TransportProtocol, formatHost, unbracketHost } from "../sip/transport/address.ts";

const DEFAULT_PORT: Record<TransportProtocol, number> = { udp: 5060, tcp: 5060, tls: 5061, ws: 80, wss: 443 };
const PROTOCOLS: ReadonlySet<string> = new Set(["udp", "tcp", "tls", "ws", "wss"]);

/** RFC 7118: the transports whose clients are reached through the connection they opened, never at their Contact. */
export function isWebSocket(protocol: TransportProtocol): boolean {
  return protocol === "ws" || protocol === "wss";
}

export interface AddressingOptions {
  /** The ports of the core's WebSocket listeners (RFC 7118): a URI with one of them points at the core too. */
  readonly webSocketPorts?: { readonly ws?: number; readonly wss?: number };
  /** Whether requests for a WebSocket contact go down its flow (false: the fault ignore-ws-flow). */
  readonly useFlows?: () => boolean;
}

export class CoreAddressing {
  /** contact host:port -> the transport the UE registered (or subscribed) over. */
  private readonly transports = new Map<string, TransportProtocol>();
  /** RFC 7118 5: WebSocket contact host:port -> the connection it was seen on last. */
  private readonly flows = new Map<string, Destination>();
  private readonly ownPorts: ReadonlySet<number>;
  private readonly webSocketPorts: { readonly ws?: number; readonly wss?: number };
  private readonly useFlows: () => boolean;

  constructor(
    readonly domain: string,
    readonly host: string,
    readonly port: number,
    options: AddressingOptions = {},
  ) {
    this.webSocketPorts = options.webSocketPorts ?? {};
    this.ownPorts = new Set([port, ...[this.webSocketPorts.ws, this.webSocketPorts.wss].filter((p): p is number => p !== undefined)]);
    this.useFlows = options.useFlows ?? (() => true);
  }

  private get hostport(): string {
    return `${formatHost(this.host)}:${this.port}`;
  }

  /** TS 24.229 5.1.2A.1.1: the P-CSCF URI the UE puts first in its preloaded Route. */
  get pcscfUri(): string {
    return `sip:${this.hostport};lr`;
  }

  /** TS 24.229 5.4.1.2.2: the Service-Route of the S-CSCF, marked for the originating case. */
  get serviceRoute(): string {
    return `<sip:orig@${this.hostport};lr>`;
  }

  /** RFC 3261 16.6 item 4: the Record-Route the core adds to dialog-creating requests. */
  get recordRoute(): string {
    return `<sip:${this.hostport};lr>`;
  }

  /** The core's Contact in dialogs it is an endpoint of (reg event subscriptions). */
  contact(protocol: TransportProtocol): string {
    // RFC 7118: a WebSocket listener has a port of its own
    const ws = protocol === "ws" || protocol === "wss" ? this.webSocketPorts[protocol] : undefined;
    const hostport = ws === undefined ? this.hostport : `${formatHost(this.host)}:${ws}`;
    return `<sip:${hostport}${protocol === "udp" ? "" : `;transport=${protocol}`}>`;
  }

  /** RFC 3261 16.4: a Route (or Request-URI) pointing at this core: its address and port. */
  isOwnAddress(uri: Uri): boolean {
    if (!isSipUri(uri)) return false;
    const host = unbracketHost(paramValue(uri.params, "maddr") || uri.host).toLowerCase();
    const port = uri.port ?? 5060;
    return host === unbracketHost(this.host).toLowerCase() && this.ownPorts.has(port);
  }

  /** A Via sent-by naming one of the core's listening addresses (a response's top Via that the core put there). */
  isOwnViaAddress(host: string, port: number): boolean {
    return unbracketHost(host).toLowerCase() === unbracketHost(this.host).toLowerCase() && this.ownPorts.has(port);
  }

  /** A Request-URI addressed to the core itself: no user part, and the home domain or its address. */
  isOwnTarget(uri: Uri): boolean {
    if (!isSipUri(uri) || uri.user !== undefined) return false;
    return this.isOwnAddress(uri) || (uri.host.toLowerCase() === this.domain.toLowerCase() && (uri.port === undefined || uri.port === this.port));
  }

  /** Remembers over which transport a contact was registered. */
  learn(uri: Uri, protocol: TransportProtocol): void {
    if (!isSipUri(uri)) return;
    this.transports.set(key(uri), protocol);
  }

  /**
   * RFC 7118 5: remembers the connection a WebSocket client's contact is reached through (the
   * REGISTER's, or that of a dialog-creating request or response carrying the Contact). Other
   * transports are left alone: their contacts are reachable as they are.
   */
  learnFlow(uri: Uri, flow: Destination): void {
    if (!isWebSocketContact(uri) || !isWebSocket(flow.protocol) || flow.connectionId === undefined) return;
    this.flows.set(key(uri), flow);
  }

  /**
   * RFC 3261 18.1.1 without DNS: the destination of a request whose next hop is `uri`: the
   * transport parameter, else the transport the contact registered with, else `fallback` (the
   * transport the request arrived on). A WebSocket contact is reached down its flow (RFC 7118 5).
   */
  destination(uri: Uri, fallback: TransportProtocol): Destination | undefined {
    if (!isSipUri(uri)) return undefined;
    const flow = isWebSocketContact(uri) ? this.flows.get(key(uri)) : undefined;
    if (flow && this.useFlows()) return flow;
    const t = paramValue(uri.params, "transport")?.toLowerCase();
    const protocol: TransportProtocol = t !== undefined && PROTOCOLS.has(t) ? (t as TransportProtocol) : (this.transports.get(key(uri)) ?? (uri.scheme === "sips" ? "tls" : fallback));
    return { protocol, host: unbracketHost(paramValue(uri.params, "maddr") || uri.host), port: uri.port ?? DEFAULT_PORT[protocol] };
  }
}

/** RFC 7118 5: a WebSocket client's Contact says transport=ws or wss (the only URIs looked up among the flows). */
function isWebSocketContact(uri: Uri): uri is SipUri {
  if (!isSipUri(uri)) return false;
  const t = paramValue(uri.params, "transport")?.toLowerCase();
  return t === "ws" || t === "wss";
}

function key(uri: SipUri): string {
  return `${unbracketHost(uri.host).toLowerCase()}:${uri.port ?? 5060}`;
}

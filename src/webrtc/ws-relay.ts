// The browser UE's WebSocket tap: the page's sip.js connects here (ws://127.0.0.1:port, or wss with
// a self-signed certificate when the server is wss); for each connection the relay opens its own
// WebSocket (subprotocol "sip", same scheme) to the SIP server and forwards every message both
// ways unchanged, recording each into the trace from the browser UE's point of view: "sent" toward
// the server, "received" from it, local = the relay's socket toward the server, remote = the
// server. The SUT thus sees the relay's address, and the ladder shows the browser there.
import { createServer as createHttpServer } from "node:http";
import type { IncomingMessage, Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { WebSocket, WebSocketServer } from "ws";
import type { RawData } from "ws";
import type { TransportAddress } from "../sip/transport/address.ts";
import { traceTime } from "../sip/transport/trace.ts";
import type { TraceSink } from "../sip/transport/trace.ts";
import { generateSelfSignedCertificate, spkiSha256 } from "../targets/certificate.ts";
import type { SelfSignedCertificate } from "../targets/certificate.ts";

const SIP_SUBPROTOCOL = "sip";

export interface WsRelayOptions {
  /** ws://host:port[/path] or wss://host:port[/path]: the SIP server. */
  server: string;
  /** For a wss server with a self-signed certificate: the base64 SHA-256 of its SPKI (the relay pins it). */
  trustSpkiSha256?: string;
  trace?: TraceSink;
  /** Called for every connection event and error (the BrowserUe's log). */
  log?: (line: string) => void;
}

let relayCertificate: Promise<SelfSignedCertificate> | undefined;

/** The relay's wss certificate for 127.0.0.1, made once per process. */
function certificateFor127(): Promise<SelfSignedCertificate> {
  relayCertificate ??= generateSelfSignedCertificate(["127.0.0.1"]).catch((error: unknown) => {
    relayCertificate = undefined;
    throw error;
  });
  return relayCertificate;
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/** The relay's connection to the server for one page connection. */
interface Upstream {
  socket: WebSocket;
  /** The relay's socket address toward the server. */
  local: TransportAddress;
  remote: TransportAddress;
  early: { data: Buffer; binary: boolean }[];
}

function normaliseSpki(value: string): string {
  const v = value.trim();
  return /^[0-9a-f]{64}$/i.test(v) ? Buffer.from(v, "hex").toString("base64") : v;
}

export class WsRelay {
  private readonly sockets = new Set<WebSocket>();
  /** Connections to the server opened for a page handshake not yet completed. */
  private readonly pending = new WeakMap<IncomingMessage, Upstream>();
  private closed = false;

  private constructor(
    private readonly http: Server,
    private readonly wss: WebSocketServer,
    /** ws://127.0.0.1:port or wss://127.0.0.1:port: what the page connects to. */
    readonly url: string,
    /** The relay's own certificate's SPKI hash when it listens on wss (for Chromium's flag). */
    readonly spkiSha256: string | undefined,
    private readonly options: WsRelayOptions,
    readonly protocol: "ws" | "wss",
  ) {}

  static async start(options: WsRelayOptions): Promise<WsRelay> {
    const target = new URL(options.server);
    if (target.protocol !== "ws:" && target.protocol !== "wss:") throw new Error(`server must be ws://host:port or wss://host:port, not ${options.server}`);
    const protocol = target.protocol === "wss:" ? "wss" : "ws";
    const certificate = protocol === "wss" ? await certificateFor127() : undefined;
    const http = certificate ? createHttpsServer({ key: certificate.key, cert: certificate.cert }) : createHttpServer();
    http.on("request", (_request, response) => {
      response.writeHead(426, { Upgrade: "websocket", Connection: "close" });
      response.end();
    });
    let relay: WsRelay | undefined;
    const wss = new WebSocketServer({
      server: http,
      perMessageDeflate: false,
      handleProtocols: (protocols) => (protocols.has(SIP_SUBPROTOCOL) ? SIP_SUBPROTOCOL : false),
      // The page's connection is accepted only once the relay's own connection to the server is
      // open, so that the browser sees the server's refusal as its own connection failing.
      verifyClient: (info, callback) => {
        if (!relay) return callback(false, 503, "relay starting");
        relay.connectUpstream(info.req, callback);
      },
    });
    await new Promise<void>((resolve, reject) => {
      http.once("error", reject);
      http.listen(0, "127.0.0.1", () => {
        http.off("error", reject);
        resolve();
      });
    });
    const { port } = http.address() as AddressInfo;
    const started = new WsRelay(http, wss, `${protocol}://127.0.0.1:${port}`, certificate?.spkiSha256, options, protocol);
    relay = started;
    wss.on("connection", (page, request) => started.accept(page, request));
    wss.on("error", (e) => started.log(`relay server error: ${e.message}`));
    return started;
  }

  private log(line: string): void {
    this.options.log?.(line);
  }

  /** Opens the relay's connection to the server for a page's handshake; accepts the handshake once it is open, refuses it (502) if it fails. */
  private connectUpstream(request: IncomingMessage, callback: (accept: boolean, code?: number, message?: string) => void): void {
    if (this.closed) return callback(false, 503, "relay closed");
    const secure = this.protocol === "wss";
    const pin = this.options.trustSpkiSha256 === undefined ? undefined : normaliseSpki(this.options.trustSpkiSha256);
    const target = new URL(this.options.server);
    const link: Upstream = {
      socket: new WebSocket(this.options.server, SIP_SUBPROTOCOL, {
        perMessageDeflate: false,
        // A pinned self-signed certificate is checked after the handshake (below), not against the CAs
        ...(secure && pin !== undefined ? { rejectUnauthorized: false } : {}),
      }),
      local: { host: "0.0.0.0", port: 0 },
      remote: { host: target.hostname.replace(/^\[|\]$/g, ""), port: Number(target.port) || (secure ? 443 : 80) },
      early: [],
    };
    const upstream = link.socket;
    this.sockets.add(upstream);
    let settled = false;
    const refuse = (why: string): void => {
      this.log(`relay: ${this.options.server}: ${why}`);
      if (settled) return;
      settled = true;
      this.sockets.delete(upstream);
      upstream.terminate();
      callback(false, 502, why.replace(/[\r\n]/g, " ").slice(0, 200));
    };
    upstream.once("upgrade", (response) => {
      const socket = response.socket;
      if (socket.localAddress !== undefined && socket.localPort !== undefined) link.local = { host: socket.localAddress, port: socket.localPort };
      if (socket.remoteAddress !== undefined && socket.remotePort !== undefined) link.remote = { host: socket.remoteAddress, port: socket.remotePort };
      if (secure && pin !== undefined) {
        const cert = (socket as TLSSocket).getPeerX509Certificate?.();
        const seen = cert ? spkiSha256(cert.toString()) : "none";
        if (seen !== pin) refuse(`the server presented a certificate with SPKI SHA-256 ${seen}, not the pinned ${pin}`);
      }
    });
    upstream.once("open", () => {
      if (settled) return;
      settled = true;
      this.log(`relay: ${this.options.server} open (local ${link.local.host}:${link.local.port})`);
      // Whatever the server sends before the page's socket is wired is kept for it
      upstream.on("message", (data, binary) => link.early.push({ data: toBuffer(data), binary }));
      this.pending.set(request, link);
      callback(true);
    });
    upstream.on("error", (e) => refuse(e.message));
    upstream.once("close", () => {
      if (!settled) refuse("closed during the handshake");
    });
  }

  private accept(page: WebSocket, request: IncomingMessage): void {
    const link = this.pending.get(request);
    this.pending.delete(request);
    if (this.closed || !link) {
      page.terminate();
      link?.socket.terminate();
      return;
    }
    this.sockets.add(page);
    const from = `${request.socket.remoteAddress ?? "?"}:${request.socket.remotePort ?? "?"}`;
    const upstream = link.socket;
    const { local, remote } = link;
    this.log(`relay: page ${from} connected`);
    const down = (bytes: Buffer, binary: boolean): void => {
      this.options.trace?.record({ time: traceTime(), direction: "received", protocol: this.protocol, local, remote, bytes });
      if (page.readyState === WebSocket.OPEN) page.send(bytes, { binary });
    };
    upstream.removeAllListeners("message");
    for (const m of link.early.splice(0)) down(m.data, m.binary);
    upstream.on("message", (data, binary) => down(toBuffer(data), binary));
    upstream.on("close", (code, reason) => {
      this.sockets.delete(upstream);
      this.log(`relay: ${this.options.server} closed (${code}${reason.length ? ` ${reason.toString()}` : ""})`);
      if (page.readyState === WebSocket.OPEN || page.readyState === WebSocket.CONNECTING) page.close(1000);
    });
    page.on("message", (data, binary) => this.forwardUp(upstream, toBuffer(data), binary, local, remote));
    page.on("close", () => {
      this.sockets.delete(page);
      this.log(`relay: page ${from} closed`);
      if (upstream.readyState === WebSocket.OPEN) upstream.close(1000);
      else if (upstream.readyState === WebSocket.CONNECTING) upstream.terminate();
    });
    page.on("error", (e) => this.log(`relay: page socket ${from}: ${e.message}`));
  }

  private forwardUp(upstream: WebSocket, bytes: Buffer, binary: boolean, local: TransportAddress, remote: TransportAddress): void {
    this.options.trace?.record({ time: traceTime(), direction: "sent", protocol: this.protocol, local, remote, bytes });
    if (upstream.readyState === WebSocket.OPEN) upstream.send(bytes, { binary });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.sockets) s.terminate();
    this.sockets.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
  }
}

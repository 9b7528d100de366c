// A SIP node on a raw UDP socket of 127.0.0.1 for tests that play another network's element by
// hand (a peer network's I-CSCF, a stranger): it keeps every message it receives and sends text as
// it is, so that a test controls every header.
import { createSocket, type Socket } from "node:dgram";
import type { TestContext } from "node:test";
import { parseMessage, type SipMessage, type SipRequest, type SipResponse, serializeMessage } from "../../src/sip/message/index.ts";

export interface Datagram {
  readonly message: SipMessage;
  readonly from: { readonly address: string; readonly port: number };
}

export class UdpNode {
  readonly received: Datagram[] = [];
  private readonly waiters = new Set<() => void>();

  private constructor(
    private readonly socket: Socket,
    readonly port: number,
    private readonly waitMs: number,
  ) {
    socket.on("message", (data, rinfo) => {
      const parsed = parseMessage(data);
      if (!parsed.ok) return;
      this.received.push({ message: parsed.message, from: { address: rinfo.address, port: rinfo.port } });
      for (const wake of [...this.waiters]) wake();
    });
  }

  /** A node on a free port; closed after the test `t` when given, else by close(). */
  static async bind(options: { t?: TestContext; waitMs?: number } = {}): Promise<UdpNode> {
    const socket = createSocket("udp4");
    await new Promise<void>((done, fail) => {
      socket.once("error", fail);
      socket.bind(0, "127.0.0.1", () => done());
    });
    const node = new UdpNode(socket, socket.address().port, options.waitMs ?? 5000);
    options.t?.after(() => node.close());
    return node;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  send(message: string | SipMessage, port: number): Promise<void> {
    const bytes = typeof message === "string" ? Buffer.from(message, "utf8") : serializeMessage(message);
    return new Promise((done, fail) => this.socket.send(bytes, port, "127.0.0.1", (e) => (e ? fail(e) : done())));
  }

  /** The first datagram received so far that matches (of retransmissions, the first), else the next one. */
  waitFor(what: string, match: (m: SipMessage) => boolean, timeoutMs = this.waitMs): Promise<Datagram> {
    const found = (): Datagram | undefined => this.received.find((d) => match(d.message));
    const now = found();
    if (now) return Promise.resolve(now);
    return new Promise((done, fail) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        fail(new Error(`${this.address}: no ${what} within ${timeoutMs} ms; received: ${this.received.map((d) => d.message.startLine()).join(" | ") || "nothing"}`));
      }, timeoutMs);
      const check = (): void => {
        const d = found();
        if (!d) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        done(d);
      };
      this.waiters.add(check);
    });
  }

  /** The first request of `method` (of the call `callId`) to arrive, and where it came from. */
  async request(method: string, callId?: string): Promise<{ request: SipRequest; from: Datagram["from"] }> {
    const d = await this.waitFor(`${method}${callId ? ` (Call-ID ${callId})` : ""}`, (m) => m.kind === "request" && m.method === method && (callId === undefined || m.callId === callId));
    return { request: d.message as SipRequest, from: d.from };
  }

  async response(status: number, method: string, callId: string): Promise<SipResponse> {
    const d = await this.waitFor(`${status} to ${method} (Call-ID ${callId})`, (m) => m.kind === "response" && m.status === status && m.callId === callId && m.cseq.method === method);
    return d.message as SipResponse;
  }

  /** The first final response (>= 200) to `method` of the call. */
  async finalTo(method: string, callId: string): Promise<SipResponse> {
    const d = await this.waitFor(`a final response to ${method} (Call-ID ${callId})`, (m) => m.kind === "response" && m.status >= 200 && m.callId === callId && m.cseq.method === method);
    return d.message as SipResponse;
  }

  /** Every status received for the call (to look for challenges). */
  statuses(callId: string): number[] {
    return this.received.flatMap((d) => (d.message.kind === "response" && d.message.callId === callId ? [d.message.status] : []));
  }

  /**
   * An initial INVITE or MESSAGE of `caller` as another network's entry point sends it: its own Via,
   * a Record-Route (INVITE) and the caller's asserted identity.
   */
  initialRequest(method: "INVITE" | "MESSAGE", target: string, o: { caller: string; callId: string; branch: string; fromTag: string; pai?: string; sdp: string }): string {
    const body = method === "INVITE" ? o.sdp : "hello from network B";
    const user = /^sips?:([^@]+)@/.exec(o.caller)?.[1] ?? "peer";
    return [
      `${method} ${target} SIP/2.0`,
      `Via: SIP/2.0/UDP ${this.address};branch=z9hG4bK${o.branch};rport`,
      "Max-Forwards: 70",
      ...(method === "INVITE" ? [`Record-Route: <sip:${this.address};lr>`] : []),
      `From: <${o.caller}>;tag=${o.fromTag}`,
      `To: <${target}>`,
      `Call-ID: ${o.callId}`,
      `CSeq: 1 ${method}`,
      ...(method === "INVITE" ? [`Contact: <sip:${user}@${this.address}>`] : []),
      `P-Asserted-Identity: ${o.pai ?? `<${o.caller}>`}`,
      `Content-Type: ${method === "INVITE" ? "application/sdp" : "text/plain"}`,
      `Content-Length: ${Buffer.byteLength(body)}`,
      "",
      body,
    ].join("\r\n");
  }

  /** RFC 3261 17.1.1.3: the ACK for a non-2xx final response, on the INVITE's branch. */
  ack(requestUri: string, final: SipResponse, branch: string): string {
    return [
      `ACK ${requestUri} SIP/2.0`,
      `Via: SIP/2.0/UDP ${this.address};branch=z9hG4bK${branch};rport`,
      "Max-Forwards: 70",
      `From: ${final.header("from")}`,
      `To: ${final.header("to")}`,
      `Call-ID: ${final.callId}`,
      `CSeq: ${final.cseq.seq} ACK`,
      "Content-Length: 0",
      "",
      "",
    ].join("\r\n");
  }

  requests(): SipRequest[] {
    return this.received.flatMap((d) => (d.message.kind === "request" ? [d.message] : []));
  }

  close(): Promise<void> {
    return new Promise((done) => this.socket.close(() => done()));
  }
}

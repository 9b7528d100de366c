// A UDP relay for loss injection: the driver sends to the relay, the relay forwards to the peer
// (SIPp) and the peer's answers back, dropping the first copy of the messages a rule names, so
// that a test can watch Timer A/E/G retransmissions repair the loss (RFC 3261 17.1.1.2, 17.1.2.2).
import { type Socket, createSocket } from "node:dgram";

export interface DropRule {
  /** Matched against the start line, e.g. /^INVITE / or /^SIP\/2.0 200 .*\n.*CSeq: \d+ INVITE/s. */
  readonly match: RegExp;
  /** How many matching copies to drop (default 1: the first copy). */
  readonly count?: number;
  readonly direction: "to-peer" | "from-peer";
}

export interface RelayStats {
  readonly forwarded: number;
  /** Start lines of the dropped copies, in order. */
  readonly dropped: string[];
}

export class LossyRelay {
  private readonly remaining: number[];
  private client: { address: string; port: number } | undefined;
  readonly stats: { forwarded: number; dropped: string[] } = { forwarded: 0, dropped: [] };

  private constructor(
    private readonly socket: Socket,
    private readonly peer: { host: string; port: number },
    private readonly rules: readonly DropRule[],
  ) {
    this.remaining = rules.map((r) => r.count ?? 1);
    socket.on("message", (msg, rinfo) => this.onMessage(msg, rinfo));
  }

  static async start(peer: { host: string; port: number }, rules: readonly DropRule[]): Promise<LossyRelay> {
    const socket = createSocket("udp4");
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(0, "127.0.0.1", () => resolve());
    });
    return new LossyRelay(socket, peer, rules);
  }

  get port(): number {
    return this.socket.address().port;
  }

  private onMessage(msg: Buffer, rinfo: { address: string; port: number }): void {
    const fromPeer = rinfo.address === this.peer.host && rinfo.port === this.peer.port;
    if (!fromPeer) this.client = { address: rinfo.address, port: rinfo.port };
    const direction = fromPeer ? "from-peer" : "to-peer";
    const text = msg.toString("latin1");
    for (let i = 0; i < this.rules.length; i++) {
      const rule = this.rules[i];
      if (rule.direction === direction && this.remaining[i] > 0 && rule.match.test(text)) {
        this.remaining[i]--;
        this.stats.dropped.push(text.slice(0, text.indexOf("\r\n")));
        return;
      }
    }
    const to = fromPeer ? this.client : { address: this.peer.host, port: this.peer.port };
    if (!to) return;
    this.stats.forwarded++;
    this.socket.send(msg, to.port, to.address);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

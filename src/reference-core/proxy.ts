// The reference core as a transaction-stateful proxy (RFC 3261 16) between registered UEs: it
// forwards a prepared copy of each request, relays every response but 100 upstream, handles CANCEL
// hop by hop (16.10), forwards ACKs for 2xx and stray 2xx retransmissions statelessly (16.11).
import { createHash } from "node:crypto";
import type { Destination, Received } from "../sip/endpoint/index.ts";
import { formatDestination, responseDestination } from "../sip/endpoint/index.ts";
import { newTag } from "../sip/identifiers.ts";
import { SipRequest, type SipResponse, createResponse, isViaError, parseVia, viaBranch } from "../sip/message/index.ts";
import { type TransportProtocol, unbracketHost } from "../sip/transport/address.ts";
import type { CoreContext } from "./core-context.ts";
import { CSEQ_MISMATCH_METHODS, bumpCSeq, strip100relFromProvisional } from "./faults.ts";
import { copyResponse } from "./message-copy.ts";

/** The downstream side of a proxied INVITE, for CANCEL (RFC 3261 16.10). */
interface InviteBranch {
  readonly forwarded: SipRequest;
  readonly destination: Destination;
  provisional: boolean;
  final: boolean;
  cancelPending: boolean;
}

const PROTOCOLS: ReadonlySet<string> = new Set(["udp", "tcp", "tls", "ws", "wss"]);

export class StatefulProxy {
  /** Server INVITE transaction id -> its downstream branch. */
  private readonly branches = new Map<string, InviteBranch>();

  constructor(private readonly ctx: CoreContext) {
    ctx.endpoint.onStrayResponse((r) => this.relayStray(r));
  }

  /**
   * RFC 3261 16.6 item 8 and 16.7: sends `fwd` (the prepared copy of the received request) to
   * `destination` in a client transaction and relays its responses in the server transaction.
   */
  forward(rec: Received, fwd: SipRequest, destination: Destination): void {
    const { endpoint } = this.ctx;
    const upstream = rec.message as SipRequest;
    const server = rec.transaction;
    if (!server) throw new Error(`${upstream.method} has no server transaction to relay responses in`);
    fwd.prependHeader("Via", endpoint.via(destination.protocol));
    let branch: InviteBranch | undefined;
    if (fwd.method === "INVITE") {
      // RFC 3261 16.2: a stateful proxy answers an INVITE with 100 Trying at once
      endpoint.reply(rec, 100);
      branch = { forwarded: fwd, destination, provisional: false, final: false, cancelPending: false };
      this.branches.set(server.id, branch);
      server.onTerminated(() => this.branches.delete(server.id));
    }
    let finalRelayed = false;
    const what = `${fwd.method} ${fwd.uriText} to ${formatDestination(destination)}`;
    this.ctx.log(`forwarded ${what}`);
    endpoint.send(fwd, destination, {
      onResponse: (r) => {
        // RFC 3261 16.7 item 5: 100 Trying is not forwarded upstream
        if (r.status === 100) return;
        if (branch) {
          if (r.status < 200) {
            branch.provisional = true;
            if (branch.cancelPending) this.sendCancel(branch);
          } else branch.final = true;
        }
        if (r.status >= 200) finalRelayed = true;
        server.respond(this.upstreamResponse(r));
      },
      onTimeout: () => {
        if (finalRelayed) return;
        // RFC 3261 16.8: a timed-out branch counts as a 408
        this.ctx.log(`no final response to ${what}: 408 upstream`);
        if (branch) branch.final = true;
        server.respond(createResponse(upstream, 408, { toTag: newTag() }));
      },
      onTransportError: (e) => {
        if (finalRelayed) return;
        // RFC 3261 16.9: a transport error counts as a 503
        this.ctx.log(`transport error on ${what}: ${e.message}; 503 upstream`);
        if (branch) branch.final = true;
        server.respond(createResponse(upstream, 503, { toTag: newTag() }));
      },
    });
  }

  /** RFC 3261 16.11: forwards without a transaction (the ACK for a 2xx), with a stable branch. */
  forwardStateless(rec: Received, fwd: SipRequest, destination: Destination): void {
    const upstream = rec.message as SipRequest;
    const seed = `${upstream.branch ?? ""}|${upstream.method}|${upstream.callId}|${upstream.cseq.seq}`;
    const branch = `z9hG4bK${createHash("sha256").update(seed).digest("hex").slice(0, 24)}`;
    fwd.prependHeader("Via", this.ctx.endpoint.via(destination.protocol, branch));
    this.ctx.log(`forwarded ${fwd.method} ${fwd.uriText} to ${formatDestination(destination)} (stateless)`);
    this.ctx.endpoint.sendStateless(fwd, destination).catch((e: unknown) => this.ctx.log(`could not forward ${fwd.method} to ${formatDestination(destination)}: ${e instanceof Error ? e.message : String(e)}`));
  }

  /**
   * RFC 3261 16.10: a CANCEL is answered 200 by this hop and, when the INVITE it refers to has
   * no final response yet, a CANCEL goes down the INVITE's branch (once a provisional has arrived,
   * RFC 3261 9.1). The 487 comes back in the INVITE transaction and is relayed.
   */
  cancel(rec: Received, cancel: SipRequest): void {
    const { endpoint } = this.ctx;
    const invite = endpoint.transactions.findInviteFor(cancel);
    if (!invite) {
      endpoint.reply(rec, 481, { toTag: newTag() });
      this.ctx.log(`CANCEL ${cancel.uriText}: 481 (no INVITE transaction matches)`);
      return;
    }
    endpoint.reply(rec, 200);
    const branch = this.branches.get(invite.id);
    if (!branch || branch.final) {
      this.ctx.log(`CANCEL ${cancel.uriText}: 200 (the INVITE already has its final response)`);
      return;
    }
    if (branch.provisional) this.sendCancel(branch);
    else branch.cancelPending = true;
  }

  private sendCancel(branch: InviteBranch): void {
    branch.cancelPending = false;
    const fwd = branch.forwarded;
    // RFC 3261 9.1: Request-URI, Call-ID, From, To, CSeq number and top Via of the INVITE it cancels
    const c = new SipRequest("CANCEL", fwd.uriText);
    c.addHeader("Via", fwd.headerValues("via")[0]!);
    c.addHeader("Max-Forwards", 70);
    for (const route of fwd.headerValues("route")) c.addHeader("Route", route);
    c.addHeader("From", fwd.header("from")!);
    c.addHeader("To", fwd.header("to")!);
    c.addHeader("Call-ID", fwd.callId);
    c.addHeader("CSeq", `${fwd.cseq.seq} CANCEL`);
    this.ctx.log(`forwarded CANCEL ${c.uriText} to ${formatDestination(branch.destination)}`);
    this.ctx.endpoint.send(c, branch.destination, { onResponse: () => undefined, onTimeout: () => undefined, onTransportError: () => undefined });
  }

  /** RFC 3261 16.7 item 3: the response without our Via, with the faults in force applied. */
  private upstreamResponse(r: SipResponse): SipResponse {
    const up = copyResponse(r);
    up.removeFirstValue("via");
    const { faults } = this.ctx;
    const method = up.cseq.method;
    if (faults.has("no-100rel") && method === "INVITE" && up.status > 100 && up.status < 200 && (up.hasHeader("rseq") || up.optionTags("require").includes("100rel"))) {
      strip100relFromProvisional(up);
      this.ctx.log(`fault no-100rel: ${up.status} (INVITE) relayed without Require: 100rel and RSeq`);
    }
    if (faults.has("cseq-mismatch-in-response") && CSEQ_MISMATCH_METHODS.has(method)) {
      const seq = up.cseq.seq;
      bumpCSeq(up);
      this.ctx.log(`fault cseq-mismatch-in-response: ${up.status} (${method}) relayed with CSeq ${seq + 1} instead of ${seq}`);
    }
    return up;
  }

  /**
   * RFC 3261 16.7 / 16.11 and RFC 6026 7.2: a response that matches no client transaction (a 2xx
   * retransmission after Timer M) is relayed statelessly by the Via below ours.
   */
  private relayStray(r: SipResponse): boolean {
    const vias = r.headerValues("via");
    const ours = vias[0] === undefined ? undefined : parseVia(vias[0]);
    const local = this.ctx.addressing;
    if (!ours || isViaError(ours) || unbracketHost(ours.host) !== unbracketHost(local.host) || (ours.port ?? 5060) !== local.port || vias.length < 2) {
      this.ctx.log(`dropped a stray ${r.status} (${r.cseq.method}): its top Via is not the core's`);
      return true;
    }
    const next = parseVia(vias[1]!);
    if (isViaError(next) || viaBranch(next) === undefined) return true;
    const transport = next.transport.toLowerCase();
    const protocol = (PROTOCOLS.has(transport) ? transport : "udp") as TransportProtocol;
    const destination = responseDestination(next, { protocol, host: unbracketHost(next.host), port: next.port ?? 5060 });
    const up = this.upstreamResponse(r);
    this.ctx.log(`relayed a stray ${r.status} (${r.cseq.method}) to ${formatDestination(destination)} (stateless)`);
    this.ctx.endpoint.sendStateless(up, destination).catch(() => undefined);
    return true;
  }
}

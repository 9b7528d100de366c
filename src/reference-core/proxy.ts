// The reference core as a transaction-stateful proxy (RFC 3261 16) between registered UEs: it
// forwards a prepared copy of each request, relays every response but 100 upstream, handles CANCEL
// hop by hop (16.10), forwards ACKs for 2xx and stray 2xx retransmissions statelessly (16.11).
import { createHash } from "node:crypto";
import type { Destination, Received } from "../sip/endpoint/index.ts";
import type { ServerTransaction } from "../sip/transaction/index.ts";
import { formatDestination, responseDestination } from "../sip/endpoint/index.ts";
import { newTag } from "../sip/identifiers.ts";
import { SipRequest, type SipResponse, createResponse, isViaError, parseVia, serializeMessage, viaBranch } from "../sip/message/index.ts";
import { type TransportProtocol, unbracketHost } from "../sip/transport/address.ts";
import { isWebSocket } from "./addressing.ts";
import type { CoreContext } from "./core-context.ts";
import { CSEQ_MISMATCH_METHODS, bumpCSeq, strip100relFromProvisional, stripTelephoneEvent, unholdAnswer } from "./faults.ts";
import { copyResponse } from "./message-copy.ts";

/** One downstream branch of a proxied request (RFC 3261 16.7), for CANCEL (16.10). */
interface Branch {
  readonly forwarded: SipRequest;
  readonly destination: Destination;
  provisional: boolean;
  final: boolean;
  cancelPending: boolean;
}

/** RFC 3261 16.7: the response context of one server transaction and its branches. */
interface ResponseContext {
  readonly upstream: SipRequest;
  readonly server: ServerTransaction;
  readonly branches: Branch[];
  /** The best final non-2xx so far (16.7 step 6); synthetic ones (408, 503) are already upstream-shaped. */
  best: { response: SipResponse; synthetic: boolean } | undefined;
  finalRelayed: boolean;
}

export interface ForwardTarget {
  readonly request: SipRequest;
  readonly destination: Destination;
}

const PROTOCOLS: ReadonlySet<string> = new Set(["udp", "tcp", "tls", "ws", "wss"]);

export class StatefulProxy {
  /** Server INVITE transaction id -> its response context. */
  private readonly contexts = new Map<string, ResponseContext>();

  constructor(private readonly ctx: CoreContext) {
    ctx.endpoint.onStrayResponse((r) => this.relayStray(r));
  }

  /** RFC 3261 16.6 item 8: sends `fwd` (the prepared copy of the received request) to one destination. */
  forward(rec: Received, fwd: SipRequest, destination: Destination): void {
    this.fork(rec, [{ request: fwd, destination }]);
  }

  /**
   * RFC 3261 16.6 and 16.7: forwards one prepared copy per target in its own client transaction
   * (parallel forking when a user has several contacts) and relays responses in the server transaction.
   */
  fork(rec: Received, targets: readonly ForwardTarget[]): void {
    const { endpoint } = this.ctx;
    const upstream = rec.message as SipRequest;
    const server = rec.transaction;
    if (!server) throw new Error(`${upstream.method} has no server transaction to relay responses in`);
    const rc: ResponseContext = { upstream, server, branches: [], best: undefined, finalRelayed: false };
    if (upstream.method === "INVITE") {
      // RFC 3261 16.2: a stateful proxy answers an INVITE with 100 Trying at once
      endpoint.reply(rec, 100);
      this.contexts.set(server.id, rc);
      server.onTerminated(() => this.contexts.delete(server.id));
    }
    for (const t of targets) {
      t.request.prependHeader("Via", endpoint.via(t.destination.protocol));
      const destination = this.transportFor(t.request, t.destination);
      const branch: Branch = { forwarded: t.request, destination, provisional: false, final: false, cancelPending: false };
      rc.branches.push(branch);
    }
    for (const branch of rc.branches) {
      const what = `${branch.forwarded.method} ${branch.forwarded.uriText} to ${formatDestination(branch.destination)}`;
      this.ctx.log(`forwarded ${what}${rc.branches.length > 1 ? ` (branch ${rc.branches.indexOf(branch) + 1} of ${rc.branches.length})` : ""}`);
      endpoint.send(
        branch.forwarded,
        branch.destination,
        {
          onResponse: (r) => this.onResponse(rc, branch, r),
          // RFC 3261 16.8 and 16.9: a timed-out branch counts as 408, a transport error as 503
          onTimeout: () => {
            this.ctx.log(`no final response to ${what}: counts as 408`);
            this.onFinal(rc, branch, createResponse(upstream, 408, { toTag: newTag() }), false);
          },
          onTransportError: (e) => {
            this.ctx.log(`transport error on ${what}: ${e.message}; counts as 503`);
            this.onFinal(rc, branch, createResponse(upstream, 503, { toTag: newTag() }), false);
          },
        },
        { keepTransport: true },
      );
    }
  }

  /**
   * RFC 3261 18.1.1, TS 24.229 4.2A: a request too large for UDP (over 1300 bytes, the path MTU being
   * unknown) goes over TCP to the same host and port, its top Via saying so; the fault
   * large-message-over-udp sends it over UDP anyway.
   */
  private transportFor(fwd: SipRequest, destination: Destination): Destination {
    const { endpoint, faults } = this.ctx;
    if (!faults.has("large-message-over-udp")) return endpoint.transportFor(fwd, destination);
    const size = serializeMessage(fwd).length;
    if (destination.protocol === "udp" && size > endpoint.udpLimit) this.ctx.log(`fault large-message-over-udp: ${fwd.method} ${fwd.uriText} (${size} bytes) sent over UDP, not TCP`);
    return destination;
  }

  private onResponse(rc: ResponseContext, branch: Branch, r: SipResponse): void {
    // RFC 3261 16.7 item 5: 100 Trying is not forwarded upstream
    if (r.status === 100) return;
    // RFC 7118 5: a WebSocket callee's Contact (the target of the dialog's later requests) is reached down this branch's flow
    if (isWebSocket(branch.destination.protocol) && r.status < 300 && r.hasHeader("contact")) {
      try {
        const contact = r.nameAddrs("contact")[0];
        if (contact) this.ctx.addressing.learnFlow(contact.uri, branch.destination);
      } catch {
        // a Contact that does not parse: the dialog's requests fail where they are routed
      }
    }
    if (r.status < 200) {
      branch.provisional = true;
      if (branch.cancelPending) this.sendCancel(branch);
      if (!rc.finalRelayed) rc.server.respond(this.upstreamResponse(r));
      return;
    }
    this.onFinal(rc, branch, r, true);
  }

  private onFinal(rc: ResponseContext, branch: Branch, r: SipResponse, fromDownstream: boolean): void {
    if (branch.final && !(r.status < 300 && fromDownstream)) return;
    branch.final = true;
    if (r.status >= 200 && r.status < 300) {
      // RFC 3261 16.7 step 5: only an INVITE's 2xx responses all go upstream; a non-INVITE
      // transaction takes one final response, so a second 2xx of a forked MESSAGE stays here
      if (rc.finalRelayed && rc.upstream.method !== "INVITE") return;
      // RFC 3261 16.7 step 5: every 2xx goes upstream at once; step 10: the other branches are cancelled
      rc.finalRelayed = true;
      rc.server.respond(this.upstreamResponse(r));
      for (const b of rc.branches) {
        if (b === branch || b.final || b.forwarded.method !== "INVITE") continue;
        if (b.provisional) this.sendCancel(b);
        else b.cancelPending = true;
      }
      return;
    }
    // RFC 3261 16.7 step 6: keep the best final response until every branch has one
    if (!rc.best || rank(r.status) < rank(rc.best.response.status)) rc.best = { response: r, synthetic: !fromDownstream };
    if (rc.finalRelayed || rc.branches.some((b) => !b.final)) return;
    rc.finalRelayed = true;
    rc.server.respond(rc.best.synthetic ? rc.best.response : this.upstreamResponse(rc.best.response));
  }
  /** RFC 3261 16.11: forwards without a transaction (the ACK for a 2xx), with a stable branch. */
  forwardStateless(rec: Received, fwd: SipRequest, destination: Destination): void {
    const upstream = rec.message as SipRequest;
    const seed = `${upstream.branch ?? ""}|${upstream.method}|${upstream.callId}|${upstream.cseq.seq}`;
    const branch = `z9hG4bK${createHash("sha256").update(seed).digest("hex").slice(0, 24)}`;
    fwd.prependHeader("Via", this.ctx.endpoint.via(destination.protocol, branch));
    this.ctx.log(`forwarded ${fwd.method} ${fwd.uriText} to ${formatDestination(destination)} (stateless)`);
    this.ctx.endpoint
      .sendStateless(fwd, destination)
      .catch((e: unknown) => this.ctx.log(`could not forward ${fwd.method} to ${formatDestination(destination)}: ${e instanceof Error ? e.message : String(e)}`));
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
    // RFC 3261 8.2.6.2: the 200 a hop generates carries a To tag of its own
    if (this.ctx.faults.has("no-to-tag-on-cancel-200")) {
      endpoint.reply(rec, 200);
      this.ctx.log(`fault no-to-tag-on-cancel-200: 200 (CANCEL) without To tag`);
    } else endpoint.reply(rec, 200, { toTag: newTag() });
    const rc = this.contexts.get(invite.id);
    const open = rc?.branches.filter((b) => !b.final) ?? [];
    if (open.length === 0) {
      this.ctx.log(`CANCEL ${cancel.uriText}: 200 (the INVITE already has its final response)`);
      return;
    }
    for (const b of open) {
      if (b.provisional) this.sendCancel(b);
      else b.cancelPending = true;
    }
  }

  private sendCancel(branch: Branch): void {
    branch.cancelPending = false;
    const fwd = branch.forwarded;
    // RFC 3261 9.1: Request-URI, Call-ID, From, To, CSeq number and top Via of the INVITE it cancels
    const c = new SipRequest("CANCEL", fwd.uriText);
    c.addHeader("Via", fwd.headerValues("via")[0]);
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
    // RFC 4028 8.2, 8.3: the session interval of a 2xx to INVITE or UPDATE (and the fault strip-session-expires)
    this.ctx.sessionTimers.response(r, up);
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
    if (faults.has("strip-p-early-media") && up.status < 200 && up.hasHeader("p-early-media")) {
      up.removeHeader("p-early-media");
      this.ctx.log(`fault strip-p-early-media: ${up.status} (${method}) relayed without P-Early-Media`);
    }
    if (faults.has("strip-telephone-event") && stripTelephoneEvent(up)) this.ctx.log(`fault strip-telephone-event: ${up.status} (${method}) relayed without telephone-event`);
    // a 2xx to a re-INVITE (CSeq above 1 in an established dialog) carrying a hold answer
    if (faults.has("wrong-hold-direction") && method === "INVITE" && up.status >= 200 && up.status < 300 && up.cseq.seq > 1 && unholdAnswer(up))
      this.ctx.log(`fault wrong-hold-direction: ${up.status} (INVITE) relayed with sendrecv instead of recvonly`);
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
    if (!ours || isViaError(ours) || !local.isOwnViaAddress(unbracketHost(ours.host), ours.port ?? 5060) || vias.length < 2) {
      this.ctx.log(`dropped a stray ${r.status} (${r.cseq.method}): its top Via is not the core's`);
      return true;
    }
    const next = parseVia(vias[1]);
    if (isViaError(next) || viaBranch(next) === undefined) return true;
    const transport = next.transport.toLowerCase();
    const protocol = (PROTOCOLS.has(transport) ? transport : "udp") as TransportProtocol;
    const destination = responseDestination(next, { protocol, host: unbracketHost(next.host), port: next.port ?? 5060 });
    const up = this.upstreamResponse(r);
    this.ctx.log(`relayed a stray ${r.status} (${r.cseq.method}) to ${formatDestination(destination)} (stateless)`);
    this.ctx.endpoint.sendStateless(up, destination).catch((e: unknown) => this.ctx.log(`could not relay the stray ${r.status}: ${e instanceof Error ? e.message : String(e)}`));
    return true;
  }
}

/** RFC 3261 16.7 step 6: a 6xx wins, otherwise the lowest status. */
function rank(status: number): number {
  return status >= 600 ? 0 : status;
}

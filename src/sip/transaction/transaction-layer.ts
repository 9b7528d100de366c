// RFC 3261 17: the table of live transactions, creating them for outgoing requests and new incoming
// requests, and handing each received message to the transaction it belongs to.
import { type Clock, systemClock } from "../clock.ts";
import { KeyedTable } from "../keyed-table.ts";
import type { SipMessage, SipRequest, SipResponse } from "../message/index.ts";
import type { ClientTransaction, ClientTransactionUser } from "./client-transaction.ts";
import type { IllegalEventListener, IllegalTransactionEvent } from "./illegal-event.ts";
import { InviteClientTransaction } from "./invite-client-transaction.ts";
import { InviteServerTransaction } from "./invite-server-transaction.ts";
import { LingerQueue } from "./linger-queue.ts";
import { NonInviteClientTransaction } from "./non-invite-client-transaction.ts";
import { NonInviteServerTransaction } from "./non-invite-server-transaction.ts";
import { RetiredTransactions } from "./retired-transactions.ts";
import type { ServerTransaction } from "./server-transaction.ts";
import { DEFAULT_TIMERS, type TimerSettings } from "./timer-settings.ts";
import { clientTransactionKey, serverTransactionKey } from "./transaction-key.ts";
import type { SendFn, TransactionContext } from "./transaction.ts";

export interface Flow {
  readonly send: SendFn;
  readonly reliable: boolean;
  /** The bytes of the request that arrived on this flow, when the endpoint gives them (see NonInviteServerTransaction). */
  readonly received?: Buffer | undefined;
}

export type IncomingRequestResult =
  /** A new request: a server transaction was created for it (none for ACK). */
  | { readonly kind: "new"; readonly transaction: ServerTransaction }
  /** RFC 3261 17.2.3: a retransmission or the ACK of a non-2xx, absorbed by its transaction. */
  | { readonly kind: "absorbed"; readonly transaction: ServerTransaction }
  /** The ACK of a 2xx, for the dialog: it matches no transaction (RFC 3261 17.2.1) or one in Accepted (RFC 6026 7.1). */
  | { readonly kind: "ack" };

export class TransactionLayer {
  readonly timers: TimerSettings;
  readonly clock: Clock;
  /**
   * RFC 3261 17.1.3: client transactions by method, then branch. Two look-ups of strings a message
   * already holds cost less than building and hashing "branch|method" for every response. The
   * tables that churn with every transaction are KeyedTables, not Maps (see there).
   */
  private readonly clients = new Map<string, KeyedTable<ClientTransaction>>();
  private readonly servers = new KeyedTable<ServerTransaction>();
  /** Every message from the network that a transaction's state had no transition for, in order. */
  readonly illegalEvents: IllegalTransactionEvent[] = [];
  private illegalListeners: IllegalEventListener[] = [];
  /** One listener shared by every transaction's context, not a closure per transaction. */
  private readonly reportIllegal: IllegalEventListener = (e) => this.illegal(e);

  /** The waits before Terminated of every transaction of this layer. */
  private readonly lingerQueue: LingerQueue;
  /** The context a transaction that sends nothing more keeps instead of its own. */
  private readonly quiet: TransactionContext;
  /** Client transactions that only absorb until they terminate, kept as bytes (issue 17). */
  private readonly retired: RetiredTransactions;

  constructor(options: { timers?: Partial<TimerSettings>; clock?: Clock } = {}) {
    this.timers = { ...DEFAULT_TIMERS, ...options.timers };
    this.clock = options.clock ?? systemClock;
    this.lingerQueue = new LingerQueue(this.clock);
    this.retired = new RetiredTransactions(this.clock, this.reportIllegal);
    this.quiet = { send: sendsNothing, reliable: false, timers: this.timers, clock: this.clock, onIllegalEvent: this.reportIllegal, lingerQueue: this.lingerQueue, retired: this.retired };
  }

  private context(flow: Flow): TransactionContext {
    return {
      send: flow.send,
      reliable: flow.reliable,
      timers: this.timers,
      clock: this.clock,
      onIllegalEvent: this.reportIllegal,
      lingerQueue: this.lingerQueue,
      quiet: this.quiet,
      retired: this.retired,
    };
  }

  /**
   * Tells `listener` of every message a transaction received in a state with no transition for it
   * (RFC 3261 17, RFC 6026 7): evidence about the peer. Misuse by the TU throws instead.
   */
  onIllegalEvent(listener: IllegalEventListener): () => void {
    this.illegalListeners = [...this.illegalListeners, listener];
    return () => {
      this.illegalListeners = this.illegalListeners.filter((l) => l !== listener);
    };
  }

  private illegal(event: IllegalTransactionEvent): void {
    this.illegalEvents.push(event);
    for (const l of this.illegalListeners) l(event);
  }

  /** Starts a client transaction; the request must carry its top Via with a unique branch. */
  sendRequest(request: SipRequest, flow: Flow, user: ClientTransactionUser): ClientTransaction {
    const branch = request.branch;
    if (!branch) throw new Error(`${request.method} has no Via branch: a client transaction needs one (RFC 3261 8.1.1.7)`);
    const method = request.method;
    let byBranch = this.clients.get(method);
    if (byBranch?.has(branch)) throw new Error(`a client transaction with branch ${branch} for ${method} is already running`);
    const key = clientTransactionKey(branch, method);
    const ctx = this.context(flow);
    const tx = method === "INVITE" ? new InviteClientTransaction(key, request, ctx, user) : new NonInviteClientTransaction(key, request, ctx, user);
    if (!tx.terminated) {
      if (!byBranch) this.clients.set(method, (byBranch = new KeyedTable<ClientTransaction>()));
      byBranch.set(branch, tx);
      tx.removeFrom(byBranch, branch);
    }
    return tx;
  }

  /** The client transaction a response matches (RFC 3261 17.1.3), if any. */
  clientFor(response: SipResponse): ClientTransaction | undefined {
    const branch = response.branch;
    if (branch === undefined) return undefined;
    const method = response.cseq.method;
    const live = this.clients.get(method)?.get(branch);
    if (live || this.retired.clients === 0) return live;
    return this.retired.find(clientTransactionKey(branch, method));
  }

  /** Hands a response to its client transaction; false when none matches (a stray or late 2xx). */
  receiveResponse(response: SipResponse): boolean {
    const tx = this.clientFor(response);
    if (!tx) return false;
    tx.receiveResponse(response);
    return true;
  }

  receiveRequest(request: SipRequest, flow: Flow): IncomingRequestResult {
    const key = serverTransactionKey(request);
    const existing = this.servers.get(key) ?? (this.retired.servers > 0 ? this.retired.findServer(key, flow.send) : undefined);
    if (existing) {
      // RFC 6026 7.1: an ACK matching an INVITE server transaction in Accepted goes to the TU
      if (request.method === "ACK" && existing.state === "accepted") return { kind: "ack" };
      if (request.method === "ACK" || request.method === existing.request.method) {
        existing.receiveRequest(request);
        return { kind: "absorbed", transaction: existing };
      }
    }
    if (request.method === "ACK") return { kind: "ack" };
    const ctx = this.context(flow);
    const tx = request.method === "INVITE" ? new InviteServerTransaction(key, request, ctx) : new NonInviteServerTransaction(key, request, ctx, flow.received);
    this.servers.set(key, tx);
    tx.removeFrom(this.servers, key);
    return { kind: "new", transaction: tx };
  }

  /** RFC 3261 9.2: the INVITE server transaction a CANCEL refers to (same key but the method). */
  findInviteFor(cancel: SipRequest): ServerTransaction | undefined {
    return this.servers.get(serverTransactionKey(cancel, "INVITE"));
  }

  get size(): { clients: number; servers: number } {
    let clients = this.retired.clients;
    for (const byBranch of this.clients.values()) clients += byBranch.size;
    return { clients, servers: this.servers.size + this.retired.servers };
  }

  /** Terminates every transaction and clears every timer. */
  dispose(): void {
    for (const tx of [...this.clients.values()].flatMap((byBranch) => byBranch.values())) tx.dispose();
    for (const tx of this.servers.values()) tx.dispose();
    this.lingerQueue.dispose();
    this.retired.clear();
  }
}

/** The send of the quiet context: a transaction that said it sends nothing more did (a harness bug). */
function sendsNothing(message: SipMessage): never {
  throw new Error(`a transaction that sends nothing more while it waits to terminate sent ${message.startLine()}`);
}

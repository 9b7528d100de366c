// Transactions that only absorb until they terminate: a non-INVITE client one in Completed (RFC 3261
// 17.1.2.2, Timer K), an INVITE client one in Accepted whose call has ended (RFC 6026 7.2, Timer M)
// and a non-INVITE server one in Completed (17.2.2, Timer J). Under load they are most of the
// transactions alive; each is kept as a record of bytes (ExpiringRecords), not as objects, and
// becomes a transaction again only when a message matches it (issue 17). The transaction it was
// behaves the same: same id, state, request and events.
import type { Clock } from "../clock.ts";
import { ExpiringRecords, type ExpiringRecord } from "./expiring-records.ts";
import { type SipMessage, type SipRequest, type SipResponse } from "../message/index.ts";
import { type ClientTransaction, ownMessage, requestFromBytes } from "./client-transaction.ts";
import { type IllegalEventListener, type TransactionKind, TransactionUserError, illegalEvent } from "./illegal-event.ts";
import { afterAccepted } from "./invite-client-transaction.ts";
import { afterCompleted } from "./non-invite-client-transaction.ts";
import { nothingAfterFinal, notThisMethod } from "./non-invite-server-transaction.ts";
import type { ServerTransaction } from "./server-transaction.ts";
import type { SendFn } from "./transaction.ts";

/** Who answers a 2xx that reaches an INVITE transaction in Accepted after its call ended: one per UE, not per call. */
export interface LateInviteUser {
  /**
   * RFC 6026 7.2: a 2xx (retransmitted, or from another fork) for the INVITE of an ended call, with
   * the byte strings the call left (`held`). Returns what to hold from then on, when it changed.
   */
  lateResponse(response: SipResponse, invite: SipRequest, held: readonly (string | Buffer)[]): readonly (string | Buffer)[] | undefined;
}

// meta of a record: the final status, the kind, and which LateInviteUser (plus one; 0: none)
const STATUS = 1024;
const INVITE = 1;
const KINDS = 2;

export class RetiredTransactions {
  /** INVITE transactions in Accepted (64*T1) apart from non-INVITE ones in Completed (T4): the room of these is taken back sooner. */
  private accepted: ExpiringRecords | undefined;
  private completed: ExpiringRecords | undefined;
  /** Non-INVITE server transactions in Completed (64*T1 over UDP). Each store is made when first used: most UEs of a load only register. */
  private answered: ExpiringRecords | undefined;
  /** The LateInviteUsers of retired INVITEs, numbered from 1 in the records' meta (most layers have one, the UE's). */
  private readonly owners: LateInviteUser[] = [];

  constructor(
    readonly clock: Clock,
    readonly reportIllegal: IllegalEventListener | undefined,
  ) {}

  /** Keeps a transaction that only absorbs until `due`: its request's bytes, final status and, for an INVITE, its late user. */
  retire(kind: "ict" | "nict", id: string, due: number, request: string | Buffer, status: number, owner?: LateInviteUser, held: readonly (string | Buffer)[] = []): void {
    let ownerId = 0;
    if (owner) {
      ownerId = this.owners.indexOf(owner) + 1;
      if (ownerId === 0) ownerId = this.owners.push(owner);
    }
    const records = kind === "ict" ? (this.accepted ??= new ExpiringRecords(this.clock)) : (this.completed ??= new ExpiringRecords(this.clock));
    records.add(id, due, [request, ...held], status + STATUS * ((kind === "ict" ? INVITE : 0) + KINDS * ownerId));
  }

  /** The retired transaction `id` names, as a transaction, while its wait lasts. */
  find(id: string): ClientTransaction | undefined {
    const record = this.completed?.find(id) ?? this.accepted?.find(id);
    return record && new RetiredClientTransaction(this, record);
  }

  /** Retired client transactions stored (see ExpiringRecords.size). */
  get clients(): number {
    return (this.accepted?.size ?? 0) + (this.completed?.size ?? 0);
  }

  /** Keeps a non-INVITE server transaction in Completed until `due`: the request's bytes as received and the final response's as sent. */
  retireServer(id: string, due: number, request: Buffer, response: Buffer, status: number): void {
    (this.answered ??= new ExpiringRecords(this.clock)).add(id, due, [request, response], status);
  }

  /** The retired server transaction `id` names, as a transaction answering on `send` (the flow of the request that matched it). */
  findServer(id: string, send: SendFn): ServerTransaction | undefined {
    const record = this.answered?.find(id);
    return record && new RetiredServerTransaction(this, record, send);
  }

  /** Retired server transactions stored. */
  get servers(): number {
    return this.answered?.size ?? 0;
  }

  ownerOf(meta: number): LateInviteUser | undefined {
    const id = Math.floor(meta / STATUS / KINDS);
    return id === 0 ? undefined : this.owners[id - 1];
  }

  clear(): void {
    this.accepted?.clear();
    this.completed?.clear();
    this.answered?.clear();
  }
}

/** What a retired transaction made again shares: its record, its end at the record's due time, and how it reports. */
abstract class RetiredView {
  abstract readonly kind: TransactionKind;
  abstract readonly state: string;

  constructor(
    protected readonly retired: RetiredTransactions,
    protected readonly record: ExpiringRecord,
  ) {}

  get id(): string {
    return this.record.key;
  }

  get terminated(): boolean {
    return this.retired.clock.now() >= this.record.due;
  }

  transportError(): void {}

  onTerminated(fn: () => void): void {
    this.retired.clock.setTimeout(fn, Math.max(0, this.record.due - this.retired.clock.now()));
  }

  dispose(): void {}

  protected illegal(message: SipMessage, detail: string): void {
    this.retired.reportIllegal?.(illegalEvent(this.id, this.kind, this.state, message, detail, this.retired.clock.now()));
  }
}

/** A retired client transaction made again for a response that matched it; it lives as long as that response's handling. */
class RetiredClientTransaction extends RetiredView implements ClientTransaction {
  readonly kind: TransactionKind;
  private parsed: SipRequest | undefined;

  constructor(retired: RetiredTransactions, record: ExpiringRecord) {
    super(retired, record);
    this.kind = Math.floor(record.meta / STATUS) % KINDS === INVITE ? "ict" : "nict";
  }

  get state(): string {
    if (this.terminated) return "terminated";
    return this.kind === "ict" ? "accepted" : "completed";
  }

  get request(): SipRequest {
    return (this.parsed ??= requestFromBytes(this.record.fields[0]));
  }

  receiveResponse(response: SipResponse): void {
    const s = response.status;
    const final = this.record.meta % STATUS;
    if (this.terminated) return this.illegal(response, `the transaction is terminated (RFC 3261 ${this.kind === "ict" ? "17.1.1.2" : "17.1.2.2"})`);
    if (this.kind === "nict") {
      // RFC 3261 17.1.2.2: in Completed, retransmissions of the final response are absorbed
      if (s !== final) this.illegal(response, afterCompleted(s, final));
      return;
    }
    if (s < 200 || s >= 300) return this.illegal(response, afterAccepted(s));
    const owner = this.retired.ownerOf(this.record.meta);
    const held = owner?.lateResponse(response, this.request, this.record.fields.slice(1));
    if (held) this.retired.retire("ict", this.id, this.record.due, this.record.fields[0], final, owner, held);
  }
}

/** A retired non-INVITE server transaction made again for a request that matched it (RFC 3261 17.2.2, Completed). */
class RetiredServerTransaction extends RetiredView implements ServerTransaction {
  readonly kind = "nist";
  private parsedRequest: SipRequest | undefined;
  private parsedResponse: SipResponse | undefined;

  constructor(
    retired: RetiredTransactions,
    record: ExpiringRecord,
    private readonly send: SendFn,
  ) {
    super(retired, record);
  }

  get state(): string {
    return this.terminated ? "terminated" : "completed";
  }

  get request(): SipRequest {
    return (this.parsedRequest ??= ownMessage(this.record.fields[0], "request", "a retired transaction's"));
  }

  get lastResponse(): SipResponse {
    return (this.parsedResponse ??= ownMessage(this.record.fields[1], "response", "a retired transaction's"));
  }

  respond(response: SipResponse): void {
    throw new TransactionUserError(this.id, this.kind, this.state, `respond ${response.status}`, nothingAfterFinal(this.state, this.record.meta));
  }

  receiveRequest(request: SipRequest): void {
    if (request.method !== this.request.method) return this.illegal(request, notThisMethod(request, this.request.method));
    // RFC 3261 17.2.2: a retransmission in Completed gets the last response again
    if (!this.terminated) this.send(this.lastResponse);
  }

  setUser(): void {}
}

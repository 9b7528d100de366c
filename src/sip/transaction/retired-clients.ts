// Client transactions that only absorb until they terminate: a non-INVITE one in Completed (RFC 3261
// 17.1.2.2, Timer K) and an INVITE one in Accepted whose call has ended (RFC 6026 7.2, Timer M).
// Under load they are most of the transactions alive; each is kept as a record of bytes
// (ExpiringRecords), not as objects, and becomes a transaction again only when a response matches
// it (issue 17). The transaction it was behaves the same: same id, state, request and events.
import type { Clock } from "../clock.ts";
import { ExpiringRecords, type ExpiringRecord } from "./expiring-records.ts";
import type { SipRequest, SipResponse } from "../message/index.ts";
import { type ClientTransaction, requestFromBytes } from "./client-transaction.ts";
import { type IllegalEventListener, type TransactionKind, illegalEvent } from "./illegal-event.ts";
import { afterAccepted } from "./invite-client-transaction.ts";
import { afterCompleted } from "./non-invite-client-transaction.ts";

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

export class RetiredClients {
  /** INVITE transactions in Accepted (64*T1) apart from non-INVITE ones in Completed (T4): the room of these is taken back sooner. */
  private readonly accepted: ExpiringRecords;
  private readonly completed: ExpiringRecords;
  private readonly owners: LateInviteUser[] = [];
  private readonly ownerIds = new Map<LateInviteUser, number>();

  constructor(
    readonly clock: Clock,
    readonly reportIllegal: IllegalEventListener | undefined,
  ) {
    this.accepted = new ExpiringRecords(clock);
    this.completed = new ExpiringRecords(clock);
  }

  /** Keeps a transaction that only absorbs until `due`: its request's bytes, final status and, for an INVITE, its late user. */
  retire(kind: "ict" | "nict", id: string, due: number, request: string | Buffer, status: number, owner?: LateInviteUser, held: readonly (string | Buffer)[] = []): void {
    let ownerId = 0;
    if (owner) {
      ownerId = this.ownerIds.get(owner) ?? 0;
      if (ownerId === 0) {
        this.owners.push(owner);
        this.ownerIds.set(owner, (ownerId = this.owners.length));
      }
    }
    const records = kind === "ict" ? this.accepted : this.completed;
    records.add(id, due, [request, ...held], status + STATUS * ((kind === "ict" ? INVITE : 0) + KINDS * ownerId));
  }

  /** The retired transaction `id` names, as a transaction, while its wait lasts. */
  find(id: string): ClientTransaction | undefined {
    const record = this.completed.find(id) ?? this.accepted.find(id);
    return record && new RetiredClientTransaction(this, record);
  }

  get size(): number {
    return this.accepted.size + this.completed.size;
  }

  ownerOf(meta: number): LateInviteUser | undefined {
    const id = Math.floor(meta / STATUS / KINDS);
    return id === 0 ? undefined : this.owners[id - 1];
  }

  clear(): void {
    this.accepted.clear();
    this.completed.clear();
  }
}

/** A retired transaction made again for a response that matched it; it lives as long as that response's handling. */
class RetiredClientTransaction implements ClientTransaction {
  readonly kind: TransactionKind;
  private parsed: SipRequest | undefined;

  constructor(
    private readonly clients: RetiredClients,
    private readonly record: ExpiringRecord,
  ) {
    this.kind = Math.floor(record.meta / STATUS) % KINDS === INVITE ? "ict" : "nict";
  }

  get id(): string {
    return this.record.key;
  }

  get state(): string {
    if (this.terminated) return "terminated";
    return this.kind === "ict" ? "accepted" : "completed";
  }

  get terminated(): boolean {
    return this.clients.clock.now() >= this.record.due;
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
    const owner = this.clients.ownerOf(this.record.meta);
    const held = owner?.lateResponse(response, this.request, this.record.fields.slice(1));
    if (held) this.clients.retire("ict", this.id, this.record.due, this.record.fields[0], final, owner, held);
  }

  transportError(): void {}

  onTerminated(fn: () => void): void {
    this.clients.clock.setTimeout(fn, Math.max(0, this.record.due - this.clients.clock.now()));
  }

  dispose(): void {}

  private illegal(message: SipResponse, detail: string): void {
    this.clients.reportIllegal?.(illegalEvent(this.id, this.kind, this.state, message, detail, this.clients.clock.now()));
  }
}

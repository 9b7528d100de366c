// RFC 3261 17: what client and server transactions share: a state machine with named timers that
// are all cleared when the transaction terminates.
import type { Clock, TimerHandle } from "../clock.ts";
import type { LingerQueue, Lingering } from "./linger-queue.ts";
import type { SipMessage } from "../message/index.ts";
import { type IllegalEventListener, type TransactionKind, TransactionUserError, illegalEvent } from "./illegal-event.ts";
import type { RetiredTransactions } from "./retired-transactions.ts";
import type { TimerSettings } from "./timer-settings.ts";

/**
 * Sends one message to the transaction's peer over its flow; errors come back through `transportError`.
 * It may return the bytes it sent, which a client transaction keeps instead of its request once it
 * sends it no more (see HeldRequest).
 */
export type SendFn = (message: SipMessage) => Buffer | void;

export interface TransactionContext {
  readonly send: SendFn;
  /** RFC 3261 17: reliable transports (TCP, TLS, WS) need no retransmission and zero wait timers. */
  readonly reliable: boolean;
  readonly timers: TimerSettings;
  readonly clock: Clock;
  /** Told of every message from the network that the current state has no transition for. */
  readonly onIllegalEvent?: IllegalEventListener;
  /** Where the waits before Terminated run (see linger); without one each is a timer of the clock. */
  readonly lingerQueue?: LingerQueue;
  /** The context of a transaction that sends nothing more: its flow is let go (see linger). */
  readonly quiet?: TransactionContext;
  /** Where a client transaction that only absorbs until it terminates is kept as bytes (see retire). */
  readonly retired?: RetiredTransactions;
}

/** A named timer of a transaction (RFC 3261 17: A, B, D, E, F, G, H, I, J, K; RFC 6026 7: L, M). */
interface RunningTimer {
  readonly name: string;
  readonly handle: TimerHandle;
}

export abstract class Transaction<State extends string> implements Lingering {
  abstract readonly kind: TransactionKind;
  /** At most three at once, in the order started: an array is lighter than a Map per transaction. */
  private running: RunningTimer[] = [];
  /** Made when first used: most transactions have only the table that holds them (see removeFrom). */
  private terminatedListeners: Array<() => void> | undefined;
  /** The layer's table of live transactions and this transaction's key there: deleted on Terminated. */
  private table: { delete(key: string): boolean } | undefined;
  private tableKey = "";
  /** The timer of the wait before Terminated running on the linger queue, and when it is due. */
  private lingering: string | undefined;
  protected lingerAt = 0;
  /** Once retired (see retire): when the transaction terminates, with no timer running for it. */
  private retiredUntil = 0;
  private current: State;
  protected constructor(
    readonly id: string,
    protected ctx: TransactionContext,
    state: State,
  ) {
    this.current = state;
  }

  get state(): State {
    return this.retiredUntil !== 0 && this.ctx.clock.now() >= this.retiredUntil ? ("terminated" as State) : this.current;
  }

  set state(state: State) {
    this.current = state;
  }

  /** Registers a callback for the transition to Terminated (the layer removes the transaction then). */
  onTerminated(fn: () => void): void {
    const clock = this.ctx.clock;
    // A retired transaction has no timer: the listener gets its own, for when it terminates
    if (this.retiredUntil !== 0) clock.setTimeout(fn, Math.max(0, this.retiredUntil - clock.now()));
    else (this.terminatedListeners ??= []).push(fn);
  }

  /** On Terminated, deletes `key` from `table` (the layer's): two fields, not a closure per transaction. */
  removeFrom(table: { delete(key: string): boolean }, key: string): void {
    this.table = table;
    this.tableKey = key;
  }

  get terminated(): boolean {
    return this.state === "terminated";
  }

  protected startTimer(name: string, ms: number, fire: () => void): void {
    this.stopTimer(name);
    const timer: RunningTimer = {
      name,
      handle: this.ctx.clock.setTimeout(() => {
        this.forget(timer);
        if (!this.terminated) fire();
      }, ms),
    };
    this.running.push(timer);
  }

  /**
   * The wait before Terminated (Timers D, I, J, K, L, M): on the context's linger queue when it has
   * one. A transaction that `sends` nothing more while it waits lets go of its flow.
   */
  protected linger(name: string, ms: number, sends: boolean): void {
    const queue = this.ctx.lingerQueue;
    if (!queue) return this.startTimer(name, ms, () => this.terminate());
    this.stopTimer(name);
    if (!sends && this.ctx.quiet) this.ctx = this.ctx.quiet;
    this.lingering = name;
    this.lingerAt = queue.add(this, ms);
  }

  /**
   * The rest of the wait before Terminated, until `due`, is kept by the layer as a record of bytes
   * (RetiredTransactions) instead of this object, which the layer lets go: its table and the linger queue
   * no longer hold it, no timer runs for it, and its state turns to Terminated at `due`. Not when
   * someone waits for Terminated (onTerminated) or the layer keeps no records: false then.
   */
  protected retire(due: number, keep: (retired: RetiredTransactions) => void): boolean {
    const retired = this.ctx.retired;
    if (!retired || this.terminatedListeners || !this.table || this.terminated || this.running.length > 0) return false;
    if (this.lingering !== undefined) this.ctx.lingerQueue?.cancel(this, this.lingerAt);
    this.lingering = undefined;
    this.leaveTable();
    this.retiredUntil = due;
    keep(retired);
    return true;
  }

  /** The linger queue's call: the wait due at `at` is over, unless it was stopped or started again. */
  lingerEnded(at: number): void {
    if (this.lingering !== undefined && this.lingerAt === at && !this.terminated) {
      this.lingering = undefined;
      this.terminate();
    }
  }

  protected stopTimer(name: string): void {
    if (this.lingering === name) this.lingering = undefined;
    for (const timer of this.running) {
      if (timer.name !== name) continue;
      this.ctx.clock.clearTimeout(timer.handle);
      this.forget(timer);
      return;
    }
  }

  private forget(timer: RunningTimer): void {
    const running = this.running;
    removeAt(running, running.indexOf(timer));
    // An emptied array keeps its capacity: a new one has none, for a transaction that waits 64*T1
    if (running.length === 0) this.running = [];
  }

  /** Names of the timers now running, for tests and traces. */
  runningTimers(): string[] {
    const names = this.running.map((t) => t.name);
    return this.lingering === undefined ? names : [...names, this.lingering];
  }

  /** A message from the network with no transition in this state: reported, then absorbed. */
  protected illegal(message: SipMessage, detail: string): void {
    this.ctx.onIllegalEvent?.(illegalEvent(this.id, this.kind, this.state, message, detail, this.ctx.clock.now()));
  }

  /** A call by the TU with no transition in this state: a bug of the harness, thrown. */
  protected misuse(event: string, detail: string): never {
    throw new TransactionUserError(this.id, this.kind, this.state, event, detail);
  }

  protected terminate(): void {
    if (this.terminated) return;
    this.current = "terminated" as State;
    for (const t of this.running) this.ctx.clock.clearTimeout(t.handle);
    this.running = [];
    this.lingering = undefined;
    this.leaveTable();
    const listeners = this.terminatedListeners;
    this.terminatedListeners = undefined;
    for (const fn of listeners ?? []) fn();
  }

  /** The layer's table no longer holds this transaction (see removeFrom). */
  private leaveTable(): void {
    this.table?.delete(this.tableKey);
    this.table = undefined;
  }

  /** Ends the transaction now, clearing every timer (used when a run is torn down). */
  dispose(): void {
    this.terminate();
  }
}

/** Removes the element at `i` (none when -1) keeping the order, without the array splice returns. */
function removeAt<T>(list: T[], i: number): void {
  if (i < 0) return;
  for (let j = i + 1; j < list.length; j++) list[j - 1] = list[j];
  list.pop();
}

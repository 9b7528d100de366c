import { performance } from "node:perf_hooks";
import type { TransportAddress, TransportProtocol } from "./address.ts";

/** One message (or keep-alive) as it crossed the wire, kept raw for ladder diagrams and pcap. */
export interface TraceEntry {
  /** Monotonic sequence number, unique within one Trace (not reset by clear()). */
  seq: number;
  /** Milliseconds since the epoch, sub-millisecond precision (performance.timeOrigin + performance.now()). */
  time: number;
  direction: "sent" | "received";
  protocol: TransportProtocol;
  local: TransportAddress;
  remote: TransportAddress;
  /** The raw bytes; shared with the transport, not copied: do not mutate. */
  bytes: Buffer;
  /** e.g. "keep-alive ping" for RFC 5626 CRLF keep-alives, or a connection id. */
  note?: string;
}

/** Where transports report every message sent and received. */
export interface TraceSink {
  record(entry: Omit<TraceEntry, "seq">): void;
}

export type TraceListener = (entry: TraceEntry) => void;

/** Wall-clock time in ms with sub-millisecond precision, for TraceEntry.time. */
export function traceTime(): number {
  return performance.timeOrigin + performance.now();
}

/** A sink that drops everything (a transport given `null` skips recording altogether). */
export const nullTraceSink: TraceSink = { record() {} };

export interface TraceOptions {
  /** false: record() returns at once (listeners are not called). Default true. */
  enabled?: boolean;
  /** Keep only the newest N entries (0 = keep none, only listeners see them). Default unbounded. */
  maxEntries?: number;
  /** Called when a listener throws; the error never reaches the transport. Default: ignored. */
  onListenerError?: (error: unknown, entry: TraceEntry) => void;
}

/** In-memory trace of all traffic, with live listeners. */
export class Trace implements TraceSink {
  enabled: boolean;
  private readonly maxEntries: number;
  private readonly onListenerError: ((error: unknown, entry: TraceEntry) => void) | undefined;
  private list: TraceEntry[] = [];
  /** Index of the first kept entry in `list` (dropped entries are compacted lazily). */
  private start = 0;
  private nextSeq = 1;
  private listeners: TraceListener[] = [];
  private droppedCount = 0;

  constructor(options: TraceOptions = {}) {
    this.enabled = options.enabled ?? true;
    this.maxEntries = options.maxEntries ?? Number.POSITIVE_INFINITY;
    this.onListenerError = options.onListenerError;
  }

  /** Recorded entries, oldest first. */
  get entries(): readonly TraceEntry[] {
    this.compact();
    return this.list;
  }

  /** Number of entries dropped because of maxEntries. */
  get dropped(): number {
    return this.droppedCount;
  }

  record(entry: Omit<TraceEntry, "seq">): void {
    if (!this.enabled) return;
    const full: TraceEntry = {
      seq: this.nextSeq++,
      time: entry.time,
      direction: entry.direction,
      protocol: entry.protocol,
      local: entry.local,
      remote: entry.remote,
      bytes: entry.bytes,
    };
    if (entry.note !== undefined) full.note = entry.note;
    if (this.maxEntries > 0) {
      this.list.push(full);
      if (this.list.length - this.start > this.maxEntries) {
        this.start++;
        this.droppedCount++;
        if (this.start >= 1024 && this.start * 2 >= this.list.length) this.compact();
      }
    } else {
      this.droppedCount++;
    }
    const listeners = this.listeners;
    for (let i = 0; i < listeners.length; i++) {
      try {
        listeners[i](full);
      } catch (error) {
        this.onListenerError?.(error, full);
      }
    }
  }

  clear(): void {
    this.list = [];
    this.start = 0;
  }

  /** Live listener for every new entry; returns the function that removes it. */
  subscribe(listener: TraceListener): () => void {
    this.listeners = [...this.listeners, listener];
    return () => this.off("entry", listener);
  }

  on(event: "entry", listener: TraceListener): this {
    if (event === "entry") this.subscribe(listener);
    return this;
  }

  off(event: "entry", listener: TraceListener): this {
    if (event === "entry") {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners = [...this.listeners.slice(0, i), ...this.listeners.slice(i + 1)];
    }
    return this;
  }

  private compact(): void {
    if (this.start > 0) {
      this.list.splice(0, this.start);
      this.start = 0;
    }
  }
}

// Who is who in the trace of one test case: the columns of a ladder diagram (one per simulated UE,
// one per SUT address) and, for every entry, the arrow from one column to another.
//
// Only the simulated UEs are traced (the SUT is not), so the local side of every entry is a
// simulated UE and an entry appears once: UE-A -> SUT is a "sent" entry of UE-A, SUT -> UE-B a
// "received" entry of UE-B. Arrows: sent = local -> remote; received = remote -> local.
//
// Naming rule. `names` keys are "host:port" (IPv6 in brackets, "[::1]:5060"; matched after
// addressKey() folding, so "::ffff:127.0.0.1" equals "127.0.0.1"), "host:*" (any port of that host),
// or a connection id as the stream transports write it in TraceEntry.note.
// - The local side (a simulated UE) is named by the first of:
//   1. names["host:port"] of the local address;
//   2. names[connection id] (entry.note; the id in parentheses of a keep-alive note);
//   3. stream transports (tcp, tls, ws, wss), where an outgoing connection has an ephemeral local
//      port: the name of the sent-by of the top Via of a request the UE sent or a response it
//      received on that connection (RFC 3261 18.1.1 / 18.2.2: that Via is the UE's own), applied
//      to every entry of the same connection (same connection id, or same protocol, local and
//      remote address when there is no id);
//   4. names["host:*"] of the local host;
//   5. the local address itself, "host:port".
// - The remote side is named by names["host:port"], then names["host:*"], then "host:port".
//   (A SUT that opens its own connections uses ephemeral ports: name it "host:*".)
// A column is a name: several addresses with the same name share one column. A column is "ue"
// when it is the local side of some entry, else "sut".
//
// Column order: `order` (names) first; then the first simulated UE to appear, the SUT columns,
// and the other simulated UEs, each in order of first appearance (originating UE on the left,
// terminating UEs on the right).
import { parseMessage, isRequest } from "../sip/message/index.ts";
import { addressKey, formatAddress, type TransportAddress } from "../sip/transport/address.ts";
import type { TraceEntry } from "../sip/transport/trace.ts";

export interface ParticipantHint {
  /** "host:port", "host:*" or a connection id -> display name (e.g. "UE-A", "SUT (P-CSCF)"). */
  readonly names: ReadonlyMap<string, string>;
  /** Names to place first, left to right. */
  readonly order?: readonly string[];
}

export interface Participant {
  /** Display name, also the column's identity. */
  readonly name: string;
  readonly kind: "ue" | "sut";
  /** Every address seen for this column, "host:port", in order of first appearance. */
  readonly addresses: readonly string[];
}

export interface TraceArrow {
  readonly seq: number;
  /** Column indexes into TraceParticipants.columns. */
  readonly from: number;
  readonly to: number;
}

export interface TraceParticipants {
  readonly columns: readonly Participant[];
  /** One arrow per entry, in the order of the entries. */
  readonly arrows: readonly TraceArrow[];
}

const STREAM = new Set(["tcp", "tls", "ws", "wss"]);

/** The connection id carried in a note ("conn-3", or "keep-alive pong (conn-3)"). */
export function connectionIdOf(entry: TraceEntry): string | undefined {
  if (entry.note === undefined || !STREAM.has(entry.protocol)) return undefined;
  const m = /\(([^()]+)\)\s*$/.exec(entry.note);
  if (m) return m[1];
  return entry.note.startsWith("keep-alive") ? undefined : entry.note;
}

function connectionKey(entry: TraceEntry): string {
  const id = connectionIdOf(entry);
  return id !== undefined ? `id:${id}` : `${entry.protocol}|${addressKey(entry.local)}|${addressKey(entry.remote)}`;
}

/** Builds the lookup of normalised keys. */
function normaliseNames(names: ReadonlyMap<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, name] of names) {
    const m = /^(.*):(\d+|\*)$/.exec(key);
    if (m && m[1] !== undefined && m[1] !== "" && (m[2] === "*" || /^\d+$/.test(m[2]))) {
      const host = m[1];
      if (m[2] === "*") out.set(`${hostKey(host)}:*`, name);
      else out.set(addressKey({ host, port: Number(m[2]) }), name);
    }
    // also usable as a connection id
    if (!out.has(`id:${key}`)) out.set(`id:${key}`, name);
  }
  return out;
}

function hostKey(host: string): string {
  return addressKey({ host, port: 0 }).replace(/:0$/, "");
}

function byAddress(names: Map<string, string>, address: TransportAddress): string | undefined {
  return names.get(addressKey(address));
}

function byHost(names: Map<string, string>, address: TransportAddress): string | undefined {
  return names.get(`${hostKey(address.host)}:*`);
}

/** Rule 3: the UE's own sent-by, from the top Via of what it sent (requests) or received (responses). */
function viaSentBy(entry: TraceEntry): TransportAddress | undefined {
  const parsed = parseMessage(entry.bytes);
  if (!parsed.ok) return undefined;
  const m = parsed.message;
  if (isRequest(m) !== (entry.direction === "sent")) return undefined;
  try {
    const via = m.topVia;
    // RFC 3261 18.2.2 / 19.1.2: no port in the sent-by means the transport's default
    return { host: via.host, port: via.port ?? (/^tls$/i.test(via.transport) ? 5061 : 5060) };
  } catch {
    return undefined;
  }
}

export function traceParticipants(entries: readonly TraceEntry[], hint: ParticipantHint = { names: new Map() }): TraceParticipants {
  const names = normaliseNames(hint.names);

  // Rule 3, first pass: a name per stream connection, from the Via sent-by
  const connectionNames = new Map<string, string>();
  for (const e of entries) {
    if (!STREAM.has(e.protocol)) continue;
    const key = connectionKey(e);
    if (connectionNames.has(key)) continue;
    const sentBy = viaSentBy(e);
    if (sentBy === undefined) continue;
    const name = byAddress(names, sentBy);
    if (name !== undefined) connectionNames.set(key, name);
  }

  const localName = (e: TraceEntry): string => {
    const direct = byAddress(names, e.local);
    if (direct !== undefined) return direct;
    const id = connectionIdOf(e);
    if (id !== undefined) {
      const n = names.get(`id:${id}`);
      if (n !== undefined) return n;
    }
    if (STREAM.has(e.protocol)) {
      const n = connectionNames.get(connectionKey(e));
      if (n !== undefined) return n;
    }
    return byHost(names, e.local) ?? formatAddress(e.local);
  };
  const remoteName = (e: TraceEntry): string => byAddress(names, e.remote) ?? byHost(names, e.remote) ?? formatAddress(e.remote);

  interface Col {
    name: string;
    ue: boolean;
    first: number;
    addresses: string[];
  }
  const cols = new Map<string, Col>();
  let counter = 0;
  const touch = (name: string, address: TransportAddress, ue: boolean): void => {
    let c = cols.get(name);
    if (c === undefined) {
      c = { name, ue, first: counter++, addresses: [] };
      cols.set(name, c);
    }
    if (ue) c.ue = true;
    const a = formatAddress(address);
    if (!c.addresses.includes(a)) c.addresses.push(a);
  };

  const pairs: { seq: number; from: string; to: string }[] = [];
  for (const e of entries) {
    const local = localName(e);
    const remote = remoteName(e);
    if (e.direction === "sent") {
      touch(local, e.local, true);
      touch(remote, e.remote, false);
      pairs.push({ seq: e.seq, from: local, to: remote });
    } else {
      touch(remote, e.remote, false);
      touch(local, e.local, true);
      pairs.push({ seq: e.seq, from: remote, to: local });
    }
  }

  const all = [...cols.values()].sort((a, b) => a.first - b.first);
  const ordered: Col[] = [];
  for (const name of hint.order ?? []) {
    const c = cols.get(name);
    if (c !== undefined && !ordered.includes(c)) ordered.push(c);
  }
  const rest = all.filter((c) => !ordered.includes(c));
  const ues = rest.filter((c) => c.ue);
  const suts = rest.filter((c) => !c.ue);
  ordered.push(...ues.slice(0, 1), ...suts, ...ues.slice(1));

  const index = new Map(ordered.map((c, i) => [c.name, i]));
  return {
    columns: ordered.map((c) => ({ name: c.name, kind: c.ue ? "ue" : "sut", addresses: c.addresses })),
    arrows: pairs.map((p) => ({ seq: p.seq, from: index.get(p.from)!, to: index.get(p.to)! })),
  };
}

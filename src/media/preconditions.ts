// Preconditions (RFC 3312, updated by RFC 4032): a=curr / a=des / a=conf and the
// segmented status table each user agent keeps per media stream.

import type { Attribute } from "./sdp.ts";

export type StatusType = "e2e" | "local" | "remote";
export type DirectionTag = "none" | "send" | "recv" | "sendrecv";
export type StrengthTag = "mandatory" | "optional" | "none" | "failure" | "unknown";

// RFC 3312 5.1 grammar.
const STATUS_TYPES: readonly string[] = ["e2e", "local", "remote"];
const DIRECTION_TAGS: readonly string[] = ["none", "send", "recv", "sendrecv"];
const STRENGTH_TAGS: readonly string[] = ["mandatory", "optional", "none", "failure", "unknown"];
const TOKEN = /^[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+$/;

export interface CurrentStatus {
  kind: "curr";
  preconditionType: string;
  statusType: StatusType;
  direction: DirectionTag;
}

export interface DesiredStatus {
  kind: "des";
  preconditionType: string;
  strength: StrengthTag;
  statusType: StatusType;
  direction: DirectionTag;
}

export interface ConfirmStatus {
  kind: "conf";
  preconditionType: string;
  statusType: StatusType;
  direction: DirectionTag;
}

export type PreconditionAttribute = CurrentStatus | DesiredStatus | ConfirmStatus;

/**
 * Parse a=curr, a=des or a=conf (RFC 3312 5.1). Returns undefined for other
 * attributes and for malformed values.
 */
export function parsePreconditionAttribute(attribute: Attribute): PreconditionAttribute | undefined {
  const { name, value } = attribute;
  if ((name !== "curr" && name !== "des" && name !== "conf") || value === undefined) return undefined;
  const parts = value.split(" ");
  if (name === "des") {
    // des: precondition-type SP strength-tag SP status-type SP direction-tag
    const [preconditionType, strength, statusType, direction] = parts;
    if (parts.length !== 4 || !TOKEN.test(preconditionType ?? "")) return undefined;
    if (!STRENGTH_TAGS.includes(strength ?? "") || !STATUS_TYPES.includes(statusType ?? "")) return undefined;
    if (!DIRECTION_TAGS.includes(direction ?? "")) return undefined;
    return {
      kind: "des",
      preconditionType: preconditionType,
      strength: strength as StrengthTag,
      statusType: statusType as StatusType,
      direction: direction as DirectionTag,
    };
  }
  // curr / conf: precondition-type SP status-type SP direction-tag
  const [preconditionType, statusType, direction] = parts;
  if (parts.length !== 3 || !TOKEN.test(preconditionType ?? "")) return undefined;
  if (!STATUS_TYPES.includes(statusType ?? "") || !DIRECTION_TAGS.includes(direction ?? "")) return undefined;
  return {
    kind: name,
    preconditionType: preconditionType,
    statusType: statusType as StatusType,
    direction: direction as DirectionTag,
  };
}

export function formatPreconditionAttribute(p: PreconditionAttribute): Attribute {
  if (p.kind === "des") {
    return { name: "des", value: `${p.preconditionType} ${p.strength} ${p.statusType} ${p.direction}` };
  }
  return { name: p.kind, value: `${p.preconditionType} ${p.statusType} ${p.direction}` };
}

/** All well-formed precondition attributes among `attributes`, in order. */
export function preconditionAttributes(attributes: readonly Attribute[]): PreconditionAttribute[] {
  const out: PreconditionAttribute[] = [];
  for (const a of attributes) {
    const p = parsePreconditionAttribute(a);
    if (p) out.push(p);
  }
  return out;
}

// ---- Segmented status table (RFC 3312 5, Table 1/2) ----

/** One row of the table: one segment in one direction. */
export interface StatusEntry {
  /** Current status: resources are reserved for this segment/direction. */
  current: boolean;
  /** Desired status strength. */
  desired: StrengthTag;
  /**
   * Confirm. For remote rows: this side asked the peer (a=conf:... remote) to report when
   * the peer's segment is ready. For local rows: the peer asked this side to report.
   */
  confirm: boolean;
}

export interface SegmentStatus {
  send: StatusEntry;
  recv: StatusEntry;
}

/** The table kept by one user agent, from its own point of view (local = its access segment). */
export interface PreconditionTable {
  preconditionType: string;
  local: SegmentStatus;
  remote: SegmentStatus;
}

export interface PreconditionTableOptions {
  preconditionType?: string;
  /** Desired strength for both segments, or per segment. Default "mandatory". */
  strength?: StrengthTag | { local: StrengthTag; remote: StrengthTag };
  /** Current status of the local segment. Default "none". */
  localCurrent?: DirectionTag;
  /** Current status of the remote segment as known so far. Default "none". */
  remoteCurrent?: DirectionTag;
}

function includesSend(d: DirectionTag): boolean {
  return d === "send" || d === "sendrecv";
}

function includesRecv(d: DirectionTag): boolean {
  return d === "recv" || d === "sendrecv";
}

function directionOf(send: boolean, recv: boolean): DirectionTag {
  if (send && recv) return "sendrecv";
  if (send) return "send";
  if (recv) return "recv";
  return "none";
}

function segment(strength: StrengthTag, current: DirectionTag): SegmentStatus {
  return {
    send: { current: includesSend(current), desired: strength, confirm: false },
    recv: { current: includesRecv(current), desired: strength, confirm: false },
  };
}

export function createPreconditionTable(options: PreconditionTableOptions = {}): PreconditionTable {
  const strength = options.strength ?? "mandatory";
  const local = typeof strength === "string" ? strength : strength.local;
  const remote = typeof strength === "string" ? strength : strength.remote;
  return {
    preconditionType: options.preconditionType ?? "qos",
    local: segment(local, options.localCurrent ?? "none"),
    remote: segment(remote, options.remoteCurrent ?? "none"),
  };
}

function cloneTable(t: PreconditionTable): PreconditionTable {
  return {
    preconditionType: t.preconditionType,
    local: { send: { ...t.local.send }, recv: { ...t.local.recv } },
    remote: { send: { ...t.remote.send }, recv: { ...t.remote.recv } },
  };
}

export function currentDirection(s: SegmentStatus): DirectionTag {
  return directionOf(s.send.current, s.recv.current);
}

/** Resources reserved on the local segment: its current status now covers `direction`. */
export function reserveLocal(table: PreconditionTable, direction: DirectionTag = "sendrecv"): PreconditionTable {
  const t = cloneTable(table);
  if (includesSend(direction)) t.local.send.current = true;
  if (includesRecv(direction)) t.local.recv.current = true;
  return t;
}

/** Resources lost on the local segment. */
export function releaseLocal(table: PreconditionTable, direction: DirectionTag = "sendrecv"): PreconditionTable {
  const t = cloneTable(table);
  if (includesSend(direction)) t.local.send.current = false;
  if (includesRecv(direction)) t.local.recv.current = false;
  return t;
}

// RFC 3312 5.1.1: strengths only go up (none < optional < mandatory); "failure" is
// sticky and "unknown" (RFC 3312 5.1.1 / 3pcc) yields to any known value.
const STRENGTH_RANK: Record<StrengthTag, number> = { unknown: -1, none: 0, optional: 1, mandatory: 2, failure: 3 };

export function strongerStrength(a: StrengthTag, b: StrengthTag): StrengthTag {
  return STRENGTH_RANK[a] >= STRENGTH_RANK[b] ? a : b;
}

/**
 * Apply a received description's precondition attributes of the table's type.
 * RFC 3312 5/6: the sender's "local" is our "remote" and its "send" is our "recv".
 * - a=curr: only the sender's own (local) segment updates our remote current status;
 *   its view of our segment is ignored, since we know our own segment.
 * - a=des: desired strengths are merged, keeping the stronger.
 * - a=conf ... remote: the peer asks us to report when our local segment is ready.
 */
export function applyPeerStatus(table: PreconditionTable, attributes: readonly Attribute[]): PreconditionTable {
  const t = cloneTable(table);
  for (const p of preconditionAttributes(attributes)) {
    if (p.preconditionType !== t.preconditionType || p.statusType === "e2e") continue;
    const ours = p.statusType === "local" ? t.remote : t.local;
    // The sender's send direction is our receive direction on that segment.
    const rows: StatusEntry[] = [];
    if (includesSend(p.direction)) rows.push(ours.recv);
    if (includesRecv(p.direction)) rows.push(ours.send);
    switch (p.kind) {
      case "curr":
        if (p.statusType === "local") {
          t.remote.recv.current = includesSend(p.direction);
          t.remote.send.current = includesRecv(p.direction);
        }
        break;
      case "des":
        for (const row of rows) row.desired = strongerStrength(row.desired, p.strength);
        break;
      case "conf":
        if (p.statusType === "remote") for (const row of rows) row.confirm = true;
        break;
    }
  }
  return t;
}

/**
 * Request (or stop requesting) that the peer confirm its segment (RFC 3312 5.1:
 * a=conf in our descriptions), for the directions in `direction`.
 */
export function requestConfirmation(table: PreconditionTable, direction: DirectionTag = "sendrecv"): PreconditionTable {
  const t = cloneTable(table);
  t.remote.send.confirm = includesSend(direction);
  t.remote.recv.confirm = includesRecv(direction);
  return t;
}

function desiredLines(type: string, statusType: StatusType, s: SegmentStatus): DesiredStatus[] {
  const preconditionType = type;
  if (s.send.desired === s.recv.desired) {
    return [{ kind: "des", preconditionType, strength: s.send.desired, statusType, direction: "sendrecv" }];
  }
  return [
    { kind: "des", preconditionType, strength: s.send.desired, statusType, direction: "send" },
    { kind: "des", preconditionType, strength: s.recv.desired, statusType, direction: "recv" },
  ];
}

/**
 * The precondition lines describing `table` in our own descriptions (RFC 3312 5.1):
 * curr local, curr remote, des local, des remote, then conf remote when requested.
 */
export function preconditionStatusAttributes(table: PreconditionTable): PreconditionAttribute[] {
  const type = table.preconditionType;
  const out: PreconditionAttribute[] = [
    { kind: "curr", preconditionType: type, statusType: "local", direction: currentDirection(table.local) },
    { kind: "curr", preconditionType: type, statusType: "remote", direction: currentDirection(table.remote) },
    ...desiredLines(type, "local", table.local),
    ...desiredLines(type, "remote", table.remote),
  ];
  const confirm = directionOf(table.remote.send.confirm, table.remote.recv.confirm);
  if (confirm !== "none") out.push({ kind: "conf", preconditionType: type, statusType: "remote", direction: confirm });
  return out;
}

/** As preconditionStatusAttributes, ready to append to a media description. */
export function tableToAttributes(table: PreconditionTable): Attribute[] {
  return preconditionStatusAttributes(table).map(formatPreconditionAttribute);
}

function rows(table: PreconditionTable): StatusEntry[] {
  return [table.local.send, table.local.recv, table.remote.send, table.remote.recv];
}

/**
 * RFC 3312 6: preconditions are met when, for every segment and direction whose desired
 * strength is mandatory, the current status covers it; a "failure" strength never is.
 */
export function preconditionsMet(table: PreconditionTable): boolean {
  return rows(table).every((r) => r.desired !== "failure" && (r.desired !== "mandatory" || r.current));
}

/** True when any desired status has the strength "failure" (RFC 3312 5.1.1). */
export function preconditionsFailed(table: PreconditionTable): boolean {
  return rows(table).some((r) => r.desired === "failure");
}

/**
 * RFC 3312 6: the peer asked (a=conf) to hear when our local segment reaches the desired
 * status, and it now has: a new offer carrying the updated a=curr lines is due.
 */
export function confirmationDue(table: PreconditionTable): boolean {
  const local = [table.local.send, table.local.recv];
  return local.some((r) => r.confirm) && local.every((r) => r.desired !== "mandatory" || r.current);
}

/** Whether a list of attributes carries precondition status lines (a=curr or a=des), optionally of one type. */
export function hasPreconditions(attributes: readonly Attribute[], preconditionType?: string): boolean {
  return preconditionAttributes(attributes).some((p) => (p.kind === "curr" || p.kind === "des") && (preconditionType === undefined || p.preconditionType === preconditionType));
}

// The ladder (sequence) diagram of a test case as SVG: a header box per participant, vertical
// lifelines, one horizontal arrow per trace entry labelled with the method or "status reason
// (CSeq method)", the time offset from the first entry at the left and the transport small on the
// arrow. Retransmissions are dashed red, unparsable messages red, keep-alives grey. Every arrow is a
// <g id="msg-<seq>"> whose <title> (tooltip) holds the whole message. Output is deterministic.
import { isRequest, parseMessage } from "../sip/message/index.ts";
import { formatAddress } from "../sip/transport/address.ts";
import type { TraceEntry } from "../sip/transport/trace.ts";
import { escapeControlCharacters, escapeControlCharactersInSipText } from "./control-characters.ts";
import { type ParticipantHint, type TraceArrow, type TraceParticipants, traceParticipants } from "./trace-participants.ts";

export interface EntryLabel {
  readonly seq: number;
  /** "INVITE", "180 Ringing (INVITE)", "unparsable (12 bytes)", "keep-alive (4 bytes)". */
  readonly text: string;
  readonly kind: "request" | "response" | "unparsable" | "keep-alive";
  /** RFC 3261 17: the same request (branch, method, CSeq) or response (branch, CSeq, status) again, same direction. */
  readonly retransmission: boolean;
  /** Seconds since the first entry. */
  readonly offset: number;
}

export interface LadderSvgOptions {
  /** Wraps every arrow in <a href=...> (the HTML page links to "#message-<seq>"). */
  readonly href?: (seq: number) => string;
  /** Labels longer than this are cut with "…" (default 48 characters). */
  readonly maxLabelLength?: number;
}

// XML 1.0 2.2 Char: besides C0 controls, U+FFFE, U+FFFF and unpaired surrogates are no characters
const NOT_XML = /[\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Escapes text for XML/HTML content and attribute values. Control characters (from the SUT: a
 * reason phrase, a header) are written as visible escapes, "\x1b" (XML 1.0 forbids most of C0);
 * the other characters XML forbids become U+FFFD.
 */
export function escapeXml(text: string): string {
  return escapeControlCharacters(text)
    .replace(NOT_XML, "\ufffd")
    .replace(/[&<>"']/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === '"' ? "&quot;" : "&#39;"));
}

/**
 * The message as text, as the text trace shows it: UTF-8, CRLF as LF, control characters as
 * escapes. Secrets are masked in the entries before (maskTraceEntries).
 */
export function messageText(entry: TraceEntry): string {
  return escapeControlCharactersInSipText(entry.bytes.toString("utf8"));
}

/** "+1.234 s" since the first entry (entries out of time order give "-0.002 s"). */
export function formatOffset(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  return `${ms < 0 ? "-" : "+"}${(Math.abs(ms) / 1000).toFixed(3)} s`;
}

function isKeepAlive(bytes: Buffer): boolean {
  if (bytes.length === 0) return false;
  for (const b of bytes) if (b !== 13 && b !== 10) return false;
  return true;
}

/** Labels and retransmission marks, one per entry, in the order of the entries. */
export function labelTraceEntries(entries: readonly TraceEntry[], participants: TraceParticipants): EntryLabel[] {
  const t0 = entries[0]?.time ?? 0;
  const arrows = arrowsBySeq(entries, participants);
  const seen = new Set<string>();
  return entries.map((e) => {
    const offset = (e.time - t0) / 1000;
    if (isKeepAlive(e.bytes)) return { seq: e.seq, text: `keep-alive (${e.bytes.length} bytes)`, kind: "keep-alive", retransmission: false, offset };
    const parsed = parseMessage(e.bytes);
    if (!parsed.ok) return { seq: e.seq, text: `unparsable (${e.bytes.length} bytes)`, kind: "unparsable", retransmission: false, offset };
    const m = parsed.message;
    const arrow = arrows.get(e.seq)!;
    let cseq: { seq: number; method: string } | undefined;
    let branch: string | undefined;
    try {
      cseq = m.cseq;
    } catch {
      cseq = undefined;
    }
    try {
      branch = m.branch;
    } catch {
      branch = undefined;
    }
    const direction = `${arrow.from}>${arrow.to}`;
    let key: string | undefined;
    let text: string;
    if (isRequest(m)) {
      text = m.method;
      // RFC 3261 17.2.3: a retransmission carries the same top branch, method and CSeq
      if (branch !== undefined && cseq !== undefined) key = `${direction}|q|${branch}|${m.method}|${cseq.seq} ${cseq.method}`;
    } else {
      text = `${m.status}${m.reason === "" ? "" : ` ${m.reason}`}${cseq === undefined ? "" : ` (${cseq.method})`}`;
      // RFC 3261 17.1.3: responses match by branch and CSeq; the same status again is a retransmission
      if (branch !== undefined && cseq !== undefined) key = `${direction}|s|${branch}|${cseq.seq} ${cseq.method}|${m.status}`;
    }
    const retransmission = key !== undefined && seen.has(key);
    if (key !== undefined) seen.add(key);
    return { seq: e.seq, text, kind: isRequest(m) ? "request" : "response", retransmission, offset };
  });
}

function arrowsBySeq(entries: readonly TraceEntry[], participants: TraceParticipants): Map<number, TraceArrow> {
  const map = new Map(participants.arrows.map((a) => [a.seq, a]));
  for (const e of entries) {
    if (!map.has(e.seq)) throw new Error(`trace entry #${e.seq} has no arrow in the participants: compute them from the same entries`);
  }
  return map;
}

/** Participants as given, or computed from the entries and a naming hint. */
export function resolveParticipants(entries: readonly TraceEntry[], participants: TraceParticipants | ParticipantHint | undefined): TraceParticipants {
  if (participants !== undefined && "columns" in participants) return participants;
  return traceParticipants(entries, participants);
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}

// Layout (px). Widths of text are estimated: ~7 px per character at 12 px sans-serif.
const CHAR_W = 7;
const TIME_W = 76;
const MARGIN = 12;
const BOX_TOP = 10;
const BOX_H = 36;
const FIRST_ROW = BOX_TOP + BOX_H + 28;
const ROW_H = 28;
const HEAD = 8;
const FONT = "Helvetica, Arial, sans-serif";

const COLORS = { normal: "#222222", red: "#cc0000", grey: "#888888" } as const;

export function renderLadderSvg(
  entries: readonly TraceEntry[],
  participants?: TraceParticipants | ParticipantHint,
  options: LadderSvgOptions = {},
): string {
  const parts = resolveParticipants(entries, participants);
  const labels = labelTraceEntries(entries, parts);
  const arrows = arrowsBySeq(entries, parts);
  const maxLabel = options.maxLabelLength ?? 48;
  const columns = parts.columns;
  const shown = labels.map((l) => clip(l.retransmission ? `${l.text} [retransmission]` : l.text, maxLabel));

  // Column spacing: the widest label must fit over its arrow (spread over the gaps it spans).
  let spacing = 170;
  entries.forEach((e, i) => {
    const a = arrows.get(e.seq)!;
    const gaps = Math.max(1, Math.abs(a.to - a.from));
    spacing = Math.max(spacing, Math.ceil((shown[i]!.length * CHAR_W + 36) / gaps));
  });
  spacing = Math.min(spacing, 420);
  const boxW = Math.min(spacing - 16, 180);
  const x = (col: number): number => TIME_W + MARGIN + boxW / 2 + col * spacing;
  const lastX = columns.length === 0 ? TIME_W + MARGIN : x(columns.length - 1);
  const selfLoop = entries.some((e) => {
    const a = arrows.get(e.seq)!;
    return a.from === a.to && a.from === columns.length - 1;
  });
  const width = Math.ceil(lastX + boxW / 2 + MARGIN + (selfLoop ? maxLabel * CHAR_W + 40 : 0));
  const bottom = FIRST_ROW + Math.max(0, entries.length - 1) * ROW_H + 18;
  const height = bottom + 10;

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}" font-size="12" role="img" aria-label="SIP ladder diagram">`,
  );
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);

  // Header boxes and lifelines
  columns.forEach((c, i) => {
    const cx = x(i);
    const fill = c.kind === "ue" ? "#e6effa" : "#fbeedd";
    const address = c.addresses.length === 0 ? "" : c.addresses[0]! + (c.addresses.length > 1 ? ` +${c.addresses.length - 1}` : "");
    const chars = Math.floor((boxW - 8) / CHAR_W);
    out.push(`<g class="participant ${c.kind}">`);
    out.push(`<title>${escapeXml(`${c.name}\n${c.addresses.join("\n")}`)}</title>`);
    out.push(`<line x1="${cx}" y1="${BOX_TOP + BOX_H}" x2="${cx}" y2="${bottom}" stroke="#999999" stroke-dasharray="4 3"/>`);
    out.push(`<rect x="${cx - boxW / 2}" y="${BOX_TOP}" width="${boxW}" height="${BOX_H}" rx="4" fill="${fill}" stroke="#334466"/>`);
    out.push(`<text class="participant-name" x="${cx}" y="${BOX_TOP + 15}" text-anchor="middle" font-weight="bold">${escapeXml(clip(c.name, chars))}</text>`);
    if (address !== "" && address !== c.name) {
      out.push(`<text x="${cx}" y="${BOX_TOP + 29}" text-anchor="middle" font-size="10" fill="#555555">${escapeXml(clip(address, Math.floor((boxW - 8) / 6)))}</text>`);
    }
    out.push(`</g>`);
  });

  entries.forEach((e, i) => {
    const a = arrows.get(e.seq)!;
    const l = labels[i]!;
    const y = FIRST_ROW + i * ROW_H;
    const color = l.retransmission || l.kind === "unparsable" ? COLORS.red : l.kind === "keep-alive" ? COLORS.grey : COLORS.normal;
    const dash = l.retransmission ? ` stroke-dasharray="6 4"` : "";
    const classes = ["msg", l.kind, ...(l.retransmission ? ["retransmission"] : [])].join(" ");
    const fromName = columns[a.from]!.name;
    const toName = columns[a.to]!.name;
    const [src, dst] = e.direction === "sent" ? [e.local, e.remote] : [e.remote, e.local];
    const tooltip =
      `#${e.seq} ${formatOffset(l.offset)} ${fromName} -> ${toName} ${e.protocol.toUpperCase()} ` +
      `${formatAddress(src)} -> ${formatAddress(dst)} (${e.bytes.length} bytes)${e.note ? ` [${e.note}]` : ""}` +
      `${l.retransmission ? " retransmission" : ""}\n\n${messageText(e)}`;
    const fx = x(a.from);
    const tx = x(a.to);
    const href = options.href?.(e.seq);
    if (href !== undefined) out.push(`<a href="${escapeXml(href)}" xlink:href="${escapeXml(href)}">`);
    out.push(`<g id="msg-${e.seq}" class="${classes}">`);
    out.push(`<title>${escapeXml(tooltip)}</title>`);
    out.push(`<text class="time" x="${MARGIN - 4}" y="${y + 4}" font-size="11" font-family="monospace" fill="#555555">${formatOffset(l.offset)}</text>`);
    const labelText = (lx: number, anchor: "start" | "middle"): string =>
      `<text class="label" x="${lx}" y="${y - 5}" text-anchor="${anchor}" fill="${color}" stroke="#ffffff" stroke-width="3" paint-order="stroke">${escapeXml(shown[i]!)}</text>`;
    const transport = e.protocol.toUpperCase();
    if (a.from === a.to) {
      // a message from a column to itself: a loop to the right
      const r = 26;
      out.push(`<rect x="${fx}" y="${y - 12}" width="${r + 8}" height="22" fill="transparent"/>`);
      out.push(`<path d="M ${fx} ${y - 8} H ${fx + r} V ${y + 6} H ${fx + HEAD}" fill="none" stroke="${color}" stroke-width="1.5"${dash}/>`);
      out.push(`<polygon points="${fx},${y + 6} ${fx + HEAD},${y + 2} ${fx + HEAD},${y + 10}" fill="${color}"/>`);
      out.push(labelText(fx + r + 6, "start"));
      out.push(`<text class="transport" x="${fx + r + 6}" y="${y + 10}" font-size="9" fill="#666666">${transport}</text>`);
    } else {
      const dir = tx > fx ? 1 : -1;
      out.push(`<rect x="${Math.min(fx, tx)}" y="${y - 16}" width="${Math.abs(tx - fx)}" height="26" fill="transparent"/>`);
      out.push(`<line x1="${fx}" y1="${y}" x2="${tx - dir * HEAD}" y2="${y}" stroke="${color}" stroke-width="1.5"${dash}/>`);
      out.push(`<polygon points="${tx},${y} ${tx - dir * HEAD},${y - 4} ${tx - dir * HEAD},${y + 4}" fill="${color}"/>`);
      out.push(labelText((fx + tx) / 2, "middle"));
      out.push(`<text class="transport" x="${fx + dir * 6}" y="${y + 11}" font-size="9" fill="#666666" text-anchor="${dir > 0 ? "start" : "end"}">${transport}</text>`);
    }
    out.push(`</g>`);
    if (href !== undefined) out.push(`</a>`);
  });
  if (entries.length === 0) out.push(`<text x="${MARGIN}" y="${FIRST_ROW}" fill="#555555">no messages</text>`);
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}

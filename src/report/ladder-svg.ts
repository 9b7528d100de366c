// The ladder (sequence) diagram of a test case as SVG: a header box per participant, vertical
// lifelines, one horizontal arrow per trace entry labelled with the method or "status reason
// (CSeq method)", the time offset from the first entry at the left and the transport small on the
// arrow. Retransmissions are dashed red, unparsable messages red, keep-alives grey. Every arrow is a
// <g id="msg-<seq>"> whose <title> (tooltip) holds the whole message, with its "#seq" at the left.
// A message that failed the test case (LadderMark: a requirement it violated, an expectation it did
// not meet) is a thick red arrow on a red band, its "#seq" red, the requirement id written beside it
// (under the arrow, in a taller row). A participant whose name does not fit its box ("UE-A
// (sip:alice@ims.example.test)") is drawn on two lines, role and identity.
// Output is deterministic.
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

/** A message that made the test case fail, marked in the ladder. */
export interface LadderMark {
  /** The trace entry (TraceEntry.seq) of the message. */
  readonly seq: number;
  /** Beside the arrow: the requirement id(s) it violated ("register-2xx.service-route"), or "expectation failed". */
  readonly label: string;
  /** The finding in full (expected, received, clause): the tooltip, and the HTML ladder's failure box. */
  readonly detail: string;
}

export interface LadderSvgOptions {
  /** Wraps every arrow in <a href=...> (the HTML page links to "#message-<seq>"). */
  readonly href?: (seq: number) => string;
  /** Labels longer than this are cut with "…" (default 48 characters). */
  readonly maxLabelLength?: number;
  /** Messages that made the test case fail: red, thick, with the label beside them. */
  readonly marks?: readonly LadderMark[];
}

/** Marks by seq, several for one message joined ("a, b"). */
export function marksBySeq(marks: readonly LadderMark[] | undefined): Map<number, LadderMark> {
  const out = new Map<number, LadderMark>();
  for (const m of marks ?? []) {
    const had = out.get(m.seq);
    out.set(m.seq, had ? { seq: m.seq, label: had.label.split(", ").includes(m.label) ? had.label : `${had.label}, ${m.label}`, detail: `${had.detail}\n\n${m.detail}` } : m);
  }
  return out;
}

/**
 * A participant's name in two parts when it has them: "UE-A (sip:alice@ims.example.test)" is
 * "UE-A" and "sip:alice@ims.example.test"; "SUT" is "SUT" alone.
 */
export function splitParticipantName(name: string): { role: string; identity?: string } {
  const m = /^(.+?) \((.+)\)$/.exec(name);
  return m ? { role: m[1], identity: m[2] } : { role: name };
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
/** A box whose name does not fit on one line: role, identity, address. */
const BOX_H_SPLIT = 50;
const ROW_H = 28;
/** The extra height of a marked row: its mark under the arrow. */
const MARK_H = 16;
/** A mark longer than this is cut with "…". */
const MARK_CHARS = 60;
const HEAD = 8;
const FONT = "Helvetica, Arial, sans-serif";

const COLORS = { normal: "#222222", red: "#cc0000", grey: "#888888", band: "#fde3e1" } as const;

export function renderLadderSvg(entries: readonly TraceEntry[], participants?: TraceParticipants | ParticipantHint, options: LadderSvgOptions = {}): string {
  const parts = resolveParticipants(entries, participants);
  const labels = labelTraceEntries(entries, parts);
  const arrows = arrowsBySeq(entries, parts);
  const maxLabel = options.maxLabelLength ?? 48;
  const columns = parts.columns;
  const shown = labels.map((l) => clip(l.retransmission ? `${l.text} [retransmission]` : l.text, maxLabel));
  const marks = marksBySeq(options.marks);
  const shownMarks = new Map([...marks].filter(([seq]) => arrows.has(seq)).map(([seq, m]) => [seq, clip(`\u2717 ${m.label}`, MARK_CHARS)]));

  // Column spacing: the widest label (and mark, under its arrow) must fit over its arrow (spread over the gaps it spans).
  let spacing = 170;
  entries.forEach((e, i) => {
    const a = arrows.get(e.seq)!;
    const gaps = Math.max(1, Math.abs(a.to - a.from));
    const widest = Math.max(shown[i].length, a.from === a.to ? 0 : (shownMarks.get(e.seq)?.length ?? 0));
    spacing = Math.max(spacing, Math.ceil((widest * CHAR_W + 36) / gaps));
  });
  spacing = Math.min(spacing, 420);
  const boxW = Math.min(spacing - 16, 180);
  const nameChars = Math.floor((boxW - 8) / CHAR_W);
  // A name too long for its box goes on two lines, role and identity: every box is as tall then
  const split = columns.some((c) => c.name.length > nameChars && splitParticipantName(c.name).identity !== undefined);
  const boxH = split ? BOX_H_SPLIT : BOX_H;
  const firstRow = BOX_TOP + boxH + 28;
  const x = (col: number): number => TIME_W + MARGIN + boxW / 2 + col * spacing;
  const lastX = columns.length === 0 ? TIME_W + MARGIN : x(columns.length - 1);
  const selfLoop = entries.some((e) => {
    const a = arrows.get(e.seq)!;
    return a.from === a.to && a.from === columns.length - 1;
  });
  const width = Math.ceil(lastX + boxW / 2 + MARGIN + (selfLoop ? Math.max(maxLabel, ...[...shownMarks.values()].map((m) => m.length)) * CHAR_W + 40 : 0));
  // The row of each message; a marked one is taller, its mark written under its arrow
  const ys: number[] = [];
  entries.forEach((_, i) => ys.push(i === 0 ? firstRow : ys[i - 1] + ROW_H + (shownMarks.has(entries[i - 1].seq) ? MARK_H : 0)));
  const last = entries.length - 1;
  const bottom = (last < 0 ? firstRow : ys[last] + (shownMarks.has(entries[last].seq) ? MARK_H : 0)) + 18;
  const height = bottom + 10;

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}" font-size="12" role="img" aria-label="SIP ladder diagram">`,
  );
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  // The rows of the messages that failed the test case, behind everything
  entries.forEach((e, i) => {
    if (shownMarks.has(e.seq)) out.push(`<rect class="failing-band" x="0" y="${ys[i] - 18}" width="${width}" height="${ROW_H + MARK_H}" fill="${COLORS.band}"/>`);
  });

  // Header boxes and lifelines
  columns.forEach((c, i) => {
    const cx = x(i);
    const fill = c.kind === "ue" ? "#e6effa" : "#fbeedd";
    const address = c.addresses.length === 0 ? "" : c.addresses[0] + (c.addresses.length > 1 ? ` +${c.addresses.length - 1}` : "");
    const small = Math.floor((boxW - 8) / 6);
    const parts = c.name.length > nameChars ? splitParticipantName(c.name) : { role: c.name };
    out.push(`<g class="participant ${c.kind}">`);
    out.push(`<title>${escapeXml(`${c.name}\n${c.addresses.join("\n")}`)}</title>`);
    out.push(`<line x1="${cx}" y1="${BOX_TOP + boxH}" x2="${cx}" y2="${bottom}" stroke="#999999" stroke-dasharray="4 3"/>`);
    out.push(`<rect x="${cx - boxW / 2}" y="${BOX_TOP}" width="${boxW}" height="${boxH}" rx="4" fill="${fill}" stroke="#334466"/>`);
    out.push(`<text class="participant-name" x="${cx}" y="${BOX_TOP + 15}" text-anchor="middle" font-weight="bold">${escapeXml(clip(parts.role, nameChars))}</text>`);
    if (parts.identity !== undefined) {
      out.push(`<text class="participant-identity" x="${cx}" y="${BOX_TOP + 29}" text-anchor="middle" font-size="10" fill="#222222">${escapeXml(clip(parts.identity, small))}</text>`);
    }
    if (address !== "" && address !== c.name) {
      out.push(`<text x="${cx}" y="${BOX_TOP + (parts.identity !== undefined ? 43 : 29)}" text-anchor="middle" font-size="10" fill="#555555">${escapeXml(clip(address, small))}</text>`);
    }
    out.push(`</g>`);
  });

  entries.forEach((e, i) => {
    const a = arrows.get(e.seq)!;
    const l = labels[i];
    const y = ys[i];
    const mark = shownMarks.get(e.seq);
    const failing = marks.get(e.seq);
    const color = mark !== undefined || l.retransmission || l.kind === "unparsable" ? COLORS.red : l.kind === "keep-alive" ? COLORS.grey : COLORS.normal;
    const dash = l.retransmission ? ` stroke-dasharray="6 4"` : "";
    const stroke = mark !== undefined ? 3 : 1.5;
    const classes = ["msg", l.kind, ...(l.retransmission ? ["retransmission"] : []), ...(mark !== undefined ? ["failing"] : [])].join(" ");
    const fromName = columns[a.from].name;
    const toName = columns[a.to].name;
    const [src, dst] = e.direction === "sent" ? [e.local, e.remote] : [e.remote, e.local];
    const tooltip =
      `#${e.seq} ${formatOffset(l.offset)} ${fromName} -> ${toName} ${e.protocol.toUpperCase()} ` +
      `${formatAddress(src)} -> ${formatAddress(dst)} (${e.bytes.length} bytes)${e.note ? ` [${e.note}]` : ""}` +
      `${l.retransmission ? " retransmission" : ""}${failing ? `\n\nFAILED: ${failing.label}\n${failing.detail}` : ""}\n\n${messageText(e)}`;
    const fx = x(a.from);
    const tx = x(a.to);
    const href = options.href?.(e.seq);
    if (href !== undefined) out.push(`<a href="${escapeXml(href)}" xlink:href="${escapeXml(href)}">`);
    out.push(`<g id="msg-${e.seq}" class="${classes}">`);
    out.push(`<title>${escapeXml(tooltip)}</title>`);
    out.push(
      `<text class="seq" x="${MARGIN - 4}" y="${y - 8}" font-size="9" font-family="monospace" fill="${mark !== undefined ? COLORS.red : "#888888"}"${mark !== undefined ? ` font-weight="bold"` : ""}>#${e.seq}</text>`,
    );
    out.push(`<text class="time" x="${MARGIN - 4}" y="${y + 4}" font-size="11" font-family="monospace" fill="#555555">${formatOffset(l.offset)}</text>`);
    const labelText = (lx: number, anchor: "start" | "middle"): string =>
      `<text class="label" x="${lx}" y="${y - 5}" text-anchor="${anchor}" fill="${color}" stroke="#ffffff" stroke-width="3" paint-order="stroke">${escapeXml(shown[i])}</text>`;
    const transport = e.protocol.toUpperCase();
    if (a.from === a.to) {
      // a message from a column to itself: a loop to the right
      const r = 26;
      out.push(`<rect x="${fx}" y="${y - 12}" width="${r + 8}" height="22" fill="transparent"/>`);
      out.push(`<path d="M ${fx} ${y - 8} H ${fx + r} V ${y + 6} H ${fx + HEAD}" fill="none" stroke="${color}" stroke-width="${stroke}"${dash}/>`);
      out.push(`<polygon points="${fx},${y + 6} ${fx + HEAD},${y + 2} ${fx + HEAD},${y + 10}" fill="${color}"/>`);
      out.push(labelText(fx + r + 6, "start"));
      out.push(`<text class="transport" x="${fx + r + 6}" y="${y + 10}" font-size="9" fill="#666666">${transport}</text>`);
    } else {
      const dir = tx > fx ? 1 : -1;
      out.push(`<rect x="${Math.min(fx, tx)}" y="${y - 16}" width="${Math.abs(tx - fx)}" height="26" fill="transparent"/>`);
      out.push(`<line x1="${fx}" y1="${y}" x2="${tx - dir * HEAD}" y2="${y}" stroke="${color}" stroke-width="${stroke}"${dash}/>`);
      out.push(`<polygon points="${tx},${y} ${tx - dir * HEAD},${y - 4} ${tx - dir * HEAD},${y + 4}" fill="${color}"/>`);
      out.push(labelText((fx + tx) / 2, "middle"));
      out.push(`<text class="transport" x="${fx + dir * 6}" y="${y + 11}" font-size="9" fill="#666666" text-anchor="${dir > 0 ? "start" : "end"}">${transport}</text>`);
    }
    if (mark !== undefined) {
      // The requirement beside (under) its arrow: centred on it, or after a loop
      const [mx, anchor] = a.from === a.to ? [fx + 32, "start"] : [(fx + tx) / 2, "middle"];
      out.push(`<text class="mark" x="${mx}" y="${y + 24}" text-anchor="${anchor}" fill="${COLORS.red}" font-weight="bold">${escapeXml(mark)}</text>`);
    }
    out.push(`</g>`);
    if (href !== undefined) out.push(`</a>`);
  });
  if (entries.length === 0) out.push(`<text x="${MARGIN}" y="${firstRow}" fill="#555555">no messages</text>`);
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}

// The ladder diagram as one self-contained HTML page (no external resources, no script): the SVG
// on top, each arrow a link to its message, and below it every message in full in
// <pre id="message-<seq>">. This is the page a report attaches. When the test case failed on a
// message (LadderMark), a box above the diagram names it and links to it, its arrow is red with
// the requirement id beside it, and its listing is framed red.
import { formatAddress } from "../sip/transport/address.ts";
import type { TraceEntry } from "../sip/transport/trace.ts";
import { type LadderMark, escapeXml, formatOffset, labelTraceEntries, marksBySeq, messageText, renderLadderSvg, resolveParticipants } from "./ladder-svg.ts";
import type { ParticipantHint, TraceParticipants } from "./trace-participants.ts";

const STYLE = `
body { font-family: Helvetica, Arial, sans-serif; margin: 16px; color: #222; }
h1 { font-size: 18px; }
.ladder { overflow-x: auto; border: 1px solid #ccc; padding: 4px; }
.ladder a:hover .label, .ladder a:focus .label { font-weight: bold; text-decoration: underline; }
section.message { margin: 12px 0; }
section.message h2 { font-size: 13px; margin: 0 0 4px 0; font-weight: normal; }
section.message h2 .label { font-weight: bold; }
section.message h2 .retransmission, section.message h2 .unparsable { color: #c00; }
pre { background: #f6f6f6; border: 1px solid #ddd; padding: 8px; margin: 0; white-space: pre-wrap; word-break: break-all; font-size: 12px; }
pre:target { border-color: #c60; background: #fff6e6; }
.failure { border: 2px solid #c00; background: #fdecea; padding: 8px 12px; margin: 8px 0 12px 0; }
.failure h2 { font-size: 14px; margin: 0 0 6px 0; color: #c00; }
.failure ul { margin: 0; padding-left: 18px; }
.failure pre { background: #fff; margin: 4px 0 6px 0; }
.mark { color: #c00; font-weight: bold; }
section.message.failing pre { border: 2px solid #c00; }
`;

export function messageAnchor(seq: number): string {
  return `message-${seq}`;
}

export interface LadderHtmlOptions {
  /** The messages that made the test case fail. */
  readonly marks?: readonly LadderMark[];
}

export function renderLadderHtml(entries: readonly TraceEntry[], participants: TraceParticipants | ParticipantHint | undefined, title: string, options: LadderHtmlOptions = {}): string {
  const parts = resolveParticipants(entries, participants);
  const svg = renderLadderSvg(entries, parts, { href: (seq) => `#${messageAnchor(seq)}`, ...(options.marks ? { marks: options.marks } : {}) });
  const labels = labelTraceEntries(entries, parts);
  const arrows = new Map(parts.arrows.map((a) => [a.seq, a]));
  const marks = marksBySeq(options.marks);
  const index = new Map(entries.map((e, i) => [e.seq, i]));
  const failing = [...marks.values()].filter((m) => index.has(m.seq)).sort((a, b) => index.get(a.seq)! - index.get(b.seq)!);
  /** "#7 200 OK (REGISTER) SUT → UE-A": the message as a heading names it. */
  const describe = (e: TraceEntry, i: number): string => {
    const a = arrows.get(e.seq)!;
    return `#${e.seq} ${labels[i].text} ${parts.columns[a.from].name} \u2192 ${parts.columns[a.to].name}`;
  };

  const out: string[] = [];
  out.push(`<!DOCTYPE html>`);
  out.push(`<html lang="en">`);
  out.push(`<head>`);
  out.push(`<meta charset="utf-8">`);
  out.push(`<title>${escapeXml(title)}</title>`);
  out.push(`<style>${STYLE}</style>`);
  out.push(`</head>`);
  out.push(`<body>`);
  out.push(`<h1>${escapeXml(title)}</h1>`);
  if (failing.length > 0) {
    out.push(`<div class="failure" id="failure">`);
    out.push(`<h2>\u2717 The test case failed on ${failing.length === 1 ? "this message" : `these ${failing.length} messages`} (red in the ladder)</h2>`);
    out.push(`<ul>`);
    for (const m of failing) {
      const i = index.get(m.seq)!;
      out.push(`<li><a href="#${messageAnchor(m.seq)}">${escapeXml(describe(entries[i], i))}</a>: <span class="mark">${escapeXml(m.label)}</span><pre>${escapeXml(m.detail)}</pre></li>`);
    }
    out.push(`</ul>`);
    out.push(`</div>`);
  }
  out.push(`<div class="ladder" id="ladder">`);
  out.push(svg.trimEnd());
  out.push(`</div>`);
  out.push(`<h1>Messages (${entries.length})</h1>`);
  entries.forEach((e, i) => {
    const l = labels[i];
    const a = arrows.get(e.seq)!;
    const [src, dst] = e.direction === "sent" ? [e.local, e.remote] : [e.remote, e.local];
    const mark = l.retransmission ? ` <span class="retransmission">[retransmission]</span>` : "";
    const cls = l.kind === "unparsable" ? "label unparsable" : "label";
    const failed = marks.get(e.seq);
    out.push(failed ? `<section class="message failing">` : `<section class="message">`);
    out.push(
      `<h2><a href="#msg-${e.seq}">#${e.seq}</a> ${formatOffset(l.offset)} ` +
        `${failed ? `<span class="mark">\u2717 ${escapeXml(failed.label)}</span> ` : ""}` +
        `<span class="${cls}">${escapeXml(l.text)}</span>${mark} ` +
        `${escapeXml(parts.columns[a.from].name)} &rarr; ${escapeXml(parts.columns[a.to].name)} ` +
        `${e.protocol.toUpperCase()} ${escapeXml(formatAddress(src))} &rarr; ${escapeXml(formatAddress(dst))} ` +
        `(${e.bytes.length} bytes)${e.note ? ` [${escapeXml(e.note)}]` : ""}</h2>`,
    );
    out.push(`<pre id="${messageAnchor(e.seq)}">${escapeXml(messageText(e).trimEnd())}</pre>`);
    out.push(`</section>`);
  });
  out.push(`</body>`);
  out.push(`</html>`);
  return out.join("\n") + "\n";
}

// The ladder diagram as one self-contained HTML page (no external resources, no script): the SVG
// on top, each arrow a link to its message, and below it every message in full in
// <pre id="message-<seq>">. This is the page a report attaches.
import { formatAddress } from "../sip/transport/address.ts";
import type { TraceEntry } from "../sip/transport/trace.ts";
import { escapeXml, formatOffset, labelTraceEntries, messageText, renderLadderSvg, resolveParticipants } from "./ladder-svg.ts";
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
`;

export function messageAnchor(seq: number): string {
  return `message-${seq}`;
}

export function renderLadderHtml(
  entries: readonly TraceEntry[],
  participants: TraceParticipants | ParticipantHint | undefined,
  title: string,
): string {
  const parts = resolveParticipants(entries, participants);
  const svg = renderLadderSvg(entries, parts, { href: (seq) => `#${messageAnchor(seq)}` });
  const labels = labelTraceEntries(entries, parts);
  const arrows = new Map(parts.arrows.map((a) => [a.seq, a]));

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
  out.push(`<div class="ladder" id="ladder">`);
  out.push(svg.trimEnd());
  out.push(`</div>`);
  out.push(`<h1>Messages (${entries.length})</h1>`);
  entries.forEach((e, i) => {
    const l = labels[i]!;
    const a = arrows.get(e.seq)!;
    const [src, dst] = e.direction === "sent" ? [e.local, e.remote] : [e.remote, e.local];
    const mark = l.retransmission ? ` <span class="retransmission">[retransmission]</span>` : "";
    const cls = l.kind === "unparsable" ? "label unparsable" : "label";
    out.push(`<section class="message">`);
    out.push(
      `<h2><a href="#msg-${e.seq}">#${e.seq}</a> ${formatOffset(l.offset)} ` +
        `<span class="${cls}">${escapeXml(l.text)}</span>${mark} ` +
        `${escapeXml(parts.columns[a.from]!.name)} &rarr; ${escapeXml(parts.columns[a.to]!.name)} ` +
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

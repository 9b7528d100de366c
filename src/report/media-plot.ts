// The calls' RTP streams as a standalone SVG plot, attached next to "RTP statistics.json" (issue 12):
// one panel per received stream (the direction, codec and SSRC as its title), packets per second
// and interarrival jitter (ms) per second over time, on one time axis shared by every panel.
// It reads the same records the JSON has (MediaStream.stats() with the UE and stream number), typed
// here by what it reads: the report layer does not import `media`.
import { escapeXml, splitParticipantName } from "./ladder-svg.ts";

/** One per-second sample (src/media/rtp/per-second-ring.ts SecondSample). */
export interface PlotSample {
  /** Unix-epoch second. */
  readonly second: number;
  readonly packets: number;
  readonly jitterMs: number;
}

/** One received source of a stream (the fields of a SourceSnapshot the plot reads). */
export interface PlotSource {
  readonly ssrc: number;
  readonly perSecond: readonly PlotSample[];
}

/** One record of "RTP statistics.json": a UE's media stream, what it sends and what it received. */
export interface PlotStream {
  /** The receiving UE, "UE-B (sip:bob@ims.example.test)". */
  readonly ue: string;
  /** 1-based stream number of that UE. */
  readonly stream: number;
  /** Our own SSRC (what the other end receives from us). */
  readonly ssrc: number;
  readonly encoding: string;
  readonly remote: { readonly host: string; readonly port: number } | null;
  readonly sources: readonly PlotSource[];
}

/** One panel: a received source, or a stream that received nothing. */
interface Panel {
  readonly title: string;
  readonly samples: readonly PlotSample[];
}

const WIDTH = 800;
const PANEL_HEIGHT = 220;
const LEFT = 64;
const RIGHT = 64;
const TOP = 46;
const BOTTOM = 40;
const PLOT_WIDTH = WIDTH - LEFT - RIGHT;
const PLOT_HEIGHT = PANEL_HEIGHT - TOP - BOTTOM;
const PACKETS_COLOUR = "#1f77b4";
const JITTER_COLOUR = "#d62728";

function hexSsrc(ssrc: number): string {
  return `0x${(ssrc >>> 0).toString(16).toUpperCase().padStart(8, "0")}`;
}

function role(name: string): string {
  return splitParticipantName(name).role;
}

/** The panels: per stream, one per received source (its sender found by SSRC), or one empty one. */
function panelsOf(streams: readonly PlotStream[]): Panel[] {
  const senders = new Map<number, PlotStream>();
  for (const s of streams) senders.set(s.ssrc >>> 0, s);
  const multi = new Set(streams.filter((s) => streams.some((o) => o !== s && o.ue === s.ue)).map((s) => s.ue));
  const name = (s: PlotStream): string => (multi.has(s.ue) ? `${role(s.ue)} #${s.stream}` : role(s.ue));
  const remote = (s: PlotStream): string => (s.remote ? `${s.remote.host}:${s.remote.port}` : "unknown peer");
  const panels: Panel[] = [];
  for (const s of streams) {
    if (s.sources.length === 0) {
      panels.push({ title: `${remote(s)} -> ${name(s)} (${s.encoding})`, samples: [] });
      continue;
    }
    for (const src of s.sources) {
      const sender = senders.get(src.ssrc >>> 0);
      const from = sender && sender !== s ? name(sender) : remote(s);
      panels.push({ title: `${from} -> ${name(s)} (${s.encoding}, SSRC ${hexSsrc(src.ssrc)})`, samples: src.perSecond });
    }
  }
  return panels;
}

/** Round tick steps (1, 2, 5 x 10^n) covering 0..max with about `count` ticks. */
function ticks(max: number, count: number, integer = false): number[] {
  const top = max > 0 && Number.isFinite(max) ? max : 1;
  const raw = integer ? Math.max(1, top / count) : top / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const out: number[] = [];
  for (let v = 0; v < top + step / 2; v += step) out.push(round(v, 6));
  if (out[out.length - 1] < top) out.push(round(out[out.length - 1] + step, 6));
  return out;
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function fmt(n: number): string {
  return String(round(n, 2));
}

function finite(n: number): number {
  return Number.isFinite(n) ? n : 0;
}

/**
 * Renders the streams' per-second packets and jitter as a standalone SVG (one panel per received
 * stream; a stream that received nothing shows "no packets received"). Every text is escaped.
 */
export function renderMediaPlotSvg(streams: readonly PlotStream[]): string {
  const panels = panelsOf(streams);
  const all = panels.flatMap((p) => p.samples);
  const start = all.length > 0 ? Math.min(...all.map((s) => finite(s.second))) : 0;
  const end = all.length > 0 ? Math.max(...all.map((s) => finite(s.second))) : 0;
  const xTicks = ticks(Math.max(1, end - start), 8, true);
  const xMax = xTicks[xTicks.length - 1];
  const x = (second: number): number => LEFT + ((finite(second) - start) / xMax) * PLOT_WIDTH;
  const height = Math.max(1, panels.length) * PANEL_HEIGHT;
  const out: string[] = [];
  out.push(`<?xml version="1.0" encoding="UTF-8"?>`);
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="11">`,
    `<title>RTP streams: packets and interarrival jitter per second</title>`,
    `<rect x="0" y="0" width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
  );
  if (panels.length === 0) out.push(`<text x="${WIDTH / 2}" y="${PANEL_HEIGHT / 2}" text-anchor="middle" fill="#666">no RTP streams</text>`);
  panels.forEach((panel, i) => {
    const top = i * PANEL_HEIGHT + TOP;
    const bottom = top + PLOT_HEIGHT;
    out.push(`<g class="panel">`);
    out.push(`<text class="stream-label" x="${LEFT}" y="${top - 26}" font-size="13" font-weight="bold">${escapeXml(panel.title)}</text>`);
    // legend
    out.push(
      `<g class="legend">`,
      `<line x1="${LEFT}" y1="${top - 10}" x2="${LEFT + 20}" y2="${top - 10}" stroke="${PACKETS_COLOUR}" stroke-width="2"/>`,
      `<text x="${LEFT + 25}" y="${top - 6}">packets per second (left axis)</text>`,
      `<line x1="${LEFT + 230}" y1="${top - 10}" x2="${LEFT + 250}" y2="${top - 10}" stroke="${JITTER_COLOUR}" stroke-width="2" stroke-dasharray="5 3"/>`,
      `<text x="${LEFT + 255}" y="${top - 6}">interarrival jitter, ms (right axis)</text>`,
      `</g>`,
    );
    out.push(`<rect x="${LEFT}" y="${top}" width="${PLOT_WIDTH}" height="${PLOT_HEIGHT}" fill="none" stroke="#999"/>`);
    // x axis: seconds since the first sample of the run
    for (const t of xTicks) {
      const tx = fmt(LEFT + (t / xMax) * PLOT_WIDTH);
      out.push(`<line x1="${tx}" y1="${bottom}" x2="${tx}" y2="${bottom + 4}" stroke="#999"/>`, `<text x="${tx}" y="${bottom + 15}" text-anchor="middle">${fmt(t)}</text>`);
    }
    out.push(`<text class="axis-label" x="${LEFT + PLOT_WIDTH / 2}" y="${bottom + 32}" text-anchor="middle">time since the first packet (s)</text>`);
    if (panel.samples.every((s) => finite(s.packets) === 0)) {
      out.push(`<text class="note" x="${LEFT + PLOT_WIDTH / 2}" y="${top + PLOT_HEIGHT / 2}" text-anchor="middle" fill="#666" font-size="13">no packets received</text>`, `</g>`);
      return;
    }
    const pTicks = ticks(Math.max(...panel.samples.map((s) => finite(s.packets))), 4);
    const jTicks = ticks(Math.max(...panel.samples.map((s) => finite(s.jitterMs))), 4);
    const pMax = pTicks[pTicks.length - 1];
    const jMax = jTicks[jTicks.length - 1];
    const yP = (v: number): number => bottom - (finite(v) / pMax) * PLOT_HEIGHT;
    const yJ = (v: number): number => bottom - (finite(v) / jMax) * PLOT_HEIGHT;
    for (const t of pTicks) {
      const ty = fmt(yP(t));
      out.push(
        `<line x1="${LEFT}" y1="${ty}" x2="${LEFT + PLOT_WIDTH}" y2="${ty}" stroke="#eee"/>`,
        `<line x1="${LEFT - 4}" y1="${ty}" x2="${LEFT}" y2="${ty}" stroke="${PACKETS_COLOUR}"/>`,
        `<text x="${LEFT - 7}" y="${fmt(yP(t) + 4)}" text-anchor="end" fill="${PACKETS_COLOUR}">${fmt(t)}</text>`,
      );
    }
    for (const t of jTicks) {
      const ty = fmt(yJ(t));
      out.push(
        `<line x1="${LEFT + PLOT_WIDTH}" y1="${ty}" x2="${LEFT + PLOT_WIDTH + 4}" y2="${ty}" stroke="${JITTER_COLOUR}"/>`,
        `<text x="${LEFT + PLOT_WIDTH + 7}" y="${fmt(yJ(t) + 4)}" fill="${JITTER_COLOUR}">${fmt(t)}</text>`,
      );
    }
    const midY = top + PLOT_HEIGHT / 2;
    out.push(
      `<text class="axis-label" transform="translate(${LEFT - 44} ${midY}) rotate(-90)" text-anchor="middle" fill="${PACKETS_COLOUR}">packets/s</text>`,
      `<text class="axis-label" transform="translate(${LEFT + PLOT_WIDTH + 48} ${midY}) rotate(90)" text-anchor="middle" fill="${JITTER_COLOUR}">jitter (ms)</text>`,
    );
    const points = (y: (s: PlotSample) => number): string => panel.samples.map((s) => `${fmt(x(s.second))},${fmt(y(s))}`).join(" ");
    // each second's sample is marked too while they are few enough to tell apart
    if (panel.samples.length <= 60) {
      for (const s of panel.samples) {
        out.push(
          `<circle class="sample packets" cx="${fmt(x(s.second))}" cy="${fmt(yP(s.packets))}" r="2.5" fill="${PACKETS_COLOUR}"/>`,
          `<circle class="sample jitter" cx="${fmt(x(s.second))}" cy="${fmt(yJ(s.jitterMs))}" r="2.5" fill="${JITTER_COLOUR}"/>`,
        );
      }
    }
    out.push(
      `<polyline class="series packets" points="${points((s) => yP(s.packets))}" fill="none" stroke="${PACKETS_COLOUR}" stroke-width="2" stroke-linejoin="round"/>`,
      `<polyline class="series jitter" points="${points((s) => yJ(s.jitterMs))}" fill="none" stroke="${JITTER_COLOUR}" stroke-width="2" stroke-dasharray="5 3" stroke-linejoin="round"/>`,
      `</g>`,
    );
  });
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}

// Simultaneous media streams one process carries: pairs of MediaStreams on loopback, each
// stream sendrecv PCMU at 50 packets/s (20 ms ptime) with RTCP every 5 s, stepped up until a
// level no longer holds. A level holds when the receivers lose less than 0.1 % of the packets
// (RFC 3550 A.3 over every source) and the senders kept their pace (at least 99 % of 50 packets/s
// per stream). A saturated process still delivers every packet, late: the mean jitter tells, and
// the largest level that also kept it under 5 ms is reported beside. Run on its own with
// `node --import tsx bench/media.ts`; npm run bench runs it too.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import { MediaStream } from "../src/media/rtp/index.ts";

const HOST = "127.0.0.1";
const PACKETS_PER_SECOND = 50;
const MAX_LOSS = 0.001;
const MIN_PACE = 0.99;
/** Mean interarrival jitter (RFC 3550 A.8) under which a level also counts as clean. */
const CLEAN_JITTER_MS = 5;

export interface MediaLevel {
  /** Stream pairs: two sendrecv streams each, so 2 x pairs streams sending and receiving 50 packets/s. */
  readonly pairs: number;
  readonly streams: number;
  readonly seconds: number;
  /** RTP packets per second the process sends (and as many it receives) at this level. */
  readonly packetsPerSecondEachWay: number;
  readonly sent: number;
  /** sent / (streams x 50 x seconds). */
  readonly pace: number;
  readonly expected: number;
  readonly lost: number;
  readonly lossRatio: number;
  readonly meanJitterMs: number;
  readonly maxJitterMs: number;
  /** CPU seconds per second of the run (1 = one core busy). */
  readonly cpuShare: number;
  readonly held: boolean;
}

export interface MediaFigures {
  readonly criterion: string;
  readonly levels: readonly MediaLevel[];
  /** The largest number of pairs that held, null if none did. */
  readonly largestHeldPairs: number | null;
  /** The largest that held with a mean jitter under 5 ms. */
  readonly largestCleanPairs: number | null;
}

export async function benchMediaStreams(levels: readonly number[], seconds: number, log: (line: string) => void = console.log): Promise<MediaFigures> {
  const results: MediaLevel[] = [];
  for (const pairs of levels) {
    const level = await runLevel(pairs, seconds);
    results.push(level);
    log(
      `  ${String(pairs).padStart(5)} pairs (${level.streams} streams, ${level.packetsPerSecondEachWay} packets/s each way): loss ${(100 * level.lossRatio).toFixed(3)} %, pace ${(100 * level.pace).toFixed(1)} %, jitter mean ${level.meanJitterMs.toFixed(2)} ms max ${level.maxJitterMs.toFixed(2)} ms, CPU ${(100 * level.cpuShare).toFixed(0)} % -> ${level.held ? "held" : "did not hold"}`,
    );
    if (!level.held) break;
  }
  const held = results.filter((l) => l.held);
  const clean = held.filter((l) => l.meanJitterMs < CLEAN_JITTER_MS);
  return {
    criterion: `loss < ${100 * MAX_LOSS} % and every stream sending >= ${100 * MIN_PACE} % of ${PACKETS_PER_SECOND} packets/s, for ${seconds} s`,
    levels: results,
    largestHeldPairs: held.length > 0 ? Math.max(...held.map((l) => l.pairs)) : null,
    largestCleanPairs: clean.length > 0 ? Math.max(...clean.map((l) => l.pairs)) : null,
  };
}

async function runLevel(pairs: number, seconds: number): Promise<MediaLevel> {
  const streams: MediaStream[] = [];
  try {
    for (let i = 0; i < pairs; i += 50) {
      const batch = await Promise.all(Array.from({ length: 2 * Math.min(50, pairs - i) }, () => MediaStream.open({ host: HOST, payloadType: 0, clockRate: 8000, audioHistoryMs: 0 })));
      streams.push(...batch);
    }
    for (let i = 0; i < streams.length; i += 2) {
      streams[i].setRemote({ host: HOST, port: streams[i + 1].local.rtpPort });
      streams[i + 1].setRemote({ host: HOST, port: streams[i].local.rtpPort });
    }
    // a second to settle (probation, first RTCP), then the measured window
    await sleep(1000);
    const sentBefore = sum(streams.map((s) => s.stats().sent.packets));
    const before = streams.map((s) => s.stats().sources.reduce((acc, src) => ({ expected: acc.expected + src.expected, lost: acc.lost + src.lost }), { expected: 0, lost: 0 }));
    const cpuBefore = process.cpuUsage();
    const t0 = performance.now();
    await sleep(seconds * 1000);
    const elapsed = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const sentAfter = sum(streams.map((s) => s.stats().sent.packets));
    for (const s of streams) s.setDirection("inactive");
    await sleep(500); // what is in flight lands
    let expected = 0;
    let lost = 0;
    const jitters: number[] = [];
    streams.forEach((s, i) => {
      for (const src of s.stats().sources) {
        jitters.push(src.jitterMs);
        expected += src.expected;
        lost += src.lost;
      }
      expected -= before[i].expected;
      lost -= before[i].lost;
    });
    const pace = (sentAfter - sentBefore) / (streams.length * PACKETS_PER_SECOND * elapsed);
    const lossRatio = expected > 0 ? lost / expected : 1;
    return {
      pairs,
      streams: streams.length,
      seconds: Math.round(elapsed * 100) / 100,
      packetsPerSecondEachWay: streams.length * PACKETS_PER_SECOND,
      sent: sentAfter - sentBefore,
      pace,
      expected,
      lost,
      lossRatio,
      meanJitterMs: jitters.length > 0 ? sum(jitters) / jitters.length : 0,
      maxJitterMs: jitters.length > 0 ? Math.max(...jitters) : 0,
      cpuShare: (cpu.user + cpu.system) / 1e6 / elapsed,
      held: expected > 0 && lossRatio < MAX_LOSS && pace >= MIN_PACE,
    };
  } finally {
    await Promise.all(streams.map((s) => s.stop()));
  }
}

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function printMediaSummary(figures: MediaFigures): void {
  console.log(`  largest that held: ${figures.largestHeldPairs === null ? "none" : `${figures.largestHeldPairs} pairs`} (${figures.criterion})`);
  console.log(`  largest that held with mean jitter under ${CLEAN_JITTER_MS} ms: ${figures.largestCleanPairs === null ? "none" : `${figures.largestCleanPairs} pairs`}`);
}

export function mediaLevelsFromEnv(): { levels: number[]; seconds: number } {
  return {
    levels: (process.env["BENCH_MEDIA_PAIRS"] ?? "100,200,500,700,1000,2000").split(",").map(Number),
    seconds: Number(process.env["BENCH_MEDIA_SECONDS"] ?? 5),
  };
}

// On its own: print the figures and put them under "media" in reports/bench.json, keeping the rest.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { levels, seconds } = mediaLevelsFromEnv();
  console.log(`Media streams: pairs of PCMU streams on loopback, 50 packets/s each way per stream, ${seconds} s per level`);
  const figures = await benchMediaStreams(levels, seconds);
  printMediaSummary(figures);
  const file = new URL("../reports/bench.json", import.meta.url);
  const existing: Record<string, unknown> = await readFile(file, "utf8").then(
    (text) => JSON.parse(text) as Record<string, unknown>,
    () => ({}),
  );
  await mkdir(new URL("../reports/", import.meta.url), { recursive: true });
  await writeFile(file, JSON.stringify({ ...existing, media: { date: new Date().toISOString(), node: process.version, ...figures } }, null, 2) + "\n");
  console.log("written to reports/bench.json (media)");
}

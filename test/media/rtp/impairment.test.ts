// Receive statistics against a relay that impairs the stream on purpose: the loss must be
// reported exactly, reordering and duplicates as such, and the jitter within a stated tolerance
// of what RFC 3550 A.8 gives for the delays the relay added.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MediaStream } from "../../../src/media/rtp/media-stream.ts";
import type { SourceSnapshot } from "../../../src/media/rtp/receive-statistics.ts";
import { mediaNow } from "../../../src/media/rtp/wait.ts";
import { type RtpImpairment, RtpImpairmentRelay } from "../../support/rtp-impairment-relay.ts";

const HOST = "127.0.0.1";
/** Packets A sends in each test: 2 s at 50 packets/s. */
const PACKETS = 100;
/**
 * How far the receiver's jitter may be from the jitter of the packets as the relay sent them (the
 * time on the wire): 1 ms plus 5 % (a process stalled by a loaded machine shifts both, not quite alike).
 */
function jitterTolerance(wireMs: number): number {
  return 1 + 0.05 * wireMs;
}
/** How far below the model of the relay's nominal delays it may be (timers fire late, and a stalled process adds jitter, never removes it). */
const MODEL_TOLERANCE_MS = 1;

/** RFC 3550 A.8 computed independently on the relay's send times: what a capture on the wire would show. */
function wireJitterMs(log: readonly { timestamp: number; atMs: number }[], clockRate = 8000): number {
  let j = 0;
  for (let i = 1; i < log.length; i++) {
    const d = (log[i].atMs - log[i - 1].atMs) * (clockRate / 1000) - ((log[i].timestamp - log[i - 1].timestamp) | 0);
    j += (Math.abs(d) - j) / 16;
  }
  return (j * 1000) / clockRate;
}

/** A sends PACKETS packets through the relay to B (recvonly); returns B's statistics of A and the relay. */
async function run(t: { after: (fn: () => Promise<void>) => void }, impairments: readonly RtpImpairment[]): Promise<{ source: SourceSnapshot; relay: RtpImpairmentRelay }> {
  const a = await MediaStream.open({ host: HOST, payloadType: 0, clockRate: 8000, initialSequence: 65500 });
  const b = await MediaStream.open({ host: HOST, payloadType: 0, clockRate: 8000, direction: "recvonly" });
  const relay = await RtpImpairmentRelay.start({ host: HOST, port: a.local.rtpPort }, { host: HOST, port: b.local.rtpPort }, impairments);
  t.after(async () => {
    await Promise.all([a.stop(), b.stop()]);
    await relay.close();
  });
  b.setRemote(relay.forB);
  a.setRemote(relay.forA);
  const deadline = { at: mediaNow() + 10_000, budget: "impairment test" };
  while (a.stats().sent.packets < PACKETS) await b.waitForPackets(1, deadline);
  a.setDirection("inactive");
  // let delayed packets land
  await new Promise((r) => setTimeout(r, 200));
  const source = b.stats().sources.find((s) => s.ssrc === a.ssrc);
  assert.ok(source, "B heard A");
  assert.equal(relay.stats["a-to-b"].rtp, a.stats().sent.packets, "every packet A sent reached the relay");
  return { source, relay };
}

test("packets dropped by sequence number (across the 16-bit wrap) are reported lost exactly", async (t) => {
  const dropped = [65510, 65535, 0, 1, 40];
  const { source, relay } = await run(t, [{ direction: "a-to-b", sequence: dropped, action: "drop" }]);
  assert.deepEqual(relay.stats["a-to-b"].dropped, dropped);
  assert.equal(source.lost, 5);
  assert.equal(source.cumulativeLost, 5);
  assert.equal(source.duplicates, 0);
  assert.equal(source.outOfOrder, 0);
  assert.ok(source.highestSequence > 65536, "the extended highest sequence number counts the wrap");
});

test("every 10th packet dropped: the loss is the number the relay dropped, 10%", async (t) => {
  const { source, relay } = await run(t, [{ direction: "a-to-b", every: 10, action: "drop" }]);
  const dropped = relay.stats["a-to-b"].dropped.length;
  assert.ok(dropped >= PACKETS / 10 - 1);
  // a drop after the last packet B received is not yet known as lost (RFC 3550 A.3 counts up to the highest received)
  const lastDroppedIsLast = relay.stats["a-to-b"].rtp % 10 === 0;
  assert.equal(source.lost, dropped - (lastDroppedIsLast ? 1 : 0));
  assert.ok(Math.abs(source.lossRatio - 0.1) < 0.01, `loss ratio ${source.lossRatio}`);
});

test("packets delayed beyond the next ones arrive out of order, not lost; duplicated packets are duplicates, not received twice", async (t) => {
  const { source, relay } = await run(t, [
    { direction: "a-to-b", index: [20, 60], action: { delayMs: 100 } },
    { direction: "a-to-b", index: [30, 31, 90], action: "duplicate" },
  ]);
  assert.equal(relay.stats["a-to-b"].delayed.length, 2);
  assert.equal(source.outOfOrder, 2, "each packet 100 ms late arrives after the five that followed it");
  assert.equal(source.duplicates, 3);
  assert.equal(source.lost, 0);
  assert.equal(source.cumulativeLost, -3, "RFC 3550 6.4.1: duplicates make the reported cumulative loss negative");
});

test("jitter from a relay that holds every 4th packet 15 ms: that of the wire within 1 ms + 5 %, and at least the A.8 model of those delays", async (t) => {
  const { source, relay } = await run(t, [{ direction: "a-to-b", every: 4, action: { delayMs: 15 } }]);
  assert.ok(relay.stats["a-to-b"].delayed.length >= PACKETS / 4 - 1);
  // the model: packets 20 ms apart, every 4th 15 ms late, through J += (|D| - J) / 16
  let j = 0;
  let lastTransit = 0;
  for (let i = 0; i < relay.stats["a-to-b"].rtp; i++) {
    const transit = i % 4 === 3 ? 15 : 0;
    if (i > 0) j += (Math.abs(transit - lastTransit) - j) / 16;
    lastTransit = transit;
  }
  assert.ok(j > 7, `the model's jitter ${j} ms is well above loopback noise`);
  const wire = wireJitterMs(relay.stats["a-to-b"].forwardLog);
  assert.ok(Math.abs(source.jitterMs - wire) <= jitterTolerance(wire), `measured ${source.jitterMs} ms, on the wire ${wire.toFixed(3)} ms`);
  // idle: 8.2..8.4 ms against a model of 7.5 ms (timers fire a little late); a loaded machine adds more
  assert.ok(source.jitterMs >= j - MODEL_TOLERANCE_MS, `measured ${source.jitterMs} ms, model ${j.toFixed(2)} ms`);
  assert.equal(source.lost, 0);
});

test("without impairment the jitter is that of the wire (about 0.5 ms on an idle machine)", async (t) => {
  const { source, relay } = await run(t, []);
  assert.equal(source.lost, 0);
  const wire = wireJitterMs(relay.stats["a-to-b"].forwardLog);
  assert.ok(Math.abs(source.jitterMs - wire) <= jitterTolerance(wire), `measured ${source.jitterMs} ms, on the wire ${wire.toFixed(3)} ms`);
  assert.ok(source.perSecond.length >= 2 && source.perSecond.length <= 4);
  assert.ok(
    source.perSecond.slice(1, -1).every((s) => s.packets >= 35 && s.packets <= 65),
    JSON.stringify(source.perSecond),
  );
});

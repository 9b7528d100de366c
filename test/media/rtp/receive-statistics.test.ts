import { test } from "node:test";
import assert from "node:assert/strict";
import { ReceiveStatistics, SourceStatistics } from "../../../src/media/rtp/receive-statistics.ts";
import { PerSecondRing } from "../../../src/media/rtp/per-second-ring.ts";

const T0 = 1_700_000_000_000;

/** Feeds packets with sequence numbers `seqs` (in that order), 20 ms apart, 160 timestamp units each. */
function feed(seqs: readonly number[], first = seqs[0]): SourceStatistics {
  const s = new SourceStatistics(0xabc, first, T0, { clockRate: 8000 });
  seqs.forEach((seq, i) => s.onPacket(seq, ((seq - first) & 0xffff) * 160, 0, T0 + i * 20));
  return s;
}

function range(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => (from + i) & 0xffff);
}

test("RFC 3550 A.1: the first packet is on probation; from the second on, every packet is expected and received", () => {
  const s = feed(range(1000, 100)).snapshot();
  assert.equal(s.packets, 100);
  assert.equal(s.valid, true);
  assert.equal(s.discarded, 1, "MIN_SEQUENTIAL = 2: the first packet only starts the probation");
  assert.equal(s.baseSequence, 1001);
  assert.equal(s.expected, 99);
  assert.equal(s.received, 99);
  assert.equal(s.lost, 0);
  assert.equal(s.cumulativeLost, 0);
  assert.equal(s.highestSequence, 1099);
  assert.deepEqual(s.payloadTypes, { "0": 100 });
});

test("RFC 3550 A.3: lost packets are counted exactly, across a sequence number wrap (cycles in the extended highest)", () => {
  const seqs = range(65500, 100).filter((q) => q !== 65510 && q !== 65511 && q !== 4);
  const s = feed(seqs).snapshot();
  assert.equal(s.expected, 99);
  assert.equal(s.lost, 3);
  assert.equal(s.cumulativeLost, 3);
  assert.equal(s.highestSequence, 65536 + 63, "one cycle plus the last sequence number 63");
  assert.ok(Math.abs(s.lossRatio - 3 / 99) < 1e-9);
});

test("duplicates are counted apart and do not hide loss; A.3's cumulative loss goes down with them as RFC 3550 6.4.1 says", () => {
  const seqs = range(10, 50).filter((q) => q !== 30);
  seqs.splice(20, 0, 25, 25); // two extra copies of 25 after 29
  const s = feed(seqs).snapshot();
  assert.equal(s.duplicates, 2);
  assert.equal(s.outOfOrder, 0);
  assert.equal(s.lost, 1);
  assert.equal(s.cumulativeLost, -1, "1 lost - 2 duplicates");
});

test("reordered packets are out of order, not lost; a packet more than MAX_MISORDER late is discarded (A.1)", () => {
  const seqs = range(200, 60);
  [seqs[20], seqs[21]] = [seqs[21], seqs[20]]; // 221 before 220: 220 is late
  [seqs[40], seqs[43]] = [seqs[43], seqs[40]]; // 243 first: 241, 242 and 240 are late
  const s = feed(seqs).snapshot();
  assert.equal(s.outOfOrder, 4);
  assert.equal(s.lost, 0);
  assert.equal(s.duplicates, 0);

  const late = new SourceStatistics(1, 0, T0, { clockRate: 8000 });
  for (let q = 0; q < 300; q++) if (q !== 100) late.onPacket(q, q * 160, 0, T0 + q * 20);
  assert.equal(late.onPacket(100, 100 * 160, 0, T0 + 6000), "jump", "199 behind the highest: beyond MAX_MISORDER (100)");
  assert.equal(late.snapshot().lost, 1);
});

test("RFC 3550 A.1: a jump beyond MAX_DROPOUT is discarded once, and two sequential packets restart the source", () => {
  const s = new SourceStatistics(1, 100, T0, { clockRate: 8000 });
  for (const q of range(100, 10)) s.onPacket(q, 0, 0, T0);
  assert.equal(s.onPacket(9000, 0, 0, T0), "jump");
  assert.equal(s.onPacket(110, 0, 0, T0), "in-order", "the old sequence goes on");
  assert.equal(s.onPacket(20000, 0, 0, T0), "jump");
  assert.equal(s.onPacket(20001, 0, 0, T0), "restart");
  const snap = s.snapshot();
  assert.equal(snap.restarts, 1);
  assert.equal(snap.baseSequence, 20001);
  assert.equal(snap.expected, 1);
  assert.equal(snap.received, 1);
});

test("RFC 3550 A.8: interarrival jitter follows J += (|D| - J) / 16, in timestamp units and ms", () => {
  const s = new SourceStatistics(1, 0, T0, { clockRate: 8000 });
  s.onPacket(0, 0, 0, T0);
  s.onPacket(1, 160, 0, T0 + 25); // 5 ms late: D = 40 units
  assert.equal(s.snapshot().jitter, 2.5);
  s.onPacket(2, 320, 0, T0 + 40); // on time again: D = -40
  const j = 2.5 + (40 - 2.5) / 16;
  assert.equal(s.snapshot().jitter, Math.round(j * 1000) / 1000);
  assert.equal(s.snapshot().jitterMs, Math.round(((j * 1000) / 8000) * 1000) / 1000);
  // a constant transit time adds nothing; the timestamp may wrap
  const w = new SourceStatistics(2, 0, T0, { clockRate: 8000 });
  for (let i = 0; i < 10; i++) w.onPacket(i, (0xffffff00 + i * 160) >>> 0, 0, T0 + i * 20);
  assert.equal(w.snapshot().jitter, 0);
});

test("payload types named to be left out (telephone-event) do not move the jitter", () => {
  const s = new SourceStatistics(1, 0, T0, { clockRate: 8000, jitterIgnoresPayloadTypes: new Set([101]) });
  for (let i = 0; i < 5; i++) s.onPacket(i, i * 160, 0, T0 + i * 20);
  for (let i = 5; i < 10; i++) s.onPacket(i, 5 * 160, 101, T0 + i * 20); // one event: one timestamp for 100 ms
  assert.equal(s.snapshot().jitter, 0);
  assert.deepEqual(s.snapshot().payloadTypes, { "0": 5, "101": 5 });
});

test("RFC 3550 A.3: a report block carries the fraction lost of its interval, and the next interval starts afresh", () => {
  const s = new SourceStatistics(5, 0, T0, { clockRate: 8000 });
  // 101 packets sent (0..100), the first on probation: 100 expected, every 4th lost = 25
  for (let q = 0; q <= 100; q++) if (q === 0 || q % 4 !== 0 || q === 100) s.onPacket(q, q * 160, 0, T0 + q * 20);
  const first = s.reportBlock(T0 + 3000);
  assert.equal(first.cumulativeLost, 24);
  assert.equal(first.fractionLost, Math.floor((24 * 256) / 100));
  assert.equal(first.highestSequence, 100);
  assert.equal(first.lastSr, 0);
  for (let q = 101; q <= 150; q++) s.onPacket(q, q * 160, 0, T0 + q * 20);
  const second = s.reportBlock(T0 + 4000);
  assert.equal(second.fractionLost, 0);
  assert.equal(second.cumulativeLost, 24);
});

test("LSR and DLSR come from the last SR of the source (RFC 3550 6.4.1)", () => {
  const s = new SourceStatistics(5, 0, T0, { clockRate: 8000 });
  s.onPacket(0, 0, 0, T0);
  s.onSenderReport({ type: "sr", ssrc: 5, ntp: { seconds: 0x00012345, fraction: 0x67890000 }, rtpTimestamp: 0, packetCount: 1, octetCount: 160, reports: [] }, T0 + 1000);
  const b = s.reportBlock(T0 + 1500);
  assert.equal(b.lastSr, 0x23456789);
  assert.equal(b.delaySinceLastSr, 32768, "0.5 s in 1/65536 s");
});

test("the per-second ring keeps at most its capacity of samples, with empty seconds as zero", () => {
  const ring = new PerSecondRing(5);
  for (let ms = 0; ms < 10_000; ms += 20) if (ms < 3000 || ms >= 4000) ring.add(T0 + ms, ms / 1000);
  const samples = ring.samples();
  assert.equal(samples.length, 5);
  assert.deepEqual(
    samples.map((x) => x.packets),
    [50, 50, 50, 50, 50],
  );
  const gap = new PerSecondRing(10);
  gap.add(T0, 1);
  gap.add(T0 + 3000, 2);
  assert.deepEqual(
    gap.samples().map((x) => x.packets),
    [1, 0, 0, 1],
  );
});

test("a source's snapshot is JSON and its memory is bounded whatever the number of packets", () => {
  const s = new SourceStatistics(9, 0, T0, { clockRate: 8000, secondsKept: 60 });
  for (let i = 0; i < 200_000; i++) s.onPacket(i & 0xffff, (i * 160) >>> 0, 0, T0 + i * 20);
  const snap = s.snapshot();
  assert.equal(snap.perSecond.length, 60);
  assert.equal(snap.lost, 0);
  assert.equal(snap.highestSequence, 199_999);
  assert.deepEqual(JSON.parse(JSON.stringify(snap)), snap);
});

test("ReceiveStatistics keeps one entry per SSRC, at most maxSources, forgetting the one heard from least recently", () => {
  const r = new ReceiveStatistics({ clockRate: 8000, maxSources: 2 });
  r.onPacket(1, 0, 0, 0, T0);
  r.onPacket(2, 0, 0, 0, T0 + 10);
  r.onPacket(1, 1, 160, 0, T0 + 20);
  r.onPacket(3, 0, 0, 0, T0 + 30);
  assert.deepEqual(
    r.snapshots().map((s) => s.ssrc),
    [1, 3],
  );
  assert.equal(r.evicted, 1);
  assert.equal(r.reportBlocks(T0 + 40).length, 2);
  assert.equal(r.reportBlocks(T0 + 40, T0 + 25).length, 1, "only sources heard since the last report");
});

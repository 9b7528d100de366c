import { test } from "node:test";
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { MediaStream, type MediaStreamOptions } from "../../../src/media/rtp/media-stream.ts";
import { pcmuTone } from "../../../src/media/rtp/payload-source.ts";
import { MediaTimeoutError, mediaNow } from "../../../src/media/rtp/wait.ts";
import { encodeRtp } from "../../../src/media/rtp/rtp-packet.ts";
import { bindUdpPair, close } from "../../../src/media/rtp/udp-pair.ts";

const HOST = "127.0.0.1";

function inMs(ms: number, budget = "test step"): { at: number; budget: string } {
  return { at: mediaNow() + ms, budget };
}

/** Two streams pointed at each other; both stopped after the test. */
async function pair(t: { after: (fn: () => Promise<void>) => void }, a: Partial<MediaStreamOptions> = {}, b: Partial<MediaStreamOptions> = {}): Promise<[MediaStream, MediaStream]> {
  const sa = await MediaStream.open({ host: HOST, payloadType: 0, clockRate: 8000, ...a });
  const sb = await MediaStream.open({ host: HOST, payloadType: 0, clockRate: 8000, ...b });
  t.after(() => Promise.all([sa.stop(), sb.stop()]).then(() => undefined));
  sa.setRemote({ host: HOST, port: sb.local.rtpPort });
  sb.setRemote({ host: HOST, port: sa.local.rtpPort });
  return [sa, sb];
}

test("RFC 3550 11: the stream binds RTP on an even port and RTCP on the next; a given odd port is refused", async () => {
  const streams = await Promise.all(Array.from({ length: 6 }, () => MediaStream.open({ host: HOST, payloadType: 0, clockRate: 8000 })));
  try {
    for (const s of streams) {
      assert.equal(s.local.rtpPort % 2, 0);
      assert.equal(s.local.rtcpPort, s.local.rtpPort + 1);
    }
    const port = streams[0].local.rtpPort;
    await streams[0].stop();
    const again = await MediaStream.open({ host: HOST, port, payloadType: 0, clockRate: 8000 });
    assert.equal(again.local.rtpPort, port, "a given even port, freed by stop()");
    await again.stop();
    await assert.rejects(MediaStream.open({ host: HOST, port: port + 1, payloadType: 0, clockRate: 8000 }), /not an even port/);
  } finally {
    await Promise.all(streams.map((s) => s.stop()));
  }
});

test("each socket's receive buffer is bounded to what was asked (Linux doubles SO_RCVBUF for its bookkeeping)", async () => {
  const pair = await bindUdpPair(HOST, 0, 64 * 1024);
  try {
    for (const socket of [pair.rtp, pair.rtcp]) {
      const size = socket.getRecvBufferSize();
      assert.ok(size >= 64 * 1024 && size <= 2 * 64 * 1024, `SO_RCVBUF ${size}`);
    }
  } finally {
    await Promise.all([close(pair.rtp), close(pair.rtcp)]);
  }
});

test("a 1004 Hz tone at -13 dBm0 sent as PCMU at 50 packets/s arrives, and the stats show no loss", async (t) => {
  const [a, b] = await pair(t, { source: pcmuTone({ frequency: 1004, levelDbm0: -13 }) });
  const heard = await b.waitForTone({ frequency: 1004, levelDbm0: -13, toleranceDb: 1, minDurationMs: 200 }, inMs(2000));
  assert.ok(Math.abs(heard.levelDbm0 + 13) < 0.5, `level ${heard.levelDbm0}`);
  await b.waitForPackets(25, inMs(2000));
  const sb = b.stats();
  const source = sb.sources.find((s) => s.ssrc === a.ssrc);
  assert.ok(source);
  assert.equal(source.lost, 0);
  assert.equal(source.duplicates, 0);
  assert.deepEqual(Object.keys(source.payloadTypes), ["0"]);
  assert.ok(source.jitterMs < 10, `jitter ${source.jitterMs} ms on loopback`);
  assert.ok(a.stats().sent.packets >= source.packets);
  const m = b.measureAudio([1004, 697]);
  assert.equal(m.silent, false);
  assert.ok(Math.abs((m.dominantFrequency ?? 0) - 1004) <= 10);
  assert.equal(m.tones[0].present, true);
  assert.equal(m.tones[1].present, false);
  assert.deepEqual(JSON.parse(JSON.stringify(sb)), sb, "the snapshot is JSON");
});

test("waitForTone tells a different tone and a silent stream from the right one, naming the budget", async (t) => {
  const [, b] = await pair(t, { source: pcmuTone({ frequency: 697, levelDbm0: -13 }) });
  const err = await b.waitForTone({ frequency: 1004, levelDbm0: -13 }, inMs(600, "step 'UE-B hears the test tone'")).catch((e: unknown) => e);
  assert.ok(err instanceof MediaTimeoutError);
  assert.equal(err.budget, "step 'UE-B hears the test tone'");
  assert.match(err.message, /Expected: a 1004 Hz tone at -13 dBm0/);
  assert.match(err.message, /Received: the last 200 ms: mostly (69\d|700) Hz/);
  assert.match(err.message, /Timeout: {2}\d+ ms \(step 'UE-B hears the test tone'\)/);

  const [, quiet] = await pair(t);
  const silent = await quiet.waitForTone({ frequency: 1004 }, mediaNow() + 400).catch((e: unknown) => e);
  assert.ok(silent instanceof MediaTimeoutError);
  assert.match(silent.message, /silence/);
  assert.equal(silent.budget, "media wait");
});

test("RFC 3264 5.1: recvonly and inactive send no RTP but still RTCP; packets arriving while not receiving are counted as unexpected", async (t) => {
  const [a, b] = await pair(t, { direction: "recvonly", rtcpIntervalMs: 200 }, { direction: "inactive" });
  await b.waitForRtcp(inMs(2000));
  const quiet = await b.waitForPackets(1, inMs(300)).catch((e: unknown) => e);
  assert.ok(quiet instanceof MediaTimeoutError, "recvonly sends nothing");
  assert.match(quiet.message, /\(the stream's direction is inactive\)/);
  assert.equal(a.stats().sent.packets, 0);
  assert.ok(a.stats().sent.rtcp >= 1);
  a.setDirection("sendrecv");
  await b.waitForPackets(10, inMs(2000));
  assert.ok(b.stats().received.unexpected >= 10, "inactive: whatever arrives was not expected");
  b.setDirection("recvonly");
  const before = b.stats().received.unexpected;
  await b.waitForPackets(10, inMs(2000));
  assert.equal(b.stats().received.unexpected, before);
  assert.equal(b.currentDirection, "recvonly");
});

test("setRemote moves the media to a new address while running (a re-INVITE changed the SDP)", async (t) => {
  const [a, b] = await pair(t);
  const c = await MediaStream.open({ host: HOST, payloadType: 0, clockRate: 8000, direction: "recvonly" });
  t.after(() => c.stop());
  await b.waitForPackets(5, inMs(2000));
  a.setRemote({ host: HOST, port: c.local.rtpPort });
  await c.waitForPackets(10, inMs(2000));
  const fromA = c.stats().sources.find((s) => s.ssrc === a.ssrc);
  assert.ok(fromA);
  assert.equal(fromA.lost, 0, "the same SSRC and sequence go on at the new address");
  a.setRemote(null);
  const sent = a.stats().sent.packets;
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(a.stats().sent.packets, sent, "no remote: nothing sent");
});

test("RFC 3550 6.4: SR with a report block about the peer, SDES CNAME; the peer's reports give loss, jitter and round trip", async (t) => {
  const [a, b] = await pair(t, { rtcpIntervalMs: 300, cname: "alice@ims.test" }, { rtcpIntervalMs: 300 });
  await b.waitForPackets(10, inMs(2000));
  let compound = await b.waitForRtcp(inMs(2000));
  while (compound[0].type !== "sr" || compound[0].reports.length === 0) compound = await b.waitForRtcp(inMs(2000));
  const sr = compound[0];
  assert.equal(sr.type, "sr");
  assert.equal(sr.ssrc, a.ssrc);
  assert.equal(sr.reports[0].ssrc, b.ssrc);
  const sdes = compound.find((p) => p.type === "sdes");
  assert.equal(sdes?.type === "sdes" && sdes.chunks[0].cname, "alice@ims.test");
  // once B has seen A's SR and reported on it, A knows the round trip
  const deadline = mediaNow() + 3000;
  while (!a.stats().remoteReports.some((r) => r.roundTripMs !== undefined) && mediaNow() < deadline) await a.waitForRtcp(inMs(2000));
  const report = a.stats().remoteReports.find((r) => r.reporter === b.ssrc);
  assert.ok(report?.roundTripMs !== undefined, JSON.stringify(a.stats().remoteReports));
  assert.ok(report.roundTripMs >= 0 && report.roundTripMs < 50, `round trip ${report.roundTripMs} ms on loopback`);
  assert.equal(report.cumulativeLost, 0);
  const fromA = b.stats().sources.find((s) => s.ssrc === a.ssrc);
  assert.ok(fromA?.lastSenderReport);
  assert.ok(fromA.lastSenderReport.packetCount > 0);
});

test("RFC 4733: '1', '#' and '9' sent at 100 ms and 250 ms through the stream come back with their durations", async (t) => {
  const [a, b] = await pair(t, { telephoneEvent: { payloadType: 101 }, source: pcmuTone({ frequency: 440, levelDbm0: -20 }) }, { telephoneEvent: { payloadType: 101 } });
  await b.waitForPackets(3, inMs(2000));
  await a.sendDigits("1#9", { durationMs: 100 });
  await a.sendDigits("1#9", { durationMs: 250, gapMs: 60 });
  await b.waitForDigits(6, inMs(3000));
  // the last retransmission of the final packet may still be on its way when sendDigits resolves
  await b.waitForPackets(3, inMs(1000));
  const events = b.receivedDigits();
  assert.deepEqual(
    events.map((e) => [e.digit, e.durationMs, e.ended, e.endPackets, e.markerSeen]),
    [
      ["1", 100, true, 3, true],
      ["#", 100, true, 3, true],
      ["9", 100, true, 3, true],
      ["1", 250, true, 3, true],
      ["#", 250, true, 3, true],
      ["9", 250, true, 3, true],
    ],
  );
  assert.equal(new Set(events.map((e) => e.timestamp)).size, 6, "one RTP timestamp per event");
  const fromA = b.stats().sources.find((s) => s.ssrc === a.ssrc);
  assert.ok(fromA);
  assert.equal(fromA.lost, 0, "events share the audio's sequence numbers");
  assert.ok((fromA.payloadTypes["101"] ?? 0) === 4 * 3 + 7 * 3, `telephone-event packets: ${JSON.stringify(fromA.payloadTypes)}`);
  // counted, one event's 100..250 ms under one timestamp would push the jitter to tens of ms
  assert.ok(fromA.jitterMs < 10, `events do not count in the jitter: ${fromA.jitterMs} ms`);
  assert.equal(a.stats().sent.eventPackets, 33);
  await b.waitForDigits("9#1", inMs(10)).catch((e: unknown) => {
    assert.ok(e instanceof MediaTimeoutError);
    assert.match(e.message, /Received: 1 100 ms, # 100 ms, 9 100 ms, 1 250 ms/);
  });
});

test("sendDigits refuses what it cannot send", async (t) => {
  const [a, b] = await pair(t, { telephoneEvent: { payloadType: 101 }, direction: "recvonly" });
  await assert.rejects(a.sendDigits("1"), /the direction is recvonly/);
  await assert.rejects(b.sendDigits("1"), /without a telephone-event payload type/);
  a.setDirection("sendrecv");
  await assert.rejects(a.sendDigits("E"), /no DTMF digit/);
  await assert.rejects(a.sendDigits("1", { durationMs: 10_000 }), /segments/);
});

test("malformed packets are counted with their reason, not thrown; stop() sends BYE, rejects waits and frees the ports", async (t) => {
  const [a, b] = await pair(t, { ssrc: 0x1234 });
  const raw = createSocket("udp4");
  t.after(() => new Promise<void>((r) => raw.close(() => r())));
  raw.send(Uint8Array.of(0x40, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0), b.local.rtpPort, HOST);
  raw.send(encodeRtp({ payloadType: 0, sequenceNumber: 1, timestamp: 0, ssrc: 99, payload: new Uint8Array(160).fill(0xff) }), b.local.rtpPort, HOST);
  raw.send(Uint8Array.of(0x80, 202, 0, 0), b.local.rtcpPort, HOST);
  await b.waitForPackets(20, inMs(2000), { ssrc: 0x1234 });
  const s = b.stats();
  assert.equal(s.received.malformed, 1);
  assert.equal(s.received.rtcpMalformed, 1);
  assert.ok(s.received.problems.some((p) => /version 1, not 2/.test(p)));
  assert.ok(s.received.problems.some((p) => /not SR \(200\) or RR \(201\)/.test(p)));
  assert.deepEqual(s.sources.map((x) => x.ssrc).sort(), [99, 0x1234].sort());

  const pending = b.waitForPackets(1_000_000, inMs(5000));
  await a.stop("call released");
  await b.waitForRtcp(inMs(2000));
  assert.deepEqual(b.stats().received.byes, [{ ssrcs: [0x1234], reason: "call released" }]);
  await b.stop();
  await assert.rejects(pending, /was stopped during the wait/);
  await assert.rejects(b.waitForPackets(1, inMs(10)), /is stopped/);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { TelephoneEventReceiver, decodeTelephoneEvent, digitToEvent, encodeTelephoneEvent, eventToDigit, planEvent } from "../../../src/media/rtp/telephone-event.ts";

test("RFC 4733 2.3: event, E, R, volume and duration in four octets", () => {
  assert.deepEqual([...encodeTelephoneEvent({ event: 1, end: true, volume: 10, duration: 800 })], [0x01, 0x8a, 0x03, 0x20]);
  assert.deepEqual(decodeTelephoneEvent(Uint8Array.of(0x0b, 0x0a, 0x07, 0xd0)), { ok: true, payload: { event: 11, end: false, volume: 10, duration: 2000 } });
  const short = decodeTelephoneEvent(Uint8Array.of(1, 2, 3));
  assert.equal(short.ok, false);
  assert.throws(() => encodeTelephoneEvent({ event: 1, end: false, volume: 64, duration: 0 }), /volume/);
});

test("RFC 4733 3.2: DTMF digits and event codes", () => {
  assert.deepEqual([..."0123456789*#ABCD"].map(digitToEvent), [...Array(16).keys()]);
  assert.equal(digitToEvent("a"), 12);
  assert.equal(eventToDigit(11), "#");
  assert.equal(eventToDigit(16), "event 16");
  assert.throws(() => digitToEvent("E"), /no DTMF digit/);
});

test("RFC 4733 2.5.1.2, 2.5.1.4: a 100 ms digit: marker on the first packet, duration growing per 50 ms, the final packet three times", () => {
  const plan = planEvent({ event: 1, durationMs: 100, clockRate: 8000 });
  assert.deepEqual(
    plan.map((p) => [p.atMs, p.marker, p.payload.duration, p.payload.end]),
    [
      [0, true, 400, false],
      [50, false, 800, true],
      [100, false, 800, true],
      [150, false, 800, true],
    ],
  );
  const long = planEvent({ event: 11, durationMs: 250, clockRate: 8000, volume: 7 });
  assert.deepEqual(
    long.map((p) => p.payload.duration),
    [400, 800, 1200, 1600, 2000, 2000, 2000],
  );
  assert.ok(long.every((p) => p.payload.volume === 7 && p.payload.event === 11));
  assert.throws(() => planEvent({ event: 1, durationMs: 9000, clockRate: 8000 }), /segments \(RFC 4733 2.5.1.3\)/);
});

test("RFC 4733 2.5.2: the receiver rebuilds events and counts the retransmitted final packets once", () => {
  const r = new TelephoneEventReceiver(8000);
  const send = (ts: number, marker: boolean, event: number, end: boolean, duration: number): void => {
    r.onPacket(0x42, ts, marker, encodeTelephoneEvent({ event, end, volume: 10, duration }), 0);
  };
  for (const p of planEvent({ event: 1, durationMs: 100, clockRate: 8000 })) send(1000, p.marker, 1, p.payload.end, p.payload.duration);
  for (const p of planEvent({ event: 11, durationMs: 250, clockRate: 8000 })) send(5000, p.marker, 11, p.payload.end, p.payload.duration);
  send(5000, false, 11, false, 1200); // a late update never shortens the event
  const events = r.events();
  assert.deepEqual(
    events.map((e) => [e.digit, e.durationMs, e.ended, e.endPackets, e.markerSeen]),
    [
      ["1", 100, true, 3, true],
      ["#", 250, true, 3, true],
    ],
  );
  assert.ok("error" in r.onPacket(1, 1, false, Uint8Array.of(1), 0));
});

// telephone-event, RFC 4733: the 4-octet payload (2.3), the packets a sender sends for one event
// (2.5.1.2 first packet with the marker bit, one timestamp for the whole event, a growing
// duration; 2.5.1.4 the final packet with the E bit sent three times), and a receiver that puts
// events back together (2.5.2), counting a retransmitted final packet once.

/** RFC 4733 3.2 (Table 7): events 0..15 are the DTMF digits 0-9, *, #, A-D. */
const DTMF = "0123456789*#ABCD";

/** RFC 4733 2.3.4: the duration field is 16 bits; a longer event needs segments (2.5.1.3), which this module does not send. */
export const MAX_EVENT_DURATION_UNITS = 0xffff;

/** RFC 4733 2.3: event (8 bits), E (1), R (1), volume (6, -dBm0), duration (16, timestamp units). */
export interface TelephoneEventPayload {
  readonly event: number;
  readonly end: boolean;
  /** Power level of the tone as 0..63, meaning 0 to -63 dBm0 (2.3.3). */
  readonly volume: number;
  /** Duration so far in timestamp units (2.3.5). */
  readonly duration: number;
}

export type TelephoneEventDecodeResult = { readonly ok: true; readonly payload: TelephoneEventPayload } | { readonly ok: false; readonly reason: string };

/** RFC 4733 3.2: the event code of a DTMF digit ("0".."9", "*", "#", "A".."D"). */
export function digitToEvent(digit: string): number {
  const code = DTMF.indexOf(digit.toUpperCase());
  if (digit.length !== 1 || code < 0) throw new RangeError(`"${digit}" is no DTMF digit (RFC 4733 3.2: 0-9, *, #, A-D)`);
  return code;
}

/** RFC 4733 3.2: the digit of an event code, or `event 16` (flash) and such for the others. */
export function eventToDigit(event: number): string {
  return event < DTMF.length ? DTMF[event] : `event ${event}`;
}

/** RFC 4733 2.3. */
export function encodeTelephoneEvent(p: TelephoneEventPayload): Uint8Array {
  if (!Number.isInteger(p.event) || p.event < 0 || p.event > 255) throw new RangeError(`event code is 8 bits, got ${p.event}`);
  if (!Number.isInteger(p.volume) || p.volume < 0 || p.volume > 63) throw new RangeError(`volume is 0..63 (-dBm0, RFC 4733 2.3.3), got ${p.volume}`);
  if (!Number.isInteger(p.duration) || p.duration < 0 || p.duration > MAX_EVENT_DURATION_UNITS) throw new RangeError(`duration is 16 bits of timestamp units (RFC 4733 2.3.5), got ${p.duration}`);
  return Uint8Array.of(p.event, (p.end ? 0x80 : 0) | p.volume, p.duration >> 8, p.duration & 0xff);
}

/** RFC 4733 2.3; of several events packed in one payload (2.5.1.5) the first is read. Never throws. */
export function decodeTelephoneEvent(bytes: Uint8Array): TelephoneEventDecodeResult {
  if (bytes.length < 4) return { ok: false, reason: `telephone-event payload of ${bytes.length} octets, shorter than 4 (RFC 4733 2.3)` };
  return { ok: true, payload: { event: bytes[0], end: (bytes[1] & 0x80) !== 0, volume: bytes[1] & 0x3f, duration: (bytes[2] << 8) | bytes[3] } };
}

export interface EventPlanOptions {
  readonly event: number;
  readonly durationMs: number;
  /** The telephone-event clock rate (RFC 4733 2.1: that of the audio, usually 8000). */
  readonly clockRate: number;
  /** Time between packets of the event (default 50 ms, RFC 4733 2.5.1.2). */
  readonly intervalMs?: number;
  /** 0..63 (-dBm0, default 10). */
  readonly volume?: number;
}

export interface EventPacketPlan {
  /** When to send, in ms after the event's start. */
  readonly atMs: number;
  readonly marker: boolean;
  readonly payload: TelephoneEventPayload;
}

/**
 * The packets of one event, all with the event's start as RTP timestamp (2.5.1.2): the first with
 * the marker bit; every `intervalMs` one whose duration covers the time so far plus one interval,
 * capped at the event's duration; the packet that reaches the duration has the E bit and is
 * sent three times in all, an interval apart (2.5.1.4). Each is sent with a new sequence number.
 */
export function planEvent(o: EventPlanOptions): EventPacketPlan[] {
  const intervalMs = o.intervalMs ?? 50;
  const total = Math.round((o.durationMs * o.clockRate) / 1000);
  const step = Math.round((intervalMs * o.clockRate) / 1000);
  if (total < 1) throw new RangeError(`an event lasts at least one timestamp unit, got ${o.durationMs} ms`);
  if (total > MAX_EVENT_DURATION_UNITS)
    throw new RangeError(`${o.durationMs} ms is ${total} timestamp units, more than the 16-bit duration field holds; longer events need segments (RFC 4733 2.5.1.3)`);
  if (step < 1) throw new RangeError(`interval ${intervalMs} ms is less than one timestamp unit`);
  const volume = o.volume ?? 10;
  const plan: EventPacketPlan[] = [];
  for (let k = 0; ; k++) {
    const duration = Math.min((k + 1) * step, total);
    const end = duration === total;
    plan.push({ atMs: k * intervalMs, marker: k === 0, payload: { event: o.event, end, volume, duration } });
    if (end) {
      // RFC 4733 2.5.1.4: the final packet a total of three times, at the update interval
      const last = plan[plan.length - 1];
      plan.push({ ...last, atMs: last.atMs + intervalMs }, { ...last, atMs: last.atMs + 2 * intervalMs });
      return plan;
    }
  }
}

/** One event as the receiver rebuilt it. */
export interface ReceivedEvent {
  readonly ssrc: number;
  /** The event's RTP timestamp: its start (2.5.1.2). */
  readonly timestamp: number;
  readonly event: number;
  /** "0".."9", "*", "#", "A".."D", or "event N". */
  readonly digit: string;
  readonly volume: number;
  /** The largest duration received, in timestamp units. */
  readonly durationUnits: number;
  readonly durationMs: number;
  /** A packet with the E bit arrived (2.5.1.4). */
  readonly ended: boolean;
  /** Whether the first packet (marker bit) arrived; without it the start was lost (2.5.2.1). */
  readonly markerSeen: boolean;
  /** Packets of this event, retransmissions included. */
  readonly packets: number;
  /** Packets with the E bit: 3 when the sender follows 2.5.1.4 and none was lost. */
  readonly endPackets: number;
  readonly firstArrivalMs: number;
  readonly lastArrivalMs: number;
}

type MutableEvent = { -readonly [K in keyof ReceivedEvent]: ReceivedEvent[K] };

/** RFC 4733 2.5.2: events by (SSRC, timestamp), durations growing, the E bit ending them; bounded. */
export class TelephoneEventReceiver {
  private readonly list: MutableEvent[] = [];
  /** Events forgotten to stay within maxEvents. */
  dropped = 0;

  constructor(
    private readonly clockRate: number,
    private readonly maxEvents = 256,
  ) {}

  /** Takes one telephone-event packet; returns the event it belongs to, or the reason it was refused. */
  onPacket(ssrc: number, timestamp: number, marker: boolean, payload: Uint8Array, arrivalMs: number): { readonly event: ReceivedEvent } | { readonly error: string } {
    const decoded = decodeTelephoneEvent(payload);
    if (!decoded.ok) return { error: decoded.reason };
    const p = decoded.payload;
    let e = this.find(ssrc, timestamp, p.event);
    if (!e) {
      // 2.5.2.1: a new timestamp (or event code) starts a new event, marker bit or not
      e = {
        ssrc,
        timestamp,
        event: p.event,
        digit: eventToDigit(p.event),
        volume: p.volume,
        durationUnits: 0,
        durationMs: 0,
        ended: false,
        markerSeen: false,
        packets: 0,
        endPackets: 0,
        firstArrivalMs: arrivalMs,
        lastArrivalMs: arrivalMs,
      };
      this.list.push(e);
      if (this.list.length > this.maxEvents) {
        this.list.shift();
        this.dropped++;
      }
    }
    e.packets++;
    e.lastArrivalMs = arrivalMs;
    if (marker) e.markerSeen = true;
    if (p.end) e.endPackets++;
    // a retransmitted or late packet never shortens the event (2.5.2.1: the duration only grows)
    if (p.duration > e.durationUnits) {
      e.durationUnits = p.duration;
      e.durationMs = Math.round((p.duration * 1000) / this.clockRate);
    }
    if (p.end) e.ended = true;
    e.volume = p.volume;
    return { event: { ...e } };
  }

  /** Events received, oldest first. */
  events(): ReceivedEvent[] {
    return this.list.map((e) => ({ ...e }));
  }

  private find(ssrc: number, timestamp: number, event: number): MutableEvent | undefined {
    // the event being received is almost always the last one; a few back covers reordering
    for (let i = this.list.length - 1; i >= Math.max(0, this.list.length - 8); i--) {
      const e = this.list[i];
      if (e.ssrc === ssrc && e.timestamp === timestamp && e.event === event) return e;
    }
    return undefined;
  }
}

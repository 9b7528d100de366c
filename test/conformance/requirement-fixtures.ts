// Feeds messages to a conformance monitor running the whole catalogue, as a UE would receive them,
// and says which requirements they violated. `proveViolation` is how every requirement is proven:
// a violating message shows exactly that requirement, the conforming one none (catalogue.test.ts
// checks that every requirement of the catalogue has such a proof).
import assert from "node:assert/strict";
import { test } from "node:test";
import { ConformanceMonitor } from "../../src/conformance/monitor.ts";
import type { SentMessage, UeFacts } from "../../src/conformance/requirement.ts";
import { type SipMessage, type SipRequest, parseMessage } from "../../src/sip/message/index.ts";

export const UE: UeFacts = { name: "UE-A", impu: "sip:alice@ims.example.test", contact: "sip:alice@127.0.0.1:5070" };

/** The harness's network observing UE-A as the UE under test (requirements that bind "ue"). */
export const NETWORK: UeFacts = { name: "network (P-CSCF)", impu: "sip:alice@ims.example.test", contact: "sip:alice@127.0.0.1:5070" };

/** Which side the fixture feeds: a simulated UE receiving from the network (default), or the network receiving from a UE under test. */
export interface FeedOptions {
  readonly binds?: "network" | "ue";
}

/** Parses SIP text written with \n line ends (converted to CRLF; Content-Length is computed when absent). */
export function sip(text: string): SipMessage {
  const t = text.replace(/^\n+/, "");
  const i = t.indexOf("\n\n");
  const head = i < 0 ? t.trimEnd() : t.slice(0, i);
  const body = i < 0 ? "" : t.slice(i + 2);
  const lines = head.split("\n").filter((l) => l.length > 0);
  const bodyCrlf = body.replace(/\r?\n/g, "\r\n");
  if (!lines.some((l) => /^(content-length|l)\s*:/i.test(l))) lines.push(`Content-Length: ${Buffer.byteLength(bodyCrlf)}`);
  const parsed = parseMessage(Buffer.from(`${lines.join("\r\n")}\r\n\r\n${bodyCrlf}`));
  if (!parsed.ok) throw new Error(`fixture does not parse: ${parsed.error.reason} (line ${parsed.error.line})`);
  return parsed.message;
}

export interface Received {
  /** The message as the UE received it. */
  readonly message: SipMessage | string;
  /** For a response: the request the UE sent, which it answers. */
  readonly request?: SipRequest | string;
  readonly retransmission?: boolean;
  /** When it arrived (ms since the epoch); its index in the sequence when absent. */
  readonly at?: number;
  /**
   * The network side (binds "ue") only: what the network sent the UE after the previous message of
   * the sequence and before this one, oldest first (each `at` defaults to this message's). The
   * fixture accumulates them: each message is judged with everything sent before it.
   */
  readonly sent?: readonly (SipMessage | string | { readonly message: SipMessage | string; readonly at: number })[];
}

const asMessage = (m: SipMessage | string): SipMessage => (typeof m === "string" ? sip(m) : m);

/**
 * Feeds the messages in order to a fresh monitor; returns the ids violated by the last one, sorted.
 * With `binds: "ue"` the monitor is the network's observing a UE under test (`ue` defaults to
 * NETWORK) and each message carries what the network sent before it.
 */
export function violatedBy(sequence: readonly Received[], ue?: UeFacts, options: FeedOptions = {}): string[] {
  const binds = options.binds ?? "network";
  const facts = ue ?? (binds === "ue" ? NETWORK : UE);
  const monitor = new ConformanceMonitor();
  const sent: SentMessage[] = [];
  let before = 0;
  sequence.forEach((r, i) => {
    if (i === sequence.length - 1) before = monitor.violations.length;
    const at = r.at ?? i;
    for (const s of r.sent ?? []) {
      sent.push(typeof s === "string" || !("at" in s) ? { message: asMessage(s), at } : { message: asMessage(s.message), at: s.at });
    }
    const request = r.request === undefined ? undefined : (asMessage(r.request) as SipRequest);
    monitor.received(
      facts,
      {
        message: asMessage(r.message),
        source: { protocol: "udp", host: "127.0.0.1", port: 5060 },
        at,
        retransmission: r.retransmission ?? false,
        ...(request ? { request } : {}),
      },
      binds,
      binds === "ue" ? sent : undefined,
    );
  });
  assert.deepEqual(monitor.harnessErrors, [], "no requirement check may throw");
  return [...new Set(monitor.violations.slice(before).map((v) => v.requirement.id))].sort();
}

/**
 * The proof of one requirement: `good` (the last message of the sequence conforming) violates
 * nothing, `bad` violates exactly `id`. Messages before the last set the history (earlier NOTIFYs ...).
 */
export function proveViolation(id: string, cases: { readonly good: readonly Received[]; readonly bad: readonly Received[]; readonly note?: string; readonly binds?: "network" | "ue" }): void {
  const options: FeedOptions = { binds: cases.binds ?? "network" };
  test(`${id}: a violating message shows exactly ${id}${cases.note ? ` (${cases.note})` : ""}`, () => {
    assert.deepEqual(violatedBy(cases.good, undefined, options), [], `the conforming message should violate nothing`);
    assert.deepEqual(violatedBy(cases.bad, undefined, options), [id]);
  });
}

/**
 * The proof of a requirement the monitor judges outside a message check (a parser problem, an
 * automatic request's outcome, what was left unconsumed): `feed` drives the monitor, which must
 * then hold exactly `id`, and `conforming` (when given) drives one that must hold nothing.
 */
export function proveViolationBy(id: string, note: string, feed: (monitor: ConformanceMonitor) => void, conforming?: (monitor: ConformanceMonitor) => void): void {
  test(`${id}: ${note} shows exactly ${id}`, () => {
    if (conforming) {
      const ok = new ConformanceMonitor();
      conforming(ok);
      assert.deepEqual(
        ok.violations.map((v) => v.requirement.id),
        [],
      );
    }
    const monitor = new ConformanceMonitor();
    feed(monitor);
    assert.deepEqual(monitor.harnessErrors, []);
    assert.deepEqual([...new Set(monitor.violations.map((v) => v.requirement.id))], [id]);
  });
}

/** The start line and headers of an INVITE from UE-B to UE-A as the network delivers it (after UE-B's P-CSCF and the core), without a body. */
export function incomingInviteLines(): string[] {
  return [
    "INVITE sip:alice@127.0.0.1:5070 SIP/2.0",
    "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-core-1",
    "Via: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK-inv-b;rport=5080;received=127.0.0.1",
    "Max-Forwards: 69",
    "Record-Route: <sip:127.0.0.1:5060;lr>",
    'From: "Bob" <sip:bob@ims.example.test>;tag=b9',
    "To: <sip:alice@ims.example.test>",
    "Call-ID: call-2",
    "CSeq: 1 INVITE",
    "Contact: <sip:bob@127.0.0.1:5080>",
    "P-Asserted-Identity: <sip:bob@ims.example.test>",
    "Supported: 100rel",
  ];
}

// Messages parsed per second: the driver's parser and sip.js's parser on the same INVITE.
import { Core } from "sip.js";
import { parseMessage } from "../src/sip/message/index.ts";

const BODY = "v=0\r\no=alice 2890844526 2890844526 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

export const BENCH_INVITE = [
  "INVITE sip:bob@ims.example.test SIP/2.0",
  "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport",
  "Max-Forwards: 70",
  'To: "Bob" <sip:bob@ims.example.test>',
  'From: "Alice" <sip:alice@ims.example.test>;tag=1928301774',
  "Call-ID: a84b4c76e66710@pc33.ims.example.test",
  "CSeq: 314159 INVITE",
  "Contact: <sip:alice@192.0.2.10:5060>",
  "Route: <sip:pcscf.ims.example.test;lr>",
  "Supported: 100rel, precondition",
  "Content-Type: application/sdp",
  `Content-Length: ${Buffer.byteLength(BODY)}`,
  "",
  BODY,
].join("\r\n");

const silent = { error() {}, warn() {}, log() {}, debug() {} };

export interface ParserFigures {
  readonly messageBytes: number;
  /** Start line, header lines, body: what every received message costs. */
  readonly driverParseOnly: number;
  /** The same plus reading Via branch, From/To tags, CSeq and Call-ID, as the transaction layer does: the fair comparison, since sip.js parses those headers eagerly. */
  readonly driverParseAndFields: number;
  readonly sipjs: number;
  readonly ratio: number;
}

function rate(fn: () => void, minMs: number): number {
  // Warm up, then count iterations for at least minMs.
  for (let i = 0; i < 200; i++) fn();
  let n = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minMs) {
    for (let i = 0; i < 100; i++) fn();
    n += 100;
    elapsed = performance.now() - start;
  }
  return n / (elapsed / 1000);
}

export function benchParser(minMs = 1500): ParserFigures {
  const bytes = Buffer.from(BENCH_INVITE);
  const check = parseMessage(bytes);
  const ref = Core.Parser.parseMessage(BENCH_INVITE, silent as never);
  if (!check.ok || !ref) throw new Error("the bench INVITE does not parse");
  const driverParseOnly = rate(() => {
    parseMessage(bytes);
  }, minMs);
  const driverParseAndFields = rate(() => {
    const r = parseMessage(bytes);
    if (r.ok) {
      const m = r.message;
      // eslint-disable-next-line @typescript-eslint/no-unused-expressions -- reading the views is what is measured
      (void m.branch, m.fromTag, m.toTag, m.cseq, m.callId);
    }
  }, minMs);
  const sipjs = rate(
    () => {
      Core.Parser.parseMessage(BENCH_INVITE, silent as never);
    },
    Math.min(minMs, 1500),
  );
  return { messageBytes: bytes.length, driverParseOnly, driverParseAndFields, sipjs, ratio: driverParseAndFields / sipjs };
}

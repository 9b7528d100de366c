// Fuzz tests of the message layer: random and mutated inputs go through parseMessage, checkMessage,
// every typed getter and the serializer. Nothing may throw except HeaderError from a getter (the
// documented way a getter reports a malformed header); a parsed message must survive
// parse(serialize(m)); and large inputs (1 MB of header lines, a 1 MB Via of 100k values) must finish.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { type Rng, mulberry32, seedFrom } from "./prng.ts";
import { generateRequest } from "./message-generator.ts";
import {
  HeaderError,
  type NameAddr,
  type SipMessage,
  type Uri,
  type Via,
  checkMessage,
  formatNameAddr,
  formatUri,
  formatVia,
  isNameAddrError,
  isRequest,
  isUriParseError,
  isViaError,
  parseMessage,
  parseNameAddr,
  parseUri,
  parseVia,
  serializeMessage,
  uriEquals,
} from "../../../src/sip/message/index.ts";

const SEED = seedFrom("SIP_FUZZ_SEED", 0x5eed4475);
const RANDOM_COUNT = 5000;
const MUTATED_COUNT = 5000;

const FIXTURES = new URL("../../fixtures/rfc4475/", import.meta.url);
const CORPUS: readonly Buffer[] = readdirSync(FIXTURES)
  .filter((f) => f.endsWith(".dat"))
  .sort()
  .map((f) => readFileSync(new URL(f, FIXTURES)));

const GETTERS = ["callId", "cseq", "from", "to", "fromTag", "toTag", "vias", "topVia", "branch", "expires", "contentType", "bodyText"] as const;
const NAME_ADDR_HEADERS = ["contact", "route", "record-route", "path", "service-route", "p-associated-uri", "p-asserted-identity", "refer-to"];

/** Runs `read`; a HeaderError is the documented failure of a getter, anything else escapes. */
function tolerant(what: string, read: () => unknown): void {
  try {
    read();
  } catch (e) {
    if (e instanceof HeaderError) {
      assert.equal(typeof e.header, "string");
      assert.equal(typeof e.reason, "string");
      return;
    }
    throw new Error(`${what} threw ${(e as Error)?.name}: ${(e as Error)?.message}`, { cause: e });
  }
}

// What we read, written and read again, is the same value (and the same URI by RFC 3261 19.1.4).
function reformatUri(u: Uri): void {
  const again = parseUri(formatUri(u));
  if (isUriParseError(again)) throw new Error(`formatUri gave "${formatUri(u)}", which does not parse: ${again.error}`);
  assert.deepEqual(again, u, "parseUri(formatUri(u))");
  assert.ok(uriEquals(again, u), "uriEquals(parseUri(formatUri(u)), u)");
}

function reformatNameAddr(na: NameAddr): void {
  const text = formatNameAddr(na);
  const again = parseNameAddr(text);
  if (isNameAddrError(again)) throw new Error(`formatNameAddr gave ${JSON.stringify(text)}, which does not parse: ${again.error}`);
  assert.deepEqual(again, na, "parseNameAddr(formatNameAddr(x))");
}

function reformatVia(v: Via): void {
  const again = parseVia(formatVia(v));
  if (isViaError(again)) throw new Error(`formatVia gave ${JSON.stringify(formatVia(v))}, which does not parse: ${again.error}`);
  assert.deepEqual(again, v, "parseVia(formatVia(v))");
}

/** Everything a caller may do with a received message. */
function exercise(m: SipMessage): void {
  const problems = checkMessage(m);
  for (const p of problems) {
    assert.equal(typeof p.header, "string");
    assert.equal(typeof p.reason, "string");
    assert.ok(p.status === 400 || p.status === 505 || p.status === 416, `status ${p.status}`);
  }
  for (const g of GETTERS) tolerant(g, () => m[g]);
  if (isRequest(m)) tolerant("uri", () => reformatUri(m.uri));
  for (const h of NAME_ADDR_HEADERS) tolerant(`nameAddrs(${h})`, () => m.nameAddrs(h).forEach(reformatNameAddr));
  tolerant("from", () => reformatNameAddr(m.from));
  tolerant("to", () => reformatNameAddr(m.to));
  tolerant("vias", () => m.vias.forEach(reformatVia));
  for (const h of ["supported", "require", "proxy-require", "unsupported"] as const) tolerant(`optionTags(${h})`, () => m.optionTags(h));
  // once per distinct name: each look-up scans the header list
  for (const name of new Set(m.headers.map((h) => h.name))) {
    assert.equal(typeof m.header(name), "string");
    tolerant(`headerValues(${name})`, () => m.headerValues(name));
  }
  assert.equal(typeof m.startLine(), "string");

  // RFC 3261 7: what we write must read back as the same message
  const kept = serializeMessage(m, { contentLength: "keep" });
  const again = parseMessage(kept);
  if (!again.ok) throw new Error(`serialized message does not parse: ${again.error.reason}\n${kept.toString("latin1")}`);
  assert.equal(again.message.startLine(), m.startLine(), "same start line");
  assert.equal(again.message.headers.length, m.headers.length, "same header count");
  assert.deepEqual(
    again.message.headers.map((h) => [h.key, h.value]),
    m.headers.map((h) => [h.key, h.value]),
    "same headers",
  );
  assert.ok(again.message.body.equals(m.body), "same body");
  const auto = parseMessage(serializeMessage(m));
  if (!auto.ok) throw new Error(`serialized message (auto Content-Length) does not parse: ${auto.error.reason}`);
  assert.equal(auto.message.startLine(), m.startLine());
  assert.ok(auto.message.body.equals(m.body), "same body with auto Content-Length");
}

function feed(input: Buffer): void {
  const r = parseMessage(input);
  if (!r.ok) {
    assert.equal(typeof r.error.reason, "string");
    assert.ok(Number.isInteger(r.error.position) && r.error.position >= 0, `position ${r.error.position}`);
    assert.ok(Number.isInteger(r.error.line) && r.error.line >= 0, `line ${r.error.line}`);
    return;
  }
  exercise(r.message);
}

function describeInput(input: Buffer): string {
  const text = JSON.stringify(input.subarray(0, 2000).toString("latin1"));
  return input.length > 2000 ? `${text}... (${input.length} bytes)` : text;
}

// ---- random inputs: SIP-shaped lines from a vocabulary, plus plain noise

const START_LINES = [
  "INVITE sip:bob@biloxi.example.com SIP/2.0",
  "REGISTER sips:[2001:db8::1]:5061;transport=tls SIP/2.0",
  "OPTIONS tel:+1-201-555-0123 SIP/2.0",
  "MESSAGE sip:%61@h SIP/2.0",
  "SIP/2.0 200 OK",
  "SIP/2.0 100 ",
  "SIP/2.0 486 Busy Here",
  "SIP/2.0 999 Bad",
  "sip/2.0 180 Ringing",
  "BYE <sip:a@b> SIP/2.0",
  "ACK sip:a@b SIP/3.0",
  "X sip:%00@h SIP/2.0",
];
// Content-Length is written apart, mostly right: a random one would only exercise one parse error
const NAMES = [
  "Via",
  "v",
  "From",
  "f",
  "To",
  "t",
  "Call-ID",
  "i",
  "CSeq",
  "Contact",
  "m",
  "Route",
  "Record-Route",
  "Max-Forwards",
  "Expires",
  "Content-Type",
  "Require",
  "Supported",
  "Path",
  "P-Asserted-Identity",
  "Refer-To",
  "X-Unknown",
  "Subject",
  "WWW-Authenticate",
];
const PIECES = [
  "SIP/2.0/UDP ",
  "SIP / 2.0 / TCP ",
  "192.0.2.1",
  "[2001:db8::1]",
  ":5060",
  ";branch=z9hG4bK",
  ";rport",
  ";received=",
  ";tag=",
  ";lr",
  "<sip:",
  "<sips:",
  "<tel:+1",
  "sip:",
  "@",
  "example.com",
  ">",
  '"',
  '\\"',
  "\\",
  ",",
  ";",
  "=",
  " ",
  "\t",
  "?",
  "&",
  "%",
  "%00",
  "INVITE",
  "1",
  "4294967296",
  "-1",
  "0068",
  "*",
  "\u00e9",
  "\u5927",
  "\ufeff",
  "\u0000",
  "\r\n ",
  "[",
  "]",
  ":",
];

function randomValue(r: Rng): string {
  let s = "";
  for (let i = r.int(0, 12); i > 0; i--) s += r.chance(0.8) ? r.pick(PIECES) : r.string("abcXYZ019-._~!", r.int(1, 6));
  return s;
}

function randomMessage(r: Rng): Buffer {
  const kind = r.int(0, 9);
  if (kind === 0) return Buffer.from(Array.from({ length: r.int(0, 300) }, () => r.int(0, 255)));
  if (kind === 1) return Buffer.from(r.string('SIP/2.0 \r\n:;,<>"@', r.int(0, 200)), "latin1");
  const lines = [r.chance(0.9) ? r.pick(START_LINES) : randomValue(r)];
  for (let i = r.int(0, 15); i > 0; i--) lines.push(`${r.pick(NAMES)}${r.chance(0.03) ? "" : r.pick([":", ": ", " : ", ":\t"])}${randomValue(r)}`);
  const eol = r.chance(0.85) ? "\r\n" : "\n";
  let body = "";
  if (r.chance(0.3)) body = r.string("v=0 \r\nabc", r.int(0, 40));
  if (r.chance(0.5)) lines.push(`Content-Length: ${r.chance(0.8) ? Buffer.byteLength(body) : r.int(0, 100)}`);
  return Buffer.from(lines.join(eol) + eol + (r.chance(0.9) ? eol : "") + body, "utf8");
}

// ---- mutations of the RFC 4475 messages and of generated requests

type Mutation = (r: Rng, b: Buffer) => Buffer;

const MUTATIONS: readonly Mutation[] = [
  // bit flips
  (r, b) => {
    const out = Buffer.from(b);
    for (let i = r.int(1, 8); i > 0 && out.length > 0; i--) out[r.int(0, out.length - 1)] ^= 1 << r.int(0, 7);
    return out;
  },
  // byte insertions
  (r, b) => {
    let out = b;
    for (let i = r.int(1, 8); i > 0; i--) {
      const at = r.int(0, out.length);
      out = Buffer.concat([out.subarray(0, at), Buffer.from([r.pick([0, 9, 10, 13, 32, 34, 44, 58, 59, 60, 62, 64, 92, r.int(0, 255)])]), out.subarray(at)]);
    }
    return out;
  },
  // byte deletions
  (r, b) => {
    let out = b;
    for (let i = r.int(1, 8); i > 0 && out.length > 0; i--) {
      const at = r.int(0, out.length - 1);
      out = Buffer.concat([out.subarray(0, at), out.subarray(at + r.int(1, 4))]);
    }
    return out;
  },
  // truncation
  (r, b) => b.subarray(0, r.int(0, b.length)),
  // duplicated lines
  (r, b) => {
    const lines = b.toString("latin1").split("\r\n");
    for (let i = r.int(1, 4); i > 0; i--) {
      const at = r.int(0, lines.length - 1);
      lines.splice(at, 0, lines[r.int(0, lines.length - 1)]);
    }
    return Buffer.from(lines.join("\r\n"), "latin1");
  },
  // a huge header value
  (r, b) => {
    const text = b.toString("latin1");
    const at = text.indexOf("\r\n");
    if (at < 0) return b;
    const name = r.pick(["Via", "From", "To", "Contact", "Call-ID", "CSeq", "X-Big", "Route"]);
    const unit = r.pick(["a", ";", ",", '"', "<", "SIP/2.0/UDP h;branch=z9hG4bK1,", "<sip:a@b>,", ";x=1", "\\", "%41", " ", "1"]);
    const value = unit.repeat(Math.ceil(r.int(1_000, 60_000) / unit.length));
    return Buffer.from(`${text.slice(0, at + 2)}${name}: ${value}\r\n${text.slice(at + 2)}`, "latin1");
  },
  // NUL bytes
  (r, b) => {
    const out = Buffer.from(b);
    for (let i = r.int(1, 6); i > 0 && out.length > 0; i--) out[r.int(0, out.length - 1)] = 0;
    return out;
  },
  // random UTF-8 (valid and invalid sequences)
  (r, b) => {
    const at = r.int(0, b.length);
    const chars = r.chance(0.5)
      ? Buffer.from(String.fromCodePoint(...Array.from({ length: r.int(1, 6) }, () => r.pick([0xe9, 0x5927, 0x1f600, 0xfeff, 0xfffd, 0x2028]))), "utf8")
      : Buffer.from([0xc3, 0xff, 0xe2, 0x82, 0x80, 0xed, 0xa0].slice(0, r.int(1, 7)));
    return Buffer.concat([b.subarray(0, at), chars, b.subarray(at)]);
  },
  // CR/LF shuffles: CRLF to LF or CR, doubled, moved
  (r, b) => {
    let text = b.toString("latin1");
    for (let i = r.int(1, 5); i > 0; i--) {
      const positions: number[] = [];
      for (let p = text.indexOf("\r\n"); p >= 0 && positions.length < 200; p = text.indexOf("\r\n", p + 2)) positions.push(p);
      if (positions.length === 0) break;
      const p = r.pick(positions);
      const repl = r.pick(["\n", "\r", "\r\n\r\n", "\n\r", "", "\r\n ", "\r\n\t", " \r\n"]);
      text = text.slice(0, p) + repl + text.slice(p + 2);
    }
    return Buffer.from(text, "latin1");
  },
  // swap two lines
  (r, b) => {
    const lines = b.toString("latin1").split("\r\n");
    const i = r.int(0, lines.length - 1);
    const j = r.int(0, lines.length - 1);
    [lines[i], lines[j]] = [lines[j], lines[i]];
    return Buffer.from(lines.join("\r\n"), "latin1");
  },
];

function mutated(r: Rng): Buffer {
  let b = r.chance(0.6) ? r.pick(CORPUS) : Buffer.from(generateRequest(r).text, "utf8");
  for (let i = r.int(1, 3); i > 0; i--) b = r.pick(MUTATIONS)(r, b);
  return b;
}

function run(label: string, count: number, make: (r: Rng) => Buffer, seed: number): void {
  const r = mulberry32(seed);
  for (let n = 0; n < count; n++) {
    const input = make(r);
    try {
      feed(input);
    } catch (e) {
      throw new Error(`${label} input #${n} of seed ${seed} (replay with SIP_FUZZ_SEED=${SEED}): ${(e as Error).message}\ninput: ${describeInput(input)}`, { cause: e });
    }
  }
}

test(`fuzz: ${RANDOM_COUNT} random inputs`, (t) => {
  t.diagnostic(`seed ${SEED} (replay with SIP_FUZZ_SEED=${SEED})`);
  run("random", RANDOM_COUNT, randomMessage, SEED);
});

test(`fuzz: ${MUTATED_COUNT} mutations of the RFC 4475 messages and of generated requests`, (t) => {
  t.diagnostic(`seed ${SEED + 1} (replay with SIP_FUZZ_SEED=${SEED})`);
  run("mutated", MUTATED_COUNT, mutated, (SEED + 1) >>> 0);
});

test("every RFC 4475 message and its truncations at each line end go through the whole API", () => {
  for (const b of CORPUS) {
    feed(b);
    for (let p = b.indexOf("\r\n"); p >= 0; p = b.indexOf("\r\n", p + 2)) feed(b.subarray(0, p + 2));
  }
});

test("both input sets reach parse errors and parsed messages with problems; mutated ones also clean messages", (t) => {
  for (const [label, make, seed] of [
    ["random", randomMessage, SEED],
    ["mutated", mutated, (SEED + 1) >>> 0],
  ] as const) {
    const r = mulberry32(seed);
    let failed = 0;
    let withProblems = 0;
    let clean = 0;
    for (let n = 0; n < 1000; n++) {
      const res = parseMessage(make(r));
      if (!res.ok) failed++;
      else if (checkMessage(res.message).length > 0) withProblems++;
      else clean++;
    }
    t.diagnostic(`${label}: ${failed} parse errors, ${withProblems} with problems, ${clean} clean of 1000`);
    assert.ok(failed > 50, `${label}: only ${failed} parse errors`);
    assert.ok(withProblems > 50, `${label}: only ${withProblems} parsed messages with problems`);
    // random headers seldom make up the mandatory set; mutated well-formed messages often stay clean
    if (label === "mutated") assert.ok(clean > 50, `${label}: only ${clean} clean messages`);
  }
});

// ---- large inputs: they must complete (no timing assertion)

test("1 MB of header lines parses and goes through the whole API", () => {
  const line = "X-Filler: abcdefghijklmnopqrstuvwxyz0123456789\r\n";
  const count = Math.ceil(1_048_576 / line.length);
  const text = `OPTIONS sip:a@b.example SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n${line.repeat(count)}Content-Length: 0\r\n\r\n`;
  const r = parseMessage(text);
  if (!r.ok) assert.fail(r.error.reason);
  assert.equal(r.message.headers.length, count + 2);
  exercise(r.message);
  // the same with every header a Via, and with every line a continuation of one header
  const vias = parseMessage(`OPTIONS sip:a@b.example SIP/2.0\r\n${"Via: SIP/2.0/UDP host.example.com;branch=z9hG4bK1\r\n".repeat(20_000)}\r\n`);
  if (!vias.ok) assert.fail(vias.error.reason);
  assert.equal(vias.message.vias.length, 20_000);
  exercise(vias.message);
  const folded = parseMessage(`OPTIONS sip:a@b.example SIP/2.0\r\nSubject: x\r\n${" folded words here\r\n".repeat(50_000)}\r\n`);
  if (!folded.ok) assert.fail(folded.error.reason);
  assert.equal(folded.message.headers.length, 1);
  assert.equal(folded.message.header("subject")!.length, 1 + " folded words here".length * 50_000);
  exercise(folded.message);
});

test("a 1 MB Via of 100k comma-separated values parses and is read", () => {
  const values = Array.from({ length: 100_000 }, (_x, i) => `SIP/2.0/UDP h${i % 10}`);
  const text = `OPTIONS sip:a@b.example SIP/2.0\r\nVia: ${values.join(",")}\r\n\r\n`;
  assert.ok(text.length > 1_000_000, `${text.length} bytes`);
  const r = parseMessage(text);
  if (!r.ok) assert.fail(r.error.reason);
  const vias = r.message.vias;
  assert.equal(vias.length, 100_000);
  assert.equal(vias[99_999].host, "h9");
  exercise(r.message);
  // 100k bare commas and a 1 MB Via of stray quotes and angle brackets
  for (const value of [",".repeat(100_000), '<",'.repeat(350_000), "SIP/2.0/UDP h;x=" + ";".repeat(1_000_000), `SIP/2.0/UDP ${"h".repeat(1_000_000)}!`]) {
    const m = parseMessage(`OPTIONS sip:a@b.example SIP/2.0\r\nVia: ${value}\r\nFrom: ${value}\r\nContact: ${value}\r\n\r\n`);
    if (!m.ok) assert.fail(m.error.reason);
    exercise(m.message);
  }
});

test("1 MB URIs, display names and tel numbers are refused without backtracking blow-ups", () => {
  const big = "1".repeat(1_000_000);
  for (const value of [`<tel:+${big}x>`, `<sip:${"a".repeat(1_000_000)}!@h>`, `<sip:u@${"a".repeat(1_000_000)}!>`, `"${"q".repeat(1_000_000)}`, `${"tok ".repeat(250_000)}<sip:a@b>`]) {
    const r = parseMessage(`OPTIONS sip:a@b.example SIP/2.0\r\nTo: ${value}\r\nCSeq: ${big} OPTIONS\r\nMax-Forwards: ${big}\r\n\r\n`);
    if (!r.ok) assert.fail(r.error.reason);
    exercise(r.message);
  }
});

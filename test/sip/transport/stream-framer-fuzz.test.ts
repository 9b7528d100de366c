// Fuzzing the RFC 3261 18.3 stream framer with a fixed seed (a failure names the seed and case, so
// it reproduces): valid messages concatenated and split at every position, fed a byte at a time and
// in random chunks; garbage; Content-Length lies; oversized headers; random mutations of valid
// streams. Whatever arrives, the framer never throws, emits each message as a contiguous slice of
// the stream (in order, nothing lost or duplicated, only CR/LF between them), frames the same way
// however the stream is chunked, and reports what it cannot frame as one FramingError.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type FramingError, type FramingErrorCode, StreamFramer, type StreamFramerOptions } from "../../../src/sip/transport/stream-framer.ts";

const SEED = 0x5eed_4ac7;

/** mulberry32: a small deterministic PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = prng(seed);
  }
  int(max: number): number {
    return Math.floor(this.next() * max);
  }
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }
}

interface Outcome {
  readonly messages: Buffer[];
  readonly errors: FramingError[];
  /** Messages emitted after the error (must be none). */
  readonly afterError: number;
  readonly buffered: number;
}

/** Feeds the chunks to a fresh framer; anything the framer throws fails the test with the case named. */
function feed(chunks: readonly Buffer[], options: StreamFramerOptions | undefined, what: string): Outcome {
  const messages: Buffer[] = [];
  const errors: FramingError[] = [];
  let afterError = 0;
  const framer = new StreamFramer(
    {
      // Copied: a message may be a view of the chunk pushed
      message: (bytes) => {
        if (errors.length > 0) afterError++;
        messages.push(Buffer.from(bytes));
      },
      error: (e) => errors.push(e),
    },
    options,
  );
  for (const c of chunks) {
    try {
      framer.push(c);
    } catch (e) {
      assert.fail(`${what}: push threw ${e instanceof Error ? e.stack : String(e)}`);
    }
  }
  return { messages, errors, afterError, buffered: framer.bufferedBytes };
}

/** Splits `stream` into chunks of random sizes (1 byte up to `max`). */
function chunked(stream: Buffer, rng: Rng, max: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < stream.length;) {
    const n = Math.min(stream.length - i, rng.between(1, max));
    out.push(stream.subarray(i, i + n));
    i += n;
  }
  return out;
}

/**
 * The invariant for any input: every emitted message is the next contiguous slice of the stream,
 * skipping only CR and LF between messages (RFC 3261 7.5; RFC 5626 keep-alives): nothing is lost
 * inside, duplicated, reordered or invented. At most one error, and nothing emitted after it.
 */
function assertSlices(stream: Buffer, o: Outcome, what: string): void {
  assert.ok(o.errors.length <= 1, `${what}: ${o.errors.length} errors reported (at most one)`);
  assert.equal(o.afterError, 0, `${what}: messages emitted after the error`);
  let at = 0;
  o.messages.forEach((m, i) => {
    while (at < stream.length && (stream[at] === 0x0d || stream[at] === 0x0a)) at++;
    assert.ok(m.length > 0, `${what}: message ${i} is empty`);
    assert.ok(stream.subarray(at, at + m.length).equals(m), `${what}: message ${i} (${m.length} bytes) is not the stream's next slice at offset ${at}`);
    at += m.length;
  });
}

const METHODS = ["INVITE", "MESSAGE", "OPTIONS", "REGISTER", "BYE", "NOTIFY"];

/** A valid message: request or response, random headers, Content-Length in one of its spellings, a random (binary) body. */
function validMessage(rng: Rng): Buffer {
  const body = rng.chance(0.2)
    ? Buffer.alloc(0)
    : rng.chance(0.5)
      ? rng.bytes(rng.between(1, 600))
      : Buffer.from(`text\r\n\r\nwith CRLFCRLF and Content-Length: 9\r\n`.repeat(rng.between(1, 5)), "latin1");
  const start = rng.chance(0.6) ? `${rng.pick(METHODS)} sip:user${rng.int(100)}@example.com SIP/2.0` : `SIP/2.0 ${rng.pick([100, 180, 200, 404, 486])} Reason`;
  const headers = [`Via: SIP/2.0/TCP 127.0.0.1:${rng.between(1024, 65535)};branch=z9hG4bK${rng.int(1e9)}`, `Call-ID: ${rng.int(1e9)}@fuzz`, `CSeq: ${rng.int(1000)} ${rng.pick(METHODS)}`];
  for (let i = rng.int(8); i > 0; i--) headers.push(`X-Fuzz-${i}: ${"v".repeat(rng.int(200))}`);
  if (rng.chance(0.2)) headers.push(`Subject: folded\r\n  over two lines`);
  const cl = rng.pick([`Content-Length: ${body.length}`, `l: ${body.length}`, `content-length   :  ${body.length}  `, `CONTENT-LENGTH:\r\n ${body.length}`]);
  headers.splice(rng.int(headers.length + 1), 0, cl);
  return Buffer.concat([Buffer.from(`${start}\r\n${headers.join("\r\n")}\r\n\r\n`, "latin1"), body]);
}

/** Messages with CRLF keep-alives (RFC 5626 4.4.1) or stray CRLFs (RFC 3261 7.5) between some of them. */
function validStream(rng: Rng, count: number): { stream: Buffer; messages: Buffer[] } {
  const messages: Buffer[] = [];
  const parts: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    if (rng.chance(0.3)) parts.push(Buffer.from(rng.pick(["\r\n", "\r\n\r\n", "\r\n\r\n\r\n"]), "latin1"));
    const m = validMessage(rng);
    messages.push(m);
    parts.push(m);
  }
  return { stream: Buffer.concat(parts), messages };
}

function assertDelivered(o: Outcome, messages: readonly Buffer[], what: string): void {
  assert.deepEqual(
    o.errors.map((e) => e.code),
    [],
    `${what}: no error`,
  );
  assert.equal(o.messages.length, messages.length, `${what}: ${o.messages.length} messages emitted, ${messages.length} sent`);
  messages.forEach((m, i) => assert.ok(o.messages[i].equals(m), `${what}: message ${i} differs`));
  assert.equal(o.buffered, 0, `${what}: bytes left buffered`);
}

describe(`stream framer fuzz (seed 0x${SEED.toString(16)})`, () => {
  test("valid messages concatenated, split at every position, are all delivered once and intact", () => {
    const rng = new Rng(SEED);
    let splits = 0;
    for (let round = 0; round < 6; round++) {
      const { stream, messages } = validStream(rng, 3);
      for (let p = 0; p <= stream.length; p++) {
        const what = `round ${round}, split at ${p} of ${stream.length}`;
        assertDelivered(feed([stream.subarray(0, p), stream.subarray(p)], undefined, what), messages, what);
        splits++;
      }
    }
    assert.ok(splits > 1000, `${splits} splits`);
  });

  test("byte by byte and in random chunks, the same messages as in one piece", () => {
    const rng = new Rng(SEED + 1);
    for (let round = 0; round < 150; round++) {
      const { stream, messages } = validStream(rng, rng.between(1, 6));
      const bytes = [...stream].map((b) => Buffer.from([b]));
      assertDelivered(feed(bytes, undefined, `round ${round} byte by byte`), messages, `round ${round} byte by byte`);
      const chunks = chunked(stream, rng, rng.pick([3, 17, 100, 1500, 9000]));
      assertDelivered(feed(chunks, undefined, `round ${round} in ${chunks.length} chunks`), messages, `round ${round} in ${chunks.length} chunks`);
    }
  });

  test("garbage never throws: it waits for more, or is reported as one FramingError", () => {
    const rng = new Rng(SEED + 2);
    const codes = new Map<FramingErrorCode | "none", number>();
    for (let round = 0; round < 400; round++) {
      const kind = round % 4;
      // Random bytes; random bytes with header ends sprinkled in; random printable "headers"; a small header limit
      let stream = rng.bytes(rng.between(1, 3000));
      if (kind === 1) for (let i = rng.between(1, 5); i > 0; i--) Buffer.from("\r\n\r\n").copy(stream, rng.int(Math.max(1, stream.length - 4)));
      if (kind === 2)
        stream = Buffer.from(
          Array.from({ length: rng.between(1, 30) }, () => `${rng.pick(["l", "Content-Length", "X", ""])}:${rng.pick(["", " 5", "-1", "abc", " 99999999999999999999", " 3 4"])}`).join("\r\n") +
            "\r\n\r\nxyz",
          "latin1",
        );
      const options = kind === 3 ? { maxHeaderBytes: 256, maxBodyBytes: 1000 } : undefined;
      const what = `round ${round} (kind ${kind}, ${stream.length} bytes)`;
      const o = feed(chunked(stream, rng, 700), options, what);
      assertSlices(stream, o, what);
      const code = o.errors[0]?.code ?? "none";
      codes.set(code, (codes.get(code) ?? 0) + 1);
      // The same bytes in one piece frame the same way
      const whole = feed([stream], options, `${what} in one piece`);
      assert.deepEqual(
        whole.messages.map((m) => m.toString("latin1")),
        o.messages.map((m) => m.toString("latin1")),
        `${what}: chunking changed the messages`,
      );
      assert.equal(whole.errors[0]?.code, o.errors[0]?.code, `${what}: chunking changed the error`);
    }
    // The garbage reached each kind of report
    for (const code of ["missing-content-length", "invalid-content-length", "header-too-large"] as const)
      assert.ok((codes.get(code) ?? 0) > 0, `some garbage was reported as ${code}: ${JSON.stringify([...codes])}`);
  });

  test("Content-Length lies: too small splits the body into a bad next message, too large swallows the next one; an impossible one is an error", () => {
    const rng = new Rng(SEED + 3);
    for (let round = 0; round < 200; round++) {
      const { stream, messages } = validStream(rng, 3);
      const first = messages[0];
      const text = first.toString("latin1");
      const head = text.slice(0, text.indexOf("\r\n\r\n"));
      const declared = Number(/(?:^|\r\n)(?:content-length|l)\s*:\s*(\d+)/i.exec(head)?.[1]);
      assert.ok(Number.isInteger(declared), `round ${round}: the generator's Content-Length`);
      const lie = rng.pick([declared + rng.between(1, 2000), Math.max(0, declared - rng.between(1, 50)), "12abc", "-3", "99999999999999999999"]);
      const lying = Buffer.from(stream.toString("latin1").replace(/((?:^|\r\n)(?:content-length|l)\s*:(?:\r\n)?\s*)\d+/i, `$1${lie}`), "latin1");
      const what = `round ${round}: Content-Length ${declared} declared as ${lie}`;
      const o = feed(chunked(lying, rng, 400), undefined, what);
      assertSlices(lying, o, what);
      if (typeof lie === "string") {
        assert.deepEqual(
          o.errors.map((e) => e.code),
          [lie.length > 15 ? "body-too-large" : "invalid-content-length"],
          what,
        );
        assert.equal(o.messages.length, 0, `${what}: nothing emitted`);
      } else if (lie !== declared) {
        // The first message is framed by what it declares (RFC 3261 18.3), whatever follows
        let start = 0;
        while (lying[start] === 0x0d || lying[start] === 0x0a) start++;
        const firstLength = lying.indexOf("\r\n\r\n", start) + 4 - start + lie;
        if (start + firstLength <= lying.length) assert.equal(o.messages[0]?.length, firstLength, `${what}: the first message's length`);
        else assert.ok(o.messages.length === 0 && o.errors.length === 0 && o.buffered > 0, `${what}: a body longer than the stream is awaited`);
      }
    }
  });

  test("huge headers: up to the limit accepted, one byte more is header-too-large, however fed", () => {
    const rng = new Rng(SEED + 4);
    const build = (total: number): Buffer => {
      const top = "MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 0\r\nX-Big: ";
      return Buffer.from(`${top}${"h".repeat(total - top.length - 4)}\r\n\r\n`, "latin1");
    };
    for (const limit of [1024, 64 * 1024]) {
      const options = { maxHeaderBytes: limit };
      const atLimit = build(limit);
      assert.equal(atLimit.length, limit);
      assertDelivered(feed(chunked(atLimit, rng, 5000), options, `${limit} bytes of header`), [atLimit], `${limit} bytes of header`);
      const over = build(limit + 1);
      for (const chunks of [[over], chunked(over, rng, 5000), chunked(Buffer.concat([over, over]), rng, 999)]) {
        const o = feed(chunks, options, `${limit + 1} bytes of header`);
        assert.deepEqual(
          o.errors.map((e) => e.code),
          ["header-too-large"],
        );
        assert.equal(o.messages.length, 0);
      }
      // A header that never ends is refused once it passes the limit, not buffered for ever
      const endless = Buffer.from(`MESSAGE sip:a@b SIP/2.0\r\nX-Endless: ${"e".repeat(limit * 2)}`, "latin1");
      const o = feed(chunked(endless, rng, 3000), options, "a header that never ends");
      assert.deepEqual(
        o.errors.map((e) => e.code),
        ["header-too-large"],
      );
    }
  });

  test("mutated valid streams: never throws, the messages before the first mutation all arrive intact", () => {
    const rng = new Rng(SEED + 5);
    let intact = 0;
    for (let round = 0; round < 400; round++) {
      const { stream, messages } = validStream(rng, rng.between(2, 6));
      const bytes = [...stream];
      let first = bytes.length;
      for (let i = rng.between(1, 4); i > 0; i--) {
        const at = rng.int(bytes.length);
        first = Math.min(first, at);
        switch (rng.int(5)) {
          case 0:
            bytes[at] = rng.int(256);
            break;
          case 1:
            bytes.splice(at, rng.between(1, 20));
            break;
          case 2:
            bytes.splice(at, 0, ...rng.bytes(rng.between(1, 20)));
            break;
          case 3:
            bytes.splice(at, 0, ...bytes.slice(at, at + rng.between(1, 300)));
            break;
          default:
            bytes.splice(at, 0, ...Buffer.from(rng.pick(["\r\n\r\n", "Content-Length: 7\r\n", "l: 999999\r\n", "\r\n"]), "latin1"));
        }
      }
      const mutated = Buffer.from(bytes);
      const what = `round ${round}: mutated from offset ${first}`;
      const o = feed(chunked(mutated, rng, rng.pick([1, 64, 2000])), undefined, what);
      assertSlices(mutated, o, what);
      // Every message that ends before the first mutated byte was emitted as it was sent
      let end = 0;
      let before = 0;
      for (const m of messages) {
        end = stream.indexOf(m, end) + m.length;
        if (end > first) break;
        assert.ok(o.messages[before]?.equals(m), `${what}: message ${before}, before the mutation, lost or changed`);
        before++;
      }
      intact += before;
    }
    assert.ok(intact > 100, `${intact} messages before a mutation checked`);
  });
});

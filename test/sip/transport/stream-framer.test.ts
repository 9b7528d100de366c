import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { FramingError, StreamFramer } from "../../../src/sip/transport/stream-framer.ts";
import type { KeepAliveKind, StreamFramerOptions } from "../../../src/sip/transport/stream-framer.ts";

interface Collected {
  framer: StreamFramer;
  messages: Buffer[];
  keepAlives: KeepAliveKind[];
  errors: FramingError[];
}

function collect(options?: StreamFramerOptions): Collected {
  const messages: Buffer[] = [];
  const keepAlives: KeepAliveKind[] = [];
  const errors: FramingError[] = [];
  const framer = new StreamFramer(
    {
      message: (bytes) => messages.push(bytes),
      keepAlive: (kind) => keepAlives.push(kind),
      error: (error) => errors.push(error),
    },
    options,
  );
  return { framer, messages, keepAlives, errors };
}

const INVITE_BODY = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n\r\n\r\nc=IN IP4 127.0.0.1\r\n";
const INVITE = Buffer.from(
  "INVITE sip:bob@example.com SIP/2.0\r\n" +
    "Via: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bK776asdhds\r\n" +
    "Call-ID: a84b4c76e66710\r\n" +
    "CSeq: 314159 INVITE\r\n" +
    "Content-Type: application/sdp\r\n" +
    `Content-Length: ${Buffer.byteLength(INVITE_BODY)}\r\n\r\n` +
    INVITE_BODY,
  "latin1",
);
// Binary body with a CRLFCRLF inside: the body must never be scanned.
const MESSAGE_BODY = Buffer.from([0x00, 0xff, 0x0d, 0x0a, 0x0d, 0x0a, 0x80, 0x41]);
const MESSAGE = Buffer.concat([
  Buffer.from("MESSAGE sip:bob@example.com SIP/2.0\r\n" + "Call-ID: 98asjd8\r\n" + "content-length: 8\r\n" + "Content-Type: application/octet-stream\r\n\r\n", "latin1"),
  MESSAGE_BODY,
]);

describe("StreamFramer (RFC 3261 18.3)", () => {
  test("two concatenated messages split at every byte boundary give exactly the two messages", () => {
    const both = Buffer.concat([INVITE, MESSAGE]);
    for (let cut = 0; cut <= both.length; cut++) {
      const c = collect();
      c.framer.push(both.subarray(0, cut));
      c.framer.push(both.subarray(cut));
      assert.equal(c.messages.length, 2, `cut at ${cut}`);
      assert.deepEqual(c.messages[0], INVITE, `first message, cut at ${cut}`);
      assert.deepEqual(c.messages[1], MESSAGE, `second message, cut at ${cut}`);
      assert.equal(c.errors.length, 0);
      assert.equal(c.framer.bufferedBytes, 0);
    }
  });

  test("one byte at a time gives the same messages, which stay intact afterwards", () => {
    const c = collect();
    const both = Buffer.concat([INVITE, MESSAGE, INVITE]);
    for (let i = 0; i < both.length; i++) c.framer.push(both.subarray(i, i + 1));
    assert.deepEqual(c.messages, [INVITE, MESSAGE, INVITE]);
  });

  test("three-way splits around the header/body boundary", () => {
    const both = Buffer.concat([MESSAGE, INVITE]);
    const headerEnd = MESSAGE.indexOf("\r\n\r\n") + 4;
    for (let a = headerEnd - 6; a <= headerEnd + 2; a++) {
      for (let b = a; b <= MESSAGE.length + 4; b++) {
        const c = collect();
        c.framer.push(both.subarray(0, a));
        c.framer.push(both.subarray(a, b));
        c.framer.push(both.subarray(b));
        assert.deepEqual(c.messages, [MESSAGE, INVITE], `cuts ${a}/${b}`);
      }
    }
  });

  test("a message without a body and Content-Length: 0", () => {
    const c = collect();
    const ok = Buffer.from("SIP/2.0 200 OK\r\nCall-ID: x\r\nContent-Length: 0\r\n\r\n", "latin1");
    c.framer.push(Buffer.concat([ok, ok]));
    assert.deepEqual(c.messages, [ok, ok]);
  });

  test("compact form l:, any case, whitespace before the colon", () => {
    for (const header of ["l: 3", "L:3", "CONTENT-LENGTH : 3", "content-Length\t:  3  ", "l  :3"]) {
      const c = collect();
      const msg = Buffer.from(`SIP/2.0 200 OK\r\ni: abc\r\n${header}\r\n\r\nabc`, "latin1");
      c.framer.push(Buffer.concat([msg, Buffer.from("SIP/2.0 100 Trying\r\nl: 0\r\n\r\n")]));
      assert.equal(c.messages.length, 2, header);
      assert.equal(c.messages[0].toString("latin1"), msg.toString("latin1"));
      assert.equal(c.messages[1].toString("latin1"), "SIP/2.0 100 Trying\r\nl: 0\r\n\r\n");
    }
  });

  test("headers whose names merely start with c or l are not Content-Length", () => {
    const c = collect();
    const msg = "SIP/2.0 200 OK\r\nContact: <sip:a@b>\r\nContent-Type: text/plain\r\nLength: 99\r\nl: 2\r\n\r\nhi";
    c.framer.push(Buffer.from(msg, "latin1"));
    assert.deepEqual(
      c.messages.map((m) => m.toString("latin1")),
      [msg],
    );
  });

  test("a folded Content-Length value (RFC 3261 7.3.1)", () => {
    const c = collect();
    const msg = "SIP/2.0 200 OK\r\nContent-Length:\r\n  4\r\nCall-ID: x\r\n\r\nbody";
    c.framer.push(Buffer.from(msg, "latin1"));
    assert.deepEqual(
      c.messages.map((m) => m.toString("latin1")),
      [msg],
    );
  });

  test("leading CRLFs: a double CRLF is a keep-alive ping (RFC 5626 4.4.1), not a message", () => {
    const c = collect();
    c.framer.push(Buffer.from("\r\n\r\n"));
    assert.deepEqual(c.keepAlives, ["ping"]);
    assert.equal(c.messages.length, 0);
    c.framer.push(Buffer.concat([Buffer.from("\r\n\r\n\r\n\r\n"), INVITE]));
    assert.deepEqual(c.keepAlives, ["ping", "ping", "ping"]);
    assert.deepEqual(c.messages, [INVITE]);
    assert.equal(c.errors.length, 0);
  });

  test("a ping between two messages and a ping split in two halves", () => {
    const c = collect();
    c.framer.push(Buffer.concat([INVITE, Buffer.from("\r\n\r\n"), MESSAGE]));
    assert.deepEqual(c.keepAlives, ["ping"]);
    assert.deepEqual(c.messages, [INVITE, MESSAGE]);
    const split = collect();
    split.framer.push(Buffer.from("\r\n\r"));
    split.framer.push(Buffer.from("\n"));
    assert.deepEqual(split.keepAlives, ["ping"]);
  });

  test("a single CRLF is reported as a pong", () => {
    const c = collect();
    c.framer.push(Buffer.from("\r\n"));
    assert.deepEqual(c.keepAlives, ["pong"]);
    c.framer.push(INVITE);
    assert.deepEqual(c.keepAlives, ["pong"]);
    assert.deepEqual(c.messages, [INVITE]);
    const before = collect();
    before.framer.push(Buffer.concat([Buffer.from("\r\n"), MESSAGE]));
    assert.deepEqual(before.keepAlives, ["pong"]);
    assert.deepEqual(before.messages, [MESSAGE]);
  });

  test("headers over the limit without CRLFCRLF give one error and bounded memory", () => {
    const c = collect({ maxHeaderBytes: 1024 });
    c.framer.push(Buffer.from("INVITE sip:a@b SIP/2.0\r\n", "latin1"));
    for (let i = 0; i < 100; i++) c.framer.push(Buffer.from(`X-Filler-${i}: ${"a".repeat(40)}\r\n`, "latin1"));
    assert.equal(c.errors.length, 1);
    assert.equal(c.errors[0].code, "header-too-large");
    assert.ok(c.errors[0] instanceof FramingError);
    assert.equal(c.framer.isStopped, true);
    assert.equal(c.framer.bufferedBytes, 0);
    assert.equal(c.messages.length, 0);
  });

  test("the default header limit is 64 KiB", () => {
    const c = collect();
    const head = Buffer.from(`INVITE sip:a@b SIP/2.0\r\nX-Big: ${"b".repeat(70 * 1024)}`, "latin1");
    c.framer.push(head);
    assert.deepEqual(
      c.errors.map((e) => e.code),
      ["header-too-large"],
    );
  });

  test("a complete header section larger than the limit is refused too", () => {
    const c = collect({ maxHeaderBytes: 64 });
    c.framer.push(Buffer.from(`SIP/2.0 200 OK\r\nX-Long: ${"c".repeat(80)}\r\nl: 0\r\n\r\n`, "latin1"));
    assert.deepEqual(
      c.errors.map((e) => e.code),
      ["header-too-large"],
    );
    assert.equal(c.messages.length, 0);
  });

  test("missing Content-Length on a stream is an error", () => {
    const c = collect();
    c.framer.push(Buffer.from("OPTIONS sip:a@b SIP/2.0\r\nCall-ID: 1\r\n\r\n", "latin1"));
    c.framer.push(INVITE);
    assert.deepEqual(
      c.errors.map((e) => e.code),
      ["missing-content-length"],
    );
    assert.equal(c.messages.length, 0, "input after the error is ignored");
  });

  test("invalid, conflicting and oversized Content-Length values are errors", () => {
    const cases: Array<[string, string]> = [
      ["Content-Length: abc", "invalid-content-length"],
      ["Content-Length: -1", "invalid-content-length"],
      ["Content-Length: 1 2", "invalid-content-length"],
      ["Content-Length: 3\r\nl: 4", "invalid-content-length"],
      ["Content-Length: 99999999999999999999", "body-too-large"],
      ["Content-Length: 2000", "body-too-large"],
    ];
    for (const [header, code] of cases) {
      const c = collect({ maxBodyBytes: 1000 });
      c.framer.push(Buffer.from(`SIP/2.0 200 OK\r\n${header}\r\n\r\n`, "latin1"));
      assert.deepEqual(
        c.errors.map((e) => e.code),
        [code],
        header,
      );
    }
    const same = collect();
    same.framer.push(Buffer.from("SIP/2.0 200 OK\r\nContent-Length: 2\r\nl: 2\r\n\r\nok", "latin1"));
    assert.equal(same.errors.length, 0, "repeated equal values are accepted");
    assert.equal(same.messages.length, 1);
  });

  test("a large body arriving in many chunks", () => {
    const body = Buffer.alloc(300_000, 0x61);
    const msg = Buffer.concat([Buffer.from(`MESSAGE sip:a@b SIP/2.0\r\nl: ${body.length}\r\n\r\n`), body]);
    const c = collect();
    for (let i = 0; i < msg.length; i += 1000) c.framer.push(msg.subarray(i, i + 1000));
    assert.equal(c.messages.length, 1);
    assert.ok(c.messages[0].equals(msg));
    assert.equal(c.framer.bufferedBytes, 0);
  });

  test("stop() drops buffered bytes and ignores further input", () => {
    const c = collect();
    c.framer.push(INVITE.subarray(0, 20));
    assert.equal(c.framer.bufferedBytes, 20);
    c.framer.stop();
    c.framer.push(INVITE.subarray(20));
    assert.equal(c.messages.length, 0);
    assert.equal(c.framer.bufferedBytes, 0);
  });
});

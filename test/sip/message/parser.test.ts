import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { type ParseError, parseMessage } from "../../../src/sip/message/parser.ts";
import { type SipMessage, isRequest, isResponse } from "../../../src/sip/message/sip-message.ts";

function ok(text: string | Buffer): SipMessage {
  const r = parseMessage(text);
  if (!r.ok) assert.fail(`${r.error.reason} (line ${r.error.line})`);
  return r.message;
}

function err(text: string | Buffer): ParseError {
  const r = parseMessage(text);
  if (r.ok) assert.fail(`parsed: ${r.message.startLine()}`);
  return r.error;
}

const HEAD = "OPTIONS sip:a@b.example SIP/2.0\r\nCall-ID: x\r\n";

describe("parseMessage: start line (RFC 3261 7.1, 7.2)", () => {
  test("requests and responses", () => {
    const req = ok("INVITE sip:bob@biloxi.example.com SIP/2.0\r\n\r\n");
    assert.ok(isRequest(req), "a request");
    assert.deepEqual([req.method, req.uriText, req.version], ["INVITE", "sip:bob@biloxi.example.com", "SIP/2.0"]);
    const res = ok("SIP/2.0 486 Busy Here\r\n\r\n");
    assert.ok(isResponse(res), "a response");
    assert.deepEqual([res.status, res.reason, res.version], [486, "Busy Here", "SIP/2.0"]);
    const bare = ok("SIP/2.0 180\r\n\r\n");
    assert.ok(isResponse(bare), "a response");
    assert.equal(bare.reason, "");
  });

  test("Status-Code is three digits from 100 to 699", () => {
    for (const code of ["100", "699", "199"]) assert.equal((ok(`SIP/2.0 ${code} X\r\n\r\n`) as { status: number }).status, Number(code));
    for (const code of ["099", "700", "4294967301", "20", "2OO", ""]) assert.match(err(`SIP/2.0 ${code} X\r\n\r\n`).reason, /Status-Code/);
  });

  test("malformed Request-Lines", () => {
    assert.match(err("INVITE sip:a@b\r\n\r\n").reason, /malformed Request-Line/);
    assert.match(err("INVITE  sip:a@b SIP/2.0\r\n\r\n").reason, /more than three parts/);
    assert.match(err("INV ITE sip:a@b SIP/2.0\r\n\r\n").reason, /more than three parts/);
    assert.match(err("INV@ITE sip:a@b SIP/2.0\r\n\r\n").reason, /invalid method/);
    assert.match(err("INVITE <sip:a@b> SIP/2.0\r\n\r\n").reason, /not an absolute URI/);
    assert.match(err("INVITE sip:a@b HTTP/1.1\r\n\r\n").reason, /malformed SIP-Version/);
    assert.match(err("SIP/2 200 OK\r\n\r\n").reason, /malformed SIP-Version/);
    assert.match(err("SIP/2.0\r\n\r\n").reason, /malformed Status-Line/);
    const e = err("\r\n\r\nINVITE sip:a@b\r\n\r\n");
    assert.equal(e.line, 1);
    assert.equal(e.position, 4);
  });

  test("other versions parse (checkMessage answers 505)", () => {
    assert.equal(ok("OPTIONS sip:a@b SIP/7.0\r\n\r\n").version, "SIP/7.0");
  });
});

describe("parseMessage: header fields (RFC 3261 7.3)", () => {
  test("CRLFs before the start line are ignored (RFC 3261 7.5)", () => {
    assert.equal(ok(`\r\n\r\n\r\n${HEAD}\r\n`).header("call-id"), "x");
    assert.match(err("\r\n\r\n").reason, /empty message/);
    assert.match(err("").reason, /empty message/);
  });

  test("LWS before and after the colon, folding, empty values", () => {
    const m = ok("OPTIONS sip:a@b SIP/2.0\r\nSubject\t :  \r\nX-A:no-space\r\nX-B:   lots   of   space   \r\nX-C: one\r\n two\r\n\tthree\r\n\r\n");
    assert.deepEqual(
      m.headers.map((h) => [h.name, h.value]),
      [
        ["Subject", ""],
        ["X-A", "no-space"],
        ["X-B", "lots   of   space"],
        ["X-C", "one two three"],
      ],
    );
    assert.equal(m.headers[3].raw, "X-C: one\r\n two\r\n\tthree");
  });

  test("only SP, HTAB, CR and LF are trimmed: U+FEFF and U+00A0 are data", () => {
    const m = ok("OPTIONS sip:a@b SIP/2.0\r\nX-A: \ufeffvalue\u00a0\r\nX-B:\u3000\r\n\r\n");
    assert.equal(m.header("x-a"), "\ufeffvalue\u00a0");
    assert.equal(m.header("x-b"), "\u3000");
    assert.match(err("OPTIONS sip:a@b SIP/2.0\r\nX-A\u00a0: v\r\n\r\n").reason, /invalid header name/);
  });

  test("malformed header lines report their line number", () => {
    const e = err(`${HEAD}No colon here\r\n\r\n`);
    assert.match(e.reason, /header line without ":"/);
    assert.equal(e.line, 3);
    assert.match(err(`${HEAD}Bad Name: x\r\n\r\n`).reason, /invalid header name "Bad Name"/);
    assert.match(err(`${HEAD}: x\r\n\r\n`).reason, /invalid header name ""/);
    const cont = err("OPTIONS sip:a@b SIP/2.0\r\n continued\r\nX: y\r\n\r\n");
    assert.match(cont.reason, /continuation line before any header/);
    assert.equal(cont.line, 2);
  });

  test("no empty line after the header fields", () => {
    const e = err(`${HEAD}Content-Length: 0\r\n`);
    assert.match(e.reason, /no empty line/);
  });

  test("bare LF line ends (RFC 3261 7.5), also with CRLF CRLF inside the body", () => {
    const m = ok("OPTIONS sip:a@b SIP/2.0\nX: 1\n folded\nContent-Length: 8\n\nab\r\n\r\ncdIGNORED");
    assert.equal(m.header("x"), "1 folded");
    assert.equal(m.bodyText, "ab\r\n\r\ncd");
    // an LF-ended header line followed by a CRLF empty line
    assert.equal(ok("OPTIONS sip:a@b SIP/2.0\nX: 1\n\r\nab").bodyText, "ab");
    assert.equal(ok("OPTIONS sip:a@b SIP/2.0\nX: 1\n\r\nab\r\n\r\ncd").bodyText, "ab\r\n\r\ncd");
    assert.equal(ok("OPTIONS sip:a@b SIP/2.0\n\nab\r\n\r\ncd").headers.length, 0);
    // a CRLF CRLF before any LF LF ends the header section as usual
    assert.equal(ok("OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 4\r\n\r\n\n\nxy").bodyText, "\n\nxy");
  });
});

describe("parseMessage: body framing (RFC 3261 18.3, 20.14)", () => {
  test("Content-Length frames the body; extra octets are discarded", () => {
    assert.equal(ok(`${HEAD}Content-Length: 3\r\n\r\nabcdef`).bodyText, "abc");
    assert.equal(ok(`${HEAD}l: 0\r\n\r\nabcdef`).body.length, 0);
    assert.equal(ok(`${HEAD}Content-Length: 007\r\n\r\nabcdefg`).bodyText, "abcdefg");
  });

  test("without Content-Length the body runs to the end of the input", () => {
    assert.equal(ok(`${HEAD}\r\nabc\r\n\r\ndef`).bodyText, "abc\r\n\r\ndef");
    assert.equal(ok(`${HEAD}\r\n`).body.length, 0);
  });

  test("the body is bytes: multi-byte UTF-8 counts in octets", () => {
    assert.equal(ok(`${HEAD}Content-Length: 4\r\n\r\nжжIGNORED`).bodyText, "жж");
    const bin = Buffer.concat([Buffer.from(`${HEAD}Content-Length: 3\r\n\r\n`), Buffer.from([0xff, 0x00, 0xfe, 0x01])]);
    assert.ok(ok(bin).body.equals(Buffer.from([0xff, 0x00, 0xfe])), "binary body");
  });

  test("bad Content-Length values", () => {
    assert.match(err(`${HEAD}Content-Length: 10\r\n\r\nabc`).reason, /Content-Length 10 exceeds the 3 bytes/);
    assert.match(err(`${HEAD}Content-Length: -1\r\n\r\n`).reason, /Content-Length "-1" is not a number/);
    assert.match(err(`${HEAD}Content-Length: 1 2\r\n\r\n`).reason, /is not a number/);
    assert.match(err(`${HEAD}Content-Length: 1\r\nl: 2\r\n\r\nab`).reason, /two different Content-Length values/);
    assert.equal(ok(`${HEAD}Content-Length: 2\r\nl: 2\r\n\r\nab`).bodyText, "ab");
  });
});

describe("CSeq (RFC 3261 20.16): the plain spelling and the others read alike", () => {
  const cseqOf = (value: string): { seq: number; method: string } | string => {
    const r = parseMessage(`SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nCSeq: ${value}\r\nContent-Length: 0\r\n\r\n`);
    assert.ok(r.ok);
    try {
      return r.message.cseq;
    } catch (e) {
      return (e as Error).message;
    }
  };
  test("sequence number and method", () => {
    assert.deepEqual(cseqOf("314159 INVITE"), { seq: 314159, method: "INVITE" });
    assert.deepEqual(cseqOf("0 BYE"), { seq: 0, method: "BYE" });
    assert.deepEqual(cseqOf("2147483647 ACK"), { seq: 2147483647, method: "ACK" });
    assert.deepEqual(cseqOf("007 MESSAGE"), { seq: 7, method: "MESSAGE" });
    assert.deepEqual(cseqOf("1  INVITE"), { seq: 1, method: "INVITE" }, "LWS of two spaces");
    assert.deepEqual(cseqOf("1\tNOTIFY"), { seq: 1, method: "NOTIFY" });
    assert.deepEqual(cseqOf("5 FOO"), { seq: 5, method: "FOO" }, "an extension method");
    assert.deepEqual(cseqOf("5 invite"), { seq: 5, method: "invite" }, "methods are case-sensitive (RFC 3261 7.1)");
  });
  test("what is not a CSeq is an error naming the clause", () => {
    const error = (value: string): string => {
      const c = cseqOf(value);
      assert.equal(typeof c, "string", `${value} read as ${JSON.stringify(c)}`);
      return c as string;
    };
    assert.match(error("2147483648 INVITE"), /exceeds 2\*\*31-1 \(RFC 3261 8\.1\.1\.5\)/);
    assert.match(error("12345678901 INVITE"), /RFC 3261 20\.16/);
    assert.match(error("INVITE"), /RFC 3261 20\.16/);
    assert.match(error("1 INVITE x"), /RFC 3261 20\.16/);
    assert.match(error("1 "), /RFC 3261 20\.16/);
  });
});

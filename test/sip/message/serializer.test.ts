import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { messageToString, serializeMessage } from "../../../src/sip/message/serializer.ts";
import { parseMessage } from "../../../src/sip/message/parser.ts";
import { SipRequest, SipResponse, type SipMessage } from "../../../src/sip/message/sip-message.ts";

function parse(text: string | Buffer): SipMessage {
  const r = parseMessage(text);
  if (!r.ok) assert.fail(r.error.reason);
  return r.message;
}

const RECEIVED =
  "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n" +
  "Via  : SIP  /   2.0\r\n /UDP\r\n    192.0.2.2;branch=z9hG4bK390skdjuw\r\n" +
  "v: SIP/2.0/TCP spindle.example.com;branch=z9hG4bK9ikj8 ,\r\n SIP/2.0/UDP 192.168.255.111;branch=z9hG4bK30239\r\n" +
  "MaX-fOrWaRdS: 0068\r\n" +
  'from   : "J Rosenberg \\\\\\""       <sip:jdrosen@example.com>\r\n  ;\r\n  tag = 98asjd8\r\n' +
  "TO :\r\n sip:bob@biloxi.example.com ;   tag    = 1918181833n\r\n" +
  "i: a84b4c76e66710@pc33.atlanta.example.com\r\n" +
  "cseq: 0009\r\n  INVITE\r\n" +
  "s :\r\n" +
  "NewFangledHeader:   newfangled value\r\n continued newfangled value\r\n" +
  "Content-Type: text/plain\r\n" +
  "Content-Length   : 5\r\n" +
  "\r\n" +
  "hello";

describe("serializeMessage", () => {
  test("a parsed, unmodified message is written back byte for byte (raw header text kept)", () => {
    const m = parse(RECEIVED);
    assert.equal(messageToString(m, { contentLength: "keep" }), RECEIVED);
    // auto rewrites only the Content-Length line (to the same length, in the conventional layout)
    assert.equal(messageToString(m), RECEIVED.replace("Content-Length   : 5", "Content-Length: 5"));
  });

  test("binary bodies are copied as bytes", () => {
    const body = Buffer.from([0, 1, 2, 0x0d, 0x0a, 0x0d, 0x0a, 0xff, 0xfe]);
    const input = Buffer.concat([Buffer.from("MESSAGE sip:a@b.example SIP/2.0\r\nContent-Type: application/octet-stream\r\nContent-Length: 9\r\n\r\n"), body]);
    const m = parse(input);
    assert.ok(m.body.equals(body), "body bytes");
    assert.ok(serializeMessage(m, { contentLength: "keep" }).equals(input), "keep gives the input back");
    assert.ok(serializeMessage(m).equals(input), "auto gives the input back when the length is right");
  });

  test("auto: Content-Length follows the body, added when missing, duplicates dropped", () => {
    const m = parse("OPTIONS sip:a@b.example SIP/2.0\r\nCall-ID: x\r\n\r\n");
    assert.equal(messageToString(m), "OPTIONS sip:a@b.example SIP/2.0\r\nCall-ID: x\r\nContent-Length: 0\r\n\r\n");
    m.setBody("v=0\r\n", "application/sdp");
    assert.equal(messageToString(m), "OPTIONS sip:a@b.example SIP/2.0\r\nCall-ID: x\r\nContent-Type: application/sdp\r\nContent-Length: 5\r\n\r\nv=0\r\n");
    const twice = parse("OPTIONS sip:a@b.example SIP/2.0\r\nl: 3\r\nX: y\r\nContent-Length: 3\r\n\r\nabc");
    assert.equal(messageToString(twice), "OPTIONS sip:a@b.example SIP/2.0\r\nl: 3\r\nX: y\r\n\r\nabc");
  });

  test("keep: a wrong Content-Length is written as it is", () => {
    const m = new SipRequest("INVITE", "sip:bob@biloxi.example.com");
    m.addHeader("Content-Length", 9999);
    m.setBody("short");
    assert.equal(messageToString(m, { contentLength: "keep" }), "INVITE sip:bob@biloxi.example.com SIP/2.0\r\nContent-Length: 9999\r\n\r\nshort");
    assert.equal(messageToString(m), "INVITE sip:bob@biloxi.example.com SIP/2.0\r\nContent-Length: 5\r\n\r\nshort");
    const none = new SipRequest("OPTIONS", "sip:a@b.example");
    assert.equal(messageToString(none, { contentLength: "keep" }), "OPTIONS sip:a@b.example SIP/2.0\r\n\r\n");
  });

  test("a header set or added after parsing is written from its value; the others keep their text", () => {
    const m = parse(RECEIVED);
    m.setHeader("Max-Forwards", 67);
    m.prependHeader("Via", "SIP/2.0/UDP proxy.example.com;branch=z9hG4bKnew");
    const out = messageToString(m, { contentLength: "keep" });
    assert.equal(out, RECEIVED.replace("MaX-fOrWaRdS: 0068", "Max-Forwards: 67").replace("Via  : SIP", "Via: SIP/2.0/UDP proxy.example.com;branch=z9hG4bKnew\r\nVia  : SIP"));
    const again = parse(out);
    assert.deepEqual(
      again.vias.map((v) => v.host),
      ["proxy.example.com", "192.0.2.2", "spindle.example.com", "192.168.255.111"],
    );
  });

  test("responses: the reason phrase, also an empty one", () => {
    const r = new SipResponse(180, "Ringing");
    r.addHeader("To", "<sip:a@b.example>;tag=1");
    assert.equal(messageToString(r), "SIP/2.0 180 Ringing\r\nTo: <sip:a@b.example>;tag=1\r\nContent-Length: 0\r\n\r\n");
    const empty = parse("SIP/2.0 100 \r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n");
    assert.equal(messageToString(empty, { contentLength: "keep" }), "SIP/2.0 100 \r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n");
  });

  test("bare-LF input is written with CRLF and reads the same", () => {
    const m = parse("OPTIONS sip:a@b.example SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\nSubject: folded\n  value\nContent-Length: 4\n\nbody\r\n\r\nmore");
    assert.equal(m.bodyText, "body");
    assert.equal(m.header("subject"), "folded value");
    assert.equal(messageToString(m), "OPTIONS sip:a@b.example SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nSubject: folded\r\n  value\r\nContent-Length: 4\r\n\r\nbody");
  });
});

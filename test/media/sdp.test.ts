import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { findAttribute, findAttributes, mediaConnection, mediaDirection, parseSdp, serializeSdp, type Sdp } from "../../src/media/sdp.ts";
import { VOLTE_OFFER } from "./volte-sdp.ts";

function parseOk(text: string): Sdp {
  const r = parseSdp(text);
  if (!r.ok) assert.fail(`unexpected parse error at line ${r.error.line}: ${r.error.reason}`);
  return r.sdp;
}

function errorOf(text: string): { line: number; reason: string } {
  const r = parseSdp(text);
  if (r.ok) assert.fail("expected a parse error");
  return r.error;
}

const crlf = (lines: string[]): string => lines.map((l) => `${l}\r\n`).join("");

describe("parseSdp / serializeSdp", () => {
  test("round-trips a realistic VoLTE offer byte for byte", () => {
    const sdp = parseOk(VOLTE_OFFER);
    assert.equal(serializeSdp(sdp), VOLTE_OFFER);
  });

  test("parses session-level fields", () => {
    const sdp = parseOk(VOLTE_OFFER);
    assert.equal(sdp.version, 0);
    assert.deepEqual(sdp.origin, {
      username: "rue",
      sessionId: "3251",
      sessionVersion: "3251",
      netType: "IN",
      addrType: "IP6",
      unicastAddress: "2001:db8:0:1:5054:ff:fe12:3456",
    });
    assert.equal(sdp.sessionName, "-");
    assert.deepEqual(sdp.connection, { netType: "IN", addrType: "IP6", address: "2001:db8:0:1:5054:ff:fe12:3456" });
    assert.deepEqual(sdp.bandwidths, [
      { type: "AS", value: 41 },
      { type: "RR", value: 0 },
      { type: "RS", value: 0 },
    ]);
    assert.deepEqual(sdp.timing, [{ start: 0, stop: 0, repeats: [] }]);
    assert.equal(sdp.media.length, 1);
  });

  test("parses the media section with attributes in order", () => {
    const m = parseOk(VOLTE_OFFER).media[0];
    assert.equal(m.media, "audio");
    assert.equal(m.port, 31000);
    assert.equal(m.numberOfPorts, undefined);
    assert.equal(m.proto, "RTP/AVP");
    assert.deepEqual(m.formats, ["116", "107", "118", "96", "111", "110"]);
    assert.equal(m.attributes.length, 22);
    assert.deepEqual(m.attributes[0], { name: "rtpmap", value: "116 AMR-WB/16000/1" });
    assert.deepEqual(m.attributes[18], { name: "sendrecv" });
    // Unknown attributes are kept verbatim, including colons and spaces in the value.
    assert.deepEqual(m.attributes[20], { name: "X-vendor-ext", value: "foo bar=baz;x" });
    assert.deepEqual(m.attributes[21], { name: "anat" });
    assert.deepEqual(
      findAttributes(m.attributes, "curr").map((a) => a.value),
      ["qos local none", "qos remote none"],
    );
    assert.deepEqual(findAttribute(m.attributes, "ptime"), { name: "ptime", value: "20" });
    assert.equal(findAttribute(m.attributes, "nope"), undefined);
  });

  test("accepts bare LF line endings and serializes with CRLF", () => {
    const lf = VOLTE_OFFER.replaceAll("\r\n", "\n");
    assert.equal(serializeSdp(parseOk(lf)), VOLTE_OFFER);
  });

  test("round-trips optional session fields, repeats, multiple media and port counts", () => {
    const text = crlf([
      "v=0",
      "o=jdoe 2890844526 2890842807 IN IP4 10.47.16.5",
      "s=SDP Seminar",
      "i=A Seminar on the session description protocol",
      "u=http://www.example.com/seminars/sdp.pdf",
      "e=j.doe@example.com (Jane Doe)",
      "p=+1 617 555-6011",
      "c=IN IP4 224.2.17.12/127",
      "t=2873397496 2873404696",
      "r=604800 3600 0 90000",
      "z=2882844526 -1h 2898848070 0",
      "a=recvonly",
      "m=audio 49170 RTP/AVP 0",
      "i=voice",
      "m=video 51372/2 RTP/AVP 99",
      "c=IN IP4 198.51.100.7",
      "b=TIAS:128000",
      "a=rtpmap:99 h263-1998/90000",
    ]);
    const sdp = parseOk(text);
    assert.equal(serializeSdp(sdp), text);
    assert.equal(sdp.information, "A Seminar on the session description protocol");
    assert.deepEqual(sdp.timing[0].repeats, ["604800 3600 0 90000"]);
    assert.equal(sdp.timeZones, "2882844526 -1h 2898848070 0");
    assert.equal(sdp.media[0].title, "voice");
    assert.equal(sdp.media[1].port, 51372);
    assert.equal(sdp.media[1].numberOfPorts, 2);
    assert.deepEqual(sdp.media[1].bandwidths, [{ type: "TIAS", value: 128000 }]);
    // Direction falls back to the session level; c= is overridden per media.
    assert.equal(mediaDirection(sdp, sdp.media[0]), "recvonly");
    assert.equal(mediaConnection(sdp, sdp.media[0])?.address, "224.2.17.12/127");
    assert.equal(mediaConnection(sdp, sdp.media[1])?.address, "198.51.100.7");
  });

  test("mediaDirection defaults to sendrecv and prefers the media level", () => {
    const sdp = parseOk(crlf(["v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-", "c=IN IP4 192.0.2.1", "t=0 0", "a=inactive", "m=audio 4000 RTP/AVP 0", "a=sendonly", "m=audio 4002 RTP/AVP 0"]));
    assert.equal(mediaDirection(sdp, sdp.media[0]), "sendonly");
    assert.equal(mediaDirection(sdp, sdp.media[1]), "inactive");
    const plain = parseOk(crlf(["v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-", "c=IN IP4 192.0.2.1", "t=0 0", "m=audio 4000 RTP/AVP 0"]));
    assert.equal(mediaDirection(plain, plain.media[0]), "sendrecv");
  });
});

describe("parseSdp errors carry the offending line number", () => {
  const base = ["v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-", "c=IN IP4 192.0.2.1", "t=0 0", "m=audio 4000 RTP/AVP 0", "a=sendrecv"];
  const withLine = (index: number, line: string): string => {
    const lines = [...base];
    lines[index] = line;
    return crlf(lines);
  };

  test("the unmodified base parses", () => {
    assert.equal(parseSdp(crlf(base)).ok, true);
  });

  test("empty input", () => {
    assert.deepEqual(errorOf(""), { line: 0, reason: "empty session description" });
  });

  test("first line not v=", () => {
    assert.deepEqual(errorOf(crlf(base.slice(1))), { line: 1, reason: "first line must be v=" });
  });

  test("unsupported version", () => {
    assert.equal(errorOf(withLine(0, "v=1")).line, 1);
  });

  test("o= with a missing field", () => {
    const e = errorOf(withLine(1, "o=- 1 IN IP4 192.0.2.1"));
    assert.deepEqual(e, { line: 2, reason: "o= must have 6 fields separated by single spaces" });
  });

  test("o= with a non-numeric version", () => {
    assert.equal(errorOf(withLine(1, "o=- 1 v2 IN IP4 192.0.2.1")).line, 2);
  });

  test("line without '='", () => {
    assert.deepEqual(errorOf(withLine(6, "a sendrecv")), { line: 7, reason: "line must be '<type>=<value>'" });
  });

  test("whitespace after '='", () => {
    assert.equal(errorOf(withLine(4, "t= 0 0")).line, 5);
  });

  test("unknown type letter at session level", () => {
    const lines = [...base];
    lines.splice(4, 0, "x=whatever");
    assert.deepEqual(errorOf(crlf(lines)), { line: 5, reason: "unknown type 'x='" });
  });

  test("m= with an out-of-range port", () => {
    assert.deepEqual(errorOf(withLine(5, "m=audio 70000 RTP/AVP 0")), { line: 6, reason: "invalid port '70000'" });
  });

  test("m= without formats", () => {
    assert.equal(errorOf(withLine(5, "m=audio 4000 RTP/AVP")).line, 6);
  });

  test("bandwidth that is not a number", () => {
    const lines = [...base];
    lines.splice(6, 0, "b=AS:fast");
    assert.equal(errorOf(crlf(lines)).line, 7);
  });

  test("t= inside a media description", () => {
    const lines = [...base, "t=0 0"];
    assert.deepEqual(errorOf(crlf(lines)), { line: 8, reason: "t= not allowed in a media description" });
  });

  test("session fields out of order", () => {
    const lines = ["v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-", "t=0 0", "c=IN IP4 192.0.2.1", "m=audio 4000 RTP/AVP 0"];
    assert.deepEqual(errorOf(crlf(lines)), { line: 5, reason: "c= out of order at session level" });
  });

  test("media without any c=", () => {
    const lines = ["v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-", "t=0 0", "m=audio 4000 RTP/AVP 0", "a=sendrecv", "m=audio 4002 RTP/AVP 0", "c=IN IP4 192.0.2.1"];
    assert.deepEqual(errorOf(crlf(lines)), { line: 5, reason: "no c= at session level nor in this media description" });
  });

  test("m= before t=", () => {
    const lines = ["v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-", "c=IN IP4 192.0.2.1", "m=audio 4000 RTP/AVP 0"];
    assert.deepEqual(errorOf(crlf(lines)), { line: 5, reason: "m= before any t= line" });
  });

  test("empty line in the middle", () => {
    const text = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n\r\ns=-\r\nt=0 0\r\n";
    assert.deepEqual(errorOf(text), { line: 3, reason: "empty line" });
  });

  test("truncated description", () => {
    assert.deepEqual(errorOf("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n"), { line: 2, reason: "truncated: v=, o= and s= are required" });
  });

  test("missing t=", () => {
    assert.deepEqual(errorOf("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n"), { line: 3, reason: "missing t= line" });
  });

  test("invalid attribute name", () => {
    assert.equal(errorOf(withLine(6, "a=:nothing")).line, 7);
  });
});

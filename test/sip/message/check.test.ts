import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { type MessageProblem, checkMessage } from "../../../src/sip/message/check.ts";
import { parseMessage } from "../../../src/sip/message/parser.ts";

const BASE: Record<string, string> = {
  Via: "SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds",
  "Max-Forwards": "70",
  To: "Bob <sip:bob@biloxi.example.com>",
  From: "Alice <sip:alice@atlanta.example.com>;tag=1928301774",
  "Call-ID": "a84b4c76e66710@pc33.atlanta.example.com",
  CSeq: "314159 INVITE",
};

function problems(startLine: string, change: Record<string, string | null> = {}, extra: string[] = []): MessageProblem[] {
  const headers = { ...BASE, ...change };
  const lines = Object.entries(headers)
    .filter((e): e is [string, string] => e[1] !== null)
    .map(([n, v]) => `${n}: ${v}`);
  const r = parseMessage(`${startLine}\r\n${[...lines, ...extra].join("\r\n")}\r\n\r\n`);
  if (!r.ok) assert.fail(r.error.reason);
  return checkMessage(r.message);
}

const INVITE = "INVITE sip:bob@biloxi.example.com SIP/2.0";

function only(p: MessageProblem[], header: string, reason: RegExp, status = 400): void {
  assert.equal(p.length, 1, JSON.stringify(p));
  assert.equal(p[0].header, header);
  assert.match(p[0].reason, reason);
  assert.equal(p[0].status, status);
}

describe("checkMessage", () => {
  test("a well-formed request and response have no problems", () => {
    assert.deepEqual(problems(INVITE), []);
    assert.deepEqual(problems("SIP/2.0 200 OK", { "Max-Forwards": null, CSeq: "314159 INVITE" }), []);
  });

  test("missing mandatory headers (RFC 3261 8.1.1)", () => {
    for (const name of ["Via", "From", "To", "Call-ID", "CSeq"]) only(problems(INVITE, { [name]: null }), name, /missing/);
    only(problems(INVITE, { "Max-Forwards": null }), "Max-Forwards", /missing/);
  });

  test("Max-Forwards: 1*DIGIT from 0 to 255, leading zeros allowed (RFC 3261 20.22, RFC 4475 3.1.1.1)", () => {
    for (const v of ["0", "255", "0068", "000000070"]) assert.deepEqual(problems(INVITE, { "Max-Forwards": v }), [], v);
    for (const v of ["256", "300", "-1", "7x", "", "1 2"]) only(problems(INVITE, { "Max-Forwards": v }), "Max-Forwards", /is not 0 to 255/);
  });

  test("CSeq: grammar, range and the method of the Request-Line (RFC 3261 8.1.1.5, 20.16)", () => {
    assert.deepEqual(problems(INVITE, { CSeq: "0 INVITE" }), []);
    assert.deepEqual(problems(INVITE, { CSeq: "2147483647 INVITE" }), []);
    only(problems(INVITE, { CSeq: "2147483648 INVITE" }), "CSeq", /exceeds 2\*\*31-1/);
    only(problems(INVITE, { CSeq: "INVITE" }), "CSeq", /is not "sequence-number method"/);
    only(problems(INVITE, { CSeq: "1 ACK" }), "CSeq", /method ACK does not match the Request-Line method INVITE/);
    // methods are case-sensitive (RFC 3261 7.1)
    only(problems(INVITE, { CSeq: "1 invite" }), "CSeq", /does not match/);
  });

  test("single-valued headers appearing twice, on two lines or comma-joined (RFC 3261 7.3.1)", () => {
    only(problems(INVITE, {}, ["Call-ID: other@example.com"]), "Call-ID", /appears 2 times/);
    only(problems(INVITE, {}, ["Max-Forwards: 70"]), "Max-Forwards", /appears 2 times/);
    only(problems(INVITE, {}, ["Expires: 1", "Expires: 2"]), "Expires", /appears 2 times/);
    assert.deepEqual(problems(INVITE, {}, ["Supported: a", "Supported: b, c"]), []);
  });

  test("From, To and name-addr lists are read by their grammar", () => {
    only(problems(INVITE, { To: '"Mr. J. User <sip:j.user@example.com>' }), "To", /unterminated quoted display name/);
    only(problems(INVITE, { From: "Bell, Alexander <sip:a.g.bell@example.com>;tag=43" }), "From", /need quoting/);
    only(problems(INVITE, {}, ["Contact: <sip:a@b.example>;;"]), "Contact", /malformed parameters/);
    only(problems(INVITE, {}, ["Route: <sip:p1.example.com;lr>, sip:p2.example.com?x=y"]), "Route", /not enclosed in <>/);
    assert.deepEqual(problems(INVITE, {}, ["Contact: *"]), []);
  });

  test("Via and Expires", () => {
    only(problems(INVITE, { Via: "SIP/2.0/UDP 192.0.2.15;;,;,," }), "Via", /malformed Via parameters/);
    only(problems(INVITE, { Via: "SIP/2.0 pc33.atlanta.example.com" }), "Via", /malformed sent-protocol/);
    only(problems(INVITE, {}, ["Expires: soon"]), "Expires", /delta-seconds/);
  });

  test("Request-URI: must parse, and a SIP URI must not carry headers (RFC 3261 19.1.1)", () => {
    only(problems("INVITE sip:user@example.com?Route=%3Csip:example.com%3E SIP/2.0"), "Request-URI", /not allowed in a Request-URI/);
    only(problems("INVITE sip:@example.com SIP/2.0"), "Request-URI", /empty user part/);
    assert.deepEqual(problems("INVITE tel:+1-201-555-0123 SIP/2.0"), []);
    assert.deepEqual(problems("INVITE urn:service:sos SIP/2.0"), []);
  });

  test("SIP-Version other than 2.0 asks for 505 (RFC 3261 21.5.20)", () => {
    only(problems("INVITE sip:bob@biloxi.example.com SIP/7.0"), "Request-Line", /unsupported version SIP\/7\.0/, 505);
    only(problems("SIP/3.0 200 OK", { "Max-Forwards": null }), "Status-Line", /unsupported version/, 505);
    assert.deepEqual(problems("INVITE sip:bob@biloxi.example.com sip/2.0"), []);
  });
});

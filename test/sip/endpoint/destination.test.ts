import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { formatDestination, nextHop, responseDestination, stampReceived, stripBrackets } from "../../../src/sip/endpoint/destination.ts";
import { type SipRequest, isViaError, parseMessage, parseVia } from "../../../src/sip/message/index.ts";

function via(text: string) {
  const v = parseVia(text);
  assert.ok(!isViaError(v));
  return v;
}

function request(lines: string[]): SipRequest {
  const r = parseMessage(lines.join("\r\n") + "\r\n\r\n");
  assert.ok(r.ok && r.message.kind === "request");
  return r.message;
}

const BASE = ["From: <sip:a@b>;tag=1", "To: <sip:b@b>", "Call-ID: d", "CSeq: 1 OPTIONS", "Max-Forwards: 70"];

describe("responseDestination (RFC 3261 18.2.2, RFC 3581 4)", () => {
  const udp = { protocol: "udp" as const, host: "203.0.113.9", port: 40000 };
  test("received and rport win over sent-by", () => {
    assert.deepEqual(responseDestination(via("SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bK1;received=203.0.113.9;rport=40000"), udp), { protocol: "udp", host: "203.0.113.9", port: 40000 });
  });
  test("without them, sent-by host and port; the default port by protocol", () => {
    assert.deepEqual(responseDestination(via("SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bK1"), udp), { protocol: "udp", host: "10.0.0.1", port: 5070 });
    assert.deepEqual(responseDestination(via("SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1;rport"), udp), { protocol: "udp", host: "10.0.0.1", port: 5060 });
    assert.deepEqual(responseDestination(via("SIP/2.0/TLS [2001:db8::1];branch=z9hG4bK1"), { protocol: "tls", host: "2001:db8::1", port: 1 }), { protocol: "tls", host: "2001:db8::1", port: 5061 });
  });
  test("a stream response keeps the connection the request came on", () => {
    assert.deepEqual(responseDestination(via("SIP/2.0/TCP 10.0.0.1:5070;branch=z9hG4bK1"), { protocol: "tcp", host: "203.0.113.9", port: 40001, connectionId: "c7" }), {
      protocol: "tcp",
      host: "10.0.0.1",
      port: 5070,
      connectionId: "c7",
    });
  });
});

describe("stampReceived (RFC 3261 18.2.1, RFC 3581 4)", () => {
  test("rport asked: received and rport are set even when the host matches", () => {
    const r = request(["OPTIONS sip:x@y SIP/2.0", "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1;rport, SIP/2.0/UDP 10.9.9.9;branch=z9hG4bK0", ...BASE]);
    stampReceived(r, { protocol: "udp", host: "127.0.0.1", port: 33333 });
    assert.deepEqual(r.headerValues("via"), ["SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1;rport=33333;received=127.0.0.1", "SIP/2.0/UDP 10.9.9.9;branch=z9hG4bK0"]);
  });
  test("no rport and the same host: the Via is left as it is", () => {
    const r = request(["OPTIONS sip:x@y SIP/2.0", "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1", ...BASE]);
    stampReceived(r, { protocol: "udp", host: "127.0.0.1", port: 5060 });
    assert.equal(r.header("via"), "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1");
  });
  test("a host name in sent-by gets received", () => {
    const r = request(["OPTIONS sip:x@y SIP/2.0", "Via: SIP/2.0/TCP ue.example.com;branch=z9hG4bK1", ...BASE]);
    stampReceived(r, { protocol: "tcp", host: "198.51.100.1", port: 1234 });
    assert.equal(r.header("via"), "SIP/2.0/TCP ue.example.com;branch=z9hG4bK1;received=198.51.100.1");
  });
});

describe("nextHop (RFC 3261 8.1.2)", () => {
  test("the first Route when present, with its transport parameter", () => {
    const r = request(["INVITE sip:bob@192.0.2.5 SIP/2.0", "Via: SIP/2.0/UDP h;branch=z9hG4bK1", "Route: <sip:pcscf.ims.test:5070;lr;transport=TCP>, <sip:scscf.ims.test;lr>", ...BASE]);
    assert.deepEqual(nextHop(r, "udp"), { protocol: "tcp", host: "pcscf.ims.test", port: 5070 });
  });
  test("otherwise the Request-URI; maddr, sips and default ports", () => {
    assert.deepEqual(nextHop(request(["OPTIONS sip:bob@192.0.2.5 SIP/2.0", "Via: SIP/2.0/UDP h;branch=z9hG4bK1", ...BASE]), "udp"), { protocol: "udp", host: "192.0.2.5", port: 5060 });
    assert.deepEqual(nextHop(request(["OPTIONS sips:bob@example.com SIP/2.0", "Via: SIP/2.0/UDP h;branch=z9hG4bK1", ...BASE]), "udp"), { protocol: "tls", host: "example.com", port: 5061 });
    assert.deepEqual(nextHop(request(["OPTIONS sip:bob@example.com:5080;maddr=[2001:db8::2] SIP/2.0", "Via: SIP/2.0/UDP h;branch=z9hG4bK1", ...BASE]), "tcp"), {
      protocol: "tcp",
      host: "2001:db8::2",
      port: 5080,
    });
  });
  test("a tel Request-URI without Route has no next hop", () => {
    assert.equal(nextHop(request(["OPTIONS tel:+15551234567 SIP/2.0", "Via: SIP/2.0/UDP h;branch=z9hG4bK1", ...BASE]), "udp"), undefined);
  });
});

describe("formatDestination / stripBrackets", () => {
  test("protocol in capitals, IPv6 in brackets", () => {
    assert.equal(formatDestination({ protocol: "udp", host: "127.0.0.1", port: 5060 }), "UDP 127.0.0.1:5060");
    assert.equal(formatDestination({ protocol: "wss", host: "::1", port: 443 }), "WSS [::1]:443");
    assert.equal(stripBrackets("[::1]"), "::1");
    assert.equal(stripBrackets("host"), "host");
  });
});

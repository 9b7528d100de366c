import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { type Via, MAGIC_COOKIE, formatVia, isViaError, parseVia, plainViaBranch, viaBranch, viaRport } from "../../../src/sip/message/via.ts";
import { paramValue } from "../../../src/sip/message/params.ts";

function via(text: string): Via {
  const v = parseVia(text);
  if (isViaError(v)) assert.fail(`${text}: ${v.error}`);
  return v;
}

function error(text: string): string {
  const v = parseVia(text);
  if (!isViaError(v)) assert.fail(`${text} parsed as ${JSON.stringify(v)}`);
  return v.error;
}

describe("parseVia (RFC 3261 20.42)", () => {
  test("sent-protocol, sent-by and branch", () => {
    const v = via("SIP/2.0/UDP pc33.atlanta.com:5066;branch=z9hG4bK776asdhds");
    assert.equal(v.protocolName, "SIP");
    assert.equal(v.protocolVersion, "2.0");
    assert.equal(v.transport, "UDP");
    assert.equal(v.host, "pc33.atlanta.com");
    assert.equal(v.port, 5066);
    assert.equal(viaBranch(v), "z9hG4bK776asdhds");
    assert.ok(viaBranch(v)!.startsWith(MAGIC_COOKIE), "RFC 3261 branch");
  });

  test("no port, no branch", () => {
    const v = via("SIP/2.0/TCP sip33.example.com");
    assert.equal(v.port, undefined);
    assert.equal(viaBranch(v), undefined);
    assert.deepEqual(v.params, []);
  });

  test("the transport is upper-cased; unknown transports are kept", () => {
    assert.equal(via("SIP/2.0/tls h.example.com").transport, "TLS");
    assert.equal(via("SIP/2.0/wss h.example.com").transport, "WSS");
    assert.equal(via("SIP/2.0/UNKNOWN t4.example.com;branch=z9hG4bKasd0f3en").transport, "UNKNOWN");
  });

  test("whitespace around / and : and ; (RFC 3261 25.1 SLASH, COLON, SEMI)", () => {
    const v = via("SIP  /   2.0 /UDP    192.0.2.2;branch=390skdjuw");
    assert.deepEqual([v.protocolName, v.protocolVersion, v.transport, v.host, viaBranch(v)], ["SIP", "2.0", "UDP", "192.0.2.2", "390skdjuw"]);
    const w = via("SIP / 2.0 / TCP spindle.example.com : 5070 ;  branch  =   z9hG4bK9ikj8");
    assert.deepEqual([w.transport, w.host, w.port, viaBranch(w)], ["TCP", "spindle.example.com", 5070, "z9hG4bK9ikj8"]);
    const x = via("SIP/2.0/UDP\t192.168.255.111\t; branch=\r\n z9hG4bK30239");
    assert.equal(viaBranch(x), "z9hG4bK30239");
  });

  test("received and rport (RFC 3581): with and without a value", () => {
    const v = via("SIP/2.0/UDP 10.0.0.1:5060;rport=9988;received=192.0.2.101;branch=z9hG4bKx");
    assert.equal(viaRport(v), 9988);
    assert.equal(paramValue(v.params, "received"), "192.0.2.101");
    const w = via("SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKx;rport");
    assert.equal(viaRport(w), "requested");
    assert.equal(paramValue(w.params, "received"), undefined);
    assert.equal(viaRport(via("SIP/2.0/UDP 10.0.0.1")), undefined);
    assert.equal(viaRport(via("SIP/2.0/UDP 10.0.0.1;rport=abc")), undefined);
    assert.equal(paramValue(via("SIP/2.0/UDP h;received=2001:db8::9").params, "received"), "2001:db8::9");
  });

  test("IPv6 sent-by", () => {
    const v = via("SIP/2.0/UDP [2001:db8::9:1]:5070;branch=z9hG4bKas3-111;received=[2001:db8::9:255]");
    assert.equal(v.host, "[2001:db8::9:1]");
    assert.equal(v.port, 5070);
    assert.equal(paramValue(v.params, "received"), "[2001:db8::9:255]");
    const w = via("SIP/2.0/TCP [::1];branch=z9hG4bKx");
    assert.equal(w.host, "[::1]");
    assert.equal(w.port, undefined);
  });

  test("other parameters: maddr, ttl, flags, quoted values keep their text", () => {
    const v = via('SIP/2.0/UDP h.example.com;maddr=224.2.0.1;ttl=16;keep;alias;x="a;b"');
    assert.deepEqual(v.params, [{ name: "maddr", value: "224.2.0.1" }, { name: "ttl", value: "16" }, { name: "keep" }, { name: "alias" }, { name: "x", value: '"a;b"' }]);
  });

  test("malformed Via values are errors, never exceptions", () => {
    assert.match(error("SIP/2.0 pc33.atlanta.com"), /malformed sent-protocol/);
    assert.match(error("SIP/2.0/UDP"), /malformed sent-protocol/);
    assert.match(error(""), /malformed sent-protocol/);
    assert.match(error("SIP/2.0/UDP ;branch=x"), /missing sent-by host/);
    assert.match(error("SIP/2.0/UDP [2001:db8::1;branch=x"), /unterminated IPv6/);
    assert.match(error("SIP/2.0/UDP h:;branch=x"), /invalid sent-by port ""/);
    assert.match(error("SIP/2.0/UDP h:70000"), /invalid sent-by port "70000"/);
    assert.match(error("SIP/2.0/UDP 192.0.2.15;;"), /malformed Via parameters/);
    assert.match(error('SIP/2.0/UDP h;x="open'), /malformed Via parameters/);
  });
});

describe("formatVia", () => {
  test("writes the canonical form, and parses back to the same value", () => {
    const v = via("SIP / 2.0 / udp  h.example.com : 5060 ; branch = z9hG4bK1 ; rport ; received=192.0.2.1");
    assert.equal(formatVia(v), "SIP/2.0/UDP h.example.com:5060;branch=z9hG4bK1;rport;received=192.0.2.1");
    assert.deepEqual(via(formatVia(v)), v);
    assert.equal(formatVia({ protocolName: "SIP", protocolVersion: "2.0", transport: "WSS", host: "[::1]", params: [{ name: "branch", value: "z9hG4bKw" }] }), "SIP/2.0/WSS [::1];branch=z9hG4bKw");
  });
});

describe("plainViaBranch: the branch of a plain Via without parsing it whole", () => {
  test("reads what viaBranch of parseVia reads, for the plain forms", () => {
    const plain = [
      "SIP/2.0/UDP pc33.atlanta.com:5066;branch=z9hG4bK776asdhds",
      "SIP/2.0/udp 10.0.0.1;rport;branch=z9hG4bKa.b-c",
      "SIP/2.0/TCP host:65535;BRANCH=z9hG4bKupper;received=10.0.0.2",
      "SIP/2.0/UDP h;branch;branch=z9hG4bKsecond",
      "SIP/2.0/UDP h;branch=;x=1",
      "SIP/2.0/UDP h:00080;rport=5060",
      "SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bKnashds7;Branch=other",
    ];
    for (const text of plain) {
      const full = via(text);
      assert.equal(plainViaBranch(text), viaBranch(full), text);
    }
    assert.equal(plainViaBranch("SIP/2.0/UDP h;branch=;x=1"), undefined, "an empty branch is none, as viaBranch says");
    assert.equal(plainViaBranch("SIP/2.0/UDP h:00080;rport=5060"), undefined);
  });

  test("leaves every other spelling to parseVia (null), valid or not", () => {
    const others = [
      "SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bK1",
      "SIP/2.0/UDP h;received=[2001:db8::9];branch=z9hG4bK1",
      "SIP / 2.0 / UDP h;branch=z9hG4bK1",
      "SIP/2.0/UDP  h;branch=z9hG4bK1",
      "SIP/2.0/UDP\th;branch=z9hG4bK1",
      "SIP/2.0/UDP h ; branch=z9hG4bK1",
      "SIP/2.0/UDP h;branch=z9hG4bK1 ",
      'SIP/2.0/UDP h;x="a;b";branch=z9hG4bK1',
      "SIP/2.0/UDP h;branch=z9hG4bK1, SIP/2.0/UDP g;branch=z9hG4bK2",
      "SIP/2.0/UDP h:65536;branch=z9hG4bK1",
      "SIP/2.0/UDP h:000080;branch=z9hG4bK1",
      "SIP/2.0/UDP h:;branch=z9hG4bK1",
      "SIP/2.0/UDP :5060;branch=z9hG4bK1",
      "SIP/2.0/UDP h;;branch=z9hG4bK1",
      "SIP/2.0/UDP h;=x;branch=z9hG4bK1",
      "SIP/2.0/UDP h@x;branch=z9hG4bK1",
      "SIP/3.0/UDP h;branch=z9hG4bK1",
      "",
    ];
    for (const text of others) assert.equal(plainViaBranch(text), null, text);
  });

  test("a message's branch is the same read either way", async () => {
    const { parseMessage } = await import("../../../src/sip/message/parser.ts");
    for (const top of ["SIP/2.0/UDP h:5060;branch=z9hG4bKplain", "SIP/2.0/UDP h ;branch=z9hG4bKspaced", "SIP/2.0/UDP [::1];Branch=z9hG4bKv6"]) {
      const r = parseMessage(`SIP/2.0 200 OK\r\nVia: ${top}\r\nVia: SIP/2.0/UDP other;branch=z9hG4bKnot\r\nCSeq: 1 BYE\r\nContent-Length: 0\r\n\r\n`);
      assert.ok(r.ok);
      assert.equal(r.message.branch, viaBranch(via(top)), top);
    }
  });
});

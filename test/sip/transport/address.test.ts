import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { addressKey, defaultPort, formatAddress, ipFamily, isReliable, viaTransportToken } from "../../../src/sip/transport/address.ts";

describe("transport addresses", () => {
  test("formatAddress brackets IPv6 hosts only", () => {
    assert.equal(formatAddress({ host: "192.0.2.1", port: 5060 }), "192.0.2.1:5060");
    assert.equal(formatAddress({ host: "::1", port: 5062 }), "[::1]:5062");
    assert.equal(formatAddress({ host: "[2001:db8::1]", port: 5061 }), "[2001:db8::1]:5061");
    assert.equal(formatAddress({ host: "pcscf.ims.example.net", port: 5060 }), "pcscf.ims.example.net:5060");
  });

  test("addressKey folds case, brackets and IPv4-mapped IPv6", () => {
    assert.equal(addressKey({ host: "::ffff:127.0.0.1", port: 5060 }), "127.0.0.1:5060");
    assert.equal(addressKey({ host: "[2001:DB8::1]", port: 1 }), "[2001:db8::1]:1");
    assert.equal(addressKey({ host: "PCSCF.Example.NET", port: 5060 }), "pcscf.example.net:5060");
    assert.notEqual(addressKey({ host: "127.0.0.1", port: 5060 }), addressKey({ host: "127.0.0.1", port: 5061 }));
  });

  test("ipFamily", () => {
    assert.equal(ipFamily("10.0.0.1"), 4);
    assert.equal(ipFamily("fe80::1"), 6);
    assert.equal(ipFamily("[::1]"), 6);
    assert.equal(ipFamily("example.com"), 0);
  });

  test("RFC 3261 17: only UDP is unreliable", () => {
    assert.deepEqual(
      (["udp", "tcp", "tls", "ws", "wss"] as const).map((p) => [p, isReliable(p)]),
      [
        ["udp", false],
        ["tcp", true],
        ["tls", true],
        ["ws", true],
        ["wss", true],
      ],
    );
  });

  test("Via transport tokens (RFC 3261 20.42, RFC 7118 5.2)", () => {
    assert.deepEqual((["udp", "tcp", "tls", "ws", "wss"] as const).map(viaTransportToken), ["UDP", "TCP", "TLS", "WS", "WSS"]);
  });

  test("default ports", () => {
    assert.deepEqual((["udp", "tcp", "tls", "ws", "wss"] as const).map(defaultPort), [5060, 5060, 5061, 80, 443]);
  });
});

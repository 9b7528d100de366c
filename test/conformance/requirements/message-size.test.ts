// Proof of request.congestion-controlled-transport (RFC 3261 18.1.1, TS 24.229 4.2A): a request over
// 1300 bytes that reached a UE over UDP violates it, over TCP it does not; and a real endpoint parses
// such a datagram (RFC 3261 18.1.1: messages up to the largest datagram) and hands it to the monitor.
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { describe, test } from "node:test";
import { ConformanceMonitor } from "../../../src/conformance/monitor.ts";
import type { Destination } from "../../../src/sip/endpoint/index.ts";
import { SipEndpoint } from "../../../src/sip/endpoint/index.ts";
import type { TransportProtocol } from "../../../src/sip/transport/address.ts";
import { UE, proveViolationBy, sip } from "../requirement-fixtures.ts";

/** A MESSAGE from the P-CSCF to UE-A whose body has `bodyBytes` bytes. */
function largeMessage(bodyBytes: number): string {
  return [
    "MESSAGE sip:alice@127.0.0.1:5070 SIP/2.0",
    "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-large1",
    "Max-Forwards: 69",
    "From: <sip:bob@ims.example.test>;tag=b1",
    "To: <sip:alice@ims.example.test>",
    "Call-ID: large-1",
    "CSeq: 1 MESSAGE",
    "P-Asserted-Identity: <sip:bob@ims.example.test>",
    "Content-Type: text/plain",
    `Content-Length: ${bodyBytes}`,
    "",
    "x".repeat(bodyBytes),
  ].join("\r\n");
}

const from = (protocol: TransportProtocol): Destination => ({ protocol, host: "127.0.0.1", port: 5060 });

describe("request.congestion-controlled-transport", () => {
  proveViolationBy(
    "request.congestion-controlled-transport",
    "a 4000-byte MESSAGE received over UDP (the conforming one: the same over TCP, and an 800-byte one over UDP)",
    (m) => m.received(UE, { message: sip(largeMessage(4000).replace(/\r\n/g, "\n")), source: from("udp"), at: 0, retransmission: false }),
    (m) => {
      m.received(UE, { message: sip(largeMessage(4000).replace(/\r\n/g, "\n")), source: from("tcp"), at: 0, retransmission: false });
      m.received(UE, { message: sip(largeMessage(500).replace(/\r\n/g, "\n").replace("large-1", "small-1")), source: from("udp"), at: 1, retransmission: false });
    },
  );

  test("the threshold is 1300 bytes: 1300 over UDP conforms, 1301 does not", () => {
    for (const [total, violated] of [
      [1300, 0],
      [1301, 1],
    ] as const) {
      const monitor = new ConformanceMonitor();
      let body = total - 400;
      while (Buffer.byteLength(largeMessage(body)) < total) body++;
      const text = largeMessage(body);
      assert.equal(Buffer.byteLength(text), total);
      monitor.received(UE, { message: sip(text.replace(/\r\n/g, "\n")), source: from("udp"), at: 0, retransmission: false });
      assert.equal(monitor.violations.filter((v) => v.requirement.id === "request.congestion-controlled-transport").length, violated, `${total} bytes`);
    }
  });

  test("a real UDP endpoint parses a 4000-byte datagram and the monitor names its size and transport", async () => {
    const endpoint = await SipEndpoint.start({ listen: [{ protocol: "udp", host: "127.0.0.1", port: 0 }] });
    const monitor = new ConformanceMonitor();
    const judged = new Promise<void>((resolve) => endpoint.observe({ received: (o) => (monitor.received(UE, o), resolve()), problem: (p) => (monitor.problem(UE, p), resolve()) }));
    const socket = createSocket("udp4");
    try {
      const bytes = Buffer.from(largeMessage(4000));
      await new Promise<void>((resolve, reject) => socket.send(bytes, endpoint.local("udp").port, "127.0.0.1", (e) => (e ? reject(e) : resolve())));
      await judged;
      assert.deepEqual(endpoint.problems, [], "the datagram parsed");
      assert.deepEqual(
        monitor.violations.map((v) => v.requirement.id),
        ["request.congestion-controlled-transport"],
      );
      assert.equal(monitor.violations[0]?.finding.received, `MESSAGE sip:alice@127.0.0.1:5070 SIP/2.0: ${bytes.length} bytes over UDP`);
    } finally {
      socket.close();
      await endpoint.close();
    }
  });
});

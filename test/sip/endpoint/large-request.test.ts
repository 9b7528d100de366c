// RFC 3261 18.1.1 in the driver: a request over 1300 bytes (path MTU unknown), or within 200 bytes of
// a known path MTU, goes over TCP to the same host and port when UDP was asked for, its top Via
// saying TCP; the response comes back on that connection. A UE on UDP listens for TCP on its port.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type Received, SipEndpoint } from "../../../src/sip/endpoint/index.ts";
import { newCallId, newTag } from "../../../src/sip/identifiers.ts";
import { SipRequest, createResponse, serializeMessage } from "../../../src/sip/message/index.ts";
import { ImsUe } from "../../../src/sip/ue/index.ts";
import { Trace } from "../../../src/sip/transport/trace.ts";

/** An endpoint on UDP and TCP at the same port, answering every MESSAGE 200 and keeping what arrived. */
async function peer(options: { pathMtu?: number; udpOnly?: boolean } = {}): Promise<{ endpoint: SipEndpoint; received: Received[]; trace: Trace }> {
  const trace = new Trace();
  const received: Received[] = [];
  for (;;) {
    const udp = await SipEndpoint.start({ listen: [{ protocol: "udp", host: "127.0.0.1", port: 0 }] });
    const port = udp.local("udp").port;
    await udp.close();
    try {
      const endpoint = await SipEndpoint.start({
        listen: options.udpOnly
          ? [{ protocol: "udp", port }]
          : [
              { protocol: "udp", port },
              { protocol: "tcp", port },
            ],
        trace,
        ...(options.pathMtu !== undefined ? { pathMtu: options.pathMtu } : {}),
      });
      endpoint.onRequest((r) => {
        received.push(r);
        r.transaction?.respond(createResponse(r.message as SipRequest, 200, { toTag: newTag() }));
        return true;
      });
      return { endpoint, received, trace };
    } catch {
      // the port was taken for TCP meanwhile: another one
    }
  }
}

function message(to: SipEndpoint, bodyBytes: number): SipRequest {
  const r = new SipRequest("MESSAGE", `sip:bob@127.0.0.1:${to.local("udp").port}`);
  r.addHeader("From", `<sip:alice@example.test>;tag=${newTag()}`);
  r.addHeader("To", "<sip:bob@example.test>");
  r.addHeader("Call-ID", newCallId());
  r.addHeader("CSeq", "1 MESSAGE");
  r.setBody("x".repeat(bodyBytes), "text/plain");
  return r;
}

describe("RFC 3261 18.1.1: large requests over TCP", () => {
  test("a 2000-byte MESSAGE asked for UDP goes over TCP, Via TCP, and its 200 comes back on that connection; a small one stays on UDP", async () => {
    const a = await peer();
    const b = await peer();
    try {
      const udp = { protocol: "udp" as const, host: "127.0.0.1", port: b.endpoint.local("udp").port };
      const large = message(b.endpoint, 2000);
      const response = await a.endpoint.request(large, udp);
      assert.equal(response.status, 200);
      assert.equal(b.received[0]?.source.protocol, "tcp");
      assert.match(b.received[0].message.headerValues("via")[0] ?? "", new RegExp(`^SIP/2\\.0/TCP 127\\.0\\.0\\.1:${a.endpoint.local("udp").port};`));
      const sent = a.trace.entries.find((e) => e.direction === "sent" && e.bytes.toString("latin1").startsWith("MESSAGE"));
      const answer = a.trace.entries.find((e) => e.direction === "received" && e.bytes.toString("latin1").startsWith("SIP/2.0 200"));
      assert.ok(sent && sent.bytes.length > 1300 && sent.protocol === "tcp", "the MESSAGE went over TCP");
      assert.ok(answer && answer.protocol === "tcp" && answer.note === sent.note, "the 200 came back on the MESSAGE's connection");

      const small = message(b.endpoint, 200);
      assert.equal((await a.endpoint.request(small, udp)).status, 200);
      assert.equal(b.received[1]?.source.protocol, "udp");
    } finally {
      await a.endpoint.close();
      await b.endpoint.close();
    }
  });

  test("the threshold: 1300 bytes stays on UDP, 1301 goes over TCP; a path MTU of 9000 moves it to 8800; keepTransport and a UDP-only endpoint keep UDP", async () => {
    const b = await peer();
    const cases = [
      { size: 1300, options: {}, expected: "udp" },
      { size: 1301, options: {}, expected: "tcp" },
      { size: 1301, options: { pathMtu: 1500 }, expected: "tcp" },
      { size: 4000, options: { pathMtu: 9000 }, expected: "udp" },
      { size: 8801, options: { pathMtu: 9000 }, expected: "tcp" },
      { size: 4000, options: { udpOnly: true }, expected: "udp" },
      { size: 4000, options: {}, keep: true, expected: "udp" },
    ];
    try {
      for (const c of cases) {
        const a = await peer(c.options);
        try {
          const r = message(b.endpoint, 0);
          r.prependHeader("Via", a.endpoint.via("udp"));
          r.addHeader("Max-Forwards", 70);
          r.setBody("x".repeat(c.size - serializeMessage(r).length), "text/plain");
          // Content-Length grew by digits: trim the body to the exact size
          while (serializeMessage(r).length > c.size) r.setBody("x".repeat(r.body.length - 1), "text/plain");
          while (serializeMessage(r).length < c.size) r.setBody("x".repeat(r.body.length + 1), "text/plain");
          assert.equal(serializeMessage(r).length, c.size);
          const to = { protocol: "udp" as const, host: "127.0.0.1", port: b.endpoint.local("udp").port };
          assert.equal((await a.endpoint.request(r, to, c.keep ? { keepTransport: true } : {})).status, 200);
          assert.equal(b.received.at(-1)?.source.protocol, c.expected, `${c.size} bytes with ${JSON.stringify(c)}`);
        } finally {
          await a.endpoint.close();
        }
      }
    } finally {
      await b.endpoint.close();
    }
  });

  test("a UE on UDP listens for TCP on the same port (its Contact's)", async () => {
    const ue = await ImsUe.start({
      name: "UE-A",
      impi: "alice@example.test",
      impu: "sip:alice@example.test",
      domain: "example.test",
      credentials: { kind: "digest", password: "secret" },
      pcscf: { protocol: "udp", host: "127.0.0.1", port: 5999 },
      protocol: "udp",
    });
    try {
      assert.deepEqual(ue.endpoint.protocols.sort(), ["tcp", "udp"]);
      assert.equal(ue.endpoint.local("tcp").port, ue.endpoint.local("udp").port);
      assert.equal(ue.contact, `sip:alice@127.0.0.1:${ue.endpoint.local("udp").port}`);
    } finally {
      await ue.close();
    }
  });
});

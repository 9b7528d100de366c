import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { IncomingPacket } from "../../../src/sip/transport/index.ts";
import { InMemoryNetwork, createMemoryTransport } from "../../../src/sip/transport/memory-transport.ts";
import { Trace } from "../../../src/sip/transport/trace.ts";
import { TransportError } from "../../../src/sip/transport/transport.ts";
import { FakeClock } from "../../support/fake-clock.ts";
import { sipRequest, sipResponse } from "./transport-test-helpers.ts";

function collect(t: { onPacket(h: (p: IncomingPacket) => void): void }): IncomingPacket[] {
  const got: IncomingPacket[] = [];
  t.onPacket((p) => void got.push(p));
  return got;
}

describe("MemoryTransport over an InMemoryNetwork", () => {
  test("round trip between two transports, delivered asynchronously, every message traced", async () => {
    const trace = new Trace();
    const net = new InMemoryNetwork({ clock: new FakeClock() });
    const a = await createMemoryTransport(net, { host: "127.0.0.2", port: 5060, trace });
    const b = await createMemoryTransport(net, { host: "127.0.0.3", port: 5060, trace });
    assert.equal(a.protocol, "udp");
    assert.deepEqual(a.local, { host: "127.0.0.2", port: 5060 });
    const atA = collect(a);
    const atB = collect(b);

    const request = sipRequest("mem-1");
    const sending = a.send(request, b.local);
    assert.equal(atB.length, 0, "delivery is never synchronous with send");
    assert.equal(net.pending, 1);
    await sending;
    await net.idle();
    assert.equal(net.pending, 0);
    assert.equal(atB.length, 1);
    assert.deepEqual(atB[0].bytes, request);
    assert.equal(atB[0].protocol, "udp");
    assert.deepEqual(atB[0].remote, a.local);
    assert.deepEqual(atB[0].local, b.local);

    await b.send(sipResponse("mem-1"), atB[0].remote);
    await net.idle();
    assert.deepEqual(
      atA.map((p) => p.bytes),
      [sipResponse("mem-1")],
    );

    assert.deepEqual(
      trace.entries.map((e) => [e.direction, e.protocol, `${e.local.host}:${e.local.port}`, `${e.remote.host}:${e.remote.port}`]),
      [
        ["sent", "udp", "127.0.0.2:5060", "127.0.0.3:5060"],
        ["received", "udp", "127.0.0.3:5060", "127.0.0.2:5060"],
        ["sent", "udp", "127.0.0.3:5060", "127.0.0.2:5060"],
        ["received", "udp", "127.0.0.2:5060", "127.0.0.3:5060"],
      ],
    );
    assert.deepEqual(
      net.deliveries.map((d) => [d.packet.seq, d.fate]),
      [
        [1, "delivered"],
        [2, "delivered"],
      ],
    );
  });

  test("the bytes are copied when sent: changing the buffer afterwards changes nothing delivered", async () => {
    const net = new InMemoryNetwork();
    const a = await net.open({ host: "127.0.0.2" });
    const b = await net.open({ host: "127.0.0.3" });
    const atB = collect(b);
    const bytes = sipRequest("mem-copy");
    await a.send(bytes, b.local);
    bytes.fill(0x41);
    await net.idle();
    assert.deepEqual(atB[0].bytes, sipRequest("mem-copy"));
  });

  test("a rule drops chosen packets; the others are delivered; every fate is recorded", async () => {
    const net = new InMemoryNetwork();
    net.rule = (p) => (p.bytes.toString("latin1").includes("Call-ID: lost") ? "drop" : "deliver");
    const a = await net.open({ host: "127.0.0.2" });
    const b = await net.open({ host: "127.0.0.3" });
    const atB = collect(b);
    await a.send(sipRequest("lost"), b.local);
    await a.send(sipRequest("kept"), b.local);
    await net.idle();
    assert.equal(atB.length, 1);
    assert.match(atB[0].bytes.toString("latin1"), /Call-ID: kept/);
    assert.deepEqual(
      net.deliveries.map((d) => [d.packet.seq, d.fate]),
      [
        [1, "dropped"],
        [2, "delivered"],
      ],
    );
  });

  test("a rule delays a packet on the network's clock: nothing arrives until fake time reaches it", async () => {
    const clock = new FakeClock();
    const net = new InMemoryNetwork({ clock, rule: () => ({ delay: 250 }) });
    const a = await net.open({ host: "127.0.0.2" });
    const b = await net.open({ host: "127.0.0.3" });
    const atB = collect(b);
    await a.send(sipRequest("late"), b.local);
    await net.idle();
    assert.equal(atB.length, 0);
    assert.equal(net.pending, 1);
    clock.advance(249);
    await net.idle();
    assert.equal(atB.length, 0);
    clock.advance(1);
    await net.idle();
    assert.equal(atB.length, 1);
    assert.equal(net.deliveries[0].at, 250);
  });

  test("port 0 picks a free port; a taken address is a bind error; protocols listen apart", async () => {
    const net = new InMemoryNetwork();
    const a = await net.open({ host: "127.0.0.2", port: 0 });
    const b = await net.open({ host: "127.0.0.2" });
    assert.ok(a.local.port > 0 && b.local.port > 0 && a.local.port !== b.local.port);
    await assert.rejects(net.open({ host: "127.0.0.2", port: a.local.port }), (e: unknown) => e instanceof TransportError && e.code === "bind");
    const tcp = await net.open({ protocol: "tcp", host: "127.0.0.2", port: a.local.port });
    assert.equal(tcp.protocol, "tcp");
  });

  test("UDP to an address where nothing listens is lost silently; TCP there is a refused connection", async () => {
    const net = new InMemoryNetwork();
    const udp = await net.open({ host: "127.0.0.2" });
    await udp.send(sipRequest("nowhere"), { host: "127.0.0.9", port: 5060 });
    await net.idle();
    assert.deepEqual(
      net.deliveries.map((d) => d.fate),
      ["undeliverable"],
    );

    const tcp = await net.open({ protocol: "tcp", host: "127.0.0.2" });
    const errors: TransportError[] = [];
    tcp.onError((e) => void errors.push(e));
    await assert.rejects(tcp.send(sipRequest("refused"), { host: "127.0.0.9", port: 5060 }), (e: unknown) => e instanceof TransportError && e.code === "connect");
    assert.deepEqual(
      errors.map((e) => e.code),
      ["connect"],
    );
  });

  test("a closed transport refuses to send, receives nothing more, and frees its address", async () => {
    const net = new InMemoryNetwork();
    const a = await net.open({ host: "127.0.0.2", port: 5060 });
    const b = await net.open({ host: "127.0.0.3", port: 5060 });
    const atB = collect(b);
    const sending = a.send(sipRequest("in-flight"), b.local);
    const closing = b.close();
    await sending;
    await closing;
    await b.close(); // idempotent
    await net.idle();
    assert.equal(atB.length, 0);
    assert.deepEqual(
      net.deliveries.map((d) => d.fate),
      ["undeliverable"],
    );
    await assert.rejects(b.send(sipRequest("x"), a.local), (e: unknown) => e instanceof TransportError && e.code === "closed");
    const again = await net.open({ host: "127.0.0.3", port: 5060 });
    assert.deepEqual(again.local, b.local);
  });

  test("a CRLF keep-alive is traced but not delivered as a message", async () => {
    const trace = new Trace();
    const net = new InMemoryNetwork();
    const a = await net.open({ host: "127.0.0.2" });
    const b = await net.open({ host: "127.0.0.3", trace });
    const atB = collect(b);
    await a.send(Buffer.from("\r\n\r\n"), b.local);
    await net.idle();
    assert.equal(atB.length, 0);
    assert.deepEqual(
      trace.entries.map((e) => [e.direction, e.note]),
      [["received", "keep-alive"]],
    );
  });
});

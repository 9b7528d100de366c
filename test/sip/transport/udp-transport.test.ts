import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { networkInterfaces } from "node:os";
import { Trace } from "../../../src/sip/transport/trace.ts";
import { createUdpTransport } from "../../../src/sip/transport/udp-transport.ts";
import { TransportError } from "../../../src/sip/transport/transport.ts";
import { errorsOf, openSocketHandles, packetsOf, sipRequest, sipResponse } from "./transport-test-helpers.ts";

function hasIpv6Loopback(): boolean {
  return Object.values(networkInterfaces()).some((list) => list?.some((i) => i.address === "::1"));
}

describe("UdpTransport", () => {
  test("round trip between two transports, every datagram traced", async () => {
    const trace = new Trace();
    const a = await createUdpTransport({ host: "127.0.0.1", port: 0, trace });
    const b = await createUdpTransport({ host: "127.0.0.1", port: 0, trace });
    try {
      assert.equal(a.protocol, "udp");
      assert.equal(a.local.host, "127.0.0.1");
      assert.ok(a.local.port > 0 && b.local.port > 0 && a.local.port !== b.local.port);
      const atA = packetsOf(a);
      const atB = packetsOf(b);
      const request = sipRequest("udp-1");
      await a.send(request, b.local);
      const got = await atB.next();
      assert.deepEqual(got.bytes, request);
      assert.equal(got.protocol, "udp");
      assert.deepEqual(got.remote, a.local);
      assert.deepEqual(got.local, b.local);
      assert.equal(got.connectionId, undefined);

      const response = sipResponse("udp-1");
      await b.send(response, got.remote);
      const back = await atA.next();
      assert.deepEqual(back.bytes, response);
      assert.deepEqual(back.remote, b.local);

      const e = trace.entries;
      assert.deepEqual(
        e.map((x) => [x.seq, x.direction, x.protocol, x.local.port, x.remote.port]),
        [
          [1, "sent", "udp", a.local.port, b.local.port],
          [2, "received", "udp", b.local.port, a.local.port],
          [3, "sent", "udp", b.local.port, a.local.port],
          [4, "received", "udp", a.local.port, b.local.port],
        ],
      );
      assert.deepEqual(
        e.map((x) => x.bytes.toString("latin1")),
        [request, request, response, response].map((m) => m.toString("latin1")),
      );
      assert.ok(e[0].time <= e[1].time && e[1].time <= e[2].time && e[2].time <= e[3].time);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test("a destination by name still goes through DNS (an IP address is sent to without a look-up)", async () => {
    const a = await createUdpTransport({ host: "127.0.0.1", port: 0 });
    const b = await createUdpTransport({ host: "127.0.0.1", port: 0 });
    try {
      const atB = packetsOf(b);
      await a.send(sipRequest("udp-name"), { host: "localhost", port: b.local.port });
      assert.deepEqual((await atB.next()).bytes, sipRequest("udp-name"));
      await assert.rejects(a.send(sipRequest("udp-nx"), { host: "no-such-host.invalid", port: b.local.port }), TransportError);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test("large socket buffers are asked for; an OS clamp is not an error", async () => {
    const t = await createUdpTransport({ host: "127.0.0.1", port: 0, recvBufferSize: 1 << 30, sendBufferSize: 1 << 30 });
    try {
      assert.ok(t.bufferSizes.recv > 0);
      assert.ok(t.bufferSizes.send > 0);
    } finally {
      await t.close();
    }
  });

  test("CRLF-only datagrams are traced as keep-alives, not delivered", async () => {
    const trace = new Trace();
    const a = await createUdpTransport({ host: "127.0.0.1", port: 0 });
    const b = await createUdpTransport({ host: "127.0.0.1", port: 0, trace });
    try {
      const atB = packetsOf(b);
      await a.send(Buffer.from("\r\n\r\n"), b.local);
      await a.send(sipRequest("after-keepalive"), b.local);
      const got = await atB.next();
      assert.match(got.bytes.toString("latin1"), /Call-ID: after-keepalive/);
      assert.deepEqual(
        trace.entries.map((x) => [x.direction, x.note]),
        [
          ["received", "keep-alive"],
          ["received", undefined],
        ],
      );
    } finally {
      await a.close();
      await b.close();
    }
  });

  test("IPv6 loopback", { skip: hasIpv6Loopback() ? false : "no ::1 on this machine" }, async () => {
    const a = await createUdpTransport({ host: "::1", port: 0 });
    const b = await createUdpTransport({ host: "::1", port: 0 });
    try {
      const atB = packetsOf(b);
      await a.send(sipRequest("v6"), { host: "[::1]", port: b.local.port });
      const got = await atB.next();
      assert.deepEqual(got.remote, { host: "::1", port: a.local.port });
    } finally {
      await a.close();
      await b.close();
    }
  });

  test("a dual-stack socket bound to :: reaches IPv4 peers", { skip: hasIpv6Loopback() ? false : "no IPv6 on this machine" }, async () => {
    const a = await createUdpTransport({ host: "::", port: 0 });
    const b = await createUdpTransport({ host: "127.0.0.1", port: 0 });
    try {
      const atA = packetsOf(a);
      const atB = packetsOf(b);
      await a.send(sipRequest("dual"), b.local);
      const got = await atB.next();
      assert.deepEqual(got.remote, { host: "127.0.0.1", port: a.local.port });
      await b.send(sipResponse("dual"), got.remote);
      const back = await atA.next();
      assert.deepEqual(back.remote, { host: "::ffff:127.0.0.1", port: b.local.port });
    } finally {
      await a.close();
      await b.close();
    }
  });

  test("an invalid destination rejects and is reported, never thrown", async () => {
    const a = await createUdpTransport({ host: "127.0.0.1", port: 0 });
    try {
      const errors = errorsOf(a);
      const remote = { host: "127.0.0.1", port: 70000 };
      await assert.rejects(a.send(sipRequest("bad-port"), remote), (error: unknown) => {
        assert.ok(error instanceof TransportError);
        assert.equal(error.code, "send");
        assert.deepEqual(error.remote, remote);
        return true;
      });
      assert.deepEqual((await errors.next()).remote, remote);
    } finally {
      await a.close();
    }
  });

  test("post(): a datagram goes out without a promise; a failure reaches `failed` later, never during the call", async () => {
    const a = await createUdpTransport({ host: "127.0.0.1", port: 0 });
    const b = await createUdpTransport({ host: "127.0.0.1", port: 0 });
    try {
      const packets = packetsOf(b);
      const failures: TransportError[] = [];
      a.post(sipRequest("posted"), b.local, (e) => failures.push(e));
      assert.match((await packets.next()).bytes.toString(), /posted/);
      const remote = { host: "127.0.0.1", port: 70000 };
      let returned = false;
      const failed = new Promise<TransportError>((done) =>
        a.post(sipRequest("bad-port"), remote, (e) => {
          assert.ok(returned, "told after post() returned");
          done(e);
        }),
      );
      returned = true;
      const error = await failed;
      assert.equal(error.code, "send");
      assert.deepEqual(error.remote, remote);
      assert.deepEqual(failures, []);
      await a.close();
      let closedReturned = false;
      const closed = new Promise<TransportError>((done) =>
        a.post(Buffer.from("x"), b.local, (e) => {
          assert.ok(closedReturned, "told after post() returned");
          done(e);
        }),
      );
      closedReturned = true;
      assert.equal((await closed).code, "closed");
    } finally {
      await a.close();
      await b.close();
    }
  });

  test("bind failure rejects with a TransportError naming the address", async () => {
    const a = await createUdpTransport({ host: "127.0.0.1", port: 0 });
    try {
      await assert.rejects(createUdpTransport({ host: "127.0.0.1", port: a.local.port }), (error: unknown) => {
        assert.ok(error instanceof TransportError);
        assert.equal(error.code, "bind");
        assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${a.local.port}`));
        assert.ok(error.cause instanceof Error);
        return true;
      });
    } finally {
      await a.close();
    }
  });

  test("close() is idempotent, releases the socket and later sends reject", async () => {
    const t = await createUdpTransport({ host: "127.0.0.1", port: 0 });
    const first = t.close();
    assert.equal(t.close(), first);
    await first;
    await t.close();
    assert.deepEqual(openSocketHandles(), []);
    await assert.rejects(t.send(Buffer.from("x"), { host: "127.0.0.1", port: 9 }), { code: "closed" });
  });
});

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import type { Socket } from "node:net";
import { Trace } from "../../../src/sip/transport/trace.ts";
import { createTcpTransport } from "../../../src/sip/transport/tcp-transport.ts";
import { TransportError } from "../../../src/sip/transport/transport.ts";
import { closedPort, errorsOf, openSocketHandles, packetsOf, sipRequest, sipResponse } from "./transport-test-helpers.ts";

async function rawClient(port: number): Promise<Socket> {
  const socket = connect({ host: "127.0.0.1", port });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  return socket;
}

function readUntilClosed(socket: Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  socket.on("data", (c: Buffer) => chunks.push(c));
  return new Promise((resolve) => socket.once("close", () => resolve(Buffer.concat(chunks))));
}

describe("StreamTransport over TCP", () => {
  test("request A->B, response B->A on the same connection; the connection is reused", async () => {
    const trace = new Trace();
    const a = await createTcpTransport({ host: "127.0.0.1", port: 0, trace });
    const b = await createTcpTransport({ host: "127.0.0.1", port: 0, trace });
    try {
      assert.equal(a.protocol, "tcp");
      assert.ok(b.local.port > 0);
      const atA = packetsOf(a);
      const atB = packetsOf(b);

      const request = sipRequest("tcp-1");
      await a.send(request, b.local);
      const req = await atB.next();
      assert.deepEqual(req.bytes, request);
      assert.equal(req.protocol, "tcp");
      assert.deepEqual(req.local, b.local);
      assert.equal(typeof req.connectionId, "string");

      const [aConnection] = a.listConnections();
      assert.equal(a.connectionCount, 1);
      assert.equal(aConnection.outbound, true);
      assert.deepEqual(aConnection.remote, b.local);
      // B sees A's ephemeral source port, the local end of the connection A opened.
      assert.deepEqual(req.remote, aConnection.local);

      // RFC 3261 18.2.2: the response goes back on the request's connection, whatever the address says.
      const response = sipResponse("tcp-1");
      await b.send(response, { host: "127.0.0.1", port: await closedPort() }, { connectionId: req.connectionId! });
      const res = await atA.next();
      assert.deepEqual(res.bytes, response);
      assert.equal(res.connectionId, aConnection.id, "A got the response on the socket it opened");
      assert.deepEqual(res.remote, b.local);
      assert.equal(b.connectionCount, 1, "B opened no connection of its own");

      for (let i = 2; i <= 4; i++) {
        await a.send(sipRequest(`tcp-${i}`), b.local);
        const more = await atB.next();
        assert.match(more.bytes.toString("latin1"), new RegExp(`Call-ID: tcp-${i}\\r\\n`));
        assert.equal(more.connectionId, req.connectionId, "B receives on the same connection");
      }
      assert.equal(a.connectionCount, 1);
      assert.equal(b.connectionCount, 1);

      const entries = trace.entries;
      assert.deepEqual(
        entries.slice(0, 4).map((e) => [e.direction, e.protocol, e.local.port, e.remote.port, e.note]),
        [
          ["sent", "tcp", aConnection.local.port, b.local.port, aConnection.id],
          ["received", "tcp", b.local.port, aConnection.local.port, req.connectionId],
          ["sent", "tcp", b.local.port, aConnection.local.port, req.connectionId],
          ["received", "tcp", aConnection.local.port, b.local.port, aConnection.id],
        ],
      );
      assert.deepEqual(entries[0].bytes, request);
      assert.deepEqual(entries[3].bytes, response);
      assert.equal(entries.length, 10);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test("concurrent sends before the connection is up share one connection", async () => {
    const a = await createTcpTransport({ host: "127.0.0.1", port: 0 });
    const b = await createTcpTransport({ host: "127.0.0.1", port: 0 });
    try {
      const atB = packetsOf(b);
      await Promise.all([1, 2, 3, 4, 5].map((i) => a.send(sipRequest(`c-${i}`), b.local)));
      const ids = new Set<string | undefined>();
      const callIds: string[] = [];
      for (let i = 0; i < 5; i++) {
        const p = await atB.next();
        ids.add(p.connectionId);
        callIds.push(/Call-ID: (\S+)/.exec(p.bytes.toString("latin1"))![1]);
      }
      assert.equal(ids.size, 1);
      assert.deepEqual(callIds, ["c-1", "c-2", "c-3", "c-4", "c-5"]);
      assert.equal(a.connectionCount, 1);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test("a send to a remote that connected to us reuses its connection", async () => {
    const a = await createTcpTransport({ host: "127.0.0.1", port: 0 });
    const b = await createTcpTransport({ host: "127.0.0.1", port: 0 });
    try {
      const atA = packetsOf(a);
      const atB = packetsOf(b);
      await a.send(sipRequest("r-1"), b.local);
      const req = await atB.next();
      await b.send(sipRequest("r-2"), req.remote);
      const got = await atA.next();
      assert.match(got.bytes.toString("latin1"), /Call-ID: r-2/);
      assert.equal(b.connectionCount, 1);
      assert.equal(a.connectionCount, 1);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test("messages split across writes and keep-alive pings from a raw socket", async () => {
    const trace = new Trace();
    const b = await createTcpTransport({ host: "127.0.0.1", port: 0, trace });
    const socket = await rawClient(b.local.port);
    try {
      const atB = packetsOf(b);
      const received: Buffer[] = [];
      socket.on("data", (c: Buffer) => received.push(c));
      const request = sipRequest("split", "a body with\r\n\r\ninside");
      socket.write(request.subarray(0, 30));
      socket.write(Buffer.concat([request.subarray(30), Buffer.from("\r\n\r\n")]));
      const got = await atB.next();
      assert.deepEqual(got.bytes, request);
      assert.deepEqual(got.remote, { host: "127.0.0.1", port: socket.localPort });
      // RFC 5626 4.4.1: the double-CRLF ping is answered with a CRLF pong.
      await new Promise<void>((resolve) => {
        const check = (): void => {
          if (Buffer.concat(received).length >= 2) resolve();
          else socket.once("data", check);
        };
        check();
      });
      assert.equal(Buffer.concat(received).toString("latin1"), "\r\n");
      assert.deepEqual(
        trace.entries.map((e) => [
          e.direction,
          e.bytes.toString("latin1") === "\r\n\r\n" || e.bytes.toString("latin1") === "\r\n" ? e.bytes.toString("latin1") : "msg",
          e.note?.replace(/\(.*\)/, "()"),
        ]),
        [
          ["received", "msg", got.connectionId],
          ["received", "\r\n\r\n", "keep-alive ping ()"],
          ["sent", "\r\n", "keep-alive pong ()"],
        ],
      );
    } finally {
      socket.destroy();
      await b.close();
    }
  });

  test("missing Content-Length closes the connection and reports a framing error with the address", async () => {
    const b = await createTcpTransport({ host: "127.0.0.1", port: 0 });
    const socket = await rawClient(b.local.port);
    try {
      const errors = errorsOf(b);
      const closed = readUntilClosed(socket);
      socket.write("OPTIONS sip:b@127.0.0.1 SIP/2.0\r\nCall-ID: nolength\r\n\r\n");
      const error = await errors.next();
      assert.ok(error instanceof TransportError);
      assert.equal(error.code, "framing");
      assert.deepEqual(error.remote, { host: "127.0.0.1", port: socket.localPort });
      assert.equal((error.cause as { code?: string }).code, "missing-content-length");
      assert.equal((await closed).length, 0);
      await b.close();
      assert.equal(b.connectionCount, 0);
    } finally {
      socket.destroy();
      await b.close();
    }
  });

  test("a send to a closed port rejects and reports the address, nothing thrown uncaught", async () => {
    const a = await createTcpTransport({ host: "127.0.0.1", port: 0 });
    try {
      const errors = errorsOf(a);
      const remote = { host: "127.0.0.1", port: await closedPort() };
      await assert.rejects(a.send(sipRequest("refused"), remote), (error: unknown) => {
        assert.ok(error instanceof TransportError);
        assert.equal(error.code, "connect");
        assert.deepEqual(error.remote, remote);
        assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${remote.port}`));
        assert.equal((error.cause as NodeJS.ErrnoException).code, "ECONNREFUSED");
        return true;
      });
      const reported = await errors.next();
      assert.equal(reported.code, "connect");
      assert.deepEqual(reported.remote, remote);
      assert.equal(a.connectionCount, 0);
    } finally {
      await a.close();
    }
  });

  test("a packet handler that throws is reported, not thrown", async () => {
    const a = await createTcpTransport({ host: "127.0.0.1", port: 0 });
    const b = await createTcpTransport({ host: "127.0.0.1", port: 0 });
    try {
      b.onPacket(() => {
        throw new Error("handler bug");
      });
      const atB = packetsOf(b);
      const errors = errorsOf(b);
      await a.send(sipRequest("throws"), b.local);
      await atB.next();
      const error = await errors.next();
      assert.equal(error.code, "handler");
      assert.equal((error.cause as Error).message, "handler bug");
    } finally {
      await a.close();
      await b.close();
    }
  });

  test("close() is idempotent, closes connections in both directions and leaves no handles", async () => {
    const a = await createTcpTransport({ host: "127.0.0.1", port: 0 });
    const b = await createTcpTransport({ host: "127.0.0.1", port: 0 });
    const atB = packetsOf(b);
    await a.send(sipRequest("close-1"), b.local);
    await atB.next();
    await b.send(sipRequest("close-2"), { host: "127.0.0.1", port: a.local.port });
    assert.equal(b.connectionCount, 2);
    const first = a.close();
    assert.equal(a.close(), first);
    await Promise.all([first, b.close(), b.close()]);
    assert.equal(a.connectionCount, 0);
    assert.equal(b.connectionCount, 0);
    assert.deepEqual(openSocketHandles(), []);
    await assert.rejects(a.send(sipRequest("late"), b.local), { code: "closed" });
  });
});

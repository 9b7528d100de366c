import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { WebSocket } from "ws";
import { Trace } from "../../../src/sip/transport/trace.ts";
import { createWsTransport } from "../../../src/sip/transport/ws-transport.ts";
import { TransportError } from "../../../src/sip/transport/transport.ts";
import { closedPort, errorsOf, makeSelfSignedCertificate, openSocketHandles, packetsOf, sipRequest, sipResponse } from "./transport-test-helpers.ts";

function openRaw(port: number, protocols: string[]): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, protocols);
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
  });
}

function refusal(port: number, protocols: string[]): Promise<number> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, protocols);
  return new Promise((resolve, reject) => {
    ws.once("unexpected-response", (_request, response) => {
      resolve(response.statusCode ?? 0);
      ws.terminate();
    });
    ws.once("open", () => {
      ws.terminate();
      reject(new Error("handshake unexpectedly accepted"));
    });
    ws.once("error", () => {});
  });
}

function closedOf(ws: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) resolve();
    else ws.once("close", () => resolve());
  });
}

describe("WsTransport (RFC 7118)", () => {
  test("client and server exchange messages on one WebSocket connection", async () => {
    const trace = new Trace();
    const a = await createWsTransport({ host: "127.0.0.1", port: 0, trace });
    const b = await createWsTransport({ host: "127.0.0.1", port: 0, trace });
    try {
      assert.equal(a.protocol, "ws");
      const atA = packetsOf(a);
      const atB = packetsOf(b);
      const request = sipRequest("ws-1");
      await a.send(request, b.local);
      const req = await atB.next();
      assert.deepEqual(req.bytes, request);
      assert.equal(req.protocol, "ws");
      assert.deepEqual(req.local, b.local);
      const [aConnection] = a.listConnections();
      assert.deepEqual(req.remote, aConnection.local);

      await b.send(sipResponse("ws-1"), req.remote, { connectionId: req.connectionId! });
      const res = await atA.next();
      assert.deepEqual(res.bytes, sipResponse("ws-1"));
      assert.equal(res.connectionId, aConnection.id);
      assert.deepEqual(res.remote, b.local);

      await a.send(sipRequest("ws-2"), b.local);
      assert.equal((await atB.next()).connectionId, req.connectionId);
      assert.equal(a.connectionCount, 1);
      assert.equal(b.connectionCount, 1);
      assert.deepEqual(
        trace.entries.map((e) => [e.direction, e.protocol, e.note]),
        [
          ["sent", "ws", aConnection.id],
          ["received", "ws", req.connectionId],
          ["sent", "ws", req.connectionId],
          ["received", "ws", aConnection.id],
          ["sent", "ws", aConnection.id],
          ["received", "ws", req.connectionId],
        ],
      );
    } finally {
      await a.close();
      await b.close();
    }
  });

  test("text and binary frames are both accepted; UTF-8 is sent as text, other bytes as binary", async () => {
    const b = await createWsTransport({ host: "127.0.0.1", port: 0 });
    const raw = await openRaw(b.local.port, ["sip"]);
    try {
      assert.equal(raw.protocol, "sip");
      const atB = packetsOf(b);
      const text = sipRequest("text-frame", "héllo");
      raw.send(text.toString("utf8"));
      const binary = sipRequest("binary-frame");
      raw.send(binary, { binary: true });
      const first = await atB.next();
      const second = await atB.next();
      assert.deepEqual(first.bytes, text);
      assert.deepEqual(second.bytes, binary);

      const frames: Array<[boolean, Buffer]> = [];
      const two = new Promise<void>((resolve) => {
        raw.on("message", (data, isBinary) => {
          frames.push([isBinary, data as Buffer]);
          if (frames.length === 2) resolve();
        });
      });
      await b.send(sipResponse("text-frame"), first.remote, { connectionId: first.connectionId! });
      const notUtf8 = Buffer.concat([sipRequest("bin", ""), Buffer.from([0xff, 0xfe])]);
      await b.send(notUtf8, first.remote);
      await two;
      assert.deepEqual(frames, [
        [false, sipResponse("text-frame")],
        [true, notUtf8],
      ]);
      assert.equal(b.connectionCount, 1);
    } finally {
      raw.terminate();
      await closedOf(raw);
      await b.close();
    }
  });

  test("a handshake without the sip subprotocol is refused (RFC 7118 4.1)", async () => {
    const b = await createWsTransport({ host: "127.0.0.1", port: 0 });
    try {
      const errors = errorsOf(b);
      assert.equal(await refusal(b.local.port, []), 400);
      const reported = await errors.next();
      assert.equal(reported.code, "handshake");
      assert.equal(reported.remote?.host, "127.0.0.1");
      assert.equal(await refusal(b.local.port, ["foo", "sip-ish"]), 400);
      assert.equal(b.connectionCount, 0);
      // "sip" among others is accepted and selected.
      const ok = await openRaw(b.local.port, ["foo", "sip"]);
      assert.equal(ok.protocol, "sip");
      ok.terminate();
      await closedOf(ok);
    } finally {
      await b.close();
    }
  });

  test("a send to a closed port rejects with the address", async () => {
    const a = await createWsTransport({ host: "127.0.0.1", port: 0 });
    try {
      const errors = errorsOf(a);
      const remote = { host: "127.0.0.1", port: await closedPort() };
      await assert.rejects(a.send(sipRequest("nobody"), remote), (error: unknown) => {
        assert.ok(error instanceof TransportError);
        assert.equal(error.code, "connect");
        assert.deepEqual(error.remote, remote);
        return true;
      });
      assert.deepEqual((await errors.next()).remote, remote);
    } finally {
      await a.close();
    }
  });

  const certificate = makeSelfSignedCertificate();
  test("wss: WebSocket over TLS", { skip: typeof certificate === "string" ? certificate : false }, async () => {
    const { key, cert } = certificate as { key: string; cert: string };
    const a = await createWsTransport({ host: "127.0.0.1", port: 0, secure: true, tls: { ca: cert } });
    const b = await createWsTransport({ host: "127.0.0.1", port: 0, secure: true, tls: { key, cert } });
    try {
      assert.equal(b.protocol, "wss");
      const atA = packetsOf(a);
      const atB = packetsOf(b);
      await a.send(sipRequest("wss-1"), b.local);
      const req = await atB.next();
      assert.equal(req.protocol, "wss");
      assert.deepEqual(req.bytes, sipRequest("wss-1"));
      await b.send(sipResponse("wss-1"), req.remote, { connectionId: req.connectionId! });
      assert.deepEqual((await atA.next()).bytes, sipResponse("wss-1"));
    } finally {
      await a.close();
      await b.close();
    }
  });

  test("close() is idempotent and leaves no open handles", async () => {
    const a = await createWsTransport({ host: "127.0.0.1", port: 0 });
    const b = await createWsTransport({ host: "127.0.0.1", port: 0 });
    const atB = packetsOf(b);
    await a.send(sipRequest("close"), b.local);
    await atB.next();
    const first = b.close();
    assert.equal(b.close(), first);
    await Promise.all([first, a.close()]);
    assert.equal(a.connectionCount, 0);
    assert.deepEqual(openSocketHandles(), []);
    await assert.rejects(a.send(sipRequest("late"), b.local), { code: "closed" });
  });
});

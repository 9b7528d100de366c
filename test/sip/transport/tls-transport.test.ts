import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Trace } from "../../../src/sip/transport/trace.ts";
import { createTlsTransport } from "../../../src/sip/transport/tls-transport.ts";
import { TransportError } from "../../../src/sip/transport/transport.ts";
import { errorsOf, makeSelfSignedCertificate, openSocketHandles, packetsOf, sipRequest, sipResponse } from "./transport-test-helpers.ts";

const certificate = makeSelfSignedCertificate();
const skip = typeof certificate === "string" ? certificate : false;

describe("StreamTransport over TLS", { skip }, () => {
  const { key, cert } = certificate as { key: string; cert: string };

  test("request and response over one verified TLS connection", async () => {
    const trace = new Trace();
    const a = await createTlsTransport({ host: "127.0.0.1", port: 0, key, cert, ca: cert, trace });
    const b = await createTlsTransport({ host: "127.0.0.1", port: 0, key, cert, ca: cert, trace });
    try {
      assert.equal(a.protocol, "tls");
      const atA = packetsOf(a);
      const atB = packetsOf(b);
      const request = sipRequest("tls-1", "é body ünicode");
      await a.send(request, b.local);
      const req = await atB.next();
      assert.deepEqual(req.bytes, request);
      assert.equal(req.protocol, "tls");
      const response = sipResponse("tls-1");
      await b.send(response, req.remote, { connectionId: req.connectionId! });
      const res = await atA.next();
      assert.deepEqual(res.bytes, response);
      assert.equal(res.connectionId, a.listConnections()[0].id);
      await a.send(sipRequest("tls-2"), b.local);
      assert.equal((await atB.next()).connectionId, req.connectionId);
      assert.equal(a.connectionCount, 1);
      assert.equal(b.connectionCount, 1);
      // The trace holds the plaintext SIP bytes, not TLS records.
      assert.deepEqual(
        trace.entries.map((e) => [e.direction, e.protocol, e.bytes.subarray(0, 7).toString("latin1")]),
        [
          ["sent", "tls", "OPTIONS"],
          ["received", "tls", "OPTIONS"],
          ["sent", "tls", "SIP/2.0"],
          ["received", "tls", "SIP/2.0"],
          ["sent", "tls", "OPTIONS"],
          ["received", "tls", "OPTIONS"],
        ],
      );
    } finally {
      await a.close();
      await b.close();
    }
  });

  test("an untrusted server certificate fails the connect on both ends, reported with the address", async () => {
    const b = await createTlsTransport({ host: "127.0.0.1", port: 0, key, cert });
    // No ca: the self-signed certificate is not trusted by Node's default roots.
    const a = await createTlsTransport({ host: "127.0.0.1", port: 0, key, cert });
    try {
      const aErrors = errorsOf(a);
      const bErrors = errorsOf(b);
      await assert.rejects(a.send(sipRequest("untrusted"), b.local), (error: unknown) => {
        assert.ok(error instanceof TransportError);
        assert.equal(error.code, "connect");
        assert.deepEqual(error.remote, b.local);
        assert.equal((error.cause as NodeJS.ErrnoException).code, "DEPTH_ZERO_SELF_SIGNED_CERT");
        return true;
      });
      assert.equal((await aErrors.next()).code, "connect");
      const serverSide = await bErrors.next();
      assert.equal(serverSide.code, "handshake");
      assert.equal(serverSide.remote?.host, "127.0.0.1");
      assert.equal(a.connectionCount, 0);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test("close() leaves no open handles", async () => {
    const a = await createTlsTransport({ host: "127.0.0.1", port: 0, key, cert, ca: cert });
    const b = await createTlsTransport({ host: "127.0.0.1", port: 0, key, cert, ca: cert });
    const atB = packetsOf(b);
    await a.send(sipRequest("bye"), b.local);
    await atB.next();
    await Promise.all([a.close(), b.close(), a.close()]);
    assert.deepEqual(openSocketHandles(), []);
  });
});

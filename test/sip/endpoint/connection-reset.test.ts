// RFC 3261 17.1.4: a peer that resets the TCP connection while a request waits on it ends the wait
// at once with a transport error naming the reset, not at Timer F with "Received: nothing".
import assert from "node:assert/strict";
import { createServer, type Socket } from "node:net";
import { test } from "node:test";
import { SipEndpoint } from "../../../src/sip/endpoint/index.ts";
import { ExpectationError } from "../../../src/sip/failure.ts";
import { SipRequest } from "../../../src/sip/message/index.ts";

test("a TCP reset while waiting for the response ends the request at once with the transport error", async () => {
  const sockets: Socket[] = [];
  const server = createServer((s) => {
    sockets.push(s);
    // Reset as soon as the request arrives
    s.once("data", () => s.resetAndDestroy());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  const endpoint = await SipEndpoint.start({ listen: [{ protocol: "tcp", host: "127.0.0.1", port: 0 }], timers: { t1: 500 } });
  try {
    const r = new SipRequest("OPTIONS", "sip:sut@127.0.0.1");
    r.addHeader("From", "<sip:ue@127.0.0.1>;tag=1");
    r.addHeader("To", "<sip:sut@127.0.0.1>");
    r.addHeader("Call-ID", "reset-1");
    r.addHeader("CSeq", "1 OPTIONS");
    const started = Date.now();
    const error = await endpoint.request(r, { protocol: "tcp", host: "127.0.0.1", port }).then(
      () => undefined,
      (e: unknown) => e,
    );
    const took = Date.now() - started;
    assert.ok(error instanceof ExpectationError, `an ExpectationError, got ${String(error)}`);
    assert.match(error.message, /Received: transport error: tcp connection .* 127\.0\.0\.1:\d+: .*ECONNRESET/);
    assert.match(error.message, /Clause: {3}RFC 3261 17\.1\.4/);
    // Timer F would be 64*T1 = 32 s: the reset ends it long before (no timing assertion beyond that bound)
    assert.ok(took < 32_000, `ended before Timer F (${took} ms)`);
  } finally {
    await endpoint.close();
    for (const s of sockets) s.destroy();
    server.close();
  }
});

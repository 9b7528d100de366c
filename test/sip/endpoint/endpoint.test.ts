import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import { type Server, type Socket as Socket2, createServer } from "node:net";
import { Deadline } from "../../../src/sip/deadline.ts";
import { type Destination, type Received, SipEndpoint } from "../../../src/sip/endpoint/index.ts";
import { ExpectationError } from "../../../src/sip/failure.ts";
import { newCallId, newTag } from "../../../src/sip/identifiers.ts";
import { type SipRequest, type SipResponse, SipRequest as Request, createResponse, parseMessage, serializeMessage } from "../../../src/sip/message/index.ts";
import type { TransportProtocol } from "../../../src/sip/transport/address.ts";
import { Trace } from "../../../src/sip/transport/trace.ts";
import { FakeClock } from "../../support/fake-clock.ts";

const closers: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const c of closers.reverse()) await c();
});

async function endpoint(protocol: TransportProtocol | TransportProtocol[], options: Partial<Parameters<typeof SipEndpoint.start>[0]> = {}): Promise<SipEndpoint> {
  const protocols = Array.isArray(protocol) ? protocol : [protocol];
  const ep = await SipEndpoint.start({ listen: protocols.map((p) => ({ protocol: p })), ...options });
  closers.push(() => ep.close());
  return ep;
}

function dest(ep: SipEndpoint, protocol: TransportProtocol): Destination {
  const l = ep.local(protocol);
  return { protocol, host: l.host, port: l.port };
}

/** A bare out-of-dialog request without Via (the endpoint adds its own). */
function outOfDialog(method: string, uri: string, extra: Record<string, string> = {}): SipRequest {
  const r = new Request(method, uri);
  r.addHeader("From", `<sip:alice@ims.test>;tag=${newTag()}`);
  r.addHeader("To", `<${uri}>`);
  r.addHeader("Call-ID", newCallId());
  r.addHeader("CSeq", `1 ${method}`);
  for (const [n, v] of Object.entries(extra)) r.addHeader(n, v);
  return r;
}

async function udpSocket(): Promise<{ socket: Socket; port: number; received: Buffer[]; next: () => Promise<{ bytes: Buffer; port: number }> }> {
  const socket = createSocket("udp4");
  const received: Buffer[] = [];
  const waiting: Array<(m: { bytes: Buffer; port: number }) => void> = [];
  const queued: Array<{ bytes: Buffer; port: number }> = [];
  socket.on("message", (bytes, rinfo) => {
    received.push(bytes);
    const m = { bytes, port: rinfo.port };
    const w = waiting.shift();
    if (w) w(m);
    else queued.push(m);
  });
  await new Promise<void>((r) => socket.bind(0, "127.0.0.1", () => r()));
  closers.push(() => new Promise<void>((r) => socket.close(() => r())));
  return {
    socket,
    port: socket.address().port,
    received,
    /** The next datagram; rejects after 5 s so that a response sent elsewhere fails the test instead of hanging it. */
    next: () => {
      const q = queued.shift();
      if (q) return Promise.resolve(q);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          const i = waiting.indexOf(take);
          if (i >= 0) waiting.splice(i, 1);
          reject(new Error(`no datagram arrived at 127.0.0.1:${socket.address().port} within 5 s`));
        }, 5000);
        const take = (m: { bytes: Buffer; port: number }): void => {
          clearTimeout(timer);
          resolve(m);
        };
        waiting.push(take);
      });
    },
  };
}

function sendDatagram(socket: Socket, bytes: Buffer | string, port: number): Promise<void> {
  return new Promise((resolve, reject) => socket.send(bytes, port, "127.0.0.1", (e) => (e ? reject(e) : resolve())));
}

function parsed(bytes: Buffer) {
  const r = parseMessage(bytes);
  assert.ok(r.ok, r.ok ? "" : r.error.reason);
  return r.message;
}

const WAIT = (label: string): Deadline => Deadline.after(5000, label);

describe("SipEndpoint.request (RFC 3261 8.1, 17.1)", () => {
  for (const protocol of ["udp", "tcp"] as const) {
    test(`${protocol.toUpperCase()}: resolves with the final response, provisional responses go to onProvisional`, async () => {
      const uas = await endpoint(protocol);
      const uac = await endpoint(protocol);
      const seen: Received[] = [];
      uas.onRequest((rec) => {
        seen.push(rec);
        uas.reply(rec, 180, { toTag: "uas-tag" });
        uas.reply(rec, 183, { toTag: "uas-tag" });
        uas.reply(rec, 200, { toTag: "uas-tag", headers: { Contact: "<sip:bob@127.0.0.1>" }, body: { type: "text/plain", content: "done" } });
        return true;
      });
      const provisional: number[] = [];
      const target = `sip:bob@127.0.0.1:${uas.local(protocol).port}`;
      const response = await uac.request(outOfDialog("OPTIONS", target), dest(uas, protocol), { onProvisional: (r) => provisional.push(r.status) });
      assert.equal(response.status, 200);
      assert.equal(response.toTag, "uas-tag");
      assert.equal(response.bodyText, "done");
      assert.deepEqual(provisional, [180, 183]);
      // the UAC added Via (with rport, RFC 3581) and Max-Forwards; the UAS stamped received and rport
      assert.equal(seen.length, 1);
      const req = seen[0].message as SipRequest;
      const l = uac.local(protocol);
      const srcPort = seen[0].source.port;
      assert.match(req.header("via")!, new RegExp(`^SIP/2\\.0/${protocol.toUpperCase()} 127\\.0\\.0\\.1:${l.port};branch=z9hG4bK\\w+;rport=${srcPort};received=127\\.0\\.0\\.1$`));
      assert.equal(req.header("max-forwards"), "70");
      if (protocol === "udp") assert.equal(srcPort, l.port, "UDP requests leave from the listening socket");
      // the response carries the stamped Via back
      assert.equal(response.header("via"), req.header("via"));
      assert.deepEqual(uac.inbox.unconsumed(), []);
    });
  }

  test("UDP: the response goes to the source address and port, not to sent-by (RFC 3581 4, RFC 3261 18.2.2)", async () => {
    const uas = await endpoint("udp");
    uas.onRequest((rec) => (uas.reply(rec, 200, { toTag: "t" }), true));
    const peer = await udpSocket();
    const request = (via: string): string =>
      [
        `OPTIONS sip:bob@127.0.0.1:${uas.local("udp").port} SIP/2.0`,
        `Via: ${via}`,
        "Max-Forwards: 70",
        "From: <sip:raw@ims.test>;tag=raw",
        "To: <sip:bob@ims.test>",
        `Call-ID: ${newCallId()}`,
        "CSeq: 1 OPTIONS",
        "Content-Length: 0",
        "",
        "",
      ].join("\r\n");
    // sent-by names port 9 (discard): only rport brings the response back
    await sendDatagram(peer.socket, request("SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKraw1;rport"), uas.local("udp").port);
    const first = parsed((await peer.next()).bytes) as SipResponse;
    assert.equal(first.status, 200);
    assert.equal(first.header("via"), `SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKraw1;rport=${peer.port};received=127.0.0.1`);
    // RFC 3261 18.2.1: a sent-by host that differs from the source gets received, and the response goes there
    await sendDatagram(peer.socket, request(`SIP/2.0/UDP ue.invalid:${peer.port};branch=z9hG4bKraw2`), uas.local("udp").port);
    const second = parsed((await peer.next()).bytes) as SipResponse;
    assert.equal(second.header("via"), `SIP/2.0/UDP ue.invalid:${peer.port};branch=z9hG4bKraw2;received=127.0.0.1`);
    assert.deepEqual(uas.problems, []);
  });

  test("UDP: a request retransmitted after the final response gets the same response again from the retired transaction, the TU does not see it (RFC 3261 17.2.2)", async () => {
    const uas = await endpoint("udp");
    const seen: string[] = [];
    uas.onRequest((rec) => (seen.push(rec.message.startLine()), uas.reply(rec, 200, { toTag: "t" }), true));
    const retransmissions: boolean[] = [];
    uas.observe({ received: (e) => void (e.message.kind === "request" && retransmissions.push(e.retransmission)) });
    const peer = await udpSocket();
    const request = [
      `MESSAGE sip:bob@127.0.0.1:${uas.local("udp").port} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bKretired1`,
      "Max-Forwards: 70",
      "From: <sip:raw@ims.test>;tag=raw",
      "To: <sip:bob@ims.test>",
      `Call-ID: ${newCallId()}`,
      "CSeq: 1 MESSAGE",
      "Content-Length: 0",
      "",
      "",
    ].join("\r\n");
    await sendDatagram(peer.socket, request, uas.local("udp").port);
    const first = (await peer.next()).bytes;
    assert.equal(uas.transactions.size.servers, 1);
    await sendDatagram(peer.socket, request, uas.local("udp").port);
    const second = (await peer.next()).bytes;
    assert.deepEqual(second, first);
    assert.deepEqual(seen, [`MESSAGE sip:bob@127.0.0.1:${uas.local("udp").port} SIP/2.0`]);
    assert.deepEqual(retransmissions, [false, true]);
    assert.deepEqual(uas.problems, []);
  });

  test("a peer that never answers: Timer F (non-INVITE) and Timer B (INVITE) end the wait at 64*T1", async () => {
    const uac = await endpoint(["udp", "tcp"], { timers: { t1: 50 } });
    const silent = await udpSocket();
    const connections: Buffer[] = [];
    const sockets: Socket2[] = [];
    const server: Server = createServer((s) => {
      sockets.push(s);
      s.on("data", (d) => connections.push(d));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    closers.push(() => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((r) => server.close(() => r()));
    });
    const tcpPort = (server.address() as { port: number }).port;
    const udpTarget = `sip:silent@127.0.0.1:${silent.port}`;
    const tcpTarget = `sip:silent@127.0.0.1:${tcpPort};transport=tcp`;
    const options = uac.request(outOfDialog("OPTIONS", udpTarget), { protocol: "udp", host: "127.0.0.1", port: silent.port });
    const invite = uac.request(outOfDialog("INVITE", udpTarget, { Contact: "<sip:alice@127.0.0.1>" }), { protocol: "udp", host: "127.0.0.1", port: silent.port });
    const overTcp = uac.request(outOfDialog("MESSAGE", tcpTarget), { protocol: "tcp", host: "127.0.0.1", port: tcpPort }, { clause: "RFC 3428 4" });
    const [o, i, t] = await Promise.allSettled([options, invite, overTcp]);
    const reason = (r: PromiseSettledResult<SipResponse>): ExpectationError => {
      assert.equal(r.status, "rejected");
      const e: unknown = r.reason;
      assert.ok(e instanceof ExpectationError, String(e));
      assert.equal(e.name, "TimeoutError");
      return e;
    };
    const oe = reason(o);
    assert.match(oe.message, new RegExp(`^Expected: a final response to OPTIONS ${udpTarget.replace(/\./g, "\\.")} sent to UDP 127\\.0\\.0\\.1:${silent.port}\n`));
    assert.match(oe.message, /\nReceived: nothing\n/);
    assert.match(oe.message, /\nTimeout: {2}\d+(\.\d)? s \(64\*T1 = 3200 ms, Timer F\)\n/);
    assert.match(oe.message, /\nClause: {3}RFC 3261 17\.1\.2\.2$/);
    assert.equal(oe.parts.timeout?.budget, "64*T1 = 3200 ms, Timer F");
    const ie = reason(i);
    assert.match(ie.message, new RegExp(`^Expected: a final response to INVITE ${udpTarget.replace(/\./g, "\\.")} sent to UDP`));
    assert.match(ie.message, /\nTimeout: {2}.*\(64\*T1 = 3200 ms, Timer B\)\n/);
    assert.match(ie.message, /\nClause: {3}RFC 3261 17\.1\.1\.2$/);
    const te = reason(t);
    assert.match(te.message, /MESSAGE .* sent to TCP 127\.0\.0\.1:\d+\n/);
    assert.match(te.message, /Timer F\)\nClause: {3}RFC 3428 4$/);
    // Timers A and E retransmitted over UDP; over TCP the request went once (RFC 3261 17.1.1.2, 17.1.2.2)
    const copies = (method: string): number => silent.received.filter((b) => b.toString().startsWith(`${method} `)).length;
    assert.ok(copies("OPTIONS") >= 3, `OPTIONS sent ${copies("OPTIONS")} times`);
    assert.ok(copies("INVITE") >= 3, `INVITE sent ${copies("INVITE")} times`);
    assert.equal(Buffer.concat(connections).toString().split("MESSAGE sip:").length - 1, 1);
    assert.deepEqual(uac.transactions.size, { clients: 0, servers: 0 });
  });

  test("a caller deadline shorter than 64*T1 ends the wait with the budget's name; the transaction absorbs a late answer", async () => {
    const uac = await endpoint("udp", { timers: { t1: 50 } });
    const late = await udpSocket();
    const target = `sip:late@127.0.0.1:${late.port}`;
    const p = uac.request(
      outOfDialog("OPTIONS", target),
      { protocol: "udp", host: "127.0.0.1", port: late.port },
      {
        deadline: Deadline.after(300, "step 'late peer answers'"),
        clause: "TS 24.229 5.1.1.2",
      },
    );
    const firstCopy = await late.next();
    await assert.rejects(p, (e: unknown) => {
      assert.ok(e instanceof ExpectationError);
      assert.match(
        e.message,
        /^Expected: a final response to OPTIONS sip:late@127\.0\.0\.1:\d+ sent to UDP 127\.0\.0\.1:\d+\nReceived: nothing\nTimeout: {2}\d+ ms \(step 'late peer answers'\)\nClause: {3}TS 24\.229 5\.1\.1\.2$/,
      );
      assert.doesNotMatch(e.message, /Timer F/);
      return true;
    });
    assert.equal(uac.transactions.size.clients, 1, "the transaction keeps running after the caller gave up");
    // a late 200 is absorbed by the transaction, not left in the inbox; a request sent after it shows it was processed
    const request = parsed(firstCopy.bytes) as SipRequest;
    const ok = createResponse(request, 200, { toTag: "late" });
    await sendDatagram(late.socket, serializeMessage(ok), uac.local("udp").port);
    const marker = outOfDialog("OPTIONS", `sip:alice@127.0.0.1:${uac.local("udp").port}`);
    marker.prependHeader("Via", `SIP/2.0/UDP 127.0.0.1:${late.port};branch=z9hG4bKmarker`);
    marker.addHeader("Max-Forwards", 70);
    await sendDatagram(late.socket, serializeMessage(marker), uac.local("udp").port);
    await uac.inbox.expect({ method: "OPTIONS" }, WAIT("marker"));
    assert.deepEqual(uac.inbox.unconsumed(), []);
  });

  test("a destination whose protocol the endpoint does not listen on: the transport error (RFC 3261 17.1.4)", async () => {
    const uac = await endpoint("udp");
    const withVia = outOfDialog("OPTIONS", "sip:x@127.0.0.1:5999");
    withVia.addHeader("Via", "SIP/2.0/TCP 127.0.0.1:5998;branch=z9hG4bKnotcp");
    await assert.rejects(uac.request(withVia, { protocol: "tcp", host: "127.0.0.1", port: 5999 }), (e: unknown) => {
      assert.ok(e instanceof ExpectationError, String(e));
      assert.equal(e.name, "ExpectationError");
      assert.match(e.message, /\nReceived: transport error: no TCP transport to reach TCP 127\.0\.0\.1:5999\nClause: {3}RFC 3261 17\.1\.4$/);
      return true;
    });
    // without a Via the endpoint cannot even write its sent-by
    await assert.rejects(uac.request(outOfDialog("OPTIONS", "sip:x@127.0.0.1:5999"), { protocol: "tcp", host: "127.0.0.1", port: 5999 }), /this endpoint has no TCP transport \(it listens on udp\)/);
    assert.throws(() => uac.transport("tcp"), /this endpoint has no TCP transport \(it listens on udp\)/);
  });
});

describe("SipEndpoint inbox (expect)", () => {
  test("expect resolves with the matching message; at its deadline it lists what arrived instead", async () => {
    const clock = new FakeClock();
    const receiver = await endpoint("tcp", { clock });
    const sender = await endpoint("tcp");
    const to = dest(receiver, "tcp");
    const target = `sip:bob@127.0.0.1:${to.port};transport=tcp`;
    const one = outOfDialog("MESSAGE", target, { Subject: "one" });
    const two = outOfDialog("MESSAGE", target, { Subject: "two" });
    void sender.request(one, to).catch(() => undefined);
    void sender.request(two, to).catch(() => undefined);
    const got = await receiver.inbox.expect({ method: "MESSAGE", headers: { subject: "two" } }, Deadline.after(1000, "b", clock));
    assert.equal(got.message.callId, two.callId);
    assert.ok(got.transaction, "a new request comes with its server transaction");
    assert.equal(got.source.protocol, "tcp");
    assert.ok(got.source.connectionId !== undefined);
    // the first MESSAGE, sent before on the same connection, is queued; INFO never comes
    const wait = receiver.inbox.expect({ method: "INFO", clause: "RFC 6086 4.2" }, Deadline.after(100, "step 'bob gets INFO'", clock));
    clock.advance(100);
    await assert.rejects(wait, (e: unknown) => {
      assert.ok(e instanceof ExpectationError);
      assert.equal(
        e.message,
        ["Expected: INFO", `Received: MESSAGE ${target} SIP/2.0 | CSeq: 1 MESSAGE | Call-ID: ${one.callId}`, "Timeout:  100 ms (step 'bob gets INFO')", "Clause:   RFC 6086 4.2"].join("\n"),
      );
      return true;
    });
    // take() consumes without waiting
    assert.equal(receiver.inbox.take({ method: "MESSAGE", callId: one.callId })?.message.callId, one.callId);
    assert.deepEqual(receiver.inbox.unconsumed(), []);
    // answer both so that the sender's transactions end
    receiver.reply(got, 200);
  });
});

describe("SipEndpoint: malformed input and raw sending", () => {
  test("sendStateless sends raw bytes as they are; the receiver records them as unparsable with the reason", async () => {
    const trace = new Trace();
    const receiver = await endpoint("udp", { trace });
    const sender = await endpoint("udp");
    const to = dest(receiver, "udp");
    const raw = Buffer.from(`INVITE sip:bob@127.0.0.1 extra SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${sender.local("udp").port};branch=z9hG4bKbad\r\nContent-Length: 0\r\n\r\n`);
    await sender.sendStateless(raw, to);
    // a wrong Content-Length kept on purpose
    const wrongLength = outOfDialog("MESSAGE", `sip:bob@127.0.0.1:${to.port}`, { "Max-Forwards": "70", "Content-Length": "99" });
    wrongLength.prependHeader("Via", sender.via("udp"));
    wrongLength.setBody("abc", "text/plain");
    await sender.sendStateless(wrongLength, to, { contentLength: "keep" });
    // then a good request: datagrams from one socket arrive in order, so both before are handled by then
    const good = outOfDialog("OPTIONS", `sip:bob@127.0.0.1:${to.port}`, { "Max-Forwards": "70" });
    good.prependHeader("Via", sender.via("udp"));
    await sender.sendStateless(good, to);
    await receiver.inbox.expect({ method: "OPTIONS" }, WAIT("good OPTIONS"));

    const received = trace.entries.filter((e) => e.direction === "received");
    assert.ok(received[0].bytes.equals(raw), "the raw bytes crossed the wire unchanged");
    assert.match(received[1].bytes.toString(), /\r\nContent-Length: 99\r\n/);
    assert.equal(receiver.problems.length, 2);
    const [p1, p2] = receiver.problems;
    assert.equal(p1.kind, "unparsable");
    assert.match(p1.description, /^unparsable message \(line 1, offset 0\): Request-Line "INVITE sip:bob@127\.0\.0\.1 extra SIP\/2\.0" has more than three parts/);
    assert.match(p1.description, /; starts "INVITE sip:bob@127\.0\.0\.1 extra SIP\/2\.0"$/);
    assert.deepEqual(p1.source, { protocol: "udp", host: "127.0.0.1", port: sender.local("udp").port });
    assert.equal(p2.kind, "unparsable");
    assert.match(p2.description, /Content-Length 99 exceeds the 3 bytes of body received/);
  });

  test("garbage and messages missing mandatory headers do not throw: they land in endpoint.problems", async () => {
    const receiver = await endpoint("udp");
    const peer = await udpSocket();
    const port = receiver.local("udp").port;
    await sendDatagram(peer.socket, Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0d, 0x0a, 0x0d, 0x0a, 0x42]), port);
    await sendDatagram(peer.socket, "hello world\r\n\r\n", port);
    // a request without Call-ID
    await sendDatagram(
      peer.socket,
      `OPTIONS sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bKnoid\r\nMax-Forwards: 70\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:b@b>\r\nCSeq: 1 OPTIONS\r\n\r\n`,
      port,
    );
    // a response whose CSeq cannot be read
    await sendDatagram(
      peer.socket,
      `SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bKx\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:b@b>;tag=2\r\nCall-ID: x\r\nCSeq: one OPTIONS\r\n\r\n`,
      port,
    );
    await sendDatagram(
      peer.socket,
      `OPTIONS sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bKok\r\nMax-Forwards: 70\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:b@b>\r\nCall-ID: ok\r\nCSeq: 1 OPTIONS\r\n\r\n`,
      port,
    );
    const ok = await receiver.inbox.expect({ method: "OPTIONS", callId: "ok" }, WAIT("OPTIONS after garbage"));
    receiver.reply(ok, 200, { toTag: "t" });
    assert.equal(parsed((await peer.next()).bytes).startLine(), "SIP/2.0 200 OK");
    assert.deepEqual(
      receiver.problems.map((p) => p.kind),
      ["unparsable", "unparsable", "invalid", "invalid"],
    );
    assert.match(receiver.problems[1].description, /malformed Request-Line "hello world"/);
    assert.match(receiver.problems[2].description, /^OPTIONS sip:bob@127\.0\.0\.1 SIP\/2\.0: Call-ID missing/);
    assert.match(receiver.problems[3].description, /^SIP\/2\.0 200 OK: CSeq: "one OPTIONS" is not "sequence-number method"/);
    for (const p of receiver.problems) assert.equal(p.source?.port, peer.port);
  });

  test("close() is idempotent; sending afterwards rejects", async () => {
    const ep = await SipEndpoint.start({ listen: [{ protocol: "udp" }, { protocol: "tcp" }] });
    await Promise.all([ep.close(), ep.close()]);
    await ep.close();
    await assert.rejects(ep.sendStateless(Buffer.from("x"), { protocol: "udp", host: "127.0.0.1", port: 9 }), /the endpoint is closed/);
  });
});

describe("SipEndpoint helpers", () => {
  test("via() and contactUri() name the listening address", async () => {
    const ep = await endpoint(["udp", "tcp"]);
    const u = ep.local("udp").port;
    const t = ep.local("tcp").port;
    assert.match(ep.via("udp"), new RegExp(`^SIP/2\\.0/UDP 127\\.0\\.0\\.1:${u};branch=z9hG4bK\\w+;rport$`));
    assert.equal(ep.via("tcp", "z9hG4bKfixed"), `SIP/2.0/TCP 127.0.0.1:${t};branch=z9hG4bKfixed;rport`);
    assert.equal(ep.contactUri("alice", "udp"), `sip:alice@127.0.0.1:${u}`);
    assert.equal(ep.contactUri("alice", "tcp"), `sip:alice@127.0.0.1:${t};transport=tcp`);
    assert.deepEqual(ep.protocols, ["udp", "tcp"]);
  });
});

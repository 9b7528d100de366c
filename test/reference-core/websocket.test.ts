// SIP over WebSocket (RFC 7118) at the reference core: ImsUe clients over WS and WSS that behave as
// a browser does (Via sent-by and Contact under .invalid, reachable only through the connection
// they opened) register with Digest; MESSAGE and calls from a UDP UE reach them down that
// connection (RFC 7118 5); the fault ignore-ws-flow sends them to the Contact instead, and the
// sender gets 503 at once.
import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import { describe, test } from "node:test";
import type { FaultName } from "../../src/profile/profile.ts";
import type { ObservedMessage } from "../../src/sip/endpoint/index.ts";
import { createTransport } from "../../src/sip/transport/transport-factory.ts";
import type { SipTransport } from "../../src/sip/transport/transport.ts";
import type { WsTransport } from "../../src/sip/transport/ws-transport.ts";
import type { ImsUe } from "../../src/sip/ue/index.ts";
import { generateSelfSignedCertificate, type SelfSignedCertificate } from "../../src/targets/certificate.ts";
import { Lab, SDP, impu, type Role } from "./core-fixture.ts";

type WebSocketProtocol = "ws" | "wss";

let certificate: Promise<SelfSignedCertificate> | undefined;
/** One certificate for the file: generating one takes openssl a few tens of ms. */
function cert(): Promise<SelfSignedCertificate> {
  certificate ??= generateSelfSignedCertificate(["127.0.0.1"]);
  return certificate;
}

async function wsLab(t: TestContext, faults: readonly FaultName[] = []): Promise<Lab> {
  const { key, cert: pem } = await cert();
  return Lab.start(t, { faults, extra: { websocket: { ws: {}, wss: { key, cert: pem } } } });
}

/** A WebSocket UE as a browser is one: it names itself under .invalid, and every message it receives is kept with its source. */
interface BrowserLikeUe {
  readonly ue: ImsUe;
  /** The connection the UE opened to the core (its id on the UE's side). */
  connection(): { id: string; local: { host: string; port: number } };
  readonly received: ObservedMessage[];
}

async function browserLike(lab: Lab, role: Role, protocol: WebSocketProtocol): Promise<BrowserLikeUe> {
  const listener = lab.core.websocket[protocol];
  assert.ok(listener, `the core listens on ${protocol.toUpperCase()}`);
  const inner = (await createTransport({ protocol, host: "127.0.0.1", port: 0, ...(protocol === "wss" ? { tls: { ca: (await cert()).cert } } : {}) })) as WsTransport;
  // RFC 7118 5 (and what sip.js does): Via sent-by and Contact name a host under .invalid
  const transport: SipTransport = {
    protocol: inner.protocol,
    local: { host: `${role}-df7jal23ls0d.invalid`, port: 9 },
    send: (bytes, remote, opts) => inner.send(bytes, remote, opts),
    onPacket: (h) => inner.onPacket(h),
    onError: (h) => inner.onError(h),
    close: () => inner.close(),
  };
  const ue = await lab.ue(role, protocol, { pcscf: { protocol, host: listener.host, port: listener.port }, transports: [transport] });
  const received: ObservedMessage[] = [];
  ue.endpoint.observe({ received: (o) => received.push(o) });
  return {
    ue,
    received,
    connection: () => {
      const open = inner.listConnections().filter((c) => c.state === "open");
      assert.equal(open.length, 1, `one connection from ${role}'s WebSocket transport: ${JSON.stringify(open)}`);
      return { id: open[0].id, local: open[0].local };
    },
  };
}

async function register(lab: Lab, u: BrowserLikeUe): Promise<void> {
  const outcome = await u.ue.register({ expires: 600 });
  assert.equal(outcome.final.status, 200, `${u.ue.name} could not register: ${outcome.final.startLine()}; core log:\n${lab.core.log.join("\n")}`);
}

/** Every received request of `method` came over the UE's own WebSocket connection to the core. */
function assertOverFlow(u: BrowserLikeUe, method: string, protocol: WebSocketProtocol): void {
  const requests = u.received.filter((o) => o.message.kind === "request" && o.message.method === method);
  assert.ok(requests.length > 0, `${u.ue.name} received a ${method}`);
  const { id } = u.connection();
  for (const r of requests) {
    assert.equal(r.source.protocol, protocol);
    assert.equal(r.source.connectionId, id, `the ${method} came over the connection ${u.ue.name} opened`);
  }
}

describe("SIP over WebSocket at the reference core (RFC 7118)", () => {
  test("the core listens on WS and WSS, each on a port of its own, and keeps UDP/TCP on theirs", async (t) => {
    const lab = await wsLab(t);
    const { ws, wss } = lab.core.websocket;
    assert.ok(ws && wss);
    assert.equal(ws.host, "127.0.0.1");
    assert.equal(new Set([lab.core.port, ws.port, wss.port]).size, 3);
    assert.match(lab.core.log[0], new RegExp(`^listening on UDP/TCP 127\\.0\\.0\\.1:${lab.core.port}; WS 127\\.0\\.0\\.1:${ws.port}; WSS 127\\.0\\.0\\.1:${wss.port} for `));
  });

  test("WS and WSS in `transports` are refused, naming the websocket option", async () => {
    const { ReferenceCore } = await import("../../src/reference-core/index.ts");
    await assert.rejects(ReferenceCore.start({ domain: "x.test", subscribers: [], transports: ["udp", "ws"] }), /not WS \(WS and WSS are the websocket option\)/);
  });

  test("a UE over WS and one over WSS register with Digest and get 200; the 200 goes back on their connection", async (t) => {
    const lab = await wsLab(t);
    const alice = await browserLike(lab, "alice", "ws");
    const bob = await browserLike(lab, "bob", "wss");
    await register(lab, alice);
    await register(lab, bob);
    for (const [u, protocol] of [
      [alice, "ws"],
      [bob, "wss"],
    ] as const) {
      assert.ok(lab.core.isRegistered(u.ue.impu));
      assert.match(u.ue.contact, new RegExp(`^sip:${u.ue.name}@${u.ue.name}-df7jal23ls0d\\.invalid:9;transport=${protocol}$`));
      const responses = u.received.filter((o) => o.message.kind === "response");
      assert.deepEqual(
        responses.map((o) => (o.message.kind === "response" ? o.message.status : 0)),
        [401, 200],
      );
      for (const r of responses) assert.equal(r.source.connectionId, u.connection().id);
      // RFC 7118 5.2: the core's Via over WebSocket would say WS/WSS; the UE's own top Via says it, stamped with received
      const via = responses[1].message.headerValues("via")[0];
      assert.match(via, new RegExp(`^SIP/2\\.0/${protocol.toUpperCase()} ${u.ue.name}-df7jal23ls0d\\.invalid:9;.*received=127\\.0\\.0\\.1`));
    }
  });

  for (const protocol of ["ws", "wss"] as const) {
    test(`a MESSAGE from a UDP UE to the ${protocol.toUpperCase()} UE's identity arrives over its WebSocket connection`, async (t) => {
      const lab = await wsLab(t);
      const bob = await browserLike(lab, "bob", protocol);
      await register(lab, bob);
      const alice = await lab.registered("alice");
      const r = await alice.sendMessage(impu("bob"), "hello browser");
      assert.equal(r.status, 200, lab.core.log.join("\n"));
      const m = await bob.ue.waitForMessage();
      assert.equal(m.message.bodyText, "hello browser");
      assert.equal(m.message.kind === "request" && m.message.uriText, bob.ue.contact, "RFC 3261 16.6 item 2: the Request-URI is still the registered contact");
      assert.match(
        m.message.headerValues("via")[0],
        new RegExp(`^SIP/2\\.0/${protocol.toUpperCase()} 127\\.0\\.0\\.1:${lab.core.websocket[protocol]?.port};`),
        "RFC 7118 5.2: the core's Via names WS/WSS and its listener",
      );
      assertOverFlow(bob, "MESSAGE", protocol);
      assert.ok(lab.core.log.some((l) => l.startsWith(`forwarded MESSAGE ${bob.ue.contact} to ${protocol.toUpperCase()} 127.0.0.1:`)));
      // and the other way: the WS UE's MESSAGE reaches the UDP UE
      assert.equal((await bob.ue.sendMessage(impu("alice"), "hello udp")).status, 200);
      assert.equal((await alice.waitForMessage()).message.bodyText, "hello udp");
    });

    test(`a UDP UE calls the ${protocol.toUpperCase()} UE: INVITE, ACK and BYE arrive over its WebSocket connection`, async (t) => {
      const lab = await wsLab(t);
      const bob = await browserLike(lab, "bob", protocol);
      await register(lab, bob);
      const alice = await lab.registered("alice");
      const call = alice.call(impu("bob"), { sdp: SDP, reliable: false });
      const incoming = await bob.ue.waitForCall();
      assert.equal(incoming.invite.uriText, bob.ue.contact);
      await incoming.provisional(180);
      const [ack, final] = await Promise.all([incoming.accept({ sdp: SDP }), call.waitForFinal()]);
      assert.equal(final.status, 200);
      assert.equal(ack.message.kind === "request" && ack.message.method, "ACK");
      assert.equal((await call.bye()).status, 200);
      await incoming.waitForRequest("BYE");
      for (const method of ["INVITE", "ACK", "BYE"]) assertOverFlow(bob, method, protocol);
    });

    test(`the ${protocol.toUpperCase()} UE calls a UDP UE, which hangs up: the BYE finds the caller's connection`, async (t) => {
      const lab = await wsLab(t);
      const alice = await browserLike(lab, "alice", protocol);
      await register(lab, alice);
      const bob = await lab.registered("bob");
      const call = alice.ue.call(impu("bob"), { sdp: SDP, reliable: false });
      const incoming = await bob.waitForCall();
      assert.equal(incoming.invite.header("contact"), `<${alice.ue.contact}>`);
      const [, final] = await Promise.all([incoming.accept({ sdp: SDP }), call.waitForFinal()]);
      assert.equal(final.status, 200);
      assert.equal((await incoming.bye()).status, 200);
      await call.waitForRequest("BYE");
      assertOverFlow(alice, "BYE", protocol);
    });
  }

  test("a WSS UE subscribes to its reg event: the 200 names the WSS listener, and the NOTIFY comes down its connection", async (t) => {
    const lab = await wsLab(t);
    const bob = await browserLike(lab, "bob", "wss");
    await register(lab, bob);
    const sub = await bob.ue.subscribeReg({ expires: 600 });
    const n = await sub.waitForNotify();
    assert.equal(n.state?.state, "active");
    const ok = bob.received.find((o) => o.message.kind === "response" && o.message.cseq.method === "SUBSCRIBE" && o.message.status === 200);
    assert.equal(ok?.message.header("contact"), `<sip:127.0.0.1:${lab.core.websocket.wss?.port};transport=wss>`);
    assertOverFlow(bob, "NOTIFY", "wss");
  });

  test("fault ignore-ws-flow: a MESSAGE and an INVITE to the WS UE go to its Contact, never arrive, and the caller gets 503 at once", async (t) => {
    const lab = await wsLab(t, ["ignore-ws-flow"]);
    const bob = await browserLike(lab, "bob", "ws");
    await register(lab, bob);
    const alice = await lab.registered("alice");
    const started = Date.now();
    const r = await alice.sendMessage(impu("bob"), "lost");
    assert.equal(r.status, 503, lab.core.log.join("\n"));
    const call = alice.call(impu("bob"), { sdp: SDP, reliable: false });
    assert.equal((await call.waitForFinal()).status, 503);
    assert.ok(Date.now() - started < 5000, `503s within 5 s, not at Timer F/B (${Date.now() - started} ms)`);
    assert.ok(
      lab.core.log.some((l) => l.startsWith(`fault ignore-ws-flow: MESSAGE for ${bob.ue.contact} sent to its Contact at WS bob-df7jal23ls0d.invalid:9`)),
      lab.core.log.join("\n"),
    );
    assert.ok(lab.core.log.some((l) => l.startsWith("fault ignore-ws-flow: INVITE for")));
    assert.ok(lab.core.log.some((l) => /^transport error on MESSAGE .*; counts as 503$/.test(l)));
    assert.deepEqual(
      bob.received.filter((o) => o.message.kind === "request").map((o) => (o.message.kind === "request" ? o.message.method : "")),
      [],
      "nothing reached the WS UE",
    );
    // switched off, the same binding is reached down its flow again
    lab.core.setFault("ignore-ws-flow", false);
    assert.equal((await alice.sendMessage(impu("bob"), "found")).status, 200);
    assertOverFlow(bob, "MESSAGE", "ws");
  });

  test("a flow that closed: the request fails at once with 503, and a new REGISTER on a new connection restores it", async (t) => {
    const lab = await wsLab(t);
    const first = await browserLike(lab, "bob", "ws");
    await register(lab, first);
    await first.ue.close();
    const alice = await lab.registered("alice");
    const started = Date.now();
    assert.equal((await alice.sendMessage(impu("bob"), "gone")).status, 503, lab.core.log.join("\n"));
    assert.ok(Date.now() - started < 5000);
    const again = await browserLike(lab, "bob", "ws");
    await register(lab, again);
    assert.equal((await alice.sendMessage(impu("bob"), "back")).status, 200);
    assertOverFlow(again, "MESSAGE", "ws");
  });
});

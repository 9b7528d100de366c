// Endpoints and UEs on the in-memory network with the fake clock: a request and its response, the
// RFC 3261 17.1.2.2 timers (E retransmits after a lost request, F ends the wait when all is lost)
// and what an illegal response becomes at the endpoint, with no socket and no real time passing.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { performance } from "node:perf_hooks";
import { type Destination, type EndpointProblem, type Received, SipEndpoint } from "../../../src/sip/endpoint/index.ts";
import { ExpectationError } from "../../../src/sip/failure.ts";
import { newCallId, newTag } from "../../../src/sip/identifiers.ts";
import { SipRequest, createResponse } from "../../../src/sip/message/index.ts";
import { TransactionUserError } from "../../../src/sip/transaction/index.ts";
import type { TransportProtocol } from "../../../src/sip/transport/address.ts";
import { InMemoryNetwork } from "../../../src/sip/transport/memory-transport.ts";
import { Trace } from "../../../src/sip/transport/trace.ts";
import { ImsUe } from "../../../src/sip/ue/ims-ue.ts";
import { FakeClock } from "../../support/fake-clock.ts";

const T1 = 500;

/** Two endpoints, Alice at 127.0.0.2:5060 and Bob at 127.0.0.3:5060, on one network and one fake clock. */
async function pair(protocol: TransportProtocol = "udp") {
  const clock = new FakeClock();
  const net = new InMemoryNetwork({ clock });
  const trace = new Trace();
  const alice = await SipEndpoint.start({ transports: [await net.open({ protocol, host: "127.0.0.2", port: 5060, trace })], clock, timers: { t1: T1 } });
  const bob = await SipEndpoint.start({ transports: [await net.open({ protocol, host: "127.0.0.3", port: 5060, trace })], clock, timers: { t1: T1 } });
  const toBob: Destination = { protocol, host: "127.0.0.3", port: 5060 };
  const close = async (): Promise<void> => {
    await alice.close();
    await bob.close();
  };
  return { clock, net, trace, alice, bob, toBob, close };
}

function message(uri = "sip:bob@127.0.0.3:5060"): SipRequest {
  const r = new SipRequest("MESSAGE", uri);
  r.addHeader("From", `<sip:alice@ims.test>;tag=${newTag()}`);
  r.addHeader("To", `<${uri}>`);
  r.addHeader("Call-ID", newCallId());
  r.addHeader("CSeq", "1 MESSAGE");
  r.setBody("hello", "text/plain");
  return r;
}

/** Bob answers every request 200 and keeps what he received. */
function answering(bob: SipEndpoint): Received[] {
  const seen: Received[] = [];
  bob.onRequest((rec) => {
    seen.push(rec);
    bob.reply(rec, 200, { toTag: "bob-tag" });
    return true;
  });
  return seen;
}

const isRequest = (bytes: Buffer): boolean => bytes.toString("latin1").startsWith("MESSAGE ");

describe("SipEndpoint on the in-memory network (fake time)", () => {
  test("a MESSAGE and its 200: exchanged and traced at fake time 0", async () => {
    const { clock, net, trace, alice, bob, toBob, close } = await pair();
    try {
      const seen = answering(bob);
      const response = await alice.request(message(), toBob);
      assert.equal(response.status, 200);
      assert.equal(response.toTag, "bob-tag");
      assert.equal(seen.length, 1);
      assert.equal(seen[0].message.header("via")?.startsWith("SIP/2.0/UDP 127.0.0.2:5060;branch="), true);
      assert.deepEqual(seen[0].source, { protocol: "udp", host: "127.0.0.2", port: 5060 });
      assert.equal(clock.now(), 0);
      assert.deepEqual(
        net.deliveries.map((d) => d.fate),
        ["delivered", "delivered"],
      );
      assert.deepEqual(
        trace.entries.map((e) => e.direction),
        ["sent", "received", "sent", "received"],
      );
      assert.deepEqual(alice.problems, []);
      assert.deepEqual(bob.problems, []);
    } finally {
      await close();
    }
  });

  test("Timer E: the first MESSAGE is lost; the retransmission at T1 gets the 200 (RFC 3261 17.1.2.2)", async () => {
    const { clock, net, alice, bob, toBob, close } = await pair();
    try {
      let lost = 0;
      net.rule = (p) => (isRequest(p.bytes) && lost++ === 0 ? "drop" : "deliver");
      const seen = answering(bob);
      let answeredAt: number | undefined;
      const pending = alice.request(message(), toBob).then((r) => {
        answeredAt = clock.now();
        return r;
      });
      await net.idle();
      assert.equal(seen.length, 0);
      assert.equal(answeredAt, undefined);
      clock.advance(T1 - 1);
      await net.idle();
      assert.equal(seen.length, 0, "nothing retransmitted before T1");
      clock.advance(1);
      const response = await pending;
      assert.equal(response.status, 200);
      assert.equal(answeredAt, T1);
      assert.equal(seen.length, 1);
      assert.equal(seen[0].at, T1);
      assert.deepEqual(
        net.deliveries.map((d) => [d.at, isRequest(d.packet.bytes) ? "MESSAGE" : "200", d.fate]),
        [
          [0, "MESSAGE", "dropped"],
          [T1, "MESSAGE", "delivered"],
          [T1, "200", "delivered"],
        ],
      );
    } finally {
      await close();
    }
  });

  test("Timer F: everything is lost; retransmissions at T1 doubling to T2, then the request fails at 64*T1 (RFC 3261 17.1.2.2)", async () => {
    const { clock, net, alice, bob, toBob, close } = await pair();
    try {
      net.rule = () => "drop";
      const seen = answering(bob);
      const started = performance.now();
      const failed = assert.rejects(alice.request(message(), toBob), (e: unknown) => {
        assert.ok(e instanceof ExpectationError);
        assert.match(e.message, /Timer F/);
        assert.match(e.message, /RFC 3261 17\.1\.2\.2/);
        return true;
      });
      clock.advance(64 * T1 - 1);
      await net.idle();
      clock.advance(1);
      await failed;
      assert.ok(performance.now() - started < 5000, "32 s of protocol time took no real time to speak of");
      assert.equal(seen.length, 0);
      assert.deepEqual(
        net.deliveries.map((d) => d.at),
        [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500],
      );
      assert.ok(net.deliveries.every((d) => d.fate === "dropped"));
      assert.deepEqual(alice.transactions.size, { clients: 0, servers: 0 });
    } finally {
      await close();
    }
  });

  test("over a reliable protocol (TCP label) nothing is retransmitted: one MESSAGE, one 200", async () => {
    const { net, alice, bob, toBob, close } = await pair("tcp");
    try {
      answering(bob);
      assert.equal((await alice.request(message(), toBob)).status, 200);
      assert.equal(net.deliveries.length, 2);
      assert.deepEqual(alice.transactions.size, { clients: 0, servers: 0 });
    } finally {
      await close();
    }
  });

  test("a 1xx after the final response is recorded as a 'protocol' problem of the endpoint (RFC 3261 17.1.2.2)", async () => {
    const { clock, net, alice, bob, toBob, close } = await pair();
    try {
      const seen = answering(bob);
      const heard: EndpointProblem[] = [];
      alice.observe({ problem: (p) => void heard.push(p) });
      const request = message();
      assert.equal((await alice.request(request, toBob)).status, 200);
      // Bob's peer misbehaves: a 180 for the MESSAGE after its 200, sent outside any transaction
      clock.advance(100);
      const late = createResponse(seen[0].message as SipRequest, 180, { toTag: "bob-tag" });
      await bob.sendStateless(late, seen[0].source);
      await net.idle();
      assert.equal(alice.problems.length, 1);
      const p = alice.problems[0];
      assert.equal(p.kind, "protocol");
      assert.equal(p.at, 100);
      assert.match(p.description, /NICT .* in state completed: response 180 Ringing is illegal .*RFC 3261 17\.1\.2\.2/);
      assert.deepEqual(heard, [p]);
      assert.equal(alice.transactions.illegalEvents.length, 1);
    } finally {
      await close();
    }
  });

  test("a second final response by the TU throws a TransactionUserError naming the transaction and its state", async () => {
    const { net, alice, bob, toBob, close } = await pair();
    try {
      const seen: Received[] = [];
      bob.onRequest((rec) => {
        seen.push(rec);
        return true;
      });
      const pending = alice.request(message(), toBob);
      await net.idle();
      const rec = seen[0];
      bob.reply(rec, 200, { toTag: "bob-tag" });
      assert.throws(
        () => bob.reply(rec, 500, { toTag: "bob-tag" }),
        (e: unknown) => e instanceof TransactionUserError && e.state === "completed" && e.event === "respond 500" && e.transaction === rec.transaction?.id,
      );
      assert.equal((await pending).status, 200);
    } finally {
      await close();
    }
  });

  test("start takes either listen or transports", async () => {
    await assert.rejects(SipEndpoint.start({}), /either listen or transports/);
    const net = new InMemoryNetwork();
    const t = await net.open({ host: "127.0.0.2" });
    await assert.rejects(SipEndpoint.start({ listen: [{ protocol: "udp" }], transports: [t] }), /either listen or transports/);
    await assert.rejects(SipEndpoint.start({ transports: [t, await net.open({ host: "127.0.0.3" })] }), /two UDP transports/);
    await t.close();
  });
});

/** UE-A at 127.0.0.2 and UE-B at 127.0.0.3; with no P-CSCF in between, each one's outbound proxy is the other. */
async function uePair(net: InMemoryNetwork, clock: FakeClock): Promise<{ a: ImsUe; b: ImsUe }> {
  const common = { domain: "ims.test", protocol: "udp" as const, clock, timers: { t1: T1 } };
  const b = await ImsUe.start({
    ...common,
    name: "UE-B",
    impi: "bob@ims.test",
    impu: "sip:bob@ims.test",
    credentials: { kind: "digest", password: "bob-secret" },
    pcscf: { protocol: "udp", host: "127.0.0.2", port: 5060 },
    transports: [await net.open({ host: "127.0.0.3", port: 5060 })],
  });
  const a = await ImsUe.start({
    ...common,
    name: "UE-A",
    impi: "alice@ims.test",
    impu: "sip:alice@ims.test",
    credentials: { kind: "digest", password: "alice-secret" },
    pcscf: { protocol: "udp", host: "127.0.0.3", port: 5060 },
    transports: [await net.open({ host: "127.0.0.2", port: 5060 })],
  });
  return { a, b };
}

describe("ImsUe on the in-memory network", () => {
  test("UE-A sends a MESSAGE to UE-B (RFC 3428): UE-B answers 200 and keeps the message", async () => {
    const clock = new FakeClock();
    const net = new InMemoryNetwork({ clock });
    const { a, b } = await uePair(net, clock);
    try {
      assert.equal(a.contact, "sip:alice@127.0.0.2:5060");
      const response = await a.sendMessage("sip:bob@ims.test", "hello Bob");
      assert.equal(response.status, 200);
      const got = await b.waitForMessage();
      assert.equal(got.message.kind === "request" && got.message.bodyText, "hello Bob");
      assert.equal(got.message.header("from")?.startsWith("<sip:alice@ims.test>"), true);
      assert.equal(clock.now(), 0);
      assert.deepEqual(
        net.deliveries.map((d) => d.fate),
        ["delivered", "delivered"],
      );
      assert.deepEqual(a.endpoint.problems, []);
      assert.deepEqual(b.endpoint.problems, []);
    } finally {
      await a.close();
      await b.close();
    }
  });

  // The retransmission loop of the callee once answered respond() on a terminated transaction,
  // which now throws (RFC 3261 17.2.1): it ends with the transaction instead.
  for (const what of ["a reliable 183 (RFC 3262 3)", "a 200 (RFC 3261 13.3.1.4)"] as const) {
    test(`the callee's retransmissions of ${what} stop when its transaction ends: UE-B closed with no PRACK or ACK`, async () => {
      const clock = new FakeClock();
      const net = new InMemoryNetwork({ clock, rule: (p) => (/^(PRACK|ACK) /.test(p.bytes.toString("latin1")) ? "drop" : "deliver") });
      const { a, b } = await uePair(net, clock);
      try {
        a.call("sip:bob@ims.test");
        await net.idle();
        const incoming = await b.waitForCall();
        const answered = what.startsWith("a 200") ? incoming.accept() : incoming.provisional(183, { reliable: true });
        const settled = answered.then(
          () => "resolved",
          () => "rejected",
        );
        await net.idle();
        await b.close();
        const fromB = (): number => net.deliveries.filter((d) => d.packet.from.host === "127.0.0.3").length;
        const before = fromB();
        assert.doesNotThrow(() => clock.advance(64 * T1));
        await net.idle();
        assert.equal(fromB(), before, "nothing more sent by the closed UE");
        assert.equal(await settled, "rejected");
      } finally {
        await a.close();
        await b.close();
      }
    });
  }
});

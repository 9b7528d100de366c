// Requests addressed to the reference core itself (RFC 3261 8.2.1, 8.2.2.3, 11.2) and the checks
// it makes as a proxy (16.3): OPTIONS pre-flight, 405, 420 for Require and Proxy-Require, 483.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { SipEndpoint } from "../../src/sip/endpoint/index.ts";
import { newCallId, newTag } from "../../src/sip/identifiers.ts";
import { SipRequest } from "../../src/sip/message/index.ts";
import type { TransportProtocol } from "../../src/sip/transport/address.ts";
import { DOMAIN, Lab, impu } from "./core-fixture.ts";

function request(method: string, uri: string, headers: Record<string, string> = {}): SipRequest {
  const r = new SipRequest(method, uri);
  r.addHeader("Max-Forwards", 70);
  r.addHeader("From", `<sip:probe@${DOMAIN}>;tag=${newTag()}`);
  r.addHeader("To", `<${uri}>`);
  r.addHeader("Call-ID", newCallId());
  r.addHeader("CSeq", `1 ${method}`);
  for (const [n, v] of Object.entries(headers)) r.addHeader(n, v);
  return r;
}

async function probe(t: { after: (fn: () => Promise<void>) => void }, protocols: TransportProtocol[] = ["udp", "tcp"]): Promise<SipEndpoint> {
  const e = await SipEndpoint.start({ listen: protocols.map((protocol) => ({ protocol })) });
  t.after(() => e.close());
  return e;
}

describe("requests addressed to the core", () => {
  for (const protocol of ["udp", "tcp"] as const) {
    for (const target of ["domain", "address"] as const) {
      test(`OPTIONS pre-flight to the ${target} over ${protocol.toUpperCase()}: 200 with Allow, Supported and Accept`, async (t) => {
        const lab = await Lab.start(t);
        const e = await probe(t);
        const uri = target === "domain" ? `sip:${DOMAIN}` : `sip:127.0.0.1:${lab.core.port}`;
        const r = await e.request(request("OPTIONS", uri), { protocol, host: lab.core.host, port: lab.core.port });
        assert.equal(r.status, 200);
        assert.match(r.header("allow") ?? "", /\bREGISTER\b/);
        assert.match(r.header("allow") ?? "", /\bINVITE\b/);
        assert.equal(r.header("supported"), "path");
        assert.match(r.header("accept") ?? "", /application\/sdp/);
        assert.ok(r.toTag);
      });
    }
  }

  test("an unknown method to the core gets 405 with Allow (RFC 3261 8.2.1)", async (t) => {
    const lab = await Lab.start(t);
    const e = await probe(t, ["udp"]);
    const r = await e.request(request("FOO", `sip:${DOMAIN}`), { protocol: "udp", host: lab.core.host, port: lab.core.port });
    assert.equal(r.status, 405);
    assert.equal(r.header("allow"), "REGISTER, OPTIONS");
  });

  test("a Require the core does not support gets 420 with Unsupported (RFC 3261 8.2.2.3)", async (t) => {
    const lab = await Lab.start(t);
    const e = await probe(t, ["udp"]);
    const r = await e.request(request("OPTIONS", `sip:${DOMAIN}`, { Require: "path, foo-bar" }), { protocol: "udp", host: lab.core.host, port: lab.core.port });
    assert.equal(r.status, 420);
    assert.equal(r.header("unsupported"), "foo-bar");
  });

  test("a REGISTER requiring an unsupported extension gets 420 (sec-agree is not offered)", async (t) => {
    const lab = await Lab.start(t);
    const ue = await lab.ue("alice");
    const reg = await ue.register({ headers: { Require: "sec-agree" } });
    assert.equal(reg.final.status, 420);
    assert.equal(reg.final.header("unsupported"), "sec-agree");
  });
});

describe("the core as a proxy", () => {
  test("Proxy-Require with an unknown option tag gets 420 (RFC 3261 16.3 item 4); Require alone is passed on", async (t) => {
    const lab = await Lab.start(t);
    const alice = await lab.registered("alice");
    const bob = await lab.registered("bob");
    const refused = await alice.sendMessage(impu("bob"), "x", { headers: { "Proxy-Require": "foo-bar" } });
    assert.equal(refused.status, 420);
    assert.equal(refused.header("unsupported"), "foo-bar");
    const passed = await alice.sendMessage(impu("bob"), "y", { headers: { Require: "foo-bar" } });
    assert.equal(passed.status, 200, "the proxy ignores Require; the UAS decides");
    const m = await bob.waitForMessage();
    assert.equal(m.message.header("require"), "foo-bar");
  });

  test("Max-Forwards: 0 on a request to be forwarded gets 483 (RFC 3261 16.3 item 3)", async (t) => {
    const lab = await Lab.start(t);
    const alice = await lab.registered("alice");
    await lab.registered("bob");
    const r = new SipRequest("MESSAGE", impu("bob"));
    r.addHeader("Via", alice.via());
    r.addHeader("Max-Forwards", 0);
    for (const route of alice.preloadedRoute()) r.addHeader("Route", route);
    r.addHeader("From", `<${impu("alice")}>;tag=${newTag()}`);
    r.addHeader("To", `<${impu("bob")}>`);
    r.addHeader("Call-ID", newCallId());
    r.addHeader("CSeq", "1 MESSAGE");
    const res = await alice.endpoint.request(r, alice.outbound);
    assert.equal(res.status, 483);
  });

  test("a request in an unknown dialog addressed to the core gets 481", async (t) => {
    const lab = await Lab.start(t);
    const e = await probe(t, ["udp"]);
    const r = request("SUBSCRIBE", `sip:127.0.0.1:${lab.core.port}`, { Event: "reg" });
    r.setHeader("To", `<sip:127.0.0.1:${lab.core.port}>;tag=nosuchtag`);
    const res = await e.request(r, { protocol: "udp", host: lab.core.host, port: lab.core.port });
    assert.equal(res.status, 481);
  });
});

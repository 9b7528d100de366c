// The reference core's interconnection with another IMS network (issue 15; TS 24.228 7.2, TS 24.229
// 5.4.3.2 and 5.4.3.3, trust domain TS 24.229 4.4) at the SIP level: the core of core-fixture.ts
// (ims.example.test, alice and bob registered with ImsUe) is told of one peer network,
// ims-b.example.test, whose entry point is a raw UDP socket of this test: it sees exactly what the
// core sends across the boundary, and sends exactly what a peer would. A second socket on another
// port plays a stranger that is not a peer. Then the three interconnect faults' effect on the wire,
// and setPeers([]).
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test, type TestContext } from "node:test";
import type { FaultName } from "../../src/profile/profile.ts";
import { Deadline } from "../../src/sip/deadline.ts";
import { createResponse, type SipRequest, type SipResponse } from "../../src/sip/message/index.ts";
import { DOMAIN, Lab, SDP, impu } from "./core-fixture.ts";
import { UdpNode } from "../support/udp-node.ts";

const PEER_DOMAIN = "ims-b.example.test";
/** A user of the peer network: the target of the core's users, the caller of the peer's requests. */
const XAVIER = `sip:xavier@${PEER_DOMAIN}`;
const CARL = `sip:carl@${PEER_DOMAIN}`;
const WAIT_MS = 3000;
/** How long "nothing arrives" is watched for: a forwarded request leaves the core at once. */
const QUIET_MS = 300;

const hex = (bytes: number): string => randomBytes(bytes).toString("hex");

/** A core with alice and bob registered, told of the peer network ims-b.example.test at `peer`'s address. */
async function interconnected(t: TestContext, faults: readonly FaultName[] = []): Promise<{ lab: Lab; peer: UdpNode; recordRoute: string }> {
  const lab = await Lab.start(t, { faults });
  const peer = await UdpNode.bind({ t, waitMs: WAIT_MS });
  lab.core.setPeers([{ domain: PEER_DOMAIN, host: "127.0.0.1", port: peer.port }]);
  assert.ok(lab.core.log.includes(`interconnect: ${PEER_DOMAIN} at UDP 127.0.0.1:${peer.port}`), lab.core.log.join("\n"));
  return { lab, peer, recordRoute: `<sip:127.0.0.1:${lab.core.port};lr>` };
}

/** The peer's answer to a request that crossed the boundary: its To tag, the status. */
function answer(request: SipRequest, status: number): SipResponse {
  return createResponse(request, status, { toTag: hex(4) });
}

/** An initial request of carl, a user of the peer network, as the peer's I-CSCF sends it. */
function fromPeer(node: UdpNode, method: "INVITE" | "MESSAGE", target: string, ids: { callId: string; branch: string }, pai = `<${CARL}>`): string {
  return node.initialRequest(method, target, { caller: CARL, ...ids, fromTag: hex(4), pai, sdp: SDP });
}

/** RFC 3261 17.1.1.3: the ACK for a non-2xx final response, on the INVITE's branch. */
function ackFor(node: UdpNode, target: string, final: SipResponse, branch: string): string {
  return node.ack(target, final, branch);
}

const quiet = (): Promise<void> => new Promise((done) => setTimeout(done, QUIET_MS));

describe("the reference core's interconnect: requests to another network", () => {
  test("a registered UE's MESSAGE to sip:x@<peer domain> goes to the peer's address, Request-URI unchanged, with P-Asserted-Identity and the core's Record-Route", async (t) => {
    const { lab, peer, recordRoute } = await interconnected(t);
    const alice = await lab.registered("alice");
    const sent = alice.sendMessage(XAVIER, "hello network B");
    const { request: m, from } = await peer.request("MESSAGE");
    assert.equal(m.uriText, XAVIER, "TS 24.229 5.4.3.2: the Request-URI is left as it is");
    assert.equal(m.header("to"), `<${XAVIER}>`);
    assert.equal(m.bodyText, "hello network B");
    assert.deepEqual(m.headerValues("p-asserted-identity"), [`<${impu("alice")}>`], "the peer is within the trust domain (TS 24.229 4.4)");
    assert.deepEqual(m.headerValues("record-route"), [recordRoute]);
    assert.deepEqual(m.headerValues("route"), [], "the core consumed the UE's preloaded route");
    assert.deepEqual(from, { address: "127.0.0.1", port: lab.core.port }, "sent from the core's own socket");
    assert.match(m.header("via") ?? "", new RegExp(`^SIP/2\\.0/UDP 127\\.0\\.0\\.1:${lab.core.port};`), "the core's Via on top");
    await peer.send(answer(m, 200), from.port);
    assert.equal((await sent).status, 200, "the peer's 200 reaches the UE");
    // The domain is matched without regard to case (RFC 3261 19.1.4)
    const upper = `sip:xavier@${PEER_DOMAIN.toUpperCase()}`;
    const again = alice.sendMessage(upper, "again");
    const second = await peer.waitFor("the second MESSAGE", (x) => x.kind === "request" && x.method === "MESSAGE" && x.uriText === upper);
    await peer.send(answer(second.message as SipRequest, 200), second.from.port);
    assert.equal((await again).status, 200);
    assert.ok(lab.core.log.every((l) => !l.startsWith("fault ")));
  });

  test("a registered UE's INVITE to sip:x@<peer domain> goes to the peer's address the same way; the peer's 486 reaches the caller", async (t) => {
    const { lab, peer, recordRoute } = await interconnected(t);
    const alice = await lab.registered("alice");
    const call = alice.call(XAVIER, { sdp: SDP });
    const { request: invite, from } = await peer.request("INVITE");
    assert.equal(invite.uriText, XAVIER);
    assert.deepEqual(invite.headerValues("p-asserted-identity"), [`<${impu("alice")}>`]);
    assert.deepEqual(invite.headerValues("record-route"), [recordRoute], "RFC 3261 16.6 item 4: the core stays on the path of the dialog");
    assert.equal(from.port, lab.core.port);
    await peer.send(answer(invite, 486), from.port);
    assert.equal((await call.waitForFinal()).status, 486);
    // RFC 3261 17.1.1.3: the core's client transaction acknowledges the 486 itself, to the peer
    const ack = await peer.request("ACK", invite.callId);
    assert.equal(ack.request.uriText, XAVIER);
  });
});

describe("the reference core's interconnect: requests from another network", () => {
  test("a MESSAGE from the peer's address for a registered user is delivered, its caller unregistered, the peer's P-Asserted-Identity kept and the core's Record-Route added", async (t) => {
    const { lab, peer, recordRoute } = await interconnected(t);
    const bob = await lab.registered("bob");
    const ids = { callId: `peer-${hex(6)}`, branch: hex(6) };
    await peer.send(fromPeer(peer, "MESSAGE", impu("bob"), ids), lab.core.port);
    const rec = await bob.waitForMessage();
    assert.equal(rec.message.bodyText, "hello from network B");
    assert.deepEqual(rec.message.headerValues("p-asserted-identity"), [`<${CARL}>`], "TS 24.229 4.4: a peer's asserted identity is kept");
    assert.deepEqual(rec.message.headerValues("record-route"), [recordRoute]);
    assert.equal(rec.message.header("from")?.startsWith(`<${CARL}>`), true);
    assert.equal((await peer.finalTo("MESSAGE", ids.callId)).status, 200, "bob's 200 goes back to the peer");
    assert.ok(lab.core.log.includes(`MESSAGE ${impu("bob")} from the network of ${PEER_DOMAIN}`), lab.core.log.join("\n"));
  });

  test("an INVITE from the peer's address is delivered with the peer's P-Asserted-Identity, the core's Record-Route on top of the peer's", async (t) => {
    const { lab, peer, recordRoute } = await interconnected(t);
    const bob = await lab.registered("bob");
    const ids = { callId: `peer-${hex(6)}`, branch: hex(6) };
    await peer.send(fromPeer(peer, "INVITE", impu("bob"), ids), lab.core.port);
    const incoming = await bob.waitForCall();
    assert.deepEqual(incoming.invite.headerValues("p-asserted-identity"), [`<${CARL}>`]);
    assert.deepEqual(incoming.invite.headerValues("record-route"), [recordRoute, `<sip:${peer.address};lr>`], "RFC 3261 16.6 item 4: added, the peer's kept");
    incoming.reject(486);
    const final = await peer.finalTo("INVITE", ids.callId);
    assert.equal(final.status, 486);
    await peer.send(ackFor(peer, impu("bob"), final, ids.branch), lab.core.port);
  });

  test("the same MESSAGE from another address gets 403 (the caller is not registered); from the peer, for a user of no network of the core, 404", async (t) => {
    const { lab, peer } = await interconnected(t);
    const bob = await lab.registered("bob");
    const stranger = await UdpNode.bind({ t, waitMs: WAIT_MS });
    const ids = { callId: `stranger-${hex(6)}`, branch: hex(6) };
    await stranger.send(fromPeer(stranger, "MESSAGE", impu("bob"), ids), lab.core.port);
    const r = await stranger.finalTo("MESSAGE", ids.callId);
    assert.equal(r.status, 403, r.startLine());
    assert.ok(
      lab.core.log.some((l) => l.includes(`the originating identity ${CARL} is not registered`)),
      lab.core.log.join("\n"),
    );
    await assert.rejects(bob.waitForMessage(Deadline.after(QUIET_MS, "MESSAGE at bob")), /MESSAGE/, "nothing reached bob");
    // No transit: the peer's request for a third network's user is not relayed anywhere
    const transit = { callId: `transit-${hex(6)}`, branch: hex(6) };
    await peer.send(fromPeer(peer, "MESSAGE", "sip:yann@ims-c.example.test", transit), lab.core.port);
    assert.equal((await peer.finalTo("MESSAGE", transit.callId)).status, 404);
  });
});

describe("the interconnect faults on the wire", () => {
  test("drop-pai-at-boundary: the MESSAGE and INVITE reach the peer without P-Asserted-Identity (Record-Route kept); a message inside the core keeps it", async (t) => {
    const { lab, peer, recordRoute } = await interconnected(t, ["drop-pai-at-boundary"]);
    const alice = await lab.registered("alice");
    const bob = await lab.registered("bob");
    const sent = alice.sendMessage(XAVIER, "no identity");
    const { request: m, from } = await peer.request("MESSAGE");
    assert.equal(m.header("p-asserted-identity"), undefined);
    assert.equal(m.header("p-preferred-identity"), undefined);
    assert.deepEqual(m.headerValues("record-route"), [recordRoute]);
    await peer.send(answer(m, 200), from.port);
    assert.equal((await sent).status, 200);
    const call = alice.call(XAVIER, { sdp: SDP });
    const { request: invite } = await peer.request("INVITE");
    assert.equal(invite.header("p-asserted-identity"), undefined);
    await peer.send(answer(invite, 486), from.port);
    assert.equal((await call.waitForFinal()).status, 486);
    assert.ok(lab.core.log.includes(`fault drop-pai-at-boundary: MESSAGE ${XAVIER} sent to ${PEER_DOMAIN} without P-Asserted-Identity`), lab.core.log.join("\n"));
    // Only the boundary: inside the core the asserted identity is there
    assert.equal((await alice.sendMessage(impu("bob"), "inside")).status, 200);
    assert.equal((await bob.waitForMessage()).message.header("p-asserted-identity"), `<${impu("alice")}>`);
  });

  test("lose-record-route-across: the INVITE reaches the peer with no Record-Route at all; a call inside the core is still record-routed", async (t) => {
    const { lab, peer, recordRoute } = await interconnected(t, ["lose-record-route-across"]);
    const alice = await lab.registered("alice");
    const bob = await lab.registered("bob");
    const call = alice.call(XAVIER, { sdp: SDP, headers: { "Record-Route": "<sip:127.0.0.1:9;lr>" } });
    const { request: invite, from } = await peer.request("INVITE");
    assert.deepEqual(invite.headerValues("record-route"), [], "the core's own and any other");
    assert.deepEqual(invite.headerValues("p-asserted-identity"), [`<${impu("alice")}>`]);
    await peer.send(answer(invite, 486), from.port);
    assert.equal((await call.waitForFinal()).status, 486);
    assert.ok(lab.core.log.includes(`fault lose-record-route-across: INVITE ${XAVIER} sent to ${PEER_DOMAIN} without Record-Route`), lab.core.log.join("\n"));
    const inside = alice.call(impu("bob"), { sdp: SDP });
    const incoming = await bob.waitForCall();
    assert.deepEqual(incoming.invite.headerValues("record-route"), [recordRoute]);
    incoming.reject(486);
    assert.equal((await inside.waitForFinal()).status, 486);
  });

  test("reject-foreign-domain: the core answers 404 for the peer's domain and sends nothing to the peer", async (t) => {
    const { lab, peer } = await interconnected(t, ["reject-foreign-domain"]);
    const alice = await lab.registered("alice");
    const r = await alice.sendMessage(XAVIER, "lost");
    assert.equal(r.status, 404, r.startLine());
    const call = alice.call(XAVIER, { sdp: SDP });
    assert.equal((await call.waitForFinal()).status, 404);
    await quiet();
    assert.deepEqual(
      peer.requests().map((x) => x.startLine()),
      [],
    );
    assert.ok(lab.core.log.includes(`fault reject-foreign-domain: MESSAGE ${XAVIER} for the network of ${PEER_DOMAIN} answered 404`), lab.core.log.join("\n"));
    // Requests from the peer are still taken
    const bob = await lab.registered("bob");
    const ids = { callId: `peer-${hex(6)}`, branch: hex(6) };
    await peer.send(fromPeer(peer, "MESSAGE", impu("bob"), ids), lab.core.port);
    assert.equal((await bob.waitForMessage()).message.header("p-asserted-identity"), `<${CARL}>`);
  });
});

describe("setPeers", () => {
  test("setPeers([]) removes the peers: a request for the peer's domain is then 404 and nothing goes to the former peer, whose own requests are no longer trusted", async (t) => {
    const { lab, peer } = await interconnected(t);
    const alice = await lab.registered("alice");
    await lab.registered("bob");
    const sent = alice.sendMessage(XAVIER, "while peered");
    const { request: m, from } = await peer.request("MESSAGE");
    await peer.send(answer(m, 200), from.port);
    assert.equal((await sent).status, 200);
    lab.core.setPeers([]);
    assert.ok(lab.core.log.includes("interconnect: no peers"));
    const r = await alice.sendMessage(XAVIER, "after");
    assert.equal(r.status, 404, r.startLine());
    await quiet();
    assert.equal(peer.requests().filter((x) => x.method === "MESSAGE").length, 1, "only the MESSAGE sent while peered reached it");
    const ids = { callId: `former-${hex(6)}`, branch: hex(6) };
    await peer.send(fromPeer(peer, "MESSAGE", impu("bob"), ids), lab.core.port);
    assert.equal((await peer.finalTo("MESSAGE", ids.callId)).status, 403);
  });
});

// DOMAIN is the core's; the peer's must differ from it, or routing between them would be ambiguous
assert.notEqual(DOMAIN, PEER_DOMAIN);

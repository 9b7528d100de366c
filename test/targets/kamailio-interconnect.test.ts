// Interconnection of the Kamailio IMS-like core of docker/kamailio-ims/ with a peer IMS network
// (issue 15; TS 24.228 7.2, TS 24.229 5.4.3.2 and 5.4.3.3, trust domain TS 24.229 4.4). Kamailio is
// started by run-kamailio.sh, the process target's script, with IMS_PEERS naming one peer network,
// ims-b.example.test, whose entry point (its I-CSCF/IBCF and UE in one) is a raw UDP socket of this
// test: it sees exactly what Kamailio sends and sends exactly what a peer would. A second socket
// on another port plays a stranger that is not a peer. alice and bob are ImsUe of the driver,
// registered at Kamailio with Digest.
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { after, before, describe, test } from "node:test";
import { createResponse, type SipRequest, type SipResponse } from "../../src/sip/message/index.ts";
import { ImsUe } from "../../src/sip/ue/index.ts";
import { KAMAILIO_CONFIG_DIR, KAMAILIO_PASSWORDS, kamailioSkip, waitForOptions200 } from "../support/kamailio.ts";
import { pickFreePort } from "../support/sipp.ts";
import { UdpNode } from "../support/udp-node.ts";

const skip = kamailioSkip();
const DOMAIN = "ims.example.test";
const PEER_DOMAIN = "ims-b.example.test";
const RUN_SCRIPT = join(KAMAILIO_CONFIG_DIR, "run-kamailio.sh");
const WAIT_MS = 5000;
const SDP = ["v=0", "o=- 1 1 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0", "m=audio 49170 RTP/AVP 0", "a=rtpmap:0 PCMU/8000", ""].join("\r\n");

const hex = (bytes: number): string => randomBytes(bytes).toString("hex");

interface ScriptRun {
  readonly port: number;
  stop(): Promise<void>;
  logs(): string;
}

const children = new Set<ChildProcess>();
process.on("exit", () => {
  for (const c of children) if (c.pid !== undefined) killGroup(c.pid, "SIGKILL");
});

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone.
  }
}

/** run-kamailio.sh <port> 127.0.0.1 with `env` (and PATH), in its own process group; ready once Kamailio answers OPTIONS. */
async function startRunScript(env: Record<string, string>): Promise<ScriptRun> {
  for (let attempt = 1; ; attempt++) {
    const port = await pickFreePort();
    const child = spawn("sh", [RUN_SCRIPT, String(port), "127.0.0.1"], {
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin", ...env },
    });
    children.add(child);
    let output = "";
    const append = (chunk: Buffer): void => {
      output = (output + chunk.toString("utf8")).slice(-(1 << 20));
    };
    child.stdout.on("data", append);
    child.stderr.on("data", append);
    const exited = new Promise<void>((done) => child.once("close", () => done()));
    const timeout = new Promise<void>((done) => setTimeout(done, 20000).unref());
    const stop = async (): Promise<void> => {
      if (child.pid === undefined) return;
      killGroup(child.pid, "SIGTERM");
      const grace = setTimeout(() => killGroup(child.pid!, "SIGKILL"), 3000);
      await exited;
      clearTimeout(grace);
      killGroup(child.pid, "SIGKILL");
      children.delete(child);
    };
    if (await waitForOptions200(port, Promise.race([exited, timeout]))) return { port, stop, logs: () => output };
    await stop();
    if (attempt < 3 && /bind|Address already in use/i.test(output)) continue;
    throw new Error(`run-kamailio.sh ${port} did not start Kamailio:\n${output}`);
  }
}

describe("Kamailio interconnected with a peer IMS network (IMS_PEERS)", { skip }, () => {
  let kamailio: ScriptRun;
  let peer: UdpNode;
  let stranger: UdpNode;
  let alice: ImsUe;
  let bob: ImsUe;
  /** Kamailio's Record-Route for a request whose From tag is `tag` (RFC 3261 16.6 item 4; rr's ftag). */
  const kamailioRr = (tag: string): string => `<sip:127.0.0.1:${kamailio.port};lr;ftag=${tag}>`;

  async function registeredUe(user: "alice" | "alice2" | "bob", password: string, protocol: "udp" | "tcp" = "udp"): Promise<ImsUe> {
    const u = await ImsUe.start({
      name: `UE-${user}`,
      impi: `${user}@${DOMAIN}`,
      impu: `sip:${user}@${DOMAIN}`,
      domain: DOMAIN,
      credentials: { kind: "digest", password },
      pcscf: { protocol, host: "127.0.0.1", port: kamailio.port },
      protocol,
    });
    const reg = await u.register({ expires: 600 });
    assert.equal(reg.final.status, 200, `${user} could not register: ${reg.final.status} ${reg.final.reason}`);
    return u;
  }

  before(async () => {
    peer = await UdpNode.bind({ waitMs: WAIT_MS });
    stranger = await UdpNode.bind({ waitMs: WAIT_MS });
    const started = performance.now();
    kamailio = await startRunScript({ ...KAMAILIO_PASSWORDS, IMS_PEERS: `${PEER_DOMAIN}=${peer.address}` });
    const ready = performance.now() - started;
    alice = await registeredUe("alice", KAMAILIO_PASSWORDS.IMS_UE_A_PASSWORD);
    bob = await registeredUe("bob", KAMAILIO_PASSWORDS.IMS_UE_B_PASSWORD);
    assert.match(kamailio.logs(), new RegExp(`IMS_PEERS: peer network ${PEER_DOMAIN.replace(/\./g, "\\.")} at udp:127\\.0\\.0\\.1:${peer.port}`));
    console.log(
      `Kamailio at udp:127.0.0.1:${kamailio.port} answered OPTIONS ${ready.toFixed(0)} ms after run-kamailio.sh started; peer ${PEER_DOMAIN} at ${peer.address}, stranger at ${stranger.address}`,
    );
  });

  after(async () => {
    if (kamailio && process.env.KAMAILIO_LOG_DIR) writeFileSync(join(process.env.KAMAILIO_LOG_DIR, "kamailio-interconnect.log"), kamailio.logs());
    for (const u of [alice, bob]) {
      if (!u) continue;
      if (u.registration.registered) await u.deregister().catch(() => undefined);
      await u.close();
    }
    await kamailio?.stop();
    await peer?.close();
    await stranger?.close();
  });

  /** What a peer's UA answers: To tag, and for an INVITE its Contact, the Record-Route copied (RFC 3261 12.1.1) and SDP. */
  function answer(request: SipRequest, status: number, toTag: string): SipResponse {
    const r = createResponse(request, status, { toTag });
    if (request.method === "INVITE" && status < 300) {
      for (const rr of request.headerValues("record-route")) r.addHeader("Record-Route", rr);
      r.addHeader("Contact", `<sip:someone@${peer.address}>`);
      if (status >= 200) r.setBody(SDP, "application/sdp");
    }
    return r;
  }

  /** An initial request of the peer network's UE carl, with the peer's Via, Record-Route and asserted identity. */
  function fromPeer(node: UdpNode, method: "INVITE" | "MESSAGE", target: string, callId: string, fromTag: string, branch: string, pai = `<sip:carl@${PEER_DOMAIN}>`): string {
    return node.initialRequest(method, target, { caller: `sip:carl@${PEER_DOMAIN}`, callId, fromTag, branch, pai, sdp: SDP });
  }

  /** RFC 3261 17.1.1.3: the ACK for a non-2xx final response, same branch as the INVITE. */
  function ackFor(node: UdpNode, invite: string, final: SipResponse, branch: string): string {
    return node.ack(invite.split(" ")[1], final, branch);
  }

  test("(1) alice's MESSAGE to the peer's domain reaches the peer with her P-Asserted-Identity and Kamailio's Record-Route; the peer's 200 reaches alice", async (t) => {
    const target = `sip:someone@${PEER_DOMAIN}`;
    const started = performance.now();
    const sent = alice.sendMessage(target, "hello network B");
    const message = (await peer.waitFor("MESSAGE from alice", (m) => m.kind === "request" && m.method === "MESSAGE")).message as SipRequest;
    // TS 24.229 5.4.3.2: the Request-URI is the callee's, unchanged; TS 24.229 4.4: the peer is in the
    // trust domain, so the P-Asserted-Identity Kamailio asserted for alice goes with the request
    assert.equal(message.uriText, target);
    assert.deepEqual(message.headerValues("p-asserted-identity"), [`<sip:alice@${DOMAIN}>`]);
    // RFC 3261 16.6 item 4: record-routed (also for a MESSAGE: the configuration record-routes every
    // initial request across the interconnection); the Service-Route was consumed: no Route left
    assert.deepEqual(message.headerValues("record-route"), [kamailioRr(message.fromTag!)]);
    assert.equal(message.header("route"), undefined);
    assert.equal(message.bodyText, "hello network B");
    // Kamailio's Via on top, alice's below: the peer's response goes back the same way (RFC 3261 16.7)
    assert.equal(message.vias.length, 2);
    assert.equal(`${message.topVia.host}:${message.topVia.port}`, `127.0.0.1:${kamailio.port}`);
    await peer.send(answer(message, 200, hex(4)), message.topVia.port!);
    const response = await sent;
    assert.equal(response.status, 200);
    t.diagnostic(
      `MESSAGE ${target} at the peer: P-Asserted-Identity ${message.header("p-asserted-identity")}, Record-Route ${message.header("record-route")}; 200 at alice after ${(performance.now() - started).toFixed(1)} ms`,
    );
  });

  test("(1) alice's INVITE to the peer's domain reaches the peer the same way; the 200, alice's ACK and the peer's BYE traverse Kamailio", async (t) => {
    const target = `sip:someone@${PEER_DOMAIN}`;
    const started = performance.now();
    const call = alice.call(target, { sdp: SDP, reliable: false });
    const invite = (await peer.request("INVITE", call.callId)).request;
    assert.equal(invite.uriText, target);
    assert.deepEqual(invite.headerValues("p-asserted-identity"), [`<sip:alice@${DOMAIN}>`]);
    const rr = kamailioRr(call.invite.fromTag!);
    assert.deepEqual(invite.headerValues("record-route"), [rr]);
    assert.equal(invite.header("route"), undefined);
    const toTag = hex(4);
    await peer.send(answer(invite, 180, toTag), invite.topVia.port!);
    await peer.send(answer(invite, 200, toTag), invite.topVia.port!);
    const final = await call.waitForFinal();
    assert.equal(final.status, 200);
    assert.deepEqual(final.headerValues("record-route"), [rr]);
    const answered = performance.now() - started;
    // RFC 3261 16.12: alice's ACK has Route <Kamailio>, which loose_route pops; it reaches the peer's Contact
    const ack = (await peer.request("ACK", call.callId)).request;
    assert.equal(ack.uriText, `sip:someone@${peer.address}`);
    assert.equal(ack.header("route"), undefined);
    assert.equal(`${ack.topVia.host}:${ack.topVia.port}`, `127.0.0.1:${kamailio.port}`);
    // The peer ends the call: its BYE follows the route set of the Record-Route back through Kamailio to alice
    const bye = [
      `BYE ${alice.contact} SIP/2.0`,
      `Via: SIP/2.0/UDP ${peer.address};branch=z9hG4bK${hex(6)};rport`,
      "Max-Forwards: 70",
      `Route: ${rr}`,
      `From: ${invite.header("to")};tag=${toTag}`,
      `To: ${invite.header("from")}`,
      `Call-ID: ${call.callId}`,
      "CSeq: 1 BYE",
      "Content-Length: 0",
      "",
      "",
    ].join("\r\n");
    await peer.send(bye, kamailio.port);
    const byeAtAlice = await call.waitForRequest("BYE");
    assert.equal(byeAtAlice.message.kind === "request" && byeAtAlice.message.uriText, alice.contact);
    assert.equal((await peer.response(200, "BYE", call.callId)).status, 200);
    t.diagnostic(`INVITE ${target} at the peer: Record-Route ${rr}; 200 at alice after ${answered.toFixed(1)} ms; ACK to ${ack.uriText}; the peer's BYE answered 200 by alice`);
  });

  test("(1) from a UE on TCP the MESSAGE still reaches the peer over UDP, record-routed on both transports (RFC 5658 double Record-Route)", async (t) => {
    const tcpUe = await registeredUe("alice2", KAMAILIO_PASSWORDS.IMS_UE_A_PASSWORD, "tcp");
    try {
      const sent = tcpUe.sendMessage(`sip:someone@${PEER_DOMAIN}`, "over tcp");
      const message = (await peer.waitFor("MESSAGE from alice2", (m) => m.kind === "request" && m.method === "MESSAGE" && m.bodyText === "over tcp")).message as SipRequest;
      assert.deepEqual(message.headerValues("p-asserted-identity"), [`<sip:alice2@${DOMAIN}>`]);
      assert.equal(message.topVia.transport.toUpperCase(), "UDP");
      const rr = message.headerValues("record-route");
      assert.deepEqual(rr, [`<sip:127.0.0.1:${kamailio.port};r2=on;lr;ftag=${message.fromTag!}>`, `<sip:127.0.0.1:${kamailio.port};transport=tcp;r2=on;lr;ftag=${message.fromTag!}>`]);
      await peer.send(answer(message, 200, hex(4)), message.topVia.port!);
      assert.equal((await sent).status, 200);
      t.diagnostic(`MESSAGE from alice2 over TCP at the peer over UDP: Record-Route ${rr.join(", ")}`);
    } finally {
      await tcpUe.deregister().catch(() => undefined);
      await tcpUe.close();
    }
  });

  test("(1) a domain that is neither Kamailio's nor a peer's keeps today's answer: 403 Not Relaying", async () => {
    const response = await alice.sendMessage("sip:someone@elsewhere.example.test", "nowhere");
    assert.equal(response.status, 403);
    assert.equal(response.reason, "Forbidden - Not Relaying");
  });

  test("(2) the peer's INVITE for bob is delivered without a challenge, its P-Asserted-Identity kept, with Kamailio's Record-Route; ACK and bob's BYE traverse Kamailio", async (t) => {
    const callId = `${hex(8)}@${PEER_DOMAIN}`;
    const fromTag = hex(4);
    const target = `sip:bob@${DOMAIN}`;
    const started = performance.now();
    await peer.send(fromPeer(peer, "INVITE", target, callId, fromTag, hex(6)), kamailio.port);
    const incoming = await bob.waitForCall();
    // TS 24.229 4.4: the peer is within the trust domain: its asserted identity is kept as received
    assert.deepEqual(incoming.invite.headerValues("p-asserted-identity"), [`<sip:carl@${PEER_DOMAIN}>`]);
    // RFC 3261 16.6 item 4: Kamailio's Record-Route above the peer's; the Request-URI is bob's contact
    assert.deepEqual(incoming.invite.headerValues("record-route"), [kamailioRr(fromTag), `<sip:${peer.address};lr>`]);
    assert.equal(incoming.invite.uriText, bob.contact);
    assert.equal(incoming.invite.vias.length, 2);
    const delivered = performance.now() - started;
    const accepted = incoming.accept({ sdp: SDP });
    const ok = await peer.response(200, "INVITE", callId);
    // no 401 or 407: no authentication is asked of a peer network
    assert.deepEqual(
      peer.statuses(callId).filter((s) => s === 401 || s === 407),
      [],
    );
    assert.deepEqual(ok.headerValues("record-route"), [kamailioRr(fromTag), `<sip:${peer.address};lr>`]);
    // The peer's ACK: its own proxy's Route entry already consumed, Route <Kamailio> to bob's Contact (RFC 3261 16.12)
    const ack = [
      `ACK ${bob.contact} SIP/2.0`,
      `Via: SIP/2.0/UDP ${peer.address};branch=z9hG4bK${hex(6)};rport`,
      "Max-Forwards: 70",
      `Route: ${kamailioRr(fromTag)}`,
      `From: ${ok.header("from")}`,
      `To: ${ok.header("to")}`,
      `Call-ID: ${callId}`,
      "CSeq: 1 ACK",
      "Content-Length: 0",
      "",
      "",
    ].join("\r\n");
    await peer.send(ack, kamailio.port);
    const ackAtBob = await accepted;
    assert.equal(ackAtBob.message.kind === "request" && ackAtBob.message.method, "ACK");
    // bob hangs up: Route <Kamailio>, <peer> from the Record-Route; Kamailio pops its own entry and
    // relays to the next, the peer, which receives its own entry on top
    const bye = incoming.bye();
    const byeAtPeer = (await peer.request("BYE", callId)).request;
    assert.equal(byeAtPeer.uriText, `sip:carl@${peer.address}`);
    assert.deepEqual(byeAtPeer.headerValues("route"), [`<sip:${peer.address};lr>`]);
    await peer.send(createResponse(byeAtPeer, 200), byeAtPeer.topVia.port!);
    assert.equal((await bye).status, 200);
    t.diagnostic(
      `peer INVITE ${target}: at bob after ${delivered.toFixed(1)} ms with P-Asserted-Identity ${incoming.invite.header("p-asserted-identity")}, Record-Route ${incoming.invite.headerValues("record-route").join(", ")}; responses at the peer ${peer.statuses(callId).join(", ")}`,
    );
  });

  test("(2) the peer's MESSAGE for bob is delivered with its P-Asserted-Identity and Kamailio's Record-Route", async (t) => {
    const callId = `${hex(8)}@${PEER_DOMAIN}`;
    const fromTag = hex(4);
    await peer.send(fromPeer(peer, "MESSAGE", `sip:bob@${DOMAIN}`, callId, fromTag, hex(6)), kamailio.port);
    const received = await bob.waitForMessage();
    assert.equal(received.message.bodyText, "hello from network B");
    assert.deepEqual(received.message.headerValues("p-asserted-identity"), [`<sip:carl@${PEER_DOMAIN}>`]);
    assert.deepEqual(received.message.headerValues("record-route"), [kamailioRr(fromTag)]);
    assert.equal((await peer.finalTo("MESSAGE", callId)).status, 200);
    assert.deepEqual(peer.statuses(callId), [200]);
    t.diagnostic(
      `peer MESSAGE: at bob with P-Asserted-Identity ${received.message.header("p-asserted-identity")}, Record-Route ${received.message.header("record-route")}; responses at the peer ${peer.statuses(callId).join(", ")}`,
    );
  });

  test("(2) the peer's INVITE for an unregistered user gets 480, for an unknown one 404 (TS 24.229 5.4.3.3, as locally)", async (t) => {
    const outcomes: string[] = [];
    for (const [user, status] of [
      ["carol", 480],
      ["dave", 404],
    ] as const) {
      const callId = `${hex(8)}@${PEER_DOMAIN}`;
      const branch = hex(6);
      const invite = fromPeer(peer, "INVITE", `sip:${user}@${DOMAIN}`, callId, hex(4), branch);
      await peer.send(invite, kamailio.port);
      const final = await peer.finalTo("INVITE", callId);
      await peer.send(ackFor(peer, invite, final, branch), kamailio.port);
      assert.equal(final.status, status, `${user}: ${final.status} ${final.reason}`);
      assert.deepEqual(
        peer.statuses(callId).filter((s) => s === 401 || s === 407),
        [],
      );
      outcomes.push(`${user} ${final.status} ${final.reason}`);
    }
    t.diagnostic(outcomes.join("; "));
  });

  test("(3) the same INVITE from a source that is not the peer's address: today's behaviour, the asserted identity is removed", async (t) => {
    // Not a peer (another port of the same host): the request takes the path of any request from
    // outside the trust domain. Today's behaviour, kept: P-Asserted-Identity removed (TS 24.229 4.4,
    // RFC 3325 5), no challenge; the From names another domain, so it is delivered to bob without an
    // asserted identity (like an I-CSCF that receives a request from an untrusted network).
    const callId = `${hex(8)}@${PEER_DOMAIN}`;
    const fromTag = hex(4);
    const branch = hex(6);
    const invite = fromPeer(stranger, "INVITE", `sip:bob@${DOMAIN}`, callId, fromTag, branch);
    await stranger.send(invite, kamailio.port);
    const incoming = await bob.waitForCall();
    assert.equal(incoming.invite.callId, callId);
    assert.equal(incoming.invite.header("p-asserted-identity"), undefined);
    // Record-Route as for any INVITE (route[PRELOADED]), above the stranger's own
    assert.deepEqual(incoming.invite.headerValues("record-route"), [kamailioRr(fromTag), `<sip:${stranger.address};lr>`]);
    incoming.reject(486);
    const final = await stranger.finalTo("INVITE", callId);
    await stranger.send(ackFor(stranger, invite, final, branch), kamailio.port);
    assert.equal(final.status, 486);
    assert.deepEqual(
      stranger.statuses(callId).filter((s) => s === 401 || s === 407),
      [],
    );

    // A stranger claiming Kamailio's own domain is refused as today (no registered UE behind it): 403
    const claimId = `${hex(8)}@${DOMAIN}`;
    const claim = fromPeer(stranger, "MESSAGE", `sip:bob@${DOMAIN}`, claimId, hex(4), hex(6), `<sip:alice@${DOMAIN}>`).replace(`From: <sip:carl@${PEER_DOMAIN}>`, `From: <sip:alice@${DOMAIN}>`);
    await stranger.send(claim, kamailio.port);
    const refused = await stranger.finalTo("MESSAGE", claimId);
    assert.equal(refused.status, 403);
    assert.equal(refused.reason, "Forbidden - Not Registered");

    // Nor does a stranger reach the peer network through Kamailio: 403 Not Relaying
    const relayId = `${hex(8)}@example.invalid`;
    await stranger.send(fromPeer(stranger, "MESSAGE", `sip:someone@${PEER_DOMAIN}`, relayId, hex(4), hex(6)), kamailio.port);
    const notRelayed = await stranger.finalTo("MESSAGE", relayId);
    assert.equal(notRelayed.status, 403);
    assert.equal(notRelayed.reason, "Forbidden - Not Relaying");
    assert.equal(
      peer.received.some((d) => d.message.callId === relayId),
      false,
    );
    t.diagnostic(
      `stranger ${stranger.address}: INVITE for bob delivered without P-Asserted-Identity (bob's 486 back, no challenge); From ${DOMAIN}: ${refused.status} ${refused.reason}; to ${PEER_DOMAIN}: ${notRelayed.status} ${notRelayed.reason}`,
    );
  });
});

describe("run-kamailio.sh checks IMS_PEERS", () => {
  const malformed = [
    "ims-b.example.test=127.0.0.1",
    "ims-b.example.test",
    "ims-b.example.test=127.0.0.1:0",
    "ims-b.example.test=127.0.0.1:70000",
    "ims-b.example.test=300.0.0.1:5070",
    "ims-b.example.test=[::1]:5070",
    "ims b=127.0.0.1:5070",
    "ims-b.example.test=127.0.0.1:5070,,ims-c.example.test=127.0.0.1:5071",
    "ims-b.example.test=127.0.0.1:5070,ims-b.example.test=127.0.0.1:5071",
    `${DOMAIN}=127.0.0.1:5070`,
  ];
  for (const value of malformed) {
    test(`exits non-zero naming IMS_PEERS for ${JSON.stringify(value)}, before starting Kamailio`, (t) => {
      const r = spawnSync("sh", [RUN_SCRIPT, "25999", "127.0.0.1"], {
        encoding: "utf8",
        timeout: 10000,
        env: { PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin", IMS_PEERS: value },
      });
      assert.equal(r.error, undefined);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /IMS_PEERS: /);
      assert.doesNotMatch(r.stderr, /Listening on/);
      t.diagnostic(r.stderr.trim());
    });
  }
});

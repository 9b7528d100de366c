// The browser UE (src/webrtc): sip.js 0.21.2 in Debian's Chromium, driven by playwright-core,
// against a minimal SIP server over WebSocket written here with the project's driver: REGISTER
// is challenged (Digest, qop auth, checked with src/sip/auth) and then accepted; an INVITE is
// answered 200 with an SDP answer made from the offer. The trace shows the browser's messages
// as the relay forwarded them, and close() leaves no Chromium behind.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { test } from "node:test";
import { formatChallenge, parseCredentials, verifyDigest } from "../../src/sip/auth/index.ts";
import { SipEndpoint } from "../../src/sip/endpoint/index.ts";
import type { Destination, ListenOptions, Received } from "../../src/sip/endpoint/index.ts";
import { isSipUri, parseMessage } from "../../src/sip/message/index.ts";
import type { SipRequest } from "../../src/sip/message/index.ts";
import { generateSelfSignedCertificate } from "../../src/targets/certificate.ts";
import { Trace } from "../../src/sip/transport/index.ts";
import { BrowserUe } from "../../src/webrtc/index.ts";

const CHROMIUM = "/usr/bin/chromium";
const REALM = "ims.example.test";
const PASSWORD = "browser-secret";

function skipReason(): string | false {
  if (existsSync(CHROMIUM)) return false;
  const missing = `chromium (Debian package chromium, ${CHROMIUM}) is not installed`;
  if (process.env["CI"]) throw new Error(`${missing}, and CI must not skip this test`);
  return missing;
}

/** `pgrep -f chromium`: the pids of every process whose command line names chromium (zombies included). */
function chromiumPids(): number[] {
  const r = spawnSync("pgrep", ["-f", "chromium"], { encoding: "utf8" });
  return r.stdout
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map(Number);
}

/**
 * The Chromium processes this test process started (its descendants), while they run: other test
 * files may run browsers of their own at the same time (npm test runs two files at once), so the
 * check after close() looks at these only.
 */
function ownChromium(): number[] {
  const r = spawnSync("ps", ["-eo", "pid=,ppid=,args="], { encoding: "utf8" });
  const rows = r.stdout
    .split("\n")
    .map((l) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3] ?? "" }));
  const mine = new Set([process.pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const row of rows)
      if (!mine.has(row.pid) && mine.has(row.ppid)) {
        mine.add(row.pid);
        grew = true;
      }
  }
  return rows.filter((row) => mine.has(row.pid) && row.args.includes("chromium")).map((row) => row.pid);
}

/**
 * Waits until none of `pids` is among `pgrep -f chromium` any more. The browser's helper processes
 * are reparented to PID 1 when it exits and linger as zombies until PID 1 reaps them (a second or two).
 */
async function noChromiumLeft(pids: readonly number[]): Promise<number[]> {
  let left: number[] = [];
  for (let i = 0; i < 50; i++) {
    const running = new Set(chromiumPids());
    left = pids.filter((p) => running.has(p));
    if (left.length === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return left;
}

/** A registrar over ws: 401 Digest (qop auth) first, 200 once the credentials check out. */
async function registrar(trace: Trace, listen: ListenOptions = { protocol: "ws", host: "127.0.0.1", port: 0 }): Promise<{ endpoint: SipEndpoint; registers: Received[]; failures: string[] }> {
  const endpoint = await SipEndpoint.start({ listen: [listen], trace });
  const registers: Received[] = [];
  const failures: string[] = [];
  const nonces = new Set<string>();
  endpoint.onRequest((received) => {
    const m = received.message;
    if (m.kind !== "request" || m.method !== "REGISTER") return false;
    registers.push(received);
    const authorization = m.header("Authorization");
    if (authorization === undefined) {
      const nonce = randomBytes(12).toString("hex");
      nonces.add(nonce);
      endpoint.reply(received, 401, { headers: { "WWW-Authenticate": formatChallenge({ scheme: "Digest", params: { realm: REALM, nonce, algorithm: "MD5", qop: "auth" } }) } });
      return true;
    }
    const credentials = parseCredentials(authorization);
    const verdict = verifyDigest(credentials.params, { method: "REGISTER", password: PASSWORD, realm: REALM, requireQop: true });
    if (!verdict.ok || !nonces.has(credentials.params["nonce"] ?? "")) {
      failures.push(verdict.ok ? "unknown nonce" : verdict.detail);
      endpoint.reply(received, 403);
      return true;
    }
    const contact = m.header("Contact") ?? "";
    endpoint.reply(received, 200, { headers: { Contact: `${contact}${/expires=/i.test(contact) ? "" : `;expires=${m.expires ?? 600}`}` } });
    return true;
  });
  return { endpoint, registers, failures };
}

test("a browser UE registers over ws through Digest, its REGISTERs are in the trace, and close() leaves no chromium", { skip: skipReason(), timeout: 90000 }, async () => {
  const trace = new Trace();
  const { endpoint, registers, failures } = await registrar(trace);
  const server = `ws://127.0.0.1:${endpoint.local("ws").port}`;
  const relayTrace = new Trace();
  let ue: BrowserUe | undefined;
  const browsers: number[] = [];
  try {
    const t0 = performance.now();
    ue = await BrowserUe.start({ name: "alice", impu: `sip:alice@${REALM}`, impi: `alice@${REALM}`, password: PASSWORD, displayName: "Alice", server, trace: relayTrace });
    const started = performance.now() - t0;
    const t1 = performance.now();
    const status = await ue.register();
    const registered = performance.now() - t1;
    console.log(`browser UE started in ${started.toFixed(0)} ms, registered in ${registered.toFixed(0)} ms`);
    assert.equal(status, 200, `failures: ${failures.join("; ")}\n${ue.consoleLog().join("\n")}`);
    assert.deepEqual(failures, []);
    assert.equal(registers.length, 2, "REGISTER, 401, REGISTER with credentials, 200");
    assert.match(registers[1].message.header("Authorization") ?? "", new RegExp(`username="alice@${REALM}"`));

    // The relay's trace: the browser's REGISTERs sent over ws toward the server, the responses received
    const sent = relayTrace.entries.filter((e) => e.direction === "sent" && e.bytes.toString("utf8").startsWith("REGISTER "));
    const got = relayTrace.entries.filter((e) => e.direction === "received" && e.bytes.toString("utf8").startsWith("SIP/2.0 "));
    assert.equal(sent.length, 2);
    assert.deepEqual(
      got.map((e) => e.bytes.toString("utf8").split("\r\n")[0]),
      ["SIP/2.0 401 Unauthorized", "SIP/2.0 200 OK"],
    );
    for (const e of [...sent, ...got]) {
      assert.equal(e.protocol, "ws");
      assert.equal(e.remote.port, endpoint.local("ws").port);
      assert.equal(e.local.host, "127.0.0.1");
    }
    // The server saw the browser at the relay's address toward it
    assert.deepEqual([registers[0].source.host, registers[0].source.port], [sent[0].local.host, sent[0].local.port]);
    assert.match(sent[0].bytes.toString("utf8"), /^Via: SIP\/2\.0\/WS /m);

    assert.equal(await ue.unregister(), 200);
    const log = ue.consoleLog();
    assert.ok(log.length > 0, "the page logged something");
    assert.ok(
      log.some((l) => l.includes("sip.js page ready")),
      log.join("\n"),
    );
    assert.ok((await ue.screenshot()).length > 1000);
    browsers.push(...ownChromium());
    assert.ok(browsers.length > 0, "the browser runs as a child of this process");
  } finally {
    await ue?.close();
    await endpoint.close();
  }
  assert.deepEqual(await noChromiumLeft(browsers), [], "no chromium process is left (pgrep -f chromium)");
});

/** SDP answer from an offer: same media lines, our own ICE credentials, DTLS role active, no candidates. */
function answerFrom(offer: string): string {
  const ufrag = randomBytes(4).toString("hex");
  const pwd = randomBytes(12).toString("hex");
  return (
    offer
      .split(/\r?\n/)
      .filter((l) => l !== "" && !l.startsWith("a=candidate") && !l.startsWith("a=end-of-candidates") && !l.startsWith("a=ice-options") && !l.startsWith("a=extmap-allow-mixed"))
      .map((l) => (l.startsWith("a=ice-ufrag:") ? `a=ice-ufrag:${ufrag}` : l.startsWith("a=ice-pwd:") ? `a=ice-pwd:${pwd}` : l.replace("a=setup:actpass", "a=setup:active")))
      .join("\r\n") + "\r\n"
  );
}

test("a browser UE calls: an audio-only offer, 200 with an answer, ACK, stats, BYE", { skip: skipReason(), timeout: 90000 }, async () => {
  const trace = new Trace();
  const endpoint = await SipEndpoint.start({ listen: [{ protocol: "ws", host: "127.0.0.1", port: 0 }], trace });
  const invites: Received[] = [];
  const byes: Received[] = [];
  const port = endpoint.local("ws").port;
  endpoint.onRequest((received) => {
    const m = received.message;
    if (m.kind !== "request") return false;
    if (m.method === "INVITE") {
      invites.push(received);
      endpoint.reply(received, 200, {
        toTag: randomBytes(4).toString("hex"),
        headers: { Contact: `<sip:bob@127.0.0.1:${port};transport=ws>` },
        body: { type: "application/sdp", content: answerFrom(m.bodyText) },
      });
      return true;
    }
    if (m.method === "BYE") {
      byes.push(received);
      endpoint.reply(received, 200);
      return true;
    }
    return false;
  });
  const relayTrace = new Trace();
  let ue: BrowserUe | undefined;
  try {
    ue = await BrowserUe.start({ name: "alice", impu: `sip:alice@${REALM}`, impi: `alice@${REALM}`, password: PASSWORD, server: `ws://127.0.0.1:${port}`, trace: relayTrace });
    assert.equal(await ue.call(`sip:bob@${REALM}`), 200, ue.consoleLog().join("\n"));
    const offer = invites[0].message.bodyText;
    assert.match(offer, /^m=audio \d+ UDP\/TLS\/RTP\/SAVPF /m);
    assert.doesNotMatch(offer, /^m=video/m);
    assert.equal(await ue.callState(), "Established");
    const stats = await ue.stats();
    assert.equal(typeof stats.connectionState, "string");
    assert.notEqual(stats.connectionState, "none");
    assert.equal(typeof stats.packetsReceived, "number");
    await ue.hangup();
    for (let i = 0; i < 50 && byes.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(byes.length, 1, "the browser sent BYE");
    const methods = relayTrace.entries.filter((e) => e.direction === "sent").map((e) => e.bytes.toString("utf8").split(" ")[0]);
    assert.deepEqual(methods, ["INVITE", "ACK", "BYE"]);
  } finally {
    await ue?.close();
    await endpoint.close();
  }
});

test("a browser UE registers over wss: the relay listens on wss too, the server's self-signed certificate is pinned", { skip: skipReason(), timeout: 90000 }, async () => {
  const certificate = await generateSelfSignedCertificate(["127.0.0.1"]);
  const trace = new Trace();
  const { endpoint, failures } = await registrar(trace, { protocol: "wss", host: "127.0.0.1", port: 0, tls: { key: certificate.key, cert: certificate.cert } });
  const port = endpoint.local("wss").port;
  const relayTrace = new Trace();
  let ue: BrowserUe | undefined;
  const browsers: number[] = [];
  try {
    ue = await BrowserUe.start({
      name: "alice",
      impu: `sip:alice@${REALM}`,
      impi: `alice@${REALM}`,
      password: PASSWORD,
      server: `wss://127.0.0.1:${port}`,
      trustSpkiSha256: certificate.spkiSha256,
      trace: relayTrace,
    });
    assert.match(ue.relayUrl, /^wss:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(await ue.register(), 200, `failures: ${failures.join("; ")}\n${ue.consoleLog().join("\n")}`);
    const registers = relayTrace.entries.filter((e) => e.direction === "sent" && e.bytes.toString("utf8").startsWith("REGISTER "));
    assert.equal(registers.length, 2);
    for (const e of relayTrace.entries) assert.equal(e.protocol, "wss");
    assert.match(registers[0].bytes.toString("utf8"), /^Via: SIP\/2\.0\/WSS /m);
    assert.equal(registers[0].remote.port, port);
    browsers.push(...ownChromium());
    assert.ok(browsers.length > 0, "the browser runs as a child of this process");
  } finally {
    await ue?.close();
    await endpoint.close();
  }
  assert.deepEqual(await noChromiumLeft(browsers), [], "no chromium process is left (pgrep -f chromium)");
});

test("a browser UE with a wrong pinned certificate does not reach a wss server", { skip: skipReason(), timeout: 90000 }, async () => {
  const certificate = await generateSelfSignedCertificate(["127.0.0.1"]);
  const other = await generateSelfSignedCertificate(["127.0.0.1"]);
  const { endpoint, registers } = await registrar(new Trace(), { protocol: "wss", host: "127.0.0.1", port: 0, tls: { key: certificate.key, cert: certificate.cert } });
  try {
    await assert.rejects(
      BrowserUe.start({
        name: "alice",
        impu: `sip:alice@${REALM}`,
        impi: `alice@${REALM}`,
        password: PASSWORD,
        server: `wss://127.0.0.1:${endpoint.local("wss").port}`,
        trustSpkiSha256: other.spkiSha256,
      }),
      (e: Error) => {
        assert.match(e.message, /browser UE alice could not start against wss:\/\/127\.0\.0\.1:\d+/);
        assert.match(e.message, /not the pinned/);
        return true;
      },
    );
    assert.equal(registers.length, 0);
  } finally {
    await endpoint.close();
  }
});

function request(text: string): SipRequest {
  const parsed = parseMessage(text.replace(/\n/g, "\r\n"));
  if (!parsed.ok || parsed.message.kind !== "request") throw new Error(`bad request in the test: ${text}`);
  return parsed.message;
}

test("two browser UEs call each other through a tiny B2BUA: real WebRTC audio flows both ways", { skip: skipReason(), timeout: 120000 }, async () => {
  const trace = new Trace();
  const endpoint = await SipEndpoint.start({ listen: [{ protocol: "ws", host: "127.0.0.1", port: 0 }], trace });
  const port = endpoint.local("ws").port;
  const bindings = new Map<string, { contact: string; destination: Destination }>();
  /** The B2BUA's leg toward the callee, for the BYE. */
  let calleeLeg: { callId: string; fromTag: string; toTag: string; target: string; destination: Destination } | undefined;
  const errors: string[] = [];
  endpoint.onRequest((received) => {
    const m = received.message;
    if (m.kind !== "request") return false;
    if (m.method === "REGISTER") {
      const to = m.to.uri;
      const contact = /<([^>]+)>/.exec(m.header("Contact") ?? "")?.[1];
      if (contact) bindings.set(isSipUri(to) ? (to.user ?? "") : "", { contact, destination: received.source });
      endpoint.reply(received, 200, { headers: { Contact: `${m.header("Contact") ?? ""};expires=600` } });
      return true;
    }
    if (m.method === "INVITE") {
      const ruri = m.uri;
      const user = isSipUri(ruri) ? (ruri.user ?? "") : "";
      const callee = bindings.get(user);
      if (!callee) {
        endpoint.reply(received, 404);
        return true;
      }
      const callId = `b2bua-${randomBytes(6).toString("hex")}`;
      const fromTag = randomBytes(4).toString("hex");
      const invite = request(
        `INVITE ${callee.contact} SIP/2.0
From: ${m.header("From") ?? ""}`.replace(/;tag=[^;>]*/, "") +
          `;tag=${fromTag}
To: <sip:${user}@${REALM}>
Call-ID: ${callId}
CSeq: 1 INVITE
Contact: <sip:b2bua@127.0.0.1:${port};transport=ws>
Content-Type: application/sdp
Content-Length: 0

`,
      );
      invite.setBody(m.bodyText, "application/sdp");
      endpoint
        .request(invite, callee.destination)
        .then(async (answer) => {
          if (answer.status !== 200) {
            endpoint.reply(received, answer.status);
            return;
          }
          const toTag = answer.toTag ?? "";
          const target = /<([^>]+)>/.exec(answer.header("Contact") ?? "")?.[1] ?? callee.contact;
          calleeLeg = { callId, fromTag, toTag, target, destination: callee.destination };
          const ack = request(`ACK ${target} SIP/2.0
Via: ${endpoint.via("ws")}
Max-Forwards: 70
From: ${invite.header("From") ?? ""}
To: ${answer.header("To") ?? ""}
Call-ID: ${callId}
CSeq: 1 ACK
Content-Length: 0

`);
          await endpoint.sendStateless(ack, callee.destination);
          endpoint.reply(received, 200, {
            toTag: randomBytes(4).toString("hex"),
            headers: { Contact: `<sip:b2bua@127.0.0.1:${port};transport=ws>` },
            body: { type: "application/sdp", content: answer.bodyText },
          });
        })
        .catch((e: unknown) => errors.push(String(e)));
      return true;
    }
    if (m.method === "BYE") {
      endpoint.reply(received, 200);
      const leg = calleeLeg;
      if (leg) {
        const bye = request(`BYE ${leg.target} SIP/2.0
From: <sip:alice@${REALM}>;tag=${leg.fromTag}
To: <sip:bob@${REALM}>;tag=${leg.toTag}
Call-ID: ${leg.callId}
CSeq: 2 BYE
Content-Length: 0

`);
        endpoint.request(bye, leg.destination).catch((e: unknown) => errors.push(String(e)));
      }
      return true;
    }
    return false;
  });
  const aliceTrace = new Trace();
  const server = `ws://127.0.0.1:${port}`;
  let alice: BrowserUe | undefined;
  let bob: BrowserUe | undefined;
  const browsers: number[] = [];
  try {
    [alice, bob] = await Promise.all([
      BrowserUe.start({ name: "alice", impu: `sip:alice@${REALM}`, impi: `alice@${REALM}`, password: PASSWORD, server, trace: aliceTrace }),
      BrowserUe.start({ name: "bob", impu: `sip:bob@${REALM}`, impi: `bob@${REALM}`, password: PASSWORD, server }),
    ]);
    assert.deepEqual(await Promise.all([alice.register(), bob.register()]), [200, 200]);
    const b = bob;
    const answered = b.waitForIncomingCall(20000).then(async (incoming) => {
      await b.answer();
      return incoming;
    });
    answered.catch(() => undefined);
    const t0 = performance.now();
    const status = await alice.call(`sip:bob@${REALM}`, 20000).catch((e: unknown) => {
      console.log(errors, endpoint.problems, bob?.consoleLog().join("\n"));
      throw e;
    });
    assert.equal(status, 200, `${errors.join("; ")}\n${alice.consoleLog().join("\n")}\n${bob.consoleLog().join("\n")}`);
    const incoming = await answered;
    assert.match(incoming.from, /^sip:alice@/);
    // Media: both peer connections connect and receive RTP from the other's fake microphone
    let statsA = await alice.stats();
    let statsB = await bob.stats();
    for (let i = 0; i < 100 && (statsA.packetsReceived < 25 || statsB.packetsReceived < 25); i++) {
      await new Promise((r) => setTimeout(r, 100));
      [statsA, statsB] = await Promise.all([alice.stats(), bob.stats()]);
    }
    console.log(
      `call set up and ${statsA.packetsReceived}/${statsB.packetsReceived} RTP packets received in ${(performance.now() - t0).toFixed(0)} ms; audioLevel ${statsA.audioLevel}/${statsB.audioLevel}`,
    );
    assert.equal(statsA.connectionState, "connected", JSON.stringify(statsA));
    assert.equal(statsB.connectionState, "connected", JSON.stringify(statsB));
    assert.ok(statsA.packetsReceived >= 25, JSON.stringify(statsA));
    assert.ok(statsB.packetsReceived >= 25, JSON.stringify(statsB));
    assert.equal(typeof statsA.audioLevel, "number", JSON.stringify(statsA));
    await alice.hangup();
    for (let i = 0; i < 50 && (await bob.callState()) !== "Terminated"; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await bob.callState(), "Terminated");
    assert.deepEqual(errors, []);
    const sent = aliceTrace.entries.filter((e) => e.direction === "sent").map((e) => e.bytes.toString("utf8").split(" ")[0]);
    assert.deepEqual(sent, ["REGISTER", "INVITE", "ACK", "BYE"]);
    browsers.push(...ownChromium());
  } finally {
    await Promise.all([alice?.close(), bob?.close()]);
    await endpoint.close();
  }
  assert.deepEqual(await noChromiumLeft(browsers), [], "no chromium process is left (pgrep -f chromium)");
});

// The reference core as a whole: start-up on one port for UDP and TCP, its P-CSCF URI, stop, the
// options it refuses, and a log that never carries a secret.
import assert from "node:assert/strict";
import { performance } from "node:perf_hooks";
import { describe, test } from "node:test";
import { ReferenceCore } from "../../src/reference-core/index.ts";
import { SipEndpoint } from "../../src/sip/endpoint/index.ts";
import { newCallId, newTag } from "../../src/sip/identifiers.ts";
import { SipRequest } from "../../src/sip/message/index.ts";
import { DOMAIN, K, Lab, OPC, PASSWORDS, impu, subscribers } from "./core-fixture.ts";

function options(uri: string): SipRequest {
  const r = new SipRequest("OPTIONS", uri);
  r.addHeader("Max-Forwards", 70);
  r.addHeader("From", `<sip:probe@${DOMAIN}>;tag=${newTag()}`);
  r.addHeader("To", `<${uri}>`);
  r.addHeader("Call-ID", newCallId());
  r.addHeader("CSeq", "1 OPTIONS");
  return r;
}

describe("ReferenceCore", () => {
  test("starts on one port for UDP and TCP and answers on both; pcscfUri names it", async (t) => {
    const started = performance.now();
    const core = await ReferenceCore.start({ domain: DOMAIN, subscribers: subscribers() });
    const ms = performance.now() - started;
    t.after(() => core.stop());
    t.diagnostic(`reference core start-up: ${ms.toFixed(1)} ms`);
    assert.equal(core.host, "127.0.0.1");
    assert.ok(core.port > 0);
    assert.equal(core.pcscfUri, `sip:127.0.0.1:${core.port};lr`);
    assert.match(core.log[0] ?? "", new RegExp(`^listening on UDP/TCP 127\\.0\\.0\\.1:${core.port} for ${DOMAIN.replace(/\./g, "\\.")}`));
    const probe = await SipEndpoint.start({ listen: [{ protocol: "udp" }, { protocol: "tcp" }] });
    t.after(() => probe.close());
    for (const protocol of ["udp", "tcp"] as const) {
      const r = await probe.request(options(`sip:${DOMAIN}`), { protocol, host: core.host, port: core.port });
      assert.equal(r.status, 200, `OPTIONS over ${protocol}`);
    }
  });

  test("listens on the port it is given; stop is idempotent and frees it", async () => {
    const first = await ReferenceCore.start({ domain: DOMAIN, subscribers: [], transports: ["udp"] });
    const port = first.port;
    await first.stop();
    await first.stop();
    assert.equal(first.log.at(-1), "stopped");
    const second = await ReferenceCore.start({ domain: DOMAIN, subscribers: [], port, transports: ["udp"] });
    try {
      assert.equal(second.port, port);
    } finally {
      await second.stop();
    }
  });

  test("refuses transports other than UDP and TCP, and a port in use names it", async () => {
    await assert.rejects(ReferenceCore.start({ domain: DOMAIN, subscribers: [], transports: ["ws"] }), /UDP and TCP only, not WS/);
    const core = await ReferenceCore.start({ domain: DOMAIN, subscribers: [], transports: ["tcp"] });
    try {
      await assert.rejects(ReferenceCore.start({ domain: DOMAIN, subscribers: [], transports: ["tcp"], port: core.port }), new RegExp(`cannot listen on 127\\.0\\.0\\.1:${core.port}`));
    } finally {
      await core.stop();
    }
  });

  test("the faults given at start are in force and logged; unknown identities are errors for the test API", async (t) => {
    const lab = await Lab.start(t, { faults: ["no-100rel", "strip-record-route"] });
    assert.deepEqual([...lab.core.faults].sort(), ["no-100rel", "strip-record-route"]);
    assert.match(lab.core.log[0] ?? "", /faults no-100rel, strip-record-route$/);
    assert.throws(() => lab.core.requireReauthentication("sip:nobody@ims.example.test"), /no subscriber has this public identity/);
    assert.equal(lab.core.isRegistered("sip:nobody@ims.example.test"), false);
  });

  test("no password, K or OPc ever appears in the log, even after failures and resynchronisation", async (t) => {
    const lab = await Lab.start(t);
    for (const role of ["alice", "bob", "carol", "dave"] as const) await lab.registered(role, role === "bob" ? "tcp" : "udp");
    const wrong = await lab.ue("alice", "udp", { credentials: { kind: "digest", password: "wrong" } });
    assert.equal((await wrong.register()).final.status, 403);
    const resync = await lab.ue("carol");
    resync.auth.setSqn(5000n);
    assert.equal((await resync.register()).final.status, 200);
    const alice = await lab.registered("alice");
    assert.equal((await alice.sendMessage(impu("bob"), "x")).status, 200);
    const text = lab.core.log.join("\n");
    assert.ok(lab.core.log.length > 10);
    const secrets = [...Object.values(PASSWORDS), ...[K, OPC].flatMap((b) => [b.toString("hex"), b.toString("hex").toUpperCase(), b.toString("base64")])];
    for (const s of secrets) assert.ok(!text.includes(s), `the log contains a secret (${s.length} characters)`);
  });
});

// The embedded reference core runs the lifecycle of every target: the runner starts it (once per
// parallel worker), probes it with OPTIONS, and serves its log and its network-side triggers
// (TS 24.228 6.7, 6.8) to the workers through the test-bed service; workers never start a core.
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { resolve } from "node:path";
import { describe, test } from "node:test";
import { loadProfile } from "../../src/profile/index.ts";
import { runSuite } from "../../src/runner/index.ts";
import { testBedClient } from "../../src/runner/test-bed-client.ts";
import { startTestBedService } from "../../src/runner/test-bed-service.ts";
import { EmbeddedTarget, type StartedTarget } from "../../src/targets/index.ts";

const PROJECT = resolve(import.meta.dirname, "../..");
const EMBEDDED = resolve(PROJECT, "profiles/embedded.yaml");

async function udpPortFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = createSocket("udp4");
    s.once("error", () => done(false));
    s.bind(port, "127.0.0.1", () => s.close(() => done(true)));
  });
}

describe("the test-bed service", () => {
  test("serves the core's log and triggers to the holder of the run's token only", async () => {
    const profile = await loadProfile(EMBEDDED);
    const target = await new EmbeddedTarget(profile, []).start();
    const service = await startTestBedService(target);
    try {
      const sut = { pcscf: target.pcscf, description: target.description, testBed: { url: service.url, token: service.token, network: true } };
      const client = testBedClient(sut);
      assert.match(await client.logs(), /listening on UDP\/TCP 127\.0\.0\.1:\d+ for ims\.example\.test/);
      await client.network!.requireReauthentication("sip:alice@ims.example.test");
      assert.match(target.core.log.join("\n"), /re-authentication required for sip:alice@ims\.example\.test/);
      await assert.rejects(
        client.network!.requireReauthentication("sip:nobody@ims.example.test"),
        /refused POST \/network\/reauthenticate: 500 cannot require re-authentication of sip:nobody@ims\.example\.test/,
      );
      const stranger = testBedClient({ ...sut, testBed: { ...sut.testBed, token: "0".repeat(32) } });
      await assert.rejects(stranger.logs(), /refused GET \/log: 403/);
    } finally {
      await service.close();
      await target.stop();
    }
  });

  test("a SUT without network-side triggers: the client offers none and the service answers 501", async () => {
    const target: StartedTarget = { description: "remote SUT", pcscf: { host: "127.0.0.1", port: 9 }, logs: () => "", stop: () => Promise.resolve() };
    const service = await startTestBedService(target);
    try {
      assert.equal(testBedClient({ pcscf: target.pcscf, description: "", testBed: { url: service.url, token: service.token, network: false } }).network, undefined);
      const res = await fetch(`${service.url}/network/deregister`, { method: "POST", headers: { authorization: `Bearer ${service.token}` }, body: JSON.stringify({ impu: "sip:a@b" }) });
      assert.equal(res.status, 501);
    } finally {
      await service.close();
    }
  });
});

describe("the embedded core through the target lifecycle", { timeout: 120_000 }, () => {
  test("started by the runner, one per parallel worker, network triggers reach it from child-process workers, stopped at the end", async () => {
    const r = await runSuite({ profileFile: EMBEDDED, projectDir: PROJECT, parallel: 2, tags: "@IMS-REG-002 or @IMS-REG-008 or @IMS-REG-009" });
    assert.deepEqual(
      r.results.map((x) => `${x.testCase.id} ${x.verdict}`),
      ["IMS-REG-002 pass", "IMS-REG-008 pass", "IMS-REG-009 pass"],
      r.results.map((x) => `${x.testCase.id}: ${x.reason ?? ""}`).join("\n"),
    );
    const core = /^embedded reference core at UDP\/TCP 127\.0\.0\.1:(\d+) \(and 1 more, one per worker\)$/.exec(r.sut);
    assert.ok(core, r.sut);
    assert.ok(await udpPortFree(Number(core[1])), "the runner stopped the core");
  });
});

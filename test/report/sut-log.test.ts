// Issue 11, item 5: the "SUT log" attached to a failed test case is the slice of that test case,
// each line with the time it reached the harness. The targets stamp every line on arrival (process
// output, container logs, the embedded core's log); the runner's test-bed service answers
// GET /log?since=<ms since the epoch> with the lines since then.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, test } from "node:test";
import { join } from "node:path";
import { loadProfile } from "../../src/profile/index.ts";
import { testBedClient } from "../../src/runner/test-bed-client.ts";
import { startTestBedService } from "../../src/runner/test-bed-service.ts";
import type { Profile } from "../../src/profile/profile.ts";
import { ImsUe } from "../../src/sip/ue/index.ts";
import { ContainerTarget, EmbeddedTarget, ProcessTarget, type StartedTarget } from "../../src/targets/index.ts";
import { TimestampedLog, formatLogLine } from "../../src/targets/timestamped-log.ts";
import { pickFreePort } from "../support/sipp.ts";
import { PROJECT, RUN_RESPONDER, shellProfile } from "../targets/fixtures/process-profile.ts";

const ISO_LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /;

function dockerSkip(): string | false {
  const info = spawnSync("docker", ["info"], { stdio: "ignore", timeout: 20_000 });
  if (info.status === 0) return false;
  const missing = "a Docker engine (Debian package docker.io, started) is not available";
  if (process.env["CI"]) throw new Error(`${missing}, and CI must not skip this test`);
  return missing;
}

describe("TimestampedLog", () => {
  test("stamps each line with the arrival of its first part; a line split over chunks stays one line", () => {
    let now = Date.UTC(2026, 0, 2, 3, 4, 5, 600);
    const log = new TimestampedLog(1000, () => now);
    log.append("first line\nsecond ");
    now += 1000;
    log.append(Buffer.from("half\r\nthird"));
    assert.deepEqual(log.entries(), [
      { at: Date.UTC(2026, 0, 2, 3, 4, 5, 600), text: "first line" },
      { at: Date.UTC(2026, 0, 2, 3, 4, 5, 600), text: "second half" },
      { at: Date.UTC(2026, 0, 2, 3, 4, 6, 600), text: "third" },
    ]);
    assert.equal(log.text(), ["2026-01-02T03:04:05.600Z first line", "2026-01-02T03:04:05.600Z second half", "2026-01-02T03:04:06.600Z third"].join("\n"));
  });

  test("since: only the lines that arrived at or after it", () => {
    let now = 1000;
    const log = new TimestampedLog(1000, () => now);
    log.append("old\n");
    now = 2000;
    log.append("new\n");
    log.line("also new", 2500);
    assert.deepEqual(
      log.entries(2000).map((l) => l.text),
      ["new", "also new"],
    );
    assert.deepEqual(
      log.entries(2001).map((l) => l.text),
      ["also new"],
    );
    assert.equal(log.text(3000), "");
  });

  test("streams do not mix within a line; a UTF-8 character split over chunks stays whole", () => {
    const log = new TimestampedLog(1000, () => 0);
    log.append("out: half", "stdout");
    log.append("err: whole\n", "stderr");
    log.append(" done\n", "stdout");
    const euro = Buffer.from("price \u20ac 5\n");
    log.append(euro.subarray(0, 7), "stdout");
    log.append(euro.subarray(7), "stdout");
    assert.deepEqual(
      log.entries().map((l) => l.text),
      ["err: whole", "out: half done", "price \u20ac 5"],
    );
  });

  test("bounded: the oldest lines go first", () => {
    const log = new TimestampedLog(20, () => 0);
    for (let i = 0; i < 10; i++) log.append(`line ${i}\n`);
    assert.deepEqual(
      log.entries().map((l) => l.text),
      ["line 7", "line 8", "line 9"],
    );
  });

  test("formatLogLine: ISO time in UTC with milliseconds, then the text", () => {
    assert.equal(formatLogLine({ at: Date.UTC(2026, 5, 12, 21, 44, 59, 123), text: "REGISTER: 401" }), "2026-06-12T21:44:59.123Z REGISTER: 401");
  });
});

describe("the test-bed service: GET /log?since=", () => {
  test("a worker gets the slice since the time it gives, each line timestamped; a malformed since is 400", async () => {
    let now = 1_000_000;
    const log = new TimestampedLog(100_000, () => now);
    log.append("before the test case\n");
    now = 2_000_000;
    log.append("during the test case\n");
    const target: StartedTarget = { description: "fake", pcscf: { host: "127.0.0.1", port: 9 }, logs: (since) => log.text(since), stop: () => Promise.resolve() };
    const service = await startTestBedService(target);
    try {
      const client = testBedClient({ pcscf: target.pcscf, description: "", testBed: { url: service.url, token: service.token, network: false } });
      assert.equal(await client.logs(2_000_000), `${new Date(2_000_000).toISOString()} during the test case`);
      assert.equal((await client.logs()).split("\n").length, 2);
      const bad = await fetch(`${service.url}/log?since=yesterday`, { headers: { authorization: `Bearer ${service.token}` } });
      assert.equal(bad.status, 400);
      assert.match(await bad.text(), /since must be a time in ms since the epoch, not "yesterday"/);
    } finally {
      await service.close();
    }
  });

  test("a slice longer than the service sends is cut at a line start, saying how much was left out", async () => {
    const log = new TimestampedLog(1_000_000, () => 0);
    for (let i = 0; i < 1000; i++) log.append(`${"x".repeat(40)} ${i}\n`);
    const target: StartedTarget = { description: "fake", pcscf: { host: "127.0.0.1", port: 9 }, logs: (since) => log.text(since), stop: () => Promise.resolve() };
    const service = await startTestBedService(target);
    try {
      const text = await testBedClient({ pcscf: target.pcscf, description: "", testBed: { url: service.url, token: service.token, network: false } }).logs(0);
      const lines = text.split("\n");
      assert.match(lines[0], /^\[\d+ earlier characters of this slice left out\]$/);
      assert.match(lines[1], ISO_LINE);
      assert.match(lines.at(-1)!, / 999$/);
      assert.ok(text.length <= 20_100);
    } finally {
      await service.close();
    }
  });
});

describe("targets stamp their log lines", () => {
  test("the embedded core: every line timestamped, since slices it", async () => {
    const profile = await loadProfile(join(PROJECT, "test/fixtures/profiles/embedded-fast.yaml"));
    const target = await new EmbeddedTarget(profile, []).start();
    try {
      const all = target.logs();
      assert.match(all, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z listening on UDP\/TCP 127\.0\.0\.1:\d+ for ims\.example\.test/);
      await new Promise((r) => setTimeout(r, 5));
      const since = Date.now();
      await target.core.deregister("sip:alice@ims.example.test").catch(() => undefined);
      const slice = target.logs(since).split("\n");
      assert.ok(slice.length >= 1 && slice.every((l) => ISO_LINE.test(l)), slice.join("\n"));
      assert.ok(
        slice.every((l) => !l.includes("listening on")),
        "the slice starts at `since`",
      );
      assert.match(slice.join("\n"), /network-initiated deregistration of sip:alice@ims\.example\.test/);
    } finally {
      await target.stop();
    }
  });

  test(
    "a process target: its output line by line, each stamped on arrival; since leaves the earlier lines out",
    { skip: process.platform === "linux" ? false : "process targets are tested on Linux" },
    async () => {
      const port = await pickFreePort();
      const sut = await new ProcessTarget(shellProfile(port, `echo "started early"; (sleep 1; echo "said later"; echo "and more" >&2) & ${RUN_RESPONDER}`), { stopGraceMs: 500 }).start();
      try {
        const since = Date.now();
        const until = Date.now() + 10_000;
        while (!sut.logs().includes("and more") && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
        const all = sut.logs().split("\n");
        assert.ok(
          all.every((l) => ISO_LINE.test(l)),
          all.join("\n"),
        );
        assert.ok(all.some((l) => l.endsWith(" started early")));
        const slice = sut.logs(since);
        assert.match(slice, /Z said later\n.*Z and more$/);
        assert.doesNotMatch(slice, /started early/);
      } finally {
        await sut.stop();
      }
    },
  );

  test(
    "a container target (Kamailio from docker/kamailio-ims): its log lines stamped; a REGISTER after `since` is in the slice, the start-up is not",
    { skip: dockerSkip(), timeout: 300_000 },
    async () => {
      const passwords = { IMS_UE_A_PASSWORD: "log-a-pw", IMS_UE_B_PASSWORD: "log-b-pw", IMS_UE_C_PASSWORD: "log-c-pw", IMS_UE_W_PASSWORD: "log-w-pw", IMS_UE_V_PASSWORD: "log-v-pw" };
      const loaded = await loadProfile(join(PROJECT, "profiles/kamailio-container.yaml"), { ...process.env, ...passwords });
      const port = await pickFreePort();
      // no WebSocket listeners: their fixed ports could be another test's Kamailio's
      const profile: Profile = { ...loaded, target: loaded.target, ixit: { ...loaded.ixit, pcscf: { host: "127.0.0.1", port }, websocket: undefined } };
      const sut = await new ContainerTarget(profile).start();
      try {
        await new Promise((r) => setTimeout(r, 20));
        const since = Date.now();
        const ue = await ImsUe.start({
          name: "UE-A",
          impi: "alice@ims.example.test",
          impu: "sip:alice@ims.example.test",
          domain: "ims.example.test",
          credentials: { kind: "digest", password: passwords.IMS_UE_A_PASSWORD },
          pcscf: { protocol: "udp", host: "127.0.0.1", port },
          protocol: "udp",
        });
        try {
          await ue.register({ expires: 600 });
        } finally {
          await ue.close();
        }
        const until = Date.now() + 5000;
        while (!/REGISTER sip:ims\.example\.test from udp/.test(sut.logs(since)) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
        const all = sut.logs().split("\n");
        assert.ok(
          all.every((l) => ISO_LINE.test(l)),
          all.slice(0, 5).join("\n"),
        );
        assert.match(sut.logs(), /Z .*Listening on/);
        const slice = sut.logs(since);
        assert.match(slice, /REGISTER sip:ims\.example\.test from udp:127\.0\.0\.1:\d+/);
        assert.doesNotMatch(slice, /Listening on/);
      } finally {
        await sut.stop();
      }
    },
  );
});

// Test cases run as load against the embedded core (issue 17): many flows of IMS-CALL-001, several at a
// time, each executing the suite's own steps and hooks with a UE pool slot of its own; the figures add
// up (every flow counted once, the series summing to the counters, shards merging into their sum),
// and a fault of the core shows up as failures under the requirement it breaks. Rates, durations and
// shards are checked by what they start, never by how long anything took.
import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { describe, test } from "node:test";
import { type LoadResult, loadFigures, mergeLoadResults } from "../../src/load/metrics.ts";
import { poolFor } from "../../src/load/pool.ts";
import { failureOf, loadPlan, runLoad } from "../../src/load/run-load.ts";
import { mergeLoadDocuments } from "../../src/load/load-document.ts";
import { judgeThresholds } from "../../src/load/thresholds.ts";
import { loadProfile, subscriberFor } from "../../src/profile/index.ts";
import { appendFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { KAMAILIO_PASSWORDS, kamailioProfileOnFreePorts, kamailioSkip } from "../support/kamailio.ts";

const PROJECT = resolve(import.meta.dirname, "../..");
const FAST = join(PROJECT, "test/fixtures/profiles/embedded-fast.yaml");

function seriesSums(r: LoadResult): { registrations: number; invites: number; established: number; failures: number; started: number; passed: number } {
  const sum = { registrations: 0, invites: 0, established: 0, failures: 0, started: 0, passed: 0 };
  for (const s of r.series) {
    sum.registrations += s.registrations;
    sum.invites += s.invites;
    sum.established += s.established;
    sum.failures += s.failures;
    sum.started += s.started;
    sum.passed += s.passed;
  }
  return sum;
}

describe("the plan of a load run", () => {
  test("UEs make slots (a UE of every role each), options over the profile, a shard's share of slots, rate and flows", async () => {
    const p = await loadProfile(FAST); // three roles
    assert.deepEqual(loadPlan(p, { ues: 12 }), { ues: 12, slots: 4, ownSlots: [0, 1, 2, 3], flows: 100 });
    assert.deepEqual(loadPlan(p, { slots: 2, durationMs: 5000 }), { ues: 6, slots: 2, ownSlots: [0, 1], durationMs: 5000 });
    const shards = [1, 2, 3].map((index) => loadPlan(p, { slots: 10, rate: 30, flows: 10, shard: { index, total: 3 } }));
    assert.deepEqual(
      shards.map((s) => s.ownSlots),
      [
        [0, 3, 6, 9],
        [1, 4, 7],
        [2, 5, 8],
      ],
    );
    assert.deepEqual(
      shards.map((s) => [s.rate, s.flows]),
      [
        [10, 4],
        [10, 3],
        [10, 3],
      ],
    );
    assert.throws(() => loadPlan(p, { ues: 2 }), /2 UEs make no flow slot: every flow uses one UE of each of the 3 roles/);
    assert.throws(() => loadPlan(p, { slots: 2, shard: { index: 3, total: 3 } }), /--shard 3\/3: 2 slots leave this shard none/);
  });
});

describe("the UE pool of a load run", () => {
  test("every role once per slot, numbered identities, the role's credentials, no tel URI", async () => {
    const base = await loadProfile(FAST);
    const pool = poolFor(base, [0, 1, 2]);
    const roles = [...new Set(base.ixit.subscribers.map((s) => s.role))];
    assert.equal(pool.ixit.subscribers.length, 3 * roles.length);
    const a = [0, 1, 2].map((k) => subscriberFor(pool, "UE-A", k)!);
    assert.deepEqual(
      a.map((s) => s.impi),
      ["alice.1@ims.example.test", "alice.2@ims.example.test", "alice.3@ims.example.test"],
    );
    assert.deepEqual(a[1].impus, ["sip:alice.2@ims.example.test"]);
    assert.deepEqual(a[2].auth, base.ixit.subscribers.find((s) => s.role === "UE-A")!.auth);
  });
});

describe("failures are counted under what they broke", () => {
  test("a requirement by its id, the other verdicts by their class", () => {
    assert.equal(failureOf(new Error("Requirement: response.cseq: the CSeq ...\nExpected: ...")).failure, "response.cseq");
    assert.equal(failureOf(new Error("example 2 of 2: Requirement: sms.tpdu: ...")).failure, "sms.tpdu");
    assert.equal(failureOf(Object.assign(new Error("precondition: UE-A could not register"), { name: "InconclusiveError" })).failure, "inconclusive");
    assert.equal(failureOf(new Error("Expected: an INVITE for UE-B\nReceived: nothing")).failure, "expectation");
    assert.equal(failureOf(new TypeError("x is undefined")).failure, "error");
  });
});

describe("IMS-CALL-001 as load against the embedded core", () => {
  test("12 flows, 4 at a time: every flow passes, each counted once in RFC 6076's figures, the series add up; each slot registers once", async () => {
    const r = await runLoad({ profileFile: FAST, projectDir: PROJECT, testCases: ["IMS-CALL-001"], flows: 12, slots: 4 });
    assert.equal(r.flows.length, 12);
    assert.deepEqual([r.document.flowsStarted, r.document.flowsPassed, r.document.flowsFailed], [12, 12, 0]);
    assert.deepEqual(
      r.flows.filter((f) => !f.ok).map((f) => `${f.index}: ${f.reason ?? ""}`),
      [],
    );
    assert.deepEqual(new Set(r.flows.map((f) => f.slot)), new Set([0, 1, 2, 3]));
    const c = r.document.result.counts;
    // Each slot's first flow registers UE-A and UE-B; its later flows find them registered (standing
    // registrations); every flow calls, UE-B answers, UE-A hangs up
    assert.deepEqual(c, {
      registrations: 8,
      registrationsOk: 8,
      registrationsIneffective: 0,
      invites: 12,
      invites200: 12,
      invites3xx: 0,
      invitesEffective: 12,
      invitesIneffective: 0,
      sessionsCompleted: 12,
    });
    const f = loadFigures(r.document.result);
    assert.deepEqual(r.document.figures, f);
    assert.deepEqual([f.ser, f.seer, f.isa, f.scr, f.ira], [100, 100, 0, 100, 0]);
    assert.deepEqual([f.delays.rrd.count, f.delays.srd.count, f.delays.sdt.count, f.delays.sdd.count], [8, 12, 12, 12]);
    assert.deepEqual(seriesSums(r.document.result), { registrations: 8, invites: 12, established: 12, failures: 0, started: 12, passed: 12 });
    assert.deepEqual(r.document.result.failures, {});
    assert.ok(r.document.result.series.every((s) => s.inFlight <= 4));
  });

  test("a standing registration's UEs are judged in the flow that adopts them: IMS-MSG-001 after IMS-CALL-001 fails under message.well-formed with garbage-to-message", async () => {
    const r = await runLoad({ profileFile: FAST, projectDir: PROJECT, testCases: ["IMS-CALL-001", "IMS-MSG-001"], flows: 4, slots: 1, faults: ["garbage-to-message"] });
    assert.deepEqual(
      r.flows.map((f) => `${f.testCase} ${f.failure ?? "pass"}`),
      ["IMS-CALL-001 pass", "IMS-MSG-001 message.well-formed", "IMS-CALL-001 pass", "IMS-MSG-001 message.well-formed"],
    );
    // The calls registered (flows 0 and 2); the MESSAGE flows adopted those registrations, failed, and
    // de-registered them in their postamble: a de-registration is no registration attempt (RFC 6076 4.1)
    assert.deepEqual([r.document.result.counts.registrations, r.document.result.counts.registrationsOk], [4, 4]);
    assert.deepEqual(r.document.result.failures, { "message.well-formed": 2 });
  });

  test("registering per flow: every flow registers both UEs and de-registers them, each registration counted", async () => {
    const r = await runLoad({ profileFile: FAST, projectDir: PROJECT, testCases: ["IMS-CALL-001"], flows: 6, slots: 2, registerPerFlow: true });
    assert.deepEqual([r.document.flowsPassed, r.document.result.counts.registrations, r.document.result.counts.registrationsOk], [6, 12, 12]);
    assert.equal(r.document.figures.delays.rrd.count, 12);
  });

  test("at a rate: 10 flows at 20/s over 3 slots, each started once and ended once", async () => {
    const r = await runLoad({ profileFile: FAST, projectDir: PROJECT, testCases: ["IMS-CALL-001"], flows: 10, slots: 3, rate: 20 });
    assert.equal(r.document.options.rate, 20);
    assert.deepEqual([r.document.flowsStarted, r.document.flowsPassed, r.document.flowsFailed], [10, 10, 0]);
    assert.deepEqual(
      r.flows.map((f) => f.index),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    const sums = seriesSums(r.document.result);
    assert.deepEqual([sums.started, sums.passed, sums.invites], [10, 10, 10]);
    assert.ok(r.document.result.series.every((s) => s.inFlight <= 3));
  });

  test("for a duration: flows start until it ends, and every flow started is counted once, passed or failed", async () => {
    const r = await runLoad({ profileFile: FAST, projectDir: PROJECT, testCases: ["IMS-CALL-001"], slots: 2, durationMs: 1500 });
    assert.equal(r.document.options.flows, undefined);
    assert.ok(r.document.flowsStarted >= 2, `${r.document.flowsStarted} flows started`);
    assert.equal(r.document.flowsPassed + r.document.flowsFailed, r.document.flowsStarted);
    assert.equal(r.flows.length, r.document.flowsStarted);
    assert.equal(r.document.result.counts.invites, r.document.flowsStarted);
  });

  test("two test cases take turns on one slot: a REG test case's UE finds no standing registration of its identity", async () => {
    const r = await runLoad({ profileFile: FAST, projectDir: PROJECT, testCases: ["IMS-REG-001", "IMS-CALL-001"], flows: 6, slots: 1 });
    assert.deepEqual(
      r.flows.map((f) => f.testCase),
      ["IMS-REG-001", "IMS-CALL-001", "IMS-REG-001", "IMS-CALL-001", "IMS-REG-001", "IMS-CALL-001"],
    );
    assert.equal(r.document.flowsFailed, 0, r.flows.map((f) => f.reason ?? "").join("\n"));
    assert.equal(r.document.result.counts.invites, 3);
    assert.deepEqual(r.document.testCases, ["IMS-REG-001", "IMS-CALL-001"]);
    // Every REG flow registers UE-A's identity (3), after ending UE-A's standing registration; the first
    // call registers UE-A and UE-B (2), the later ones UE-A only (2), UE-B's registration standing
    assert.deepEqual([r.document.result.counts.registrations, r.document.result.counts.registrationsOk], [7, 7]);
  });

  test("an aborted run starts no flow after the abort, ends those in flight and says it was interrupted", async () => {
    const stop = new AbortController();
    const r = await runLoad({
      profileFile: FAST,
      projectDir: PROJECT,
      testCases: ["IMS-CALL-001"],
      flows: 1000,
      slots: 2,
      signal: stop.signal,
      onFlow: () => stop.abort(),
    });
    assert.equal(r.interrupted, true);
    assert.ok(r.document.flowsStarted <= 2, `${r.document.flowsStarted} flows started`);
    assert.equal(r.document.flowsPassed + r.document.flowsFailed, r.document.flowsStarted);
  });

  test("with the fault cseq-mismatch-in-response every flow fails, counted under response.cseq", async () => {
    const r = await runLoad({ profileFile: FAST, projectDir: PROJECT, testCases: ["IMS-CALL-001"], flows: 12, slots: 4, faults: ["cseq-mismatch-in-response"] });
    assert.deepEqual(r.document.result.failures, { "response.cseq": 12 });
    assert.ok(r.flows.every((x) => !x.ok && x.failure === "response.cseq"));
    assert.equal(seriesSums(r.document.result).failures, 12);
    // The relayed responses carry another CSeq: by RFC 3261 they answer no INVITE of the flow
    assert.equal(r.document.result.counts.invites200, 0);
    // The first 10 of a failure keep their reason for the report, the rest only their count
    assert.equal(r.document.failedFlows.length, 10);
    assert.ok(r.document.failedFlows.every((f) => f.failure === "response.cseq" && /^Requirement: response\.cseq:/.test(f.reason)));
    assert.equal(r.flows.filter((f) => f.reason !== undefined).length, 10);
  });

  test("two shards of a run: disjoint slots, their share of the flows, merged into their sum", async () => {
    const run = (index: number) => runLoad({ profileFile: FAST, projectDir: PROJECT, testCases: ["IMS-CALL-001"], flows: 11, slots: 4, shard: { index, total: 2 } });
    const [one, two] = [await run(1), await run(2)];
    assert.deepEqual([one.document.flowsStarted, two.document.flowsStarted], [6, 5]);
    assert.deepEqual(new Set(one.flows.map((f) => f.slot)), new Set([0, 2]));
    assert.deepEqual(new Set(two.flows.map((f) => f.slot)), new Set([1, 3]));
    assert.deepEqual([one.document.options.shard, two.document.options.shard], ["1/2", "2/2"]);
    const merged = mergeLoadDocuments([one.document, two.document], judgeThresholds);
    assert.deepEqual(merged.mergedFrom, ["1/2", "2/2"]);
    assert.equal(merged.options.shard, undefined);
    assert.deepEqual([merged.flowsStarted, merged.flowsPassed, merged.options.flows], [11, 11, 11]);
    assert.equal(merged.result.counts.invites, 11);
    assert.equal(merged.result.counts.sessionsCompleted, 11);
    assert.equal(seriesSums(merged.result).invites, 11);
    // Histograms are added: the merge's counts and extremes are the shards' together
    for (const m of ["rrd", "srd", "sdd", "sdt"] as const) {
      assert.equal(merged.figures.delays[m].count, one.document.figures.delays[m].count + two.document.figures.delays[m].count);
      assert.equal(merged.figures.delays[m].max, Math.max(one.document.figures.delays[m].max ?? 0, two.document.figures.delays[m].max ?? 0));
    }
    assert.deepEqual(merged.result, mergeLoadResults([one.document.result, two.document.result]));
    assert.throws(() => mergeLoadDocuments([one.document, one.document], judgeThresholds), /two load results of the same shard \(1\/2\)/);
  });
});

describe("IMS-CALL-001 as load against Kamailio (its profile's pool: two subscribers of every role)", { skip: kamailioSkip() }, () => {
  test("10 flows, 2 at a time: every flow passes and is counted once; 3 at a time is refused before anything starts (the profile lists two of each role)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ims-interop-load-kamailio-"));
    Object.assign(process.env, KAMAILIO_PASSWORDS);
    try {
      const { file } = await kamailioProfileOnFreePorts(dir);
      const r = await runLoad({ profileFile: file, projectDir: PROJECT, testCases: ["IMS-CALL-001"], flows: 10, slots: 2 });
      assert.match(r.document.sut, /^process "sh" at 127\.0\.0\.1:\d+/);
      assert.deepEqual(
        r.flows.filter((f) => !f.ok).map((f) => `${f.index}: ${f.reason ?? ""}`),
        [],
      );
      assert.equal(r.document.result.counts.invites, 10);
      assert.equal(r.document.result.counts.sessionsCompleted, 10);
      // each of the two slots registers UE-A and UE-B once: the registrations stand for the slot's later flows
      assert.equal(r.document.result.counts.registrations, 4);
      await assert.rejects(
        runLoad({ profileFile: file, projectDir: PROJECT, testCases: ["IMS-CALL-001"], flows: 10, slots: 3 }),
        /a load run of slots 0, 1, 2 against one process SUT needs 3 subscribers of every role, .* lists 2 for UE-A/,
      );
    } finally {
      for (const k of Object.keys(KAMAILIO_PASSWORDS)) delete process.env[k];
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("a pool from the profile's patterns (IMS_LOAD_USERS provisions load{n} and load{n}b): 16 flows at 40/s over 6 slots, every flow passes", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ims-interop-load-kamailio-pool-"));
    const env = { ...KAMAILIO_PASSWORDS, IMS_LOAD_USERS: "8", IMS_LOAD_PASSWORD: "load-secret-4711" };
    Object.assign(process.env, env);
    try {
      const { file } = await kamailioProfileOnFreePorts(dir);
      const pool = ["UE-A:load{n}", "UE-B:load{n}b"].map((x) => {
        const [role, user] = x.split(":");
        return `      - role: ${role}\n        impi: "${user}@ims.example.test"\n        impus: ["sip:${user}@ims.example.test"]\n        auth: { kind: digest, passwordEnv: IMS_LOAD_PASSWORD, algorithm: MD5 }`;
      });
      await appendFile(file, `\nload:\n  ues: 12\n  rate: 40\n  flows: 16\n  pool:\n    first: 3\n    subscribers:\n${pool.join("\n")}\n  thresholds: ["failed == 0", "ser >= 99.9"]\n`);
      const r = await runLoad({ profileFile: file, projectDir: PROJECT, testCases: ["IMS-CALL-001"] });
      assert.deepEqual(
        r.flows.filter((f) => !f.ok).map((f) => `${f.index}: ${f.reason ?? ""}`),
        [],
      );
      assert.deepEqual([r.document.options.ues, r.document.options.slots, r.document.options.rate, r.document.flowsStarted], [12, 6, 40, 16]);
      assert.deepEqual(new Set(r.flows.map((f) => f.slot)), new Set([0, 1, 2, 3, 4, 5]));
      assert.equal(r.document.result.counts.sessionsCompleted, 16);
      assert.deepEqual(
        r.document.thresholds.map((t) => [t.threshold, t.ok]),
        [
          ["failed == 0", true],
          ["ser >= 99.9", true],
        ],
      );
      // Slot 5 is load8 (first 3): one past the provisioned 8 would be an unknown user, refused with 403
      const beyond = await runLoad({ profileFile: file, projectDir: PROJECT, testCases: ["IMS-REG-002"], slots: 7, flows: 7 });
      assert.equal(beyond.document.flowsFailed, 1, beyond.flows.map((f) => `${f.slot}: ${f.failure ?? "pass"} ${f.testCase}`).join(", "));
      assert.equal(beyond.flows.find((f) => !f.ok)?.slot, 6);
    } finally {
      for (const k of Object.keys(env)) delete process.env[k];
      await rm(dir, { recursive: true, force: true });
    }
  });
});

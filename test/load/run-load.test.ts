// A test case run as load against the embedded core (issue 17): many flows of IMS-CALL-001, four at a
// time, each executing the suite's own steps and hooks with a UE pool slot of its own; the figures add
// up (every flow counted once, the series summing to the counters, two runs merging into their sum),
// and a fault of the core shows up as failures under the requirement it breaks. No timing is asserted.
import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { describe, test } from "node:test";
import { type LoadResult, loadFigures, mergeLoadResults } from "../../src/load/metrics.ts";
import { loadPool } from "../../src/load/pool.ts";
import { failureOf, runLoad } from "../../src/load/run-load.ts";
import { loadProfile, subscriberFor } from "../../src/profile/index.ts";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { KAMAILIO_PASSWORDS, kamailioProfileOnFreePorts, kamailioSkip } from "../support/kamailio.ts";

const PROJECT = resolve(import.meta.dirname, "../..");
const FAST = join(PROJECT, "test/fixtures/profiles/embedded-fast.yaml");

function seriesSums(r: LoadResult): { registrations: number; invites: number; established: number; failures: number } {
  const sum = { registrations: 0, invites: 0, established: 0, failures: 0 };
  for (const s of r.series) {
    sum.registrations += s.registrations;
    sum.invites += s.invites;
    sum.established += s.established;
    sum.failures += s.failures;
  }
  return sum;
}

describe("the UE pool of a load run", () => {
  test("every role once per slot, numbered identities, the role's credentials, no tel URI", async () => {
    const base = await loadProfile(FAST);
    const pool = loadPool(base, 3);
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
  test("12 flows, 4 at a time: every flow passes, each counted once in RFC 6076's figures, the series add up", async () => {
    const r = await runLoad({ profileFile: FAST, projectDir: PROJECT, testCase: "IMS-CALL-001", flows: 12, concurrency: 4 });
    assert.equal(r.flows.length, 12);
    assert.deepEqual(
      r.flows.filter((f) => !f.ok).map((f) => `${f.index}: ${f.reason ?? ""}`),
      [],
    );
    assert.deepEqual(new Set(r.flows.map((f) => f.slot)), new Set([0, 1, 2, 3]));
    const c = r.result.counts;
    // each flow: UE-A and UE-B register, UE-A calls, UE-B answers, UE-A hangs up
    assert.deepEqual(c, {
      registrations: 24,
      registrationsOk: 24,
      registrationsIneffective: 0,
      invites: 12,
      invites200: 12,
      invites3xx: 0,
      invitesEffective: 12,
      invitesIneffective: 0,
      sessionsCompleted: 12,
    });
    const f = loadFigures(r.result);
    assert.deepEqual([f.ser, f.seer, f.isa, f.scr, f.ira], [100, 100, 0, 100, 0]);
    assert.deepEqual([f.delays.rrd.count, f.delays.srd.count, f.delays.sdt.count, f.delays.sdd.count], [24, 12, 12, 12]);
    assert.deepEqual(seriesSums(r.result), { registrations: 24, invites: 12, established: 12, failures: 0 });
    assert.deepEqual(r.result.failures, {});
  });

  test("with the fault cseq-mismatch-in-response every flow fails, counted under response.cseq", async () => {
    const r = await runLoad({ profileFile: FAST, projectDir: PROJECT, testCase: "IMS-CALL-001", flows: 8, concurrency: 4, faults: ["cseq-mismatch-in-response"] });
    assert.deepEqual(r.result.failures, { "response.cseq": 8 });
    assert.ok(r.flows.every((x) => !x.ok && x.failure === "response.cseq"));
    assert.equal(seriesSums(r.result).failures, 8);
    // The relayed responses carry another CSeq: by RFC 3261 they answer no INVITE of the flow
    assert.equal(r.result.counts.invites200, 0);
  });

  test("two runs merge into their sum: counters, histogram counts and series", async () => {
    const one = await runLoad({ profileFile: FAST, projectDir: PROJECT, testCase: "IMS-CALL-001", flows: 5, concurrency: 2 });
    const two = await runLoad({ profileFile: FAST, projectDir: PROJECT, testCase: "IMS-CALL-001", flows: 7, concurrency: 3 });
    const merged = mergeLoadResults([one.result, two.result]);
    assert.equal(merged.counts.invites, 12);
    assert.equal(merged.counts.sessionsCompleted, 12);
    assert.equal(loadFigures(merged).delays.srd.count, 12);
    assert.equal(seriesSums(merged).invites, 12);
  });
});

describe("IMS-CALL-001 as load against Kamailio (its profile's pool: two subscribers of every role)", { skip: kamailioSkip() }, () => {
  test("10 flows, 2 at a time: every flow passes and is counted once; 3 at a time is refused before anything starts", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ims-interop-load-kamailio-"));
    Object.assign(process.env, KAMAILIO_PASSWORDS);
    try {
      const { file } = await kamailioProfileOnFreePorts(dir);
      const r = await runLoad({ profileFile: file, projectDir: PROJECT, testCase: "IMS-CALL-001", flows: 10, concurrency: 2 });
      assert.match(r.sut, /^process "sh" at 127\.0\.0\.1:\d+/);
      assert.deepEqual(
        r.flows.filter((f) => !f.ok).map((f) => `${f.index}: ${f.reason ?? ""}`),
        [],
      );
      assert.equal(r.result.counts.invites, 10);
      assert.equal(r.result.counts.sessionsCompleted, 10);
      assert.equal(r.result.counts.registrations, 20);
      await assert.rejects(
        runLoad({ profileFile: file, projectDir: PROJECT, testCase: "IMS-CALL-001", flows: 10, concurrency: 3 }),
        /--concurrency 3 against one process SUT needs 3 subscribers of every role/,
      );
    } finally {
      for (const k of Object.keys(KAMAILIO_PASSWORDS)) delete process.env[k];
      await rm(dir, { recursive: true, force: true });
    }
  });
});

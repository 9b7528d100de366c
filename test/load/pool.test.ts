// The UE pool of a load run (issue 17) for the slots one process runs (a shard: e.g. 1, 3, 5): its
// local slot k is global slot slots[k], of every role. From the profile's load.pool patterns (n =
// first + slot, credentials from the environment); without them, numbered copies for the embedded
// core, the listed subscribers for any other SUT.
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { describe, test } from "node:test";
import { LoadPoolError, poolFor } from "../../src/load/pool.ts";
import { ProfileError, loadProfile, poolOf, subscriberFor, validateProfileText } from "../../src/profile/index.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const FAST = resolve(ROOT, "test/fixtures/profiles/embedded-fast.yaml");
const FIXTURE = resolve(ROOT, "test/fixtures/profiles/load-pool.yaml");
const KAMAILIO = resolve(ROOT, "profiles/kamailio.yaml");

const K = "465b5ce8b199b49faa5f0a2ee238a6bc";
const OPC = "cd63cb71954a9f4e48a5994e37a02baf";
const PROFILE_ENV = { FIXTURE_UE_A_K: K, FIXTURE_UE_A_OPC: OPC, FIXTURE_UE_B_PASSWORD: "profile-pw" };
/** The pool's variables for n = 2, 4, 6 (slots 1, 3, 5 with first: 1). */
const POOL_ENV = {
  ...PROFILE_ENV,
  LOAD_OPC: OPC,
  LOAD_A_K_2: "00000000000000000000000000000002",
  LOAD_A_K_4: "00000000000000000000000000000004",
  LOAD_A_K_6: "00000000000000000000000000000006",
  LOAD_B_PASSWORD_2: "Secret-Two",
  LOAD_B_PASSWORD_4: "Secret-Four",
  LOAD_B_PASSWORD_6: "Secret-Six",
};
const KAMAILIO_ENV = { IMS_UE_A_PASSWORD: "a", IMS_UE_B_PASSWORD: "b", IMS_UE_C_PASSWORD: "c", IMS_UE_W_PASSWORD: "w", IMS_UE_V_PASSWORD: "v" };

describe("a pool from the profile's patterns", () => {
  test("a shard's slots 1, 3, 5 are its local slots 0, 1, 2, with n = first + slot and each one's credentials", async () => {
    const base = await loadProfile(FIXTURE, PROFILE_ENV);
    const pool = poolFor(base, [1, 3, 5], POOL_ENV);
    assert.equal(pool.ixit.subscribers.length, 6);
    assert.deepEqual(
      [0, 1, 2].map((k) => subscriberFor(pool, "UE-A", k)!.impi),
      ["load2a@ims.example.test", "load4a@ims.example.test", "load6a@ims.example.test"],
    );
    assert.deepEqual(subscriberFor(pool, "UE-A", 1)!.impus, ["sip:load4a@ims.example.test", "tel:+15551004"]);
    assert.equal(subscriberFor(pool, "UE-A", 2)!.displayName, "Load A 6");
    assert.equal(subscriberFor(pool, "UE-A", 3), undefined);
    const b = [0, 1, 2].map((k) => subscriberFor(pool, "UE-B", k)!);
    assert.deepEqual(
      b.map((s) => s.impi),
      ["load2b@ims.example.test", "load4b@ims.example.test", "load6b@ims.example.test"],
    );
    assert.deepEqual(
      b.map((s) => (s.auth.kind === "digest" ? [s.auth.password, s.auth.passwordEnv, s.auth.algorithm] : [])),
      [
        ["Secret-Two", "LOAD_B_PASSWORD_2", "SHA-256"],
        ["Secret-Four", "LOAD_B_PASSWORD_4", "SHA-256"],
        ["Secret-Six", "LOAD_B_PASSWORD_6", "SHA-256"],
      ],
    );
    const a = subscriberFor(pool, "UE-A", 2)!.auth;
    assert.ok(a.kind === "aka");
    assert.equal(a.k.toString("hex"), "00000000000000000000000000000006");
    assert.equal(a.opc.toString("hex"), OPC);
    assert.equal(a.sqn, 32n);
    // the rest of the profile is kept; the profile itself is not changed
    assert.deepEqual(pool.load, base.load);
    assert.equal(pool.ixit.domain, base.ixit.domain);
    assert.equal(base.ixit.subscribers[0].impi, "alice@ims.example.test");
  });

  test("slot 0 is n = first", async () => {
    const base = await loadProfile(FIXTURE, PROFILE_ENV);
    const pool = poolFor(base, [0], { ...POOL_ENV, LOAD_A_K_1: K, LOAD_B_PASSWORD_1: "one" });
    assert.deepEqual(
      pool.ixit.subscribers.map((s) => s.impi),
      ["load1a@ims.example.test", "load1b@ims.example.test"],
    );
  });

  test("the patterns win over numbered copies for the embedded target too", async () => {
    const base = await loadProfile(FIXTURE, PROFILE_ENV);
    const embedded = { ...base, target: { kind: "embedded" as const, faults: [], ueFaults: [] } };
    // the embedded target generates what is unset, as when its profile loads
    const pool = poolFor(embedded, [4], {});
    assert.deepEqual(
      pool.ixit.subscribers.map((s) => s.impi),
      ["load5a@ims.example.test", "load5b@ims.example.test"],
    );
  });

  test("a missing variable: a ProfileError naming it, its field and the profile, never a value", async () => {
    const base = await loadProfile(FIXTURE, PROFILE_ENV);
    const { LOAD_B_PASSWORD_4: _gone, ...env } = POOL_ENV;
    assert.throws(
      () => poolFor(base, [1, 3, 5], env),
      (e: unknown) => {
        assert.ok(e instanceof ProfileError);
        assert.deepEqual(
          e.problems.map((p) => [p.file, p.field, p.message]),
          [[FIXTURE, "load.pool.subscribers[1].auth.passwordEnv", "environment variable LOAD_B_PASSWORD_4 is not set (the load pool's slot 3)"]],
        );
        for (const value of [...Object.values(POOL_ENV)]) assert.ok(!e.message.includes(value), `a secret value in: ${e.message}`);
        return true;
      },
    );
  });
});

describe("without patterns", () => {
  test("the embedded core: numbered copies of each role, slot s numbered s + 1, no tel URI, the role's credentials", async () => {
    const base = await loadProfile(FAST);
    const pool = poolFor(base, [1, 3, 5]);
    const roles = [...new Set(base.ixit.subscribers.map((s) => s.role))];
    assert.equal(pool.ixit.subscribers.length, 3 * roles.length);
    assert.deepEqual(
      [0, 1, 2].map((k) => subscriberFor(pool, "UE-A", k)!.impi),
      ["alice.2@ims.example.test", "alice.4@ims.example.test", "alice.6@ims.example.test"],
    );
    assert.deepEqual(subscriberFor(pool, "UE-B", 2)!.impus, ["sip:bob.6@ims.example.test"]);
    assert.equal(subscriberFor(pool, "UE-C", 0)!.displayName, "Dave 2");
    assert.deepEqual(subscriberFor(pool, "UE-A", 1)!.auth, base.ixit.subscribers.find((s) => s.role === "UE-A")!.auth);
    // the same subscribers as the whole run's pool has at those slots
    const whole = poolFor(base, [0, 1, 2, 3, 4, 5]);
    for (const role of roles)
      assert.deepEqual(
        poolOf(pool, role),
        [1, 3, 5].map((s) => subscriberFor(whole, role, s)),
      );
  });

  test("the whole run's pool of 3 slots: numbered 1, 2, 3", async () => {
    const base = await loadProfile(FAST);
    assert.deepEqual(
      poolOf(poolFor(base, [0, 1, 2]), "UE-B").map((s) => s.impi),
      ["bob.1@ims.example.test", "bob.2@ims.example.test", "bob.3@ims.example.test"],
    );
  });

  test("another SUT: its listed subscribers at the slots' indices", async () => {
    const base = await loadProfile(KAMAILIO, KAMAILIO_ENV);
    const pool = poolFor(base, [1]);
    assert.deepEqual(
      pool.ixit.subscribers.map((s) => [s.role, s.impi]),
      [...new Set(base.ixit.subscribers.map((s) => s.role))].map((r) => [r, poolOf(base, r)[1].impi]),
    );
    assert.equal(subscriberFor(pool, "UE-A", 0)!.impi, "alice2@ims.example.test");
    assert.deepEqual(subscriberFor(pool, "UE-B", 0), poolOf(base, "UE-B")[1]);
    const roles = [...new Set(base.ixit.subscribers.map((s) => s.role))];
    assert.deepEqual(
      poolFor(base, [0, 1]).ixit.subscribers,
      [0, 1].flatMap((slot) => roles.map((r) => poolOf(base, r)[slot])),
    );
  });

  test("another SUT listing too few: an error naming how many are needed and how many it lists", async () => {
    const base = await loadProfile(KAMAILIO, KAMAILIO_ENV);
    const listed = [...new Set(base.ixit.subscribers.map((s) => s.role))].map((r) => `${poolOf(base, r).length} for ${r}`).join(", ");
    assert.throws(() => poolFor(base, [0, 2]), {
      name: "LoadPoolError",
      message: new RegExp(`needs 3 subscribers of every role, .* ${KAMAILIO.replaceAll(/[.*+?^${}()|[\]\\/]/g, "\\$&")} lists ${listed} \\(`),
    });
    assert.throws(() => poolFor(base, [2]), LoadPoolError);
  });

  test("slots are distinct whole numbers from 0", async () => {
    const base = await loadProfile(FAST);
    assert.throws(() => poolFor(base, [1, 1]), { name: "LoadPoolError", message: /found 1 in 1, 1/ });
    assert.throws(() => poolFor(base, [-1]), LoadPoolError);
    assert.throws(() => poolFor(base, [0.5]), LoadPoolError);
    assert.equal(poolFor(base, []).ixit.subscribers.length, 0);
  });
});

test("a profile read from text with a pool: the pooled profile keeps every other field", () => {
  const text = `name: T
vendor: V
product: P
version: "1"
target: { kind: remote }
ixit:
  domain: ims.test
  pcscf: { host: 192.0.2.1, port: 5060 }
  unregisteredImpu: sip:carol@ims.test
  unknownImpi: nobody@ims.test
  subscribers:
    - { role: UE-A, impi: a@ims.test, impus: [sip:a@ims.test], auth: { kind: digest, passwordEnv: PA } }
    - { role: UE-B, impi: b@ims.test, impus: [sip:b@ims.test], auth: { kind: digest, passwordEnv: PB } }
load:
  pool:
    first: 0
    subscribers:
      - { role: UE-A, impi: "a{n}@ims.test", impus: ["sip:a{n}@ims.test"], auth: { kind: digest, passwordEnv: SHARED } }
      - { role: UE-B, impi: "b{n}@ims.test", impus: ["sips:b{n}@ims.test"], auth: { kind: digest, passwordEnv: SHARED } }
`;
  const base = validateProfileText(text, "t.yaml", { PA: "a", PB: "b" });
  const pool = poolFor(base, [7], { SHARED: "shared" });
  assert.deepEqual(
    pool.ixit.subscribers.map((s) => [s.impi, s.impus[0], s.auth.kind === "digest" ? s.auth.password : ""]),
    [
      ["a7@ims.test", "sip:a7@ims.test", "shared"],
      ["b7@ims.test", "sips:b7@ims.test", "shared"],
    ],
  );
  assert.deepEqual({ ...pool, ixit: { ...pool.ixit, subscribers: [] } }, { ...base, ixit: { ...base.ixit, subscribers: [] } });
});

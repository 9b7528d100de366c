// The load section of a profile (issue 17): read and resolved (duration in ms, the pool's patterns,
// thresholds as written); every invalid field refused with the file, the line and the field; the
// pool's credentials read from the variables its patterns name, a missing one named, never a value.
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { describe, test } from "node:test";
import { ProfileError, loadProfile, parseDurationMs, poolOfSlots, validateProfileText } from "../../src/profile/index.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const FIXTURE = resolve(ROOT, "test/fixtures/profiles/load-pool.yaml");

// Distinctive secret values: no message may ever contain them.
const K = "deadbeefdeadbeefdeadbeefdeadbeef";
const OPC = "cafebabecafebabecafebabecafebabe";
const PASSWORD = "Sup3r-S3cret-never-print";
const ENV = { A_K: K, A_OPC: OPC, B_PASSWORD: PASSWORD };
const SECRETS = [K, OPC, PASSWORD, "0123456789abcdef0123456789abcdef", "Pool-Pa55word-7"];

// A valid remote profile with a load section; the line numbers below refer to this text.
const BASE = `name: Test SUT
vendor: Tester
product: core
version: "1.0"
target:
  kind: remote
ixit:
  domain: ims.test
  pcscf: { host: 192.0.2.1, port: 5060 }
  unregisteredImpu: sip:carol@ims.test
  unknownImpi: nobody@ims.test
  subscribers:
    - role: UE-A
      impi: alice@ims.test
      impus: [sip:alice@ims.test]
      auth: { kind: aka, kEnv: A_K, opcEnv: A_OPC }
    - role: UE-B
      impi: bob@ims.test
      impus: [sip:bob@ims.test]
      auth: { kind: digest, passwordEnv: B_PASSWORD }
load:
  ues: 20
  rate: 2.5
  duration: 2m
  flows: 100
  pool:
    first: 10
    subscribers:
      - role: UE-A
        impi: "u{n}a@ims.test"
        impus: ["sip:u{n}a@ims.test"]
        auth: { kind: aka, kEnv: "POOL_K_{n}", opcEnv: POOL_OPC }
      - role: UE-B
        impi: "u{n}b@ims.test"
        impus: ["sip:u{n}b@ims.test", "tel:+1555{n}"]
        auth: { kind: digest, passwordEnv: "POOL_PW_{n}" }
  thresholds:
    - "ser >= 99.9"
    - "srd.p95 <= 200ms"
`;

function edit(text: string, from: string, to: string): string {
  assert.ok(text.includes(from), `the base text holds ${JSON.stringify(from)}`);
  return text.replace(from, to);
}

/** The formatted problems of an invalid profile text (fails when the text is valid, or a message holds a secret). */
function problems(text: string, env: Record<string, string | undefined> = ENV): string[] {
  try {
    validateProfileText(text, "t.yaml", env);
  } catch (e) {
    assert.ok(e instanceof ProfileError, `a ProfileError, not ${String(e)}`);
    const out = e.format();
    for (const secret of SECRETS) assert.ok(!out.includes(secret) && !e.message.includes(secret), `a secret value appears in: ${out}`);
    return out.split("\n");
  }
  assert.fail("expected the profile to be rejected");
}

describe("a valid load section", () => {
  test("is read: numbers as given, the duration in ms, the pool's patterns and credentials by name, thresholds as written", () => {
    const p = validateProfileText(BASE, "t.yaml", ENV);
    const load = p.load;
    assert.ok(load);
    assert.equal(load.ues, 20);
    assert.equal(load.rate, 2.5);
    assert.equal(load.durationMs, 120_000);
    assert.equal(load.flows, 100);
    assert.deepEqual(load.thresholds, ["ser >= 99.9", "srd.p95 <= 200ms"]);
    assert.equal(load.pool?.first, 10);
    const [a, b] = load.pool?.subscribers ?? [];
    assert.deepEqual([a.role, a.impi, a.impus], ["UE-A", "u{n}a@ims.test", ["sip:u{n}a@ims.test"]]);
    assert.ok(a.auth.kind === "aka");
    assert.deepEqual([a.auth.kEnv, a.auth.opcEnv, a.auth.amf.toString("hex"), a.auth.sqn, a.auth.version], ["POOL_K_{n}", "POOL_OPC", "8000", 0n, 1]);
    assert.deepEqual(b.auth, { kind: "digest", passwordEnv: "POOL_PW_{n}", algorithm: "MD5" });
  });

  test("needs none of the pool's variables to load: they are read when a load run builds its pool", () => {
    assert.doesNotThrow(() => validateProfileText(BASE, "t.yaml", ENV));
  });

  test("every field is optional; thresholds default to none; no section, no load", () => {
    const bare = BASE.slice(0, BASE.indexOf("load:"));
    assert.equal(validateProfileText(bare, "t.yaml", ENV).load, undefined);
    const p = validateProfileText(`${bare}load: { ues: 4 }\n`, "t.yaml", ENV);
    assert.deepEqual(p.load, { ues: 4, thresholds: [] });
    const first = validateProfileText(edit(BASE, "    first: 10\n", ""), "t.yaml", ENV);
    assert.equal(first.load?.pool?.first, 1);
  });

  test("the shipped fixture reads, and a duration may be a number of seconds", async () => {
    const p = await loadProfile(FIXTURE, { FIXTURE_UE_A_K: K, FIXTURE_UE_A_OPC: OPC, FIXTURE_UE_B_PASSWORD: PASSWORD });
    assert.equal(p.load?.durationMs, 30_000);
    assert.equal(p.load?.ues, 200);
    assert.equal(p.load?.thresholds.length, 4);
    assert.equal(validateProfileText(edit(BASE, "duration: 2m", "duration: 1.5"), "t.yaml", ENV).load?.durationMs, 1500);
    assert.equal(validateProfileText(edit(BASE, "duration: 2m", "duration: 500ms"), "t.yaml", ENV).load?.durationMs, 500);
  });
});

test("parseDurationMs: a number of seconds, or a number with ms, s, m or h; null otherwise", () => {
  assert.deepEqual(
    ["500ms", "30s", "2m", "1h", "0.5s", 30, 0.25, "30", " 45s "].map((v) => parseDurationMs(v)),
    [500, 30_000, 120_000, 3_600_000, 500, 30_000, 250, 30_000, 45_000],
  );
  assert.deepEqual(
    ["0s", 0, -1, "", "30 s", "2 minutes", "1d", "ms", "0.0001s", "1e3", Number.NaN].map((v) => parseDurationMs(v)),
    [null, null, null, null, null, null, null, null, null, null, null],
  );
});

describe("an invalid load section: each problem names the file, the line and the field", () => {
  const cases: Array<[string, string, string, (string | RegExp)[]]> = [
    ["ues of 0", "  ues: 20", "  ues: 0", ["t.yaml:22: load.ues: expected a positive integer, at most 1000000: how many UEs the load pool holds in all (every role's); found 0"]],
    ["ues not whole", "  ues: 20", "  ues: 2.5", ["t.yaml:22: load.ues: expected a positive integer, at most 1000000: how many UEs the load pool holds in all (every role's); found 2.5"]],
    ["a rate of 0", "  rate: 2.5", "  rate: 0", ["t.yaml:23: load.rate: expected a number above 0, at most 100000: how many flows start per second; found 0"]],
    ["flows of -1", "  flows: 100", "  flows: -1", ["t.yaml:25: load.flows: expected a positive integer, at most 1000000000000: the most flows the run starts; found -1"]],
    [
      "a duration with an unknown unit",
      "  duration: 2m",
      "  duration: 2 minutes",
      [
        't.yaml:24: load.duration: expected a duration above 0 and at most a day: a number followed by ms, s, m or h ("500ms", "30s", "2m"), or a number of seconds: how long flows keep starting; found "2 minutes"',
      ],
    ],
    ["a duration of 0s", "  duration: 2m", "  duration: 0s", ['t.yaml:24: load.duration: expected a duration above 0 and at most a day (24h); found "0s"']],
    ["a duration over a day", "  duration: 2m", "  duration: 25h", ['t.yaml:24: load.duration: expected a duration above 0 and at most a day (24h); found "25h"']],
    [
      "a negative number of seconds",
      "  duration: 2m",
      "  duration: -3",
      [
        't.yaml:24: load.duration: expected a duration above 0 and at most a day: a number followed by ms, s, m or h ("500ms", "30s", "2m"), or a number of seconds: how long flows keep starting; found -3',
      ],
    ],
    ["an unknown field", "  flows: 100", "  flows: 100\n  flow: 3", ["t.yaml:26: load.flow: unknown field; expected one of ues, rate, duration, flows, pool, thresholds"]],
    ["a negative first", "    first: 10", "    first: -1", ["t.yaml:27: load.pool.first: expected an integer from 0 to 1000000000: the number {n} of slot 0 (slot s uses first + s); found -1"]],
    [
      "an impi without {n}",
      '        impi: "u{n}a@ims.test"',
      '        impi: "ua@ims.test"',
      ['t.yaml:30: load.pool.subscribers[0].impi: expected a private user identity pattern in NAI form user@realm whose user part holds {n}, e.g. load{n}a@ims.example.test; found "ua@ims.test"'],
    ],
    [
      "a default impu without {n}",
      '        impus: ["sip:u{n}a@ims.test"]',
      '        impus: ["sip:ua@ims.test"]',
      [
        't.yaml:31: load.pool.subscribers[0].impus[0]: expected a sip: or sips: URI holding {n}, e.g. sip:load{n}a@ims.example.test (the first IMPU is the default public identity); found "sip:ua@ims.test"',
      ],
    ],
    ["a tel alias without {n}", '"tel:+1555{n}"]', '"tel:+15550000"]', ['t.yaml:35: load.pool.subscribers[1].impus[1]: expected a sip:, sips: or tel: URI holding {n}; found "tel:+15550000"']],
    [
      "an empty list of impus",
      '        impus: ["sip:u{n}a@ims.test"]',
      "        impus: []",
      [
        "t.yaml:31: load.pool.subscribers[0].impus: expected a non-empty list of public user identity patterns (sip:, sips: or tel: URIs, each holding {n}), the default one first; found an empty list",
      ],
    ],
    [
      "a placeholder other than {n}",
      '        impi: "u{n}a@ims.test"',
      '        impi: "u{n}{m}a@ims.test"',
      ['t.yaml:30: load.pool.subscribers[0].impi: expected {n} as the only placeholder; found "u{n}{m}a@ims.test"'],
    ],
    [
      "a URI that does not parse once {n} is replaced",
      '        impus: ["sip:u{n}a@ims.test"]',
      '        impus: ["sip:u{n}a@"]',
      ['t.yaml:31: load.pool.subscribers[0].impus[0]: expected a URI once {n} is replaced; found "sip:u{n}a@", which gives "sip:u10a@" for n = 10 (invalid host "" in "sip:u10a@")'],
    ],
    [
      "a role twice",
      "      - role: UE-B",
      "      - role: UE-A",
      [
        "t.yaml:28: load.pool.subscribers: expected patterns for the roles UE-A and UE-B; found no UE-B (roles: UE-A)",
        't.yaml:33: load.pool.subscribers[1].role: expected each role once (one pattern per role); found "UE-A" again (first at load.pool.subscribers[0].role)',
      ],
    ],
    [
      "a role the profile does not have",
      "      - role: UE-B",
      "      - role: UE-Z",
      [
        "t.yaml:28: load.pool.subscribers: expected patterns for the roles UE-A and UE-B; found no UE-B (roles: UE-A, UE-Z)",
        't.yaml:33: load.pool.subscribers[1].role: expected a role of ixit.subscribers (UE-A, UE-B); found "UE-Z"',
      ],
    ],
    [
      "two roles with the same identities",
      '        impi: "u{n}b@ims.test"',
      '        impi: "u{n}a@ims.test"',
      ['t.yaml:34: load.pool.subscribers[1].impi: expected identities of their own for each role; found "u{n}a@ims.test", the same as load.pool.subscribers[0].impi'],
    ],
    [
      "a variable name starting with {n}",
      'passwordEnv: "POOL_PW_{n}"',
      'passwordEnv: "{n}_PW"',
      [
        "t.yaml:36: load.pool.subscribers[1].auth.passwordEnv: expected the name of the environment variable that holds the password; {n} in it stands for the pool subscriber's number (one password each), a name without {n} holds one password for all; found a string (not shown)",
      ],
    ],
    [
      "a literal password in the pool",
      'passwordEnv: "POOL_PW_{n}"',
      'password: "Pool-Pa55word-7"',
      [
        "t.yaml:36: load.pool.subscribers[1].auth.password: expected passwordEnv naming the environment variable that holds the password (e.g. passwordEnv: IMS_UE_B_PASSWORD); found a literal password (not shown: a profile never holds a secret)",
        "t.yaml:36: load.pool.subscribers[1].auth.passwordEnv: missing required field; expected the name of the environment variable that holds the password; {n} in it stands for the pool subscriber's number (one password each), a name without {n} holds one password for all",
      ],
    ],
    [
      "a key pasted as a variable name",
      'kEnv: "POOL_K_{n}"',
      "kEnv: 0123456789abcdef0123456789abcdef",
      [
        "t.yaml:32: load.pool.subscribers[0].auth.kEnv: expected the name of the environment variable that holds the K; {n} in it stands for the pool subscriber's number (one K each), a name without {n} holds one K for all; found what looks like a key (not shown: a profile never holds a secret)",
      ],
    ],
    [
      "a threshold on an unknown metric",
      '    - "ser >= 99.9"',
      '    - "sr >= 99.9"',
      [/^t\.yaml:38: load\.thresholds\[0\]: expected a threshold <metric> <operator> <number>; found "sr >= 99\.9": unknown metric "sr"; expected one of ira, ser/],
    ],
    [
      "a threshold with a unit of another kind",
      '    - "srd.p95 <= 200ms"',
      '    - "srd.p95 <= 200%"',
      ['t.yaml:39: load.thresholds[1]: expected a threshold <metric> <operator> <number>; found "srd.p95 <= 200%": srd.p95 is in milliseconds (ms); found the unit %'],
    ],
    [
      "a threshold with = for ==",
      '    - "ser >= 99.9"',
      '    - "failed = 0"',
      ['t.yaml:38: load.thresholds[0]: expected a threshold <metric> <operator> <number>; found "failed = 0": unknown operator "="; expected one of < <= > >= == != (equality is ==)'],
    ],
  ];
  for (const [what, from, to, expected] of cases) {
    test(what, () => {
      const got = problems(edit(BASE, from, to));
      assert.equal(got.length, expected.length, got.join("\n"));
      expected.forEach((e, i) => (typeof e === "string" ? assert.equal(got[i], e) : assert.match(got[i], e)));
    });
  }

  test("a load section in a terminal profile", () => {
    const terminal = edit(edit(BASE, "    - role: UE-A\n      impi: alice", "    - role: UE-SUT\n      impi: alice"), "load:\n", "terminal: {}\nload:\n")
      .replace("      - role: UE-A", "      - role: UE-SUT")
      .replace("target:\n  kind: remote", "target:\n  kind: embedded");
    assert.deepEqual(problems(terminal), ["t.yaml:22: load: expected no load section in a terminal profile: a load run tests a network (ims-interop load), not a UE under test"]);
  });
});

describe("the pool's credentials, read when a load run builds its pool", () => {
  const POOL_ENV = { ...ENV, POOL_OPC: OPC, POOL_K_10: "0123456789abcdef0123456789abcdef", POOL_K_12: K.toUpperCase(), POOL_PW_10: "Pool-Pa55word-7", POOL_PW_12: "pw12" };

  test("patterned: each subscriber's own variable, {n} = first + slot; shared: one for all", () => {
    const p = validateProfileText(BASE, "t.yaml", ENV);
    const subs = poolOfSlots(p, [0, 2], POOL_ENV);
    assert.deepEqual(
      subs.map((s) => [s.role, s.impi, ...s.impus]),
      [
        ["UE-A", "u10a@ims.test", "sip:u10a@ims.test"],
        ["UE-B", "u10b@ims.test", "sip:u10b@ims.test", "tel:+155510"],
        ["UE-A", "u12a@ims.test", "sip:u12a@ims.test"],
        ["UE-B", "u12b@ims.test", "sip:u12b@ims.test", "tel:+155512"],
      ],
    );
    const [a10, b10, a12, b12] = subs.map((s) => s.auth);
    assert.ok(a10.kind === "aka" && a12.kind === "aka" && b10.kind === "digest" && b12.kind === "digest");
    assert.equal(a10.k.toString("hex"), "0123456789abcdef0123456789abcdef");
    assert.equal(a12.k.toString("hex"), K);
    assert.equal(a10.opc.toString("hex"), OPC);
    assert.equal(a12.opc.toString("hex"), OPC);
    assert.deepEqual([a10.kEnv, a10.opcEnv, a12.kEnv], ["POOL_K_10", "POOL_OPC", "POOL_K_12"]);
    assert.deepEqual([b10.password, b10.passwordEnv, b12.password, b12.passwordEnv], ["Pool-Pa55word-7", "POOL_PW_10", "pw12", "POOL_PW_12"]);
  });

  /** The ProfileError of poolOfSlots, checked to hold no secret value. */
  function poolProblems(slots: number[], env: Record<string, string | undefined>): ProfileError {
    const p = validateProfileText(BASE, "t.yaml", ENV);
    try {
      poolOfSlots(p, slots, env);
    } catch (e) {
      assert.ok(e instanceof ProfileError, String(e));
      for (const secret of SECRETS) assert.ok(!e.message.includes(secret), `a secret value appears in: ${e.message}`);
      return e;
    }
    assert.fail("expected the pool to be refused");
  }

  test("a missing variable is named, with its field and the profile, and no value", () => {
    const e = poolProblems([0, 2], { ...POOL_ENV, POOL_K_12: undefined });
    assert.deepEqual(
      e.problems.map((p) => [p.file, p.field, p.message]),
      [["t.yaml", "load.pool.subscribers[0].auth.kEnv", "environment variable POOL_K_12 is not set (the load pool's slot 2)"]],
    );
    assert.match(e.message, /^invalid profile t\.yaml/);
  });

  test("several missing, an empty shared one, a malformed key: one problem per field and reason", () => {
    const e = poolProblems([0, 1, 2, 3, 4], { ...POOL_ENV, POOL_OPC: "", POOL_K_12: "not-a-key" });
    assert.deepEqual(
      e.problems.map((p) => `${p.field}: ${p.message}`).sort(),
      [
        "load.pool.subscribers[0].auth.opcEnv: environment variable POOL_OPC is empty (the load pool's 5 slots, 0 to 4)",
        "load.pool.subscribers[1].auth.passwordEnv: environment variables POOL_PW_11, POOL_PW_13, POOL_PW_14 are not set (the load pool's 3 slots, 1 to 4)",
        "load.pool.subscribers[0].auth.kEnv: environment variables POOL_K_11, POOL_K_13, POOL_K_14 are not set (the load pool's 3 slots, 1 to 4)",
        "load.pool.subscribers[0].auth.kEnv: environment variable POOL_K_12: expected 32 hexadecimal digits (the 128-bit K); found 9 characters (the load pool's slot 2)",
      ].sort(),
    );
  });

  test("for the embedded target an unset variable gets a generated value, the same for every subscriber naming it", () => {
    const p = validateProfileText(edit(BASE, "  kind: remote", "  kind: embedded"), "t.yaml", ENV);
    const subs = poolOfSlots(p, [0, 1], {});
    const [a0, , a1] = subs.map((s) => s.auth);
    assert.ok(a0.kind === "aka" && a1.kind === "aka");
    assert.match(a0.k.toString("hex"), /^[0-9a-f]{32}$/);
    assert.notEqual(a0.k.toString("hex"), a1.k.toString("hex"));
    assert.equal(a0.opc.toString("hex"), a1.opc.toString("hex"));
  });
});

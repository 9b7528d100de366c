// Issue 10, gap 4: a profile's size, its strings and its lists are limited (src/profile/limits.ts);
// an oversize value is refused with file:line: field, showing its length and a short start only.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { ProfileError, loadProfile, validateProfileText } from "../../src/profile/index.ts";
import { PROFILE_LIMITS } from "../../src/profile/limits.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const ENV = { A_K: "deadbeefdeadbeefdeadbeefdeadbeef", A_OPC: "cafebabecafebabecafebabecafebabe", B_PASSWORD: "Sup3r-S3cret-never-print" };
const MB5 = 5 * 1024 * 1024;

// A valid remote profile; line 1 is the name, line 6 the target's fields, line 14 the subscribers.
const BASE = `name: Test SUT
vendor: Tester
product: core
version: "1.0"
target:
  kind: remote
ixit:
  domain: ims.test
  pcscf: { host: 192.0.2.1, port: 5060 }
  transports: [udp, tcp]
  timers: { t1: 500, t2: 4000, t4: 5000 }
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
knownDeviations: {}
`;

function edit(text: string, from: string, to: string): string {
  assert.ok(text.includes(from), `the base text holds ${JSON.stringify(from)}`);
  return text.replace(from, to);
}

/** The base profile with a process target whose fields are `fields` (YAML lines under target:). */
function processTarget(...fields: string[]): string {
  return edit(BASE, "  kind: remote\n", ["  kind: process", "  command: ./sut", ...fields.map((f) => `  ${f}`)].join("\n") + "\n");
}

/** The problems of an invalid profile text, one formatted line each. */
function problems(text: string): string[] {
  try {
    validateProfileText(text, "t.yaml", ENV);
  } catch (e) {
    assert.ok(e instanceof ProfileError, `a ProfileError, not ${String(e)}`);
    return e.format().split("\n");
  }
  assert.fail("expected the profile to be rejected");
}

async function loadProblems(file: string): Promise<ProfileError> {
  try {
    await loadProfile(file, ENV);
  } catch (e) {
    assert.ok(e instanceof ProfileError, `a ProfileError, not ${String(e)}`);
    return e;
  }
  assert.fail("expected the profile to be rejected");
}

/** `n` subscribers of the role UE-A (a pool) and one UE-B, each with its own identities. */
function subscribers(n: number): string {
  const items = Array.from(
    { length: n },
    (_, i) => `    - { role: ${i === n - 1 ? "UE-B" : "UE-A"}, impi: u${i}@ims.test, impus: [sip:u${i}@ims.test], auth: { kind: digest, passwordEnv: B_PASSWORD } }`,
  );
  return BASE.replace(/ {2}subscribers:\n[\s\S]*?(?=knownDeviations)/, `  subscribers:\n${items.join("\n")}\n`);
}

describe("string fields", () => {
  test("a 5 MB field is refused with file:line: field, its length and a short start, fast", () => {
    const started = performance.now();
    const out = problems(edit(BASE, "name: Test SUT", `name: ${"x".repeat(MB5)}`));
    const ms = performance.now() - started;
    assert.deepEqual(out, [`t.yaml:1: name: expected at most 1024 characters; found a string of ${MB5} characters starting "xxxxxxxxxxxxxxxxxxxx"...`]);
    assert.ok(ms < 3000, `refused in ${ms.toFixed(0)} ms`);
  });

  test("5 MB anywhere: a URI, a reason, an env value, an argument, a key, a number, a hidden variable name", () => {
    const big = "y".repeat(MB5);
    const cases: Array<[string, RegExp]> = [
      [
        edit(BASE, "unregisteredImpu: sip:carol@ims.test", `unregisteredImpu: sip:${big}@ims.test`),
        /^t\.yaml:12: ixit\.unregisteredImpu: expected at most 1024 characters; found a string of 5242893 characters starting "sip:yyyyyyyyyyyyyyyy"\.\.\.$/,
      ],
      [
        edit(BASE, "knownDeviations: {}", `knownDeviations:\n  IMS-REG-001: "${big}"`),
        /^t\.yaml:24: knownDeviations\.IMS-REG-001: expected at most 4096 characters; found a string of 5242880 characters/,
      ],
      [processTarget(`env: { LOG: ${big} }`), /^t\.yaml:8: target\.env\.LOG: expected at most 4096 characters; found a string of 5242880 characters/],
      [processTarget(`args: [--config, ${big}]`), /^t\.yaml:8: target\.args\[1\]: expected at most 4096 characters; found a string of 5242880 characters/],
      [
        processTarget(`env: { ${big}: x }`),
        /^t\.yaml:8: target\.env\.yyyyyyyyyyyyyyyyyyyy\.\.\.: expected a key of at most 1024 characters; found a string of 5242880 characters starting "y{20}"\.\.\.$/,
      ],
      [edit(BASE, "t1: 500", `t1: ${"9".repeat(MB5)}`), /^t\.yaml:11: ixit\.timers\.t1: expected a positive integer of milliseconds: T1, the round-trip estimate \(at most t2\); found 9{57}\.\.\.$/],
      [
        edit(BASE, "passwordEnv: B_PASSWORD", `passwordEnv: ${big}`),
        /^t\.yaml:22: ixit\.subscribers\[1\]\.auth\.passwordEnv: expected at most 1024 characters; found a string of 5242880 characters \(not shown\)$/,
      ],
    ];
    for (const [text, expected] of cases) {
      const out = problems(text);
      assert.equal(out.length, 1, out.join("\n").slice(0, 2000));
      assert.match(out[0], expected);
      assert.ok(out[0].length < 300, `a short line: ${out[0].slice(0, 300)}`);
    }
  });

  test("at the limit is accepted, one character more is not", () => {
    const name = (n: number): string => edit(BASE, "name: Test SUT", `name: ${"n".repeat(n)}`);
    assert.equal(validateProfileText(name(PROFILE_LIMITS.textChars), "t.yaml", ENV).name.length, 1024);
    assert.match(problems(name(PROFILE_LIMITS.textChars + 1))[0], /name: .* at most 1024 characters; found a string of 1025 characters/);
    const reason = (n: number): string => edit(BASE, "knownDeviations: {}", `knownDeviations: { IMS-REG-001: ${"r".repeat(n)} }`);
    assert.equal(validateProfileText(reason(PROFILE_LIMITS.reasonChars), "t.yaml", ENV).knownDeviations["IMS-REG-001"]?.length, 4096);
    assert.match(problems(reason(PROFILE_LIMITS.reasonChars + 1))[0], /at most 4096 characters; found a string of 4097/);
    const arg = "a".repeat(PROFILE_LIMITS.systemTextChars);
    const p = validateProfileText(processTarget(`args: [${arg}]`, `env: { CONFIG: ${arg} }`), "t.yaml", ENV);
    assert.ok(p.target.kind === "process" && p.target.args[0] === arg && p.target.env["CONFIG"] === arg);
  });
});

describe("lists", () => {
  test("1001 subscribers are refused at the list's line, 1000 are accepted", () => {
    assert.equal(validateProfileText(subscribers(PROFILE_LIMITS.subscribers), "t.yaml", ENV).ixit.subscribers.length, 1000);
    assert.deepEqual(problems(subscribers(PROFILE_LIMITS.subscribers + 1)), ["t.yaml:15: ixit.subscribers: expected at most 1000 items; found 1001"]);
  });

  test("args, env entries, transports, impus, faults and knownDeviations are limited; the items of a long list are not read", () => {
    const many = (n: number, f: (i: number) => string): string => Array.from({ length: n }, (_, i) => f(i)).join(", ");
    const cases: Array<[string, string]> = [
      [processTarget(`args: [${many(257, () => "x")}]`), "t.yaml:8: target.args: expected at most 256 items; found 257"],
      [processTarget(`env: { ${many(257, (i) => `V${i}: x`)} }`), "t.yaml:8: target.env: expected at most 256 entries; found 257"],
      [edit(BASE, "transports: [udp, tcp]", `transports: [${many(17, () => "sctp")}]`), "t.yaml:10: ixit.transports: expected at most 16 items; found 17"],
      [edit(BASE, "impus: [sip:bob@ims.test]", `impus: [${many(101, (i) => `sip:b${i}@ims.test`)}]`), "t.yaml:21: ixit.subscribers[1].impus: expected at most 100 items; found 101"],
      [
        edit(edit(BASE, "  kind: remote\n", "  kind: embedded\n"), "  pcscf: { host: 192.0.2.1, port: 5060 }\n", "").replace(
          "  kind: embedded\n",
          `  kind: embedded\n  faults: [${many(65, () => "nonsense")}]\n`,
        ),
        "t.yaml:7: target.faults: expected at most 64 items; found 65",
      ],
      [edit(BASE, "knownDeviations: {}", `knownDeviations: { ${many(1001, (i) => `IMS-X-${i}: r`)} }`), "t.yaml:23: knownDeviations: expected at most 1000 entries; found 1001"],
    ];
    for (const [text, expected] of cases) assert.deepEqual(problems(text), [expected]);
  });
});

describe("the file", () => {
  let dir = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "ims-interop-limits-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("a 2 MiB file is refused before it is parsed, naming the file, its size and the limit", async () => {
    const file = join(dir, "big.yaml");
    // Not YAML at all: were it parsed, the problem would be a syntax error
    await writeFile(file, "{".repeat(2 * 1024 * 1024));
    const started = performance.now();
    const e = await loadProblems(file);
    assert.ok(performance.now() - started < 2000);
    assert.equal(e.format(), `${file}: (profile): expected a profile of at most 1048576 bytes (1.0 MiB); found 2097152 bytes (2.0 MiB)`);
  });

  test("a file of exactly 1 MiB is read; an oversize field in it is reported with file:line: field", async () => {
    const file = join(dir, "field.yaml");
    const text = edit(BASE, "name: Test SUT", `name: ${"z".repeat(1993)}`);
    // A comment fills the file up to the limit
    const padded = `${text}# ${"p".repeat(PROFILE_LIMITS.fileBytes - Buffer.byteLength(text) - 3)}\n`;
    await writeFile(file, padded);
    assert.equal(Buffer.byteLength(padded), PROFILE_LIMITS.fileBytes);
    const e = await loadProblems(file);
    assert.deepEqual(e.format().split("\n"), [`${file}:1: name: expected at most 1024 characters; found a string of 1993 characters starting "zzzzzzzzzzzzzzzzzzzz"...`]);
  });

  test("a device that never ends is not read whole", { skip: process.platform !== "linux" }, async () => {
    const e = await loadProblems("/dev/zero");
    assert.equal(e.format(), "/dev/zero: (profile): expected a profile of at most 1048576 bytes (1.0 MiB); found more than 1048576 bytes (1.0 MiB)");
  });
});

test("a thousand problems: the first 100 are shown, then one line counting the rest", () => {
  const text = edit(BASE, "knownDeviations: {}", `knownDeviations:\n${Array.from({ length: 1000 }, (_, i) => `  bad-${i}: r`).join("\n")}`);
  try {
    validateProfileText(text, "t.yaml", ENV);
    assert.fail("expected the profile to be rejected");
  } catch (e) {
    assert.ok(e instanceof ProfileError);
    assert.equal(e.problems.length, 1000);
    const lines = e.format().split("\n");
    assert.equal(lines.length, 101);
    assert.equal(lines[100], "t.yaml: ... and 900 more problems (the first 100 are shown)");
    assert.equal(e.message.split("\n").length, 102);
  }
});

test("every shipped profile is within the limits and valid", async () => {
  const files = readdirSync(resolve(ROOT, "profiles")).filter((f) => f.endsWith(".yaml"));
  assert.ok(files.length >= 4);
  for (const f of files) {
    const text = readFileSync(resolve(ROOT, "profiles", f), "utf8");
    const env = Object.fromEntries([...text.matchAll(/(?:passwordEnv|kEnv|opcEnv): (\w+)/g)].map((m) => [m[1], "0123456789abcdef0123456789abcdef"]));
    const p = await loadProfile(resolve(ROOT, "profiles", f), env);
    assert.ok(p.ixit.subscribers.length >= 2, f);
  }
});

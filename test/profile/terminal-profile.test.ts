// Terminal profiles (the SUT is a UE; the harness plays the network): the shipped ones load with their
// upper tester and address as written, the embedded self-test UE's faults are kept apart from the
// reference core's, and each mistake a terminal section can hold is one problem with its file, line
// and field. --parallel is refused for a terminal.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { type Profile, ProfileError, loadProfile, parallelProblem } from "../../src/profile/index.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const SUT_PASSWORD = "ue-sut-Secret-never-print";
const B_PASSWORD = "ue-b-Secret-never-print";
const ENV = { IMS_UE_SUT_PASSWORD: SUT_PASSWORD, IMS_UE_B_PASSWORD: B_PASSWORD };

// A valid terminal profile with a process target and a tcp upper tester; the tests below edit it.
const BASE = `name: A softphone
vendor: Tester
product: ue
version: "1.0"
target:
  kind: process
  command: sh
  args: [run-ue.sh, "\${port}"]
terminal:
  address: { host: 127.0.0.1, port: 25092 }
  upperTester:
    kind: tcp
    host: 127.0.0.1
    port: 4444
    framing: netstring
    actions:
      register: auto
      call: '{"command":"dial","params":"\${target}"}'
      hangup: '{"command":"hangup"}'
ixit:
  domain: ims.test
  pcscf: { host: 127.0.0.1, port: 25090 }
  transports: [udp]
  unregisteredImpu: sip:nobody@ims.test
  unknownImpi: nobody@ims.test
  subscribers:
    - role: UE-SUT
      impi: ue@ims.test
      impus: [sip:ue@ims.test]
      auth: { kind: digest, passwordEnv: IMS_UE_SUT_PASSWORD }
    - role: UE-B
      impi: bob@ims.test
      impus: [sip:bob@ims.test]
      auth: { kind: digest, passwordEnv: IMS_UE_B_PASSWORD }
pics: { digest: true }
`;

// A valid network profile (the SUT is the core): roles UE-A and UE-B, no terminal section.
const NETWORK = `name: Core
vendor: Tester
product: core
version: "1.0"
target:
  kind: embedded
  faults: [no-service-route]
ixit:
  domain: ims.test
  unregisteredImpu: sip:carol@ims.test
  unknownImpi: nobody@ims.test
  subscribers:
    - role: UE-A
      impi: alice@ims.test
      impus: [sip:alice@ims.test]
      auth: { kind: digest, passwordEnv: A_PASSWORD }
    - role: UE-B
      impi: bob@ims.test
      impus: [sip:bob@ims.test]
      auth: { kind: digest, passwordEnv: B_PASSWORD }
pics: { digest: true }
`;

function edit(text: string, from: string, to: string): string {
  assert.ok(text.includes(from), `the text holds ${JSON.stringify(from)}`);
  return text.replace(from, to);
}

/** The 1-based line of the only line of `text` that contains `needle`. */
function lineOf(text: string, needle: string): number {
  const lines = text.split("\n");
  const found = lines.flatMap((l, i) => (l.includes(needle) ? [i + 1] : []));
  assert.equal(found.length, 1, `exactly one line holds ${JSON.stringify(needle)}; found ${found.length}`);
  return found[0];
}

let dir = "";
let count = 0;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "terminal-profile-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes the text to a new file in the temporary folder; returns its path. */
async function write(text: string): Promise<string> {
  const file = join(dir, `p${++count}.yaml`);
  await writeFile(file, text);
  return file;
}

async function load(text: string, env: Record<string, string | undefined> = ENV): Promise<Profile> {
  return loadProfile(await write(text), env);
}

/** The formatted problems of an invalid profile text, and the file it was written to. */
async function problems(text: string, env: Record<string, string | undefined> = ENV): Promise<{ file: string; lines: string[] }> {
  const file = await write(text);
  try {
    await loadProfile(file, env);
  } catch (e) {
    assert.ok(e instanceof ProfileError, `a ProfileError, not ${String(e)}`);
    const out = e.format();
    for (const secret of [SUT_PASSWORD, B_PASSWORD]) assert.ok(!out.includes(secret), `a secret appears in: ${out}`);
    assert.equal(out.split("\n").length, e.problems.length);
    return { file, lines: out.split("\n") };
  }
  assert.fail(`expected the profile to be rejected:\n${text}`);
}

describe("shipped terminal profiles", () => {
  test("self-test-ue.yaml loads with no environment variable set: an embedded UE, no upper tester, no faults", async () => {
    const p = await loadProfile(resolve(ROOT, "profiles/self-test-ue.yaml"), {});
    assert.deepEqual(p.target, { kind: "embedded", faults: [], ueFaults: [] });
    assert.deepEqual(p.terminal, {});
    assert.deepEqual(
      p.ixit.subscribers.map((s) => s.role),
      ["UE-SUT", "UE-B"],
    );
    assert.equal(parallelProblem(p, 1), undefined);
  });

  test("baresip.yaml loads with its passwords: a process target, stdin upper tester, its address", async () => {
    const p = await loadProfile(resolve(ROOT, "profiles/baresip.yaml"), ENV);
    assert.equal(p.target.kind, "process");
    assert.deepEqual(p.terminal, {
      address: { host: "127.0.0.1", port: 25092 },
      upperTester: {
        kind: "stdin",
        framing: "line",
        operatorTimeoutMs: 60_000,
        actions: { register: "auto", deregister: "/uadel sip:ue@ims.example.test", call: "/dial ${target}", answer: "/accept", hangup: "/hangup" },
      },
    });
    assert.equal(p.terminal?.upperTester?.actions.message, undefined);
    const sut = p.ixit.subscribers.find((s) => s.role === "UE-SUT");
    assert.ok(sut?.auth.kind === "digest");
    assert.equal(sut.auth.password, SUT_PASSWORD);
  });

  test("linphone.yaml loads with its passwords: a process target, stdin upper tester, its address", async () => {
    const p = await loadProfile(resolve(ROOT, "profiles/linphone.yaml"), ENV);
    assert.equal(p.target.kind, "process");
    assert.deepEqual(p.terminal, {
      address: { host: "127.0.0.1", port: 25096 },
      upperTester: {
        kind: "stdin",
        framing: "line",
        operatorTimeoutMs: 60_000,
        actions: { register: "register", deregister: "unregister", call: "call ${target}", answer: "answer", hangup: "terminate", message: "chat ${target} ${text}" },
      },
    });
  });

  test("baresip.yaml and linphone.yaml without their passwords name each unset variable", async () => {
    for (const name of ["baresip", "linphone"]) {
      const file = resolve(ROOT, `profiles/${name}.yaml`);
      await assert.rejects(loadProfile(file, {}), (e: unknown) => {
        assert.ok(e instanceof ProfileError);
        const out = e.format();
        assert.match(out, /IMS_UE_SUT_PASSWORD is not set/);
        assert.match(out, /IMS_UE_B_PASSWORD is not set/);
        return true;
      });
    }
  });

  test("the self-test UE's faults go to ueFaults, none to the reference core's faults", async () => {
    const shipped = await readFile(resolve(ROOT, "profiles/self-test-ue.yaml"), "utf8");
    const text = edit(shipped, "  faults: []", "  faults: [no-refresh, ignore-service-route]");
    const p = await load(text, {});
    assert.deepEqual(p.target, { kind: "embedded", faults: [], ueFaults: ["no-refresh", "ignore-service-route"] });
  });
});

describe("the terminal section as written", () => {
  test("the base profile: tcp upper tester with host, port, framing and its actions; defaults filled in", async () => {
    const p = await load(BASE);
    assert.deepEqual(p.terminal, {
      address: { host: "127.0.0.1", port: 25092 },
      upperTester: {
        kind: "tcp",
        host: "127.0.0.1",
        port: 4444,
        framing: "netstring",
        operatorTimeoutMs: 60_000,
        actions: { register: "auto", call: '{"command":"dial","params":"${target}"}', hangup: '{"command":"hangup"}' },
      },
    });
  });

  test("http and manual upper testers keep url and operatorTimeoutMs", async () => {
    const http = await load(edit(BASE, "    kind: tcp\n    host: 127.0.0.1\n    port: 4444\n    framing: netstring\n", "    kind: http\n    url: http://127.0.0.1:8080/ue\n"));
    assert.equal(http.terminal?.upperTester?.kind, "http");
    assert.equal(http.terminal?.upperTester?.url, "http://127.0.0.1:8080/ue");
    const manual = await load(edit(BASE, "    kind: tcp\n    host: 127.0.0.1\n    port: 4444\n    framing: netstring\n", "    kind: manual\n    operatorTimeoutMs: 30000\n"));
    assert.equal(manual.terminal?.upperTester?.kind, "manual");
    assert.equal(manual.terminal?.upperTester?.operatorTimeoutMs, 30_000);
  });
});

describe("problems of a terminal profile, each with file:line: field: message", () => {
  test("a terminal profile without the role UE-SUT", async () => {
    const text = edit(BASE, "role: UE-SUT", "role: UE-A");
    const { file, lines } = await problems(text);
    assert.deepEqual(lines, [
      `${file}:${lineOf(text, "subscribers:")}: ixit.subscribers: expected subscribers with the roles UE-SUT and UE-B (a terminal profile: UE-SUT is the UE under test); found no UE-SUT (roles: UE-A, UE-B)`,
    ]);
  });

  test("a process terminal target without terminal.upperTester", async () => {
    const text = BASE.replace(/ {2}upperTester:\n(?: {4}.*\n)+/, "");
    assert.ok(!text.includes("upperTester") && !text.includes("actions"));
    const { file, lines } = await problems(text);
    assert.deepEqual(lines, [
      `${file}:${lineOf(text, "terminal:")}: terminal: expected terminal.upperTester (how the harness makes the UE act) for a process target; only the embedded self-test UE needs none`,
    ]);
  });

  test("a process terminal target without terminal.address", async () => {
    const text = edit(BASE, "  address: { host: 127.0.0.1, port: 25092 }\n", "");
    const { file, lines } = await problems(text);
    assert.equal(lines.length, 1, lines.join("\n"));
    assert.match(lines[0], new RegExp(`^${escape(file)}:${lineOf(text, "terminal:")}: terminal: expected terminal\\.address \\(.*\\) for a process target$`));
  });

  test("a container terminal target without terminal.address", async () => {
    const text = edit(edit(BASE, '  kind: process\n  command: sh\n  args: [run-ue.sh, "${port}"]\n', "  kind: container\n  image: ue:1\n"), "  address: { host: 127.0.0.1, port: 25092 }\n", "");
    const { file, lines } = await problems(text);
    assert.equal(lines.length, 1, lines.join("\n"));
    assert.match(lines[0], new RegExp(`^${escape(file)}:${lineOf(text, "terminal:")}: terminal: expected terminal\\.address .* for a container target$`));
  });

  test("an upper tester of kind tcp without host and port", async () => {
    const text = edit(BASE, "    host: 127.0.0.1\n    port: 4444\n", "");
    const { file, lines } = await problems(text);
    const line = lineOf(text, "upperTester:");
    assert.deepEqual(lines, [
      `${file}:${line}: terminal.upperTester: expected host for an upper tester of kind tcp`,
      `${file}:${line}: terminal.upperTester: expected port for an upper tester of kind tcp`,
    ]);
  });

  test("an upper tester of kind tcp without port alone", async () => {
    const text = edit(BASE, "    port: 4444\n", "");
    const { file, lines } = await problems(text);
    assert.deepEqual(lines, [`${file}:${lineOf(text, "upperTester:")}: terminal.upperTester: expected port for an upper tester of kind tcp`]);
  });

  test("an upper tester of kind http without url", async () => {
    const text = edit(BASE, "    kind: tcp\n    host: 127.0.0.1\n    port: 4444\n    framing: netstring\n", "    kind: http\n");
    const { file, lines } = await problems(text);
    assert.deepEqual(lines, [`${file}:${lineOf(text, "upperTester:")}: terminal.upperTester: expected url for an upper tester of kind http`]);
  });

  test("an upper tester of kind stdin with a container target", async () => {
    const text = edit(
      edit(BASE, '  kind: process\n  command: sh\n  args: [run-ue.sh, "${port}"]\n', "  kind: container\n  image: ue:1\n"),
      "    kind: tcp\n    host: 127.0.0.1\n    port: 4444\n    framing: netstring\n",
      "    kind: stdin\n",
    );
    const { file, lines } = await problems(text);
    assert.deepEqual(lines, [`${file}:${lineOf(text, "kind: stdin")}: terminal.upperTester.kind: expected a process target for an upper tester of kind stdin; found target kind container`]);
  });

  test("a core fault in a terminal profile's target.faults", async () => {
    const text = edit(BASE, '  kind: process\n  command: sh\n  args: [run-ue.sh, "${port}"]\n', "  kind: embedded\n  faults: [no-refresh, no-service-route]\n");
    const { file, lines } = await problems(text);
    assert.deepEqual(lines, [
      `${file}:${lineOf(text, "faults:")}: target.faults: expected faults of the self-test UE (ignore-service-route, no-initial-authorization, no-refresh, use-deregistered-registration, no-ack-handling, unreliable-provisional) in a terminal profile; found no-service-route`,
    ]);
  });

  test("a UE fault in a network profile's target.faults", async () => {
    const text = edit(NETWORK, "faults: [no-service-route]", "faults: [no-service-route, no-refresh]");
    const { file, lines } = await problems(text, {});
    assert.deepEqual(lines, [`${file}:${lineOf(text, "faults:")}: target.faults: expected faults of the reference core; found no-refresh, which only the self-test UE of a terminal profile commits`]);
    // and the network profile without it loads, its faults all the core's
    const p = await load(NETWORK, {});
    assert.deepEqual(p.target, { kind: "embedded", faults: ["no-service-route"], ueFaults: [] });
    assert.equal(p.terminal, undefined);
  });

  test("an unknown action name under actions", async () => {
    const text = edit(BASE, "      register: auto\n", "      register: auto\n      transfer: /transfer ${target}\n");
    const { file, lines } = await problems(text);
    assert.deepEqual(lines, [`${file}:${lineOf(text, "transfer:")}: terminal.upperTester.actions.transfer: unknown field; expected one of register, deregister, call, answer, hangup, message`]);
  });

  test("an unknown upper tester kind", async () => {
    const text = edit(BASE, "    kind: tcp\n", "    kind: adb\n");
    const { file, lines } = await problems(text);
    assert.equal(lines.length, 1, lines.join("\n"));
    assert.ok(lines[0].startsWith(`${file}:${lineOf(text, "kind: adb")}: terminal.upperTester.kind: expected one of stdin`), lines[0]);
    assert.match(lines[0], /found "adb"/);
  });
});

describe("--parallel", () => {
  test("refused for a terminal profile, naming the file", async () => {
    const file = await write(BASE);
    const p = await loadProfile(file, ENV);
    assert.equal(parallelProblem(p, 1), undefined);
    const refused = parallelProblem(p, 2);
    assert.ok(refused !== undefined);
    assert.ok(refused.startsWith("--parallel 2: "), refused);
    assert.ok(refused.includes(file), refused);
    assert.match(refused, /terminal/);
    assert.doesNotMatch(refused, /\n/);
  });

  test("refused for the embedded self-test UE too, though an embedded core runs once per worker", async () => {
    const file = resolve(ROOT, "profiles/self-test-ue.yaml");
    const refused = parallelProblem(await loadProfile(file, {}), 2);
    assert.ok(refused?.includes(file), refused);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

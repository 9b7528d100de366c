// The ims-interop command as a user runs it: bad profiles give one clear line per problem and exit
// code 2; list shows applicability; run passes the gate against the reference core.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, test } from "node:test";

const PROJECT = resolve(import.meta.dirname, "../..");
const BIN = join(PROJECT, "bin/ims-interop.mjs");

function cli(args: string[], env: Record<string, string> = {}): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: PROJECT, env: { ...process.env, ...env }, encoding: "utf8", timeout: 120000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

async function variant(edit: (text: string) => string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "ims-interop-profile-"));
  const file = join(dir, "bad.yaml");
  await writeFile(file, edit(await readFile(join(PROJECT, "profiles/embedded.yaml"), "utf8")));
  return file;
}

describe("ims-interop validate", () => {
  test("a valid profile exits 0", () => {
    const r = cli(["validate", "profiles/embedded.yaml"]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /profiles\/embedded\.yaml: valid/);
  });

  const cases: Array<[string, (t: string) => string, RegExp]> = [
    ["a missing field", (t) => t.replace(/\n\s*domain: [^\n]*/, ""), /bad\.yaml:\d+: ixit\.domain: .*(missing|required)/i],
    ["a wrong type", (t) => t.replace(/timers: \{[^}]*\}/, "timers: { t1: fast, t2: 4000, t4: 5000 }"), /bad\.yaml:\d+: ixit\.timers\.t1: .*expected/i],
    ["an unknown capability", (t) => t.replace("  tel-uri: true", "  tel-uri: true\n  teleportation: true"), /bad\.yaml:\d+: pics\.teleportation: .*aka.*digest/],
    ["an unknown fault", (t) => t.replace("faults: []", "faults: [lose-everything]"), /bad\.yaml:\d+: target\.faults\[0\]: .*no-service-route/],
  ];
  for (const [what, edit, line] of cases) {
    test(`${what}: one line naming the file and the field, exit 2`, async () => {
      const r = cli(["validate", await variant(edit)]);
      assert.equal(r.code, 2);
      const lines = r.err.trim().split("\n");
      assert.equal(lines.length, 1, r.err);
      assert.match(lines[0], line);
    });
  }

  test("an unset secret variable is named, without any value: validate says it was not checked, run refuses it", async () => {
    const file = await variant((t) =>
      t.replace(/\n {2}kind: embedded[^\n]*\n {2}faults: \[\][^\n]*/, "\n  kind: remote").replace(/(\n\s*domain: [^\n]*)/, "$1\n  pcscf: { host: 127.0.0.1, port: 5060 }"),
    );
    const env = {
      IMS_UE_A_K: "465b5ce8b199b49faa5f0a2ee238a6bc",
      IMS_UE_A_OPC: "cd63cb71954a9f4e48a5994e37a02baf",
      IMS_UE_C_PASSWORD: "very-secret-c",
      IMS_UE_W_PASSWORD: "w",
      IMS_UE_V_PASSWORD: "v",
    };
    const checked = cli(["validate", file], env);
    assert.equal(checked.code, 0, checked.err);
    assert.match(checked.out, /^secrets not checked: IMS_UE_B_PASSWORD is not set \(run needs it; list and validate do not\)$/m);
    assert.doesNotMatch(checked.out + checked.err, /very-secret-c|465b5ce8/);
    const r = cli(["run", "--profile", file], env);
    assert.equal(r.code, 2);
    assert.match(r.err.trim(), /^\S+bad\.yaml:\d+: ixit\.subscribers\[1\]\.auth\.passwordEnv: environment variable IMS_UE_B_PASSWORD is not set$/);
    assert.doesNotMatch(r.err, /very-secret-c|465b5ce8/);
  });

  test("run with a bad profile exits 2 before starting anything", async () => {
    const r = cli(["run", "--profile", await variant((t) => t.replace("  tel-uri: true", "  tel-uri: maybe"))]);
    assert.equal(r.code, 2);
    assert.match(r.err, /pics\.tel-uri: expected true or false; found "maybe"/);
  });
});

describe("ims-interop list and run", () => {
  test("list marks test cases the PICS exclude as not applicable, with the reason", async () => {
    const r = cli(["list", "--profile", await variant((t) => t.replace("  aka: true", "  aka: false"))]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /IMS-REG-001 +mandatory +not applicable .*PICS "aka" not claimed by the profile: aka=false/);
    assert.match(r.out, /IMS-REG-002 +mandatory +applicable/);
  });

  test("run against the reference core prints a verdict per test case, the count, and passes the gate", () => {
    const r = cli(["run", "--profile", "test/fixtures/profiles/embedded-fast.yaml", "--tags", "@IMS-REG-002 or @IMS-MSG-001"]);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /pass +IMS-MSG-001/);
    assert.match(r.out, /2 pass, 0 fail, 0 inconclusive, 0 not applicable, 0 error/);
    assert.match(r.out, /gate: passed/);
  });

  test("a failing mandatory test case fails the gate with exit 1", () => {
    const r = cli(["run", "--profile", "test/fixtures/profiles/embedded-fast.yaml", "--tags", "@IMS-REG-002", "--fault", "no-service-route"]);
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.out, /FAIL +IMS-REG-002[\s\S]*Requirement: register-2xx\.service-route: [\s\S]*Received: Service-Route: absent in SIP\/2\.0 200 OK/);
  });
});

describe("ims-interop run --parallel against a shared SUT", () => {
  test("more workers than the profile has subscribers per role: refused in one line, exit 2, nothing started", () => {
    const r = cli(["run", "--profile", "profiles/kamailio.yaml", "--parallel", "3"], {
      IMS_UE_A_PASSWORD: "a",
      IMS_UE_B_PASSWORD: "b",
      IMS_UE_C_PASSWORD: "c",
      IMS_UE_W_PASSWORD: "w",
      IMS_UE_V_PASSWORD: "v",
    });
    assert.equal(r.code, 2, r.out + r.err);
    assert.equal(r.err.trim().split("\n").length, 1, r.err);
    assert.match(r.err, /--parallel 3 against one process SUT needs 3 subscribers of every role.*lists 2 for UE-A/);
    assert.doesNotMatch(r.out, /running the suite/);
  });
});

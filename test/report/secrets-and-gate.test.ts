// Secrets never reach a report file; the gate follows the levels: a mandatory failure fails it,
// an optional one does not unless a threshold says so, not applicable never does.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, test } from "node:test";
import { javaAvailable } from "../../src/report/allure-report.ts";
import { filesUnder } from "../support/files.ts";

const PROJECT = resolve(import.meta.dirname, "../..");

function cli(args: string[], env: Record<string, string> = {}): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [join(PROJECT, "bin/ims-interop.mjs"), ...args], { cwd: PROJECT, env: { ...process.env, ...env }, encoding: "utf8", timeout: 170000 });
  return { code: r.status, out: r.stdout + r.stderr };
}

describe("secrets", () => {
  test("known secret values appear in no file under the reports folder", { timeout: 180000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), "ims-interop-secrets-"));
    const k = "000102030405060708090a0b0c0d0e0f";
    const opc = "f0e0d0c0b0a090807060504030201000";
    const secrets = { IMS_UE_A_K: k, IMS_UE_A_OPC: opc, IMS_UE_B_PASSWORD: "Pa55-word-of-Bob", IMS_UE_C_PASSWORD: "Dave-secret-77" };
    // A failing run too, so that failure messages and SUT logs are written as well
    const r = cli(["run", "--profile", "test/fixtures/profiles/embedded-fast.yaml", "--fault", "wrong-p-associated-uri", "--reports", dir, ...(javaAvailable() ? ["--report"] : [])], secrets);
    assert.equal(r.code, 1, r.out);
    const needles = [secrets.IMS_UE_B_PASSWORD, secrets.IMS_UE_C_PASSWORD, k, k.toUpperCase(), opc, Buffer.from(k, "hex").toString("base64"), Buffer.from(opc, "hex").toString("base64")].map((s) =>
      Buffer.from(s),
    );
    const binary = [Buffer.from(k, "hex"), Buffer.from(opc, "hex")];
    const files = await filesUnder(dir);
    assert.ok(files.length > 100, `expected a full set of results, found ${files.length} files`);
    for (const f of files) {
      const data = await readFile(f);
      for (const n of [...needles, ...binary]) assert.equal(data.indexOf(n), -1, `${f} contains a secret`);
    }
    assert.doesNotMatch(r.out, /Pa55-word-of-Bob|Dave-secret-77|000102030405060708090a0b0c0d0e0f/);
  });
});

describe("the gate", () => {
  test("a failing mandatory test case exits 1", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ims-interop-gate-"));
    const r = cli(["run", "--profile", "test/fixtures/profiles/embedded-fast.yaml", "--tags", "@IMS-CALL-003", "--fault", "no-100rel", "--reports", dir]);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /mandatory IMS-CALL-003 is fail/);
  });

  test("a failing optional test case alone exits 0, unless --max-optional-failures forbids it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ims-interop-gate-"));
    const lenient = cli(["run", "--profile", "test/fixtures/profiles/embedded-fast.yaml", "--tags", "@IMS-CALL-011 or @IMS-MSG-001", "--fault", "no-100rel", "--reports", dir]);
    assert.equal(lenient.code, 0, lenient.out);
    assert.match(lenient.out, /FAIL +IMS-CALL-011/);
    const strict = cli([
      "run",
      "--profile",
      "test/fixtures/profiles/embedded-fast.yaml",
      "--tags",
      "@IMS-CALL-011 or @IMS-MSG-001",
      "--fault",
      "no-100rel",
      "--max-optional-failures",
      "0",
      "--reports",
      dir,
    ]);
    assert.equal(strict.code, 1, strict.out);
    assert.match(strict.out, /1 optional test case\(s\) did not pass \(IMS-CALL-011\); at most 0 allowed/);
    const summary = JSON.parse(await readFile(join(dir, "summary.json"), "utf8")) as { gate: { passed: boolean } };
    assert.equal(summary.gate.passed, false);
  });

  test("not applicable never fails the gate", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ims-interop-gate-"));
    const profile = join(dir, "no-aka.yaml");
    await writeFile(profile, (await readFile(join(PROJECT, "test/fixtures/profiles/embedded-fast.yaml"), "utf8")).replace("  aka: true", "  aka: false"));
    const r = cli(["run", "--profile", profile, "--tags", "@IMS-REG-001 or @IMS-REG-010 or @IMS-MSG-001", "--reports", dir]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /1 pass, 0 fail, 0 inconclusive, 2 not applicable, 0 error/);
    const junit = await readFile(join(dir, "junit.xml"), "utf8");
    assert.match(junit, /<skipped message="not applicable: PICS &quot;aka&quot; not claimed by the profile: aka=false"\/>/);
  });
});

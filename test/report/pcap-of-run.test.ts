// The pcap attached to a registration test case of a real run decodes in tshark as SIP: the
// registration (REGISTER, 401, REGISTER, 200), then the postamble: the de-registration with the
// credentials of the last challenge (REGISTER, 200) and the bindings query (REGISTER, 401, REGISTER, 200).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";

const PROJECT = resolve(import.meta.dirname, "../..");

function skip(): string | false {
  if (spawnSync("tshark", ["-v"], { stdio: "ignore" }).status === 0) return false;
  if (process.env["CI"]) throw new Error("tshark (Debian package tshark) is not installed, and CI must not skip this test");
  return "tshark (Debian package tshark) is not installed";
}

test("tshark reads the registration test case's pcap: the registration, then the postamble's de-registration and bindings query", { skip: skip(), timeout: 120000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), "ims-interop-pcap-"));
  const run = spawnSync(process.execPath, [join(PROJECT, "bin/ims-interop.mjs"), "run", "--profile", "test/fixtures/profiles/embedded-fast.yaml", "--tags", "@IMS-REG-002", "--reports", dir], {
    cwd: PROJECT,
    encoding: "utf8",
    timeout: 100000,
  });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  const results = join(dir, "allure-results");
  let pcap: string | undefined;
  for (const f of (await readdir(results)).filter((x) => x.endsWith("-result.json"))) {
    const r = JSON.parse(await readFile(join(results, f), "utf8")) as { testCaseId: string; attachments: Array<{ name: string; source: string }> };
    if (r.testCaseId === "IMS-REG-002") pcap = r.attachments.find((a) => a.name === "SIP capture.pcap")?.source;
  }
  assert.ok(pcap, "the IMS-REG-002 result has a pcap attachment");
  const t = spawnSync("tshark", ["-r", join(results, pcap), "-Y", "sip", "-T", "fields", "-e", "sip.Method", "-e", "sip.Status-Code"], { encoding: "utf8" });
  assert.equal(t.status, 0, t.stderr);
  const rows = t.stdout
    .trim()
    .split("\n")
    .map((l) => l.trim());
  // The postamble is part of the test case and of its evidence
  assert.deepEqual(rows, ["REGISTER", "401", "REGISTER", "200", "REGISTER", "200", "REGISTER", "401", "REGISTER", "200"]);
});

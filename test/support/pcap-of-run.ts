// A real run of one test case through the CLI, and the pcap attached to its Allure result, for the
// tests that read it with tshark (Debian package tshark).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const PROJECT = resolve(import.meta.dirname, "../..");

/** Skip (with the reason) when tshark is missing; with CI=true, fail instead. */
export function tsharkSkip(): string | false {
  if (spawnSync("tshark", ["-v"], { stdio: "ignore" }).status === 0) return false;
  if (process.env["CI"]) throw new Error("tshark (Debian package tshark) is not installed, and CI must not skip this test");
  return "tshark (Debian package tshark) is not installed";
}

/** Runs test case `id` against the fast embedded profile and returns the path of its "SIP capture.pcap". */
export async function pcapOfRun(id: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "ims-interop-pcap-"));
  const run = spawnSync(process.execPath, [join(PROJECT, "bin/ims-interop.mjs"), "run", "--profile", "test/fixtures/profiles/embedded-fast.yaml", "--tags", `@${id}`, "--reports", dir], {
    cwd: PROJECT,
    encoding: "utf8",
    timeout: 100000,
  });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  const results = join(dir, "allure-results");
  for (const f of (await readdir(results)).filter((x) => x.endsWith("-result.json"))) {
    const r = JSON.parse(await readFile(join(results, f), "utf8")) as { testCaseId: string; attachments: Array<{ name: string; source: string }> };
    const pcap = r.testCaseId === id ? r.attachments.find((a) => a.name === "SIP capture.pcap")?.source : undefined;
    if (pcap) return join(results, pcap);
  }
  throw new assert.AssertionError({ message: `the ${id} result has no pcap attachment` });
}

// Issue 10, gap 3, end to end: with passwords that are in the traffic too (UE-B's password its
// own private identity, UE-C's the home domain), every pcap of a run opens in tshark and shows
// the SIP messages of its text trace, and no file of the run holds a secret.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { filesUnder } from "../support/files.ts";

const PROJECT = resolve(import.meta.dirname, "../..");
const SECRETS = { IMS_UE_A_K: "000102030405060708090a0b0c0d0e0f", IMS_UE_A_OPC: "f0e0d0c0b0a090807060504030201000", IMS_UE_B_PASSWORD: "bob@ims.example.test", IMS_UE_C_PASSWORD: "ims.example.test" };
// UE-A registers with AKA (REG-001) and over TCP (REG-011), UE-B with Digest (REG-002), and both call (CALL-001)
const TAGS = "@IMS-REG-001 or @IMS-REG-002 or @IMS-REG-011 or @IMS-CALL-001";

function skip(): string | false {
  if (spawnSync("tshark", ["-v"], { stdio: "ignore" }).status === 0) return false;
  if (process.env["CI"]) throw new Error("tshark (Debian package tshark) is not installed, and CI must not skip this test");
  return "tshark (Debian package tshark) is not installed";
}

/** Method or status code of each SIP message of a text trace ("#n ... SENT UDP ..." then the message). */
function traceRows(trace: string): string[] {
  return [...trace.matchAll(/^#\d+ \+[\d.]+ s (?:SENT|RECEIVED) [A-Z]+ .*\n(.*)$/gm)]
    .map((m) => m[1])
    .filter((first) => first !== "")
    .map((first) => {
      const status = /^SIP\/2\.0 (\d{3})/.exec(first);
      return status ? `\t${status[1]}` : `${first.split(" ")[0]}\t`;
    });
}

test("every pcap of a run with secrets in the traffic opens in tshark with the messages of its text trace", { skip: skip(), timeout: 150000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), "ims-interop-masked-pcap-"));
  const run = spawnSync(process.execPath, [join(PROJECT, "bin/ims-interop.mjs"), "run", "--profile", "test/fixtures/profiles/embedded-fast.yaml", "--tags", TAGS, "--reports", dir], {
    cwd: PROJECT,
    env: { ...process.env, ...SECRETS },
    encoding: "utf8",
    timeout: 120000,
  });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.match(run.stdout + run.stderr, /4 pass, 0 fail, 0 inconclusive, 0 not applicable, 0 error/);

  const results = join(dir, "allure-results");
  const checked: string[] = [];
  for (const f of (await readdir(results)).filter((x) => x.endsWith("-result.json"))) {
    const r = JSON.parse(await readFile(join(results, f), "utf8")) as { testCaseId: string; attachments: Array<{ name: string; source: string }> };
    const pcap = r.attachments.find((a) => a.name === "SIP capture.pcap")?.source;
    const trace = r.attachments.find((a) => a.name === "SIP trace.txt")?.source;
    assert.ok(pcap && trace, `${r.testCaseId} has a pcap and a text trace`);
    const t = spawnSync("tshark", ["-n", "-r", join(results, pcap), "-Y", "sip", "-T", "fields", "-e", "sip.Method", "-e", "sip.Status-Code"], {
      encoding: "utf8",
      env: { ...process.env, LC_ALL: "C" },
    });
    assert.equal(t.status, 0, `${r.testCaseId}: ${t.stderr}`);
    assert.doesNotMatch(t.stderr, /damaged|cut short|corrupt|error/i, r.testCaseId);
    const expected = traceRows(await readFile(join(results, trace), "utf8"));
    assert.ok(expected.length >= 4, `${r.testCaseId}: the text trace has its messages`);
    assert.deepEqual(t.stdout.trimEnd().split("\n"), expected, `${r.testCaseId}: tshark reads the messages of the text trace`);
    checked.push(`${r.testCaseId}: ${expected.length}`);
  }
  assert.equal(checked.length, 4, checked.join(", "));
  console.log(`tshark read ${checked.join(", ")} SIP messages`);

  // The secrets are in the traffic, so the masks are there: the same length in the messages
  const anyTrace = await readFile(
    join(
      results,
      (await readdir(results)).find((f) => f.endsWith(".txt") && !f.includes("log"))!,
    ),
    "utf8",
  );
  assert.ok(anyTrace.includes(`realm="${"*".repeat(SECRETS.IMS_UE_C_PASSWORD.length)}"`), "the domain masked at the same length");
  const needles = [...Object.values(SECRETS), SECRETS.IMS_UE_A_K.toUpperCase(), SECRETS.IMS_UE_A_OPC.toUpperCase()].map((s) => Buffer.from(s));
  const binary = [Buffer.from(SECRETS.IMS_UE_A_K, "hex"), Buffer.from(SECRETS.IMS_UE_A_OPC, "hex")];
  for (const f of await filesUnder(dir)) {
    const data = await readFile(f);
    for (const n of [...needles, ...binary]) assert.equal(data.indexOf(n), -1, `${f} contains a secret`);
  }
});

// Issue 11 through a real run (the CLI against the embedded core with a fault), read back from the
// Allure results: the failure names its message ("message #4 in the SIP ladder") and that arrow is
// red in both ladders; a failed expectation's message is marked too; every participant is named
// "UE-B (sip:bob@ims.example.test)" / "SUT (reference-core 0.1.0)", never "the UE"; the SUT log
// attached is this test case's slice, each line timestamped; a declared known deviation is on its
// test case and changes neither its verdict nor the gate.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, test } from "node:test";

const PROJECT = resolve(import.meta.dirname, "../..");
const DEVIATION = "Service-Route is added by the I-CSCF in release 2.3 (ticket CORE-4711)";
const ISO_LINE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) /;

interface Result {
  name: string;
  status: string;
  start: number;
  stop: number;
  statusDetails?: { message?: string };
  attachments: { name: string; source: string }[];
  parameters: { name: string; value: string }[];
  labels: { name: string; value: string }[];
}

async function runCli(args: string[]): Promise<{ dir: string; results: Map<string, Result>; out: string; code: number | null }> {
  const dir = await mkdtemp(join(tmpdir(), "ims-interop-evidence-"));
  const r = spawnSync(process.execPath, [join(PROJECT, "bin/ims-interop.mjs"), "run", ...args, "--reports", dir], { cwd: PROJECT, encoding: "utf8", timeout: 120000 });
  const resultsDir = join(dir, "allure-results");
  const results = new Map<string, Result>();
  for (const f of (await readdir(resultsDir)).filter((x) => x.endsWith("-result.json"))) {
    const result = JSON.parse(await readFile(join(resultsDir, f), "utf8")) as Result;
    results.set(result.name.split(" ")[0], result);
  }
  return { dir, results, out: r.stdout + r.stderr, code: r.status };
}

async function attachment(dir: string, r: Result, name: string): Promise<string> {
  const a = r.attachments.find((x) => x.name === name);
  assert.ok(a, `${r.name} has the attachment ${name} (has ${r.attachments.map((x) => x.name).join(", ")})`);
  return readFile(join(dir, "allure-results", a.source), "utf8");
}

describe("the evidence of a failed run", { timeout: 180_000 }, () => {
  test("no-service-route: the violating 200 marked and named, participants named alike, the SUT log sliced, the known deviation shown", async () => {
    const profileDir = await mkdtemp(join(tmpdir(), "ims-interop-profile-"));
    const profile = join(profileDir, "embedded-with-deviation.yaml");
    const base = await readFile(join(PROJECT, "test/fixtures/profiles/embedded-fast.yaml"), "utf8");
    await writeFile(profile, base.replace(/^knownDeviations: \{\}.*$/m, `knownDeviations:\n  IMS-REG-005: "${DEVIATION}"`));
    const { dir, results, out, code } = await runCli(["--profile", profile, "--tags", "@IMS-REG-002 or @IMS-REG-005", "--fault", "no-service-route"]);
    assert.equal(code, 1, out);
    // A declared deviation changes neither the verdict nor the gate
    const summary = JSON.parse(await readFile(join(dir, "summary.json"), "utf8")) as { gate: { passed: boolean; reasons: string[] } };
    assert.equal(summary.gate.passed, false);
    assert.ok(
      summary.gate.reasons.some((r) => r.includes("IMS-REG-005")),
      summary.gate.reasons.join("; "),
    );
    const deviating = results.get("IMS-REG-005")!;
    assert.equal(deviating.status, "failed");
    assert.deepEqual(deviating.parameters.find((p) => p.name === "Known deviation")?.value, DEVIATION);
    assert.ok(deviating.labels.some((l) => l.name === "tag" && l.value === "known deviation"));

    const reg002 = results.get("IMS-REG-002")!;
    const message = reg002.statusDetails?.message ?? "";
    // "the UE" of the steps is the Digest subscriber's UE: UE-B, named so everywhere
    const seq = Number(/received by UE-B \(sip:bob@ims\.example\.test\), message #(\d+) in the SIP ladder: SIP\/2\.0 200 OK \| CSeq: 2 REGISTER/.exec(message)?.[1]);
    assert.ok(seq > 0, message);
    assert.match(message, /\n {2}\+[\d.]+ s UE-B \(sip:bob@ims\.example\.test\) -> SUT \(reference-core 0\.1\.0\): REGISTER /);
    const svg = await attachment(dir, reg002, "SIP ladder.svg");
    assert.match(svg, new RegExp(`<g id="msg-${seq}" class="msg response failing">`));
    assert.equal((svg.match(/class="msg [^"]*failing"/g) ?? []).length, 1);
    assert.match(svg, /\u2717 register-2xx\.service-route<\/text>/);
    const html = await attachment(dir, reg002, "SIP ladder.html");
    assert.match(
      html,
      new RegExp(
        `<a href="#message-${seq}">#${seq} 200 OK \\(REGISTER\\) SUT \\(reference-core 0\\.1\\.0\\) \u2192 UE-B \\(sip:bob@ims\\.example\\.test\\)</a>: <span class="mark">register-2xx\\.service-route</span>`,
      ),
    );
    const text = await attachment(dir, reg002, "SIP trace.txt");
    assert.match(text, new RegExp(`^#${seq} .* <<< FAILED: register-2xx\\.service-route$`, "m"));
    for (const r of results.values()) {
      for (const what of [r.statusDetails?.message ?? "", await attachment(dir, r, "SIP ladder.html")]) {
        assert.doesNotMatch(what, /the UE\b(?! registers| re-registers)/, `${r.name} names a participant "the UE"`);
      }
    }

    // The SUT log: this test case's lines only, each with its time, inside the test case's time
    for (const r of results.values()) {
      const log = (await attachment(dir, r, "SUT log.txt")).split("\n");
      for (const line of log) {
        const at = Date.parse(ISO_LINE.exec(line)?.[1] ?? "");
        assert.ok(Number.isFinite(at), `a timestamped line: ${line}`);
        assert.ok(at >= r.start - 5 && at <= r.stop + 5, `${r.name}: ${line} is outside ${new Date(r.start).toISOString()}..${new Date(r.stop).toISOString()}`);
      }
      const who = r === reg002 ? "bob" : "alice";
      assert.ok(
        log.some((l) => l.includes(`fault no-service-route: 200 (REGISTER) for sip:${who}@ims.example.test`)),
        log.join("\n"),
      );
      assert.ok(!log.some((l) => l.includes(`sip:${who === "bob" ? "alice" : "bob"}@`)), `${r.name}'s log has no line of the other test case`);
    }
  });

  test("a failed expectation whose Received is a message: that message is marked", async () => {
    const { dir, results, out, code } = await runCli(["--profile", "test/fixtures/profiles/embedded-fast.yaml", "--tags", "@IMS-CALL-007", "--fault", "500-on-invite"]);
    assert.equal(code, 1, out);
    const r = results.get("IMS-CALL-007")!;
    assert.match(r.statusDetails?.message ?? "", /Received: SIP\/2\.0 500 Server Internal Error/);
    const text = await attachment(dir, r, "SIP trace.txt");
    const marked = /^#(\d+) .* RECEIVED .* <<< FAILED: expectation failed \(TS 24\.229 5\.4\.3\.3\)$/m.exec(text);
    assert.ok(
      marked,
      text
        .split("\n")
        .filter((l) => l.startsWith("#"))
        .join("\n"),
    );
    assert.match(text.slice(text.indexOf(marked[0])), /^[^\n]*\nSIP\/2\.0 500 Server Internal Error/);
    const svg = await attachment(dir, r, "SIP ladder.svg");
    assert.match(svg, new RegExp(`<g id="msg-${marked[1]}" class="msg response failing">`));
  });
});

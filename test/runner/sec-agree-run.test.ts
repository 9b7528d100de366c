// IMS-REG-012 (RFC 3329 security agreement, TS 33.203 7) against the embedded reference core with
// profiles/embedded.yaml (PICS sec-agree): it passes, with the SAs' parameters and key fingerprints
// attached; under the fault no-security-server it fails on the requirement, naming its clause.
import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { describe, test } from "node:test";
import type { FaultName } from "../../src/profile/profile.ts";
import { runSuite, type RunResult } from "../../src/runner/index.ts";

const PROJECT = resolve(import.meta.dirname, "../..");
const EMBEDDED = join(PROJECT, "profiles/embedded.yaml");

function run(faults: FaultName[] = []): Promise<RunResult> {
  return runSuite({ profileFile: EMBEDDED, projectDir: PROJECT, faults, tags: "@IMS-REG-012" });
}

describe("IMS-REG-012 against the embedded reference core", () => {
  test("passes: Security-Client, Security-Server in the 401, Security-Verify mirrored, 200", async () => {
    const r = await run();
    assert.deepEqual(
      r.results.map((x) => [x.testCase.id, x.verdict]),
      [["IMS-REG-012", "pass"]],
    );
    const checked = r.results[0]?.requirements ?? [];
    for (const id of ["register-401.security-server", "register-401.security-server-offered", "security-server.ipsec-3gpp-parameters"])
      assert.ok(
        checked.some((q) => q.id === id && q.checked > 0 && q.violated === 0),
        `${id} checked and met`,
      );
  });

  test("fails under no-security-server, naming the requirement and its clause", async () => {
    const r = await run(["no-security-server"]);
    const x = r.results.find((y) => y.testCase.id === "IMS-REG-012");
    assert.equal(x?.verdict, "fail");
    assert.match(
      x?.reason ?? "",
      /^Requirement: register-401\.security-server: [\s\S]*Received: Security-Server: absent in SIP\/2\.0 401 Unauthorized[\s\S]*Clause: {3}RFC 3329 2\.3\.1, TS 24\.229 5\.2\.2/,
    );
  });
});

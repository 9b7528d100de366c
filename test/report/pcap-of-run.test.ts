// The pcap attached to a registration test case of a real run decodes in tshark as SIP: the
// registration (REGISTER, 401, REGISTER, 200), then the postamble: the de-registration with the
// credentials of the last challenge (REGISTER, 200) and the bindings query (REGISTER, 401, REGISTER, 200).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { pcapOfRun, tsharkSkip } from "../support/pcap-of-run.ts";

test("tshark reads the registration test case's pcap: the registration, then the postamble's de-registration and bindings query", { skip: tsharkSkip(), timeout: 120000 }, async () => {
  const pcap = await pcapOfRun("IMS-REG-002");
  const t = spawnSync("tshark", ["-r", pcap, "-Y", "sip", "-T", "fields", "-e", "sip.Method", "-e", "sip.Status-Code"], { encoding: "utf8" });
  assert.equal(t.status, 0, t.stderr);
  const rows = t.stdout
    .trim()
    .split("\n")
    .map((l) => l.trim());
  // The postamble is part of the test case and of its evidence
  assert.deepEqual(rows, ["REGISTER", "401", "REGISTER", "200", "REGISTER", "200", "REGISTER", "401", "REGISTER", "200"]);
});

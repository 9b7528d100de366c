// Subscriber pools: a role listed twice is a pool; --parallel n against a shared SUT needs n of each.
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { test } from "node:test";
import { loadProfile, parallelProblem, poolOf, subscriberFor } from "../../src/profile/index.ts";

const PROJECT = resolve(import.meta.dirname, "../..");
const PASSWORDS = { IMS_UE_A_PASSWORD: "a", IMS_UE_B_PASSWORD: "b", IMS_UE_C_PASSWORD: "c", IMS_UE_W_PASSWORD: "w", IMS_UE_V_PASSWORD: "v" };

test("each worker takes its own subscriber of every role; --parallel beyond the pool is refused in one line", async () => {
  const profile = await loadProfile(resolve(PROJECT, "profiles/kamailio.yaml"), PASSWORDS);
  assert.deepEqual(
    poolOf(profile, "UE-A").map((s) => s.impi),
    ["alice@ims.example.test", "alice2@ims.example.test"],
  );
  assert.equal(subscriberFor(profile, "UE-B", 0)?.impi, "bob@ims.example.test");
  assert.equal(subscriberFor(profile, "UE-B", 1)?.impi, "bob2@ims.example.test");
  assert.equal(parallelProblem(profile, 2), undefined);
  const refused = parallelProblem(profile, 3);
  assert.match(refused ?? "", /^--parallel 3 against one process SUT needs 3 subscribers of every role, .* lists 2 for UE-A, 2 for UE-B, 2 for UE-C/);
  assert.doesNotMatch(refused ?? "", /\n/);
});

test("the embedded core runs once per worker: no pool needed", async () => {
  const profile = await loadProfile(resolve(PROJECT, "profiles/embedded.yaml"), {
    IMS_UE_A_K: "465b5ce8b199b49faa5f0a2ee238a6bc",
    IMS_UE_A_OPC: "cd63cb71954a9f4e48a5994e37a02baf",
    IMS_UE_B_PASSWORD: "b",
    IMS_UE_C_PASSWORD: "c",
  });
  assert.equal(parallelProblem(profile, 4), undefined);
});

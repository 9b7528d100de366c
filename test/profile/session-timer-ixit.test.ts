// ixit.sessionTimer.expires (IMS-CALL-015): RFC 4028's 90 s by default, the embedded profiles' few
// seconds a deliberate deviation, and the bounds the schema and the loader hold it to.
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { test } from "node:test";
import { ProfileError, loadProfile, validateProfileText } from "../../src/profile/index.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const ENV = { B_PASSWORD: "b-secret" };
const BASE = `name: Test SUT
vendor: Tester
product: core
version: "1.0"
target:
  kind: remote
ixit:
  domain: ims.test
  pcscf: { host: 192.0.2.1, port: 5060 }
  unregisteredImpu: sip:carol@ims.test
  unknownImpi: nobody@ims.test
  subscribers:
    - role: UE-A
      impi: alice@ims.test
      impus: [sip:alice@ims.test]
      auth: { kind: digest, passwordEnv: B_PASSWORD }
    - role: UE-B
      impi: bob@ims.test
      impus: [sip:bob@ims.test]
      auth: { kind: digest, passwordEnv: B_PASSWORD }
`;

const withExpires = (v: string): string => BASE.replace("  unknownImpi: nobody@ims.test\n", `  unknownImpi: nobody@ims.test\n  sessionTimer: { expires: ${v} }\n`);

function problems(text: string): string[] {
  try {
    validateProfileText(text, "t.yaml", ENV);
  } catch (e) {
    assert.ok(e instanceof ProfileError);
    return e.format().split("\n");
  }
  return [];
}

test("absent, the session interval is RFC 4028's floor of 90 s; given, it is taken as it is", () => {
  assert.deepEqual(validateProfileText(BASE, "t.yaml", ENV).ixit.sessionTimer, { expires: 90 });
  assert.deepEqual(validateProfileText(withExpires("180"), "t.yaml", ENV).ixit.sessionTimer, { expires: 180 });
});

test("the shipped profiles: the embedded ones deviate on purpose (a few seconds), the others keep 90", async () => {
  const env = {
    IMS_UE_A_PASSWORD: "a",
    IMS_UE_B_PASSWORD: "b",
    IMS_UE_C_PASSWORD: "c",
    IMS_UE_W_PASSWORD: "w",
    IMS_UE_V_PASSWORD: "v",
    IMS_UE_A_K: "465b5ce8b199b49faa5f0a2ee238a6bc",
    IMS_UE_A_OPC: "cd63cb71954a9f4e48a5994e37a02baf",
  };
  assert.equal((await loadProfile(resolve(ROOT, "profiles/embedded.yaml"), env)).ixit.sessionTimer.expires, 4);
  assert.equal((await loadProfile(resolve(ROOT, "test/fixtures/profiles/embedded-fast.yaml"), env)).ixit.sessionTimer.expires, 2);
  for (const f of ["profiles/kamailio.yaml", "profiles/example-remote.yaml"]) assert.equal((await loadProfile(resolve(ROOT, f), env)).ixit.sessionTimer.expires, 90, f);
});

test("a whole number of seconds from 2 to 240 (a step waits up to one interval)", () => {
  for (const bad of ["1", "241", "4.5", '"90"']) {
    const p = problems(withExpires(bad));
    assert.equal(p.length, 1, `${bad}: ${p.join("; ")}`);
    assert.match(p[0], /^t\.yaml:12: ixit\.sessionTimer\.expires: expected a whole number of seconds from 2 to 240: the session interval the caller asks for/);
  }
  assert.deepEqual(problems(BASE.replace("  unknownImpi: nobody@ims.test\n", "  unknownImpi: nobody@ims.test\n  sessionTimer: { minSE: 90 }\n")), [
    "t.yaml:12: ixit.sessionTimer.minSE: unknown field; expected one of expires",
  ]);
});

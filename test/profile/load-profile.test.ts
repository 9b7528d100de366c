import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { resolve } from "node:path";
import { PICS_NAMES, type Profile, ProfileError, loadProfile, validateProfileText } from "../../src/profile/index.ts";

const ROOT = resolve(import.meta.dirname, "../..");

// Distinctive secret values: no message may ever contain them.
const K = "deadbeefdeadbeefdeadbeefdeadbeef";
const OPC = "cafebabecafebabecafebabecafebabe";
const PASSWORD = "Sup3r-S3cret-never-print";
const ENV = { A_K: K, A_OPC: OPC, B_PASSWORD: PASSWORD };

// A valid remote profile; the line numbers in the expectations below refer to this text.
const BASE = `name: Test SUT
vendor: Tester
product: core
version: "1.0"
target:
  kind: remote
ixit:
  domain: ims.test
  pcscf: { host: 192.0.2.1, port: 5060 }
  transports: [udp, tcp]
  timers: { t1: 500, t2: 4000, t4: 5000 }
  unregisteredImpu: sip:carol@ims.test
  unknownImpi: nobody@ims.test
  subscribers:
    - role: UE-A
      impi: alice@ims.test
      impus: [sip:alice@ims.test, tel:+15550001]
      auth: { kind: aka, kEnv: A_K, opcEnv: A_OPC, amf: "8000", sqn: 32, version: 1 }
    - role: UE-B
      impi: bob@ims.test
      impus: [sip:bob@ims.test]
      auth: { kind: digest, passwordEnv: B_PASSWORD, algorithm: MD5 }
pics: { aka: true, digest: true }
`;

function edit(text: string, from: string, to: string): string {
  assert.ok(text.includes(from), `the base text holds ${JSON.stringify(from)}`);
  return text.replace(from, to);
}

/** The formatted problems of an invalid profile text (fails when the text is valid). */
function problems(text: string, env: Record<string, string | undefined> = ENV): string[] {
  try {
    validateProfileText(text, "t.yaml", env);
  } catch (e) {
    assert.ok(e instanceof ProfileError, `a ProfileError, not ${String(e)}`);
    const out = e.format();
    for (const secret of [K, OPC, PASSWORD, "hunter2"]) {
      assert.ok(!out.includes(secret) && !e.message.includes(secret), `a secret value appears in: ${out}`);
    }
    assert.equal(out.split("\n").length, e.problems.length);
    return out.split("\n");
  }
  assert.fail("expected the profile to be rejected");
}

describe("shipped profiles", () => {
  test("embedded.yaml loads with no environment variable set, with generated secrets", async () => {
    const p = await loadProfile(resolve(ROOT, "profiles/embedded.yaml"), {});
    assert.equal(p.name, "Embedded reference core");
    assert.equal(p.productVersion, "0.1.0");
    assert.deepEqual(p.target, { kind: "embedded", faults: [], ueFaults: [] });
    assert.deepEqual(p.ixit.pcscf, { host: "127.0.0.1", port: 0 });
    assert.deepEqual(
      p.ixit.subscribers.map((s) => [s.role, s.auth.kind]),
      [
        ["UE-A", "aka"],
        ["UE-B", "digest"],
        ["UE-C", "digest"],
        ["UE-W", "digest"],
        ["UE-V", "digest"],
      ],
    );
    const a = p.ixit.subscribers[0].auth;
    assert.ok(a.kind === "aka");
    assert.equal(a.kEnv, "IMS_UE_A_K");
    assert.equal(a.k.length, 16);
    assert.equal(a.opc.length, 16);
    assert.equal(a.amf.toString("hex"), "8000");
    assert.equal(a.sqn, 32n);
    const b = p.ixit.subscribers[1].auth;
    assert.ok(b.kind === "digest");
    assert.equal(b.passwordEnv, "IMS_UE_B_PASSWORD");
    assert.match(b.password, /^[0-9a-f]{32}$/);
    const off = ["websocket", "ipsec", "p-preferred-identity", "webrtc-gateway"];
    assert.deepEqual(
      Object.entries(p.pics)
        .filter(([, v]) => !v)
        .map(([n]) => n),
      off,
    );
    assert.deepEqual(Object.keys(p.pics), [...PICS_NAMES]);
  });

  test("embedded.yaml uses the environment's secrets when they are set", async () => {
    const p = await loadProfile(resolve(ROOT, "profiles/embedded.yaml"), { IMS_UE_A_K: K, IMS_UE_B_PASSWORD: PASSWORD });
    const a = p.ixit.subscribers[0].auth;
    const b = p.ixit.subscribers[1].auth;
    assert.ok(a.kind === "aka" && b.kind === "digest");
    assert.equal(a.k.toString("hex"), K);
    assert.notEqual(a.opc.toString("hex"), OPC);
    assert.equal(b.password, PASSWORD);
  });

  test("example-remote.yaml loads with the variables it names", async () => {
    const env = { IMS_UE_A_K: K, IMS_UE_A_OPC: OPC, IMS_UE_B_PASSWORD: PASSWORD, IMS_UE_C_PASSWORD: "other" };
    const p = await loadProfile(resolve(ROOT, "profiles/example-remote.yaml"), env);
    assert.deepEqual(p.target, { kind: "remote" });
    assert.deepEqual(p.ixit.pcscf, { host: "192.0.2.10", port: 5060 });
    assert.deepEqual(p.ixit.transports, ["udp", "tcp"]);
    assert.equal(p.ixit.subscribers.length, 3);
    const a = p.ixit.subscribers[0].auth;
    assert.ok(a.kind === "aka");
    assert.equal(a.opc.toString("hex"), OPC);
    assert.deepEqual(p.knownDeviations, {});
  });

  test("example-remote.yaml without its variables lists each unset one", async () => {
    const file = resolve(ROOT, "profiles/example-remote.yaml");
    const e = await loadProfile(file, {}).then(
      () => assert.fail("expected a ProfileError"),
      (err: unknown) => err,
    );
    assert.ok(e instanceof ProfileError);
    assert.deepEqual(
      e.problems.map((p) => `${p.field}: ${p.message}`),
      [
        "ixit.subscribers[0].auth.kEnv: environment variable IMS_UE_A_K is not set",
        "ixit.subscribers[0].auth.opcEnv: environment variable IMS_UE_A_OPC is not set",
        "ixit.subscribers[1].auth.passwordEnv: environment variable IMS_UE_B_PASSWORD is not set",
        "ixit.subscribers[2].auth.passwordEnv: environment variable IMS_UE_C_PASSWORD is not set",
      ],
    );
    assert.ok(e.problems.every((p) => p.file === file && typeof p.line === "number"));
  });

  test("a missing file is a ProfileError that wraps its cause", async () => {
    const e = await loadProfile("profiles/does-not-exist.yaml", {}).then(
      () => assert.fail("expected a ProfileError"),
      (err: unknown) => err,
    );
    assert.ok(e instanceof ProfileError);
    assert.equal(e.format(), "profiles/does-not-exist.yaml: (profile): expected a readable YAML file; found none (ENOENT)");
    assert.equal((e.cause as NodeJS.ErrnoException).code, "ENOENT");
  });
});

describe("validateProfileText", () => {
  test("the base profile is valid and resolves its defaults", () => {
    const p: Profile = validateProfileText(BASE, "t.yaml", ENV);
    assert.equal(p.file, "t.yaml");
    assert.equal(p.ixit.localHost, "127.0.0.1");
    assert.equal(p.pics.aka, true);
    assert.equal(p.pics.tcp, false);
    assert.deepEqual(p.knownDeviations, {});
    const b = p.ixit.subscribers[1].auth;
    assert.ok(b.kind === "digest");
    assert.equal(b.password, PASSWORD);
  });

  test("absent optional fields take the documented defaults", () => {
    let text = edit(BASE, "  transports: [udp, tcp]\n", "");
    text = edit(text, "  timers: { t1: 500, t2: 4000, t4: 5000 }\n", "");
    text = edit(text, "pics: { aka: true, digest: true }\n", "");
    text = edit(text, ', amf: "8000", sqn: 32, version: 1', "");
    text = edit(text, ", algorithm: MD5", "");
    const p = validateProfileText(text, "t.yaml", ENV);
    assert.deepEqual(p.ixit.transports, ["udp"]);
    assert.deepEqual(p.ixit.timers, { t1: 500, t2: 4000, t4: 5000 });
    assert.ok(Object.values(p.pics).every((v) => v === false));
    const a = p.ixit.subscribers[0].auth;
    const b = p.ixit.subscribers[1].auth;
    assert.ok(a.kind === "aka" && b.kind === "digest");
    assert.deepEqual([a.amf.toString("hex"), a.sqn, a.version, b.algorithm], ["8000", 0n, 1, "MD5"]);
  });

  test("missing field", () => {
    assert.deepEqual(problems(edit(BASE, "  domain: ims.test\n", "")), [
      "t.yaml:7: ixit.domain: missing required field; expected the home network domain (REGISTER Request-URI and realm), e.g. ims.example.test",
    ]);
    assert.deepEqual(problems(edit(BASE, "vendor: Tester\n", "")), ["t.yaml:1: vendor: missing required field; expected the vendor's name (a string)"]);
  });

  test("wrong type", () => {
    assert.deepEqual(problems(edit(BASE, "t1: 500,", 't1: "500ms",')), [
      't.yaml:11: ixit.timers.t1: expected a positive integer of milliseconds: T1, the round-trip estimate (at most t2); found "500ms"',
    ]);
    assert.deepEqual(problems(edit(BASE, 'version: "1.0"', "version: 1.0")), ['t.yaml:4: version: expected the product version as a string, e.g. "1.2.0" (quote it); found 1.0']);
    assert.deepEqual(problems(edit(BASE, "port: 5060", "port: 70000")), ["t.yaml:9: ixit.pcscf.port: expected a port number from 1 to 65535; found 70000"]);
    assert.deepEqual(problems(edit(BASE, "pics: { aka: true,", "pics: { aka: yes,")), ['t.yaml:23: pics.aka: expected true or false; found "yes"']);
  });

  test("wrong transport (the README's example line)", () => {
    assert.deepEqual(problems(edit(BASE, "transports: [udp, tcp]", "transports: [udp, sctp]")), ['t.yaml:10: ixit.transports[1]: expected one of udp, tcp, tls, ws, wss; found "sctp"']);
  });

  test("unknown capability", () => {
    assert.deepEqual(problems(edit(BASE, "digest: true }", "digest: true, quic: true }")), [`t.yaml:23: pics.quic: unknown capability; expected one of ${PICS_NAMES.join(", ")}`]);
  });

  test("unknown field", () => {
    assert.deepEqual(problems(edit(BASE, "  domain: ims.test\n", "  domain: ims.test\n  proxy: x\n")), [
      "t.yaml:9: ixit.proxy: unknown field; expected one of domain, pcscf, pcscfUri, websocket, interconnect, sms, transports, localHost, timers, unregisteredImpu, unknownImpi, sessionTimer, media, subscribers",
    ]);
    assert.deepEqual(problems(edit(BASE, "  kind: remote\n", "  kind: remote\n  faults: []\n")), [
      "t.yaml:7: target.faults: applies only to target kind embedded; expected one of kind for kind remote",
    ]);
  });

  test("unknown fault", () => {
    const text = edit(BASE, "  kind: remote\n", "  kind: embedded\n  faults: [no-service-route, explode]\n");
    assert.deepEqual(problems(text, {}), [
      't.yaml:7: target.faults[1]: expected one of no-service-route, wrong-p-associated-uri, drop-first-notify, no-100rel, cseq-mismatch-in-response, silent-after-401, stale-nonce-loop, 500-on-invite, strip-record-route, garbage-to-message, wrong-call-id-in-register-200, superstring-p-asserted-identity, keep-bindings-on-deregister, reginfo-version-stuck, no-to-tag-on-cancel-200, strip-session-expires, one-way-audio, strip-telephone-event, wrong-hold-direction, strip-p-early-media, ignore-ws-flow, drop-pai-at-boundary, lose-record-route-across, reject-foreign-domain, hang-on-torture, accept-invalid-torture, sms-200-instead-of-202, sms-rp-error, sms-corrupt-tpdu, large-message-over-udp, no-security-server, ignore-service-route, no-initial-authorization, no-refresh, use-deregistered-registration, no-ack-handling, unreliable-provisional; found "explode"',
    ]);
  });

  test("unknown target kind", () => {
    assert.deepEqual(problems(edit(BASE, "kind: remote", "kind: remot")), ['t.yaml:6: target.kind: expected one of embedded, remote, process, container; found "remot"']);
  });

  test("unset secret variable names the variable and the field", () => {
    assert.deepEqual(problems(BASE, { A_K: K, A_OPC: OPC }), ["t.yaml:22: ixit.subscribers[1].auth.passwordEnv: environment variable B_PASSWORD is not set"]);
    assert.deepEqual(problems(BASE, { ...ENV, A_OPC: "" }), ["t.yaml:18: ixit.subscribers[0].auth.opcEnv: environment variable A_OPC is empty"]);
  });

  test("literal secret key is rejected without repeating its value", () => {
    const text = edit(BASE, "passwordEnv: B_PASSWORD, algorithm: MD5", "password: hunter2");
    assert.deepEqual(problems(text), [
      "t.yaml:22: ixit.subscribers[1].auth.password: expected passwordEnv naming the environment variable that holds the password (e.g. passwordEnv: IMS_UE_B_PASSWORD); found a literal password (not shown: a profile never holds a secret)",
      "t.yaml:22: ixit.subscribers[1].auth.passwordEnv: missing required field; expected the name of the environment variable that holds the password",
    ]);
    const k = edit(BASE, "kEnv: A_K", `k: "${K}"`);
    assert.deepEqual(problems(k), [
      "t.yaml:18: ixit.subscribers[0].auth.k: expected kEnv naming the environment variable that holds the K (e.g. kEnv: IMS_UE_A_K); found a literal K (not shown: a profile never holds a secret)",
      "t.yaml:18: ixit.subscribers[0].auth.kEnv: missing required field; expected the name of the environment variable that holds the K",
    ]);
  });

  test("a key pasted where a variable name belongs is not repeated", () => {
    assert.deepEqual(problems(edit(BASE, "kEnv: A_K", `kEnv: ${K}`)), [
      "t.yaml:18: ixit.subscribers[0].auth.kEnv: expected the name of the environment variable that holds the K; found what looks like a key (not shown: a profile never holds a secret)",
    ]);
  });

  test("bad URI", () => {
    assert.deepEqual(problems(edit(BASE, "impus: [sip:alice@ims.test,", "impus: [sip:alice@,")), [
      't.yaml:17: ixit.subscribers[0].impus[0]: expected a sip: or sips: URI (the first IMPU is the default public identity); found "sip:alice@" (invalid host "" in "sip:alice@")',
    ]);
    assert.deepEqual(problems(edit(BASE, "unregisteredImpu: sip:carol@ims.test", "unregisteredImpu: carol@ims.test")), [
      't.yaml:12: ixit.unregisteredImpu: expected a sip:, sips: or tel: URI: a public identity no subscriber has and the SUT does not know (IMS-CALL-007, IMS-MSG-003); found "carol@ims.test"',
    ]);
    // What the schema's pattern lets through, the driver's URI parser checks
    assert.deepEqual(problems(edit(BASE, "unregisteredImpu: sip:carol@ims.test", "unregisteredImpu: sip:carol@")), [
      't.yaml:12: ixit.unregisteredImpu: expected a sip:, sips: or tel: URI: a public identity no subscriber has and the SUT does not know (IMS-CALL-007, IMS-MSG-003); found "sip:carol@" (invalid host "" in "sip:carol@")',
    ]);
    assert.deepEqual(problems(edit(BASE, "impus: [sip:bob@ims.test]", "impus: [tel:+15550002]")), [
      't.yaml:21: ixit.subscribers[1].impus[0]: expected a sip: or sips: URI (the first IMPU is the default public identity); found "tel:+15550002"',
    ]);
    assert.deepEqual(problems(edit(BASE, "impus: [sip:bob@ims.test]", "impus: [sip:bob:hunter2@ims.test]")), [
      "t.yaml:21: ixit.subscribers[1].impus[0]: expected a sip: or sips: URI (the first IMPU is the default public identity) without a password; found a URI with a password (not shown: a profile never holds a secret)",
    ]);
  });

  test("bad hex lengths of K, OPc and AMF", () => {
    assert.deepEqual(problems(BASE, { ...ENV, A_K: K.slice(0, 30) }), [
      "t.yaml:18: ixit.subscribers[0].auth.kEnv: environment variable A_K: expected 32 hexadecimal digits (the 128-bit K); found 30 characters",
    ]);
    assert.deepEqual(problems(BASE, { ...ENV, A_OPC: `${OPC.slice(0, 31)}g` }), [
      "t.yaml:18: ixit.subscribers[0].auth.opcEnv: environment variable A_OPC: expected 32 hexadecimal digits (the 128-bit OPc); found 32 characters that are not all hexadecimal digits",
    ]);
    assert.deepEqual(problems(edit(BASE, 'amf: "8000"', 'amf: "800"')), ['t.yaml:18: ixit.subscribers[0].auth.amf: expected an AMF of 4 hexadecimal digits in quotes, e.g. "8000"; found "800"']);
    assert.deepEqual(problems(edit(BASE, 'amf: "8000"', "amf: 8000")), [
      't.yaml:18: ixit.subscribers[0].auth.amf: expected an AMF of 4 hexadecimal digits in quotes, e.g. "8000" (quote it); found 8000',
    ]);
  });

  test("t1 > t2", () => {
    assert.deepEqual(problems(edit(BASE, "t1: 500,", "t1: 5000,")), ["t.yaml:11: ixit.timers.t1: expected at most t2 (4000); found 5000 (RFC 3261 17.1.2.2: intervals grow from T1 up to T2)"]);
    assert.deepEqual(problems(edit(BASE, "t1: 500,", "t1: 0,")), ["t.yaml:11: ixit.timers.t1: expected a positive integer of milliseconds: T1, the round-trip estimate (at most t2); found 0"]);
  });

  test("a missing required role (a role listed twice is a pool, not a problem)", () => {
    assert.deepEqual(problems(edit(BASE, "    - role: UE-B\n", "    - role: UE-A\n")), ["t.yaml:14: ixit.subscribers: expected subscribers with the roles UE-A and UE-B; found no UE-B (roles: UE-A)"]);
    assert.deepEqual(problems(edit(BASE, "    - role: UE-B\n", "    - role: UE-C\n")), [
      "t.yaml:14: ixit.subscribers: expected subscribers with the roles UE-A and UE-B; found no UE-B (roles: UE-A, UE-C)",
    ]);
  });

  test("duplicate public identity, and an unregistered identity that is provisioned", () => {
    assert.deepEqual(problems(edit(BASE, "impus: [sip:bob@ims.test]", "impus: [sip:bob@ims.test, tel:+15550001]")), [
      't.yaml:21: ixit.subscribers[1].impus[1]: expected each public identity once; found "tel:+15550001" again (first at ixit.subscribers[0].impus[1])',
    ]);
    assert.deepEqual(problems(edit(BASE, "unregisteredImpu: sip:carol@ims.test", "unregisteredImpu: sip:bob@ims.test")), [
      't.yaml:12: ixit.unregisteredImpu: expected an identity no subscriber has; found "sip:bob@ims.test", also ixit.subscribers[1].impus[0]',
    ]);
  });

  test("several problems at once are all listed, in document order, each with its line", () => {
    let text = edit(BASE, "vendor: Tester\n", "vendor: [Tester]\n");
    text = edit(text, "transports: [udp, tcp]", "transports: [udp, sctp]");
    text = edit(text, "t1: 500,", "t1: 5000,");
    text = edit(text, "digest: true }", "digest: true, quic: true }");
    text = edit(text, "    - role: UE-B\n", "    - role: UE-A\n");
    const lines = problems(text, { A_K: K, A_OPC: OPC });
    assert.deepEqual(lines, [
      "t.yaml:2: vendor: expected the vendor's name (a string); found a list",
      't.yaml:10: ixit.transports[1]: expected one of udp, tcp, tls, ws, wss; found "sctp"',
      "t.yaml:11: ixit.timers.t1: expected at most t2 (4000); found 5000 (RFC 3261 17.1.2.2: intervals grow from T1 up to T2)",
      "t.yaml:14: ixit.subscribers: expected subscribers with the roles UE-A and UE-B; found no UE-B (roles: UE-A)",
      "t.yaml:22: ixit.subscribers[1].auth.passwordEnv: environment variable B_PASSWORD is not set",
      `t.yaml:23: pics.quic: unknown capability; expected one of ${PICS_NAMES.join(", ")}`,
    ]);
  });

  test("a YAML syntax error is reported with its line", () => {
    assert.deepEqual(problems(edit(BASE, "product: core\n", "product: core\nproduct: other\n")), ["t.yaml:4: (yaml): expected valid YAML; found map keys must be unique"]);
  });

  test("a document that is not a mapping", () => {
    assert.deepEqual(problems("- a\n- b\n"), ["t.yaml:1: (profile): expected a mapping with the fields name, vendor, product, version, target, ixit, terminal, pics, knownDeviations; found a list"]);
    assert.deepEqual(problems(""), ["t.yaml:1: (profile): expected a mapping with the fields name, vendor, product, version, target, ixit, terminal, pics, knownDeviations; found nothing"]);
  });

  test("embedded target: an unset variable gets one random value per name and load", () => {
    const text = edit(edit(BASE, "kind: remote", "kind: embedded"), "kEnv: A_K, opcEnv: A_OPC", "kEnv: SHARED, opcEnv: SHARED");
    const p1 = validateProfileText(text, "t.yaml", {});
    const p2 = validateProfileText(text, "t.yaml", {});
    const a1 = p1.ixit.subscribers[0].auth;
    const a2 = p2.ixit.subscribers[0].auth;
    assert.ok(a1.kind === "aka" && a2.kind === "aka");
    assert.deepEqual(a1.k, a1.opc);
    assert.notDeepEqual(a1.k, a2.k);
    assert.equal(a1.kEnv, "SHARED");
    // the embedded target keeps a pcscf given in the profile
    assert.deepEqual(p1.ixit.pcscf, { host: "192.0.2.1", port: 5060 });
  });

  test("process and container targets", () => {
    const proc = validateProfileText(edit(BASE, "  kind: remote\n", "  kind: process\n  command: ./core\n  args: [-f, x.cfg]\n  env: { LEVEL: 3 }\n"), "t.yaml", ENV);
    assert.deepEqual(proc.target, { kind: "process", command: "./core", args: ["-f", "x.cfg"], env: { LEVEL: "3" }, startTimeoutMs: 30000 });
    const cont = validateProfileText(edit(BASE, "  kind: remote\n", "  kind: container\n  build: docker/kamailio\n"), "t.yaml", ENV);
    assert.deepEqual(cont.target, { kind: "container", build: "docker/kamailio", env: {}, startTimeoutMs: 120000 });
    assert.deepEqual(problems(edit(BASE, "  kind: remote\n", "  kind: container\n")), [
      "t.yaml:5: target.image: missing required field; expected image (an image reference) or build (a folder holding a Dockerfile, e.g. docker/kamailio)",
    ]);
    assert.deepEqual(problems(edit(BASE, "  kind: remote\n", "  kind: process\n")), ["t.yaml:5: target.command: missing required field; expected the program that starts the SUT"]);
  });

  test("knownDeviations map test case ids to reasons", () => {
    const p = validateProfileText(`${BASE}knownDeviations:\n  IMS-CALL-009: hold answered with inactive\n`, "t.yaml", ENV);
    assert.deepEqual(p.knownDeviations, { "IMS-CALL-009": "hold answered with inactive" });
    assert.deepEqual(problems(`${BASE}knownDeviations:\n  call-9: x\n`), ['t.yaml:25: knownDeviations.call-9: expected a test case id such as IMS-REG-001 as the key; found "call-9"']);
  });
});

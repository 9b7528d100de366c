// The published JSON Schema of a profile (schema/profile.schema.json): generated from the one
// definition (src/profile/profile-schema.ts), referenced by every shipped profile for editors, and
// valid for each of them when checked by ajv alone, without the loader. The loader and the schema
// agree: a structural mistake is refused by both, at the same field.
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, test } from "node:test";
import { Ajv, type SchemaObject } from "ajv";
import { parse } from "yaml";
import { PICS_NAMES, ProfileError, profileJsonSchema, validateProfileText } from "../../src/profile/index.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const SCHEMA_FILE = join(ROOT, "schema/profile.schema.json");
const published = JSON.parse(readFileSync(SCHEMA_FILE, "utf8")) as SchemaObject;
const FEATURES = readdirSync(join(ROOT, "features"), { recursive: true })
  .map(String)
  .filter((f) => f.endsWith(".feature"))
  .map((f) => join(ROOT, "features", f));
/** The network suite: what a network profile such as example-remote.yaml runs (features/terminal is for terminal profiles). */
const NETWORK_FEATURES = FEATURES.filter((f) => !f.includes(`${join("features", "terminal")}`));
const SHIPPED = [
  ...readdirSync(join(ROOT, "profiles"))
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => join(ROOT, "profiles", f)),
  ...readdirSync(join(ROOT, "test/fixtures/profiles"))
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => join(ROOT, "test/fixtures/profiles", f)),
];

/** A validator of the published file, as any JSON Schema tool would build it (ajv; discriminator and the x- annotation known). */
function standalone(): (data: unknown) => boolean {
  const ajv = new Ajv({ allErrors: true, discriminator: true, allowUnionTypes: true, strictTuples: false });
  ajv.addVocabulary(["x-unknown-field"]);
  const validate = ajv.compile(published);
  return (data) => validate(data);
}

test("schema/profile.schema.json is generated from src/profile/profile-schema.ts (npm run profile-schema)", () => {
  assert.deepEqual(published, profileJsonSchema(), "schema/profile.schema.json is out of date: run npm run profile-schema");
});

test("every field of the schema has a description (what editors show on hover), every string and list a limit", () => {
  const missing: string[] = [];
  const walk = (s: SchemaObject, path: string): void => {
    if (s["description"] === undefined) missing.push(`${path}: no description`);
    if (s["type"] === "string" && s["maxLength"] === undefined && !s["enum"] && s["const"] === undefined) missing.push(`${path}: no maxLength`);
    if (s["type"] === "array" && s["maxItems"] === undefined) missing.push(`${path}: no maxItems`);
    if (s["type"] === "object" && !s["properties"] && !s["oneOf"] && s["maxProperties"] === undefined) missing.push(`${path}: no maxProperties`);
    for (const [k, v] of Object.entries((s["properties"] ?? {}) as Record<string, SchemaObject>)) walk(v, `${path}.${k}`);
    for (const b of (s["discriminator"] ? s["oneOf"] : []) as SchemaObject[]) walk(b, `${path}(${String((b["properties"] as Record<string, SchemaObject>)["kind"]?.["const"])})`);
    for (const [i, item] of [s["items"]].flat().filter(Boolean).entries()) walk(item as SchemaObject, `${path}[${i}]`);
    for (const key of ["additionalItems", "propertyNames", "additionalProperties"]) if (typeof s[key] === "object") walk(s[key] as SchemaObject, `${path}(${key})`);
  };
  walk(published, "profile");
  assert.deepEqual(missing, []);
});

describe("shipped profiles", () => {
  const validate = standalone();
  test("each starts with the yaml-language-server reference to the schema, as a path relative to it", () => {
    assert.ok(SHIPPED.length >= 5);
    for (const file of SHIPPED) {
      const first = readFileSync(file, "utf8").split("\n")[0];
      assert.equal(first, `# yaml-language-server: $schema=${relative(dirname(file), SCHEMA_FILE)}`, relative(ROOT, file));
    }
  });

  test("each is valid against the published schema (ajv alone, not the loader)", () => {
    for (const file of SHIPPED) {
      assert.ok(validate(parse(readFileSync(file, "utf8"))), relative(ROOT, file));
    }
  });

  test("every test case a profile or the schema names exists in features/", () => {
    const ids = new Set(FEATURES.flatMap((f) => [...readFileSync(f, "utf8").matchAll(/@(IMS-[A-Z]+-\d+)\b/g)].map((m) => m[1])));
    assert.ok(ids.size >= 20);
    for (const file of [...SHIPPED, SCHEMA_FILE]) {
      const named = [...readFileSync(file, "utf8").matchAll(/\b(?:IMS-)?((?:REG|CALL|MSG|ROB|RTC)-\d{3})\b/g)].map((m) => `IMS-${m[1]}`);
      assert.deepEqual(
        named.filter((id) => !ids.has(id)),
        [],
        `${relative(ROOT, file)} names test cases that do not exist`,
      );
    }
  });

  test("example-remote.yaml lists, after each capability, exactly the test cases whose PICS need it", () => {
    const needs = new Map<string, string[]>(PICS_NAMES.map((n) => [n, []]));
    for (const f of NETWORK_FEATURES) {
      for (const line of readFileSync(f, "utf8").split("\n")) {
        const id = /@(IMS-[A-Z]+-\d+)\b/.exec(line)?.[1];
        if (!id) continue;
        const capabilities = [...line.matchAll(/@pics:(\S+)/g)].flatMap((m) => m[1].split(/[&|!]/)).filter(Boolean);
        for (const c of new Set(capabilities)) needs.get(c)!.push(id);
      }
    }
    const text = readFileSync(join(ROOT, "profiles/example-remote.yaml"), "utf8");
    for (const name of PICS_NAMES) {
      const comment = new RegExp(`^  ${name}: (?:true|false) +# .*: (.*)$`, "m").exec(text)?.[1];
      assert.ok(comment !== undefined, `example-remote.yaml documents ${name}`);
      const listed = comment === "none yet" ? [] : comment.split(", ");
      assert.deepEqual(listed.sort(), needs.get(name)!.sort(), `example-remote.yaml, pics.${name}`);
    }
  });
});

describe("the schema and the loader agree", () => {
  const validate = standalone();
  const base = readFileSync(join(ROOT, "profiles/example-remote.yaml"), "utf8");
  const env = { IMS_UE_A_K: "465b5ce8b199b49faa5f0a2ee238a6bc", IMS_UE_A_OPC: "cd63cb71954a9f4e48a5994e37a02baf", IMS_UE_B_PASSWORD: "b", IMS_UE_C_PASSWORD: "c" };
  /** example-remote.yaml with the first line starting with `start` (its comment included) replaced. */
  const edit = (start: string, replacement: string): string => {
    const lines = base.split("\n");
    const i = lines.findIndex((l) => l.startsWith(start));
    assert.ok(i >= 0, start);
    return [...lines.slice(0, i), replacement, ...lines.slice(i + 1)].join("\n");
  };

  test("on valid profiles", () => {
    const valid = [
      base,
      edit("  kind: remote", "  kind: process\n  command: ./core\n  args: [-f, x.cfg]\n  env: { LEVEL: 3, DEBUG: true }\n  startTimeoutMs: 1000"),
      edit("  kind: remote", "  kind: container\n  image: registry.example/acme/cscf:5.2.1"),
      edit("    host: 192.0.2.10", '    host: "[2001:db8::1]"'),
      edit("knownDeviations:", "knownDeviations: { IMS-REG-001: not claimed }"),
    ];
    for (const text of valid) {
      assert.ok(validate(parse(text)), text.slice(0, 2000));
      assert.doesNotThrow(() => validateProfileText(text, "t.yaml", env));
    }
  });

  const invalid: Array<[string, string, string]> = [
    ["a missing field", edit("  domain:", ""), "ixit.domain"],
    ["a wrong type", edit("version:", "version: 5.2"), "version"],
    ["an unknown field", edit("  localHost:", "  localhost: 192.0.2.99"), "ixit.localhost"],
    ["a field of another target kind", edit("  kind: remote", "  kind: remote\n  command: x"), "target.command"],
    ["an unknown target kind", edit("  kind: remote", "  kind: cloud"), "target.kind"],
    ["an unknown auth kind", edit("        kind: digest", "        kind: basic"), "ixit.subscribers[1].auth.kind"],
    ["pcscf missing for a remote target", edit("  pcscf:", "").replace(/\n {4}host: [^\n]*\n {4}port: [^\n]*/, ""), "ixit.pcscf"],
    ["a container with neither image nor build", edit("  kind: remote", "  kind: container"), "target.image"],
    ["a container with both", edit("  kind: remote", "  kind: container\n  image: x\n  build: y"), "target.build"],
    ["a port out of range", edit("    port: 5060", "    port: 0"), "ixit.pcscf.port"],
    ["an unknown transport", edit("  transports:", "  transports: [udp, sctp]"), "ixit.transports[1]"],
    ["a transport twice", edit("  transports:", "  transports: [udp, tcp, udp]"), "ixit.transports[2]"],
    ["a timer of zero", edit("    t2:", "    t2: 0"), "ixit.timers.t2"],
    ["a tel: URI as the default identity", edit("        - sip:alice@ims.acme.example", "        - tel:+15551230009"), "ixit.subscribers[0].impus[0]"],
    ["an empty list of identities", edit("      impus: [sip:bob@", "      impus: []"), "ixit.subscribers[1].impus"],
    ["a bad role", edit("    - role: UE-B", "    - role: callee"), "ixit.subscribers[1].role"],
    ["an IMPI without realm", edit("      impi: bob@", "      impi: bob"), "ixit.subscribers[1].impi"],
    ["an AMF as a number", edit("        amf:", "        amf: 8000"), "ixit.subscribers[0].auth.amf"],
    ["a literal password", edit("        passwordEnv: IMS_UE_B_PASSWORD", "        password: IMS_UE_B_PASSWORD"), "ixit.subscribers[1].auth.passwordEnv, ixit.subscribers[1].auth.password"],
    ["a key as a variable name", edit("        kEnv:", "        kEnv: deadbeefdeadbeefdeadbeefdeadbeef"), "ixit.subscribers[0].auth.kEnv"],
    ["an unknown capability", edit("  ipsec:", "  ipsec: false\n  quic: true"), "pics.quic"],
    ["a capability that is not a boolean", edit("  aka:", "  aka: yes"), "pics.aka"],
    ["a test case id that is not one", edit("knownDeviations:", "knownDeviations: { call-9: x }"), "knownDeviations.call-9"],
    ["a name over the limit", edit("name:", `name: ${"n".repeat(1025)}`), "name"],
  ];
  for (const [what, text, field] of invalid) {
    test(`on ${what}: both refuse it, the loader at ${field}`, () => {
      assert.equal(validate(parse(text)), false, "the schema accepts it");
      try {
        validateProfileText(text, "t.yaml", env);
        assert.fail("the loader accepts it");
      } catch (e) {
        assert.ok(e instanceof ProfileError, String(e));
        assert.equal(e.problems.map((p) => p.field).join(", "), field, e.format());
      }
    });
  }
});

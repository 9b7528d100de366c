import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { maskSecrets, maskSecretsKeepingLength, maskTraceEntries } from "../../src/report/mask-secrets.ts";
import type { TraceEntry } from "../../src/sip/transport/trace.ts";

describe("maskSecrets", () => {
  const key = Buffer.from("465b5ce8b199b49faa5f0a2ee238a6bc", "hex");

  test("a string secret is masked at every occurrence", () => {
    assert.equal(maskSecrets("pw=s3cret! and again s3cret!.", ["s3cret!"]), "pw=*** and again ***.");
  });

  test("a Buffer is masked as lowercase hex, uppercase hex and base64", () => {
    const text = ["K=465b5ce8b199b49faa5f0a2ee238a6bc", "K=465B5CE8B199B49FAA5F0A2EE238A6BC", `b64=${key.toString("base64")};`, `nopad=${key.toString("base64").replace(/=+$/, "")};`].join("\n");
    assert.equal(maskSecrets(text, [key]), "K=***\nK=***\nb64=***;\nnopad=***;");
    assert.equal(key.toString("base64"), "Rltc6LGZtJ+qXwou4jimvA==");
  });

  test("secrets shorter than 4 characters (Buffers shorter than 4 bytes) are ignored", () => {
    const text = "abc 616263 YWJj abcd";
    assert.equal(maskSecrets(text, ["abc", Buffer.from("abc")]), text);
    assert.equal(maskSecrets(text, ["abcd"]), "abc 616263 YWJj ***");
    assert.equal(maskSecrets("x 61626364 y", [Buffer.from("abcd")]), "x *** y");
  });

  test("a secret containing another is masked whole; special characters are literal", () => {
    assert.equal(maskSecrets("a.b*c+d a.b*c+d-long", ["a.b*c+d", "a.b*c+d-long"]), "*** ***");
    assert.equal(maskSecrets("axbxcxd", ["a.b.c.d"]), "axbxcxd");
  });

  test("no secrets: the text unchanged", () => {
    assert.equal(maskSecrets("anything", []), "anything");
  });

  test('keeping length: each occurrence becomes as many "*" as it has characters', () => {
    assert.equal(maskSecretsKeepingLength("sip:bob@ims.example.test", ["example", "ims.example.test"]), `sip:bob@${"*".repeat(16)}`);
    assert.equal(maskSecretsKeepingLength(`K=${key.toString("hex").toUpperCase()}`, [key]), `K=${"*".repeat(32)}`);
  });
});

describe("maskTraceEntries", () => {
  const entry: TraceEntry = {
    seq: 7,
    time: 1,
    direction: "received",
    protocol: "tcp",
    local: { host: "127.0.0.1", port: 5060 },
    remote: { host: "pcscf.example.test", port: 5060 },
    bytes: Buffer.from("MESSAGE sip:bob@example.test SIP/2.0\r\nContent-Length: 7\r\n\r\nexample"),
    note: "conn-example",
  };

  test("copies with bytes, hosts and note masked at the same length; the entries unchanged", () => {
    const original = Buffer.from(entry.bytes);
    const [masked] = maskTraceEntries([entry], ["example"]);
    assert.equal(masked.bytes.toString(), "MESSAGE sip:bob@*******.test SIP/2.0\r\nContent-Length: 7\r\n\r\n*******");
    assert.deepEqual(masked.remote, { host: "pcscf.*******.test", port: 5060 });
    assert.equal(masked.local, entry.local);
    assert.equal(masked.note, "conn-*******");
    assert.deepEqual([masked.seq, masked.time, masked.direction, masked.protocol], [7, 1, "received", "tcp"]);
    assert.ok(entry.bytes.equals(original));
    assert.equal(entry.note, "conn-example");
  });

  test('bytes: string secrets as UTF-8, each byte of an occurrence a "*", other bytes untouched', () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0x00]), Buffer.from("pässwörd"), Buffer.from([0x80])]);
    const [masked] = maskTraceEntries([{ ...entry, bytes }], ["pässwörd"]);
    assert.equal(masked.bytes.toString("hex"), "ff00" + Buffer.from("*".repeat(10)).toString("hex") + "80");
    assert.equal(maskTraceEntries([{ ...entry, bytes }], ["none-here"])[0].bytes, bytes);
  });

  test("no secrets: copies of the same entries", () => {
    const [copy] = maskTraceEntries([entry], []);
    assert.notEqual(copy, entry);
    assert.deepEqual(copy, entry);
  });
});

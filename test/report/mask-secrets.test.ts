import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { maskSecrets, maskSecretsInBytes } from "../../src/report/mask-secrets.ts";

describe("maskSecrets", () => {
  const key = Buffer.from("465b5ce8b199b49faa5f0a2ee238a6bc", "hex");

  test("a string secret is masked at every occurrence", () => {
    assert.equal(maskSecrets("pw=s3cret! and again s3cret!.", ["s3cret!"]), "pw=*** and again ***.");
  });

  test("a Buffer is masked as lowercase hex, uppercase hex and base64", () => {
    const text = [
      "K=465b5ce8b199b49faa5f0a2ee238a6bc",
      "K=465B5CE8B199B49FAA5F0A2EE238A6BC",
      `b64=${key.toString("base64")};`,
      `nopad=${key.toString("base64").replace(/=+$/, "")};`,
    ].join("\n");
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

  test("bytes: string secrets as UTF-8, other bytes untouched", () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0x00]), Buffer.from("pässwörd"), Buffer.from([0x80])]);
    const masked = maskSecretsInBytes(bytes, ["pässwörd"]);
    assert.equal(masked.toString("hex"), "ff00" + Buffer.from("***").toString("hex") + "80");
    assert.equal(maskSecretsInBytes(bytes, ["none-here"]), bytes);
  });
});

// The ESP keys of the IMS security associations (TS 33.203 7.1, Annex I) from Milenage's CK and IK
// (TS 35.208 Test Set 1, as in milenage.test.ts), and the Security-* header fields of RFC 3329 2.2.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { describe, test } from "node:test";
import {
  deriveEspKeys,
  espEncryptionKey,
  espIntegrityKey,
  f2345,
  formatIpsec3gpp,
  isIpsecError,
  keyFingerprint,
  parseSecurityMechanisms,
  readIpsec3gpp,
  sameMechanisms,
} from "../../../src/sip/auth/index.ts";

const hex = (s: string): Buffer => Buffer.from(s, "hex");

// TS 35.208 4.3.1, Test Set 1: K, RAND, OPc and the f3 (CK) and f4 (IK) outputs
const K = hex("465b5ce8b199b49faa5f0a2ee238a6bc");
const RAND = hex("23553cbe9637a89d218ae64dae47bf35");
const OPC = hex("cd63cb71954a9f4e48a5994e37a02baf");
const CK = "b40ba9a3c58b2a05bbf0d987b21bf8cb";
const IK = "f769bcd751044604127672711c6d3441";

describe("ESP key expansion (TS 33.203 Annex I) from Milenage Test Set 1", () => {
  const { ck, ik } = f2345(K, OPC, RAND);

  test("Milenage gives Test Set 1's CK and IK", () => {
    assert.equal(ck.toString("hex"), CK);
    assert.equal(ik.toString("hex"), IK);
  });

  test("hmac-sha-1-96: IK_ESP is IK followed by 32 zero bits (160 bits)", () => {
    const k = espIntegrityKey("hmac-sha-1-96", ik);
    assert.equal(k.toString("hex"), `${IK}00000000`);
    assert.equal(k.length * 8, 160);
  });

  test("hmac-md5-96: IK_ESP is IK (128 bits)", () => {
    assert.equal(espIntegrityKey("hmac-md5-96", ik).toString("hex"), IK);
  });

  test("aes-cbc: CK_ESP is CK (128 bits); null encryption has no key", () => {
    assert.equal(espEncryptionKey("aes-cbc", ck).toString("hex"), CK);
    assert.equal(espEncryptionKey("null", ck).length, 0);
  });

  test("deriveEspKeys combines both; algorithm names are case-insensitive", () => {
    const k = deriveEspKeys("HMAC-SHA-1-96" as "hmac-sha-1-96", "AES-CBC" as "aes-cbc", ck, ik);
    assert.equal(k.integrityKey.toString("hex"), `${IK}00000000`);
    assert.equal(k.encryptionKey.toString("hex"), CK);
  });

  test("the 32 zero bits do not change HMAC-SHA-1 (RFC 2104 pads a short key with zeros): the expansion is the key length RFC 2404 asks for", () => {
    const data = Buffer.from("an ESP packet");
    assert.deepEqual(createHmac("sha1", espIntegrityKey("hmac-sha-1-96", ik)).update(data).digest(), createHmac("sha1", ik).update(data).digest());
  });

  test("a fingerprint shows 4 octets of the key's SHA-256 and the length, no octet of the key", () => {
    assert.equal(keyFingerprint(espIntegrityKey("hmac-sha-1-96", ik)), "sha256 23fa3f6e... (20 octets)");
    assert.equal(keyFingerprint(espEncryptionKey("aes-cbc", ck)), "sha256 7b40b294... (16 octets)");
    assert.equal(keyFingerprint(Buffer.alloc(0)), "none (0 octets)");
    assert.ok(!keyFingerprint(ik).includes(IK.slice(0, 8)));
  });

  test("a key of the wrong length or an unknown algorithm is refused without printing the key", () => {
    assert.throws(
      () => espIntegrityKey("hmac-sha-1-96", ik.subarray(0, 15)),
      (e: Error) => /IK must be 16 octets \(128 bits\), not 15/.test(e.message) && !e.message.includes(IK.slice(0, 8)),
    );
    assert.throws(() => espEncryptionKey("des-ede3-cbc" as "aes-cbc", ck), /no ESP encryption key expansion for ealg "des-ede3-cbc"/);
  });
});

describe("Security-Client, Security-Server, Security-Verify (RFC 3329 2.2, TS 33.203 7.1)", () => {
  const params = { alg: "hmac-sha-1-96", ealg: "aes-cbc", spiC: 1111, spiS: 2222, portC: 5071, portS: 5070 };

  test("an ipsec-3gpp mechanism formats and reads back", () => {
    const text = formatIpsec3gpp(params, { prot: "esp", mod: "trans" });
    assert.equal(text, "ipsec-3gpp;prot=esp;mod=trans;alg=hmac-sha-1-96;ealg=aes-cbc;spi-c=1111;spi-s=2222;port-c=5071;port-s=5070");
    const [m] = parseSecurityMechanisms([text]);
    assert.ok(m);
    assert.deepEqual(readIpsec3gpp(m), params);
  });

  test("several mechanisms on one line and on several; ealg absent reads as null", () => {
    const ms = parseSecurityMechanisms(["ipsec-3gpp;alg=hmac-md5-96;spi-c=1;spi-s=2;port-c=3;port-s=4, tls;q=0.2", "digest;d-alg=md5"]);
    assert.deepEqual(
      ms.map((m) => m.name),
      ["ipsec-3gpp", "tls", "digest"],
    );
    const p = readIpsec3gpp(ms[0]);
    assert.ok(!isIpsecError(p) && p.ealg === "null");
  });

  test("missing and malformed parameters are named", () => {
    const [m] = parseSecurityMechanisms(["ipsec-3gpp;ealg=null;spi-c=x;port-c=0;port-s=5060"]);
    const p = readIpsec3gpp(m);
    assert.ok(isIpsecError(p));
    assert.equal(p.error, "spi-c=x is not a number in 0..4294967295, spi-s missing, port-c=0 is not a number in 1..65535, alg missing");
  });

  test("Security-Verify equals Security-Server whatever the spacing and case, not when a parameter or the order differs", () => {
    const server = parseSecurityMechanisms(["ipsec-3gpp;alg=hmac-sha-1-96;spi-c=1;spi-s=2;port-c=3;port-s=4, tls;q=0.2"]);
    assert.ok(sameMechanisms(server, parseSecurityMechanisms(["ipsec-3gpp; ALG=HMAC-SHA-1-96; spi-c=1;spi-s=2;port-c=3;port-s=4", "tls;q=0.2"])));
    assert.ok(!sameMechanisms(server, parseSecurityMechanisms(["ipsec-3gpp;alg=hmac-sha-1-96;spi-c=1;spi-s=9;port-c=3;port-s=4, tls;q=0.2"])));
    assert.ok(!sameMechanisms(server, parseSecurityMechanisms(["tls;q=0.2, ipsec-3gpp;alg=hmac-sha-1-96;spi-c=1;spi-s=2;port-c=3;port-s=4"])));
  });
});

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { formatChallenge, formatCredentials, parseAuthParams } from "../../../src/sip/auth/challenge.ts";
import { DigestClient } from "../../../src/sip/auth/digest.ts";
import { verifyDigest } from "../../../src/sip/auth/digest-verify.ts";
import {
  akaAlgorithm,
  akaDigestPassword,
  akaNonce,
  akaRespond,
  akaRespondOptions,
  generateAuthVector,
  initialAuthorization,
  macFailureAuthorization,
  parseAkaNonce,
  resynchronise,
  sqnToBigInt,
  sqnToBuffer,
} from "../../../src/sip/auth/aka.ts";

const hex = (s: string): Buffer => Buffer.from(s, "hex");

// 3GPP TS 35.208 4.3.1 Test Set 1
const K = hex("465b5ce8b199b49faa5f0a2ee238a6bc");
const OPC = hex("cd63cb71954a9f4e48a5994e37a02baf");
const RAND = hex("23553cbe9637a89d218ae64dae47bf35");
const SQN = hex("ff9bb4d0b607");
const AMF = hex("b9b9");

const REALM = "ims.mnc001.mcc001.3gppnetwork.org";
const IMPI = `001010000000001@${REALM}`;
const REGISTER = { method: "REGISTER", uri: `sip:${REALM}` };

describe("generateAuthVector (TS 33.102 6.3.2)", () => {
  test("Test Set 1: AUTN = (SQN xor AK) || AMF || MAC-A, XRES/CK/IK from f2/f3/f4", () => {
    const v = generateAuthVector({ k: K, opc: OPC, amf: AMF, sqn: SQN, rand: RAND });
    // SQN xor AK = ff9bb4d0b607 xor aa689c648370 = 55f328b43577
    assert.equal(v.autn.toString("hex"), "55f328b43577b9b94a9ffac354dfafb3");
    assert.equal(v.xres.toString("hex"), "a54211d5e3ba50bf");
    assert.equal(v.ck.toString("hex"), "b40ba9a3c58b2a05bbf0d987b21bf8cb");
    assert.equal(v.ik.toString("hex"), "f769bcd751044604127672711c6d3441");
    assert.deepEqual(v.rand, RAND);
  });

  test("Test Set 19 AUTN, with SQN given as a number", () => {
    const v = generateAuthVector({
      k: hex("5122250214c33e723a5dd523fc145fc0"),
      opc: hex("981d464c7c52eb6e5036234984ad0bcf"),
      amf: hex("c3ab"),
      sqn: 0x16f3b3f70fc2,
      rand: hex("81e92b6c0ee0e12ebceba8d92a99dfa5"),
    });
    assert.equal(v.autn.toString("hex"), "bb52e91c747ac3ab2a5c23d15ee351d5");
  });

  test("draws RAND from the injected random source", () => {
    const v = generateAuthVector({ k: K, opc: OPC, amf: AMF, sqn: 1, random: (n) => Buffer.alloc(n, 0x5a) });
    assert.equal(v.rand.toString("hex"), "5a".repeat(16));
  });

  test("RFC 3310 3.2 nonce = base64(RAND || AUTN || server data) and back", () => {
    const v = generateAuthVector({ k: K, opc: OPC, amf: AMF, sqn: SQN, rand: RAND });
    const nonce = akaNonce(v.rand, v.autn, Buffer.from("srv"));
    assert.equal(nonce, Buffer.concat([RAND, hex("55f328b43577b9b94a9ffac354dfafb3"), Buffer.from("srv")]).toString("base64"));
    const parts = parseAkaNonce(nonce);
    assert.ok(parts);
    assert.deepEqual([parts.rand, parts.autn, parts.serverData.toString()], [v.rand, v.autn, "srv"]);
    assert.equal(parseAkaNonce("bm9uY2U="), undefined); // too short
    assert.equal(parseAkaNonce("not base64!"), undefined);
  });
});

/** Runs network -> UE -> network for one AKA version and returns the pieces for further checks. */
function roundTrip(version: 1 | 2) {
  const sqn = 0x000000001240n;
  const vector = generateAuthVector({ k: K, opc: OPC, amf: AMF, sqn, rand: RAND });
  const algorithm = akaAlgorithm(version);
  const challengeText = formatChallenge({
    scheme: "Digest",
    params: { realm: REALM, nonce: akaNonce(vector.rand, vector.autn), algorithm, qop: "auth" },
  });
  const challenge = parseAuthParams(challengeText);
  const usim = akaRespond({ k: K, opc: OPC, nonce: challenge.params["nonce"] ?? "", sqnMs: sqn - 32n });
  assert.equal(usim.kind, "ok");
  const options = akaRespondOptions(usim, version);
  assert.ok(options);
  const client = new DigestClient({ username: IMPI, cnonce: () => "0a4f113b" });
  const answer = client.respond(challenge, REGISTER, options);
  assert.equal(answer.kind, "credentials");
  if (answer.kind !== "credentials") throw new Error("no credentials");
  return { vector, usim, answer, algorithm, nonce: challenge.params["nonce"] ?? "" };
}

describe("IMS AKA round trip (RFC 3310 / RFC 4169)", () => {
  for (const version of [1, 2] as const) {
    test(`AKAv${version}-MD5: the S-CSCF verifies the UE's response with XRES`, () => {
      const { vector, usim, answer, algorithm, nonce } = roundTrip(version);
      assert.equal(usim.kind === "ok" && usim.res.toString("hex"), "a54211d5e3ba50bf");
      assert.equal(usim.kind === "ok" && usim.sqn.toString("hex"), "000000001240");
      assert.equal(usim.kind === "ok" && usim.ck.toString("hex"), vector.ck.toString("hex"));
      assert.equal(usim.kind === "ok" && usim.ik.toString("hex"), vector.ik.toString("hex"));
      const params = parseAuthParams(answer.value).params;
      assert.equal(params["algorithm"], algorithm);
      const expect = { method: "REGISTER", realm: REALM, nonce, algorithm, username: IMPI };
      const password = akaDigestPassword(version, vector.xres, vector.ik, vector.ck);
      assert.deepEqual(verifyDigest(params, { ...expect, password }), { ok: true, qop: "auth", nc: 1 });
      // A wrong XRES (e.g. another subscriber's vector) is refused.
      const wrong = akaDigestPassword(version, hex("a54211d5e3ba50be"), vector.ik, vector.ck);
      assert.equal(verifyDigest(params, { ...expect, password: wrong }).ok, false);
    });
  }

  test("AKAv1 password is RES as raw octets: HA1 = MD5(IMPI:realm:RES)", () => {
    const { answer, nonce } = roundTrip(1);
    const ha1 = createHash("md5").update(`${IMPI}:${REALM}:`).update(hex("a54211d5e3ba50bf")).digest("hex");
    const ha2 = createHash("md5").update(`REGISTER:sip:${REALM}`).digest("hex");
    const expected = createHash("md5").update(`${ha1}:${nonce}:00000001:0a4f113b:auth:${ha2}`).digest("hex");
    assert.equal(answer.credentials.params["response"], expected);
  });

  test('AKAv2 password is base64(HMAC-MD5(RES||IK||CK, "http-digest-akav2-password")) (RFC 4169 3)', () => {
    const res = hex("a54211d5e3ba50bf");
    const ck = hex("b40ba9a3c58b2a05bbf0d987b21bf8cb");
    const ik = hex("f769bcd751044604127672711c6d3441");
    const password = akaDigestPassword(2, res, ik, ck);
    const prf = createHmac("md5", Buffer.concat([res, ik, ck]))
      .update("http-digest-akav2-password")
      .digest();
    assert.equal(password.toString("ascii"), prf.toString("base64"));
    assert.equal(password.length, 24);
    assert.deepEqual(akaDigestPassword(1, res, ik, ck), res);
  });
});

describe("akaRespond failures (TS 33.102 6.3.3)", () => {
  const vector = generateAuthVector({ k: K, opc: OPC, amf: AMF, sqn: SQN, rand: RAND });
  const nonce = akaNonce(vector.rand, vector.autn);

  test("MAC failure when the USIM's K differs", () => {
    const otherK = Buffer.from(K);
    otherK[0] = (otherK[0] ?? 0) ^ 1;
    assert.deepEqual(akaRespond({ k: otherK, opc: OPC, nonce, sqnMs: 0 }), { kind: "mac-failure" });
  });

  test("MAC failure when AUTN is tampered with", () => {
    const autn = Buffer.from(vector.autn);
    autn[7] = (autn[7] ?? 0) ^ 0x80; // AMF bit
    assert.deepEqual(akaRespond({ k: K, opc: OPC, nonce: akaNonce(RAND, autn), sqnMs: 0 }), { kind: "mac-failure" });
  });

  test("an unusable nonce is reported, not thrown", () => {
    assert.equal(akaRespond({ k: K, opc: OPC, nonce: "", sqnMs: 0 }).kind, "invalid-nonce");
  });

  test("MAC failure answer: empty response and no auts (TS 24.229 5.1.1.5.3)", () => {
    const c = macFailureAuthorization({ username: IMPI, realm: REALM, nonce: "bm9u", uri: `sip:${REALM}`, algorithm: "AKAv1-MD5" });
    assert.equal(formatCredentials(c), `Digest username="${IMPI}", realm="${REALM}", nonce="bm9u", uri="sip:${REALM}", response="", algorithm=AKAv1-MD5`);
  });

  test("sync failure when SQN is not fresh; AUTS = (SQNms xor AK*) || f1*(SQNms, AMF=0)", () => {
    const sqnMs = hex("ff9bb4d0b607"); // equal to the received SQN: a replay
    const r = akaRespond({ k: K, opc: OPC, nonce, sqnMs });
    assert.equal(r.kind, "sync-failure");
    if (r.kind !== "sync-failure") return;
    assert.equal(r.sqn.toString("hex"), "ff9bb4d0b607");
    // ff9bb4d0b607 xor f5* of Test Set 1 (451e8beca43b)
    assert.equal(r.auts.subarray(0, 6).toString("hex"), "ba853f3c123c");
    const back = resynchronise({ k: K, opc: OPC, rand: RAND, auts: r.auts });
    assert.deepEqual(back, { ok: true, sqnMs });
  });

  test("a SQN beyond the window Δ is a sync failure, within it is accepted", () => {
    assert.equal(akaRespond({ k: K, opc: OPC, nonce, sqnMs: sqnToBigInt(SQN) - 10n, delta: 5 }).kind, "sync-failure");
    assert.equal(akaRespond({ k: K, opc: OPC, nonce, sqnMs: sqnToBigInt(SQN) - 10n, delta: 10 }).kind, "ok");
    assert.equal(akaRespond({ k: K, opc: OPC, nonce, sqnMs: sqnToBigInt(SQN) + 1n }).kind, "sync-failure");
  });
});

describe("resynchronise (TS 33.102 6.3.5)", () => {
  // Test Set 20 keys and RAND; AUTS values from hostap's tests/test-milenage.c.
  const K20 = hex("90dca4eda45b53cf0f12d7c9c3bc6a89");
  const OPC20 = hex("cb9cccc4b9258e6dca4760379fb82581");
  const RAND20 = hex("9fddc72092c6ad036b6e464789315b78");

  test("accepts a known AUTS and recovers SQNms = 1", () => {
    const r = resynchronise({ k: K20, opc: OPC20, rand: RAND20, auts: hex("4f2039392ddd4bb4316ed4a14688") });
    assert.deepEqual(r, { ok: true, sqnMs: hex("000000000001") });
  });

  test("accepts the AUTS of a real test USIM", () => {
    const r = resynchronise({ k: K20, opc: OPC20, rand: Buffer.alloc(16, 0xaa), auts: hex("43681ad3daf006bcde405a207267") });
    assert.equal(r.ok, true);
  });

  test("rejects a bad MAC-S or a wrong length", () => {
    assert.deepEqual(resynchronise({ k: K20, opc: OPC20, rand: RAND20, auts: hex("4f2039392ddd4bb4316ed4a14689") }), {
      ok: false,
      reason: "mac-failure",
    });
    assert.deepEqual(resynchronise({ k: K20, opc: OPC20, rand: RAND20, auts: hex("4f2039392ddd4bb4316ed4a146") }), {
      ok: false,
      reason: "invalid-auts",
    });
  });

  test("full resync: UE sends auts with an empty-password response, HSS recovers SQNms, next vector is accepted", () => {
    const sqnMs = 0x000000002000n;
    const stale = generateAuthVector({ k: K, opc: OPC, amf: AMF, sqn: 0x000000000fe0n, rand: RAND });
    const challenge = parseAuthParams(
      formatChallenge({
        scheme: "Digest",
        params: { realm: REALM, nonce: akaNonce(stale.rand, stale.autn), algorithm: "AKAv1-MD5", qop: "auth" },
      }),
    );
    const usim = akaRespond({ k: K, opc: OPC, nonce: challenge.params["nonce"] ?? "", sqnMs });
    assert.equal(usim.kind, "sync-failure");
    const options = akaRespondOptions(usim, 1);
    assert.ok(options && options.auts !== undefined);
    const answer = new DigestClient({ username: IMPI, cnonce: () => "c" }).respond(challenge, REGISTER, options);
    assert.equal(answer.kind, "credentials");
    if (answer.kind !== "credentials") return;
    assert.match(answer.value, /, auts="[A-Za-z0-9+/]{18}[A-Za-z0-9+/=]{2}"$/);
    const params = parseAuthParams(answer.value).params;
    // RFC 3310 3.4: the response is computed with an empty password.
    assert.equal(verifyDigest(params, { method: "REGISTER", password: "" }).ok, true);
    const back = resynchronise({ k: K, opc: OPC, rand: stale.rand, auts: Buffer.from(params["auts"] ?? "", "base64") });
    assert.equal(back.ok && sqnToBigInt(back.sqnMs), sqnMs);
    const fresh = generateAuthVector({ k: K, opc: OPC, amf: AMF, sqn: sqnMs + 32n, rand: hex("00112233445566778899aabbccddeeff") });
    const again = akaRespond({ k: K, opc: OPC, nonce: akaNonce(fresh.rand, fresh.autn), sqnMs });
    assert.equal(again.kind === "ok" && again.res.toString("hex"), fresh.xres.toString("hex"));
  });
});

describe("initialAuthorization (TS 24.229 5.1.1.2.1)", () => {
  test("empty quoted nonce and response", () => {
    const c = initialAuthorization({ username: IMPI, realm: REALM, uri: `sip:${REALM}` });
    assert.equal(formatCredentials(c), `Digest username="${IMPI}", realm="${REALM}", nonce="", uri="sip:${REALM}", response=""`);
    assert.deepEqual(parseAuthParams(formatCredentials(c)).params, { username: IMPI, realm: REALM, nonce: "", uri: `sip:${REALM}`, response: "" });
  });
});

describe("SQN helpers and input checks", () => {
  test("sqnToBuffer / sqnToBigInt", () => {
    assert.equal(sqnToBuffer(1).toString("hex"), "000000000001");
    assert.equal(sqnToBuffer(0xffffffffffffn).toString("hex"), "ffffffffffff");
    assert.equal(sqnToBigInt(hex("ff9bb4d0b607")), 0xff9bb4d0b607n);
    assert.throws(() => sqnToBuffer(1n << 48n), RangeError);
    assert.throws(() => sqnToBuffer(-1), RangeError);
    assert.throws(() => sqnToBuffer(Buffer.alloc(5)), RangeError);
  });

  test("errors name the input, never the key material", () => {
    const secretHex = K.toString("hex");
    for (const fn of [
      () => generateAuthVector({ k: K, opc: OPC, amf: hex("b9"), sqn: 1, rand: RAND }),
      () => generateAuthVector({ k: K.subarray(1), opc: OPC, amf: AMF, sqn: 1, rand: RAND }),
      () => akaRespond({ k: K, opc: OPC.subarray(2), nonce: akaNonce(RAND, RAND), sqnMs: 0 }),
    ]) {
      assert.throws(fn, (e: unknown) => e instanceof RangeError && !e.message.includes(secretHex) && !e.message.includes("cd63cb71"));
    }
  });
});

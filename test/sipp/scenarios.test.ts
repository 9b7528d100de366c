import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { akaNonce, akaV1Md5Response, MILENAGE_TEST_SET_1, registrarAkaKeys, registrarDigestKeys, sippScenario } from "./scenarios.ts";
import type { SippScenarioName } from "./scenarios.ts";

// Value SIPp 3.6.1 itself computed (uac-register-aka.xml, -au alice@ims.example.test,
// -auth_uri ims.example.test) for the test set 1 challenge below.
const SIPP_AKA_RESPONSE = "14306759c7c3118368feef84efcf1341";
const TEST_SET_1_NONCE = "I1U8vpY3qJ0hiuZNrke/NVXzKLQ1d7m5Sp/6w1Tfr7M=";

describe("AKA challenge values", () => {
  test("nonce is base64(RAND || SQN^AK || AMF || MAC-A) of test set 1", () => {
    assert.equal(akaNonce(MILENAGE_TEST_SET_1), TEST_SET_1_NONCE);
    const raw = Buffer.from(TEST_SET_1_NONCE, "base64").toString("hex");
    assert.equal(raw, "23553cbe9637a89d218ae64dae47bf35" + "55f328b43577" + "b9b9" + "4a9ffac354dfafb3");
  });

  test("AKAv1-MD5 response matches the one SIPp computed", () => {
    const response = akaV1Md5Response({
      username: "alice@ims.example.test",
      realm: "ims.example.test",
      nonce: TEST_SET_1_NONCE,
      method: "REGISTER",
      uri: "sip:ims.example.test",
      res: MILENAGE_TEST_SET_1.res,
    });
    assert.equal(response, SIPP_AKA_RESPONSE);
  });

  test("registrarAkaKeys carries the nonce and the expected response", () => {
    assert.deepEqual(registrarAkaKeys({ uri: "sip:ims.example.test" }), {
      aka_nonce: TEST_SET_1_NONCE,
      aka_response: SIPP_AKA_RESPONSE,
    });
    assert.notEqual(registrarAkaKeys({ uri: "sip:ims.example.test", username: "bob@ims.example.test" }).aka_response, SIPP_AKA_RESPONSE);
  });

  test("registrarDigestKeys defaults to the test identity", () => {
    assert.deepEqual(registrarDigestKeys(), { auth_user: "alice@ims.example.test", auth_pass: "secret-digest-1" });
  });
});

describe("scenario files", () => {
  const names: SippScenarioName[] = [
    "registrar-digest",
    "registrar-aka",
    "uac-register-digest",
    "uac-register-aka",
    "uas-prack",
    "uac-prack",
    "uas-update",
    "uac-update",
    "uas-cancel",
    "uac-cancel",
    "uas-message",
    "uac-message",
    "uas-silent",
  ];
  for (const name of names) {
    test(`${name}.xml starts with a header comment naming itself`, () => {
      const xml = readFileSync(sippScenario(name), "utf8");
      assert.match(xml, /^<\?xml version="1\.0" encoding="ISO-8859-1" \?>\n<!DOCTYPE scenario SYSTEM "sipp\.dtd">\n<!--\n/);
      assert.ok(xml.includes(`  ${name}.xml: `), `${name}.xml names itself in its header`);
      assert.match(xml, /<scenario name="[^"]+">[^]*<\/scenario>\s*$/);
    });
  }

  test("an unknown scenario name throws", () => {
    assert.throws(() => sippScenario("no-such-scenario" as SippScenarioName), /no-such-scenario\.xml is missing/);
  });
});

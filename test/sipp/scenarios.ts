// The SIPp scenario files of this folder and the values their keys take.
// Each XML file documents its flow and keys in its header comment.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const SIPP_SCENARIO_DIR = fileURLToPath(new URL(".", import.meta.url));

export type SippScenarioName =
  | "registrar-digest"
  | "registrar-aka"
  | "uac-register-digest"
  | "uac-register-aka"
  | "uas-prack"
  | "uac-prack"
  | "uas-update"
  | "uac-update"
  | "uas-cancel"
  | "uac-cancel"
  | "uas-message"
  | "uac-message"
  | "uas-silent";

/** Absolute path of test/sipp/<name>.xml. */
export function sippScenario(name: SippScenarioName): string {
  const path = fileURLToPath(new URL(`./${name}.xml`, import.meta.url));
  if (!existsSync(path)) throw new Error(`SIPp scenario ${name}.xml is missing from ${SIPP_SCENARIO_DIR}`);
  return path;
}

/** Home domain, digest realm and default identities used by the scenarios. */
export const IMS_DOMAIN = "ims.example.test";
export const TEST_PRIVATE_ID = "alice@ims.example.test";
export const TEST_DIGEST_PASSWORD = "secret-digest-1";

/** 3GPP TS 35.207 4.3 / TS 35.208 4.3, Test Set 1 (Milenage), hex. */
export const MILENAGE_TEST_SET_1 = Object.freeze({
  k: "465b5ce8b199b49faa5f0a2ee238a6bc",
  op: "cdc202d5123e20f62b6d676ac72cb318",
  opc: "cd63cb71954a9f4e48a5994e37a02baf",
  rand: "23553cbe9637a89d218ae64dae47bf35",
  sqn: "ff9bb4d0b607",
  amf: "b9b9",
  macA: "4a9ffac354dfafb3", // f1
  res: "a54211d5e3ba50bf", // f2
  ck: "b40ba9a3c58b2a05bbf0d987b21bf8cb", // f3
  ik: "f769bcd751044604127672711c6d3441", // f4
  ak: "aa689c648370", // f5
});

export interface AkaVector {
  rand: string;
  sqn: string;
  ak: string;
  amf: string;
  macA: string;
}

/** TS 33.102 6.3.3: AUTN = (SQN xor AK) || AMF || MAC-A;
 *  RFC 3310 3.1: nonce = base64(RAND || AUTN). */
export function akaNonce(v: AkaVector): string {
  const sqn = Buffer.from(v.sqn, "hex");
  const ak = Buffer.from(v.ak, "hex");
  const concealed = Buffer.from(sqn.map((b, i) => b ^ ak[i]));
  const autn = Buffer.concat([concealed, Buffer.from(v.amf, "hex"), Buffer.from(v.macA, "hex")]);
  return Buffer.concat([Buffer.from(v.rand, "hex"), autn]).toString("base64");
}

const md5 = (data: string | Buffer): string => createHash("md5").update(data).digest("hex");

/** RFC 3310 3.3 with RFC 2617 3.2.2.1 and no qop: the AKAv1-MD5 digest
 *  response, where the password is RES as raw octets. */
export function akaV1Md5Response(p: {
  username: string;
  realm: string;
  nonce: string;
  method: string;
  uri: string;
  /** RES, hex. */
  res: string;
}): string {
  const ha1 = md5(Buffer.concat([Buffer.from(`${p.username}:${p.realm}:`), Buffer.from(p.res, "hex")]));
  const ha2 = md5(`${p.method}:${p.uri}`);
  return md5(`${ha1}:${p.nonce}:${ha2}`);
}

/** -key values for registrar-digest.xml. */
export function registrarDigestKeys(username: string = TEST_PRIVATE_ID, password: string = TEST_DIGEST_PASSWORD): Record<string, string> {
  return { auth_user: username, auth_pass: password };
}

/** -key values for registrar-aka.xml with Milenage test set 1: the challenge
 *  nonce and the response expected from a UE that answers with `username`
 *  and digest uri `uri` (e.g. "sip:ims.example.test"). */
export function registrarAkaKeys(p: { username?: string; uri: string }): Record<string, string> {
  const nonce = akaNonce(MILENAGE_TEST_SET_1);
  const response = akaV1Md5Response({
    username: p.username ?? TEST_PRIVATE_ID,
    realm: IMS_DOMAIN,
    nonce,
    method: "REGISTER",
    uri: p.uri,
    res: MILENAGE_TEST_SET_1.res,
  });
  return { aka_nonce: nonce, aka_response: response };
}

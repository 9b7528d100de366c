// Proofs of the requirements on the REGISTER requests of a UE under test
// (src/conformance/requirements/ue-register.ts): the harness's network receives them, with the
// 401s and 2xx it sent before.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type Received, proveViolation, violatedBy } from "../requirement-fixtures.ts";

type Change = (lines: string[]) => string[];
const same: Change = (l) => l;
const replace =
  (prefix: string, ...lines: string[]): Change =>
  (l) =>
    l.flatMap((x) => (x.startsWith(prefix) ? lines : [x]));
const drop = (prefix: string): Change => replace(prefix);

const INITIAL_AUTH = 'Authorization: Digest username="alice.private@ims.example.test", realm="ims.example.test", uri="sip:ims.example.test", nonce="", response=""';
const NONCE = "bm9uY2UtMQ==";
const ANSWER_AUTH = `Authorization: Digest username="alice.private@ims.example.test", realm="ims.example.test", uri="sip:ims.example.test", nonce="${NONCE}", response="6629fae49393a05397450978507c4ef1", algorithm=MD5, qop=auth, nc=00000001, cnonce="0a4f113b"`;

/** A REGISTER of the UE under test (CSeq `cseq`), registering its contact for 600000 s; `change` edits the lines. */
function register(cseq: number, auth: string, change: Change = same): string {
  return change([
    "REGISTER sip:ims.example.test SIP/2.0",
    `Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-ue-reg-${cseq};rport`,
    "Max-Forwards: 70",
    "From: <sip:alice@ims.example.test>;tag=ue-ft1",
    "To: <sip:alice@ims.example.test>",
    "Call-ID: ue-reg-1",
    `CSeq: ${cseq} REGISTER`,
    "Contact: <sip:alice@127.0.0.1:5070>;expires=600000",
    "Expires: 600000",
    "Supported: path",
    auth,
  ]).join("\n");
}

/** The network's response to REGISTER number `cseq`: status line, the copied headers, then `extra`. */
function response(cseq: number, status: string, extra: string[]): string {
  return [
    `SIP/2.0 ${status}`,
    `Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-ue-reg-${cseq};rport=5070;received=127.0.0.1`,
    "From: <sip:alice@ims.example.test>;tag=ue-ft1",
    "To: <sip:alice@ims.example.test>;tag=nw-tt1",
    "Call-ID: ue-reg-1",
    `CSeq: ${cseq} REGISTER`,
    ...extra,
  ].join("\n");
}

const CHALLENGE = response(1, "401 Unauthorized", [`WWW-Authenticate: Digest realm="ims.example.test", nonce="${NONCE}", algorithm=MD5, qop="auth"`]);
const OK = response(2, "200 OK", ["Contact: <sip:alice@127.0.0.1:5070>;expires=600000", "Service-Route: <sip:orig@scscf.ims.example.test:6060;lr>", "P-Associated-URI: <sip:alice@ims.example.test>"]);

/** The first REGISTER (no challenge yet), edited by `change`. */
const initial = (change: Change = same): Received[] => [{ message: register(1, INITIAL_AUTH, change) }];
/** The first REGISTER, the network's 401, then the REGISTER answering it, edited by `change`. */
const answered = (change: Change = same, auth = ANSWER_AUTH): Received[] => [{ message: register(1, INITIAL_AUTH) }, { message: register(2, auth, change), sent: [CHALLENGE] }];

describe("requirements on the REGISTER of a UE under test (TS 24.229 5.1.1.2.1, 5.1.1.4.1, RFC 3261 10.2, 22.2)", () => {
  proveViolation("ue-register.supported-path", { binds: "ue", good: initial(), bad: initial(drop("Supported:")), note: "no Supported: path" });
  proveViolation("ue-register.expires", {
    binds: "ue",
    good: initial(replace("Expires:", "Expires: 3600")),
    bad: initial((l) => replace("Expires:", "Expires: 3600")(replace("Contact:", "Contact: <sip:alice@127.0.0.1:5070>")(l))),
    note: "Expires: 3600 and no expires parameter",
  });
  proveViolation("ue-register.contact", { binds: "ue", good: initial(), bad: initial(replace("Contact:", "Contact: <tel:+15551230001>;expires=600000")), note: "a tel: contact" });
  proveViolation("ue-register.authorization", { binds: "ue", good: answered(), bad: answered(same, "Max-Forwards: 70"), note: "a REGISTER after the 401 without Authorization" });
  proveViolation("ue-register.initial-authorization", {
    binds: "ue",
    good: initial(),
    bad: initial(replace("Authorization:", INITIAL_AUTH.replace('response=""', 'response="00"'))),
    note: "a non-empty response before any challenge",
  });
  proveViolation("ue-register.challenge-answered", { binds: "ue", good: answered(), bad: answered(same, ANSWER_AUTH.replace(NONCE, "c3RhbGU=")), note: "a nonce not the 401's" });

  test("a re-registration after the 200 keeps the last challenge's credentials; a de-registration is not asked for 600000 s", () => {
    const flow: Received[] = [...answered(), { message: register(3, ANSWER_AUTH.replace("00000001", "00000002")), sent: [OK] }];
    assert.deepEqual(violatedBy(flow, undefined, { binds: "ue" }), []);
    const dereg = register(3, ANSWER_AUTH.replace("00000001", "00000002"), (l) =>
      replace("Expires:", "Expires: 0")(replace("Contact:", "Contact: <sip:alice@127.0.0.1:5070>;expires=0")(drop("Supported:")(l))),
    );
    assert.deepEqual(violatedBy([...answered(), { message: dereg, sent: [OK] }], undefined, { binds: "ue" }), []);
    const star = register(3, ANSWER_AUTH, (l) => replace("Expires:", "Expires: 0")(replace("Contact:", "Contact: *")(l)));
    assert.deepEqual(violatedBy([...answered(), { message: star, sent: [OK] }], undefined, { binds: "ue" }), []);
  });

  test("ue-register.contact: no Contact, or * with a non-zero Expires", () => {
    assert.deepEqual(violatedBy(initial(drop("Contact:")), undefined, { binds: "ue" }), ["ue-register.contact"]);
    assert.deepEqual(violatedBy(initial(replace("Contact:", "Contact: *")), undefined, { binds: "ue" }), ["ue-register.contact"]);
  });

  test("ue-register.initial-authorization: a realm other than the Request-URI's host, a missing uri", () => {
    assert.deepEqual(violatedBy(initial(replace("Authorization:", INITIAL_AUTH.replace('realm="ims.example.test"', 'realm="other.test"'))), undefined, { binds: "ue" }), [
      "ue-register.initial-authorization",
    ]);
    assert.deepEqual(violatedBy(initial(replace("Authorization:", INITIAL_AUTH.replace(' uri="sip:ims.example.test",', ""))), undefined, { binds: "ue" }), ["ue-register.initial-authorization"]);
  });

  test("ue-register.challenge-answered: qop without nc and cnonce, an empty response", () => {
    const noNc = ANSWER_AUTH.replace(", nc=00000001", "").replace(', cnonce="0a4f113b"', "");
    assert.deepEqual(violatedBy(answered(same, noNc), undefined, { binds: "ue" }), ["ue-register.challenge-answered"]);
    assert.deepEqual(violatedBy(answered(same, ANSWER_AUTH.replace('response="6629fae49393a05397450978507c4ef1"', 'response=""')), undefined, { binds: "ue" }), ["ue-register.challenge-answered"]);
  });

  test("the REGISTER requirements do not run for a simulated UE (they bind the UE under test)", () => {
    assert.deepEqual(violatedBy(initial(drop("Supported:"))), []);
  });
});

// IMS-ROB-001's table of the RFC 4475 torture messages: every message of the fixtures once, in the
// RFC's sections; addressing a message at the SUT changes its Request-URI and top Via only; the
// judging follows the table (a rejection where the RFC asks one, processing of valid messages,
// silence for responses).
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { describe, test } from "node:test";
import { TORTURE_DIRECTORY, TORTURE_MESSAGES, type TortureMessage, addressTortureMessage, answers, judgeTorture, readTortureMessage, tortureKeys } from "../../src/conformance/torture.ts";
import { type SipResponse, isRequest, parseMessage } from "../../src/sip/message/index.ts";

const A = { sender: { host: "127.0.0.1", port: 40123 }, domain: "ims.example.test", userB: "bob" };

function message(name: string): TortureMessage {
  const m = TORTURE_MESSAGES.find((x) => x.name === name);
  assert.ok(m, name);
  return m;
}

function addressed(name: string): string {
  const m = message(name);
  return addressTortureMessage(readTortureMessage(m), m, A).toString("latin1");
}

function response(text: string): SipResponse {
  const r = parseMessage(Buffer.from(text.replace(/\n/g, "\r\n"), "latin1"));
  if (!r.ok || r.message.kind !== "response") assert.fail(`not a response: ${text}`);
  return r.message;
}

const ok400 = (): SipResponse => response("SIP/2.0 400 Bad Request\nVia: SIP/2.0/UDP 127.0.0.1:40123\nCall-ID: x\nCSeq: 1 INVITE\nContent-Length: 0\n\n");
const ok200 = (method = "INVITE"): SipResponse => response(`SIP/2.0 200 OK\nVia: SIP/2.0/UDP 127.0.0.1:40123\nCall-ID: x\nCSeq: 1 ${method}\nContent-Length: 0\n\n`);

describe("the table of RFC 4475 messages", () => {
  test("has each of the 49 fixtures once, in sections 3.1.1 to 3.4.1", () => {
    const files = readdirSync(TORTURE_DIRECTORY)
      .filter((f) => f.endsWith(".dat"))
      .map((f) => f.slice(0, -4))
      .sort();
    assert.equal(TORTURE_MESSAGES.length, 49);
    assert.deepEqual(TORTURE_MESSAGES.map((m) => m.name).sort(), files);
    assert.equal(new Set(TORTURE_MESSAGES.map((m) => m.section)).size, 49);
    const count = (prefix: string): number => TORTURE_MESSAGES.filter((m) => m.section.startsWith(prefix)).length;
    assert.deepEqual([count("3.1.1."), count("3.1.2."), count("3.2."), count("3.3."), count("3.4.")], [13, 19, 1, 15, 1]);
  });

  test("3.1.1 messages are valid, 3.1.2 invalid; responses are to be dropped, requests are not", () => {
    for (const m of TORTURE_MESSAGES) {
      if (m.section.startsWith("3.1.1.")) assert.equal(m.valid, true, m.name);
      if (m.section.startsWith("3.1.2.")) assert.equal(m.valid, false, m.name);
      const first = readTortureMessage(m).toString("latin1", 0, 8);
      assert.equal(m.kind, first.startsWith("SIP/") ? "response" : "request", m.name);
      assert.equal(m.expect.kind === "drop", m.kind === "response", m.name);
      // a valid request is never required to be rejected as malformed
      if (m.valid && m.expect.kind === "reject") assert.ok(!m.expect.statuses.includes(400) || m.name === "unksm2", m.name);
    }
  });
});

describe("addressing a message at the SUT", () => {
  test("wsinv: Request-URI to UE-B at the domain, the folded top Via's sent-by to the sender; nothing else changes", () => {
    const original = readTortureMessage(message("wsinv")).toString("latin1");
    const text = addressed("wsinv");
    assert.ok(text.startsWith("INVITE sip:bob@ims.example.test;unknownparam SIP/2.0\r\n"));
    assert.ok(text.includes("Via  : SIP  /   2.0\r\n /UDP\r\n    127.0.0.1:40123;branch=390skdjuw\r\n"));
    const expected = original
      .replace("INVITE sip:vivekg@chair-dnrc.example.com;unknownparam", "INVITE sip:bob@ims.example.test;unknownparam")
      .replace("    192.0.2.2;branch=390skdjuw", "    127.0.0.1:40123;branch=390skdjuw");
    assert.equal(text, expected);
    // the body is untouched: Content-Length still frames it
    const r = parseMessage(Buffer.from(text, "latin1"));
    assert.ok(r.ok && r.message.body.length === 150);
  });

  test("the torture in a user part is kept: only the host becomes the domain", () => {
    assert.ok(
      addressed("intmeth").startsWith(
        "!interesting-Method0123456789_*+`.%indeed'~ sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@ims.example.test SIP/2.0\r\n",
      ),
    );
    assert.ok(addressed("esc01").startsWith("INVITE sip:sips%3Auser%40example.com@ims.example.test SIP/2.0\r\n"));
    assert.ok(addressed("semiuri").startsWith("OPTIONS sip:user;par=u%40example.net@ims.example.test SIP/2.0\r\n"));
  });

  test("the Request-URI's defect is kept where it is the torture; a TCP or TLS top Via says UDP, as the message is sent", () => {
    assert.ok(addressed("ltgtruri").startsWith("INVITE <sip:bob@ims.example.test> SIP/2.0\r\n"));
    assert.ok(addressed("lwsruri").startsWith("INVITE sip:bob@ims.example.test; lr SIP/2.0\r\n"));
    assert.ok(addressed("lwsstart").startsWith("INVITE  sip:bob@ims.example.test  SIP/2.0\r\n"));
    assert.ok(addressed("trws").startsWith("OPTIONS sip:bob@ims.example.test SIP/2.0  \r\n"));
    assert.ok(addressed("unkscm").startsWith("OPTIONS nobodyKnowsThisScheme:totallyopaquecontent SIP/2.0\r\n"));
    assert.ok(addressed("novelsc").startsWith("OPTIONS soap.beep://192.0.2.103:3002 SIP/2.0\r\n"));
    assert.ok(addressed("escnull").startsWith("REGISTER sip:ims.example.test SIP/2.0\r\n"));
    assert.ok(addressed("intmeth").includes("\r\nVia: SIP/2.0/UDP 127.0.0.1:40123;branch=z9hG4bK-.!%66*_+`'~\r\n"));
    assert.ok(addressed("badinv01").includes("\r\nVia: SIP/2.0/UDP 127.0.0.1:40123;;,;,,\r\n"));
    assert.ok(addressed("badvers").includes("\r\nVia:     SIP/7.0/UDP 127.0.0.1:40123;branch=z9hG4bKkdjuw\r\n"));
    assert.ok(addressed("mpart01").includes("\r\nVia: SIP/2.0/UDP 127.0.0.1:40123;branch=z9hG4bK-d87543-4dade06d0bdb11ee-1--d87543-;rport\r\n"));
  });

  test("dblreq: only the REGISTER's Via changes, the trailing INVITE octets stay as they were", () => {
    const text = addressed("dblreq");
    assert.ok(text.includes("Via: SIP/2.0/UDP 127.0.0.1:40123;branch=z9hG4bKkdjuw23492\r\n"));
    assert.ok(text.includes("Via: SIP/2.0/UDP 192.0.2.15;branch=z9hG4bKkdjuw380234\r\n"));
  });

  test("responses are sent as the RFC gives them, and lengths only change by the rewritten lines", () => {
    for (const m of TORTURE_MESSAGES) {
      const before = readTortureMessage(m);
      const after = addressTortureMessage(before, m, A);
      if (m.kind === "response") assert.ok(after.equals(before), m.name);
      // the body (after the first empty line) is never touched
      const body = (b: Buffer): Buffer => b.subarray(b.indexOf("\r\n\r\n"));
      if (before.includes("\r\n\r\n")) assert.ok(body(after).equals(body(before)), m.name);
      // every message that parsed as the RFC gave it still parses, as the same kind of message
      const p0 = parseMessage(before);
      const p1 = parseMessage(after);
      assert.equal(p1.ok, p0.ok, m.name);
      if (p0.ok && p1.ok) assert.equal(isRequest(p1.message), isRequest(p0.message), m.name);
    }
  });
});

describe("matching responses to a message", () => {
  test("by Call-ID, or by the top Via's branch when the response's Call-ID is missing", () => {
    const keys = tortureKeys(Buffer.from(addressed("badinv01"), "latin1"));
    assert.deepEqual(keys.callIds, ["badinv01.0ha0isndaksdjasdf3234nas"]);
    assert.ok(answers(Buffer.from("SIP/2.0 400 Bad Request\r\nVia: SIP/2.0/UDP 127.0.0.1:40123;;,;,,\r\nCall-ID: badinv01.0ha0isndaksdjasdf3234nas\r\nCSeq: 8 INVITE\r\n\r\n"), keys));
    const insuf = tortureKeys(Buffer.from(addressed("insuf"), "latin1"));
    assert.deepEqual(insuf, { callIds: [], branch: "z9hG4bKkdj.insuf" });
    assert.ok(answers(Buffer.from("SIP/2.0 400 Bad Request\r\nVia: SIP/2.0/UDP 127.0.0.1:40123;branch=z9hG4bKkdj.insuf\r\nCSeq: 193942 INVITE\r\n\r\n"), insuf));
    assert.ok(!answers(Buffer.from("SIP/2.0 400 Bad Request\r\nVia: SIP/2.0/UDP 127.0.0.1:40123;branch=z9hG4bKother\r\nCall-ID: other\r\n\r\n"), insuf));
    // the branch is the top Via value's: wsinv's is folded, longreq's top Via has none (a later one has)
    assert.equal(tortureKeys(Buffer.from(addressed("wsinv"), "latin1")).branch, "390skdjuw");
    assert.equal(tortureKeys(Buffer.from(addressed("longreq"), "latin1")).branch, undefined);
  });
});

describe("judging", () => {
  const waitedMs = 2000;
  test("an invalid request the RFC says to reject: 400 passes, silence and 200 fail with expected, received and clause", () => {
    const m = message("badinv01");
    assert.equal(judgeTorture(m, { responses: [ok400()], waitedMs }).verdict, "pass");
    const silent = judgeTorture(m, { responses: [], waitedMs });
    assert.deepEqual([silent.verdict, silent.expected, silent.received], ["fail", "a final response 400", "no response within 2000 ms"]);
    assert.match(silent.clause, /^RFC 4475 3\.1\.2\.1: an element receiving this request should respond with a 400 Bad Request error/);
    const accepted = judgeTorture(m, { responses: [ok200()], waitedMs });
    assert.equal(accepted.verdict, "fail");
    assert.match(accepted.summary, /^200 OK: 200 where RFC 4475 says 400$/);
    // a provisional response alone is not an answer
    assert.equal(judgeTorture(m, { responses: [response("SIP/2.0 100 Trying\nCall-ID: x\nCSeq: 1 INVITE\n\n")], waitedMs }).verdict, "fail");
  });

  test("badvers wants 505, mismatch02 501 or 400, unkscm 416", () => {
    const r = (status: number, reason: string): SipResponse => response(`SIP/2.0 ${status} ${reason}\nCall-ID: x\nCSeq: 1 OPTIONS\n\n`);
    assert.equal(judgeTorture(message("badvers"), { responses: [r(505, "Version Not Supported")], waitedMs }).verdict, "pass");
    assert.equal(judgeTorture(message("badvers"), { responses: [r(400, "Bad Request")], waitedMs }).verdict, "fail");
    assert.equal(judgeTorture(message("mismatch02"), { responses: [r(501, "Not Implemented")], waitedMs }).verdict, "pass");
    assert.equal(judgeTorture(message("unkscm"), { responses: [r(403, "Forbidden")], waitedMs }).verdict, "fail");
  });

  test("a valid request: any answer but 400, or none yet (forwarding); dblreq must not answer the trailing INVITE", () => {
    const m = message("wsinv");
    assert.equal(judgeTorture(m, { responses: [], waitedMs }).verdict, "pass");
    assert.equal(judgeTorture(m, { responses: [response("SIP/2.0 404 Not Found\nCall-ID: x\nCSeq: 9 INVITE\n\n")], waitedMs }).verdict, "pass");
    const refused = judgeTorture(m, { responses: [ok400()], waitedMs });
    assert.equal(refused.verdict, "fail");
    assert.match(refused.summary, /a valid message refused as malformed/);
    assert.equal(judgeTorture(message("dblreq"), { responses: [ok200("REGISTER")], waitedMs }).verdict, "pass");
    assert.match(judgeTorture(message("dblreq"), { responses: [ok200("INVITE")], waitedMs }).summary, /INVITE octets after the REGISTER's end/);
  });

  test("where the RFC lets an element be liberal, a rejection, processing and silence all pass", () => {
    const m = message("lwsstart");
    for (const responses of [[], [ok400()], [ok200()]]) assert.equal(judgeTorture(m, { responses, waitedMs }).verdict, "pass");
  });

  test("a response sent to the SUT: nothing back passes, anything back fails", () => {
    const m = message("bigcode");
    assert.equal(judgeTorture(m, { responses: [], waitedMs: 500 }).verdict, "pass");
    assert.equal(judgeTorture(m, { responses: [ok400()], waitedMs: 500 }).verdict, "fail");
  });

  test("bext01: the network's proxy answers 420 listing the Proxy-Require tags; a UAS's 420 behind it means it forwarded the request", () => {
    const m = message("bext01");
    const with420 = (tags: string): SipResponse => response(`SIP/2.0 420 Bad Extension\nCall-ID: x\nCSeq: 8 OPTIONS\nUnsupported: ${tags}\n\n`);
    assert.equal(judgeTorture(m, { responses: [with420("noProxiesSupportThis, norDoAnyProxiesSupportThis")], waitedMs }).verdict, "pass");
    assert.match(judgeTorture(m, { responses: [with420("nothingSupportsThis, nothingSupportsThisEither")], waitedMs }).summary, /not the tags of Proxy-Require/);
    assert.equal(judgeTorture(m, { responses: [with420("something")], waitedMs }).verdict, "fail");
  });
});

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ExpectationError, describeMessageInDetail, formatFailure, summarizeMessage } from "../../src/sip/failure.ts";
import { type SipResponse, parseMessage } from "../../src/sip/message/index.ts";

function message(lines: string[]) {
  const r = parseMessage(lines.join("\r\n") + "\r\n\r\n");
  assert.ok(r.ok);
  return r.message;
}

describe("formatFailure", () => {
  test("expected, received (one line each), timeout, clause and call log in that order", () => {
    const text = formatFailure({
      expected: "200 (REGISTER) carrying Service-Route",
      received: ["SIP/2.0 401 Unauthorized | CSeq: 1 REGISTER", "SIP/2.0 403 Forbidden | CSeq: 2 REGISTER"],
      timeout: { ms: 32000, budget: "64*T1 = 32000 ms, Timer F" },
      clause: "TS 24.229 5.1.1.2",
      callLog: ["-> REGISTER sip:ims.test", "<- 401"],
    });
    assert.equal(
      text,
      [
        "Expected: 200 (REGISTER) carrying Service-Route",
        "Received: SIP/2.0 401 Unauthorized | CSeq: 1 REGISTER",
        "          SIP/2.0 403 Forbidden | CSeq: 2 REGISTER",
        "Timeout:  32 s (64*T1 = 32000 ms, Timer F)",
        "Clause:   TS 24.229 5.1.1.2",
        "Call log:",
        "  -> REGISTER sip:ims.test",
        "  <- 401",
      ].join("\n"),
    );
  });

  test("nothing received, times under and over a second", () => {
    assert.equal(formatFailure({ expected: "x", received: [] }), "Expected: x\nReceived: nothing");
    assert.equal(formatFailure({ expected: "x", received: [], timeout: { ms: 249.6, budget: "b" } }), "Expected: x\nReceived: nothing\nTimeout:  250 ms (b)");
    assert.equal(formatFailure({ expected: "x", received: [], timeout: { ms: 3200, budget: "b" } }), "Expected: x\nReceived: nothing\nTimeout:  3.2 s (b)");
    assert.equal(formatFailure({ expected: "x", received: [], timeout: { ms: 2000, budget: "b" } }), "Expected: x\nReceived: nothing\nTimeout:  2 s (b)");
    assert.equal(formatFailure({ expected: "x", received: [], callLog: [] }), "Expected: x\nReceived: nothing");
  });

  test("ExpectationError: message is the formatted failure; named TimeoutError only with a timeout", () => {
    const plain = new ExpectationError({ expected: "a", received: ["b"] });
    assert.equal(plain.name, "ExpectationError");
    assert.equal(plain.message, "Expected: a\nReceived: b");
    assert.deepEqual(plain.parts, { expected: "a", received: ["b"] });
    const timed = new ExpectationError({ expected: "a", received: [], timeout: { ms: 5, budget: "t" } });
    assert.equal(timed.name, "TimeoutError");
    assert.ok(timed instanceof ExpectationError && timed instanceof Error);
  });
});

describe("summarizeMessage / describeMessageInDetail", () => {
  const r = message([
    "SIP/2.0 200 OK",
    "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKs",
    "From: <sip:alice@ims.test>;tag=1",
    "To: <sip:alice@ims.test>;tag=2",
    "Call-ID: reg-1@ims",
    "CSeq: 2 REGISTER",
    "Service-Route: <sip:orig@scscf.ims.test;lr>",
    "P-Associated-URI: <sip:alice@ims.test>, <tel:+15550001>",
    "Expires: 600",
  ]) as SipResponse;

  test("the start line with CSeq and Call-ID by default", () => {
    assert.equal(summarizeMessage(r), "SIP/2.0 200 OK | CSeq: 2 REGISTER | Call-ID: reg-1@ims");
  });

  test("headers are quoted as the sender spelled them: a compact form stays compact", () => {
    const compact = message(["SIP/2.0 200 OK", "v: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK1", "f: <sip:a@x>;tag=1", "t: <sip:a@x>;tag=2", "i: c-1", "CSeq: 1 OPTIONS"]);
    assert.equal(summarizeMessage(compact), "SIP/2.0 200 OK | CSeq: 1 OPTIONS | i: c-1");
  });

  test("chosen headers, absent ones skipped", () => {
    assert.equal(summarizeMessage(r, ["expires", "rseq", "cseq"]), "SIP/2.0 200 OK | Expires: 600 | CSeq: 2 REGISTER");
  });

  test("in detail: the headers an engineer looks at first", () => {
    assert.equal(
      describeMessageInDetail(r),
      "SIP/2.0 200 OK | From: <sip:alice@ims.test>;tag=1 | To: <sip:alice@ims.test>;tag=2 | Call-ID: reg-1@ims | CSeq: 2 REGISTER | Service-Route: <sip:orig@scscf.ims.test;lr> | P-Associated-URI: <sip:alice@ims.test>, <tel:+15550001> | Expires: 600",
    );
  });
});

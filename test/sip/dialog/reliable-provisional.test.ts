import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { RSeqCounter, checkRSeq, isReliableProvisional, parseRAck, rackValue } from "../../../src/sip/dialog/index.ts";
import { type SipResponse, parseMessage } from "../../../src/sip/message/index.ts";

function response(status: number, extra: string[], cseq = "1 INVITE"): SipResponse {
  const r = parseMessage(
    [
      `SIP/2.0 ${status} Whatever`,
      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKrp",
      "From: <sip:a@example.com>;tag=1",
      "To: <sip:b@example.com>;tag=2",
      "Call-ID: rp@example.com",
      `CSeq: ${cseq}`,
      ...extra,
    ].join("\r\n") + "\r\n\r\n",
  );
  assert.ok(r.ok && r.message.kind === "response");
  return r.message;
}

describe("checkRSeq (RFC 3262 4)", () => {
  test("the first reliable 1xx of a dialog is new whatever its RSeq", () => {
    assert.deepEqual(checkRSeq(undefined, response(183, ["Require: 100rel", "RSeq: 4711"])), { verdict: "new", rseq: 4711 });
  });

  test("one higher than the last is new; equal or lower is a retransmission; a gap is out of order", () => {
    const with7 = response(183, ["RSeq: 7"]);
    assert.deepEqual(checkRSeq(6, with7), { verdict: "new", rseq: 7 });
    assert.deepEqual(checkRSeq(7, with7), { verdict: "retransmission", rseq: 7 });
    assert.deepEqual(checkRSeq(9, with7), { verdict: "retransmission", rseq: 7 });
    assert.deepEqual(checkRSeq(5, with7), { verdict: "out-of-order", rseq: 7 });
  });

  test("an absent or non-numeric RSeq is reported as missing", () => {
    assert.deepEqual(checkRSeq(undefined, response(183, ["Require: 100rel"])), { verdict: "missing-rseq" });
    assert.deepEqual(checkRSeq(3, response(183, ["RSeq: four"])), { verdict: "missing-rseq" });
    assert.deepEqual(checkRSeq(3, response(183, ["RSeq: -4"])), { verdict: "missing-rseq" });
  });
});

describe("RAck (RFC 3262 7.2)", () => {
  test("rackValue is response-num CSeq-num Method of the provisional response", () => {
    assert.equal(rackValue(response(183, ["RSeq: 9021"], "314 INVITE")), "9021 314 INVITE");
  });

  test("parseRAck reads the three parts and refuses anything else", () => {
    assert.deepEqual(parseRAck("9021 314 INVITE"), { rseq: 9021, cseq: 314, method: "INVITE" });
    assert.deepEqual(parseRAck("  1   2\tINVITE "), { rseq: 1, cseq: 2, method: "INVITE" });
    assert.equal(parseRAck(undefined), undefined);
    assert.equal(parseRAck("1 INVITE"), undefined);
    assert.equal(parseRAck("x 1 INVITE"), undefined);
    assert.equal(parseRAck("1 2 INVITE extra"), undefined);
  });
});

describe("isReliableProvisional (RFC 3262 3)", () => {
  test("a 101-199 response with Require: 100rel", () => {
    assert.equal(isReliableProvisional(response(183, ["Require: 100rel", "RSeq: 1"])), true);
    assert.equal(isReliableProvisional(response(180, ["Require: precondition, 100REL"])), true);
    assert.equal(isReliableProvisional(response(183, ["Supported: 100rel"])), false);
    assert.equal(isReliableProvisional(response(100, ["Require: 100rel"])), false);
    assert.equal(isReliableProvisional(response(200, ["Require: 100rel"])), false);
  });
});

describe("RSeqCounter (RFC 3262 3)", () => {
  test("increments by one from its start", () => {
    const c = new RSeqCounter(41);
    assert.deepEqual([c.take(), c.take(), c.take()], [41, 42, 43]);
  });

  test("a random start lies between 1 and 2**31-1", () => {
    for (let i = 0; i < 50; i++) {
      const v = new RSeqCounter().take();
      assert.ok(Number.isInteger(v) && v >= 1 && v <= 2 ** 31 - 1, String(v));
    }
  });
});

// Proofs of the requirements judged outside a single message check: what the parser and the
// endpoint refuse (a real endpoint receiving real bytes), automatic requests' outcomes, and what
// is left unconsumed at the end of a test case.
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { describe, test } from "node:test";
import { ConformanceMonitor } from "../../../src/conformance/monitor.ts";
import { judgeUnconsumed, type LeftOver } from "../../../src/conformance/unconsumed.ts";
import { SipEndpoint } from "../../../src/sip/endpoint/index.ts";
import { ExpectationError } from "../../../src/sip/failure.ts";
import type { SipMessage } from "../../../src/sip/message/index.ts";
import { UE, proveViolation, proveViolationBy, sip } from "../requirement-fixtures.ts";

/** Sends raw bytes over UDP to a real endpoint watched by the monitor; resolves once it judged them. */
async function throughEndpoint(bytes: string, monitor: ConformanceMonitor): Promise<void> {
  const endpoint = await SipEndpoint.start({ listen: [{ protocol: "udp", host: "127.0.0.1", port: 0 }] });
  const judged = new Promise<void>((resolve) => {
    endpoint.observe({
      received: (m) => {
        monitor.received(UE, m);
        resolve();
      },
      problem: (p) => {
        monitor.problem(UE, p);
        resolve();
      },
    });
  });
  const socket = createSocket("udp4");
  try {
    await new Promise<void>((resolve, reject) => socket.send(Buffer.from(bytes), endpoint.local("udp").port, "127.0.0.1", (e) => (e ? reject(e) : resolve())));
    await judged;
  } finally {
    socket.close();
    await endpoint.close();
  }
}

const MESSAGE_REQUEST = [
  "MESSAGE sip:alice@127.0.0.1:5070 SIP/2.0",
  "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-m1",
  "Max-Forwards: 69",
  "From: <sip:bob@ims.example.test>;tag=b1",
  "To: <sip:alice@ims.example.test>",
  "Call-ID: m-1",
  "CSeq: 1 MESSAGE",
  "P-Asserted-Identity: <sip:bob@ims.example.test>",
  "Content-Type: text/plain",
  "Content-Length: 2",
  "",
  "hi",
].join("\r\n");

describe("requirements judged on what the endpoint refuses", () => {
  let held: ConformanceMonitor | undefined;
  test("a real endpoint hands the monitor what it receives and what it refuses", async () => {
    held = new ConformanceMonitor();
    await throughEndpoint("SIP/2.0 2OO OK-ish\r\nthis is not a SIP message\r\n\r\n", held);
    assert.equal(held.violations[0]?.requirement.id, "message.well-formed");
    assert.match(held.violations[0].finding.received, /Status-Code "2OO"/);
  });
  proveViolationBy(
    "message.well-formed",
    "a status line with letters for digits, as the parser reports it",
    (m) => m.problem(UE, { kind: "unparsable", description: 'unparsable message (line 1, offset 0): Status-Code "2OO" is not three digits', at: 0 }),
    (m) => m.received(UE, { message: sip(MESSAGE_REQUEST.replace(/\r\n/g, "\n")), source: { protocol: "udp", host: "127.0.0.1", port: 5060 }, at: 0, retransmission: false }),
  );
  proveViolationBy("request.mandatory-headers", "a request without CSeq, as the endpoint reports it", (m) =>
    m.problem(UE, { kind: "invalid", description: "MESSAGE sip:alice@127.0.0.1:5070: CSeq missing", at: 0 }),
  );
  test("a real endpoint reports a request without CSeq as request.mandatory-headers", async () => {
    const monitor = new ConformanceMonitor();
    await throughEndpoint(MESSAGE_REQUEST.replace("CSeq: 1 MESSAGE\r\n", ""), monitor);
    assert.deepEqual(
      monitor.violations.map((v) => v.requirement.id),
      ["request.mandatory-headers"],
    );
  });
  test("a behaviour of the harness that threw is a harness error, not a violation", () => {
    const monitor = new ConformanceMonitor();
    monitor.problem(UE, { kind: "handler", description: "onPacket handler threw: TypeError: x is undefined", at: 0 });
    assert.deepEqual(monitor.violations, []);
    assert.match(monitor.harnessErrors[0], /UE-A's handling of a received message threw: .*TypeError/);
  });
  test("transport problems are not the SUT's message", () => {
    const monitor = new ConformanceMonitor();
    monitor.problem(UE, { kind: "transport", description: "ECONNRESET", at: 0 });
    assert.deepEqual(monitor.violations, []);
  });
});

const PRACK = `
PRACK sip:bob@127.0.0.1:5080 SIP/2.0
Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-p1;rport
Max-Forwards: 70
From: <sip:alice@ims.example.test>;tag=a1
To: <sip:bob@ims.example.test>;tag=b1
Call-ID: call-1
CSeq: 2 PRACK
RAck: 1 1 INVITE
`;
const BYE = PRACK.replace(/PRACK sip/, "BYE sip")
  .replace("CSeq: 2 PRACK", "CSeq: 3 BYE")
  .replace("RAck: 1 1 INVITE\n", "")
  .replace("z9hG4bK-p1", "z9hG4bK-b1");
const answer = (status: string, method: string, seq: number, branch: string) => `
SIP/2.0 ${status}
Via: SIP/2.0/UDP 127.0.0.1:5070;branch=${branch};rport=5070;received=127.0.0.1
From: <sip:alice@ims.example.test>;tag=a1
To: <sip:bob@ims.example.test>;tag=b1
Call-ID: call-1
CSeq: ${seq} ${method}
`;

describe("requirements on automatic requests' answers", () => {
  proveViolation("prack.answered", {
    good: [{ message: answer("200 OK", "PRACK", 2, "z9hG4bK-p1"), request: PRACK }],
    bad: [{ message: answer("481 Call/Transaction Does Not Exist", "PRACK", 2, "z9hG4bK-p1"), request: PRACK }],
  });
  proveViolationBy("prack.answered", "an automatic PRACK that got no final response", (m) =>
    m.incident({
      ue: "UE-A",
      method: "PRACK",
      what: "PRACK for the reliable 183 (RSeq 1)",
      noAnswer: new ExpectationError({ expected: "a final response to PRACK", received: [], timeout: { ms: 3200, budget: "64*T1 = 3200 ms, Timer F" } }),
      at: 0,
    }),
  );
  proveViolation("bye.answered", {
    good: [{ message: answer("200 OK", "BYE", 3, "z9hG4bK-b1"), request: BYE }],
    bad: [{ message: answer("481 Call/Transaction Does Not Exist", "BYE", 3, "z9hG4bK-b1"), request: BYE }],
  });
  test("a harness exception in an automatic request is a harness error, not a violation", () => {
    const m = new ConformanceMonitor();
    m.incident({ ue: "UE-A", method: "PRACK", what: "PRACK", harnessError: new TypeError("x is undefined"), at: 0 });
    assert.deepEqual(m.violations, []);
    assert.match(m.harnessErrors[0], /TypeError: x is undefined/);
  });
});

function leftOver(inbox: SipMessage[], calls: SipMessage[] = [], messages: SipMessage[] = []): LeftOver {
  return {
    name: "UE-A",
    endpoint: { inbox: { unconsumed: () => inbox.map((message) => ({ message })) } },
    incomingCalls: { pending: () => calls.map((invite) => ({ invite })) },
    messages: { pending: () => messages.map((message) => ({ message })) },
  };
}

describe("requirements judged at the end of a test case", () => {
  const stray = sip(answer("200 OK", "PRACK", 2, "z9hG4bK-unknown"));
  const unexpected = sip(MESSAGE_REQUEST.replace(/\r\n/g, "\n"));
  proveViolationBy(
    "response.matches-transaction",
    "a response left in the inbox",
    (m) => judgeUnconsumed(m, [leftOver([stray])]),
    (m) => judgeUnconsumed(m, [leftOver([])]),
  );
  proveViolationBy("request.expected", "a MESSAGE no step took", (m) => judgeUnconsumed(m, [leftOver([], [], [unexpected])]));
  proveViolationBy("request.expected", "an INVITE no step took", (m) => judgeUnconsumed(m, [leftOver([], [sip(MESSAGE_REQUEST.replace(/\r\n/g, "\n").replace(/MESSAGE/g, "INVITE"))])]));
});

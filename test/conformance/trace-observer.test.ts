// A party judged from its trace (a browser UE): what it received is judged with the request a
// response answers, matched by branch and CSeq method; what it sent is not judged.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ConformanceMonitor } from "../../src/conformance/monitor.ts";
import { judgingTrace } from "../../src/conformance/trace-observer.ts";
import { Trace } from "../../src/sip/transport/trace.ts";

const BROWSER = { name: "UE-W", impu: "sip:walter@ims.example.test", contact: "sip:w1@abc.invalid;transport=ws" };
const local = { host: "127.0.0.1", port: 40000 };
const remote = { host: "127.0.0.1", port: 5062 };
const crlf = (lines: string[]): Buffer => Buffer.from(`${lines.join("\r\n")}\r\n\r\n`);
const REGISTER = crlf([
  "REGISTER sip:ims.example.test SIP/2.0",
  "Via: SIP/2.0/WS abc.invalid;branch=z9hG4bK-w1",
  "Max-Forwards: 70",
  "From: <sip:walter@ims.example.test>;tag=w1",
  "To: <sip:walter@ims.example.test>",
  "Call-ID: w-call-1",
  "CSeq: 1 REGISTER",
  "Contact: <sip:w1@abc.invalid;transport=ws>;expires=600",
  "Content-Length: 0",
]);
const ok = (cseq: string): Buffer =>
  crlf([
    "SIP/2.0 200 OK",
    "Via: SIP/2.0/WS abc.invalid;branch=z9hG4bK-w1;received=127.0.0.1",
    "From: <sip:walter@ims.example.test>;tag=w1",
    "To: <sip:walter@ims.example.test>;tag=core1",
    "Call-ID: w-call-1",
    `CSeq: ${cseq}`,
    "Contact: <sip:w1@abc.invalid;transport=ws>;expires=600",
    "Content-Length: 0",
  ]);

function judge(response: Buffer): { ids: string[]; trace: Trace } {
  const monitor = new ConformanceMonitor();
  const trace = new Trace();
  monitor.follow(trace);
  const sink = judgingTrace(trace, monitor, BROWSER);
  sink.record({ time: 1, direction: "sent", protocol: "ws", local, remote, bytes: REGISTER });
  sink.record({ time: 2, direction: "received", protocol: "ws", local, remote, bytes: response });
  assert.deepEqual(monitor.harnessErrors, []);
  return { ids: [...new Set(monitor.violations.map((v) => v.requirement.id))], trace };
}

test("a response the browser received is judged against the request it sent (matched by branch and CSeq method)", () => {
  const wrong = judge(ok("2 REGISTER"));
  assert.ok(wrong.ids.includes("response.cseq"), wrong.ids.join(", "));
  assert.equal(wrong.trace.entries.length, 2, "both messages recorded in the test case's trace");
  const right = judge(ok("1 REGISTER"));
  assert.ok(!right.ids.includes("response.cseq"), right.ids.join(", "));
});

test("bytes the browser received that are not SIP are a violation of message.well-formed", () => {
  assert.deepEqual(judge(Buffer.from("HELLO\r\n\r\n")).ids, ["message.well-formed"]);
});

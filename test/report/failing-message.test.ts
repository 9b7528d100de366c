// Issue 11, item 3: the message that broke a requirement is found in the trace (the monitor follows
// the trace the UE records into, and a violation carries the seq of its message's entry), named in
// the failure ("message #4 in the SIP ladder"), and drawn in both ladders as a red arrow with the
// requirement id beside it; the HTML ladder's failure box links to it, the text trace says so. A
// failed expectation whose Received is a message of the trace is marked the same way.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { requirement } from "../../src/conformance/catalogue.ts";
import { ConformanceMonitor } from "../../src/conformance/monitor.ts";
import { RequirementViolationError } from "../../src/conformance/violation.ts";
import { loadProfile } from "../../src/profile/index.ts";
import { EXPECTATION_MARK, expectationMark, failureMarks } from "../../src/report/failure-marks.ts";
import { renderLadderHtml } from "../../src/report/ladder-html.ts";
import { renderLadderSvg } from "../../src/report/ladder-svg.ts";
import { formatTraceText } from "../../src/report/trace-text.ts";
import { ExpectationError, describeMessageInDetail, summarizeMessage } from "../../src/sip/failure.ts";
import { parseMessage } from "../../src/sip/message/index.ts";
import { Trace, type TraceEntry } from "../../src/sip/transport/trace.ts";
import type { TransportProtocol } from "../../src/sip/transport/address.ts";
import { evidenceOf } from "../../steps/support/evidence.ts";
import { Lab } from "../reference-core/core-fixture.ts";
import { NAMES, callFlow } from "./sip-flow.ts";
import { join, resolve } from "node:path";

const PROJECT = resolve(import.meta.dirname, "../..");

function receivedEntries(trace: Trace, status: number): TraceEntry[] {
  return trace.entries.filter((e) => {
    const p = parseMessage(e.bytes);
    return e.direction === "received" && p.ok && p.message.kind === "response" && p.message.status === status;
  });
}

describe("the monitor names the trace entry of a violating message", () => {
  for (const protocol of ["udp", "tcp"] as TransportProtocol[]) {
    test(`a 200 to REGISTER without Service-Route over ${protocol.toUpperCase()}: the violation's seq is that 200's entry`, async (t) => {
      const lab = await Lab.start(t, { faults: ["no-service-route"] });
      const trace = new Trace();
      const monitor = new ConformanceMonitor();
      monitor.follow(trace);
      const ue = await lab.ue("alice", protocol, { name: "UE-A", trace });
      monitor.watch(ue);
      await ue.register({ expires: 600 });
      const v = monitor.violations.find((x) => x.requirement.id === "register-2xx.service-route");
      assert.ok(v, monitor.violations.map((x) => x.requirement.id).join(", "));
      const ok = receivedEntries(trace, 200);
      assert.equal(ok.length, 1);
      assert.equal(v.seq, ok[0].seq);
      assert.equal(v.ue, "UE-A (sip:alice@ims.example.test)");
      // The failure names it
      const e = new RequirementViolationError([v]);
      assert.match(e.message, new RegExp(`\\(received by UE-A \\(sip:alice@ims\\.example\\.test\\), message #${v.seq} in the SIP ladder: SIP/2\\.0 200 OK \\| CSeq: 2 REGISTER`));
      // Every other observed message claimed its own entry: the 401 violated nothing, no seq is reused
      assert.ok(monitor.violations.every((x) => x.seq === undefined || x.seq === v.seq));
    });
  }

  test("a violation found later (what was left unconsumed) names the entry of the message it is about", () => {
    const trace = new Trace();
    const monitor = new ConformanceMonitor();
    monitor.follow(trace);
    const bytes = Buffer.from(
      "MESSAGE sip:alice@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-x\r\nFrom: <sip:bob@x>;tag=1\r\nTo: <sip:alice@x>\r\nCall-ID: c1\r\nCSeq: 1 MESSAGE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
    );
    trace.record({ time: 1, direction: "received", protocol: "udp", local: { host: "127.0.0.1", port: 5070 }, remote: { host: "127.0.0.1", port: 5060 }, bytes });
    const m = (parseMessage(bytes) as { ok: true; message: import("../../src/sip/message/index.ts").SipMessage }).message;
    monitor.received(
      { name: "UE-A", impu: "sip:alice@x", contact: "sip:alice@127.0.0.1:5070" },
      { message: m, source: { protocol: "udp", host: "127.0.0.1", port: 5060 }, at: 1, retransmission: false },
    );
    monitor.record(requirement("request.expected"), { expected: "no request the flow did not cause", received: summarizeMessage(m) }, "UE-A", summarizeMessage(m), m);
    const v = monitor.violations.at(-1)!;
    assert.equal(v.requirement.id, "request.expected");
    assert.equal(v.seq, 1);
  });

  test("an entry from another address is not claimed", () => {
    const trace = new Trace();
    const monitor = new ConformanceMonitor();
    monitor.follow(trace);
    const bytes = Buffer.from(
      "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-y\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:a@x>;tag=2\r\nCall-ID: c2\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n",
    );
    trace.record({ time: 1, direction: "received", protocol: "udp", local: { host: "127.0.0.1", port: 5070 }, remote: { host: "127.0.0.1", port: 9999 }, bytes });
    const m = (parseMessage(bytes) as { ok: true; message: import("../../src/sip/message/index.ts").SipMessage }).message;
    monitor.received({ name: "UE-A", impu: "sip:a@x", contact: "sip:a@127.0.0.1:5070" }, { message: m, source: { protocol: "udp", host: "127.0.0.1", port: 5060 }, at: 1, retransmission: false });
    monitor.record(requirement("response.matches-transaction"), { expected: "x", received: "y" }, "UE-A", "z", m);
    assert.equal(monitor.violations.at(-1)!.seq, undefined);
  });
});

describe("the ladders mark the failing message", () => {
  const entries = callFlow();
  const marks = [{ seq: 11, label: "response.cseq", detail: "Requirement response.cseq (RFC 3261 8.2.6.2): ...\nExpected: CSeq 1 INVITE\nReceived: CSeq: 2 INVITE" }];

  test("SVG: a thick red arrow on a red band, the #seq at the left, the requirement id under the arrow; the others unchanged", () => {
    const svg = renderLadderSvg(entries, { names: NAMES }, { marks });
    const group = /<g id="msg-11" class="msg response failing">[^]*?<\/g>/.exec(svg)?.[0];
    assert.ok(group, "the arrow of #11 is marked failing");
    assert.match(group, /<line [^>]*stroke="#cc0000" stroke-width="3"/);
    assert.match(group, /<text class="mark" [^>]*fill="#cc0000" font-weight="bold">\u2717 response\.cseq<\/text>/);
    assert.match(group, /<text class="seq" [^>]*>#11<\/text>/);
    assert.match(group, /<title>[^<]*FAILED: response\.cseq\nRequirement response\.cseq/);
    assert.equal((svg.match(/class="failing-band"/g) ?? []).length, 1);
    assert.equal((svg.match(/class="msg [^"]*failing"/g) ?? []).length, 1);
    const plain = renderLadderSvg(entries, { names: NAMES });
    assert.ok(!plain.includes("failing"));
  });

  test("HTML: a failure box above the diagram links to the message; its listing is framed and labelled", () => {
    const html = renderLadderHtml(entries, { names: NAMES }, "IMS-CALL-001", { marks });
    const box = /<div class="failure" id="failure">[^]*?<\/div>/.exec(html)?.[0];
    assert.ok(box);
    assert.match(box, /<a href="#message-11">#11 200 OK \(INVITE\) UE-B \u2192 SUT \(P-CSCF\)<\/a>: <span class="mark">response\.cseq<\/span>/);
    assert.match(box, /Expected: CSeq 1 INVITE/);
    assert.ok(html.indexOf('id="failure"') < html.indexOf("<svg"), "the box comes before the diagram");
    assert.match(html, /<section class="message failing">\n<h2><a href="#msg-11">#11<\/a> \+[\d.]+ s <span class="mark">\u2717 response\.cseq<\/span> <span class="label">200 OK \(INVITE\)<\/span>/);
    assert.ok(!renderLadderHtml(entries, { names: NAMES }, "t").includes('id="failure"'));
  });

  test("text trace: the heading of the failing message says so", () => {
    const text = formatTraceText(entries, { marks });
    assert.match(text, /^#11 \+[\d.]+ s SENT UDP .* <<< FAILED: response\.cseq$/m);
    assert.equal((text.match(/<<< FAILED/g) ?? []).length, 1);
  });
});

describe("a failed expectation's message", () => {
  const entries = callFlow();
  const received = entries.filter((e) => e.direction === "received");
  const target = received[received.length - 1];
  const message = (parseMessage(target.bytes) as { ok: true; message: import("../../src/sip/message/index.ts").SipMessage }).message;

  test("Received as the steps write it (describeMessageInDetail) or as a timeout lists it (summarizeMessage): the newest such entry is marked", () => {
    for (const summary of [describeMessageInDetail(message), summarizeMessage(message)]) {
      const failure = `ExpectationError: ${new ExpectationError({ expected: "a 486 (INVITE)", received: [summary], clause: "RFC 3261 21.4.24" }).message}\n    at x (y.ts:1:1)`;
      const mark = expectationMark(entries, failure);
      assert.equal(mark?.seq, target.seq);
      assert.equal(mark?.label, `${EXPECTATION_MARK} (RFC 3261 21.4.24)`);
      assert.match(mark.detail, /^Expected: a 486 \(INVITE\)\nReceived: /);
    }
  });

  test("nothing received, a text that is no message, or a requirement violation: no expectation mark", () => {
    assert.equal(expectationMark(entries, new ExpectationError({ expected: "x", received: [] }).message), undefined);
    assert.equal(expectationMark(entries, new ExpectationError({ expected: "x", received: ["3 responses over 2 connections"] }).message), undefined);
    assert.equal(expectationMark(entries, `Requirement: response.cseq: ...\nExpected: x\nReceived: ${summarizeMessage(message)}`), undefined);
    assert.deepEqual(failureMarks(entries, [], undefined), []);
  });
});

describe("evidenceOf: the participants named as the failures name them, the violation marked", () => {
  test("UE-A (sip:alice@...) and SUT (<product> <version>) in the ladder, the violating 200 red", async (t) => {
    const profile = await loadProfile(join(PROJECT, "test/fixtures/profiles/embedded-fast.yaml"));
    const lab = await Lab.start(t, { faults: ["no-service-route"] });
    const trace = new Trace();
    const monitor = new ConformanceMonitor();
    monitor.follow(trace);
    const ue = await lab.ue("alice", "udp", { name: "UE-A", trace });
    monitor.watch(ue);
    await ue.register({ expires: 600 });
    const evidence = evidenceOf([...trace.entries], new Map([["the UE", ue]]), { host: lab.core.host, port: lab.core.port }, profile, "IMS-REG-001", { violations: monitor.violations });
    const html = evidence.find((e) => e.name === "SIP ladder.html")!.data as string;
    const svg = evidence.find((e) => e.name === "SIP ladder.svg")!.data as string;
    const seq = monitor.violations.find((v) => v.requirement.id === "register-2xx.service-route")!.seq!;
    assert.match(svg, new RegExp(`<g id="msg-${seq}" class="msg response failing">`));
    assert.match(svg, /\u2717 register-2xx\.service-route<\/text>/);
    assert.deepEqual(
      [...svg.matchAll(/<text class="participant-name"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]),
      ["UE-A", "SUT"],
    );
    assert.deepEqual(
      [...svg.matchAll(/<text class="participant-identity"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]),
      ["sip:alice@ims.example.test", "reference-core 0.1.0"],
    );
    assert.match(html, /SUT \(reference-core 0\.1\.0\) \u2192 UE-A \(sip:alice@ims\.example\.test\)<\/a>: <span class="mark">register-2xx\.service-route<\/span>/);
    assert.ok(!html.includes("the UE"), "the subject of a REG test case is named by its role");
  });
});

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseStringPromise } from "xml2js";
import { escapeXml, formatOffset, labelTraceEntries, renderLadderSvg } from "../../src/report/ladder-svg.ts";
import { maskTraceEntries } from "../../src/report/mask-secrets.ts";
import { traceParticipants } from "../../src/report/trace-participants.ts";
import { SipRequest, createResponse } from "../../src/sip/message/index.ts";
import type { TraceEntry } from "../../src/sip/transport/trace.ts";
import { NAMES, SUT, UE_A, UE_B, callFlow, entry, request } from "./sip-flow.ts";
import { type XmlNode, findAll } from "../support/xml-nodes.ts";

function textOf(node: unknown): string {
  if (typeof node === "string") return node;
  return (node as XmlNode)._ ?? "";
}

async function parseSvg(svg: string): Promise<{ root: XmlNode; arrows: XmlNode[] }> {
  const doc = (await parseStringPromise(svg)) as { svg: XmlNode };
  const arrows = findAll(doc.svg, "g").filter((g) => (g.$?.class ?? "").split(" ").includes("msg"));
  return { root: doc.svg, arrows };
}

function labelOf(g: XmlNode): string {
  const texts = (g.text as unknown[]) ?? [];
  const label = texts.find((t) => (t as XmlNode).$?.class === "label");
  return textOf(label);
}

function crlfToLf(e: TraceEntry): string {
  return e.bytes.toString("utf8").replace(/\r\n/g, "\n");
}

describe("renderLadderSvg", () => {
  const entries = callFlow();
  const participants = traceParticipants(entries, { names: NAMES });

  test("is well-formed XML with one arrow per entry, ids msg-<seq>", async () => {
    const svg = renderLadderSvg(entries, participants);
    const { arrows } = await parseSvg(svg);
    assert.equal(arrows.length, 18);
    assert.deepEqual(
      arrows.map((g) => g.$!.id),
      entries.map((e) => `msg-${e.seq}`),
    );
  });

  test("columns UE-A, SUT, UE-B in order", async () => {
    const { root } = await parseSvg(renderLadderSvg(entries, participants));
    const names = findAll(root, "text")
      .filter((t) => t.$?.class === "participant-name")
      .map(textOf);
    assert.deepEqual(names, ["UE-A", "SUT (P-CSCF)", "UE-B"]);
  });

  test("labels: method, status reason with the CSeq method, retransmission marked", async () => {
    const { arrows } = await parseSvg(renderLadderSvg(entries, participants));
    const labels = arrows.map(labelOf);
    assert.deepEqual(labels, [
      "REGISTER",
      "401 Unauthorized (REGISTER)",
      "REGISTER",
      "200 OK (REGISTER)",
      "INVITE",
      "INVITE [retransmission]",
      "100 Trying (INVITE)",
      "INVITE",
      "180 Ringing (INVITE)",
      "180 Ringing (INVITE)",
      "200 OK (INVITE)",
      "200 OK (INVITE)",
      "ACK",
      "ACK",
      "BYE",
      "BYE",
      "200 OK (BYE)",
      "200 OK (BYE)",
    ]);
    const retransmitted = arrows.filter((g) => g.$!.class.split(" ").includes("retransmission"));
    assert.deepEqual(
      retransmitted.map((g) => g.$!.id),
      ["msg-6"],
    );
    const line = (retransmitted[0].line as XmlNode[])[0].$!;
    assert.equal(line["stroke-dasharray"], "6 4");
    assert.equal(line.stroke, "#cc0000");
    const first = (arrows[4].line as XmlNode[])[0].$!;
    assert.equal(first["stroke-dasharray"], undefined);
    assert.equal(first.stroke, "#222222");
  });

  test("arrows go from sender to receiver: sent local->remote, received remote->local", async () => {
    const { arrows } = await parseSvg(renderLadderSvg(entries, participants));
    const span = (i: number): [number, number] => {
      const l = (arrows[i].line as XmlNode[])[0].$!;
      const head = ((arrows[i].polygon as XmlNode[])[0].$!.points ?? "").split(" ")[0].split(",")[0];
      return [Number(l.x1), Number(head)];
    };
    const [a, s, b] = [0, 1, 2].map((c) => span(0)[0] + c * (span(7)[1] - span(7)[0]));
    assert.deepEqual(span(0), [a, s]); // REGISTER UE-A -> SUT
    assert.deepEqual(span(1), [s, a]); // 401 SUT -> UE-A
    assert.deepEqual(span(7), [s, b]); // INVITE SUT -> UE-B
    assert.deepEqual(span(8), [b, s]); // 180 UE-B -> SUT
  });

  test("each arrow's <title> holds the full message text, escaped in the SVG source", async () => {
    const svg = renderLadderSvg(entries, participants);
    const { arrows } = await parseSvg(svg);
    for (const [i, g] of arrows.entries()) {
      const title = textOf((g.title as unknown[])[0]);
      assert.ok(title.endsWith(crlfToLf(entries[i])), `title of msg-${entries[i].seq}`);
    }
    assert.match(
      textOf((arrows[4].title as unknown[])[0]),
      /^#5 \+0\.020 s UE-A -> SUT \(P-CSCF\) UDP 127\.0\.0\.1:40123 -> 127\.0\.0\.1:5060 \(\d+ bytes\)\n\nINVITE sip:bob@ims\.example\.net SIP\/2\.0\n/,
    );
    assert.ok(svg.includes("Subject: Tom &amp; Jerry&#39;s &quot;call&quot; &lt;test&gt;"));
    assert.ok(!svg.includes("<test>"));
  });

  test("time offsets from the first message and the transport on each arrow", async () => {
    const { arrows } = await parseSvg(renderLadderSvg(entries, participants));
    const byClass = (g: XmlNode, cls: string): string => textOf(((g.text as unknown[]) ?? []).find((t) => (t as XmlNode).$?.class === cls));
    assert.deepEqual(arrows.map((g) => byClass(g, "time")).slice(0, 6), ["+0.000 s", "+0.002 s", "+0.003 s", "+0.010 s", "+0.020 s", "+0.520 s"]);
    assert.equal(byClass(arrows[17], "time"), "+3.003 s");
    assert.deepEqual(new Set(arrows.map((g) => byClass(g, "transport"))), new Set(["UDP"]));
  });

  test("an unparsable message is drawn as such, in red", async () => {
    const garbage = entry(1, 0, "received", UE_A, SUT, Buffer.from("NOT SIP AT ALL\r\n"));
    const { arrows } = await parseSvg(renderLadderSvg([garbage], { names: NAMES }));
    assert.equal(labelOf(arrows[0]), "unparsable (16 bytes)");
    assert.equal((arrows[0].line as XmlNode[])[0].$!.stroke, "#cc0000");
    assert.ok(arrows[0].$!.class.includes("unparsable"));
  });

  test("a retransmitted response is marked; the same status on another branch is not", () => {
    const inv = request({ method: "INVITE", uri: "sip:b@x", branch: "z9hG4bK-1", cseq: 1, callId: "c", from: "<sip:a@x>;tag=1", to: "<sip:b@x>", sentBy: "127.0.0.1:40456" });
    const other = request({ method: "INVITE", uri: "sip:b@x", branch: "z9hG4bK-2", cseq: 1, callId: "c", from: "<sip:a@x>;tag=1", to: "<sip:b@x>", sentBy: "127.0.0.1:40456" });
    const list = [
      entry(1, 0, "sent", UE_B, SUT, createResponse(inv, 200, { toTag: "t" })),
      entry(2, 500, "sent", UE_B, SUT, createResponse(inv, 200, { toTag: "t" })),
      entry(3, 600, "sent", UE_B, SUT, createResponse(other, 200, { toTag: "t" })),
      entry(4, 700, "received", UE_B, SUT, createResponse(inv, 200, { toTag: "t" })), // other direction
    ];
    const labels = labelTraceEntries(list, traceParticipants(list, { names: NAMES }));
    assert.deepEqual(
      labels.map((l) => l.retransmission),
      [false, true, false, false],
    );
  });

  test("a 40-message flow: no two labels at the same y, every label fits over its arrow", async () => {
    const list: TraceEntry[] = [];
    for (let i = 0; i < 20; i++) {
      const m = new SipRequest(i % 2 === 0 ? "MESSAGE" : "SUBSCRIBE", "sip:bob@ims.example.net");
      m.addHeader("Via", `SIP/2.0/UDP 127.0.0.1:40123;branch=z9hG4bK-${i}`);
      m.addHeader("From", "<sip:a@x>;tag=1")
        .addHeader("To", "<sip:b@x>")
        .addHeader("Call-ID", "c40")
        .addHeader("CSeq", `${i + 1} ${m.method}`);
      const r = createResponse(m, i % 3 === 0 ? 183 : 489, { toTag: "t" });
      const ue = i % 2 === 0 ? UE_A : UE_B;
      list.push(entry(2 * i + 1, i * 100, "sent", ue, SUT, m), entry(2 * i + 2, i * 100 + 3, "received", ue, SUT, r));
    }
    const parts = traceParticipants(list, { names: NAMES });
    const svg = renderLadderSvg(list, parts);
    const { root, arrows } = await parseSvg(svg);
    assert.equal(arrows.length, 40);
    const labels = findAll(root, "text").filter((t) => t.$?.class === "label");
    assert.equal(labels.length, 40);
    const ys = labels.map((t) => Number(t.$!.y)).sort((a, b) => a - b);
    assert.equal(new Set(ys).size, 40);
    for (let i = 1; i < ys.length; i++) assert.ok(ys[i] - ys[i - 1] >= 24, `labels ${ys[i - 1]} and ${ys[i]} too close`);
    // ~7 px per character at 12 px: each label fits between the two ends of its arrow
    for (const g of arrows) {
      const l = (g.line as XmlNode[])[0].$!;
      const span = Math.abs(Number(l.x2) - Number(l.x1));
      assert.ok(labelOf(g).length * 7 <= span, `"${labelOf(g)}" wider than its arrow (${span} px)`);
    }
    assert.ok(labels.some((t) => textOf(t) === "489 Bad Event (SUBSCRIBE)"));
    const height = Number(root.$!.height);
    assert.ok(height >= 40 * 28 && height <= 40 * 28 + 120, `height ${height}`);
  });

  test("width adapts to the number of columns", async () => {
    const two = callFlow().slice(0, 4);
    const w2 = Number((await parseSvg(renderLadderSvg(two, { names: NAMES }))).root.$!.width);
    const w3 = Number((await parseSvg(renderLadderSvg(entries, participants))).root.$!.width);
    assert.ok(w3 > w2, `${w3} > ${w2}`);
  });

  test("output is deterministic", () => {
    assert.equal(renderLadderSvg(entries, participants), renderLadderSvg(callFlow(), { names: NAMES }));
  });

  test("href wraps every arrow in a link", async () => {
    const svg = renderLadderSvg(entries, participants, { href: (seq) => `#message-${seq}` });
    const doc = (await parseStringPromise(svg)) as { svg: XmlNode };
    const links = findAll(doc.svg, "a");
    assert.equal(links.length, 18);
    assert.equal(links[2].$!.href, "#message-3");
    assert.equal((links[2].g as XmlNode[])[0].$!.id, "msg-3");
  });

  test("masked entries (maskTraceEntries) leave no secret in the titles", () => {
    const svg = renderLadderSvg(maskTraceEntries(entries, ["0123456789abcdef0123456789abcdef"]), participants);
    assert.ok(!svg.includes("0123456789abcdef0123456789abcdef"));
    assert.ok(svg.includes(`response=&quot;${"*".repeat(32)}&quot;`));
  });

  test("formatOffset", () => {
    assert.equal(formatOffset(0), "+0.000 s");
    assert.equal(formatOffset(1.0015), "+1.002 s");
    assert.equal(formatOffset(-0.25), "-0.250 s");
  });

  test("escapeXml", () => {
    assert.equal(escapeXml(`a&b<c>"d"'e'`), "a&amp;b&lt;c&gt;&quot;d&quot;&#39;e&#39;");
    // XML 1.0 2.2: control characters as visible escapes, other non-characters as U+FFFD
    assert.equal(escapeXml("486 Busy\x1b[2J\x00\x07\ttab\nline\r\ufffe\ud800"), "486 Busy\\x1b[2J\\0\\x07\ttab\nline\\r\ufffd\ufffd");
  });

  test("an empty trace renders an empty diagram", async () => {
    const { arrows } = await parseSvg(renderLadderSvg([], { names: NAMES }));
    assert.equal(arrows.length, 0);
  });
});

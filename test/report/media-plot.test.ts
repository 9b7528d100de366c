import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseStringPromise } from "xml2js";
import { type PlotSample, type PlotStream, renderMediaPlotSvg } from "../../src/report/media-plot.ts";
import { type XmlNode, findAll } from "../support/xml-nodes.ts";

const textOf = (n: XmlNode): string => n._ ?? "";

/** C0 control characters other than tab, LF and CR, and DEL. */
const rawControls = (text: string): number => [...text].filter((c) => (c < " " && !"\t\n\r".includes(c)) || c === "\u007f").length;

function samples(count: number, start = 1_765_000_000): PlotSample[] {
  return Array.from({ length: count }, (_, i) => ({ second: start + i, packets: i === 0 ? 23 : 50, jitterMs: 0.2 + (i % 3) * 0.35 }));
}

const SSRC_A = 0x1234abcd;
const SSRC_B = 0x0badf00d;

function stream(ue: string, ssrc: number, from: number, perSecond: PlotSample[], encoding = "PCMU"): PlotStream {
  return { ue, stream: 1, ssrc, encoding, remote: { host: "192.0.2.10", port: 40000 }, sources: [{ ssrc: from, perSecond }] };
}

describe("renderMediaPlotSvg", () => {
  test("two streams: well-formed XML, both labels, a polyline per series with a point per sample", async () => {
    const streams = [stream("UE-A (sip:alice@ims.example.test)", SSRC_A, SSRC_B, samples(7)), stream("UE-B (sip:bob@ims.example.test)", SSRC_B, SSRC_A, samples(5, 1_765_000_001))];
    const svg = renderMediaPlotSvg(streams);
    const doc = (await parseStringPromise(svg)) as { svg: XmlNode };
    assert.equal(doc.svg.$?.xmlns, "http://www.w3.org/2000/svg");
    const labels = findAll(doc.svg, "text")
      .filter((t) => t.$?.class === "stream-label")
      .map(textOf);
    assert.deepEqual(labels, ["UE-B -> UE-A (PCMU, SSRC 0x0BADF00D)", "UE-A -> UE-B (PCMU, SSRC 0x1234ABCD)"]);
    const panels = findAll(doc.svg, "g").filter((g) => g.$?.class === "panel");
    assert.equal(panels.length, 2);
    for (const [i, count] of [7, 5].entries()) {
      const lines = findAll(panels[i], "polyline");
      assert.deepEqual(
        lines.map((l) => l.$?.class),
        ["series packets", "series jitter"],
      );
      for (const l of lines) {
        const points = (l.$?.points ?? "").split(" ");
        assert.equal(points.length, count);
        for (const p of points) assert.match(p, /^\d+(\.\d+)?,\d+(\.\d+)?$/);
      }
    }
    // axes, labels and legend
    const texts = findAll(doc.svg, "text").map(textOf);
    for (const t of ["packets/s", "jitter (ms)", "time since the first packet (s)", "packets per second (left axis)", "interarrival jitter, ms (right axis)"]) assert.ok(texts.includes(t), t);
    assert.equal(rawControls(svg), 0);
  });

  test("text from the SUT is escaped; no raw control characters", async () => {
    const svg = renderMediaPlotSvg([stream('UE-A <"evil"> & \u001b[31m', SSRC_A, 42, samples(3), "X\u0000<b>")]);
    assert.equal(rawControls(svg), 0);
    const doc = (await parseStringPromise(svg)) as { svg: XmlNode };
    const label = findAll(doc.svg, "text").find((t) => t.$?.class === "stream-label");
    assert.ok(label);
    assert.match(textOf(label), /^192\.0\.2\.10:40000 -> UE-A <"evil"> & \\x1b\[31m \(X\\0<b>, SSRC 0x0000002A\)$/);
  });

  test("a stream with no samples or only empty seconds shows 'no packets received', no broken path", async () => {
    const none: PlotStream = { ue: "UE-B (sip:bob@ims.example.test)", stream: 1, ssrc: SSRC_B, encoding: "AMR-WB", remote: null, sources: [] };
    const zeros = stream("UE-A (sip:alice@ims.example.test)", SSRC_A, 7, [{ second: 1, packets: 0, jitterMs: 0 }]);
    const svg = renderMediaPlotSvg([none, zeros]);
    const doc = (await parseStringPromise(svg)) as { svg: XmlNode };
    assert.equal(findAll(doc.svg, "polyline").length, 0);
    assert.equal(findAll(doc.svg, "path").length, 0);
    const notes = findAll(doc.svg, "text").filter((t) => t.$?.class === "note");
    assert.deepEqual(notes.map(textOf), ["no packets received", "no packets received"]);
    assert.doesNotMatch(svg, /NaN|Infinity/);
    const labels = findAll(doc.svg, "text")
      .filter((t) => t.$?.class === "stream-label")
      .map(textOf);
    assert.deepEqual(labels, ["unknown peer -> UE-B (AMR-WB)", "192.0.2.10:40000 -> UE-A (PCMU, SSRC 0x00000007)"]);
  });

  test("no streams at all is still a valid SVG", async () => {
    const doc = (await parseStringPromise(renderMediaPlotSvg([]))) as { svg: XmlNode };
    assert.ok(findAll(doc.svg, "text").some((t) => textOf(t) === "no RTP streams"));
  });
});

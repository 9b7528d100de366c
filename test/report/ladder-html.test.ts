import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseStringPromise } from "xml2js";
import { escapeXml } from "../../src/report/ladder-svg.ts";
import { renderLadderHtml } from "../../src/report/ladder-html.ts";
import { maskTraceEntries } from "../../src/report/mask-secrets.ts";
import { NAMES, callFlow } from "./sip-flow.ts";

describe("renderLadderHtml", () => {
  const entries = callFlow();
  const html = renderLadderHtml(entries, { names: NAMES }, "TC 1 <call> & release");

  test("a full message listing: one <pre id=message-<seq>> per entry with the escaped text", () => {
    const pres = [...html.matchAll(/<pre id="message-(\d+)">([^]*?)<\/pre>/g)];
    assert.deepEqual(
      pres.map((m) => Number(m[1])),
      entries.map((e) => e.seq),
    );
    for (const [i, m] of pres.entries()) {
      assert.equal(m[2], escapeXml(entries[i].bytes.toString("utf8").replace(/\r\n/g, "\n").trimEnd()));
    }
    assert.ok(html.includes("Subject: Tom &amp; Jerry&#39;s &quot;call&quot; &lt;test&gt;"));
  });

  test("every arrow of the inline SVG links to its message", async () => {
    const svg = /<svg[^]*<\/svg>/.exec(html)?.[0];
    assert.ok(svg !== undefined);
    const doc = (await parseStringPromise(svg)) as { svg: { a: { $: { href: string }; g: { $: { id: string } }[] }[] } };
    assert.equal(doc.svg.a.length, entries.length);
    for (const [i, a] of doc.svg.a.entries()) {
      assert.equal(a.$.href, `#message-${entries[i].seq}`);
      assert.equal(a.g[0].$.id, `msg-${entries[i].seq}`);
    }
  });

  test("self-contained: no script, no external resource; title escaped", () => {
    assert.ok(!/<script|<link|<img|src=|@import|url\(/i.test(html));
    const urls = [...html.matchAll(/https?:\/\/[^"\s]+/g)].map((m) => m[0]);
    assert.deepEqual([...new Set(urls)].sort(), ["http://www.w3.org/1999/xlink", "http://www.w3.org/2000/svg"]);
    assert.ok(html.startsWith("<!DOCTYPE html>\n"));
    assert.ok(html.includes("<title>TC 1 &lt;call&gt; &amp; release</title>"));
    assert.ok(html.includes("<h1>TC 1 &lt;call&gt; &amp; release</h1>"));
  });

  test("headings name the participants and mark the retransmission", () => {
    assert.match(
      html,
      /<h2><a href="#msg-6">#6<\/a> \+0\.520 s <span class="label">INVITE<\/span> <span class="retransmission">\[retransmission\]<\/span> UE-A &rarr; SUT \(P-CSCF\) UDP 127\.0\.0\.1:40123 &rarr; 127\.0\.0\.1:5060/,
    );
    assert.match(html, /<h2><a href="#msg-8">#8<\/a> \+0\.522 s <span class="label">INVITE<\/span> SUT \(P-CSCF\) &rarr; UE-B UDP/);
  });

  test("masked entries (maskTraceEntries) leave no secret in the diagram and the listing", () => {
    const secret = "0123456789abcdef0123456789abcdef";
    assert.ok(html.includes(secret));
    const masked = renderLadderHtml(maskTraceEntries(entries, [secret]), { names: NAMES }, "t");
    assert.ok(!masked.includes(secret));
    assert.equal(masked.split(`response=&quot;${"*".repeat(32)}&quot;`).length - 1, 2); // tooltip + listing
  });
});

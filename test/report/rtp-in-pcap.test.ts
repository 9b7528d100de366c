// The pcap of IMS-CALL-013 (two-way media) from a real run: tshark decodes its RTP through the SDP
// that set the streams up (no decode-as option), as Wireshark's RTP stream analysis needs: two
// streams, PCMU both ways, none lost; RTCP too.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { pcapOfRun, tsharkSkip } from "../support/pcap-of-run.ts";

test("tshark shows RTP both ways in the pcap of IMS-CALL-013, decoded through the SDP", { skip: tsharkSkip(), timeout: 120000 }, async () => {
  const file = await pcapOfRun("IMS-CALL-013");
  // Every RTP packet: its stream and payload type, decoded because the SDP in the same capture announced the ports
  const t = spawnSync("tshark", ["-r", file, "-Y", "rtp", "-T", "fields", "-e", "rtp.ssrc", "-e", "rtp.p_type"], { encoding: "utf8" });
  assert.equal(t.status, 0, t.stderr);
  const perSsrc = new Map<string, Set<string>>();
  const count = new Map<string, number>();
  for (const line of t.stdout.trim().split("\n")) {
    const [ssrc, pt] = line.trim().split("\t");
    if (!ssrc || pt === undefined) continue;
    perSsrc.set(ssrc, (perSsrc.get(ssrc) ?? new Set()).add(pt));
    count.set(ssrc, (count.get(ssrc) ?? 0) + 1);
  }
  assert.equal(perSsrc.size, 2, `two RTP streams (one each way): ${[...count].map(([s, n]) => `${s}: ${n}`).join(", ")}`);
  for (const [ssrc, pts] of perSsrc) {
    assert.deepEqual([...pts], ["0"], `stream ${ssrc} carries PCMU (payload type 0) only`);
    assert.ok(count.get(ssrc)! >= 10, `stream ${ssrc} has ${count.get(ssrc)} packets`);
  }
  // Wireshark's RTP stream analysis: no packet lost, no sequence error
  const streams = spawnSync("tshark", ["-r", file, "-q", "-z", "rtp,streams"], { encoding: "utf8" });
  assert.equal(streams.status, 0, streams.stderr);
  const rows = streams.stdout.split("\n").filter((l) => /0x[0-9A-Fa-f]+/.test(l));
  assert.equal(rows.length, 2, streams.stdout);
  for (const row of rows) assert.match(row, /\s0 \(0\.0%\)/, `no loss in ${row.trim()}`);
});

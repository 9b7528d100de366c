// The SMS codec confirmed by an independent decoder: a short message submitted, reported, delivered
// and acknowledged through the reference core (GSM 7-bit and UCS2), the core's own trace written as
// a pcap, and Wireshark's dissectors (gsm_a.rp: TS 24.011, gsm_sms: TS 23.040) read every RP message
// and TPDU back: types, references, numbers, coding and text. The fault sms-corrupt-tpdu's
// SMS-DELIVER is malformed for tshark too. Needs tshark (Debian package tshark); skipped without it,
// except under CI=true, where its absence fails.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TestContext, describe, test } from "node:test";
import type { FaultName } from "../../src/profile/profile.ts";
import { writePcap } from "../../src/report/pcap-writer.ts";
import { carriesSms, sendDeliveryReport, submitSms, waitForSms } from "../../src/sip/ue/index.ts";
import { parseMessage } from "../../src/sip/message/index.ts";
import { Trace, type TraceEntry } from "../../src/sip/transport/trace.ts";
import { encodeRpDataToMs, encodeSmsDeliver } from "../../src/sms/index.ts";
import { Lab, TEL } from "../reference-core/core-fixture.ts";

function tsharkSkip(): string | false {
  if (spawnSync("tshark", ["-v"], { stdio: "ignore" }).status === 0) return false;
  if (process.env["CI"]) throw new Error("tshark (Debian package tshark) is not installed, and CI must not skip this test");
  return "tshark (Debian package tshark) is not installed";
}

const FIELDS = [
  "gsm_a.rp.msg_type",
  "gsm_a.rp.rp_message_reference",
  "gsm_a.rp.cause",
  "gsm_sms.tp-mti",
  "gsm_sms.tp-mr",
  "gsm_sms.tp-da",
  "gsm_sms.tp-oa",
  "gsm_sms.tp-dcs",
  "gsm_sms.tp.user_data_length",
  "gsm_sms.sms_text",
  "_ws.malformed",
] as const;
type Row = Record<(typeof FIELDS)[number], string>;

/** Runs a short message through the core and returns tshark's reading of every RP message on the wire, in order. */
async function throughCore(t: TestContext, text: string, faults: FaultName[] = []): Promise<{ rows: Row[]; reference: number }> {
  const trace = new Trace();
  const lab = await Lab.start(t, { faults, extra: { trace } });
  const alice = await lab.registered("alice");
  const bob = await lab.registered("bob");
  const reference = 200 + text.length;
  const submission = submitSms(alice, { smsc: "sip:smsc@ims.example.test", destination: TEL.bob.slice(4), text, reference });
  assert.equal((await submission.response).status, faults.includes("sms-200-instead-of-202") ? 200 : 202);
  await waitForSms(alice);
  const delivered = await waitForSms(bob);
  if (delivered.rp.ok && delivered.rp.value.tpdu?.ok) assert.equal((await sendDeliveryReport(bob, delivered)).status, 202);
  // The core's own trace: every MESSAGE with an RP message, as it went over the wire
  const entries = trace.entries.filter((e) => {
    const p = parseMessage(e.bytes);
    return p.ok && carriesSms(p.message) && p.message.kind === "request";
  });
  return { rows: tshark(t, entries, lab.core.port), reference };
}

/** tshark's reading of the RP messages in SIP over UDP on `port`, one row per message. */
function tshark(t: TestContext, entries: readonly TraceEntry[], port: number): Row[] {
  const dir = mkdtempSync(join(tmpdir(), "sms-tshark-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pcap = join(dir, "sms.pcap");
  writeFileSync(pcap, writePcap(entries));
  const out = spawnSync("tshark", ["-r", pcap, "-d", `udp.port==${port},sip`, "-Y", "gsm_a.rp", "-T", "fields", "-E", "separator=\t", "-E", "occurrence=f", ...FIELDS.flatMap((f) => ["-e", f])], {
    encoding: "utf8",
  });
  assert.equal(out.status, 0, out.stderr);
  return out.stdout
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => Object.fromEntries(FIELDS.map((f, i) => [f, l.split("\t")[i] ?? ""])) as Row);
}

describe("tshark reads what the codec writes (through the reference core)", { skip: tsharkSkip() }, () => {
  test("GSM 7-bit: RP-DATA(SMS-SUBMIT), RP-ACK, RP-DATA(SMS-DELIVER), RP-ACK", async (t) => {
    const text = "hello from UE-A: 100€ {ok}";
    const { rows, reference } = await throughCore(t, text);
    const mr = `0x${reference.toString(16).padStart(2, "0")}`;
    assert.deepEqual(
      rows.map((r) => [r["gsm_a.rp.msg_type"], r["gsm_sms.tp-mti"]]),
      [
        ["0x00", "1"], // RP-DATA MS to network, SMS-SUBMIT
        ["0x03", "1"], // RP-ACK network to MS, SMS-SUBMIT-REPORT
        ["0x01", "0"], // RP-DATA network to MS, SMS-DELIVER
        ["0x02", "0"], // RP-ACK MS to network, SMS-DELIVER-REPORT
      ],
    );
    const [submit, report, deliver, ack] = rows as [Row, Row, Row, Row];
    assert.equal(submit["gsm_a.rp.rp_message_reference"], mr);
    assert.equal(submit["gsm_sms.tp-mr"], String(reference));
    assert.equal(submit["gsm_sms.tp-da"], "15551230002");
    assert.equal(submit["gsm_sms.tp-dcs"], "0");
    assert.equal(submit["gsm_sms.tp.user_data_length"], String(text.length + 3)); // €, { and } are in the extension table: an escape septet each (TS 23.038 6.2.1.1)
    assert.equal(submit["gsm_sms.sms_text"], text);
    assert.equal(report["gsm_a.rp.rp_message_reference"], mr);
    assert.equal(deliver["gsm_sms.tp-oa"], "15551230001");
    assert.equal(deliver["gsm_sms.sms_text"], text);
    assert.equal(deliver["gsm_a.rp.rp_message_reference"], ack["gsm_a.rp.rp_message_reference"]);
    assert.deepEqual(
      rows.map((r) => r["_ws.malformed"]),
      ["", "", "", ""],
    );
  });

  test("UCS2: the text and TP-DCS 8 as tshark reads them", async (t) => {
    const text = "Grüße 你好";
    const { rows } = await throughCore(t, text);
    const [submit, , deliver] = rows as [Row, Row, Row];
    for (const r of [submit, deliver]) {
      assert.equal(r["gsm_sms.tp-dcs"], "8");
      assert.equal(r["gsm_sms.tp.user_data_length"], String(text.length * 2));
      assert.equal(r["gsm_sms.sms_text"], text);
    }
  });

  test("sms-rp-error: the submit report is an RP-ERROR with cause 38 (Network out of order)", async (t) => {
    const trace = new Trace();
    const lab = await Lab.start(t, { faults: ["sms-rp-error"], extra: { trace } });
    const alice = await lab.registered("alice");
    await lab.registered("bob");
    const s = submitSms(alice, { smsc: "sip:smsc@ims.example.test", destination: TEL.bob.slice(4), text: "x", reference: 5 });
    assert.equal((await s.response).status, 202);
    const report = await waitForSms(alice);
    assert.ok(report.rp.ok);
    assert.deepEqual([report.rp.value.type, report.rp.value.reference, report.rp.value.cause], ["RP-ERROR", 5, 38]);
  });

  test("an alphanumeric TP-OA (TS 23.040 9.1.2.5), the codec's own bytes", (t) => {
    const tpdu = encodeSmsDeliver({ originator: "alice", timestamp: new Date(Date.UTC(2026, 11, 7)), text: "hi" });
    const body = encodeRpDataToMs({ reference: 1, scAddress: "+15550000000", tpdu });
    const head = Buffer.from(
      `MESSAGE sip:bob@127.0.0.1:5070 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-a1\r\nMax-Forwards: 70\r\nFrom: <sip:smsc@ims.example.test>;tag=s\r\nTo: <sip:bob@ims.example.test>\r\nCall-ID: a1\r\nCSeq: 1 MESSAGE\r\nContent-Type: application/vnd.3gpp.sms\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    const rows = tshark(
      t,
      [{ seq: 1, time: Date.now(), direction: "sent", protocol: "udp", local: { host: "127.0.0.1", port: 5060 }, remote: { host: "127.0.0.1", port: 5070 }, bytes: Buffer.concat([head, body]) }],
      5060,
    );
    assert.deepEqual([rows[0]?.["gsm_sms.tp-oa"], rows[0]?.["gsm_sms.sms_text"], rows[0]?.["_ws.malformed"]], ["alice", "hi", ""]);
  });

  test("sms-corrupt-tpdu: the SMS-DELIVER is malformed for tshark too", async (t) => {
    const { rows } = await throughCore(t, "hello", ["sms-corrupt-tpdu"]);
    const deliver = rows.find((r) => r["gsm_a.rp.msg_type"] === "0x01");
    assert.ok(deliver, "the SMS-DELIVER was sent");
    assert.equal(deliver["gsm_sms.tp.user_data_length"], "25"); // 5 septets announced as 25
    assert.notEqual(deliver["_ws.malformed"], "");
  });
});

// Issue 10, gap 3: the evidence of a test case is rendered from trace entries masked before
// anything is written, so a secret that also appears in the traffic (a password equal to a user
// name or to a label of the domain) leaves every pcap length, sequence number and checksum true,
// and the same masked message text is in the pcap, the text trace and the ladders. Control
// characters from the SUT reach no attachment raw.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, describe, test } from "node:test";
import { loadProfile } from "../../src/profile/load-profile.ts";
import type { Profile } from "../../src/profile/profile.ts";
import { escapeControlCharactersInSipText } from "../../src/report/control-characters.ts";
import { escapeXml } from "../../src/report/ladder-svg.ts";
import { internetChecksum } from "../../src/report/pcap-writer.ts";
import { createResponse, isRequest, parseMessage, serializeMessage } from "../../src/sip/message/index.ts";
import type { TraceEntry } from "../../src/sip/transport/trace.ts";
import { evidenceOf, type Evidence } from "../../steps/support/evidence.ts";
import { SUT, T0, UE_B, callFlow, entry, registerExchange, request } from "./sip-flow.ts";

const PROJECT = resolve(import.meta.dirname, "../..");
/** pcap-writer: the largest TCP payload of one segment (an IPv6 packet of it is the snaplen). */
const MAX_SEGMENT = 65535 - 40 - 20;
// Passwords that are in the traffic too: a user name and a label of the domain
const PASSWORD_B = "alice";
const PASSWORD_C = "example";
const K = "000102030405060708090a0b0c0d0e0f";
const OPC = "f0e0d0c0b0a090807060504030201000";
const SECRETS = [PASSWORD_B, PASSWORD_C, K, OPC];

const tsharkMissing = spawnSync("tshark", ["-v"], { stdio: "ignore" }).status !== 0;
const dir = mkdtempSync(join(tmpdir(), "masked-evidence-"));
after(() => rmSync(dir, { recursive: true, force: true }));

async function profile(): Promise<Profile> {
  return loadProfile(join(PROJECT, "test/fixtures/profiles/embedded-fast.yaml"), { IMS_UE_A_K: K, IMS_UE_A_OPC: OPC, IMS_UE_B_PASSWORD: PASSWORD_B, IMS_UE_C_PASSWORD: PASSWORD_C });
}

/** The mask the evidence must apply: each occurrence becomes as many "*" as it has bytes. */
function expectedMask(bytes: Buffer): Buffer {
  return Buffer.from(bytes.toString("latin1").replaceAll(PASSWORD_C, "*".repeat(PASSWORD_C.length)).replaceAll(PASSWORD_B, "*".repeat(PASSWORD_B.length)), "latin1");
}

/** Entries numbered and timed in order (each helper starts at #1). */
function renumber(entries: readonly TraceEntry[]): TraceEntry[] {
  return entries.map((e, i) => ({ ...e, seq: i + 1, time: T0 + i }));
}

/** A MESSAGE over TCP larger than one segment, with PASSWORD_C across the segment boundary, and its 200. */
function splitMessage(): TraceEntry[] {
  const local = { host: "127.0.0.1", port: 45679 };
  const size = 70_000;
  const build = (before: number) =>
    request({
      method: "MESSAGE",
      uri: "sip:bob@ims.example.net",
      branch: "z9hG4bK-m",
      cseq: 1,
      callId: "m@x",
      from: "<sip:alice@ims.example.net>;tag=1",
      to: "<sip:bob@ims.example.net>",
      sentBy: "127.0.0.1:45679",
      transport: "TCP",
    }).setBody("x".repeat(before) + PASSWORD_C + "y".repeat(size - before - PASSWORD_C.length), "text/plain");
  const bodyStart = serializeMessage(build(0)).indexOf("\r\n\r\n") + 4;
  const message = build(MAX_SEGMENT - 3 - bodyStart);
  const bytes = serializeMessage(message);
  assert.equal(bytes.indexOf(PASSWORD_C, bodyStart), MAX_SEGMENT - 3, "the secret straddles the segment boundary");
  return [entry(1, 0, "sent", local, SUT, bytes, "tcp", "conn-2"), entry(2, 0, "received", local, SUT, createResponse(message, 200, { toTag: "m2" }), "tcp", "conn-2")];
}

/** UDP registration and call, TCP registration, and the split MESSAGE over TCP. */
function traffic(): TraceEntry[] {
  return renumber([...callFlow(), ...registerExchange({ host: "127.0.0.1", port: 45678 }, SUT, "tcp", "conn-1"), ...splitMessage()]);
}

interface Packet {
  readonly protocol: "udp" | "tcp";
  /** "src:port>dst:port" */
  readonly flow: string;
  readonly seq: number;
  readonly payload: Buffer;
}

/** Reads a LINKTYPE_RAW IPv4 pcap, checking each record's lengths and checksums on the way. */
function readPackets(pcap: Buffer): Packet[] {
  const out: Packet[] = [];
  let off = 24;
  while (off < pcap.length) {
    assert.ok(off + 16 <= pcap.length, `a record header at ${off} runs past the end of the file`);
    const incl = pcap.readUInt32LE(off + 8);
    assert.equal(pcap.readUInt32LE(off + 12), incl, `record at ${off}: original length = captured length`);
    assert.ok(off + 16 + incl <= pcap.length, `record at ${off} has ${incl} bytes, the file ends before`);
    const ip = pcap.subarray(off + 16, off + 16 + incl);
    off += 16 + incl;
    assert.equal(ip[0], 0x45);
    assert.equal(ip.readUInt16BE(2), incl, "IPv4 total length = the record's length");
    assert.equal(internetChecksum(ip.subarray(0, 20)), 0, "IPv4 header checksum");
    const pseudo = Buffer.alloc(12);
    ip.copy(pseudo, 0, 12, 20);
    pseudo[9] = ip[9]!;
    pseudo.writeUInt16BE(incl - 20, 10);
    const segment = ip.subarray(20);
    assert.equal(internetChecksum(pseudo, segment), 0, "UDP/TCP checksum");
    const flow = `${ip.subarray(12, 16).join(".")}:${segment.readUInt16BE(0)}>${ip.subarray(16, 20).join(".")}:${segment.readUInt16BE(2)}`;
    if (ip[9] === 17) {
      assert.equal(segment.readUInt16BE(4), segment.length, "UDP length = header and payload");
      out.push({ protocol: "udp", flow, seq: 0, payload: segment.subarray(8) });
    } else {
      assert.equal(ip[9], 6);
      out.push({ protocol: "tcp", flow, seq: segment.readUInt32BE(4), payload: segment.subarray((segment[12] >> 4) * 4) });
    }
  }
  return out;
}

function flowOf(e: TraceEntry): string {
  const [from, to] = e.direction === "sent" ? [e.local, e.remote] : [e.remote, e.local];
  return `${from.host}:${from.port}>${to.host}:${to.port}`;
}

function attachment(evidence: readonly Evidence[], name: string): string | Buffer {
  const found = evidence.find((e) => e.name === name);
  assert.ok(found, `attachment ${name}`);
  return found.data;
}

/** Method or status code of each message, as tshark prints the fields sip.Method and sip.Status-Code. */
function sipRows(entries: readonly TraceEntry[]): string[] {
  return entries.map((e) => {
    const p = parseMessage(e.bytes);
    assert.ok(p.ok);
    return isRequest(p.message) ? `${p.message.method}\t` : `\t${p.message.status}`;
  });
}

describe("evidence masked before it is written", () => {
  test("the pcap's lengths, sequence numbers and checksums hold, and no secret is in any attachment", async () => {
    const entries = traffic();
    for (const s of [PASSWORD_B, PASSWORD_C]) assert.ok(entries.filter((e) => e.bytes.includes(s)).length > 20, `${s} is in the traffic`);
    const evidence = evidenceOf(entries, new Map(), SUT, await profile(), "IMS-REG-002 Initial registration");
    const pcap = attachment(evidence, "SIP capture.pcap");
    assert.ok(Buffer.isBuffer(pcap));
    const packets = readPackets(pcap);
    assert.equal(packets.length, entries.length + 1, "one packet per message, two for the large MESSAGE");

    // TCP: per direction, sequence numbers advance by the payload; the stream is the messages in order
    const streams = new Map<string, Buffer>();
    for (const p of packets.filter((x) => x.protocol === "tcp")) {
      const before = streams.get(p.flow) ?? Buffer.alloc(0);
      assert.equal(p.seq, 1 + before.length, `TCP sequence number on ${p.flow}`);
      streams.set(p.flow, Buffer.concat([before, p.payload]));
    }
    // Each message is in the pcap as the entry with every secret masked at the same length
    const udp = packets.filter((p) => p.protocol === "udp");
    const read = new Map<string, number>();
    const masked = entries.map((e) => {
      if (e.protocol === "udp") return udp.shift()!.payload;
      const at = read.get(flowOf(e)) ?? 0;
      read.set(flowOf(e), at + e.bytes.length);
      return streams.get(flowOf(e))!.subarray(at, at + e.bytes.length);
    });
    assert.deepEqual(
      [...read].map(([flow, n]) => streams.get(flow)!.length - n),
      [...read].map(() => 0),
      "nothing but the messages in the TCP streams",
    );
    entries.forEach((e, i) => {
      assert.ok(masked[i].equals(expectedMask(e.bytes)), `message #${e.seq} masked at the same length`);
      assert.ok(parseMessage(masked[i]).ok, `message #${e.seq} still parses`);
    });

    // No secret: not in the file, not in a payload, not across the segment boundary, not in a text attachment
    for (const s of SECRETS) {
      for (const data of [pcap, ...masked, ...streams.values()] as Buffer[]) assert.equal(data.indexOf(s), -1, `${s} is in the pcap`);
      for (const name of ["SIP ladder.html", "SIP ladder.svg", "SIP trace.txt"]) assert.ok(!String(attachment(evidence, name)).includes(s), `${s} is in ${name}`);
    }

    // The text trace and the HTML listing show the messages exactly as the pcap carries them
    const trace = String(attachment(evidence, "SIP trace.txt"));
    const html = String(attachment(evidence, "SIP ladder.html"));
    assert.match(trace, /REGISTER sip:ims\.\*{7}\.net SIP\/2\.0\nVia: SIP\/2\.0\/UDP 127\.0\.0\.1:40123;branch=z9hG4bK-reg-1;rport\n.*\nFrom: <sip:\*{5}@ims\.\*{7}\.net>;tag=fa1\n/);
    for (const m of masked) {
      const text = escapeControlCharactersInSipText(m.toString("utf8")).trimEnd();
      assert.ok(trace.includes(text), "the text trace shows the pcap's message");
      assert.ok(html.includes(escapeXml(text)), "the HTML listing shows the pcap's message");
    }

    if (tsharkMissing) {
      if (process.env["CI"]) assert.fail("tshark (Debian package tshark) is not installed, and CI must not skip this check");
      return;
    }
    const file = join(dir, "masked.pcap");
    writeFileSync(file, pcap);
    const t = spawnSync("tshark", ["-n", "-r", file, "-Y", "sip", "-T", "fields", "-e", "sip.Method", "-e", "sip.Status-Code"], { encoding: "utf8", env: { ...process.env, LC_ALL: "C" } });
    assert.equal(t.status, 0, t.stderr);
    assert.doesNotMatch(t.stderr, /damaged|cut short|corrupt|error/i);
    assert.deepEqual(t.stdout.trimEnd().split("\n"), sipRows(entries));
  });

  test("control characters from the SUT reach no attachment raw", async () => {
    const invite = request({
      method: "INVITE",
      uri: "sip:bob@ims.example.net",
      branch: "z9hG4bK-c",
      cseq: 1,
      callId: "c@x",
      from: "<sip:bob@ims.example.net>;tag=1",
      to: "<sip:dave@ims.example.net>",
      sentBy: "127.0.0.1:40456",
    });
    const busy = serializeMessage(createResponse(invite, 486, { reason: "Busy\x1b[2J\x07\x00 Here", toTag: "t" }));
    const evil = Buffer.from("MESSAGE sip:bob@127.0.0.1:40456 SIP/2.0\r\nX-Evil: \x1b]0;title\x07\x0b\x0c\x7f\u0085\u202e\r\nContent-Length: 0\r\n\r\n");
    const entries = renumber([entry(1, 0, "sent", UE_B, SUT, invite), entry(2, 0, "received", UE_B, SUT, busy), entry(3, 0, "received", UE_B, SUT, evil)]);
    assert.ok(parseMessage(busy).ok);
    const evidence = evidenceOf(entries, new Map(), SUT, await profile(), "IMS-CALL-004 Busy");
    const trace = String(attachment(evidence, "SIP trace.txt"));
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(trace, /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]/);
    assert.match(trace, /\nSIP\/2\.0 486 Busy\\x1b\[2J\\x07\\0 Here\n/);
    assert.match(trace, /\nX-Evil: \\x1b\]0;title\\x07\\v\\f\\x7f\\x85\\u202e\n/);
    for (const name of ["SIP ladder.html", "SIP ladder.svg"]) {
      const text = String(attachment(evidence, name));
      // XML 1.0 2.2 Char: no C0 control but tab, LF and CR; and the text shows what was sent
      // eslint-disable-next-line no-control-regex
      assert.doesNotMatch(text, /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/, name);
      assert.ok(text.includes("486 Busy\\x1b[2J\\x07\\0 Here"), `${name} shows the reason phrase escaped`);
    }
  });
});

import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test, type TestContext } from "node:test";
import { promisify } from "node:util";
import { LINKTYPE_RAW, internetChecksum, ipv4HeaderChecksum, ipv6Bytes, writePcap } from "../../src/report/pcap-writer.ts";
import type { TraceEntry } from "../../src/sip/transport/trace.ts";
import { SUT, T0, UE_A, entry, registerExchange, request } from "./sip-flow.ts";

const run = promisify(execFile);

function hasTshark(): boolean {
  try {
    execFileSync("tshark", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const TSHARK = hasTshark();
const dir = mkdtempSync(join(tmpdir(), "pcap-writer-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs tshark on the pcap of `entries`, or skips (fails under CI) when tshark is missing. */
async function tshark(t: TestContext, entries: readonly TraceEntry[], fields: readonly string[], extra: readonly string[] = []): Promise<string[][] | undefined> {
  if (!TSHARK) {
    if (process.env.CI) assert.fail("tshark (Debian package tshark) is not installed");
    t.skip("tshark (Debian package tshark) is not installed");
    return undefined;
  }
  const file = join(dir, `${t.name.replace(/\W+/g, "-")}.pcap`);
  writeFileSync(file, writePcap(entries));
  const { stdout } = await run("tshark", ["-n", "-r", file, ...extra, "-T", "fields", ...fields.flatMap((f) => ["-e", f])], { env: { ...process.env, LC_ALL: "C" } });
  return stdout
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => l.split("\t"));
}

interface PcapRecord {
  sec: number;
  usec: number;
  incl: number;
  orig: number;
  data: Buffer;
}

function readPcap(buf: Buffer): { header: Buffer; records: PcapRecord[] } {
  const records: PcapRecord[] = [];
  let off = 24;
  while (off < buf.length) {
    const incl = buf.readUInt32LE(off + 8);
    records.push({ sec: buf.readUInt32LE(off), usec: buf.readUInt32LE(off + 4), incl, orig: buf.readUInt32LE(off + 12), data: buf.subarray(off + 16, off + 16 + incl) });
    off += 16 + incl;
  }
  return { header: buf.subarray(0, 24), records };
}

const REGISTER_FLOW = [
  ["REGISTER", ""],
  ["", "401"],
  ["REGISTER", ""],
  ["", "200"],
];

describe("writePcap decoded by tshark", () => {
  test("REGISTER/401/REGISTER/200 over UDP", async (t) => {
    const rows = await tshark(t, registerExchange(UE_A, SUT, "udp"), ["sip.Method", "sip.Status-Code"], ["-Y", "sip"]);
    if (rows) assert.deepEqual(rows, REGISTER_FLOW);
  });

  test("REGISTER/401/REGISTER/200 over TCP (ephemeral local port)", async (t) => {
    const rows = await tshark(t, registerExchange({ host: "127.0.0.1", port: 45678 }, SUT, "tcp", "conn-1"), ["sip.Method", "sip.Status-Code"], ["-Y", "sip"]);
    if (rows) assert.deepEqual(rows, REGISTER_FLOW);
  });

  test("IPv6 over TCP on non-standard ports (SIP heuristic)", async (t) => {
    const rows = await tshark(
      t,
      registerExchange({ host: "::1", port: 45678 }, { host: "[2001:db8::5]", port: 15060 }, "tcp"),
      ["ipv6.src", "ipv6.dst", "sip.Method", "sip.Status-Code"],
      ["-Y", "sip"],
    );
    if (rows)
      assert.deepEqual(rows, [
        ["::1", "2001:db8::5", "REGISTER", ""],
        ["2001:db8::5", "::1", "", "401"],
        ["::1", "2001:db8::5", "REGISTER", ""],
        ["2001:db8::5", "::1", "", "200"],
      ]);
  });

  test("checksums verify; TCP sequence and ack numbers follow the payload", async (t) => {
    const entries = registerExchange({ host: "127.0.0.1", port: 45678 }, SUT, "tcp");
    const checks = ["-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE"];
    const rows = await tshark(t, entries, ["ip.checksum.status", "tcp.checksum.status", "tcp.seq_raw", "tcp.ack_raw", "tcp.len"], checks);
    if (!rows) return;
    const [l1, l2, l3, l4] = entries.map((e) => e.bytes.length) as [number, number, number, number];
    assert.deepEqual(rows, [
      ["1", "1", "1", "1", String(l1)],
      ["1", "1", "1", String(1 + l1), String(l2)],
      ["1", "1", String(1 + l1), String(1 + l2), String(l3)],
      ["1", "1", String(1 + l2), String(1 + l1 + l3), String(l4)],
    ]);
    const udp = await tshark(t, registerExchange(UE_A, SUT, "udp"), ["ip.checksum.status", "udp.checksum.status", "frame.time_epoch"], checks);
    assert.deepEqual(udp, [
      ["1", "1", "1700000000.123250000"],
      ["1", "1", "1700000000.124750000"],
      ["1", "1", "1700000000.126500000"],
      ["1", "1", "1700000000.133251000"],
    ]);
  });

  test("a TCP message larger than one packet is split and reassembled", async (t) => {
    const big = request({ method: "MESSAGE", uri: "sip:bob@x", branch: "z9hG4bK-m", cseq: 1, callId: "m@x", from: "<sip:a@x>;tag=1", to: "<sip:b@x>", sentBy: "127.0.0.1:40123", transport: "TCP" });
    big.setBody("x".repeat(150_000), "text/plain");
    const e = entry(1, 0, "sent", UE_A, SUT, big, "tcp");
    const rows = await tshark(t, [e], ["tcp.len", "sip.Method", "sip.Content-Length"]);
    if (!rows) return;
    assert.equal(rows.length, 3);
    assert.deepEqual(rows[2].slice(1), ["MESSAGE", "150000"]);
    assert.equal(
      rows.reduce((n, r) => n + Number(r[0]), 0),
      e.bytes.length,
    );
  });
});

describe("writePcap format", () => {
  test("global header: magic a1b2c3d4, version 2.4, snaplen 65535, LINKTYPE_RAW", () => {
    const { header } = readPcap(writePcap([]));
    assert.equal(header.toString("hex"), "d4c3b2a1" + "0200" + "0400" + "00000000" + "00000000" + "ffff0000" + "65000000");
    assert.equal(LINKTYPE_RAW, 101);
  });

  test("UDP record: timestamp, addresses by direction, lengths", () => {
    const [sent, received] = registerExchange(UE_A, SUT, "udp") as [TraceEntry, TraceEntry];
    const { records } = readPcap(writePcap([sent, received]));
    assert.equal(records.length, 2);
    const [r1, r2] = records as [PcapRecord, PcapRecord];
    assert.deepEqual([r1.sec, r1.usec], [Math.floor(T0 / 1000), 123250]);
    assert.deepEqual([r2.sec, r2.usec], [Math.floor(T0 / 1000), 124750]);
    assert.equal(r1.incl, 20 + 8 + sent.bytes.length);
    assert.equal(r1.orig, r1.incl);
    const ip = r1.data;
    assert.equal(ip[0], 0x45);
    assert.equal(ip.readUInt16BE(2), r1.incl);
    assert.equal(ip[8], 64);
    assert.equal(ip[9], 17);
    assert.equal(internetChecksum(ip.subarray(0, 20)), 0); // a correct header sums to zero
    assert.equal(ip.subarray(12, 16).toString("hex"), "7f000001");
    assert.deepEqual([ip.readUInt16BE(20), ip.readUInt16BE(22), ip.readUInt16BE(24)], [40123, 5060, 8 + sent.bytes.length]);
    // received: remote -> local
    assert.deepEqual([r2.data.readUInt16BE(20), r2.data.readUInt16BE(22)], [5060, 40123]);
    assert.ok(r1.data.subarray(28).equals(sent.bytes));
  });

  test("a UDP datagram beyond the snaplen is cut: incl_len < orig_len", () => {
    const e = entry(1, 0, "sent", UE_A, SUT, Buffer.alloc(70_000, 0x41));
    const { records } = readPcap(writePcap([e]));
    assert.equal(records[0].incl, 65535);
    assert.equal(records[0].orig, 20 + 8 + 70_000);
    assert.equal(records[0].data.readUInt16BE(2), 0xffff);
  });

  test("host names get synthetic addresses from 198.18.0.0/15; IPv4-mapped IPv6 is written as IPv4", () => {
    const e1 = entry(1, 0, "sent", { host: "::ffff:10.0.0.1", port: 5060 }, { host: "pcscf.example.net", port: 5060 }, Buffer.from("x"));
    const e2 = entry(2, 0, "sent", { host: "10.0.0.1", port: 5060 }, { host: "scscf.example.net", port: 5060 }, Buffer.from("x"));
    const { records } = readPcap(writePcap([e1, e2]));
    assert.equal(records[0].data.subarray(12, 20).toString("hex"), "0a000001" + "c6120001");
    assert.equal(records[1].data.subarray(16, 20).toString("hex"), "c6120002");
  });

  test("mixed families are written as IPv6 with the IPv4 side mapped", () => {
    const e = entry(1, 0, "sent", { host: "10.0.0.1", port: 5060 }, { host: "::1", port: 5060 }, Buffer.from("x"));
    const { records } = readPcap(writePcap([e]));
    const ip = records[0].data;
    assert.equal(ip[0] >> 4, 6);
    assert.equal(ip.subarray(8, 24).toString("hex"), "00000000000000000000ffff0a000001");
    assert.equal(ip.subarray(24, 40).toString("hex"), "00000000000000000000000000000001");
  });
});

describe("checksums", () => {
  test("IPv4 header checksum of a known header is b861", () => {
    // The usual worked example: 4500 0073 0000 4000 4011 [b861] c0a8 0001 c0a8 00c7
    const header = Buffer.from("450000730000400040110000c0a80001c0a800c7", "hex");
    assert.equal(ipv4HeaderChecksum(header), 0xb861);
    // the checksum field is ignored when computing
    assert.equal(ipv4HeaderChecksum(Buffer.from("45000073000040004011b861c0a80001c0a800c7", "hex")), 0xb861);
  });

  test("RFC 1071 sum across odd-length parts equals the sum of the whole", () => {
    const whole = Buffer.from("0001f203f4f5f6f7ab", "hex");
    assert.equal(internetChecksum(whole), internetChecksum(whole.subarray(0, 3), whole.subarray(3, 4), whole.subarray(4)));
    // RFC 1071 1.2 example: the sum of 0001 f203 f4f5 f6f7 is ddf2 (one's complement 220d)
    assert.equal(internetChecksum(whole.subarray(0, 8)), 0x220d);
  });

  test("ipv6Bytes", () => {
    assert.equal(ipv6Bytes("2001:db8::5").toString("hex"), "20010db8000000000000000000000005");
    assert.equal(ipv6Bytes("[::ffff:192.0.2.1]").toString("hex"), "00000000000000000000ffffc0000201");
    assert.equal(ipv6Bytes("fe80::1%eth0").toString("hex"), "fe800000000000000000000000000001");
    assert.throws(() => ipv6Bytes("10.0.0.1"));
  });
});

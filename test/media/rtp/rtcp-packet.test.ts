import { test } from "node:test";
import assert from "node:assert/strict";
import { type ReportBlock, decodeRtcpCompound, encodeRtcpCompound, encodeRtcpPacket, msFromNtp, ntpFromMs, ntpMiddle32 } from "../../../src/media/rtp/rtcp-packet.ts";

const block: ReportBlock = { ssrc: 0x01020304, fractionLost: 64, cumulativeLost: 25, highestSequence: 0x0001_0005, jitter: 37, lastSr: 0xaabbccdd, delaySinceLastSr: 0x00010000 };

test("RFC 3550 6.4.2: an RR with one report block encodes to the bytes computed by hand", () => {
  const bytes = encodeRtcpPacket({ type: "rr", ssrc: 0xdeadbeef, reports: [block] });
  const expected = [
    "81 c9 00 07", // V=2 P=0 RC=1, PT=RR (201), length: 7 words after the first
    "de ad be ef", // SSRC of the sender
    "01 02 03 04", // SSRC of the source reported on
    "40 00 00 19", // fraction lost 64/256, cumulative lost 25
    "00 01 00 05", // extended highest sequence number: 1 cycle, 5
    "00 00 00 25", // interarrival jitter 37
    "aa bb cc dd", // LSR
    "00 01 00 00", // DLSR: 1 s
  ];
  assert.equal(Buffer.from(bytes).toString("hex"), expected.join("").replace(/ /g, ""));
});

test("RFC 3550 6.1: a compound SR + SDES CNAME + BYE round-trips, with a negative cumulative loss", () => {
  const ntp = ntpFromMs(Date.UTC(2024, 0, 2, 3, 4, 5, 678));
  const compound = encodeRtcpCompound([
    { type: "sr", ssrc: 7, ntp, rtpTimestamp: 123456, packetCount: 500, octetCount: 80000, reports: [block, { ...block, ssrc: 9, cumulativeLost: -2 }] },
    { type: "sdes", chunks: [{ ssrc: 7, cname: "alice@192.0.2.1", items: [] }] },
    { type: "bye", ssrcs: [7], reason: "call ended" },
  ]);
  assert.equal(compound.length % 4, 0);
  const d = decodeRtcpCompound(compound);
  assert.ok(d.ok, d.ok ? "" : d.reason);
  assert.equal(d.packets.length, 3);
  const [sr, sdes, bye] = d.packets;
  assert.equal(sr.type, "sr");
  if (sr.type === "sr") {
    assert.deepEqual(sr.ntp, ntp);
    assert.equal(sr.rtpTimestamp, 123456);
    assert.equal(sr.packetCount, 500);
    assert.equal(sr.octetCount, 80000);
    assert.deepEqual(sr.reports, [block, { ...block, ssrc: 9, cumulativeLost: -2 }]);
  }
  assert.equal(sdes.type === "sdes" && sdes.chunks[0].cname, "alice@192.0.2.1");
  assert.deepEqual(bye, { type: "bye", ssrcs: [7], reason: "call ended" });
});

test("SDES chunks of every length end on a 32-bit boundary and read back", () => {
  for (let n = 0; n < 9; n++) {
    const cname = "x".repeat(n);
    const d = decodeRtcpCompound(
      encodeRtcpCompound([
        { type: "rr", ssrc: 1, reports: [] },
        {
          type: "sdes",
          chunks: [
            { ssrc: 1, cname, items: [] },
            { ssrc: 2, cname: `${cname}y`, items: [{ type: 6, text: "tool" }] },
          ],
        },
      ]),
    );
    assert.ok(d.ok, d.ok ? "" : d.reason);
    const sdes = d.packets[1];
    assert.ok(sdes.type === "sdes");
    assert.deepEqual(
      sdes.chunks.map((c) => c.cname),
      [cname, `${cname}y`],
    );
    assert.deepEqual(sdes.chunks[1].items[1], { type: 6, text: "tool" });
  }
});

test("RFC 3550 A.2: malformed compound packets are refused with the reason", () => {
  const rr = encodeRtcpPacket({ type: "rr", ssrc: 1, reports: [] });
  const sdes = encodeRtcpPacket({ type: "sdes", chunks: [{ ssrc: 1, cname: "a", items: [] }] });
  const cases: [string, Uint8Array, RegExp][] = [
    ["SDES first", sdes, /the first packet is type 202, not SR \(200\) or RR \(201\)/],
    ["version 1", Uint8Array.from([0x40, ...rr.subarray(1)]), /version 1, not 2/],
    ["length past the end", Uint8Array.from([0x80, 201, 0, 9, 0, 0, 0, 1]), /runs past the 8-octet datagram/],
    ["padding not on the last", Buffer.concat([Uint8Array.from([0xa0, ...rr.subarray(1)]), sdes]), /padding on a packet that is not the last/],
    ["report blocks missing", Uint8Array.from([0x82, 201, 0, 1, 0, 0, 0, 1]), /2 report blocks need 56 octets/],
    ["trailing bytes", Buffer.concat([rr, Uint8Array.of(0x80, 202)]), /shorter than an RTCP header/],
  ];
  for (const [name, bytes, reason] of cases) {
    const d = decodeRtcpCompound(bytes);
    assert.equal(d.ok, false, name);
    if (!d.ok) assert.match(d.reason, reason, name);
  }
  assert.throws(() => encodeRtcpCompound([{ type: "bye", ssrcs: [1] }]), /starts with an SR or RR/);
});

test("decodeRtcpCompound never throws on random bytes", () => {
  let seed = 11;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
  for (let i = 0; i < 20000; i++) {
    const b = Uint8Array.from({ length: rnd() % 80 }, rnd);
    if (b.length > 1) {
      b[0] = 0x80 | (b[0] & 0x3f);
      b[1] = 200 + (b[1] % 5);
    }
    assert.doesNotThrow(() => decodeRtcpCompound(b));
  }
});

test("RFC 3550 4: NTP timestamps from and back to ms; LSR is the middle 32 bits", () => {
  const ms = Date.UTC(2030, 5, 1, 12, 0, 0, 250);
  const ntp = ntpFromMs(ms);
  assert.equal(ntp.seconds, ms / 1000 - 0.25 + 2208988800);
  assert.equal(ntp.fraction, 2 ** 30);
  assert.ok(Math.abs(msFromNtp(ntp) - ms) < 0.001);
  // after 2036-02-07 the 32-bit seconds wrap (era 1); both ways still agree
  const later = Date.UTC(2040, 0, 1);
  assert.ok(ntpFromMs(later).seconds < 2 ** 31);
  assert.ok(Math.abs(msFromNtp(ntpFromMs(later)) - later) < 0.001);
  assert.equal(ntpMiddle32({ seconds: 0x12345678, fraction: 0x9abcdef0 }), 0x56789abc);
});

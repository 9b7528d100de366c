// Issue 14: ws and wss traffic in the pcap as SIP over WebSocket (RFC 7118): each connection opens
// with the RFC 6455 handshake (GET ... Upgrade: websocket / 101 Switching Protocols, subprotocol
// "sip"), each message is one WebSocket frame, masked from the client. tshark (Debian package
// tshark) must follow the handshake and decode the SIP inside the frames, unmasked.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { WS_BINARY, WS_TEXT, websocketAccept, websocketFrame, writePcap } from "../../src/report/pcap-writer.ts";
import type { TransportAddress } from "../../src/sip/transport/address.ts";
import type { TraceEntry } from "../../src/sip/transport/trace.ts";
import { tsharkSkip } from "../support/pcap-of-run.ts";
import { entry, registerExchange, request } from "./sip-flow.ts";

const skip = tsharkSkip();
const dir = mkdtempSync(join(tmpdir(), "pcap-websocket-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const CLIENT: TransportAddress = { host: "127.0.0.1", port: 45678 };
const WS_SERVER: TransportAddress = { host: "127.0.0.1", port: 10080 };

/** Writes the pcap of `entries` and runs tshark on it; returns stdout. */
function tshark(name: string, entries: readonly TraceEntry[], args: readonly string[]): string {
  const file = join(dir, `${name}.pcap`);
  writeFileSync(file, writePcap(entries));
  const r = spawnSync("tshark", ["-n", "-r", file, ...args], { encoding: "utf8", env: { ...process.env, LC_ALL: "C" }, maxBuffer: 64 * 1024 * 1024 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

function fields(name: string, entries: readonly TraceEntry[], filter: string, names: readonly string[], extra: readonly string[] = []): string[][] {
  return tshark(name, entries, [...extra, "-Y", filter, "-T", "fields", ...names.flatMap((f) => ["-e", f])])
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => l.split("\t"));
}

/** The "Unmasked data (n bytes):" data sources of `tshark -x`, in order, as bytes. */
function unmaskedData(hexdump: string): Buffer[] {
  const out: Buffer[] = [];
  for (const block of hexdump.split(/\n(?=[A-Za-z])/)) {
    const head = /^Unmasked data \((\d+) bytes\):\n/.exec(block);
    if (!head) continue;
    const bytes = block
      .slice(head[0].length)
      .split("\n")
      .map((line) => /^[0-9a-f]{4,} {2}((?:[0-9a-f]{2} ){1,16})/.exec(line)?.[1] ?? "")
      .join("")
      .replace(/ /g, "");
    const buf = Buffer.from(bytes, "hex");
    assert.equal(buf.length, Number(head[1]));
    out.push(buf);
  }
  return out;
}

/** A client MESSAGE with a `size`-byte text body, and the server's 200 with a body of `answer` bytes. */
function bigExchange(size: number, answer: number, client: TransportAddress, server: TransportAddress, protocol: "ws" | "wss"): TraceEntry[] {
  const m = request({
    method: "MESSAGE",
    uri: "sip:bob@ims.example.net",
    branch: `z9hG4bK-m${size}`,
    cseq: 1,
    callId: `m${size}@x`,
    from: "<sip:alice@ims.example.net>;tag=1",
    to: "<sip:bob@ims.example.net>",
    sentBy: "df7jal23ls0d.invalid",
    transport: "WS",
  });
  m.setBody("x".repeat(size), "text/plain");
  const ok = Buffer.from(`SIP/2.0 200 OK\r\nCall-ID: m${size}@x\r\nCSeq: 1 MESSAGE\r\nContent-Type: text/plain\r\nContent-Length: ${answer}\r\n\r\n${"y".repeat(answer)}`);
  return [entry(1, 0, "sent", client, server, m, protocol), entry(2, 5, "received", client, server, ok, protocol)];
}

describe("ws/wss in the pcap: SIP over WebSocket decoded by tshark", { skip }, () => {
  test("ws REGISTER/401/REGISTER/200: handshake, then one text frame per message, masked from the client", () => {
    const entries = registerExchange(CLIENT, WS_SERVER, "ws");
    const sip = fields("ws-register", entries, "sip", ["sip.Method", "sip.Status-Code", "websocket.opcode", "websocket.mask", "websocket.fin", "tcp.srcport"]);
    assert.deepEqual(sip, [
      ["REGISTER", "", "1", "1", "1", "45678"],
      ["", "401", "1", "0", "1", "10080"],
      ["REGISTER", "", "1", "1", "1", "45678"],
      ["", "200", "1", "0", "1", "10080"],
    ]);
    // The opening handshake: the client's GET, the server's 101 with the accept of the key
    const http = fields("ws-register", entries, "http", [
      "tcp.srcport",
      "http.request.method",
      "http.request.uri",
      "http.upgrade",
      "http.sec_websocket_version",
      "http.sec_websocket_key",
      "http.response.code",
      "http.sec_websocket_accept",
      "http.sec_websocket_protocol",
    ]);
    assert.equal(http.length, 2);
    const [get, switching] = http as [string[], string[]];
    const key = get[5];
    assert.equal(Buffer.from(key, "base64").length, 16);
    assert.deepEqual(get, ["45678", "GET", "/", "websocket", "13", key, "", "", "sip"]);
    assert.deepEqual(switching, ["10080", "", "", "websocket", "", "", "101", websocketAccept(key), "sip"]);
    // Every packet before the first frame is the handshake: frames 1-2, then the four messages
    assert.deepEqual(
      fields("ws-register", entries, "frame", ["frame.number", "_ws.col.Protocol"]).map((r) => r[1]),
      ["HTTP", "HTTP", "SIP", "SIP", "SIP", "SIP"],
    );
  });

  test("the masked frames unmask to the original SIP text; the server's frames are the text as it is", () => {
    const entries = registerExchange(CLIENT, WS_SERVER, "ws");
    const dump = tshark("ws-unmask", entries, ["-x", "-Y", "websocket.mask == 1"]);
    const unmasked = unmaskedData(dump);
    assert.equal(unmasked.length, 2);
    assert.ok(unmasked[0].equals(entries[0].bytes), "REGISTER 1 unmasked");
    assert.ok(unmasked[1].equals(entries[2].bytes), "REGISTER 2 unmasked");
    const keys = fields("ws-unmask", entries, "websocket.mask == 1", ["websocket.masking_key"]).map((r) => r[0]);
    assert.equal(new Set(keys).size, 2, "each frame has its own masking key");
    // Server frames carry the text unmasked, right after the 2- or 4-byte header
    const frames = fields("ws-unmask", entries, "websocket.mask == 0", ["sip.Status-Code", "websocket.payload_length_ext_16"]);
    assert.deepEqual(
      frames,
      [entries[1], entries[3]].map((e, i) => [["401", "200"][i], String(e.bytes.length)]),
    );
  });

  test("wss is written as if decrypted, on its own port (443 here): the same decoding", () => {
    const server = { host: "127.0.0.1", port: 443 };
    const sip = fields("wss-register", registerExchange(CLIENT, server, "wss"), "sip", ["sip.Method", "sip.Status-Code", "websocket.opcode", "websocket.mask", "http.sec_websocket_protocol"]);
    assert.deepEqual(sip, [
      ["REGISTER", "", "1", "1", ""],
      ["", "401", "1", "0", ""],
      ["REGISTER", "", "1", "1", ""],
      ["", "200", "1", "0", ""],
    ]);
  });

  test("IPv6, and two connections each with their own handshake", () => {
    const a = registerExchange({ host: "::1", port: 45678 }, { host: "[2001:db8::5]", port: 10443 }, "wss");
    const b = registerExchange({ host: "::1", port: 45679 }, { host: "[2001:db8::5]", port: 10443 }, "wss");
    const entries = [a[0], b[0], a[1], b[1], a[2], b[2], a[3], b[3]];
    const http = fields("ws-two", entries, "http", ["tcp.stream", "http.host", "http.response.code"]);
    assert.deepEqual(http, [
      ["0", "[2001:db8::5]:10443", ""],
      ["0", "", "101"],
      ["1", "[2001:db8::5]:10443", ""],
      ["1", "", "101"],
    ]);
    const sip = fields("ws-two", entries, "sip", ["tcp.stream", "sip.Method", "sip.Status-Code", "websocket.mask"]);
    assert.deepEqual(sip, [
      ["0", "REGISTER", "", "1"],
      ["1", "REGISTER", "", "1"],
      ["0", "", "401", "0"],
      ["1", "", "401", "0"],
      ["0", "REGISTER", "", "1"],
      ["1", "REGISTER", "", "1"],
      ["0", "", "200", "0"],
      ["1", "", "200", "0"],
    ]);
  });

  test("payload lengths: 7-bit (< 126), 16-bit (126..65535) and 64-bit (> 65535) forms, both ways", () => {
    const small = Buffer.from("OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/WS a.invalid;branch=z9hG4bK1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n");
    const smallOk = Buffer.from("SIP/2.0 200 OK\r\nVia: SIP/2.0/WS a.invalid;branch=z9hG4bK1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n");
    assert.ok(small.length < 126 && smallOk.length < 126);
    const entries = [
      entry(1, 0, "sent", CLIENT, WS_SERVER, small, "ws"),
      entry(2, 1, "received", CLIENT, WS_SERVER, smallOk, "ws"),
      ...bigExchange(1_000, 2_000, CLIENT, WS_SERVER, "ws").map((e) => ({ ...e, time: e.time + 10 })),
      ...bigExchange(150_000, 70_000, CLIENT, WS_SERVER, "ws").map((e) => ({ ...e, time: e.time + 20 })),
    ];
    const rows = fields("ws-lengths", entries, "websocket", [
      "websocket.mask",
      "websocket.payload_length",
      "websocket.payload_length_ext_16",
      "websocket.payload_length_ext_64",
      "sip.Method",
      "sip.Status-Code",
      "sip.Content-Length",
    ]);
    const len = (i: number): string => String(entries[i].bytes.length);
    assert.deepEqual(rows, [
      ["1", len(0), "", "", "OPTIONS", "", "0"],
      ["0", len(1), "", "", "", "200", "0"],
      ["1", "126", len(2), "", "MESSAGE", "", "1000"],
      ["0", "126", len(3), "", "", "200", "2000"],
      ["1", "127", "", len(4), "MESSAGE", "", "150000"],
      ["0", "127", "", len(5), "", "200", "70000"],
    ]);
    // The 150000-byte frame spans three TCP segments, unmasked to the original text
    const unmasked = unmaskedData(tshark("ws-lengths", entries, ["-x", "-Y", "websocket.mask == 1"]));
    assert.equal(unmasked.length, 3);
    unmasked.forEach((u, i) => assert.ok(u.equals(entries[i * 2].bytes), `client message ${i + 1} unmasked`));
  });

  test("TCP stays consistent: checksums good, no TCP analysis warning, sequence numbers cover the frames", () => {
    const entries = [...registerExchange(CLIENT, WS_SERVER, "ws"), ...bigExchange(150_000, 70_000, CLIENT, WS_SERVER, "ws").map((e) => ({ ...e, time: e.time + 20 }))];
    const checks = ["-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "tcp.analyze_sequence_numbers:TRUE"];
    assert.deepEqual(fields("ws-tcp", entries, "tcp.analysis.flags || ip.checksum.status != 1 || tcp.checksum.status != 1", ["frame.number"], checks), []);
    // Per direction, each segment starts where the previous ended; the last ends at 1 + all bytes sent that way
    const rows = fields("ws-tcp", entries, "tcp", ["tcp.srcport", "tcp.seq_raw", "tcp.len", "tcp.ack_raw"], checks);
    const next = new Map<string, number>();
    for (const [port, seq, length] of rows as [string, string, string][]) {
      assert.equal(Number(seq), next.get(port) ?? 1, `segment from ${port} at ${seq}`);
      next.set(port, Number(seq) + Number(length));
    }
    const client = next.get("45678")! - 1;
    const server = next.get("10080")! - 1;
    const frameBytes = (e: TraceEntry): number => e.bytes.length + (e.bytes.length < 126 ? 2 : e.bytes.length <= 0xffff ? 4 : 10) + (e.direction === "sent" ? 4 : 0);
    const handshake = fields("ws-tcp", entries, "http", ["tcp.len"]).map((r) => Number(r[0]));
    assert.equal(client, handshake[0] + entries.filter((e) => e.direction === "sent").reduce((n, e) => n + frameBytes(e), 0));
    assert.equal(server, handshake[1] + entries.filter((e) => e.direction === "received").reduce((n, e) => n + frameBytes(e), 0));
  });

  test("a message that is not UTF-8 goes in a binary frame, still decoded as SIP", () => {
    const m = request({ method: "MESSAGE", uri: "sip:bob@x", branch: "z9hG4bK-bin", cseq: 1, callId: "bin@x", from: "<sip:a@x>;tag=1", to: "<sip:b@x>", sentBy: "a.invalid", transport: "WS" });
    m.setBody(Buffer.from([0xff, 0xfe, 0x00, 0x80]), "application/octet-stream");
    const rows = fields("ws-binary", [entry(1, 0, "sent", CLIENT, WS_SERVER, m, "ws")], "websocket", ["websocket.opcode", "sip.Method", "sip.Content-Length"]);
    assert.deepEqual(rows, [["2", "MESSAGE", "4"]]);
  });
});

describe("WebSocket framing (RFC 6455)", () => {
  test("Sec-WebSocket-Accept of the RFC 6455 1.3 example", () => {
    assert.equal(websocketAccept("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  });

  test('RFC 6455 5.7 examples: unmasked and masked "Hello"', () => {
    assert.equal(websocketFrame(Buffer.from("Hello"), WS_TEXT).toString("hex"), "810548656c6c6f");
    assert.equal(websocketFrame(Buffer.from("Hello"), WS_TEXT, Buffer.from("37fa213d", "hex")).toString("hex"), "818537fa213d7f9f4d5158");
  });

  test("length forms: 125 in 7 bits, 126 and 65535 in 16 bits, 65536 in 64 bits", () => {
    const head = (n: number, mask?: Buffer): string => websocketFrame(Buffer.alloc(n), WS_BINARY, mask).subarray(0, 14).toString("hex");
    assert.equal(head(125).slice(0, 4), "827d");
    assert.equal(head(126).slice(0, 8), "827e007e");
    assert.equal(head(65535).slice(0, 8), "827effff");
    assert.equal(head(65536).slice(0, 20), "827f0000000000010000");
    assert.equal(head(65536, Buffer.from("01020304", "hex")).slice(0, 28), "82ff000000000001000001020304");
    assert.equal(websocketFrame(Buffer.alloc(70_000), WS_TEXT).length, 70_010);
  });

  test("the pcap is reproducible: the same trace gives the same bytes", () => {
    const entries = registerExchange(CLIENT, WS_SERVER, "wss");
    assert.ok(writePcap(entries).equals(writePcap(entries)));
  });
});

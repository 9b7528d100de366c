// A trace as a libpcap file that Wireshark/tshark decode as SIP: LINKTYPE_RAW (each record is an
// IPv4 or IPv6 packet), synthetic IP headers (RFC 791 / RFC 8200) with UDP (RFC 768) or TCP
// (RFC 9293) headers, checksums computed (RFC 1071). Direction: sent = local -> remote,
// received = remote -> local.
//
// - Stream transports (tcp, tls, ws, wss) become TCP segments with PSH|ACK, per-direction sequence
//   numbers that advance by the payload length and an ack of the other direction's next sequence
//   number, so Wireshark reassembles the stream. No TCP handshake is invented. A message larger
//   than one packet is split into several segments (as TCP would), each within the snaplen.
// - tcp and tls: the trace holds the SIP text (for tls, not the TLS records), written as plain TCP
//   payload on the real ports: tshark decodes it as SIP on 5060 and via the SIP heuristic on other
//   ports, but on a port it binds to TLS (5061, 443) or HTTP (80) it needs "Decode As ... SIP".
// - ws and wss (RFC 7118): each TCP connection (one pair of addresses and ports) starts with the
//   WebSocket opening handshake of RFC 6455 4.1/4.2.2, written at the time of its first message:
//   the client's "GET / HTTP/1.1" (Upgrade: websocket, Sec-WebSocket-Version: 13,
//   Sec-WebSocket-Protocol: sip, a Sec-WebSocket-Key derived from the connection's addresses) and
//   the server's "101 Switching Protocols" with the Sec-WebSocket-Accept of that key. The trace does
//   not say who opened a connection, so the client is the side that sent its first message (in
//   SIP over WebSocket the client, the UE, speaks first: RFC 7118 servers do not open connections).
//   Each message is then one WebSocket frame (RFC 6455 5.2, FIN set): text, or binary when it is
//   not valid UTF-8 (RFC 7118 4.2); client-to-server frames masked with a key derived from the
//   connection and the frame's number (so the same trace always gives the same pcap), server-to-
//   client frames unmasked. tshark finds the handshake (HTTP on 80/8080, the HTTP heuristic on
//   other ports), then decodes the frames as WebSocket and their payload as SIP (subprotocol "sip").
// - wss is written exactly like ws, as if decrypted (the trace holds the cleartext, not the TLS
//   records), on its real ports, with no TLS records. tshark 4.0 decodes it as above even on 443
//   and 5061 (the handshake is not TLS, so the TLS dissector lets the HTTP heuristic have it); where
//   a port is bound to a dissector that takes the bytes anyway (SIP on 5060, or a Wireshark profile
//   with other port settings), "Decode As ... HTTP" for that port (tshark: -d tcp.port==N,http)
//   restores the decoding: the handshake then switches the connection to WebSocket.
// - A UDP datagram larger than the snaplen (65535 bytes in all) is cut: incl_len < orig_len.
// - Host names (not IP literals) get synthetic addresses from 198.18.0.0/15 (RFC 2544, benchmarking),
//   in order of first appearance; IPv4-mapped IPv6 addresses are written as IPv4.
import { createHash } from "node:crypto";
import { isUtf8 } from "node:buffer";
import { isIPv4, isIPv6 } from "node:net";
import { unbracketHost, type TransportAddress } from "../sip/transport/address.ts";
import type { TraceEntry } from "../sip/transport/trace.ts";

export const PCAP_MAGIC = 0xa1b2c3d4;
export const PCAP_SNAPLEN = 65535;
/** Raw IP: the first nibble of each packet says IPv4 or IPv6. */
export const LINKTYPE_RAW = 101;

const IPV4_HEADER = 20;
const IPV6_HEADER = 40;
const UDP_HEADER = 8;
const TCP_HEADER = 20;
/** Largest TCP payload per segment: an IPv6 packet of it is exactly the snaplen. */
const MAX_SEGMENT = PCAP_SNAPLEN - IPV6_HEADER - TCP_HEADER;
const TTL = 64;
const PROTO_TCP = 6;
const PROTO_UDP = 17;

/** RFC 1071: the 16-bit one's complement of the one's complement sum of the data. */
export function internetChecksum(...parts: readonly Buffer[]): number {
  let sum = 0;
  let odd: number | undefined;
  for (const part of parts) {
    let i = 0;
    if (odd !== undefined && part.length > 0) {
      sum += (odd << 8) | part[0];
      odd = undefined;
      i = 1;
    }
    for (; i + 1 < part.length; i += 2) sum += (part[i] << 8) | part[i + 1];
    if (i < part.length) odd = part[i]!;
    sum = (sum & 0xffff) + (sum >>> 16);
  }
  if (odd !== undefined) sum += odd << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** RFC 791 3.1: the header checksum, computed with the checksum field (bytes 10-11) taken as zero. */
export function ipv4HeaderChecksum(header: Buffer): number {
  const copy = Buffer.from(header);
  copy.writeUInt16BE(0, 10);
  return internetChecksum(copy);
}

/** The 16 bytes of an IPv6 literal (RFC 4291 2.2: "::" and a trailing dotted IPv4 allowed; a zone id is dropped). */
export function ipv6Bytes(text: string): Buffer {
  const host = unbracketHost(text).replace(/%.*$/, "");
  if (!isIPv6(host)) throw new Error(`"${text}" is not an IPv6 address`);
  let words: number[];
  const parse = (part: string): number[] => {
    if (part === "") return [];
    const out: number[] = [];
    for (const g of part.split(":")) {
      if (g.includes(".")) {
        const v4 = g.split(".").map(Number) as [number, number, number, number];
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else out.push(parseInt(g, 16));
    }
    return out;
  };
  const dbl = host.indexOf("::");
  if (dbl < 0) words = parse(host);
  else {
    const head = parse(host.slice(0, dbl));
    const tail = parse(host.slice(dbl + 2));
    words = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  }
  const buf = Buffer.alloc(16);
  words.forEach((w, i) => buf.writeUInt16BE(w, i * 2));
  return buf;
}

function ipv4Bytes(text: string): Buffer {
  return Buffer.from(text.split(".").map(Number));
}

/** Maps trace hosts to packet addresses (4 or 16 bytes). */
class AddressBook {
  private readonly synthetic = new Map<string, Buffer>();

  bytes(host: string): Buffer {
    let bare = unbracketHost(host).toLowerCase();
    if (bare.startsWith("::ffff:") && isIPv4(bare.slice(7))) bare = bare.slice(7);
    if (isIPv4(bare)) return ipv4Bytes(bare);
    if (isIPv6(bare.replace(/%.*$/, ""))) return ipv6Bytes(bare);
    let b = this.synthetic.get(bare);
    if (b === undefined) {
      // RFC 2544 benchmarking range 198.18.0.0/15
      const n = this.synthetic.size + 1;
      b = Buffer.from([198, 18 + ((n >>> 16) & 1), (n >>> 8) & 0xff, n & 0xff]);
      this.synthetic.set(bare, b);
    }
    return b;
  }
}

/** IPv4 in IPv6 when the two ends differ in family (RFC 4291 2.5.5.2). */
function v4mapped(b: Buffer): Buffer {
  return b.length === 16 ? b : Buffer.concat([Buffer.alloc(10), Buffer.from([0xff, 0xff]), b]);
}

function ipHeader(src: Buffer, dst: Buffer, protocol: number, payloadLength: number, id: number): Buffer {
  if (src.length === 4) {
    // RFC 791 3.1
    const h = Buffer.alloc(IPV4_HEADER);
    h[0] = 0x45;
    h.writeUInt16BE(Math.min(0xffff, IPV4_HEADER + payloadLength), 2);
    h.writeUInt16BE(id & 0xffff, 4);
    h.writeUInt16BE(0x4000, 6); // DF
    h[8] = TTL;
    h[9] = protocol;
    src.copy(h, 12);
    dst.copy(h, 16);
    h.writeUInt16BE(ipv4HeaderChecksum(h), 10);
    return h;
  }
  // RFC 8200 3
  const h = Buffer.alloc(IPV6_HEADER);
  h.writeUInt32BE(0x60000000, 0);
  h.writeUInt16BE(Math.min(0xffff, payloadLength), 4);
  h[6] = protocol;
  h[7] = TTL;
  src.copy(h, 8);
  dst.copy(h, 24);
  return h;
}

/** RFC 768 / RFC 9293 3.1 / RFC 8200 8.1: the pseudo-header the transport checksum covers. */
function pseudoHeader(src: Buffer, dst: Buffer, protocol: number, length: number): Buffer {
  if (src.length === 4) {
    const p = Buffer.alloc(12);
    src.copy(p, 0);
    dst.copy(p, 4);
    p[9] = protocol;
    p.writeUInt16BE(length & 0xffff, 10);
    return p;
  }
  const p = Buffer.alloc(40);
  src.copy(p, 0);
  dst.copy(p, 16);
  p.writeUInt32BE(length, 32);
  p[39] = protocol;
  return p;
}

function udpHeader(src: Buffer, dst: Buffer, sport: number, dport: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(UDP_HEADER);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h.writeUInt16BE(Math.min(0xffff, UDP_HEADER + payload.length), 4);
  const sum = internetChecksum(pseudoHeader(src, dst, PROTO_UDP, UDP_HEADER + payload.length), h, payload);
  h.writeUInt16BE(sum === 0 ? 0xffff : sum, 6); // RFC 768: a computed zero is sent as all ones
  return h;
}

function tcpHeader(src: Buffer, dst: Buffer, sport: number, dport: number, seq: number, ack: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(TCP_HEADER);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h.writeUInt32BE(seq >>> 0, 4);
  h.writeUInt32BE(ack >>> 0, 8);
  h[12] = (TCP_HEADER / 4) << 4;
  h[13] = 0x18; // PSH | ACK
  h.writeUInt16BE(0xffff, 14); // window
  h.writeUInt16BE(internetChecksum(pseudoHeader(src, dst, PROTO_TCP, TCP_HEADER + payload.length), h, payload), 16);
  return h;
}

function recordHeader(timeMs: number, inclLen: number, origLen: number): Buffer {
  let sec = Math.floor(timeMs / 1000);
  let usec = Math.round((timeMs - sec * 1000) * 1000);
  if (usec >= 1_000_000) {
    sec += 1;
    usec -= 1_000_000;
  }
  const h = Buffer.alloc(16);
  h.writeUInt32LE(sec >>> 0, 0);
  h.writeUInt32LE(usec, 4);
  h.writeUInt32LE(inclLen, 8);
  h.writeUInt32LE(origLen, 12);
  return h;
}

/** The libpcap global header (little-endian, version 2.4). */
function globalHeader(): Buffer {
  const h = Buffer.alloc(24);
  h.writeUInt32LE(PCAP_MAGIC, 0);
  h.writeUInt16LE(2, 4);
  h.writeUInt16LE(4, 6);
  h.writeInt32LE(0, 8); // thiszone
  h.writeUInt32LE(0, 12); // sigfigs
  h.writeUInt32LE(PCAP_SNAPLEN, 16);
  h.writeUInt32LE(LINKTYPE_RAW, 20);
  return h;
}

/** RFC 6455 5.2 opcodes. */
export const WS_TEXT = 0x1;
export const WS_BINARY = 0x2;
/** RFC 6455 1.3: the GUID appended to Sec-WebSocket-Key before hashing. */
const WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

interface WebSocketConnection {
  /** The client-to-server direction ("src>dst" key). */
  client: string;
  /** Sec-WebSocket-Key. */
  key: string;
  /** Client frames written so far (numbers the masking keys). */
  frames: number;
}

/** RFC 6455 4.2.2: Sec-WebSocket-Accept is the base64 of the SHA-1 of the key and the GUID. */
export function websocketAccept(key: string): string {
  return createHash("sha1")
    .update(key + WS_GUID)
    .digest("base64");
}

/** A Sec-WebSocket-Key (RFC 6455 4.1: 16 bytes, base64) derived from the connection, so the pcap is reproducible. */
function websocketKey(connection: string): string {
  return createHash("sha256").update(`Sec-WebSocket-Key ${connection}`).digest().subarray(0, 16).toString("base64");
}

/** The masking key of the client's n-th frame on the connection with `key` (RFC 6455 5.3, deterministic here). */
function websocketMaskingKey(key: string, n: number): Buffer {
  return createHash("sha256").update(`masking-key ${key} ${n}`).digest().subarray(0, 4);
}

/** RFC 6455 4.1: the client's opening handshake, to `server`, asking for the "sip" subprotocol (RFC 7118 4.1). */
function websocketRequest(server: TransportAddress, key: string): Buffer {
  const host = unbracketHost(server.host);
  return Buffer.from(
    `GET / HTTP/1.1\r\nHost: ${host.includes(":") ? `[${host}]` : host}:${server.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: sip\r\n\r\n`,
    "latin1",
  );
}

/** RFC 6455 4.2.2: the server's 101 accepting the handshake with `key` and the "sip" subprotocol. */
function websocketResponse(key: string): Buffer {
  return Buffer.from(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${websocketAccept(key)}\r\nSec-WebSocket-Protocol: sip\r\n\r\n`, "latin1");
}

/**
 * RFC 6455 5.2: one final frame carrying `payload`, its length in the 7-bit, 16-bit (126) or
 * 64-bit (127) form; masked (RFC 6455 5.3, client to server) when `mask` (4 bytes) is given.
 */
export function websocketFrame(payload: Buffer, opcode: number, mask?: Buffer): Buffer {
  const n = payload.length;
  const extended = n < 126 ? 0 : n <= 0xffff ? 2 : 8;
  const head = Buffer.alloc(2 + extended + (mask ? 4 : 0));
  head[0] = 0x80 | (opcode & 0x0f); // FIN
  head[1] = (mask ? 0x80 : 0) | (extended === 0 ? n : extended === 2 ? 126 : 127);
  if (extended === 2) head.writeUInt16BE(n, 2);
  else if (extended === 8) head.writeBigUInt64BE(BigInt(n), 2);
  if (mask === undefined) return Buffer.concat([head, payload]);
  mask.copy(head, 2 + extended, 0, 4);
  const body = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) body[i] = payload[i] ^ mask[i & 3];
  return Buffer.concat([head, body]);
}

/** The pcap of `entries` as they are: secrets are masked in the entries first (maskTraceEntries). */
export function writePcap(entries: readonly TraceEntry[]): Buffer {
  const book = new AddressBook();
  const out: Buffer[] = [globalHeader()];
  const nextSeq = new Map<string, number>();
  /** ws/wss connections seen so far, by their lower "src>dst" key. */
  const websockets = new Map<string, WebSocketConnection>();
  let id = 0;

  for (const e of entries) {
    const [from, to]: [TransportAddress, TransportAddress] = e.direction === "sent" ? [e.local, e.remote] : [e.remote, e.local];
    let src = book.bytes(from.host);
    let dst = book.bytes(to.host);
    if (src.length !== dst.length) {
      src = v4mapped(src);
      dst = v4mapped(dst);
    }
    const payload = e.bytes;

    if (e.protocol === "udp") {
      const udp = udpHeader(src, dst, from.port, to.port, payload);
      const ip = ipHeader(src, dst, PROTO_UDP, udp.length + payload.length, ++id);
      const orig = ip.length + udp.length + payload.length;
      const incl = Math.min(orig, PCAP_SNAPLEN);
      const body = incl < orig ? payload.subarray(0, incl - ip.length - udp.length) : payload;
      out.push(recordHeader(e.time, incl, orig), ip, udp, body);
      continue;
    }

    // Stream transports: TCP segments
    const forward = `${src.toString("hex")}:${from.port}>${dst.toString("hex")}:${to.port}`;
    const reverse = `${dst.toString("hex")}:${to.port}>${src.toString("hex")}:${from.port}`;
    const segments = (key: string, back: string, a: Buffer, b: Buffer, sport: number, dport: number, data: Buffer): void => {
      let seq = nextSeq.get(key) ?? 1;
      const ack = nextSeq.get(back) ?? 1;
      for (let off = 0; off < data.length || off === 0; off += MAX_SEGMENT) {
        const chunk = data.subarray(off, off + MAX_SEGMENT);
        const tcp = tcpHeader(a, b, sport, dport, seq, ack, chunk);
        const ip = ipHeader(a, b, PROTO_TCP, tcp.length + chunk.length, ++id);
        const len = ip.length + tcp.length + chunk.length;
        out.push(recordHeader(e.time, len, len), ip, tcp, chunk);
        seq = (seq + chunk.length) >>> 0;
        if (data.length === 0) break;
      }
      nextSeq.set(key, seq);
    };

    if (e.protocol === "ws" || e.protocol === "wss") {
      const connection = forward < reverse ? forward : reverse;
      let ws = websockets.get(connection);
      if (ws === undefined) {
        // The connection's first message: its sender is the client, which opened the connection
        ws = { client: forward, key: websocketKey(connection), frames: 0 };
        websockets.set(connection, ws);
        segments(forward, reverse, src, dst, from.port, to.port, websocketRequest(to, ws.key));
        segments(reverse, forward, dst, src, to.port, from.port, websocketResponse(ws.key));
      }
      const mask = ws.client === forward ? websocketMaskingKey(ws.key, ws.frames++) : undefined;
      segments(forward, reverse, src, dst, from.port, to.port, websocketFrame(payload, isUtf8(payload) ? WS_TEXT : WS_BINARY, mask));
      continue;
    }
    segments(forward, reverse, src, dst, from.port, to.port, payload);
  }
  return Buffer.concat(out);
}

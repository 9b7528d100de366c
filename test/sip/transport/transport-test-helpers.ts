import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { IncomingPacket, SipTransport, TransportError } from "../../../src/sip/transport/index.ts";

/** Collects packets and errors of a transport, handing them out in arrival order. */
export class Inbox<T> {
  private readonly items: T[] = [];
  private readonly waiters: Array<(item: T) => void> = [];

  push(item: T): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter(item);
    else this.items.push(item);
  }

  next(): Promise<T> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve(item);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  get pending(): number {
    return this.items.length;
  }
}

export function packetsOf(transport: SipTransport): Inbox<IncomingPacket> {
  const inbox = new Inbox<IncomingPacket>();
  transport.onPacket((p) => inbox.push(p));
  return inbox;
}

export function errorsOf(transport: SipTransport): Inbox<TransportError> {
  const inbox = new Inbox<TransportError>();
  transport.onError((e) => inbox.push(e));
  return inbox;
}

/** A SIP request with a body, as bytes. */
export function sipRequest(callId: string, body = "v=0\r\n"): Buffer {
  const bodyBytes = Buffer.from(body, "utf8");
  return Buffer.concat([
    Buffer.from(
      `OPTIONS sip:b@127.0.0.1 SIP/2.0\r\n` +
        `Via: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bK-${callId}\r\n` +
        `Call-ID: ${callId}\r\n` +
        `CSeq: 1 OPTIONS\r\n` +
        `Content-Type: application/sdp\r\n` +
        `Content-Length: ${bodyBytes.length}\r\n\r\n`,
      "latin1",
    ),
    bodyBytes,
  ]);
}

export function sipResponse(callId: string): Buffer {
  return Buffer.from(`SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bK-${callId}\r\n` + `Call-ID: ${callId}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`, "latin1");
}

/** A TCP port on 127.0.0.1 with nothing listening (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen({ host: "127.0.0.1", port: 0 }, resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no address");
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return address.port;
}

/** Socket-like resources still alive in this process (TCP, UDP, TLS wraps). */
export function openSocketHandles(): string[] {
  return process.getActiveResourcesInfo().filter((r) => r.startsWith("TCP") || r.startsWith("UDP") || r.startsWith("TLS") || r === "Pipe");
}

export interface SelfSignedCertificate {
  key: string;
  cert: string;
}

/**
 * A self-signed certificate for 127.0.0.1 / localhost made with the openssl command line,
 * or a string explaining why it could not be made (the caller skips).
 */
export function makeSelfSignedCertificate(): SelfSignedCertificate | string {
  const version = spawnSync("openssl", ["version"], { encoding: "utf8" });
  if (version.error !== undefined || version.status !== 0) {
    return "openssl command line not found: install openssl to run the TLS tests";
  }
  const dir = mkdtempSync(join(tmpdir(), "ims-interop-tls-"));
  try {
    const keyPath = join(dir, "key.pem");
    const certPath = join(dir, "cert.pem");
    const made = spawnSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        keyPath,
        "-out",
        certPath,
        "-days",
        "2",
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=IP:127.0.0.1,DNS:localhost",
      ],
      { encoding: "utf8" },
    );
    if (made.status !== 0) return `openssl could not make a certificate: ${made.stderr}`;
    return { key: readFileSync(keyPath, "utf8"), cert: readFileSync(certPath, "utf8") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

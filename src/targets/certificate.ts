// A self-signed certificate generated per run, for the reference core's WSS listener (RFC 7118
// over TLS): no key is kept in the tree, and a browser is told to trust this one certificate by the
// hash of its public key (Chromium's --ignore-certificate-errors-spki-list), not by a CA.
import { execFile } from "node:child_process";
import { createHash, X509Certificate } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { isIP } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SipAddress } from "../profile/profile.ts";
import type { WebSocketAccess } from "./target.ts";

export interface SelfSignedCertificate {
  /** The private key, PEM. */
  readonly key: string;
  /** The certificate, PEM, with subjectAltName for every host. */
  readonly cert: string;
  /** Base64 of the SHA-256 of the certificate's SubjectPublicKeyInfo (DER): what Chromium's --ignore-certificate-errors-spki-list takes. */
  readonly spkiSha256: string;
}

export interface CertificateOptions {
  /** The openssl command; default "openssl" from PATH (Debian package openssl). */
  readonly command?: string;
  /** Days the certificate is valid; default 7. */
  readonly days?: number;
}

/**
 * Generates a key pair (P-256) and a self-signed certificate for `hosts` with the openssl command
 * in a temporary directory, removed afterwards. IP addresses go into subjectAltName as IP:, names
 * as DNS:; the first host is the subject's CN.
 */
export async function generateSelfSignedCertificate(hosts: string[], options: CertificateOptions = {}): Promise<SelfSignedCertificate> {
  if (hosts.length === 0) throw new Error("a certificate needs at least one host for its subjectAltName");
  const bad = hosts.find((h) => h === "" || /[\s,/]/.test(h));
  if (bad !== undefined) throw new Error(`"${bad}" is not a host name or IP address for a certificate`);
  const san = [...new Set(hosts)].map((h) => (isIP(unbracket(h)) ? `IP:${unbracket(h)}` : `DNS:${h}`)).join(",");
  const command = options.command ?? "openssl";
  const dir = await mkdtemp(join(tmpdir(), "ims-interop-cert-"));
  try {
    const keyFile = join(dir, "key.pem");
    const certFile = join(dir, "cert.pem");
    await run(command, [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      keyFile,
      "-out",
      certFile,
      "-days",
      String(options.days ?? 7),
      "-subj",
      `/CN=${unbracket(hosts[0]).slice(0, 64)}`,
      "-addext",
      `subjectAltName=${san}`,
    ]);
    const [key, cert] = await Promise.all([readFile(keyFile, "utf8"), readFile(certFile, "utf8")]);
    return { key, cert, spkiSha256: spkiSha256(cert) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Base64 of the SHA-256 of a PEM certificate's SubjectPublicKeyInfo (DER). */
export function spkiSha256(cert: string | Buffer): string {
  const spki = new X509Certificate(cert).publicKey.export({ type: "spki", format: "der" });
  return createHash("sha256").update(spki).digest("base64");
}

function unbracket(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: 30_000 }, (error, _stdout, stderr) => {
      if (!error) return resolve();
      if ((error as NodeJS.ErrnoException).code === "ENOENT")
        return reject(new Error(`cannot generate the WSS certificate: the ${command} command is missing (install the Debian package openssl: apt-get install openssl)`, { cause: error }));
      const detail = stderr.trim().split("\n").slice(-3).join("; ");
      reject(new Error(`${command} could not generate the WSS certificate: ${detail || error.message}`, { cause: error }));
    });
  });
}

/**
 * The WebSocket access of a SUT that is not the embedded core, from its profile (ixit.websocket):
 * the listeners as given, and with `certificate`, the SPKI hash of the certificate that
 * `readCertificate` returns (PEM; read once the SUT is ready, since it may make one per run).
 */
export async function websocketAccessFromIxit(
  given: { readonly ws?: SipAddress; readonly wss?: SipAddress; readonly certificate?: string },
  readCertificate: (file: string) => Promise<string>,
): Promise<WebSocketAccess> {
  let pem: string | undefined;
  if (given.certificate !== undefined) {
    try {
      pem = await readCertificate(given.certificate);
    } catch (e) {
      throw new Error(`could not read the WSS certificate ${given.certificate} (ixit.websocket.certificate): ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }
  return {
    ...(given.ws ? { ws: given.ws } : {}),
    ...(given.wss ? { wss: given.wss } : {}),
    ...(pem !== undefined ? { spkiSha256: spkiSha256(pem) } : {}),
  };
}

// The per-run self-signed certificate of the embedded core's WSS listener: it parses, names every
// host in subjectAltName, and its SPKI hash is what openssl computes for Chromium's
// --ignore-certificate-errors-spki-list; the embedded target starts WS and WSS with it under PICS websocket.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { loadProfile } from "../../src/profile/index.ts";
import { EmbeddedTarget, generateSelfSignedCertificate } from "../../src/targets/index.ts";

const PROJECT = join(import.meta.dirname, "../..");

/** The SPKI hash as the Chromium documentation computes it, with openssl alone. */
function opensslSpkiSha256(cert: string): string {
  const pubkey = execFileSync("openssl", ["x509", "-pubkey", "-noout"], { input: cert });
  const der = execFileSync("openssl", ["pkey", "-pubin", "-outform", "der"], { input: pubkey });
  const digest = execFileSync("openssl", ["dgst", "-sha256", "-binary"], { input: der });
  return execFileSync("base64", [], { input: digest }).toString("utf8").trim();
}

async function leftovers(): Promise<string[]> {
  return (await readdir(tmpdir())).filter((f) => f.startsWith("ims-interop-cert-"));
}

describe("generateSelfSignedCertificate", () => {
  test("a certificate that parses, with IP and DNS subjectAltNames, its key, and the SPKI hash openssl computes", async () => {
    const before = await leftovers();
    const c = await generateSelfSignedCertificate(["127.0.0.1", "localhost", "::1"]);
    const x = new X509Certificate(c.cert);
    assert.equal(x.subjectAltName, "IP Address:127.0.0.1, DNS:localhost, IP Address:0:0:0:0:0:0:0:1");
    assert.match(x.subject, /CN=127\.0\.0\.1/);
    assert.ok(x.checkPrivateKey((await import("node:crypto")).createPrivateKey(c.key)), "the key is the certificate's");
    assert.ok(x.checkIP("127.0.0.1") !== undefined && x.checkHost("localhost") !== undefined);
    assert.ok(new Date(x.validTo).getTime() > Date.now() + 24 * 3600 * 1000, `valid for more than a day: ${x.validTo}`);
    assert.match(c.spkiSha256, /^[A-Za-z0-9+/]{43}=$/);
    assert.equal(c.spkiSha256, opensslSpkiSha256(c.cert));
    // the temporary directory is gone
    assert.deepEqual(await leftovers(), before);
  });

  test("two runs, two key pairs", async () => {
    const [a, b] = await Promise.all([generateSelfSignedCertificate(["127.0.0.1"]), generateSelfSignedCertificate(["127.0.0.1"])]);
    assert.notEqual(a.spkiSha256, b.spkiSha256);
  });

  test("a missing openssl names the Debian package", async () => {
    await assert.rejects(generateSelfSignedCertificate(["127.0.0.1"], { command: "openssl-not-installed-here" }), /missing \(install the Debian package openssl/);
    await assert.rejects(generateSelfSignedCertificate([]), /at least one host/);
  });
});

describe("the embedded target under PICS websocket", () => {
  test("starts WS and WSS listeners and hands out their addresses and the certificate's SPKI hash", async () => {
    const profile = await loadProfile(join(PROJECT, "test/fixtures/profiles/embedded-websocket.yaml"));
    assert.equal(profile.pics.websocket, true);
    const started = await new EmbeddedTarget(profile, []).start();
    try {
      const ws = started.websocket;
      assert.ok(ws?.ws && ws.wss && ws.spkiSha256, `websocket access: ${JSON.stringify(ws)}`);
      assert.equal(ws.ws.host, "127.0.0.1");
      assert.notEqual(ws.ws.port, started.pcscf.port);
      assert.notEqual(ws.wss.port, ws.ws.port);
      assert.deepEqual(started.core.websocket, { ws: ws.ws, wss: ws.wss });
      assert.match(started.description, /WS \d+, WSS \d+/);
    } finally {
      await started.stop();
    }
    // without the PICS: no listener, no certificate
    const plain = await new EmbeddedTarget(await loadProfile(join(PROJECT, "test/fixtures/profiles/embedded-fast.yaml")), []).start();
    try {
      assert.equal(plain.websocket, undefined);
      assert.deepEqual(plain.core.websocket, {});
    } finally {
      await plain.stop();
    }
  });
});

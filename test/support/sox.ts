// SoX (Debian package sox, with libsox-fmt-base) decodes AMR-WB storage files through
// libopencore-amrwb0: the real decoder the AMR-WB payload tests hand their frames to.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const SOX_MISSING = "sox (Debian package sox, with libsox-fmt-base for AMR-WB) is not installed";

let available: boolean | undefined;

/** `sox -h` runs and lists the amr-wb format. */
export function soxAvailable(): boolean {
  if (available === undefined) {
    const r = spawnSync("sox", ["-h"], { encoding: "utf8", timeout: 10_000 });
    available = r.error === undefined && /\bamr-wb\b/.test(r.stdout ?? "");
  }
  return available;
}

/** For node:test `{ skip }`: skip when SoX is missing, except under CI, where the test runs and fails instead. */
export function soxSkip(): string | false {
  if (soxAvailable() || process.env.CI) return false;
  return SOX_MISSING;
}

/** Decodes an .awb file's bytes (RFC 4867 5) to 16 kHz 16-bit PCM with SoX; throws with SoX's message on failure. */
export function decodeAwbWithSox(awb: Uint8Array): Int16Array {
  if (!soxAvailable()) throw new Error(SOX_MISSING);
  const dir = mkdtempSync(join(tmpdir(), "ims-interop-awb-"));
  try {
    const input = join(dir, "in.awb");
    const output = join(dir, "out.raw");
    writeFileSync(input, awb);
    const r = spawnSync("sox", ["-V1", "-t", "amr-wb", input, "-t", "raw", "-e", "signed", "-b", "16", "-r", "16000", output], { encoding: "utf8", timeout: 30_000 });
    if (r.error || r.status !== 0) throw new Error(`sox failed (${r.status ?? String(r.error)}): ${r.stderr}`);
    const raw = readFileSync(output);
    return new Int16Array(raw.buffer, raw.byteOffset, raw.length / 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

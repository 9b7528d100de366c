// Masks secrets (passwords, AKA keys K/OPc ...) in every attachment before it is written. A string
// secret is matched as text; a Buffer secret as hex (either case) and as base64 (with and without
// "=" padding), the forms a key takes in logs and headers. Secrets shorter than 4 characters
// (Buffers shorter than 4 bytes) are ignored, so that a short value does not mask half the trace.
//
// Two forms of mask:
// - in report texts (summary, JUnit, Allure results, logs) each occurrence becomes "***";
// - in the SIP traffic (trace entries, before the ladder, text trace and pcap are rendered from
//   them) each occurrence becomes as many "*" as it has bytes, so that a message keeps its length:
//   its Content-Length, and the pcap's lengths, TCP sequence numbers and checksums stay true.
import type { TransportAddress } from "../sip/transport/address.ts";
import type { TraceEntry } from "../sip/transport/trace.ts";

export const MASK = "***";
export const MIN_SECRET_LENGTH = 4;

interface Pattern {
  readonly text: string;
  readonly ignoreCase: boolean;
}

function patternsOf(secrets: readonly (string | Buffer)[], textForm: (s: string) => string): Pattern[] {
  const out: Pattern[] = [];
  const add = (text: string, ignoreCase: boolean): void => {
    if (text.length >= MIN_SECRET_LENGTH) out.push({ text, ignoreCase });
  };
  for (const s of secrets) {
    if (typeof s === "string") {
      if (s.length >= MIN_SECRET_LENGTH) add(textForm(s), false);
    } else if (s.length >= MIN_SECRET_LENGTH) {
      add(s.toString("hex"), true);
      const b64 = s.toString("base64");
      add(b64, false);
      add(b64.replace(/=+$/, ""), false);
    }
  }
  // longest first, so a secret containing another is masked whole
  return out.sort((a, b) => b.text.length - a.text.length);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function apply(text: string, patterns: readonly Pattern[], mask: (found: string) => string): string {
  let out = text;
  for (const p of patterns) {
    out = p.ignoreCase ? out.replace(new RegExp(escapeRegExp(p.text), "gi"), mask) : out.split(p.text).join(mask(p.text));
  }
  return out;
}

const sameLength = (found: string): string => "*".repeat(found.length);
/** String secrets as their UTF-8 bytes, one latin1 character per byte. */
const asBytes = (s: string): string => Buffer.from(s, "utf8").toString("latin1");

/** Replaces every occurrence of every secret in `text` with "***". */
export function maskSecrets(text: string, secrets: readonly (string | Buffer)[]): string {
  if (secrets.length === 0) return text;
  return apply(
    text,
    patternsOf(secrets, (s) => s),
    () => MASK,
  );
}

/** Replaces every occurrence of every secret in `text` with as many "*" as it has characters. */
export function maskSecretsKeepingLength(text: string, secrets: readonly (string | Buffer)[]): string {
  if (secrets.length === 0) return text;
  return apply(
    text,
    patternsOf(secrets, (s) => s),
    sameLength,
  );
}

/** Raw bytes, byte for byte outside the secrets; string secrets are matched as their UTF-8 bytes. */
function maskBytesWith(bytes: Buffer, patterns: readonly Pattern[]): Buffer {
  const latin1 = bytes.toString("latin1");
  const masked = apply(latin1, patterns, sameLength);
  return masked === latin1 ? bytes : Buffer.from(masked, "latin1");
}

/**
 * Masked copies of trace entries, for the evidence rendered from them: in the bytes each
 * occurrence becomes as many "*" bytes as it has bytes; the note and the hosts are masked at the
 * same length too. The entries given are not changed.
 */
export function maskTraceEntries(entries: readonly TraceEntry[], secrets: readonly (string | Buffer)[]): TraceEntry[] {
  const bytePatterns = patternsOf(secrets, asBytes);
  const textPatterns = patternsOf(secrets, (s) => s);
  const text = (t: string): string => (textPatterns.length === 0 ? t : apply(t, textPatterns, sameLength));
  const address = (a: TransportAddress): TransportAddress => (text(a.host) === a.host ? a : { host: text(a.host), port: a.port });
  return entries.map((e) => {
    const masked: TraceEntry = { ...e, bytes: bytePatterns.length === 0 ? e.bytes : maskBytesWith(e.bytes, bytePatterns), local: address(e.local), remote: address(e.remote) };
    if (e.note !== undefined) masked.note = text(e.note);
    return masked;
  });
}

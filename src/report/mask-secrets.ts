// Masks secrets (passwords, AKA keys K/OPc ...) in every attachment before it is written: each
// occurrence becomes "***". A string secret is matched as text; a Buffer secret as hex (either
// case) and as base64 (with and without "=" padding), the forms a key takes in logs and headers.
// Secrets shorter than 4 characters (Buffers shorter than 4 bytes) are ignored, so that a short
// value does not mask half the trace.

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

function apply(text: string, patterns: readonly Pattern[]): string {
  let out = text;
  for (const p of patterns) {
    out = p.ignoreCase ? out.replace(new RegExp(escapeRegExp(p.text), "gi"), MASK) : out.split(p.text).join(MASK);
  }
  return out;
}

/** Replaces every occurrence of every secret in `text` with "***". */
export function maskSecrets(text: string, secrets: readonly (string | Buffer)[]): string {
  if (secrets.length === 0) return text;
  return apply(text, patternsOf(secrets, (s) => s));
}

/**
 * The same on raw bytes (a pcap payload), byte for byte outside the secrets: string secrets are
 * matched as their UTF-8 bytes. The result is shorter or longer than the input when a secret is.
 */
export function maskSecretsInBytes(bytes: Buffer, secrets: readonly (string | Buffer)[]): Buffer {
  if (secrets.length === 0) return bytes;
  const latin1 = bytes.toString("latin1");
  const masked = apply(latin1, patternsOf(secrets, (s) => Buffer.from(s, "utf8").toString("latin1")));
  return masked === latin1 ? bytes : Buffer.from(masked, "latin1");
}

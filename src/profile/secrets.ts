// Secrets (Digest passwords, AKA K and OPc) never appear in a profile: it names the environment
// variables that hold them, and this module reads those variables. Messages name variables only.
import { randomBytes } from "node:crypto";

/** A long run of hexadecimal digits: a key pasted where a variable name belongs. */
const LOOKS_LIKE_KEY = /^[0-9A-Fa-f]{16,}$/;

export type SecretLookup = { readonly ok: true; readonly value: string; readonly generated: boolean } | { readonly ok: false; readonly reason: "unset" | "empty" };

export interface SecretSource {
  lookup(name: string): SecretLookup;
}

/**
 * Reads secrets from `env`. With `generateUnset` (the embedded target: the simulated UEs and the
 * reference core are both the harness, so no external secret exists), an unset or empty variable
 * gets a random value of 32 hexadecimal digits for this load; every field naming the same variable
 * gets the same value, so one value serves as a password, a K or an OPc.
 */
export function secretSource(env: Readonly<Record<string, string | undefined>>, generateUnset: boolean): SecretSource {
  const generated = new Map<string, string>();
  return {
    lookup(name) {
      const value = env[name];
      if (value !== undefined && value !== "") return { ok: true, value, generated: false };
      if (!generateUnset) return { ok: false, reason: value === undefined ? "unset" : "empty" };
      let g = generated.get(name);
      if (g === undefined) {
        g = randomBytes(16).toString("hex");
        generated.set(name, g);
      }
      return { ok: true, value: g, generated: true };
    },
  };
}

/**
 * How a hidden value (a secret's variable name, which may be a key pasted by mistake) is shown in a
 * message: its kind only, never the text.
 */
export function hiddenValueKind(text: string): string {
  return LOOKS_LIKE_KEY.test(text) ? "what looks like a key (not shown: a profile never holds a secret)" : "a string (not shown)";
}

/** TS 35.206: K and OPc are 128 bits, given as 32 hexadecimal digits. */
const HEX_KEY = /^[0-9A-Fa-f]{32}$/;

/**
 * A subscriber's secret read from its variable `name`: a password as it is (`key` ""), a K or an OPc
 * as 32 hexadecimal digits, trimmed. The message of a missing or malformed one names the variable,
 * never the value.
 */
export function readSecret(
  source: SecretSource,
  name: string,
  key: "" | "K" | "OPc",
): { readonly ok: true; readonly value: string } | { readonly ok: false; readonly reason: "unset" | "empty" | "malformed"; readonly message: string } {
  const found = source.lookup(name);
  if (!found.ok) return { ok: false, reason: found.reason, message: `environment variable ${name} is ${found.reason === "unset" ? "not set" : "empty"}` };
  const value = key === "" ? found.value : found.value.trim();
  if (key !== "" && !HEX_KEY.test(value)) {
    const kind = value.length === 32 ? "32 characters that are not all hexadecimal digits" : `${value.length} characters`;
    return { ok: false, reason: "malformed", message: `environment variable ${name}: expected 32 hexadecimal digits (the 128-bit ${key}); found ${kind}` };
  }
  return { ok: true, value };
}

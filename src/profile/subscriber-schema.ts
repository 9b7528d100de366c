// The subscribers of `ixit.subscribers`: identities (TS 23.003 13.3, 13.4) and credentials. The
// credentials are read from the environment variables the profile names (./secrets.ts).
import { isUriParseError, parseUri } from "../sip/message/uri.ts";
import { PROFILE_LIMITS } from "./limits.ts";
import type { Subscriber, SubscriberAuth } from "./profile.ts";
import { type SecretSource, envNameProblem } from "./secrets.ts";
import { type Checker, type MapView, type Slot, readEnum, readInteger, readKinded, readList, readMap, readString, reject } from "./yaml-checks.ts";

export const SUBSCRIBER_FIELDS = ["role", "impi", "impus", "displayName", "auth"] as const;
export const AUTH_FIELDS = {
  digest: ["kind", "passwordEnv", "algorithm"],
  aka: ["kind", "kEnv", "opcEnv", "amf", "sqn", "version"],
} as const;
/** RFC 7616 3.3 algorithms the simulated UEs answer. */
export const DIGEST_ALGORITHMS = ["MD5", "SHA-256"] as const;
/** Defaults of the optional AKA fields: AMF "8000" (TS 33.102 annex H separation bit), SQN 0, AKAv1. */
export const AKA_DEFAULTS = { amf: "8000", sqn: 0, version: 1 } as const;

/** Scenario roles: UE-A, UE-B, UE-C ... */
export const ROLE = /^UE-[A-Z0-9]+$/;
/** TS 23.003 13.3: the private user identity takes the form of an NAI, username@realm. */
export const IMPI = /^[^\s@:]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/;
const HEX_KEY = /^[0-9A-Fa-f]{32}$/;
/** A SIP URI with a password in its userinfo (RFC 3261 19.1.1 deprecates it; a profile holds no secret). */
const URI_WITH_PASSWORD = /^sips?:[^@;?]*:[^@;?]*@/i;
const MAX_SQN = 2 ** 48 - 1;

export type UriScheme = "sip" | "sips" | "tel";

function orList(items: readonly string[]): string {
  return items.length < 2 ? items.join("") : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}

/** A URI of one of `schemes`, checked with the driver's own parser (RFC 3261 19.1, RFC 3966). */
export function readUri(ck: Checker, slot: Slot, schemes: readonly UriScheme[], why = ""): string | undefined {
  const expected = `a ${orList(schemes.map((s) => `${s}:`))} URI${why}`;
  const text = readString(ck, slot, expected);
  if (text === undefined) return undefined;
  if (URI_WITH_PASSWORD.test(text)) {
    ck.report(slot.line, slot.path, `expected ${expected} without a password; found a URI with a password (not shown: a profile never holds a secret)`);
    return undefined;
  }
  const uri = parseUri(text);
  if (isUriParseError(uri)) {
    ck.report(slot.line, slot.path, `expected ${expected}; found ${JSON.stringify(text)} (${uri.error})`);
    return undefined;
  }
  if (!(schemes as readonly string[]).includes(uri.scheme)) return reject(ck, slot, expected);
  return text;
}

export interface SubscriberRead {
  readonly role?: string;
  readonly roleSlot?: Slot;
  readonly impi?: string;
  readonly impiSlot?: Slot;
  readonly impus: readonly { readonly value: string; readonly slot: Slot }[];
  /** Present when the whole entry is valid. */
  readonly subscriber?: Subscriber;
}

/**
 * Reads one subscriber. `secrets` is undefined when the target kind is unknown: the variable names
 * are still checked, but whether an unset variable is allowed cannot be told, so none is read.
 */
export function readSubscriber(ck: Checker, slot: Slot, secrets: SecretSource | undefined): SubscriberRead {
  const view = readMap(ck, slot, "a mapping with role, impi, impus and auth", { fields: SUBSCRIBER_FIELDS, secretKeys: secretKeys("IMS_UE_A") });
  if (!view) return { impus: [] };
  const roleSlot = view.required("role", "a role such as UE-A, UE-B or UE-C");
  const role = roleSlot && readString(ck, roleSlot, "a role such as UE-A, UE-B or UE-C", { pattern: ROLE });
  const impiSlot = view.required("impi", "a private user identity user@realm");
  const impi = impiSlot && readString(ck, impiSlot, "a private user identity in NAI form user@realm (TS 23.003 13.3)", { pattern: IMPI });
  const impus: { value: string; slot: Slot }[] = [];
  const impusSlot = view.required("impus", "a list of public user identities");
  const impuList =
    impusSlot &&
    readList(
      ck,
      impusSlot,
      "a non-empty list of public user identities (sip:, sips: or tel: URIs)",
      PROFILE_LIMITS.impus,
      (item) => {
        const first = item.path.endsWith("[0]");
        // TS 24.229 5.1.1.2: the default public user identity registered is a SIP URI; tel: aliases follow
        const value = first ? readUri(ck, item, ["sip", "sips"], " (the first IMPU is the default public identity)") : readUri(ck, item, ["sip", "sips", "tel"]);
        if (value !== undefined) impus.push({ value, slot: item });
        return value;
      },
      true,
    );
  const nameSlot = view.optional("displayName");
  const displayName = nameSlot && readString(ck, nameSlot, "a display name (a string)");
  const authSlot = view.required("auth", "the credentials: { kind: aka, kEnv, opcEnv } or { kind: digest, passwordEnv }");
  const auth = authSlot && readAuth(ck, authSlot, secrets, role);
  const read = { ...(role !== undefined && roleSlot ? { role, roleSlot } : {}), ...(impi !== undefined && impiSlot ? { impi, impiSlot } : {}), impus };
  if (role === undefined || impi === undefined || impuList === undefined || (nameSlot && displayName === undefined) || auth === undefined) return read;
  const subscriber: Subscriber = displayName === undefined ? { role, impi, impus: impuList, auth } : { role, impi, impus: impuList, displayName, auth };
  return { ...read, subscriber };
}

function literalSecret(what: string, envField: string, example: string): string {
  return `expected ${envField} naming the environment variable that holds the ${what} (e.g. ${envField}: ${example}); found a literal ${what} (not shown: a profile never holds a secret)`;
}

function secretKeys(prefix: string): Record<string, string> {
  return {
    password: literalSecret("password", "passwordEnv", `${prefix}_PASSWORD`),
    k: literalSecret("K", "kEnv", `${prefix}_K`),
    opc: literalSecret("OPc", "opcEnv", `${prefix}_OPC`),
    op: `expected opcEnv naming the environment variable that holds OPc (TS 35.206 derives it from OP; OP itself is not used); found a literal op (not shown: a profile never holds a secret)`,
  };
}

/** IMS_UE_A for UE-A: the variable names the examples suggest. */
function envPrefix(role: string | undefined): string {
  return `IMS_${(role ?? "UE-A").replace(/[^A-Za-z0-9]/g, "_").toUpperCase()}`;
}

function readAuth(ck: Checker, slot: Slot, secrets: SecretSource | undefined, role: string | undefined): SubscriberAuth | undefined {
  const read = readKinded(ck, slot, "a mapping with kind: aka | digest", "auth", AUTH_FIELDS, secretKeys(envPrefix(role)));
  if (!read?.kind) return undefined;
  const { view, kind } = read;
  if (kind === "digest") {
    const password = readSecret(ck, view, "passwordEnv", "password", secrets);
    const algSlot = view.optional("algorithm");
    const algorithm = algSlot ? readEnum(ck, algSlot, DIGEST_ALGORITHMS) : "MD5";
    if (!password || algorithm === undefined) return undefined;
    return { kind, password: password.value, passwordEnv: password.name, algorithm };
  }
  const k = readSecret(ck, view, "kEnv", "K", secrets);
  const kBytes = k && readHexKey(ck, k, "K");
  const opc = readSecret(ck, view, "opcEnv", "OPc", secrets);
  const opcBytes = opc && readHexKey(ck, opc, "OPc");
  const amfSlot = view.optional("amf");
  // TS 33.102 6.3.2: AMF is 16 bits
  const amf = amfSlot ? readString(ck, amfSlot, 'an AMF of 4 hexadecimal digits in quotes, e.g. "8000"', { pattern: /^[0-9A-Fa-f]{4}$/ }) : AKA_DEFAULTS.amf;
  const sqnSlot = view.optional("sqn");
  // TS 33.102 6.3.2: SQN is 48 bits
  const sqn = sqnSlot ? readInteger(ck, sqnSlot, `a sequence number from 0 to ${MAX_SQN} (SQN has 48 bits)`, 0, MAX_SQN) : AKA_DEFAULTS.sqn;
  const versionSlot = view.optional("version");
  // RFC 3310 (AKAv1-MD5), RFC 4169 (AKAv2-MD5)
  const version = versionSlot ? readInteger(ck, versionSlot, "1 (AKAv1-MD5, RFC 3310) or 2 (AKAv2-MD5, RFC 4169)", 1, 2) : AKA_DEFAULTS.version;
  if (!k || !kBytes || !opc || !opcBytes || amf === undefined || sqn === undefined || version === undefined) return undefined;
  return { kind, k: kBytes, kEnv: k.name, opc: opcBytes, opcEnv: opc.name, amf: Buffer.from(amf, "hex"), sqn: BigInt(sqn), version: version as 1 | 2 };
}

interface SecretValue {
  readonly name: string;
  readonly value: string;
  readonly slot: Slot;
}

/** A `*Env` field: a variable name, then the variable's value. No message ever shows the value. */
function readSecret(ck: Checker, view: MapView, field: string, what: string, secrets: SecretSource | undefined): SecretValue | undefined {
  const slot = view.required(field, `the name of the environment variable that holds the ${what}`);
  if (!slot) return undefined;
  const name = readString(ck, slot, "the name of an environment variable", { hidden: true });
  if (name === undefined) return undefined;
  const bad = envNameProblem(name);
  if (bad !== undefined) {
    ck.report(slot.line, slot.path, bad);
    return undefined;
  }
  if (!secrets) return undefined;
  const found = secrets.lookup(name);
  if (!found.ok) {
    ck.report(slot.line, slot.path, `environment variable ${name} is ${found.reason === "unset" ? "not set" : "empty"}`);
    return undefined;
  }
  return { name, value: found.value, slot };
}

/** TS 35.206: K and OPc are 128 bits, given as 32 hexadecimal digits. */
function readHexKey(ck: Checker, secret: SecretValue, what: string): Buffer | undefined {
  const text = secret.value.trim();
  if (HEX_KEY.test(text)) return Buffer.from(text, "hex");
  const found = text.length === 32 ? "32 characters that are not all hexadecimal digits" : `${text.length} characters`;
  ck.report(secret.slot.line, secret.slot.path, `environment variable ${secret.name}: expected 32 hexadecimal digits (the 128-bit ${what}); found ${found}`);
  return undefined;
}

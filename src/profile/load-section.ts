// The load section of a profile (issue 17): what its JSON Schema (./profile-schema.ts) cannot say,
// checked by ./read-profile.ts on the values that passed it, its resolved form, and the load pool's
// subscribers built from its identity patterns:
// - duration: a number of seconds, or "500ms", "30s", "2m", "1h", above 0 and at most a day;
// - pool: each role once, UE-A and UE-B among them, each a role of ixit.subscribers; identities that
//   parse (RFC 3261 19.1, RFC 3966) once {n} is replaced, with {n} the only placeholder, no two
//   roles with the same; no literal secret (as for any subscriber);
// - thresholds: each parses (./thresholds.ts).
// The pool's credentials are read from the environment when a load run builds its pool (poolOfSlots,
// called by src/load/pool.ts poolFor), not when the profile loads: a conformance run of the same
// profile needs none of the pool's variables. A missing variable names the variable, the field and
// the profile, never a value.
import { isUriParseError, parseUri } from "../sip/message/uri.ts";
import type { LoadPool, LoadPoolAuth, LoadSection, Profile, Subscriber, SubscriberAuth } from "./profile.ts";
import { ProfileError, type ProfileProblem } from "./profile-error.ts";
import { AKA_DEFAULTS, DURATION_PATTERN, MAX_LOAD_DURATION_MS, POOL_PLACEHOLDER, type ProfileDocument, REQUIRED_ROLES } from "./profile-schema.ts";
import type { Locator, Segment } from "./schema-problems.ts";
import { readSecret, secretSource } from "./secrets.ts";
import { parseThreshold } from "./thresholds.ts";

type Environment = Readonly<Record<string, string | undefined>>;

/** A SIP URI with a password in its userinfo (RFC 3261 19.1.1 deprecates it; a profile holds no secret). */
const URI_WITH_PASSWORD = /^sips?:[^@;?]*:[^@;?]*@/i;
const UNITS_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const POOL = ["load", "pool"] as const;
const POOL_SUBSCRIBERS = [...POOL, "subscribers"] as const;

/**
 * A duration in whole milliseconds: a number of seconds (30, 0.5, "30"), or a number followed by
 * ms, s, m or h ("500ms", "30s", "2m", "1h"). Null when it is not one, or not above 0 ms.
 */
export function parseDurationMs(value: string | number): number | null {
  let ms: number;
  if (typeof value === "number") ms = value * 1000;
  else {
    const text = value.trim();
    if (new RegExp(DURATION_PATTERN).test(text)) {
      const unit = /[a-z]+$/.exec(text)![0];
      ms = Number(text.slice(0, -unit.length)) * UNITS_MS[unit];
    } else if (/^(?:\d+(?:\.\d+)?|\.\d+)$/.test(text)) ms = Number(text) * 1000;
    else return null;
  }
  if (!Number.isFinite(ms)) return null;
  const whole = Math.round(ms);
  return whole >= 1 ? whole : null;
}

/** An identity or variable name pattern with {n} replaced by `n`. */
export function fillPattern(pattern: string, n: number): string {
  return pattern.replaceAll(POOL_PLACEHOLDER, String(n));
}

/** What read-profile gives the checks of the load section: its accessors of the document, and where problems go. */
export interface LoadChecks {
  readonly at: Locator;
  /** Whether the value passed the schema (nothing wrong at it, in it or above it). */
  readonly ok: (segments: readonly Segment[]) => boolean;
  /** Whether the value was read whole (nothing wrong at it or above it). */
  readonly sound: (segments: readonly Segment[]) => boolean;
  readonly get: (segments: readonly Segment[]) => unknown;
  readonly report: (segments: readonly Segment[], message: string, line?: number) => void;
  /** The roles of ixit.subscribers, when every one was read. */
  readonly roles: readonly string[] | undefined;
  readonly terminal: boolean;
}

/** The checks of the load section a JSON Schema cannot express. */
export function checkLoadSection(c: LoadChecks): void {
  const { at, ok, get, report } = c;
  if (get(["load"]) === undefined) return;
  if (c.terminal) {
    report(["load"], "expected no load section in a terminal profile: a load run tests a network (ims-interop load), not a UE under test", at.keyLine(["load"]));
    return;
  }
  const duration = get(["load", "duration"]);
  if ((typeof duration === "string" || typeof duration === "number") && ok(["load", "duration"])) {
    const ms = parseDurationMs(duration);
    if (ms === null || ms > MAX_LOAD_DURATION_MS)
      report(["load", "duration"], `expected a duration above 0 and at most a day (${MAX_LOAD_DURATION_MS / 3_600_000}h); found ${at.describe(["load", "duration"])}`);
  }

  const thresholds = get(["load", "thresholds"]);
  if (Array.isArray(thresholds) && c.sound(["load", "thresholds"]))
    thresholds.forEach((t, i) => {
      const segments = ["load", "thresholds", i];
      if (typeof t !== "string" || !ok(segments)) return;
      try {
        parseThreshold(t);
      } catch (e) {
        const reason = (e as Error).message.replace(/^threshold ".*?": /, "");
        report(segments, `expected a threshold <metric> <operator> <number>; found ${JSON.stringify(t)}: ${reason}`);
      }
    });

  const list = get(POOL_SUBSCRIBERS);
  if (!Array.isArray(list) || !c.sound(POOL_SUBSCRIBERS)) return;
  const first = ok([...POOL, "first"]) ? ((get([...POOL, "first"]) as number | undefined) ?? 1) : 1;
  const text = (segments: readonly Segment[]): string | undefined => {
    const v = get(segments);
    return typeof v === "string" && ok(segments) ? v : undefined;
  };
  const items = list.map((_, i) => [...POOL_SUBSCRIBERS, i]);

  // Roles: each once, the required ones present, each one the profile knows
  const seen = new Map<string, readonly Segment[]>();
  for (const s of items) {
    const role = text([...s, "role"]);
    if (role === undefined) continue;
    const before = seen.get(role);
    if (before) report([...s, "role"], `expected each role once (one pattern per role); found ${JSON.stringify(role)} again (first at ${at.path(before)})`);
    else seen.set(role, [...s, "role"]);
    if (c.roles !== undefined && !c.roles.includes(role)) report([...s, "role"], `expected a role of ixit.subscribers (${[...new Set(c.roles)].join(", ")}); found ${JSON.stringify(role)}`);
  }
  if (items.every((s) => text([...s, "role"]) !== undefined)) {
    const missing = REQUIRED_ROLES.filter((r) => !seen.has(r));
    if (missing.length > 0)
      report(
        POOL_SUBSCRIBERS,
        `expected patterns for the roles ${REQUIRED_ROLES.join(" and ")}; found no ${missing.join(" and no ")} (roles: ${[...seen.keys()].join(", ")})`,
        at.keyLine(POOL_SUBSCRIBERS),
      );
  }

  // Identities: well formed once {n} is replaced, and no two roles with the same
  const identities = new Map<string, readonly Segment[]>();
  const identity = (segments: readonly Segment[], uri: boolean): void => {
    const pattern = text(segments);
    if (pattern === undefined) return;
    const filled = fillPattern(pattern, first);
    if (/[{}]/.test(filled)) return void report(segments, `expected {n} as the only placeholder; found ${JSON.stringify(pattern)}`);
    if (uri) {
      if (URI_WITH_PASSWORD.test(filled)) return void report(segments, "expected a URI pattern without a password; found a URI with a password (not shown: a profile never holds a secret)");
      const parsed = parseUri(filled);
      if (isUriParseError(parsed))
        return void report(segments, `expected a URI once {n} is replaced; found ${JSON.stringify(pattern)}, which gives ${JSON.stringify(filled)} for n = ${first} (${parsed.error})`);
    }
    const key = filled.toLowerCase();
    const before = identities.get(key);
    if (before) report(segments, `expected identities of their own for each role; found ${JSON.stringify(pattern)}, the same as ${at.path(before)}`);
    else identities.set(key, segments);
  };
  for (const s of items) {
    identity([...s, "impi"], false);
    const impus = get([...s, "impus"]);
    (Array.isArray(impus) ? impus : []).forEach((_, j) => identity([...s, "impus", j], true));
  }
}

/** The resolved load section of a valid document. */
export function resolveLoadSection(d: NonNullable<ProfileDocument["load"]>): LoadSection {
  const durationMs = d.duration === undefined ? undefined : parseDurationMs(d.duration);
  return {
    ...(d.ues === undefined ? {} : { ues: d.ues }),
    ...(d.rate === undefined ? {} : { rate: d.rate }),
    ...(durationMs === undefined || durationMs === null ? {} : { durationMs }),
    ...(d.flows === undefined ? {} : { flows: d.flows }),
    ...(d.pool === undefined ? {} : { pool: resolvePool(d.pool) }),
    thresholds: (d.thresholds ?? []).map((t) => t.trim()),
  };
}

function resolvePool(p: NonNullable<NonNullable<ProfileDocument["load"]>["pool"]>): LoadPool {
  return {
    first: p.first ?? 1,
    subscribers: p.subscribers.map((s) => {
      const a = s.auth;
      const auth: LoadPoolAuth =
        a.kind === "digest"
          ? { kind: "digest", passwordEnv: a.passwordEnv, algorithm: a.algorithm ?? "MD5" }
          : {
              kind: "aka",
              kEnv: a.kEnv,
              opcEnv: a.opcEnv,
              amf: Buffer.from(a.amf ?? AKA_DEFAULTS.amf, "hex"),
              sqn: BigInt(a.sqn ?? AKA_DEFAULTS.sqn),
              version: a.version ?? AKA_DEFAULTS.version,
            };
      return { role: s.role, impi: s.impi, impus: s.impus, ...(s.displayName === undefined ? {} : { displayName: s.displayName }), auth };
    }),
  };
}

/** At most this many variables are named in one problem; the rest are counted. */
const NAMES_SHOWN = 3;

/**
 * The subscribers of the profile's load pool for the global `slots` (slot s: n = first + s), in
 * the order subscriberFor reads them: local index k holds slot slots[k] of every role. Credentials
 * are read from `env`; for the embedded target an unset variable gets a value generated for this
 * call (as when a profile loads), one per variable name. Throws a ProfileError naming each missing
 * or malformed variable, its field and the profile, never a value; an Error when the profile has no
 * load pool.
 */
export function poolOfSlots(profile: Profile, slots: readonly number[], env: Environment = process.env): Subscriber[] {
  const pool = profile.load?.pool;
  if (!pool) throw new Error(`${profile.file} has no load.pool section`);
  const source = secretSource(env, profile.target.kind === "embedded");
  const values = new Map<string, string>();
  /** Per field (load.pool.subscribers[i].auth.kEnv) and reason: the variables that failed, the first one's message, the slots. */
  const failed = new Map<string, { field: string; reason: string; names: string[]; message: string; slots: number[] }>();
  const secret = (i: number, field: string, pattern: string, n: number, slot: number, key: "" | "K" | "OPc"): string => {
    const name = fillPattern(pattern, n);
    const known = values.get(name);
    if (known !== undefined) return known;
    const found = readSecret(source, name, key);
    if (found.ok) {
      values.set(name, found.value);
      return found.value;
    }
    const path = `load.pool.subscribers[${i}].auth.${field}`;
    const f = failed.get(`${path} ${found.reason}`) ?? { field: path, reason: found.reason, names: [], message: found.message, slots: [] };
    if (!f.names.includes(name)) f.names.push(name);
    f.slots.push(slot);
    failed.set(`${path} ${found.reason}`, f);
    return "";
  };
  const subscribers: Subscriber[] = [];
  for (const slot of slots) {
    const n = pool.first + slot;
    pool.subscribers.forEach((s, i) => {
      const a = s.auth;
      const auth: SubscriberAuth =
        a.kind === "digest"
          ? { kind: "digest", password: secret(i, "passwordEnv", a.passwordEnv, n, slot, ""), passwordEnv: fillPattern(a.passwordEnv, n), algorithm: a.algorithm }
          : {
              kind: "aka",
              k: Buffer.from(secret(i, "kEnv", a.kEnv, n, slot, "K"), "hex"),
              kEnv: fillPattern(a.kEnv, n),
              opc: Buffer.from(secret(i, "opcEnv", a.opcEnv, n, slot, "OPc"), "hex"),
              opcEnv: fillPattern(a.opcEnv, n),
              amf: a.amf,
              sqn: a.sqn,
              version: a.version,
            };
      subscribers.push({
        role: s.role,
        impi: fillPattern(s.impi, n),
        impus: s.impus.map((u) => fillPattern(u, n)),
        ...(s.displayName === undefined ? {} : { displayName: fillPattern(s.displayName, n) }),
        auth,
      });
    });
  }
  if (failed.size > 0) {
    const problems: ProfileProblem[] = [...failed.values()].map((f) => {
      const where = `(the load pool's ${describeSlots(f.slots)})`;
      if (f.names.length === 1) return { file: profile.file, field: f.field, message: `${f.message} ${where}` };
      const more = f.names.length > NAMES_SHOWN ? ` and ${f.names.length - NAMES_SHOWN} more` : "";
      const names = `${f.names.slice(0, NAMES_SHOWN).join(", ")}${more}`;
      const message =
        f.reason === "malformed"
          ? `${f.message}; likewise ${f.names.slice(1, NAMES_SHOWN + 1).join(", ")}${f.names.length > NAMES_SHOWN + 1 ? ` and ${f.names.length - NAMES_SHOWN - 1} more` : ""} ${where}`
          : `environment variables ${names} are ${f.reason === "unset" ? "not set" : "empty"} ${where}`;
      return { file: profile.file, field: f.field, message };
    });
    throw new ProfileError(problems);
  }
  return subscribers;
}

function describeSlots(slots: readonly number[]): string {
  const unique = [...new Set(slots)];
  return unique.length === 1 ? `slot ${unique[0]}` : `${unique.length} slots, ${Math.min(...unique)} to ${Math.max(...unique)}`;
}

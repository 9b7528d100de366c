// What a JSON Schema cannot say about a profile, checked after ./schema-problems.ts on every value
// that passed it, and the resolved Profile built from a document with no problem:
// - URIs parsed by the driver's own parser (RFC 3261 19.1, RFC 3966), none with a password;
// - IPv6 addresses; t1 <= t2; the roles UE-A and UE-B; each public identity once; unregisteredImpu
//   and unknownImpi that no subscriber has;
// - the load section (./load-section.ts): duration, the pool's patterns and roles, thresholds;
// - secrets: the YAML never holds one. A subscriber's auth names environment variables (passwordEnv;
//   kEnv and opcEnv), and a literal password, k, opc or op field is rejected. An unset variable is a
//   problem naming the variable and the field, never a value.
//   EXCEPTION: when target.kind is "embedded", an unset (or empty) secret variable is filled with a
//   random value generated for this load: the simulated UEs and the embedded reference core are both
//   the harness, so no external secret exists. The variable name is kept in the resolved profile.
import { isIP } from "node:net";
import { isUriParseError, parseUri } from "../sip/message/uri.ts";
import { unbracketHost } from "../sip/transport/address.ts";
import {
  FAULT_NAMES,
  type FaultName,
  PICS_NAMES,
  type Pics,
  type PicsName,
  type Profile,
  type Subscriber,
  type SubscriberAuth,
  type TargetConfig,
  type TerminalConfig,
  UE_FAULT_NAMES,
  type UeFaultName,
} from "./profile.ts";
import type { ProfileProblem } from "./profile-error.ts";
import {
  AKA_DEFAULTS,
  DEFAULT_LOCAL_HOST,
  DEFAULT_SESSION_EXPIRES,
  DEFAULT_START_TIMEOUT_MS,
  DEFAULT_TIMERS,
  DEFAULT_TRANSPORTS,
  type ProfileDocument,
  DEFAULT_OPERATOR_TIMEOUT_MS,
  REQUIRED_ROLES,
  TARGET_KINDS,
  TERMINAL_ROLES,
} from "./profile-schema.ts";
import { type Locator, type Segment, type UnknownFieldMessage, expected, schemaAt, schemaProblems, valueAt } from "./schema-problems.ts";
import { checkLoadSection, resolveLoadSection } from "./load-section.ts";
import { readSecret, secretSource } from "./secrets.ts";

type Environment = Readonly<Record<string, string | undefined>>;

/** A SIP URI with a password in its userinfo (RFC 3261 19.1.1 deprecates it; a profile holds no secret). */
const URI_WITH_PASSWORD = /^sips?:[^@;?]*:[^@;?]*@/i;
const SUBSCRIBERS = ["ixit", "subscribers"] as const;

/** Checks the document (`at.data`, with its YAML nodes for lines); returns the profile or every problem. */
export function readProfile(at: Locator, env: Environment): { profile: Profile; problems?: undefined } | { profile?: undefined; problems: ProfileProblem[] } {
  const schema = schemaProblems(at, literalSecret(at.data));
  const problems = [...schema.problems];
  const ok = (segments: readonly Segment[]): boolean => schema.ok(segments);
  const get = (segments: readonly Segment[]): unknown => valueAt(at.data, segments);
  const report = (segments: readonly Segment[], message: string, line?: number): void => {
    problems.push(at.problem(segments, message, line));
  };
  const text = (segments: readonly Segment[]): string | undefined => {
    const v = get(segments);
    return typeof v === "string" && ok(segments) ? v : undefined;
  };

  for (const host of [
    ["ixit", "domain"],
    ["ixit", "localHost"],
    ["ixit", "pcscf", "host"],
  ]) {
    const v = text(host);
    if (v?.includes(":") && isIP(unbracketHost(v)) === 0) report(host, `expected ${expected(schemaAt(host, at.data))}; found ${at.describe(host)}`);
  }

  const uri = (segments: readonly Segment[]): string | undefined => {
    const v = text(segments);
    if (v === undefined) return undefined;
    const what = expected(schemaAt(segments, at.data));
    if (URI_WITH_PASSWORD.test(v)) return void report(segments, `expected ${what} without a password; found a URI with a password (not shown: a profile never holds a secret)`);
    const parsed = parseUri(v);
    if (isUriParseError(parsed)) return void report(segments, `expected ${what}; found ${JSON.stringify(v)} (${parsed.error})`);
    return v;
  };
  uri(["ixit", "pcscfUri"]);
  const unregisteredImpu = uri(["ixit", "unregisteredImpu"]);

  // Timers: RFC 3261 17.1.2.2, retransmission intervals double from T1 and are capped at T2
  if (ok(["ixit", "timers"])) {
    const given = (get(["ixit", "timers"]) ?? {}) as { t1?: number; t2?: number };
    const t1 = given.t1 ?? DEFAULT_TIMERS.t1;
    const t2 = given.t2 ?? DEFAULT_TIMERS.t2;
    const clause = "(RFC 3261 17.1.2.2: intervals grow from T1 up to T2)";
    if (t1 > t2 && given.t1 !== undefined) report(["ixit", "timers", "t1"], `expected at most t2 (${t2}); found ${t1} ${clause}`);
    else if (t1 > t2) report(["ixit", "timers", "t2"], `expected at least t1 (${t1}); found ${t2} ${clause}`);
  }

  // Subscribers: roles, identities, secrets
  const list = get(SUBSCRIBERS);
  const subscribers = Array.isArray(list) && schema.sound(SUBSCRIBERS) ? list.map((_, i) => [...SUBSCRIBERS, i]) : [];
  const roles = subscribers.map((s) => text([...s, "role"]));
  const terminal = get(["terminal"]) !== undefined;
  const requiredRoles: readonly string[] = terminal ? TERMINAL_ROLES : REQUIRED_ROLES;
  if (subscribers.length > 0 && roles.every((r) => r !== undefined)) {
    const missing = requiredRoles.filter((r) => !roles.includes(r));
    if (missing.length > 0) {
      report(
        SUBSCRIBERS,
        `expected subscribers with the roles ${requiredRoles.join(" and ")}${terminal ? " (a terminal profile: UE-SUT is the UE under test)" : ""}; found no ${missing.join(" and no ")} (roles: ${[...new Set(roles)].join(", ")})`,
        at.keyLine(SUBSCRIBERS),
      );
    }
  }
  // A terminal profile: the UE under test's faults, its address and its upper tester (TS 34.229: the system simulator drives the UE)
  const targetKind = text(["target", "kind"]);
  const faultList = get(["target", "faults"]);
  if (Array.isArray(faultList) && ok(["target", "faults"])) {
    const wrong = faultList.filter((f) => typeof f === "string" && (terminal ? !(UE_FAULT_NAMES as readonly string[]).includes(f) : !(FAULT_NAMES as readonly string[]).includes(f)));
    if (wrong.length > 0)
      report(
        ["target", "faults"],
        terminal
          ? `expected faults of the self-test UE (${UE_FAULT_NAMES.join(", ")}) in a terminal profile; found ${wrong.join(", ")}`
          : `expected faults of the reference core; found ${wrong.join(", ")}, which only the self-test UE of a terminal profile commits`,
      );
  }
  if (terminal && targetKind !== undefined && targetKind !== "embedded" && get(["terminal", "upperTester"]) === undefined) {
    report(["terminal"], `expected terminal.upperTester (how the harness makes the UE act) for a ${targetKind} target; only the embedded self-test UE needs none`, at.keyLine(["terminal"]));
  }
  if (terminal && (targetKind === "process" || targetKind === "container") && get(["terminal", "address"]) === undefined) {
    report(["terminal"], `expected terminal.address (where the UE under test listens: the harness waits for its answer to OPTIONS there) for a ${targetKind} target`, at.keyLine(["terminal"]));
  }
  const upperKind = text(["terminal", "upperTester", "kind"]);
  const needs: Record<string, readonly string[]> = { tcp: ["host", "port"], http: ["url"] };
  for (const field of needs[upperKind ?? ""] ?? []) {
    if (get(["terminal", "upperTester", field]) === undefined)
      report(["terminal", "upperTester"], `expected ${field} for an upper tester of kind ${upperKind}`, at.keyLine(["terminal", "upperTester"]));
  }
  if (upperKind === "stdin" && targetKind !== undefined && targetKind !== "process")
    report(["terminal", "upperTester", "kind"], `expected a process target for an upper tester of kind stdin; found target kind ${targetKind}`);
  const impus = new Map<string, readonly Segment[]>();
  for (const s of subscribers) {
    const items = get([...s, "impus"]);
    (Array.isArray(items) ? items : []).forEach((_, j) => {
      const segments = [...s, "impus", j];
      const v = uri(segments);
      if (v === undefined) return;
      const first = impus.get(v);
      if (first) report(segments, `expected each public identity once; found ${JSON.stringify(v)} again (first at ${at.path(first)})`);
      else impus.set(v, segments);
    });
  }
  if (unregisteredImpu !== undefined && impus.has(unregisteredImpu)) {
    report(["ixit", "unregisteredImpu"], `expected an identity no subscriber has; found ${JSON.stringify(unregisteredImpu)}, also ${at.path(impus.get(unregisteredImpu)!)}`);
  }
  const unknownImpi = text(["ixit", "unknownImpi"]);
  const same = subscribers.find((s) => unknownImpi !== undefined && text([...s, "impi"]) === unknownImpi);
  if (same) report(["ixit", "unknownImpi"], `expected an identity no subscriber has; found ${JSON.stringify(unknownImpi)}, also ${at.path([...same, "impi"])}`);

  // The load section (issue 17): its pool's identity patterns, roles and thresholds
  checkLoadSection({
    at,
    ok,
    sound: (segments) => schema.sound(segments),
    get,
    report,
    roles: subscribers.length > 0 && roles.every((r) => r !== undefined) ? roles : undefined,
    terminal,
  });

  // Secrets: only once the target kind is known (the embedded target generates unset ones)
  const kind = text(["target", "kind"]);
  const secrets = new Map<string, string>();
  if (kind !== undefined && (TARGET_KINDS as readonly string[]).includes(kind)) {
    const source = secretSource(env, kind === "embedded");
    for (const s of subscribers) {
      const authKind = text([...s, "auth", "kind"]);
      const fields =
        authKind === "digest"
          ? [["passwordEnv", ""]]
          : authKind === "aka"
            ? [
                ["kEnv", "K"],
                ["opcEnv", "OPc"],
              ]
            : [];
      for (const [field, key] of fields as [string, string][]) {
        const segments = [...s, "auth", field];
        const name = text(segments);
        if (name === undefined) continue;
        const found = readSecret(source, name, key as "" | "K" | "OPc");
        if (!found.ok) {
          report(segments, found.message);
          continue;
        }
        secrets.set(at.path(segments), found.value);
      }
    }
  }

  if (problems.length > 0) return { problems };
  return { profile: resolve(at.data as ProfileDocument, at.file, (segments) => secrets.get(at.path(segments))!) };
}

/** A literal password, k, opc or op in a subscriber or its auth: the message names the *Env field to use. */
function literalSecret(data: unknown): UnknownFieldMessage {
  return (segments, key) => {
    // A subscriber (ixit.subscribers[i]) or a role of the load pool (load.pool.subscribers[i]), or its auth
    const depth = segments[0] === "ixit" && segments[1] === "subscribers" ? 3 : segments[0] === "load" && segments[1] === "pool" && segments[2] === "subscribers" ? 4 : 0;
    const inSubscriber = depth > 0 && (segments.length === depth || (segments.length === depth + 1 && segments[depth] === "auth"));
    if (!inSubscriber) return undefined;
    const role = valueAt(data, [...segments.slice(0, depth), "role"]);
    // IMS_UE_B for UE-B: the variable names the examples suggest
    const prefix = `IMS_${typeof role === "string" && /^UE-[A-Z0-9]{1,16}$/.test(role) ? role.replace("-", "_") : "UE_A"}`;
    const literal = (what: string, field: string, suffix: string) =>
      `expected ${field} naming the environment variable that holds the ${what} (e.g. ${field}: ${prefix}_${suffix}); found a literal ${what} (not shown: a profile never holds a secret)`;
    if (key === "password") return literal("password", "passwordEnv", "PASSWORD");
    if (key === "k") return literal("K", "kEnv", "K");
    if (key === "opc") return literal("OPc", "opcEnv", "OPC");
    if (key === "op")
      return "expected opcEnv naming the environment variable that holds OPc (TS 35.206 derives it from OP; OP itself is not used); found a literal op (not shown: a profile never holds a secret)";
    return undefined;
  };
}

/** The resolved profile of a valid document: defaults filled in, secrets read, env values as text. */
function resolve(d: ProfileDocument, file: string, secret: (segments: readonly Segment[]) => string): Profile {
  const localHost = d.ixit.localHost ?? DEFAULT_LOCAL_HOST;
  const subscribers = d.ixit.subscribers.map((s, i): Subscriber => {
    const at = (field: string) => secret([...SUBSCRIBERS, i, "auth", field]);
    const a = s.auth;
    const auth: SubscriberAuth =
      a.kind === "digest"
        ? { kind: "digest", password: at("passwordEnv"), passwordEnv: a.passwordEnv, algorithm: a.algorithm ?? "MD5" }
        : {
            kind: "aka",
            k: Buffer.from(at("kEnv"), "hex"),
            kEnv: a.kEnv,
            opc: Buffer.from(at("opcEnv"), "hex"),
            opcEnv: a.opcEnv,
            amf: Buffer.from(a.amf ?? AKA_DEFAULTS.amf, "hex"),
            sqn: BigInt(a.sqn ?? AKA_DEFAULTS.sqn),
            version: a.version ?? AKA_DEFAULTS.version,
          };
    return { role: s.role, impi: s.impi, impus: s.impus, ...(s.displayName === undefined ? {} : { displayName: s.displayName }), auth };
  });
  const pics = Object.fromEntries(PICS_NAMES.map((n) => [n, d.pics?.[n] ?? false])) as Record<PicsName, boolean> as Pics;
  return {
    file,
    name: d.name,
    vendor: d.vendor,
    product: d.product,
    productVersion: d.version,
    target: target(d.target),
    ixit: {
      domain: d.ixit.domain,
      // The embedded core picks its own port; the embedded target fills in the address it listens on
      pcscf: d.ixit.pcscf ?? { host: localHost, port: 0 },
      ...(d.ixit.pcscfUri === undefined ? {} : { pcscfUri: d.ixit.pcscfUri }),
      ...(d.ixit.websocket === undefined ? {} : { websocket: d.ixit.websocket }),
      ...(d.ixit.interconnect === undefined ? {} : { interconnect: d.ixit.interconnect }),
      ...(d.ixit.sms === undefined ? {} : { sms: { smsc: d.ixit.sms.smsc } }),
      transports: d.ixit.transports ?? DEFAULT_TRANSPORTS,
      localHost,
      timers: { ...DEFAULT_TIMERS, ...d.ixit.timers },
      subscribers,
      unregisteredImpu: d.ixit.unregisteredImpu,
      unknownImpi: d.ixit.unknownImpi,
      sessionTimer: { expires: d.ixit.sessionTimer?.expires ?? DEFAULT_SESSION_EXPIRES },
      media: { maxLossPercent: d.ixit.media?.maxLossPercent ?? 1 },
    },
    pics,
    ...(d.terminal === undefined ? {} : { terminal: terminalConfig(d.terminal) }),
    ...(d.load === undefined ? {} : { load: resolveLoadSection(d.load) }),
    knownDeviations: d.knownDeviations ?? {},
  };
}

function terminalConfig(t: NonNullable<ProfileDocument["terminal"]>): TerminalConfig {
  const u = t.upperTester;
  return {
    ...(t.address === undefined ? {} : { address: t.address }),
    ...(u === undefined
      ? {}
      : {
          upperTester: {
            kind: u.kind,
            ...(u.host === undefined ? {} : { host: u.host }),
            ...(u.port === undefined ? {} : { port: u.port }),
            framing: u.framing ?? "line",
            ...(u.url === undefined ? {} : { url: u.url }),
            operatorTimeoutMs: u.operatorTimeoutMs ?? DEFAULT_OPERATOR_TIMEOUT_MS,
            actions: Object.fromEntries(Object.entries(u.actions).filter(([, v]) => v !== undefined)),
          },
        }),
  };
}

function target(t: ProfileDocument["target"]): TargetConfig {
  const env = (e: Record<string, string | number | boolean> | undefined) => Object.fromEntries(Object.entries(e ?? {}).map(([k, v]) => [k, String(v)]));
  switch (t.kind) {
    case "embedded": {
      const all = t.faults ?? [];
      return {
        kind: t.kind,
        faults: all.filter((f): f is FaultName => (FAULT_NAMES as readonly string[]).includes(f)),
        ueFaults: all.filter((f): f is UeFaultName => (UE_FAULT_NAMES as readonly string[]).includes(f)),
      };
    }
    case "remote":
      return { kind: t.kind };
    case "process":
      return {
        kind: t.kind,
        command: t.command,
        args: t.args ?? [],
        ...(t.cwd === undefined ? {} : { cwd: t.cwd }),
        env: env(t.env),
        startTimeoutMs: t.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS.process,
      };
    case "container":
      return { kind: t.kind, ...(t.image === undefined ? { build: t.build! } : { image: t.image }), env: env(t.env), startTimeoutMs: t.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS.container };
  }
}

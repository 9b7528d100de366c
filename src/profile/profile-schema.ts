// The profile schema: ONE definition of a profile's structure (TypeBox, which is JSON Schema), from
// which come the published schema/profile.schema.json (npm run profile-schema; editors complete and
// check fields with it), the structural validation of every loaded profile (./schema-problems.ts,
// with ajv) and the TypeScript type of a valid document. Each field's description is what editors
// show on hover and what a problem says was expected: "file:line: field: expected <description>".
// The checks a JSON Schema cannot express (URIs parsed by the driver, secrets, cross-field rules)
// are in ./read-profile.ts.
import { type Static, type TBoolean, type TOptional, type TSchema, Type } from "@sinclair/typebox";
import { TRANSPORT_PROTOCOLS, type TransportProtocol } from "../sip/transport/address.ts";
import { PROFILE_LIMITS } from "./limits.ts";
import { AUTOMATIC_ACTION, FAULT_NAMES, PICS_NAMES, type PicsName, UE_FAULT_NAMES, UPPER_TESTER_ACTIONS, UPPER_TESTER_KINDS } from "./profile.ts";

export const TARGET_KINDS = ["embedded", "remote", "process", "container"] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];
/** RFC 3261 17.1.1.1 recommended values: T1 500 ms, T2 4 s, T4 5 s. */
export const DEFAULT_TIMERS = { t1: 500, t2: 4000, t4: 5000 } as const;
export const DEFAULT_TRANSPORTS: readonly TransportProtocol[] = ["udp"];
export const DEFAULT_LOCAL_HOST = "127.0.0.1";
/** Defaults of startTimeoutMs: a process starts in seconds, a container may first be built. */
export const DEFAULT_START_TIMEOUT_MS = { process: 30_000, container: 120_000 } as const;
/** RFC 7616 3.3 algorithms the simulated UEs answer. */
export const DIGEST_ALGORITHMS = ["MD5", "SHA-256"] as const;
/** Defaults of the optional AKA fields: AMF "8000" (TS 33.102 annex H separation bit), SQN 0, AKAv1. */
export const AKA_DEFAULTS = { amf: "8000", sqn: 0, version: 1 } as const;
/**
 * RFC 4028 4 and 5: a session interval is at least 90 s; the default of ixit.sessionTimer.expires.
 * Less is a deliberate deviation, meant for the embedded reference core only (whose minimum follows
 * its profile); a real SUT answers it 422, and the simulated caller retries with the SUT's Min-SE.
 */
export const DEFAULT_SESSION_EXPIRES = 90;
/** The longest interval IMS-CALL-015 waits on: one step waits up to a whole interval, and a step ends at 5 minutes. */
export const MAX_SESSION_EXPIRES = 240;
/** The roles every profile of a network provides: the scenarios' caller and callee. */
export const REQUIRED_ROLES = ["UE-A", "UE-B"] as const;
/** The roles a terminal profile provides: the UE under test and the peer UE the harness simulates. */
export const TERMINAL_ROLES = ["UE-SUT", "UE-B"] as const;
/** How long the operator has for each instruction of a manual upper tester (MMI), by default. */
export const DEFAULT_OPERATOR_TIMEOUT_MS = 60_000;

/** Host names (RFC 1035: at most 253 characters), IPv4 addresses, and IPv6 ones (checked in code). */
export const HOST = "^(?:(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\\.?|\\[?[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*\\]?)$";
/** The shape of an environment variable name (POSIX portable names). */
const ENV_NAME = "^[A-Za-z_][A-Za-z0-9_]*$";
/** A secret's variable: a name, and not a long run of hexadecimal digits (a key pasted where its name belongs). */
const SECRET_VARIABLE = "^(?![0-9A-Fa-f]{16,}$)[A-Za-z_][A-Za-z0-9_]*$";
/** TS 23.003 13.3: the private user identity takes the form of an NAI, username@realm. */
const IMPI = "^[^\\s@:]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$";
/** The scheme of a URI; the rest is parsed by the driver's own parser (RFC 3261 19.1, RFC 3966). */
const SIP_URI = "^[Ss][Ii][Pp][Ss]?:";
const SIP_OR_TEL_URI = "^(?:[Ss][Ii][Pp][Ss]?|[Tt][Ee][Ll]):";
const MAX_MS = 3_600_000;
const MAX_SQN = 2 ** 48 - 1;

// Every string has a length limit (PROFILE_LIMITS, issue 10 gap 4); what goes to the OS may be longer.
const text = (description: string, o: { pattern?: string; max?: number; default?: string } = {}) =>
  Type.String({ description, minLength: 1, maxLength: o.max ?? PROFILE_LIMITS.textChars, ...(o.pattern ? { pattern: o.pattern } : {}), ...(o.default ? { default: o.default } : {}) });
const system = (description: string) => text(description, { max: PROFILE_LIMITS.systemTextChars });
const oneOf = <T extends string | number>(values: readonly T[], description: string, extra: object = {}) =>
  Type.Unsafe<T>({ type: typeof values[0] === "number" ? "integer" : "string", enum: [...values], description, ...extra });
const ms = (description: string, defaultMs?: number) => Type.Integer({ description, minimum: 1, maximum: MAX_MS, ...(defaultMs === undefined ? {} : { default: defaultMs }) });
/** A mapping with free keys, each checked by `keys` (JSON Schema propertyNames). */
const dictionary = <V extends TSchema>(keys: TSchema, values: V, description: string, maxEntries: number) =>
  Type.Unsafe<Record<string, Static<V>>>({ type: "object", description, propertyNames: keys, additionalProperties: values, maxProperties: maxEntries });
/** A mapping whose `kind` selects the fields it may hold (ajv's discriminator; editors read the oneOf). */
const kinded = <T extends TSchema[]>(branches: [...T], description: string) =>
  Type.Unsafe<Static<T[number]>>({
    type: "object",
    description,
    discriminator: { propertyName: "kind" },
    required: ["kind"],
    oneOf: branches.map((b) => ({ ...b, description: (b as { properties?: { kind?: { description?: string } } }).properties?.kind?.description })),
  });
const fields = { additionalProperties: false } as const;
/** A secret's variable: the value may be a key pasted by mistake, so no problem ever shows it (writeOnly). */
const secretVariable = (what: string) =>
  Type.String({ description: `the name of the environment variable that holds the ${what}`, minLength: 1, maxLength: PROFILE_LIMITS.textChars, pattern: SECRET_VARIABLE, writeOnly: true });

const envMap = dictionary(
  Type.String({ description: "an environment variable name (letters, digits and _, not starting with a digit)", pattern: ENV_NAME, maxLength: PROFILE_LIMITS.textChars }),
  Type.Unsafe<string | number | boolean>({ type: ["string", "number", "boolean"], description: "a value (a string)", maxLength: PROFILE_LIMITS.systemTextChars }),
  "a mapping of environment variable names to values (numbers and booleans become text)",
  PROFILE_LIMITS.envEntries,
);
const kind = <K extends TargetKind | "aka" | "digest">(k: K, description: string) => Type.Literal(k, { description });

const Target = kinded(
  [
    Type.Object(
      {
        kind: kind("embedded", "embedded: the harness's own reference core, in its process"),
        faults: Type.Optional(
          Type.Array(oneOf([...FAULT_NAMES, ...UE_FAULT_NAMES], "a fault the reference core (or, in a terminal profile, the self-test UE) commits on purpose"), {
            description: "a list of fault names: what the reference core (a terminal profile: the self-test UE) does wrong on purpose, to prove a test case can fail",
            maxItems: PROFILE_LIMITS.faults,
            default: [],
          }),
        ),
      },
      fields,
    ),
    Type.Object({ kind: kind("remote", "remote: a SUT already running, reached at ixit.pcscf") }, fields),
    Type.Object(
      {
        kind: kind("process", "process: a local program the harness starts, and stops after the run"),
        command: system("the program that starts the SUT"),
        args: Type.Optional(
          Type.Array(system("a string"), {
            description:
              "a list of strings: the program's arguments; ${port} and ${host} stand for ixit.pcscf's; ${wsPort}, ${wssPort} and ${wssCertificate} for ixit.websocket's ws.port, wss.port and certificate",
            maxItems: PROFILE_LIMITS.args,
            default: [],
          }),
        ),
        cwd: Type.Optional(system("a directory (a string): the program's working directory, by default the current one")),
        env: Type.Optional(envMap),
        startTimeoutMs: Type.Optional(ms(`a positive integer of milliseconds, at most ${MAX_MS}: how long to wait for the SUT to answer SIP OPTIONS`, DEFAULT_START_TIMEOUT_MS.process)),
      },
      fields,
    ),
    Type.Object(
      {
        kind: kind("container", "container: an image the harness builds or pulls and runs (testcontainers), removed after the run"),
        image: Type.Optional(system("an image reference")),
        build: Type.Optional(system("a folder holding a Dockerfile, e.g. docker/kamailio")),
        env: Type.Optional(envMap),
        startTimeoutMs: Type.Optional(ms(`a positive integer of milliseconds, at most ${MAX_MS}: how long to wait for the SUT to answer SIP OPTIONS`, DEFAULT_START_TIMEOUT_MS.container)),
      },
      { ...fields, oneOf: [{ required: ["image"] }, { required: ["build"] }] },
    ),
  ],
  `a mapping with kind: ${TARGET_KINDS.join(" | ")}: how the harness reaches the SUT`,
);

/** The credentials of a subscriber (or of a load pool's role): variable names from `variable`, never values. */
function credentials(variable: (what: string) => ReturnType<typeof secretVariable>, usim: string, description: string) {
  return kinded(
    [
      Type.Object(
        {
          kind: kind("digest", "digest: SIP Digest (RFC 7616)"),
          passwordEnv: variable("password"),
          algorithm: Type.Optional(oneOf(DIGEST_ALGORITHMS, "the Digest algorithm (RFC 7616 3.3)", { default: "MD5" })),
        },
        fields,
      ),
      Type.Object(
        {
          kind: kind("aka", "aka: IMS-AKA (RFC 3310, Milenage TS 35.206)"),
          kEnv: variable("K"),
          opcEnv: variable("OPc"),
          // TS 33.102 6.3.2: AMF is 16 bits, SQN 48
          amf: Type.Optional(text('an AMF of 4 hexadecimal digits in quotes, e.g. "8000"', { pattern: "^[0-9A-Fa-f]{4}$", default: AKA_DEFAULTS.amf })),
          sqn: Type.Optional(Type.Integer({ description: `${usim} starting sequence number, from 0 to ${MAX_SQN} (SQN has 48 bits)`, minimum: 0, maximum: MAX_SQN, default: AKA_DEFAULTS.sqn })),
          // RFC 3310 (AKAv1-MD5), RFC 4169 (AKAv2-MD5)
          version: Type.Optional(oneOf([1, 2] as const, "1 (AKAv1-MD5, RFC 3310) or 2 (AKAv2-MD5, RFC 4169)", { default: AKA_DEFAULTS.version })),
        },
        fields,
      ),
    ],
    description,
  );
}

const Auth = credentials(secretVariable, "the USIM's", "the credentials, by environment variable name, never by value: { kind: aka, kEnv, opcEnv } or { kind: digest, passwordEnv }");

const Subscriber = Type.Object(
  {
    role: text("a role such as UE-A, UE-B or UE-C, as the scenarios name it", { pattern: "^UE-[A-Z0-9]+$" }),
    impi: text("a private user identity in NAI form user@realm (TS 23.003 13.3)", { pattern: IMPI }),
    // TS 24.229 5.1.1.2: the default public user identity registered is a SIP URI; tel: aliases follow
    impus: Type.Unsafe<string[]>({
      type: "array",
      description: "a non-empty list of public user identities (sip:, sips: or tel: URIs), the default one first",
      minItems: 1,
      maxItems: PROFILE_LIMITS.impus,
      items: [text("a sip: or sips: URI (the first IMPU is the default public identity)", { pattern: SIP_URI })],
      additionalItems: text("a sip:, sips: or tel: URI", { pattern: SIP_OR_TEL_URI }),
    }),
    displayName: Type.Optional(text("a display name (a string), for From and To")),
    auth: Auth,
  },
  { ...fields, description: "a subscriber: a mapping with role, impi, impus, auth and optionally displayName" },
);

// Issue 17: a load run's pool from patterns, {n} standing for a pool subscriber's number
/** A pattern of identities or of a variable name: {n} stands for the number of the pool subscriber. */
export const POOL_PLACEHOLDER = "{n}";
/** A secret's variable in a load pool: a name in which {n} may stand for the pool subscriber's number (not first: a name starts with a letter or _). */
const POOL_SECRET_VARIABLE = "^(?![0-9A-Fa-f]{16,}$)[A-Za-z_](?:[A-Za-z0-9_]|\\{n\\})*$";
/** An IMPI pattern: an NAI whose user part holds {n}. */
const IMPI_PATTERN = "^(?=[^@]*\\{n\\})[^\\s@:]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$";
const SIP_URI_PATTERN = "^(?=.*\\{n\\})[Ss][Ii][Pp][Ss]?:";
const SIP_OR_TEL_URI_PATTERN = "^(?=.*\\{n\\})(?:[Ss][Ii][Pp][Ss]?|[Tt][Ee][Ll]):";
/** A load run's duration: "500ms", "30s", "2m", "1h" (a number followed by its unit), or a number of seconds. */
export const DURATION_PATTERN = "^(?:\\d+(?:\\.\\d+)?|\\.\\d+)(?:ms|s|m|h)$";
/** The longest load run: a day. */
export const MAX_LOAD_DURATION_MS = 86_400_000;
/** The most UEs a load pool holds, and the highest rate (flows per second). */
export const MAX_LOAD_UES = 1_000_000;
export const MAX_LOAD_RATE = 100_000;
const MAX_LOAD_FLOWS = 1_000_000_000_000;
const MAX_POOL_FIRST = 1_000_000_000;

const poolSecretVariable = (what: string) =>
  Type.String({
    description: `the name of the environment variable that holds the ${what}; {n} in it stands for the pool subscriber's number (one ${what} each), a name without {n} holds one ${what} for all`,
    minLength: 1,
    maxLength: PROFILE_LIMITS.textChars,
    pattern: POOL_SECRET_VARIABLE,
    writeOnly: true,
  });

const PoolAuth = credentials(
  poolSecretVariable,
  "each USIM's",
  "the credentials of every pool subscriber of the role, by environment variable name, never by value: { kind: aka, kEnv, opcEnv } or { kind: digest, passwordEnv }; {n} in a name stands for the subscriber's number",
);

const PoolSubscriber = Type.Object(
  {
    role: text("a role such as UE-A, UE-B or UE-C, as the scenarios name it", { pattern: "^UE-[A-Z0-9]+$" }),
    impi: text("a private user identity pattern in NAI form user@realm whose user part holds {n}, e.g. load{n}a@ims.example.test", { pattern: IMPI_PATTERN }),
    impus: Type.Unsafe<string[]>({
      type: "array",
      description: "a non-empty list of public user identity patterns (sip:, sips: or tel: URIs, each holding {n}), the default one first",
      minItems: 1,
      maxItems: PROFILE_LIMITS.impus,
      items: [text("a sip: or sips: URI holding {n}, e.g. sip:load{n}a@ims.example.test (the first IMPU is the default public identity)", { pattern: SIP_URI_PATTERN })],
      additionalItems: text("a sip:, sips: or tel: URI holding {n}", { pattern: SIP_OR_TEL_URI_PATTERN }),
    }),
    displayName: Type.Optional(text("a display name (a string) for From and To; {n} in it stands for the subscriber's number")),
    auth: PoolAuth,
  },
  { ...fields, description: "a role of the load pool: a mapping with role, impi, impus, auth and optionally displayName, the identities as patterns holding {n}" },
);

const Load = Type.Object(
  {
    ues: Type.Optional(Type.Integer({ description: `a positive integer, at most ${MAX_LOAD_UES}: how many UEs the load pool holds in all (every role's)`, minimum: 1, maximum: MAX_LOAD_UES })),
    rate: Type.Optional(Type.Number({ description: `a number above 0, at most ${MAX_LOAD_RATE}: how many flows start per second`, exclusiveMinimum: 0, maximum: MAX_LOAD_RATE })),
    duration: Type.Optional(
      Type.Unsafe<string | number>({
        type: ["string", "number"],
        description: `a duration above 0 and at most a day: a number followed by ms, s, m or h ("500ms", "30s", "2m"), or a number of seconds: how long flows keep starting`,
        pattern: DURATION_PATTERN,
        maxLength: 32,
        exclusiveMinimum: 0,
        maximum: MAX_LOAD_DURATION_MS / 1000,
      }),
    ),
    flows: Type.Optional(Type.Integer({ description: `a positive integer, at most ${MAX_LOAD_FLOWS}: the most flows the run starts`, minimum: 1, maximum: MAX_LOAD_FLOWS })),
    pool: Type.Optional(
      Type.Object(
        {
          first: Type.Optional(
            Type.Integer({ description: `an integer from 0 to ${MAX_POOL_FIRST}: the number {n} of slot 0 (slot s uses first + s)`, minimum: 0, maximum: MAX_POOL_FIRST, default: 1 }),
          ),
          subscribers: Type.Array(PoolSubscriber, {
            description: `a non-empty list of identity patterns, one per role, with the roles ${REQUIRED_ROLES.join(" and ")} at least`,
            minItems: 1,
            maxItems: PROFILE_LIMITS.loadPoolRoles,
          }),
        },
        {
          ...fields,
          description:
            "a mapping { first, subscribers }: the load pool from identity patterns, for a SUT provisioned with them (without it: numbered copies for the embedded target, the listed subscribers for any other)",
        },
      ),
    ),
    thresholds: Type.Optional(
      Type.Array(
        text(
          'a threshold <metric> <operator> <number>, e.g. "ser >= 99.9", "srd.p95 <= 200ms", "failed == 0", "failed.response.cseq == 0" (metrics: ira, ser, seer, isa, scr in percent; rrd, srd, sdd, sdt .p50, .p95, .p99, .max in ms, .count; started, passed, failed; failed.<requirement-id>; operators < <= > >= == !=)',
        ),
        {
          description: "a list of thresholds judged after a load run; the run exits with status 1 when one is not met",
          maxItems: PROFILE_LIMITS.loadThresholds,
          default: [],
        },
      ),
    ),
  },
  { ...fields, description: "a mapping with ues, rate, duration, flows, pool, thresholds (all optional): how a load run (ims-interop load) goes against this SUT, and what it must achieve" },
);

const address = (description: string) => text(description, { pattern: HOST });
const wsAddress = (description: string) =>
  Type.Object(
    {
      host: address("an IP address or host name"),
      port: Type.Integer({ description: "a port number from 1 to 65535", minimum: 1, maximum: 65535 }),
    },
    { ...fields, description },
  );

const Ixit = Type.Object(
  {
    domain: address("the home network domain (REGISTER Request-URI and realm), e.g. ims.example.test"),
    pcscf: Type.Optional(
      Type.Object(
        {
          host: address("an IP address or host name"),
          port: Type.Integer({ description: "a port number from 1 to 65535", minimum: 1, maximum: 65535 }),
        },
        { ...fields, description: "the P-CSCF address { host, port } where the UEs send every request (required except for the embedded target, which fills in its own)" },
      ),
    ),
    pcscfUri: Type.Optional(text("a sip: or sips: URI: the P-CSCF URI the UEs put first in their preloaded Route (TS 24.229 5.1.2A.1.1)", { pattern: SIP_URI })),
    // RFC 7118: where WebRTC clients reach a SUT that is not the embedded core (which fills in its own)
    websocket: Type.Optional(
      Type.Object(
        {
          ws: Type.Optional(wsAddress("the SUT's WS listener { host, port } (SIP over WebSocket, RFC 7118)")),
          wss: Type.Optional(wsAddress("the SUT's WSS listener { host, port } (SIP over secure WebSocket, RFC 7118)")),
          certificate: Type.Optional(
            text(
              "a file (PEM) holding the WSS listener's certificate, read once the SUT is ready: the browser's relay trusts that certificate's public key (SPKI SHA-256) and no other. Process target: a path on this host, relative to the directory it runs in (target.cwd); container target: a path inside the container",
            ),
          ),
        },
        { ...fields, description: "a mapping { ws, wss, certificate }: the SUT's WebSocket listeners for WebRTC clients (process, container and remote targets)" },
      ),
    ),
    // Issue 15, TS 24.228 7.2: where other networks reach this one (its I-CSCF or IBCF) in an interop run
    interconnect: Type.Optional(
      Type.Object(
        {
          address: Type.Optional(
            wsAddress(
              "the address { host, port } where other networks send this network's terminating requests over UDP (its I-CSCF or IBCF; required for process, container and remote targets in an interop run, the embedded core uses its own)",
            ),
          ),
        },
        { ...fields, description: "a mapping { address }: how other networks reach this SUT in an interop run (ims-interop interop; docs/interop.md)" },
      ),
    ),
    // Issue 16, TS 24.341 5.3.1.2: where SMS over IP is submitted (IMS-MSG-002, PICS sms-over-ip)
    sms: Type.Optional(
      Type.Object(
        {
          smsc: text(
            "a sip: or sips: URI: the public service identity of the SC (SMSC) the UEs send their short messages to, the Request-URI of the MESSAGE (TS 24.341 5.3.1.2), e.g. sip:smsc@ims.example.test",
            { pattern: SIP_URI },
          ),
        },
        { ...fields, description: "a mapping { smsc }: SMS over IP (TS 24.341), required for IMS-MSG-002 when the profile claims PICS sms-over-ip" },
      ),
    ),
    transports: Type.Optional(
      Type.Array(oneOf(TRANSPORT_PROTOCOLS, "a transport"), {
        description: `a non-empty list of transports (${TRANSPORT_PROTOCOLS.join(", ")}), each once; the first is the default`,
        minItems: 1,
        maxItems: PROFILE_LIMITS.transports,
        uniqueItems: true,
        default: DEFAULT_TRANSPORTS,
      }),
    ),
    localHost: Type.Optional(address("an IP address or host name to bind to, one the SUT can reach")),
    timers: Type.Optional(
      Type.Object(
        {
          t1: Type.Optional(ms("a positive integer of milliseconds: T1, the round-trip estimate (at most t2)", DEFAULT_TIMERS.t1)),
          t2: Type.Optional(ms("a positive integer of milliseconds: T2, the maximum retransmission interval", DEFAULT_TIMERS.t2)),
          t4: Type.Optional(ms("a positive integer of milliseconds: T4, the maximum time a message stays in the network", DEFAULT_TIMERS.t4)),
        },
        { ...fields, description: "a mapping { t1, t2, t4 } of milliseconds (RFC 3261 17)" },
      ),
    ),
    unregisteredImpu: text("a sip:, sips: or tel: URI: a public identity no subscriber has and the SUT does not know (IMS-CALL-007, IMS-MSG-003)", { pattern: SIP_OR_TEL_URI }),
    unknownImpi: text("a private user identity in NAI form user@realm (TS 23.003 13.3) the SUT does not know (IMS-REG-004)", { pattern: IMPI }),
    sessionTimer: Type.Optional(
      Type.Object(
        {
          expires: Type.Optional(
            Type.Integer({
              description: `a whole number of seconds from 2 to ${MAX_SESSION_EXPIRES}: the session interval the caller asks for (Session-Expires and Min-SE, IMS-CALL-015); at least ${DEFAULT_SESSION_EXPIRES} (RFC 4028 4, 5); less is a deliberate deviation from RFC 4028, for the embedded target's fast tests only`,
              minimum: 2,
              maximum: MAX_SESSION_EXPIRES,
              default: DEFAULT_SESSION_EXPIRES,
            }),
          ),
        },
        { ...fields, description: "a mapping { expires } of seconds: RFC 4028 session timers (IMS-CALL-015)" },
      ),
    ),
    media: Type.Optional(
      Type.Object(
        {
          maxLossPercent: Type.Optional(
            Type.Number({ description: "a number from 0 to 100: the RTP packet loss in percent each stream of a call may show (IMS-CALL-013)", minimum: 0, maximum: 100, default: 1 }),
          ),
        },
        { ...fields, description: "a mapping { maxLossPercent }: what the media test cases accept (IMS-CALL-013)" },
      ),
    ),
    subscribers: Type.Array(Subscriber, {
      description: `a non-empty list of subscribers, with the roles ${REQUIRED_ROLES.join(" and ")} at least (a terminal profile: ${TERMINAL_ROLES.join(" and ")}); a role listed again is a pool for parallel workers`,
      minItems: 1,
      maxItems: PROFILE_LIMITS.subscribers,
    }),
  },
  { ...fields, description: "the IXIT: a mapping with domain, pcscf, subscribers ..." },
);

const Terminal = Type.Object(
  {
    address: Type.Optional(
      Type.Object(
        {
          host: address("an IP address or host name"),
          port: Type.Integer({ description: "a port number from 1 to 65535", minimum: 1, maximum: 65535 }),
        },
        { ...fields, description: "the address { host, port } where the UE under test listens for SIP: ready when it answers OPTIONS there; required for process and container targets" },
      ),
    ),
    upperTester: Type.Optional(
      Type.Object(
        {
          kind: oneOf(
            UPPER_TESTER_KINDS,
            "stdin (lines written to the process target's standard input) | tcp (a control channel: host, port, framing) | shell (a command per action) | http (each action POSTed to url) | manual (the console tells the operator)",
          ),
          host: Type.Optional(address("tcp: the control channel's host")),
          port: Type.Optional(Type.Integer({ description: "tcp: the control channel's port, from 1 to 65535", minimum: 1, maximum: 65535 })),
          framing: Type.Optional(oneOf(["line", "netstring"] as const, "tcp: line (a command per line) or netstring (baresip's ctrl_tcp)", { default: "line" })),
          url: Type.Optional(text("http: the URL each action's text is POSTed to", { pattern: "^https?://" })),
          operatorTimeoutMs: Type.Optional(ms(`manual: milliseconds the operator has for each instruction, at most ${MAX_MS}`, DEFAULT_OPERATOR_TIMEOUT_MS)),
          actions: Type.Object(
            Object.fromEntries(
              UPPER_TESTER_ACTIONS.map((a) => [
                a,
                Type.Optional(
                  system(`the ${a} action: a command (or, manual, an instruction) with the placeholders ${"$"}{target} and ${"$"}{text}; "${AUTOMATIC_ACTION}" where the UE does it by itself`),
                ),
              ]),
            ),
            { ...fields, description: `a mapping of actions (${UPPER_TESTER_ACTIONS.join(", ")}) to commands; a test case needing an action not listed is not applicable` },
          ),
        },
        { ...fields, description: "the upper tester: how the harness makes the UE under test act (register, call, answer ...)" },
      ),
    ),
  },
  { ...fields, description: "present when the SUT is a terminal: the harness plays the network; the subscriber with role UE-SUT is the UE under test" },
);

const PICS_DESCRIPTIONS: Record<PicsName, string> = {
  aka: "IMS-AKA registration (RFC 3310, TS 33.203)",
  digest: "SIP Digest registration (RFC 7616)",
  tcp: "SIP over TCP (RFC 3261 18)",
  preconditions: "QoS preconditions (RFC 3312, TS 24.229 6.1.2)",
  "100rel": "reliable provisional responses, PRACK (RFC 3262)",
  "reg-event": "the reg event package (RFC 3680, TS 24.229 5.1.1.3)",
  "tel-uri": "calls to tel: URIs (RFC 3966, TS 24.229 5.1.2A)",
  "sms-over-ip": "SMS over IP (TS 24.341)",
  "sec-agree": "security agreement headers (RFC 3329, TS 33.203)",
  websocket: "SIP over WebSocket for WebRTC clients (RFC 7118)",
  "session-timer": "session timers (RFC 4028)",
  ipsec: "IPsec security associations to the P-CSCF (TS 33.203)",
  "early-media": "early media: a 183 with SDP and RTP before the answer (RFC 3960, P-Early-Media RFC 5009, TS 24.628)",
  "p-preferred-identity": "a UE under test asserts its identity with P-Preferred-Identity in initial requests (RFC 3325 9.2, TS 24.229 5.1.2A.1.1)",
  "webrtc-gateway": "the network interworks a WebRTC client's media (ICE, DTLS-SRTP) to RTP towards an IMS UE (TS 24.371); IMS-RTC-002 judges that media only when claimed",
  "p-early-media": "the network authorizes early media with P-Early-Media in the 18x it delivers (RFC 5009 8): IMS-CALL-010 checks the header",
};

const Pics = Type.Object(
  Object.fromEntries(PICS_NAMES.map((n) => [n, Type.Optional(Type.Boolean({ description: `${PICS_DESCRIPTIONS[n]}: true when the SUT claims it`, default: false }))])) as Record<
    PicsName,
    TOptional<TBoolean>
  >,
  { ...fields, description: "a mapping of capability names to true or false: the capabilities the SUT claims; an absent one is not claimed", "x-unknown-field": "unknown capability" },
);

export const ProfileSchema = Type.Object(
  {
    name: text("the profile's name (a string), shown in reports"),
    vendor: text("the vendor's name (a string)"),
    product: text("the product's name (a string)"),
    version: text('the product version as a string, e.g. "1.2.0"'),
    target: Target,
    ixit: Ixit,
    terminal: Type.Optional(Terminal),
    load: Type.Optional(Load),
    pics: Type.Optional(Pics),
    knownDeviations: Type.Optional(
      dictionary(
        Type.String({ description: "a test case id such as IMS-REG-001", pattern: "^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+$", maxLength: PROFILE_LIMITS.textChars }),
        text("the reason, as text shown in reports", { max: PROFILE_LIMITS.reasonChars }),
        "a mapping of test case ids to reasons: where this SUT is expected to differ from the reference, and why",
        PROFILE_LIMITS.knownDeviations,
      ),
    ),
  },
  {
    ...fields,
    description: "a mapping with the fields name, vendor, product, version, target, ixit, terminal, pics, knownDeviations",
    // The embedded core picks its own address; every other target is reached at ixit.pcscf
    if: { type: "object", properties: { target: { type: "object", properties: { kind: { const: "embedded" } } } } },
    else: { type: "object", properties: { ixit: { type: "object", required: ["pcscf"] } } },
  },
);

/** A profile document that passed the schema: what ./read-profile.ts checks further and resolves. */
export type ProfileDocument = Static<typeof ProfileSchema>;

/** The published JSON Schema (schema/profile.schema.json): the definition, as JSON, with its dialect and title. */
export function profileJsonSchema(): object {
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    title: "ims-interop profile (IXIT and PICS of one SUT)",
    ...(JSON.parse(JSON.stringify(ProfileSchema)) as object),
  };
}

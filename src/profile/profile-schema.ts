// The profile schema, in code: which fields a profile holds, their types, enums and cross-field
// rules (profiles/example-remote.yaml documents every field for vendors). Every problem is reported,
// with its line and dotted path; nothing throws.
//
// Secrets: the YAML never holds a secret. A subscriber's auth names environment variables
// (passwordEnv; kEnv and opcEnv), and a literal password, k, opc or op key is rejected. An unset
// variable is a problem naming the variable and the field, never a value.
// EXCEPTION: when target.kind is "embedded", an unset (or empty) secret variable is filled with a
// random value generated for this load: the simulated UEs and the embedded reference core are both
// the harness, so no external secret exists. The variable name is kept in the resolved profile.
import { isIP } from "node:net";
import type { Document, LineCounter } from "yaml";
import { TRANSPORT_PROTOCOLS, type TransportProtocol, unbracketHost } from "../sip/transport/address.ts";
import { PICS_NAMES, type Ixit, type Pics, type PicsName, type Profile, type SipAddress, type Subscriber } from "./profile.ts";
import { PROFILE_LIMITS } from "./limits.ts";
import type { ProfileProblem } from "./profile-error.ts";
import { type SecretSource, secretSource } from "./secrets.ts";
import { IMPI, type SubscriberRead, readSubscriber, readUri } from "./subscriber-schema.ts";
import { type TargetKind, readTarget } from "./target-schema.ts";
import { Checker, type MapView, type Slot, readBoolean, readEnum, readInteger, readList, readMap, readString, reject } from "./yaml-checks.ts";

export const PROFILE_FIELDS = ["name", "vendor", "product", "version", "target", "ixit", "pics", "knownDeviations"] as const;
export const IXIT_FIELDS = ["domain", "pcscf", "pcscfUri", "transports", "localHost", "timers", "unregisteredImpu", "unknownImpi", "subscribers"] as const;

/** RFC 3261 17.1.1.1 recommended values: T1 500 ms, T2 4 s, T4 5 s. */
export const DEFAULT_TIMERS = { t1: 500, t2: 4000, t4: 5000 } as const;
export const DEFAULT_TRANSPORTS: readonly TransportProtocol[] = ["udp"];
export const DEFAULT_LOCAL_HOST = "127.0.0.1";
/** The roles every profile provides: the scenarios' caller and callee. */
export const REQUIRED_ROLES = ["UE-A", "UE-B"] as const;

const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/;
/** A test case identifier, e.g. IMS-REG-001. */
const TEST_CASE_ID = /^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+$/;
const MAX_TIMER_MS = 3_600_000;

/** Checks a parsed YAML document against the schema; returns the profile or the problems. */
export function readProfileDocument(
  doc: Document,
  lines: LineCounter,
  file: string,
  env: Readonly<Record<string, string | undefined>>,
): { profile: Profile; problems?: undefined } | { profile?: undefined; problems: ProfileProblem[] } {
  const ck = new Checker(file, doc, lines);
  const profile = readProfile(ck, ck.slot("", doc.contents, 1), env);
  if (ck.problems.length > 0 || !profile) return { problems: ck.problems };
  return { profile };
}

function readProfile(ck: Checker, slot: Slot, env: Readonly<Record<string, string | undefined>>): Profile | undefined {
  const view = readMap(ck, slot, `a mapping with the fields ${PROFILE_FIELDS.join(", ")}`, { fields: PROFILE_FIELDS });
  if (!view) return undefined;
  const text = (field: string, expected: string): string | undefined => {
    const s = view.required(field, expected);
    return s && readString(ck, s, expected);
  };
  const name = text("name", "the profile's name (a string)");
  const vendor = text("vendor", "the vendor's name (a string)");
  const product = text("product", "the product's name (a string)");
  const productVersion = text("version", 'the product version as a string, e.g. "1.2.0"');
  const targetSlot = view.required("target", "a mapping with kind: embedded | remote | process | container");
  const { kind, target } = targetSlot ? readTarget(ck, targetSlot) : { kind: undefined, target: undefined };
  const ixitSlot = view.required("ixit", "the IXIT: domain, pcscf, subscribers ...");
  const ixit = ixitSlot && readIxit(ck, ixitSlot, kind, env);
  const picsSlot = view.optional("pics");
  const pics = picsSlot ? readPics(ck, picsSlot) : noPics();
  const devSlot = view.optional("knownDeviations");
  const knownDeviations = devSlot ? readDeviations(ck, devSlot) : {};
  if (name === undefined || vendor === undefined || product === undefined || productVersion === undefined) return undefined;
  if (!target || !ixit || !pics || !knownDeviations) return undefined;
  return { file: ck.file, name, vendor, product, productVersion, target, ixit, pics, knownDeviations };
}

function readIxit(ck: Checker, slot: Slot, kind: TargetKind | undefined, env: Readonly<Record<string, string | undefined>>): Ixit | undefined {
  const view = readMap(ck, slot, "a mapping with the IXIT fields", { fields: IXIT_FIELDS });
  if (!view) return undefined;
  const domainSlot = view.required("domain", "the home network domain, e.g. ims.example.test");
  const domain = domainSlot && readHost(ck, domainSlot, "a domain name, e.g. ims.example.test");
  const localHostSlot = view.optional("localHost");
  const localHost = localHostSlot ? readHost(ck, localHostSlot, "an IP address or host name to bind to") : DEFAULT_LOCAL_HOST;
  // The embedded core picks its own port; the embedded target fills in the address it listens on.
  // With no valid target kind, whether pcscf is required cannot be told: its absence is not reported.
  const pcscfSlot = kind === "embedded" || kind === undefined ? view.optional("pcscf") : view.required("pcscf", "the P-CSCF address: { host, port }");
  const pcscf: SipAddress | undefined = pcscfSlot ? readAddress(ck, pcscfSlot, kind === "embedded") : kind === "embedded" ? { host: localHost ?? DEFAULT_LOCAL_HOST, port: 0 } : undefined;
  const uriSlot = view.optional("pcscfUri");
  const pcscfUri = uriSlot && readUri(ck, uriSlot, ["sip", "sips"]);
  const transportsSlot = view.optional("transports");
  const transports = transportsSlot ? readTransports(ck, transportsSlot) : DEFAULT_TRANSPORTS;
  const timers = readTimers(ck, view.optional("timers"));
  const unregSlot = view.required("unregisteredImpu", "a public identity that is not provisioned, e.g. sip:carol@ims.example.test");
  const unregisteredImpu = unregSlot && readUri(ck, unregSlot, ["sip", "sips", "tel"]);
  const unknownSlot = view.required("unknownImpi", "a private identity the SUT does not know, e.g. nobody@ims.example.test");
  const unknownImpi = unknownSlot && readString(ck, unknownSlot, "a private user identity in NAI form user@realm (TS 23.003 13.3)", { pattern: IMPI });
  const subscribersSlot = view.required("subscribers", `a list of subscribers with the roles ${REQUIRED_ROLES.join(" and ")}`);
  const secrets = kind === undefined ? undefined : secretSource(env, kind === "embedded");
  const subscribers = subscribersSlot && readSubscribers(ck, subscribersSlot, secrets);
  if (subscribers && unregSlot && unregisteredImpu !== undefined) {
    const same = subscribers.reads.flatMap((r) => r.impus).find((i) => i.value === unregisteredImpu);
    if (same) ck.report(unregSlot.line, unregSlot.path, `expected an identity no subscriber has; found ${JSON.stringify(unregisteredImpu)}, also ${same.slot.path}`);
  }
  if (subscribers && unknownSlot && unknownImpi !== undefined) {
    const same = subscribers.reads.find((r) => r.impi === unknownImpi);
    if (same?.impiSlot) ck.report(unknownSlot.line, unknownSlot.path, `expected an identity no subscriber has; found ${JSON.stringify(unknownImpi)}, also ${same.impiSlot.path}`);
  }
  if (domain === undefined || localHost === undefined || !pcscf || (uriSlot && pcscfUri === undefined) || !transports || !timers) return undefined;
  if (unregisteredImpu === undefined || unknownImpi === undefined || !subscribers?.valid) return undefined;
  const ixit = { domain, pcscf, transports, localHost, timers, subscribers: subscribers.valid, unregisteredImpu, unknownImpi };
  return pcscfUri === undefined ? ixit : { ...ixit, pcscfUri };
}

function readHost(ck: Checker, slot: Slot, expected: string): string | undefined {
  const host = readString(ck, slot, expected);
  if (host === undefined) return undefined;
  return isIP(unbracketHost(host)) !== 0 || HOST_NAME.test(host) ? host : reject(ck, slot, expected);
}

function readAddress(ck: Checker, slot: Slot, portZeroAllowed: boolean): SipAddress | undefined {
  const view = readMap(ck, slot, "a mapping { host, port }", { fields: ["host", "port"] });
  if (!view) return undefined;
  const hostSlot = view.required("host", "an IP address or host name");
  const host = hostSlot && readHost(ck, hostSlot, "an IP address or host name");
  const portSlot = view.required("port", "a port number");
  const port = portSlot && readInteger(ck, portSlot, `a port number from ${portZeroAllowed ? 0 : 1} to 65535`, portZeroAllowed ? 0 : 1, 65535);
  return host === undefined || port === undefined ? undefined : { host, port };
}

function readTransports(ck: Checker, slot: Slot): TransportProtocol[] | undefined {
  const seen = new Set<string>();
  return readList(
    ck,
    slot,
    `a non-empty list of transports (${TRANSPORT_PROTOCOLS.join(", ")})`,
    PROFILE_LIMITS.transports,
    (item) => {
      const t = readEnum(ck, item, TRANSPORT_PROTOCOLS);
      if (t === undefined) return undefined;
      if (seen.has(t)) return reject(ck, item, "each transport once");
      seen.add(t);
      return t;
    },
    true,
  );
}

function readTimers(ck: Checker, slot: Slot | undefined): Ixit["timers"] | undefined {
  if (!slot) return DEFAULT_TIMERS;
  const view = readMap(ck, slot, "a mapping { t1, t2, t4 } of milliseconds", { fields: ["t1", "t2", "t4"] });
  if (!view) return undefined;
  const timer = (name: "t1" | "t2" | "t4"): number | undefined => {
    const s = view.optional(name);
    return s ? readInteger(ck, s, "a positive integer of milliseconds", 1, MAX_TIMER_MS) : DEFAULT_TIMERS[name];
  };
  const t1 = timer("t1");
  const t2 = timer("t2");
  const t4 = timer("t4");
  if (t1 === undefined || t2 === undefined || t4 === undefined) return undefined;
  if (t1 > t2) {
    // RFC 3261 17.1.2.2: retransmission intervals double from T1 and are capped at T2
    const clause = "(RFC 3261 17.1.2.2: intervals grow from T1 up to T2)";
    const t1Slot = view.optional("t1");
    const t2Slot = view.optional("t2") as Slot;
    if (t1Slot) ck.report(t1Slot.line, t1Slot.path, `expected at most t2 (${t2}); found ${t1} ${clause}`);
    else ck.report(t2Slot.line, t2Slot.path, `expected at least t1 (${t1}); found ${t2} ${clause}`);
    return undefined;
  }
  return { t1, t2, t4 };
}

/**
 * Reads every subscriber, then checks the roles (UE-A and UE-B present) and IMPUs (unique). A role
 * listed more than once is a pool: each parallel worker takes its own subscriber of it (pools.ts).
 */
function readSubscribers(ck: Checker, slot: Slot, secrets: SecretSource | undefined): { reads: SubscriberRead[]; valid?: Subscriber[] } | undefined {
  const reads: SubscriberRead[] = [];
  const list = readList(ck, slot, "a non-empty list of subscribers", PROFILE_LIMITS.subscribers, (item) => {
    const read = readSubscriber(ck, item, secrets);
    reads.push(read);
    return read.subscriber;
  }, true);
  if (reads.length === 0) return undefined;
  const roles = new Map<string, Slot>();
  for (const r of reads) {
    if (r.role === undefined || !r.roleSlot) continue;
    if (!roles.has(r.role)) roles.set(r.role, r.roleSlot);
  }
  const missing = REQUIRED_ROLES.filter((role) => !roles.has(role));
  if (missing.length > 0 && reads.every((r) => r.role !== undefined)) {
    ck.report(slot.keyLine ?? slot.line, slot.path, `expected subscribers with the roles ${REQUIRED_ROLES.join(" and ")}; found no ${missing.join(" and no ")} (roles: ${[...roles.keys()].join(", ")})`);
  }
  const impus = new Map<string, Slot>();
  for (const i of reads.flatMap((r) => r.impus)) {
    const first = impus.get(i.value);
    if (first) ck.report(i.slot.line, i.slot.path, `expected each public identity once; found ${JSON.stringify(i.value)} again (first at ${first.path})`);
    else impus.set(i.value, i.slot);
  }
  const ok = list !== undefined && missing.length === 0 && reads.every((r) => r.role !== undefined) && impus.size === reads.flatMap((r) => r.impus).length;
  return ok ? { reads, valid: list } : { reads };
}

function noPics(): Pics {
  return Object.fromEntries(PICS_NAMES.map((n) => [n, false])) as Record<PicsName, boolean>;
}

/** PICS: every capability absent from the profile is not claimed (false). */
function readPics(ck: Checker, slot: Slot): Pics | undefined {
  const view = readMap(ck, slot, "a mapping of capability names to true or false", {
    fields: PICS_NAMES,
    unknown: () => `unknown capability; expected one of ${PICS_NAMES.join(", ")}`,
  });
  if (!view) return undefined;
  const pics = noPics() as Record<PicsName, boolean>;
  let ok = true;
  for (const [name, s] of view.entries) {
    const claimed = readBoolean(ck, s);
    if (claimed === undefined) ok = false;
    else pics[name as PicsName] = claimed;
  }
  return ok ? pics : undefined;
}

/** knownDeviations: test case id -> why this SUT is expected to differ (shown in reports). */
function readDeviations(ck: Checker, slot: Slot): Record<string, string> | undefined {
  const view: MapView | undefined = readMap(ck, slot, "a mapping of test case ids to reasons", { fields: null, maxEntries: PROFILE_LIMITS.knownDeviations });
  if (!view) return undefined;
  const out: Record<string, string> = {};
  let ok = true;
  for (const [id, s] of view.entries) {
    if (!TEST_CASE_ID.test(id)) {
      ck.report(s.line, s.path, `expected a test case id such as IMS-REG-001 as the key; found ${JSON.stringify(id)}`);
      ok = false;
      continue;
    }
    const reason = readString(ck, s, "the reason, as text shown in reports", { max: PROFILE_LIMITS.reasonChars });
    if (reason === undefined) ok = false;
    else out[id] = reason;
  }
  return ok ? out : undefined;
}

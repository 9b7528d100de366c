// A profile: one YAML file per SUT endpoint (design: IXIT + PICS). This module is the validated,
// resolved form every other layer reads; src/profile/load-profile.ts turns YAML into it.
import type { TransportProtocol } from "../sip/transport/address.ts";

/** PICS: the optional capabilities a SUT claims (TTCN-3 sense). */
export const PICS_NAMES = [
  "aka",
  "digest",
  "tcp",
  "preconditions",
  "100rel",
  "reg-event",
  "tel-uri",
  "sms-over-ip",
  "sec-agree",
  "websocket",
  "session-timer",
  "ipsec",
  "early-media",
  "p-early-media",
  "p-preferred-identity",
  "webrtc-gateway",
] as const;
export type PicsName = (typeof PICS_NAMES)[number];
export type Pics = Readonly<Record<PicsName, boolean>>;

/** Faults the embedded reference core can be told to commit (src/reference-core/faults.ts). */
export const FAULT_NAMES = [
  "no-service-route",
  "wrong-p-associated-uri",
  "drop-first-notify",
  "no-100rel",
  "cseq-mismatch-in-response",
  "silent-after-401",
  "stale-nonce-loop",
  "500-on-invite",
  "strip-record-route",
  "garbage-to-message",
  "wrong-call-id-in-register-200",
  "superstring-p-asserted-identity",
  "keep-bindings-on-deregister",
  "reginfo-version-stuck",
  "no-to-tag-on-cancel-200",
  "strip-session-expires",
  "one-way-audio",
  "strip-telephone-event",
  "wrong-hold-direction",
  "strip-p-early-media",
  "ignore-ws-flow",
  "drop-pai-at-boundary",
  "lose-record-route-across",
  "reject-foreign-domain",
  "hang-on-torture",
  "accept-invalid-torture",
  "sms-200-instead-of-202",
  "sms-rp-error",
  "sms-corrupt-tpdu",
  "large-message-over-udp",
  "no-security-server",
] as const;
export type FaultName = (typeof FAULT_NAMES)[number];

/**
 * Faults the self-test UE under test (the driver's own ImsUe behind the upper tester, a terminal
 * profile's embedded target) commits on purpose, each breaking a requirement of TS 24.229 5.1.
 */
export const UE_FAULT_NAMES = ["ignore-service-route", "no-initial-authorization", "no-refresh", "use-deregistered-registration", "no-ack-handling", "unreliable-provisional"] as const;
export type UeFaultName = (typeof UE_FAULT_NAMES)[number];

/** What the upper tester can make a UE under test do (ETSI: the MMI or AT commands of the test system). */
export const UPPER_TESTER_ACTIONS = ["register", "deregister", "call", "answer", "hangup", "message"] as const;
export type UpperTesterAction = (typeof UPPER_TESTER_ACTIONS)[number];
/** How the upper tester reaches the UE: lines to its stdin, a TCP control channel, a shell command per action, an HTTP request, or the operator (manual, MMI). */
export const UPPER_TESTER_KINDS = ["stdin", "tcp", "shell", "http", "manual"] as const;
export type UpperTesterKind = (typeof UPPER_TESTER_KINDS)[number];
/** An action the UE does by itself (it registers when switched on; it answers calls automatically). */
export const AUTOMATIC_ACTION = "auto";

export interface UpperTesterConfig {
  readonly kind: UpperTesterKind;
  /** tcp: the control channel's address; framing of each command (a line, or a netstring as baresip's ctrl_tcp reads). */
  readonly host?: string;
  readonly port?: number;
  readonly framing?: "line" | "netstring";
  /** http: the URL each action's text is POSTed to. */
  readonly url?: string;
  /** manual: how long the operator has for each instruction, in ms. */
  readonly operatorTimeoutMs: number;
  /**
   * The command (or instruction) per action, with placeholders ${target} (a SIP URI) and ${text};
   * "auto" where the UE acts by itself. An action not listed makes the test cases that need it not applicable.
   */
  readonly actions: Readonly<Partial<Record<UpperTesterAction, string>>>;
}

/** A terminal profile: the SUT is a UE, the harness plays the network (TS 34.229's system simulator). */
export interface TerminalConfig {
  /** Where the UE under test listens for SIP (its readiness probe and the port that must be free before it starts). */
  readonly address?: SipAddress;
  /** How the harness makes the UE act; absent only for the embedded self-test UE, which the harness drives directly. */
  readonly upperTester?: UpperTesterConfig;
}

export interface SipAddress {
  readonly host: string;
  readonly port: number;
}

/** Secrets are resolved from the environment variables the YAML names; the names stay for messages. */
export type SubscriberAuth =
  | { readonly kind: "digest"; readonly password: string; readonly passwordEnv: string; readonly algorithm: "MD5" | "SHA-256" }
  | { readonly kind: "aka"; readonly k: Buffer; readonly kEnv: string; readonly opc: Buffer; readonly opcEnv: string; readonly amf: Buffer; readonly sqn: bigint; readonly version: 1 | 2 };

export interface Subscriber {
  /** The role the scenarios use: "UE-A", "UE-B", "UE-C". */
  readonly role: string;
  readonly impi: string;
  /** Public identities; the first is the default IMPU (a SIP URI), a tel: alias may follow. */
  readonly impus: readonly string[];
  readonly displayName?: string;
  readonly auth: SubscriberAuth;
}

export type TargetConfig =
  | { readonly kind: "embedded"; readonly faults: readonly FaultName[]; readonly ueFaults: readonly UeFaultName[] }
  | { readonly kind: "remote" }
  | { readonly kind: "process"; readonly command: string; readonly args: readonly string[]; readonly cwd?: string; readonly env: Readonly<Record<string, string>>; readonly startTimeoutMs: number }
  | { readonly kind: "container"; readonly image?: string; readonly build?: string; readonly env: Readonly<Record<string, string>>; readonly startTimeoutMs: number };

export interface Ixit {
  /** Home network domain: REGISTER Request-URI and realm. */
  readonly domain: string;
  /** Where the simulated UEs send every request. For the embedded target, the core's own address. */
  readonly pcscf: SipAddress;
  /** The P-CSCF URI the UEs put first in their preloaded Route (TS 24.229 5.1.2A.1.1). */
  readonly pcscfUri?: string;
  /**
   * The SUT's WebSocket listeners (RFC 7118) for a process, container or remote target; the
   * embedded core fills in its own. `certificate`: the WSS listener's certificate file (PEM), whose
   * public key the browser's relay pins (a process target's path on this host, a container's inside it).
   */
  readonly websocket?: { readonly ws?: SipAddress; readonly wss?: SipAddress; readonly certificate?: string };
  /**
   * Issue 15 (TS 24.228 7.2): where other networks of an interop run send requests for this
   * network's users (its I-CSCF or IBCF), over UDP; the embedded core uses its own address.
   */
  readonly interconnect?: { readonly address?: SipAddress };
  /** Issue 16 (TS 24.341 5.3.1.2): the public service identity of the SC, the Request-URI of a MESSAGE carrying a short message (IMS-MSG-002). */
  readonly sms?: { readonly smsc: string };
  readonly transports: readonly TransportProtocol[];
  /** The address the simulated UEs bind to (127.0.0.1 unless the SUT must reach another). */
  readonly localHost: string;
  readonly timers: { readonly t1: number; readonly t2: number; readonly t4: number };
  readonly subscribers: readonly Subscriber[];
  /** A public identity that is not registered and not provisioned (IMS-CALL-007, IMS-MSG-003). */
  readonly unregisteredImpu: string;
  /** An identity the SUT does not know at all (IMS-REG-004). */
  readonly unknownImpi: string;
  /**
   * RFC 4028 session timers (IMS-CALL-015): the session interval the caller asks for, in seconds
   * (Session-Expires and Min-SE). 90 by default, RFC 4028's floor; the embedded profiles set less, a
   * deliberate deviation that only the embedded reference core accepts.
   */
  readonly sessionTimer: { readonly expires: number };
  /** Media test cases (IMS-CALL-013): the RTP loss in percent each stream may show (1 by default, the catalog's "loss under 1%"). */
  readonly media: { readonly maxLossPercent: number };
}

export interface Profile {
  /** The file it was loaded from, for messages and reports. */
  readonly file: string;
  readonly name: string;
  readonly vendor: string;
  readonly product: string;
  readonly productVersion: string;
  readonly target: TargetConfig;
  readonly ixit: Ixit;
  readonly pics: Pics;
  /** Present when the SUT is a terminal: the harness plays the network, the role UE-SUT is the UE under test. */
  readonly terminal?: TerminalConfig;
  /** Issue 17: how a load run (ims-interop load) goes against this SUT, and what it must achieve. */
  readonly load?: LoadSection;
  /** Comments a profile gives for expected verdicts that differ from the reference: test case id -> reason. */
  readonly knownDeviations: Readonly<Record<string, string>>;
}

/**
 * A load pool subscriber's credentials: as a subscriber's auth, by environment variable name, each
 * name possibly holding {n} (one credential per pool subscriber) or not (one shared by all). The
 * variables are read when a load run builds its pool (src/load/pool.ts poolFor), not when the
 * profile is loaded: a conformance run of the same profile needs none of them.
 */
export type LoadPoolAuth =
  | { readonly kind: "digest"; readonly passwordEnv: string; readonly algorithm: "MD5" | "SHA-256" }
  | { readonly kind: "aka"; readonly kEnv: string; readonly opcEnv: string; readonly amf: Buffer; readonly sqn: bigint; readonly version: 1 | 2 };

/** A role of the load pool: its identities as patterns, {n} standing for the pool subscriber's number. */
export interface LoadPoolSubscriber {
  readonly role: string;
  /** e.g. "load{n}a@ims.example.test". */
  readonly impi: string;
  /** e.g. ["sip:load{n}a@ims.example.test"]; the first a SIP URI. */
  readonly impus: readonly string[];
  /** May hold {n}. */
  readonly displayName?: string;
  readonly auth: LoadPoolAuth;
}

/** A load pool from patterns, for a SUT provisioned with those identities: slot s uses n = first + s. */
export interface LoadPool {
  /** The number of slot 0 (1 by default). */
  readonly first: number;
  /** One per role, each role once. */
  readonly subscribers: readonly LoadPoolSubscriber[];
}

/** The load section of a profile (issue 17): every field optional; the command line may override them. */
export interface LoadSection {
  /** UEs in the pool in all (every role's). */
  readonly ues?: number;
  /** Flows started per second. */
  readonly rate?: number;
  readonly durationMs?: number;
  /** At most this many flows. */
  readonly flows?: number;
  readonly pool?: LoadPool;
  /** As written, each parsing with parseThreshold (src/profile/thresholds.ts); judged after the run. Empty when none. */
  readonly thresholds: readonly string[];
}

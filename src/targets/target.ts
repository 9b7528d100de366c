// SUT lifecycle (design: "Target"): configured -> started -> stopped. stop() is idempotent;
// readiness is a SIP OPTIONS answer, never a log line.
import type { SipAddress } from "../profile/profile.ts";

export interface StartedTarget {
  /** For progress lines and reports: "embedded reference core at UDP/TCP 127.0.0.1:40123". */
  readonly description: string;
  /** Where the simulated UEs send every request. */
  readonly pcscf: SipAddress;
  /** First entry of the UEs' preloaded Route, when the SUT wants one. */
  readonly pcscfUri?: string;
  /** Where WebRTC clients reach the SUT over SIP over WebSocket (RFC 7118), when it offers it. */
  readonly websocket?: WebSocketAccess;
  /**
   * What the SUT logged (process and container targets: what they printed; the embedded core: its
   * log), one line each, every line stamped with the time it reached the harness
   * ("2026-06-12T21:44:59.123Z text"); with `since` (ms since the epoch) only the lines that arrived
   * at or after it: the slice of one test case, attached to it when it failed.
   */
  logs(since?: number): string;
  /** Why and since when (ms since the epoch) the SUT is gone (its process or container exited); undefined while it runs. */
  down?(): SutDown | undefined;
  /** Network-side triggers the SUT offers the harness (only the embedded reference core does today). */
  readonly network?: NetworkTriggers;
  /**
   * An interop run (issue 15): tells the SUT the other networks (their domains and interconnect
   * addresses) once all have started; only the embedded core takes them at run time (process and
   * container SUTs get them in IMS_PEERS at start, remote ones are set up by hand).
   */
  setPeers?(peers: readonly PeerNetwork[]): void;
  stop(): Promise<void>;
}

/** Another network of an interop run: its home domain and where it takes requests for its users (UDP). */
export interface PeerNetwork {
  readonly domain: string;
  readonly host: string;
  readonly port: number;
}

/** What a test case can make the network do (TS 24.228 6.7, 6.8). */
export interface NetworkTriggers {
  /** A network-initiated de-registration of the public identity's registration (TS 24.229 5.4.1.5). */
  deregister(impu: string, event: "deactivated" | "rejected"): Promise<void>;
  /** The next re-registration of the public identity is challenged (TS 24.229 5.4.1.6). */
  requireReauthentication(impu: string): Promise<void>;
}

/** The SUT's WebSocket listeners, and how a browser trusts the WSS one. */
export interface WebSocketAccess {
  readonly ws?: SipAddress;
  readonly wss?: SipAddress;
  /** Base64 SHA-256 of the WSS certificate's SubjectPublicKeyInfo, for Chromium's --ignore-certificate-errors-spki-list (a per-run self-signed certificate). */
  readonly spkiSha256?: string;
}

export interface SutDown {
  readonly reason: string;
  readonly at: number;
}

export interface Target {
  readonly kind: string;
  start(): Promise<StartedTarget>;
}

/** The SUT could not be started or reached: every applicable test case gets the error verdict with this message. */
export class TargetUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "TargetUnavailableError";
  }
}

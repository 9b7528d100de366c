// What the runner passes to every Cucumber worker (JSON in worldParameters). The runner starts the
// SUT (every target kind, the embedded reference core included) and probes it; workers only send to it.
import type { SipAddress } from "../profile/profile.ts";
import type { WebSocketAccess } from "../targets/target.ts";

/** A SUT the runner started or found, as a worker reaches it. */
export interface SutParameters {
  readonly pcscf: SipAddress;
  readonly pcscfUri?: string;
  /** Where WebRTC clients reach the SUT over WebSocket (RFC 7118) and the WSS certificate's SPKI hash, when the SUT offers it. */
  readonly websocket?: WebSocketAccess;
  readonly description: string;
  /** The runner's test-bed service for this SUT (its log, network-side triggers): src/runner/test-bed-service.ts. */
  readonly testBed: { readonly url: string; readonly token: string; readonly network: boolean };
}

/** An interop run's pair (issue 15): UE-A's network is the run's profile and SUT, UE-B's this one. */
export interface InteropParameters {
  /** The originating network's name (the profile of `profileFile`). */
  readonly originating: string;
  /** The terminating network: its name, its profile (handed over under `runId`), its SUT. */
  readonly terminating: { readonly name: string; readonly profileFile: string; readonly runId: string; readonly sut: SutParameters };
}

export interface SuiteParameters {
  readonly profileFile: string;
  /** The run, for handing the loaded profile to an in-process worker (one load per run). */
  readonly runId: string;
  /** Worker i uses suts[i], or suts[0] when all share one SUT (an embedded core runs once per worker). */
  readonly suts: readonly SutParameters[];
  /** A file the runner writes when the SUT goes down during the run; scenarios after that end at once with the error verdict. */
  readonly sutDownFile?: string;
  /** A file the runner writes when the run is interrupted (SIGINT, SIGTERM, SIGHUP): the running step ends, no other test case starts. */
  readonly interruptFile?: string;
  /** Set in an interop run: the pair this Cucumber run tests. */
  readonly interop?: InteropParameters;
  /** A load run (issue 17): flows judged as in conformance, but no evidence rendered for them. */
  readonly load?: true;
}

/** The SUT a worker uses. */
export function sutOfWorker(p: SuiteParameters, worker: number): SutParameters {
  const s = p.suts[worker] ?? p.suts[0];
  if (!s) throw new Error("the runner passed no SUT to the workers");
  return s;
}

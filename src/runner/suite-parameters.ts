// What the runner passes to every Cucumber worker (JSON in worldParameters).
import type { FaultName, SipAddress } from "../profile/profile.ts";

export type SutParameters =
  /** Each worker starts its own embedded reference core from the profile. */
  | { readonly kind: "embedded" }
  /** The runner started or found the SUT; workers only send to it. */
  | { readonly kind: "address"; readonly pcscf: SipAddress; readonly pcscfUri?: string; readonly description: string };

export interface SuiteParameters {
  readonly profileFile: string;
  readonly faults: readonly FaultName[];
  readonly sut: SutParameters;
  /** A file the runner writes when the SUT goes down during the run; scenarios after that end at once with the error verdict. */
  readonly sutDownFile?: string;
}

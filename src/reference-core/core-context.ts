// What the parts of the reference core (registrar, reg event notifier, proxy) share: the SIP
// endpoint on the core's sockets, its addressing, the HSS, the registrations, the faults in force
// and the log.
import type { Clock } from "../sip/clock.ts";
import type { SipEndpoint } from "../sip/endpoint/index.ts";
import type { CoreAddressing } from "./addressing.ts";
import type { BindingStore } from "./bindings.ts";
import type { FaultSet } from "./faults.ts";
import type { Hss } from "./hss.ts";
import type { Interconnect } from "./interconnect.ts";
import type { SecAgreeServer } from "./sec-agree.ts";
import type { CoreSessionTimers } from "./session-timer.ts";

export interface CoreContext {
  readonly endpoint: SipEndpoint;
  readonly addressing: CoreAddressing;
  readonly hss: Hss;
  readonly bindings: BindingStore;
  readonly faults: FaultSet;
  readonly clock: Clock;
  /** RFC 4028 8: the session timers of the calls whose caller asked for one. */
  readonly sessionTimers: CoreSessionTimers;
  /** The other networks of an interop run: their domains and interconnect addresses (TS 24.228 7.2). */
  readonly interconnect: Interconnect;
  /** RFC 3329 / TS 33.203 7: the P-CSCF's security agreement, when the core supports sec-agree (PICS sec-agree). */
  readonly secAgree?: SecAgreeServer;
  /** One line per notable event; never a secret. */
  log(line: string): void;
}

// The embedded reference IMS core (P-CSCF + S-CSCF + HSS in one SIP element) and its faults.
export { ReferenceCore, type ReferenceCoreOptions, type WebSocketAddresses, type WebSocketOptions } from "./reference-core.ts";
export { FAULT_EFFECTS, FaultSet, isFaultName } from "./faults.ts";
export type { InterconnectPeer } from "./interconnect.ts";

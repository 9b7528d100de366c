// The UE's side of the security mechanism agreement (RFC 3329 2.3.1 client initiated; TS 24.229
// 5.1.1.2.1 and 5.1.1.5.1; TS 33.203 7.1, 7.2): the REGISTER offers ipsec-3gpp in Security-Client
// with Require and Proxy-Require: sec-agree, the 401 brings the P-CSCF's Security-Server, and every
// later REGISTER returns it unchanged in Security-Verify with the same Security-Client.
//
// DELIBERATE DEVIATION from TS 33.203 7.4 (protected ports): the harness sets up no IPsec ESP (no
// XFRM, no privileges), so the REGISTER after the 401 is not sent from port-c to the P-CSCF's
// port-s over the new SAs but to the P-CSCF's ordinary address, as the first one was. The SA
// parameters the two sides agreed (SPIs, ports, alg, ealg) and the fingerprints of the keys they
// would use are kept in the registration outcome for the report.
import { randomInt } from "node:crypto";
import {
  ENCRYPTION_ALGORITHMS,
  type EncryptionAlgorithm,
  INTEGRITY_ALGORITHMS,
  type IntegrityAlgorithm,
  type Ipsec3gppParameters,
  formatIpsec3gpp,
  isIpsecError,
  parseSecurityMechanisms,
  readIpsec3gpp,
} from "../auth/index.ts";
import type { SipResponse } from "../message/index.ts";

export interface SecAgreeOptions {
  /** Integrity algorithms offered, most preferred first (default hmac-sha-1-96, hmac-md5-96). */
  readonly algs?: readonly IntegrityAlgorithm[];
  /** Encryption algorithms offered, most preferred first (default aes-cbc, null). */
  readonly ealgs?: readonly EncryptionAlgorithm[];
}

/** What each side announced for the SAs (TS 33.203 7.1): its SPIs and protected ports. */
export interface SaEndpoint {
  readonly spiC: number;
  readonly spiS: number;
  readonly portC: number;
  readonly portS: number;
}

/** The security associations the agreement set up (on paper: see the deviation above). */
export interface SecurityAssociations {
  readonly mechanism: "ipsec-3gpp";
  readonly alg: IntegrityAlgorithm;
  readonly ealg: EncryptionAlgorithm;
  readonly ue: SaEndpoint;
  readonly pcscf: SaEndpoint;
  /** The Security-Server the UE mirrored in Security-Verify, as received. */
  readonly securityServer: readonly string[];
  /** Fingerprints (4 octets of the SHA-256, length) of IK_ESP and CK_ESP (TS 33.203 Annex I); never the keys. */
  readonly keys?: { readonly integrity: string; readonly encryption: string };
}

/** RFC 4303 2.1: SPIs 1..255 are reserved; 0 is never used. */
function newSpi(): number {
  return randomInt(256, 0xffffffff);
}

export class SecAgreeClient {
  readonly offer: SaEndpoint;
  readonly algs: readonly IntegrityAlgorithm[];
  readonly ealgs: readonly EncryptionAlgorithm[];
  /** The Security-Client value, the same in every REGISTER of this registration. */
  readonly securityClient: string;
  /** The Security-Server lines of the last challenge, undefined before one (or after de-registration). */
  private server: readonly string[] | undefined;

  constructor(localPort: number, options: SecAgreeOptions = {}) {
    this.algs = options.algs ?? INTEGRITY_ALGORITHMS;
    this.ealgs = options.ealgs ?? ENCRYPTION_ALGORITHMS;
    // port-s: the UE's own SIP port; port-c: another one (nominal: no ESP, see the deviation above)
    const portC = localPort >= 65535 ? localPort - 1 : localPort + 1;
    this.offer = { spiC: newSpi(), spiS: newSpi(), portC, portS: localPort };
    // TS 33.203 7.1, TS 24.229 7.2A.7: one ipsec-3gpp mechanism per alg/ealg pair, same SPIs and ports
    this.securityClient = this.algs.flatMap((alg) => this.ealgs.map((ealg) => formatIpsec3gpp({ alg, ealg, ...this.offer }, { prot: "esp", mod: "trans" }))).join(", ");
  }

  /** TS 24.229 5.1.1.2.1, 5.1.1.5.1, RFC 3329 2.3.1: the header fields of every REGISTER. */
  headers(): [string, string][] {
    const h: [string, string][] = [
      ["Security-Client", this.securityClient],
      ["Require", "sec-agree"],
      ["Proxy-Require", "sec-agree"],
    ];
    for (const line of this.server ?? []) h.push(["Security-Verify", line]);
    return h;
  }

  /** A 401 (or 407) to REGISTER: its Security-Server is what the next REGISTER verifies. */
  challenged(response: SipResponse): void {
    const lines = response.headerValues("security-server");
    this.server = lines.length > 0 ? lines : undefined;
  }

  get securityServer(): readonly string[] | undefined {
    return this.server;
  }

  /** The SAs are deleted with the registration (TS 24.229 5.1.1.6): the next REGISTER starts afresh. */
  reset(): void {
    this.server = undefined;
  }

  /**
   * RFC 3329 2.3.1: the mechanism the client uses: the P-CSCF's first ipsec-3gpp mechanism whose
   * alg and ealg the UE offered; undefined without a usable Security-Server.
   */
  agreed(keys?: (alg: IntegrityAlgorithm, ealg: EncryptionAlgorithm) => SecurityAssociations["keys"]): SecurityAssociations | undefined {
    if (!this.server) return undefined;
    for (const m of parseSecurityMechanisms(this.server)) {
      const p = readIpsec3gpp(m);
      if (isIpsecError(p) || !this.supports(p)) continue;
      const alg = p.alg as IntegrityAlgorithm;
      const ealg = p.ealg as EncryptionAlgorithm;
      const k = keys?.(alg, ealg);
      const pcscf = { spiC: p.spiC, spiS: p.spiS, portC: p.portC, portS: p.portS };
      return { mechanism: "ipsec-3gpp", alg, ealg, ue: this.offer, pcscf, securityServer: [...this.server], ...(k ? { keys: k } : {}) };
    }
    return undefined;
  }

  private supports(p: Ipsec3gppParameters): boolean {
    return (this.algs as readonly string[]).includes(p.alg) && (this.ealgs as readonly string[]).includes(p.ealg);
  }
}

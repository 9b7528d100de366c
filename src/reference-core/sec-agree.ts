// The P-CSCF's side of the security mechanism agreement (RFC 3329 2.3.1; TS 24.229 5.2.2 with IMS
// AKA; TS 33.203 7.1, 7.2), for a core whose profile claims PICS sec-agree: the 401 to a REGISTER
// that offers ipsec-3gpp in Security-Client carries Security-Server with the P-CSCF's SPIs and
// ports and the alg and ealg it chose from the client's list; a later REGISTER of the same
// registration (Call-ID) must return it unchanged in Security-Verify, or it gets 494.
//
// DELIBERATE DEVIATION from TS 33.203 7.4: no IPsec ESP is set up (no XFRM), so the protected
// REGISTER arrives on the core's ordinary port, which is also the port-s it announces.
import { randomInt } from "node:crypto";
import type { Received } from "../sip/endpoint/index.ts";
import { type SecurityMechanism, formatIpsec3gpp, isEncryptionAlgorithm, isIntegrityAlgorithm, isIpsecError, parseSecurityMechanisms, readIpsec3gpp, sameMechanisms } from "../sip/auth/index.ts";
import { newTag } from "../sip/identifiers.ts";
import { type SipRequest, createResponse } from "../sip/message/index.ts";
import type { FaultSet } from "./faults.ts";

/** RFC 3329 2.2: the option tag of Require and Proxy-Require. */
export const SEC_AGREE_TAG = "sec-agree";

/** How many registrations' Security-Server the core remembers (oldest forgotten first). */
const MAX_REMEMBERED = 10000;

/** RFC 4303 2.1: SPIs 1..255 are reserved. */
function newSpi(): number {
  return randomInt(256, 0xffffffff);
}

export class SecAgreeServer {
  /** The Security-Server sent in the last 401 of each registration, by Call-ID (TS 24.229 5.1.1.4.1: re-registrations keep it). */
  private readonly sent = new Map<string, string>();

  constructor(
    private readonly faults: FaultSet,
    private readonly log: (line: string) => void,
    /** The core's SIP port: its port-s (see the deviation above). */
    private readonly port: number,
  ) {}

  /** RFC 3261 8.2.2.3 and 16.3 item 4: the option tags this adds to those the core supports. */
  supports(tag: string): boolean {
    return tag.toLowerCase() === SEC_AGREE_TAG;
  }

  /**
   * TS 24.229 5.2.2 / TS 33.203 7.2: the header fields the 401 to this REGISTER gets: a
   * Security-Server with the first ipsec-3gpp mechanism of the client's list whose alg and ealg the
   * core supports, with fresh SPIs. None without such a mechanism, or under the fault
   * no-security-server.
   */
  challengeHeaders(req: SipRequest, what: string): Record<string, string> {
    const offered = parseSecurityMechanisms(req.headerValues("security-client"));
    if (offered.length === 0) return {};
    const chosen = offered.map(readIpsec3gpp).find((p) => !isIpsecError(p) && isIntegrityAlgorithm(p.alg) && isEncryptionAlgorithm(p.ealg));
    if (!chosen || isIpsecError(chosen)) {
      this.log(`${what}: Security-Client offers no ipsec-3gpp mechanism the core supports (${offered.map((m) => m.text).join(", ")}); 401 without Security-Server`);
      return {};
    }
    if (this.faults.has("no-security-server")) {
      this.log(`fault no-security-server: 401 to ${what} sent without Security-Server (the client offered ${chosen.alg}/${chosen.ealg})`);
      return {};
    }
    const portC = this.port >= 65535 ? this.port - 1 : this.port + 1;
    const server = formatIpsec3gpp({ alg: chosen.alg, ealg: chosen.ealg, spiC: newSpi(), spiS: newSpi(), portC, portS: this.port }, { q: "0.1", prot: "esp", mod: "trans" });
    this.remember(req.callId, server);
    this.log(`${what}: Security-Server ${server}`);
    return { "Security-Server": server };
  }

  /**
   * RFC 3329 2.3.1: the Security-Verify of a REGISTER must list what the core sent in Security-Server
   * on this registration, unchanged; a request that answers that challenge must carry it. Answers 494
   * (with the Security-Server again) and returns true when it does not; false when the REGISTER may go on.
   */
  rejects(rec: Received, req: SipRequest, what: string): boolean {
    const verify = parseSecurityMechanisms(req.headerValues("security-verify"));
    const sent = this.sent.get(req.callId);
    const answersChallenge = /\bnonce\s*=\s*"[^"]/i.test(req.header("authorization") ?? "") && req.hasHeader("security-client");
    let why: string | undefined;
    if (verify.length > 0 && sent === undefined) why = `Security-Verify ${describe(verify)}, but the core sent no Security-Server on Call-ID ${req.callId}`;
    else if (verify.length > 0 && sent !== undefined && !sameMechanisms(verify, parseSecurityMechanisms([sent])))
      why = `Security-Verify ${describe(verify)} differs from the Security-Server sent: ${sent}`;
    else if (verify.length === 0 && sent !== undefined && answersChallenge) why = `no Security-Verify, though the challenge carried Security-Server ${sent}`;
    if (why === undefined) return false;
    // RFC 3329 2.3.1: the 494 lists the server's mechanisms again
    const r = createResponse(req, 494, { toTag: newTag() });
    if (sent !== undefined) r.addHeader("Security-Server", sent);
    rec.transaction?.respond(r);
    this.log(`${what}: 494 (${why}; RFC 3329 2.3.1)`);
    return true;
  }

  private remember(callId: string, server: string): void {
    this.sent.delete(callId);
    this.sent.set(callId, server);
    if (this.sent.size > MAX_REMEMBERED) {
      const oldest = this.sent.keys().next().value;
      if (oldest !== undefined) this.sent.delete(oldest);
    }
  }
}

function describe(ms: readonly SecurityMechanism[]): string {
  return ms.map((m) => m.text).join(", ");
}

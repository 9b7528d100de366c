// A pre-flight OPTIONS (RFC 3261 11) to the SUT before any test case: an SUT that is down is found
// once, within seconds, not by one 64*T1 timeout per test case.
import { Deadline } from "../sip/deadline.ts";
import { SipEndpoint, optionsProbe } from "../sip/endpoint/index.ts";
import type { TransportProtocol } from "../sip/transport/address.ts";
import type { SipAddress } from "../profile/profile.ts";

export interface PreflightResult {
  readonly ok: boolean;
  /** "200 OK from UDP 127.0.0.1:5060 in 3 ms", or what went wrong with the address tried. */
  readonly detail: string;
}

/** Any response, even 404 or 405, proves a SIP element listens there. */
export async function preflightOptions(address: SipAddress, protocol: TransportProtocol, domain: string, waitMs = 3000, localHost = "127.0.0.1"): Promise<PreflightResult> {
  const where = `${protocol.toUpperCase()} ${address.host}:${address.port}`;
  let endpoint: SipEndpoint | undefined;
  try {
    // T1 small enough that UDP retransmissions fit in the wait
    endpoint = await SipEndpoint.start({ listen: [{ protocol, host: localHost }], timers: { t1: Math.max(50, Math.floor(waitMs / 16)) } });
    const r = optionsProbe(domain);
    const started = performance.now();
    const response = await endpoint.request(r, { protocol, host: address.host, port: address.port }, { deadline: Deadline.after(waitMs, `pre-flight OPTIONS, ${waitMs} ms`) });
    return { ok: true, detail: `${response.status} ${response.reason} from ${where} in ${Math.round(performance.now() - started)} ms` };
  } catch (e) {
    const why = e instanceof Error ? (e.message.split("\n").find((l) => l.startsWith("Received:") || l.startsWith("Timeout:")) ?? e.message) : String(e);
    return { ok: false, detail: `no answer to OPTIONS from ${where} within ${waitMs} ms (${why.replace(/\s+/g, " ").trim()})` };
  } finally {
    await endpoint?.close();
  }
}

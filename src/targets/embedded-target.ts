// The embedded reference core as the SUT, in this process.
import type { FaultName, Profile } from "../profile/profile.ts";
import { ReferenceCore } from "../reference-core/index.ts";
import { MIN_SE_FLOOR } from "../sip/dialog/session-timer.ts";
import { generateSelfSignedCertificate } from "./certificate.ts";
import type { StartedTarget, Target } from "./target.ts";
import { formatLogLine } from "./timestamped-log.ts";

export class EmbeddedTarget implements Target {
  readonly kind = "embedded";
  constructor(
    private readonly profile: Profile,
    private readonly faults: readonly FaultName[],
  ) {}

  async start(): Promise<StartedTarget & { readonly core: ReferenceCore }> {
    const ixit = this.profile.ixit;
    // PICS websocket: WS and WSS listeners (RFC 7118), WSS with a self-signed certificate made for this run
    const certificate = this.profile.pics.websocket ? await generateSelfSignedCertificate([ixit.localHost]) : undefined;
    const core = await ReferenceCore.start({
      domain: ixit.domain,
      host: ixit.localHost,
      transports: [...ixit.transports],
      subscribers: ixit.subscribers,
      faults: this.faults,
      timers: ixit.timers,
      // RFC 4028 8.1: the core takes the session interval its profile asks for, even below 90 s (the embedded profiles' deliberate deviation)
      sessionMinSE: Math.min(MIN_SE_FLOOR, ixit.sessionTimer.expires),
      ...(ixit.sms ? { sms: { smsc: ixit.sms.smsc } } : {}),
      // RFC 3329, TS 33.203 7: the P-CSCF's security agreement when the profile claims it
      secAgree: this.profile.pics["sec-agree"],
      ...(certificate ? { websocket: { ws: {}, wss: { key: certificate.key, cert: certificate.cert } } } : {}),
    });
    const { ws, wss } = core.websocket;
    const faults = this.faults.length ? ` with faults ${this.faults.join(", ")}` : "";
    return {
      description: `embedded reference core at ${ixit.transports.map((t) => t.toUpperCase()).join("/")} ${core.host}:${core.port}${ws ? `, WS ${ws.port}` : ""}${wss ? `, WSS ${wss.port}` : ""}${faults}`,
      pcscf: { host: core.host, port: core.port },
      pcscfUri: core.pcscfUri,
      ...(certificate ? { websocket: { ...(ws ? { ws } : {}), ...(wss ? { wss } : {}), spkiSha256: certificate.spkiSha256 } } : {}),
      core,
      logs: (since) => core.logEntries(since).map(formatLogLine).join("\n"),
      setPeers: (peers) => core.setPeers(peers),
      network: { deregister: (impu, event) => core.deregister(impu, event), requireReauthentication: (impu) => Promise.resolve(core.requireReauthentication(impu)) },
      stop: () => core.stop(),
    };
  }
}

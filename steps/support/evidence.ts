// The evidence of a test case, attached for the report: the SIP ladder (HTML with every message,
// and SVG), the text trace and a pcap. The profile's secrets are masked in the trace entries
// first, at the same length (issue 10), and every attachment is rendered from those masked
// entries: the pcap's lengths, TCP sequence numbers and checksums are computed on the masked
// bytes, each message keeps its Content-Length, and all four show the same message text.
import type { Profile } from "../../src/profile/profile.ts";
import { renderLadderHtml } from "../../src/report/ladder-html.ts";
import { renderLadderSvg } from "../../src/report/ladder-svg.ts";
import { maskSecretsKeepingLength, maskTraceEntries } from "../../src/report/mask-secrets.ts";
import { writePcap } from "../../src/report/pcap-writer.ts";
import { maskSecrets, profileSecrets } from "../../src/report/secrets.ts";
import { traceParticipants } from "../../src/report/trace-participants.ts";
import { formatTraceText } from "../../src/report/trace-text.ts";
import type { SipAddress } from "../../src/profile/profile.ts";
import type { TraceEntry } from "../../src/sip/transport/trace.ts";
import type { ImsUe } from "../../src/sip/ue/index.ts";

export interface Evidence {
  readonly name: string;
  readonly mediaType: string;
  readonly data: string | Buffer;
}

export function evidenceOf(entries: readonly TraceEntry[], ues: ReadonlyMap<string, ImsUe>, sut: SipAddress, profile: Profile, title: string): Evidence[] {
  const secrets = profileSecrets(profile);
  const masked = maskTraceEntries(entries, secrets);
  // The participants' addresses, masked as the entries' hosts are, so that they still match
  const address = (host: string, port: number): string => `${maskSecretsKeepingLength(host, secrets)}:${port}`;
  const names = new Map<string, string>();
  for (const [name, ue] of ues) {
    const l = ue.endpoint.local(ue.protocol);
    names.set(address(l.host, l.port), name);
  }
  names.set(address(sut.host, sut.port), "SUT");
  const order = [...ues.keys()].sort();
  const participants = traceParticipants(masked, { names, order: [order[0] ?? "UE-A", "SUT", ...order.slice(1)] });
  return [
    { name: "SIP ladder.html", mediaType: "text/html", data: renderLadderHtml(masked, participants, maskSecrets(title, secrets)) },
    { name: "SIP ladder.svg", mediaType: "image/svg+xml", data: renderLadderSvg(masked, participants) },
    { name: "SIP trace.txt", mediaType: "text/plain", data: formatTraceText(masked) },
    { name: "SIP capture.pcap", mediaType: "application/vnd.tcpdump.pcap", data: writePcap(masked) },
  ];
}

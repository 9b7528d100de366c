// The evidence of a test case, attached for the report: the SIP ladder (HTML with every message,
// and SVG), the text trace and a pcap, all masked for the profile's secrets.
import type { Profile } from "../../src/profile/profile.ts";
import { renderLadderHtml } from "../../src/report/ladder-html.ts";
import { renderLadderSvg } from "../../src/report/ladder-svg.ts";
import { writePcap } from "../../src/report/pcap-writer.ts";
import { maskBytes, maskSecrets, profileSecrets } from "../../src/report/secrets.ts";
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
  const names = new Map<string, string>();
  for (const [name, ue] of ues) {
    const l = ue.endpoint.local(ue.protocol);
    names.set(`${l.host}:${l.port}`, name);
  }
  names.set(`${sut.host}:${sut.port}`, "SUT");
  const order = [...ues.keys()].sort();
  const participants = traceParticipants(entries, { names, order: [order[0] ?? "UE-A", "SUT", ...order.slice(1)] });
  const secrets = profileSecrets(profile);
  return [
    { name: "SIP ladder.html", mediaType: "text/html", data: maskSecrets(renderLadderHtml(entries, participants, title), secrets) },
    { name: "SIP ladder.svg", mediaType: "image/svg+xml", data: maskSecrets(renderLadderSvg(entries, participants), secrets) },
    { name: "SIP trace.txt", mediaType: "text/plain", data: maskSecrets(formatTraceText(entries), secrets) },
    { name: "SIP capture.pcap", mediaType: "application/vnd.tcpdump.pcap", data: maskBytes(writePcap(entries), secrets) },
  ];
}

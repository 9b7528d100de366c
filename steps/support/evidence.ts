// The evidence of a test case, attached for the report: the SIP ladder (HTML with every message,
// and SVG), the text trace and a pcap. The profile's secrets are masked in the trace entries
// first, at the same length (issue 10), and every attachment is rendered from those masked
// entries: the pcap's lengths, TCP sequence numbers and checksums are computed on the masked
// bytes, each message keeps its Content-Length, and these four show the same message text (the
// After hook adds the requirements checked and, when the test case failed, its slice of the SUT log).
//
// Participants are named as every failure names them: a UE by its role and public identity,
// "UE-A (sip:alice@ims.example.test)" (the subject of a REG test case, "the UE" in the steps, by the
// role of the subscriber it was started from), the SUT by its product, "SUT (reference-core 0.1.0)".
// The messages that made the test case fail (a violated requirement, the message a failed
// expectation received) are marked in both ladders: a red arrow with the requirement id beside it.
import { ueLabel } from "../../src/conformance/monitor.ts";
import type { Violation } from "../../src/conformance/violation.ts";
import type { Profile } from "../../src/profile/profile.ts";
import { failureMarks } from "../../src/report/failure-marks.ts";
import { renderLadderHtml } from "../../src/report/ladder-html.ts";
import { type LadderMark, renderLadderSvg } from "../../src/report/ladder-svg.ts";
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

/** What made the test case fail, when it did: the violations the monitor found, the failure's message. */
export interface FailureEvidence {
  readonly violations?: readonly Violation[];
  /** The failure as Cucumber reports it ("ExpectationError: Expected: ...\nReceived: ..."). */
  readonly message?: string;
}

/** How the evidence names the SUT: "SUT (reference-core 0.1.0)". */
export function sutName(profile: Profile): string {
  return `SUT (${[profile.product, profile.productVersion].filter((x) => x).join(" ")})`;
}

/** An interop pair's networks as the evidence names them (issue 15). */
export interface InteropEvidence {
  readonly originating: string;
  readonly terminating: { readonly name: string; readonly sut: SipAddress; readonly profile: Profile };
}

/** How the evidence names a network of an interop pair: "network Kamailio IMS-like core (kamailio 5.6)". */
export function networkName(name: string, profile: Profile): string {
  return `network ${name} (${[profile.product, profile.productVersion].filter((x) => x).join(" ")})`;
}

/** How the evidence names a UE: "UE-A (sip:alice@ims.example.test)", as the monitor's violations do. */
export function ueName(ue: Pick<ImsUe, "name" | "impu">): string {
  return ueLabel(ue);
}

/**
 * `media`: the RTP and RTCP datagrams of the test case's calls, as UDP trace entries; they go into
 * the pcap only (merged by time with the SIP messages, whose SDP lets Wireshark decode them as RTP).
 */
export function evidenceOf(
  entries: readonly TraceEntry[],
  ues: ReadonlyMap<string, ImsUe>,
  sut: SipAddress,
  profile: Profile,
  title: string,
  failure: FailureEvidence = {},
  media: readonly TraceEntry[] = [],
  terminal?: { readonly network: string; readonly ueUnderTest: ReadonlyMap<string, string> },
  interop?: InteropEvidence,
): Evidence[] {
  // An interop pair: both networks' subscribers' secrets are masked
  const secrets = [...profileSecrets(profile), ...(interop ? profileSecrets(interop.terminating.profile) : [])];
  const masked = maskTraceEntries(entries, secrets);
  // The participants' addresses, masked as the entries' hosts are, so that they still match
  const address = (host: string, port: number): string => `${maskSecretsKeepingLength(host, secrets)}:${port}`;
  const names = new Map<string, string>();
  for (const ue of ues.values()) {
    const l = ue.endpoint.local(ue.protocol);
    names.set(address(l.host, l.port), maskSecrets(ueName(ue), secrets));
  }
  // A terminal test case: the SUT's address is the harness's network, and the UE under test has a column of its own
  const sutColumn = maskSecrets(terminal ? terminal.network : interop ? networkName(interop.originating, profile) : sutName(profile), secrets);
  names.set(address(sut.host, sut.port), sutColumn);
  // An interop pair: UE-A, network X, network Y, UE-B from left to right
  const peerColumn = interop ? maskSecrets(networkName(interop.terminating.name, interop.terminating.profile), secrets) : undefined;
  if (interop && peerColumn) names.set(address(interop.terminating.sut.host, interop.terminating.sut.port), peerColumn);
  for (const [a, name] of terminal?.ueUnderTest ?? []) {
    const [host, port] = [a.slice(0, a.lastIndexOf(":")), Number(a.slice(a.lastIndexOf(":") + 1))];
    names.set(address(host, port), maskSecrets(name, secrets));
  }
  const order = [...names.values()].filter((n) => n !== sutColumn && n !== peerColumn).sort();
  const networks = peerColumn ? [sutColumn, peerColumn] : [sutColumn];
  const participants = traceParticipants(masked, { names, order: [...order.slice(0, 1), ...networks, ...order.slice(1)] });
  // Marks are found on the entries as they were (the failure quotes the SUT unmasked), then masked
  const marks: LadderMark[] = failureMarks(entries, failure.violations ?? [], failure.message).map((m) => ({
    seq: m.seq,
    label: maskSecrets(m.label, secrets),
    detail: maskSecrets(m.detail, secrets),
  }));
  return [
    { name: "SIP ladder.html", mediaType: "text/html", data: renderLadderHtml(masked, participants, maskSecrets(title, secrets), { marks }) },
    { name: "SIP ladder.svg", mediaType: "image/svg+xml", data: renderLadderSvg(masked, participants, { marks }) },
    { name: "SIP trace.txt", mediaType: "text/plain", data: formatTraceText(masked, { marks }) },
    { name: "SIP capture.pcap", mediaType: "application/vnd.tcpdump.pcap", data: writePcap(media.length ? [...masked, ...media].sort((x, y) => x.time - y.time) : masked) },
  ];
}

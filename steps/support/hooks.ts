// Scenario set-up and tear-down: the World connects to the suite context; at the end, what the UEs
// received and nobody consumed is judged, and the scenario's message trace (the failing message
// marked), the requirements it checked and, when it failed, its slice of the SUT's log are attached
// as evidence for the report.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { After, Before, Status } from "@cucumber/cucumber";
import { judgeUnconsumed } from "../../src/conformance/unconsumed.ts";
import { InterruptedError, TestBedError } from "../../src/runner/verdict.ts";
import { REQUIREMENTS_MEDIA_TYPE } from "../../src/runner/requirements-evidence.ts";
import { maskSecrets } from "../../src/report/secrets.ts";
import { preflightOptions } from "../../src/targets/index.ts";
import { escapeControlCharacters } from "../../src/report/control-characters.ts";
import { renderMediaPlotSvg } from "../../src/report/media-plot.ts";
import type { TraceEntry } from "../../src/sip/transport/trace.ts";
import { evidenceOf } from "./evidence.ts";
import { interruption } from "./interruption.ts";
import { HOOK } from "./step-wrapper.ts";
import { type ImsWorld, NETWORK_NAME } from "./world.ts";

// Hook options as the definition-function wrapper reads them (Cucumber passes wrapperOptions through)
const hook = { wrapperOptions: HOOK } as object;

Before(hook, async function (this: ImsWorld, { pickle }) {
  // The runner saw the SUT go down: every later test case ends at once with the error verdict
  const down = this.parameters.sutDownFile;
  if (down && existsSync(down)) throw new TestBedError(`the SUT is down: ${readFileSync(down, "utf8")}`);
  const interrupted = interruption(this.parameters);
  if (interrupted !== undefined) throw new InterruptedError(`${interrupted}: this test case did not run`);
  await this.init(pickle.tags.map((t) => t.name));
});

After(hook, async function (this: ImsWorld, { result, pickle }) {
  // Judged before the clean-up, which is not part of the test case: what nobody consumed
  if (result?.status === Status.PASSED) judgeUnconsumed(this.monitor, this.ues.values());
  // A load run: a flow that passed leaves its precondition registrations standing for the slot's next flow
  this.keepStandingRegistrations(result?.status === Status.PASSED && this.monitor.violations.length === 0);
  // The postamble (de-registration, bindings query) is part of the test case and of its evidence
  const id = pickle.tags.map((t) => /^@(IMS-[A-Z]+-\d{3})$/.exec(t.name)?.[1]).find((x) => x);
  // Interrupted: no postamble (a user who pressed Ctrl-C waits for nothing more); a binding left on
  // a remote SUT makes the next run's preamble inconclusive, naming it
  const interrupted = interruption(this.parameters) !== undefined;
  if (this.suite && !interrupted) await this.postamble(id ? `${id} (${pickle.name})` : pickle.name);
  const entries = [...this.trace.entries];
  // The messages that made it fail are marked in the ladders: the violations (each with its trace
  // entry), or the message the failed expectation received
  const failed = result?.status === Status.FAILED;
  const failure = { violations: this.monitor.violations, ...(failed && result?.message ? { message: result.message } : {}) };
  // The calls' media: per-stream RTP statistics (RFC 3550 A.1, A.3, A.8) and the datagrams for the pcap, taken before the UEs close
  const media = [...this.ues.values()].flatMap((ue) => ue.media.map((m, index) => ({ ue: this.participantName(ue), stream: index + 1, media: m })));
  const rtp = media.map(({ ue, stream, media: m }) => ({ ue, stream, ...m.stream.stats() }));
  // A datagram one UE sent and another received is written once, as sent; what arrived from elsewhere, as received
  const flow = (from: { host: string; port: number }, to: { host: string; port: number }): string => `${from.host}:${from.port}>${to.host}:${to.port}`;
  const packets = media.flatMap(({ media: m }) => m.packets);
  const sentFlows = new Set(packets.filter((p) => p.direction === "sent").map((p) => flow(p.local, p.remote)));
  const datagrams: TraceEntry[] = packets
    .filter((p) => p.direction === "sent" || !sentFlows.has(flow(p.remote, p.local)))
    .map((p) => ({ seq: 0, time: p.time, direction: p.direction, protocol: "udp" as const, local: p.local, remote: p.remote, bytes: p.bytes }));
  const terminal = this.terminalBed ? { network: NETWORK_NAME, ueUnderTest: this.ueUnderTestNames() } : undefined;
  const peer = this.suite?.interop;
  const interop = peer ? { originating: peer.originating, terminating: { name: peer.terminating.name, sut: peer.terminating.sut.pcscf, profile: peer.terminating.profile } } : undefined;
  // A load run's flows are counted, not reported one by one: no ladder, trace or pcap is rendered
  const evidence =
    entries.length > 0 && this.suite && !this.parameters.load ? evidenceOf(entries, this.ues, this.suite.sut.pcscf, this.suite.profile, pickle.name, failure, datagrams, terminal, interop) : [];
  // The UE under test is switched off after each test case; the network stops following this one
  // Each browser UE's console, and when the test case failed, its page as it was then
  for (const [role, browser] of this.browsers) {
    this.attach(escapeControlCharacters(maskSecrets(browser.consoleLog().join("\n"), this.secrets())), { mediaType: "text/plain", fileName: `browser console ${role}.txt` });
    if (failed) {
      const shot = await browser.screenshot().catch(() => undefined);
      if (shot) this.attach(shot, { mediaType: "image/png", fileName: `browser ${role}.png` });
    }
  }
  const ueDown = this.terminalBed?.ueDown();
  this.terminalBed?.harnessNetwork.unfollow();
  await this.terminalBed?.switchOff();
  await this.dispose();
  if (rtp.length > 0) {
    this.attach(JSON.stringify(rtp, null, 2), { mediaType: "application/json", fileName: "RTP statistics.json" });
    this.attach(renderMediaPlotSvg(rtp), { mediaType: "image/svg+xml", fileName: "RTP streams.svg" });
  }
  for (const e of evidence) {
    if (typeof e.data === "string") this.attach(e.data, { mediaType: e.mediaType, fileName: e.name });
    else this.attach(e.data, { mediaType: e.mediaType, fileName: e.name });
  }
  this.attach(JSON.stringify({ requirements: this.monitor.tallied() }, null, 2), { mediaType: REQUIREMENTS_MEDIA_TYPE, fileName: "requirements checked.json" });
  if (interrupted) return;
  // A UE under test that exited during the test case: its failure there is the exit's
  if (ueDown && result?.status !== Status.PASSED) throw new TestBedError(`the UE under test went down during this test case: ${ueDown.reason}`);
  if (!this.terminalBed) await blameSilence(this, result?.status === Status.FAILED ? (result.message ?? "") : "");
  // This test case's slice of the SUT's log, each line with the time it reached the harness
  if (result?.status !== Status.FAILED || !this.suite) return;
  // An interop pair: each network's log, named by the network
  const sources = peer
    ? [
        { testBed: this.suite.testBed, fileName: `SUT log ${peer.originating}.txt` },
        { testBed: peer.terminating.testBed, fileName: `SUT log ${peer.terminating.name}.txt` },
      ]
    : [{ testBed: this.suite.testBed, fileName: "SUT log.txt" }];
  for (const { testBed, fileName } of sources) {
    const logs = await testBed.logs(this.startedAt).catch(() => "");
    if (logs) this.attach(escapeControlCharacters(maskSecrets(logs, this.secrets())), { mediaType: "text/plain", fileName });
  }
});

/**
 * A wait of this test case ran out: is the SUT still there? One OPTIONS (RFC 3261 11) tells. When
 * nothing answers, the test case is the test bed's error, not a failure, and every later test case
 * ends at once (the marker file the runner watches), naming the address and when it went silent.
 */
async function blameSilence(world: ImsWorld, failure: string): Promise<void> {
  const suite = world.suite;
  if (!suite || !/\nTimeout: /.test(failure)) return;
  const protocol = world.protocol ?? suite.profile.ixit.transports[0] ?? "udp";
  // An interop pair: either network may be the one that went silent
  const networks = [{ sut: suite.sut, profile: suite.profile }, ...(suite.interop ? [suite.interop.terminating] : [])];
  let silent: { pcscf: (typeof suite.sut)["pcscf"]; detail: string } | undefined;
  for (const n of networks) {
    const probe = await preflightOptions(n.sut.pcscf, protocol, n.profile.ixit.domain, 3000, n.profile.ixit.localHost);
    if (!probe.ok) {
      silent = { pcscf: n.sut.pcscf, detail: probe.detail };
      break;
    }
  }
  if (!silent) return;
  const { pcscf } = silent;
  const probe = silent;
  const last = [...world.trace.entries].reverse().find((e) => e.direction === "received" && e.remote.port === pcscf.port);
  const since = last ? `the last message from it arrived at ${new Date(last.time).toISOString()}` : "nothing arrived from it in this test case";
  const reason = `the SUT at ${protocol.toUpperCase()} ${pcscf.host}:${pcscf.port} stopped answering (${since}; ${probe.detail})`;
  const down = world.parameters.sutDownFile;
  if (down && !existsSync(down)) writeFileSync(down, reason);
  throw new TestBedError(`${reason}: this test case's timeout is the test bed's, not the SUT's conformance`);
}

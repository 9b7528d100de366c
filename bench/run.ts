// npm run bench: figures measured side by side in one run against named baselines, printed and
// written to reports/bench.json. Nothing here is asserted: the machines are shared and noisy.
import { mkdir, writeFile } from "node:fs/promises";
import { type CallFigures, benchDriverCalls, benchSippCalls } from "./calls.ts";
import { benchKamailioRegistrations, benchLoadVsSipp, benchRssPerUe } from "./load.ts";
import { benchParser } from "./parser.ts";
import { benchMediaStreams, mediaLevelsFromEnv, printMediaSummary } from "./media.ts";
import { benchContainerStart } from "./container.ts";
import { benchReport } from "./report.ts";
import { benchSuite } from "./suite.ts";
import { benchWebRtcRegistration } from "./webrtc.ts";
import { sippAvailable } from "../test/support/sipp.ts";

const CALLS = Number(process.env["BENCH_CALLS"] ?? 20000);
/** Runs of each side, alternating SIPp and the driver; the median run is the figure. */
const CALL_RUNS = Math.max(1, Number(process.env["BENCH_CALL_RUNS"] ?? 3));
/**
 * Calls of the one warm-up run of each side before the runs that count (0: none). The driver's code
 * is compiled by V8 as it runs and its heap sized as it fills; what a load of minutes sees is the
 * steady state after that first second, SIPp's compiled code has nothing of the kind.
 */
const WARM_UP_CALLS = Number(process.env["BENCH_WARM_UP_CALLS"] ?? 5000);
/** Calls in flight at once; SIPp's pair is latency-bound at 20 and CPU-bound at 100, so both are shown. */
const IN_FLIGHT = (process.env["BENCH_IN_FLIGHT"] ?? "20,100").split(",").map(Number);
/** Load against Kamailio (bench/load.ts): users registering once each, UEs alive at once, IMS-CALL-001 flows and SIPp calls. */
const LOAD_REGISTRATIONS = Number(process.env["BENCH_LOAD_REGISTRATIONS"] ?? 5000);
const LOAD_REGISTRATIONS_IN_FLIGHT = Number(process.env["BENCH_LOAD_REGISTRATIONS_IN_FLIGHT"] ?? 50);
const LOAD_UES = Number(process.env["BENCH_LOAD_UES"] ?? 10000);
const LOAD_FLOWS = Number(process.env["BENCH_LOAD_FLOWS"] ?? 500);
const LOAD_CONCURRENCY = Number(process.env["BENCH_LOAD_CONCURRENCY"] ?? 20);
const LOAD_SIPP_CALLS = Number(process.env["BENCH_LOAD_SIPP_CALLS"] ?? 5000);

/** The run with the median calls per second (the lower middle one of an even count). */
function medianRun(runs: readonly CallFigures[]): CallFigures {
  const sorted = [...runs].sort((a, b) => a.callsPerSecond - b.callsPerSecond);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version };

console.log("Parser: the same INVITE, parsed and its Via/From/To/CSeq/Call-ID read");
const parser = benchParser();
results["parser"] = parser;
console.log(`  driver parse only        ${fmt(parser.driverParseOnly)} msg/s`);
console.log(`  driver parse + fields    ${fmt(parser.driverParseAndFields)} msg/s`);
console.log(`  sip.js 0.21.2 parser     ${fmt(parser.sipjs)} msg/s (baseline)`);
console.log(`  ratio driver / sip.js    ${parser.ratio.toFixed(0)}x`);

if (sippAvailable()) {
  const calls: unknown[] = [];
  for (const inFlight of IN_FLIGHT) {
    console.log(`\nCalls over UDP: ${fmt(CALLS)} calls INVITE..BYE, ${inFlight} in flight, against sipp -sn uas (${CALL_RUNS} runs each, alternating; medians)`);
    // Alternating runs: a shared machine's noise (easily 15% from one run to the next) falls on both sides
    const sippRuns: CallFigures[] = [];
    const driverRuns: CallFigures[] = [];
    let warmUp: { calls: number; sipp: CallFigures; driver: CallFigures } | undefined;
    if (WARM_UP_CALLS > 0) {
      const warmSipp = await benchSippCalls(WARM_UP_CALLS, inFlight);
      const warmDriver = await benchDriverCalls(WARM_UP_CALLS, inFlight);
      warmUp = { calls: WARM_UP_CALLS, sipp: warmSipp, driver: warmDriver };
      console.log(`  warm-up, not counted      sipp ${fmt(warmSipp.callsPerSecond)}, driver ${fmt(warmDriver.callsPerSecond)} calls/s (${fmt(WARM_UP_CALLS)} calls each, BENCH_WARM_UP_CALLS)`);
    }
    for (let run = 0; run < CALL_RUNS; run++) {
      sippRuns.push(await benchSippCalls(CALLS, inFlight));
      driverRuns.push(await benchDriverCalls(CALLS, inFlight));
    }
    const sipp = medianRun(sippRuns);
    const driver = medianRun(driverRuns);
    const ratio = driver.callsPerSecond / sipp.callsPerSecond;
    const cpuOf = (runs: CallFigures[]): number | undefined => {
      const each = runs.map((r) => r.cpuMicrosPerCall).filter((c): c is number => c !== undefined);
      return each.length === runs.length ? [...each].sort((a, b) => a - b)[Math.floor((each.length - 1) / 2)] : undefined;
    };
    const sippCpu = cpuOf(sippRuns);
    const driverCpu = cpuOf(driverRuns);
    const cpuRatio = sippCpu !== undefined && driverCpu !== undefined ? sippCpu / driverCpu : undefined;
    calls.push({ calls: CALLS, inFlight, warmUp, sipp, driver, ratio, sippRuns, driverRuns, sippCpuMicrosPerCall: sippCpu, driverCpuMicrosPerCall: driverCpu, cpuRatio });
    const each = (runs: CallFigures[]): string => runs.map((r) => fmt(r.callsPerSecond)).join(", ");
    const failed = (runs: CallFigures[]): number => runs.reduce((n, r) => n + r.failed, 0);
    const retransmitted = (runs: CallFigures[]): number => runs.reduce((n, r) => n + r.retransmissions, 0);
    console.log(`  sipp -sn uac (baseline)  ${fmt(sipp.callsPerSecond)} calls/s  (runs: ${each(sippRuns)})  failed ${failed(sippRuns)}  retransmissions ${retransmitted(sippRuns)}`);
    console.log(`  driver UE                ${fmt(driver.callsPerSecond)} calls/s  (runs: ${each(driverRuns)})  failed ${failed(driverRuns)}  retransmissions ${retransmitted(driverRuns)}`);
    console.log(`  ratio driver / sipp      ${ratio.toFixed(2)}`);
    if (cpuRatio !== undefined) {
      // CPU per call: the caller's process only (SIPp's from the children's CPU time once it has exited; the driver's from process.cpuUsage, every thread)
      console.log(`  CPU per call (medians)   sipp ${sippCpu!.toFixed(0)} µs, driver ${driverCpu!.toFixed(0)} µs; ratio sipp / driver ${cpuRatio.toFixed(2)} (above 1: the driver uses less)`);
    }
  }
  results["calls"] = calls;
} else {
  console.log("\nCalls: skipped, sipp (Debian package sip-tester) is not installed");
}

console.log(`\nRegistrations against Kamailio: ${fmt(LOAD_REGISTRATIONS)} load users once each with SIP Digest, ${LOAD_REGISTRATIONS_IN_FLIGHT} in flight, a fresh Kamailio per side`);
const registrations = await benchKamailioRegistrations(LOAD_REGISTRATIONS, LOAD_REGISTRATIONS_IN_FLIGHT).catch((e: unknown) => ({ skipped: `failed: ${String(e)}` }));
results["kamailioRegistrations"] = registrations;
if ("skipped" in registrations) console.log(`  skipped: ${registrations.skipped}`);
else {
  const line = (name: string, r: typeof registrations.driver): string =>
    `  ${name} ${fmt(r.registrationsPerSecond)} reg/s  failed ${r.failed}  (${r.seconds.toFixed(2)} s; Kamailio CPU ${r.kamailioCpuSeconds.toFixed(2)} s)`;
  console.log(line("sipp REGISTER + [authentication] (baseline)", registrations.sipp));
  console.log(line("driver UEs (ImsUe over UDP)               ", registrations.driver));
  console.log(`  ratio driver / sipp                         ${registrations.ratio.toFixed(2)}`);
}

console.log(`\nMemory: ${fmt(LOAD_UES)} ImsUe registered with Kamailio in one process (node --expose-gc child)`);
const rss = await benchRssPerUe(LOAD_UES).catch((e: unknown) => ({ skipped: `failed: ${String(e)}` }));
results["rssPerUe"] = rss;
if ("skipped" in rss) console.log(`  skipped: ${rss.skipped}`);
else {
  const mib = (b: number): string => (b / 1048576).toFixed(0);
  console.log(
    `  RSS ${mib(rss.rssBytesBefore)} MiB -> ${mib(rss.rssBytesAfter)} MiB with ${fmt(rss.registered)} registered (failed ${rss.failed}, ${rss.registrationSeconds.toFixed(1)} s to register)`,
  );
  console.log(`  per UE                   ${fmt(rss.bytesPerUe)} bytes RSS, ${fmt(rss.heapBytesPerUe)} bytes of V8 heap (${rss.what})`);
}

console.log(
  `\nLoad through Kamailio: ims-interop load --tags @IMS-CALL-001 (${fmt(LOAD_FLOWS)} flows, ${LOAD_CONCURRENCY} at once, every requirement checked) vs sipp uac -> Kamailio -> sipp uas (${fmt(LOAD_SIPP_CALLS)} calls, ${LOAD_CONCURRENCY} in flight)`,
);
const load = await benchLoadVsSipp({ flows: LOAD_FLOWS, concurrency: LOAD_CONCURRENCY, sippCalls: LOAD_SIPP_CALLS }).catch((e: unknown) => ({ skipped: `failed: ${String(e)}` }));
results["loadVsSipp"] = load;
if ("skipped" in load) console.log(`  skipped: ${load.skipped}`);
else {
  if ("error" in load.sipp) console.log(`  sipp uac/uas (baseline)  failed to run: ${load.sipp.error}`);
  else {
    const s = load.sipp;
    console.log(`  sipp uac/uas (baseline)  ${fmt(s.callsPerSecond)} calls/s  failed ${s.failed}  retransmissions ${s.retransmissions}${s.firstError ? `\n    first error: ${s.firstError}` : ""}`);
  }
  if ("error" in load.interop) console.log(`  ims-interop load         failed to run: ${load.interop.error}`);
  else {
    const i = load.interop;
    const srd = i.srdP50 !== undefined ? `; SRD p50 ${i.srdP50} ms, p95 ${i.srdP95 ?? "-"} ms` : "";
    console.log(
      `  ims-interop load         ${i.flowsPerSecond.toFixed(1)} flows/s  passed ${i.flowsPassed}, failed ${i.flowsFailed}${srd} (${i.wallSeconds.toFixed(2)} s of flows; the command ${i.commandSeconds.toFixed(2)} s)`,
    );
    const sent = i.registrations !== undefined && i.invites !== undefined ? ` (${fmt(i.registrations)} registration attempts and ${fmt(i.invites)} INVITEs in all)` : "";
    console.log(`  a flow: UE-A calls UE-B, 180, 200, ACK, BYE, every message judged; each slot registers UE-A and UE-B in its first flow, its later flows run on those registrations${sent}`);
  }
  if (load.ratio !== undefined) console.log(`  ratio flows / calls      ${load.ratio.toFixed(3)}`);
}

const media = mediaLevelsFromEnv();
console.log(`\nMedia streams: pairs of PCMU streams on loopback, 50 packets/s each way per stream, ${media.seconds} s per level`);
const mediaFigures = await benchMediaStreams(media.levels, media.seconds);
results["media"] = mediaFigures;
printMediaSummary(mediaFigures);

console.log("\nThe conformance suite against the embedded reference core (profiles/embedded.yaml)");
// A first, untimed run loads and transpiles the steps once, as a long-lived harness would have
const firstRun = await benchSuite(0);
console.log(`  first run in this process (loads and transpiles the steps): ${firstRun.wallSeconds.toFixed(2)} s`);
const serial = await benchSuite(0);
const parallel2 = await benchSuite(2);
results["suite"] = { firstRun, serial, parallel2 };
for (const s of [serial, parallel2]) {
  console.log(
    `  ${s.parallel ? `--parallel ${s.parallel}` : "serial     "}  ${s.wallSeconds.toFixed(2)} s wall for ${s.testCases} test cases (${s.passed} pass); CPU ${s.cpuSeconds.toFixed(2)} s = ${(100 * s.busyShare).toFixed(0)}% busy per worker, the rest waiting on the network and timers`,
  );
}

console.log("\nThe Allure HTML report of the full suite (allure-commandline generate)");
const report = await benchReport();
results["report"] = report;
console.log("skipped" in report ? `  skipped: ${report.skipped}` : `  ${report.seconds.toFixed(2)} s for ${report.testCases} test cases`);

console.log("\nContainer target: ims-interop run --profile profiles/kamailio-container.yaml to the first test case");
const container = await benchContainerStart();
results["container"] = container;
console.log(
  "skipped" in container
    ? `  skipped: ${container.skipped}`
    : `  ${container.firstTestCaseSeconds?.toFixed(2)} s with the image built (first run, which may build it: ${container.warmupSeconds?.toFixed(2)} s)`,
);

console.log("\nWebRTC: ims-interop run --tags @IMS-RTC-001 to the browser's 200 OK (test/fixtures/profiles/embedded-websocket.yaml)");
const webrtc = await benchWebRtcRegistration();
results["webrtc"] = webrtc;
if ("skipped" in webrtc) console.log(`  skipped: ${webrtc.skipped}`);
else {
  console.log(`  browser (sip.js in Chromium)     ${webrtc.browser.seconds.toFixed(2)} s to the 200 OK (the command: ${webrtc.browser.commandSeconds.toFixed(2)} s)`);
  console.log(`  driver UE, IMS-REG-002 (baseline) ${webrtc.driver.seconds.toFixed(2)} s to the 200 OK (the command: ${webrtc.driver.commandSeconds.toFixed(2)} s)`);
  console.log(`  ratio browser / driver           ${webrtc.ratio.toFixed(2)}`);
}

await mkdir(new URL("../reports/", import.meta.url), { recursive: true });
await writeFile(new URL("../reports/bench.json", import.meta.url), JSON.stringify(results, null, 2) + "\n");
console.log("\nwritten to reports/bench.json");

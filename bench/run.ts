// npm run bench: figures measured side by side in one run against named baselines, printed and
// written to reports/bench.json. Nothing here is asserted: the machines are shared and noisy.
import { mkdir, writeFile } from "node:fs/promises";
import { benchDriverCalls, benchSippCalls } from "./calls.ts";
import { benchParser } from "./parser.ts";
import { benchMediaStreams, mediaLevelsFromEnv, printMediaSummary } from "./media.ts";
import { benchContainerStart } from "./container.ts";
import { benchReport } from "./report.ts";
import { benchSuite } from "./suite.ts";
import { benchWebRtcRegistration } from "./webrtc.ts";
import { sippAvailable } from "../test/support/sipp.ts";

const CALLS = Number(process.env["BENCH_CALLS"] ?? 20000);
/** Calls in flight at once; SIPp's pair is latency-bound at 20 and CPU-bound at 100, so both are shown. */
const IN_FLIGHT = (process.env["BENCH_IN_FLIGHT"] ?? "20,100").split(",").map(Number);

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
    console.log(`\nCalls over UDP: ${fmt(CALLS)} calls INVITE..BYE, ${inFlight} in flight, against sipp -sn uas`);
    const sipp = await benchSippCalls(CALLS, inFlight);
    const driver = await benchDriverCalls(CALLS, inFlight);
    calls.push({ calls: CALLS, inFlight, sipp, driver, ratio: driver.callsPerSecond / sipp.callsPerSecond });
    console.log(`  sipp -sn uac (baseline)  ${fmt(sipp.callsPerSecond)} calls/s  failed ${sipp.failed}  retransmissions ${sipp.retransmissions}`);
    console.log(`  driver UE                ${fmt(driver.callsPerSecond)} calls/s  failed ${driver.failed}  retransmissions ${driver.retransmissions}`);
    console.log(`  ratio driver / sipp      ${(driver.callsPerSecond / sipp.callsPerSecond).toFixed(2)}`);
  }
  results["calls"] = calls;
} else {
  console.log("\nCalls: skipped, sipp (Debian package sip-tester) is not installed");
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

// npm run bench: figures measured side by side in one run against named baselines, printed and
// written to reports/bench.json. Nothing here is asserted: the machines are shared and noisy.
import { mkdir, writeFile } from "node:fs/promises";
import { benchDriverCalls, benchSippCalls } from "./calls.ts";
import { benchParser } from "./parser.ts";
import { benchReport } from "./report.ts";
import { benchSuite } from "./suite.ts";
import { sippAvailable } from "../test/support/sipp.ts";

const CALLS = Number(process.env["BENCH_CALLS"] ?? 20000);
const IN_FLIGHT = Number(process.env["BENCH_IN_FLIGHT"] ?? 20);

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
  console.log(`\nCalls over UDP: ${fmt(CALLS)} calls INVITE..BYE, ${IN_FLIGHT} in flight, against sipp -sn uas`);
  const sipp = await benchSippCalls(CALLS, IN_FLIGHT);
  const driver = await benchDriverCalls(CALLS, IN_FLIGHT);
  results["calls"] = { calls: CALLS, inFlight: IN_FLIGHT, sipp, driver, ratio: driver.callsPerSecond / sipp.callsPerSecond };
  console.log(`  sipp -sn uac (baseline)  ${fmt(sipp.callsPerSecond)} calls/s  failed ${sipp.failed}  retransmissions ${sipp.retransmissions}`);
  console.log(`  driver UE                ${fmt(driver.callsPerSecond)} calls/s  failed ${driver.failed}  retransmissions ${driver.retransmissions}`);
  console.log(`  ratio driver / sipp      ${(driver.callsPerSecond / sipp.callsPerSecond).toFixed(2)}`);
} else {
  console.log("\nCalls: skipped, sipp (Debian package sip-tester) is not installed");
}

console.log("\nThe conformance suite against the embedded reference core (profiles/embedded.yaml)");
// A first, untimed run loads and transpiles the steps once, as a long-lived harness would have
const firstRun = await benchSuite(0);
console.log(`  first run in this process (loads and transpiles the steps): ${firstRun.wallSeconds.toFixed(2)} s`);
const serial = await benchSuite(0);
const parallel2 = await benchSuite(2);
results["suite"] = { firstRun, serial, parallel2 };
for (const s of [serial, parallel2]) {
  console.log(`  ${s.parallel ? `--parallel ${s.parallel}` : "serial     "}  ${s.wallSeconds.toFixed(2)} s wall for ${s.testCases} test cases (${s.passed} pass); CPU ${s.cpuSeconds.toFixed(2)} s = ${(100 * s.busyShare).toFixed(0)}% busy per worker, the rest waiting on the network and timers`);
}

console.log("\nThe Allure HTML report of the full suite (allure-commandline generate)");
const report = await benchReport();
results["report"] = report;
console.log("skipped" in report ? `  skipped: ${report.skipped}` : `  ${report.seconds.toFixed(2)} s for ${report.testCases} test cases`);

await mkdir(new URL("../reports/", import.meta.url), { recursive: true });
await writeFile(new URL("../reports/bench.json", import.meta.url), JSON.stringify(results, null, 2) + "\n");
console.log("\nwritten to reports/bench.json");

// Time from `ims-interop run --tags @IMS-RTC-001` to the browser's 200 OK for its REGISTER (process
// start, the embedded core, Chromium, the page with sip.js, the WebSocket tap, the Digest round
// trip), against a baseline in the same run: the same command for IMS-REG-002, whose UE is the
// driver's own, to its 200 OK. Both read the 200's time off the test case's SIP trace in the Allure results.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, readdir, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { DEFAULT_CHROMIUM } from "../src/webrtc/index.ts";

const PROJECT = resolve(import.meta.dirname, "..");
const PROFILE = "test/fixtures/profiles/embedded-websocket.yaml";

export interface TimeTo200 {
  /** Seconds from spawning the command to the first 200 OK to a REGISTER the UE received. */
  readonly seconds: number;
  /** Seconds the whole command took. */
  readonly commandSeconds: number;
}

/** Runs the command for one tag and reads when the first 200 (REGISTER) arrived, from the trace of the first result with one. */
async function timeTo200(tag: string): Promise<TimeTo200 | { skipped: string }> {
  const reports = join(PROJECT, "reports", `bench-webrtc-${tag.slice(1)}`);
  await rm(reports, { recursive: true, force: true });
  const t0 = Date.now();
  const code = await new Promise<number | null>((done) => {
    const child = spawn(process.execPath, [join(PROJECT, "bin/ims-interop.mjs"), "run", "--profile", PROFILE, "--tags", tag, "--reports", reports], { cwd: PROJECT, stdio: "ignore" });
    child.once("exit", done);
  });
  const commandSeconds = (Date.now() - t0) / 1000;
  if (code !== 0) return { skipped: `ims-interop run --tags ${tag} exited ${String(code)}` };
  const dir = join(reports, "allure-results");
  const files = await readdir(dir);
  let first: number | undefined;
  for (const f of files.filter((x) => x.endsWith("-result.json"))) {
    const result = JSON.parse(await readFile(join(dir, f), "utf8")) as { start: number; attachments?: { name: string; source: string }[]; steps?: unknown[] };
    const trace = findAttachment(result, "SIP trace.txt");
    if (!trace) continue;
    const text = await readFile(join(dir, trace), "utf8");
    // "#4 +0.011 s RECEIVED WS ... \nSIP/2.0 200 OK ... CSeq: n REGISTER"
    for (const block of text.split(/\n(?=#\d+ \+)/)) {
      const m = /^#\d+ \+([\d.]+) s RECEIVED [\s\S]*?\nSIP\/2\.0 200 [\s\S]*?\nCSeq: \d+ REGISTER/.exec(block);
      if (!m) continue;
      const at = result.start + Number(m[1]) * 1000;
      if (first === undefined || at < first) first = at;
      break;
    }
  }
  await rm(reports, { recursive: true, force: true });
  if (first === undefined) return { skipped: `no 200 OK to a REGISTER in the trace of ${tag}` };
  return { seconds: (first - t0) / 1000, commandSeconds };
}

function findAttachment(node: unknown, name: string): string | undefined {
  const n = node as { attachments?: { name: string; source: string }[]; steps?: unknown[] };
  const own = n.attachments?.find((a) => a.name === name);
  if (own) return own.source;
  for (const s of n.steps ?? []) {
    const found = findAttachment(s, name);
    if (found) return found;
  }
  return undefined;
}

export async function benchWebRtcRegistration(): Promise<{ browser: TimeTo200; driver: TimeTo200; ratio: number } | { skipped: string }> {
  if (!existsSync(DEFAULT_CHROMIUM)) return { skipped: `chromium (Debian package chromium) is not installed at ${DEFAULT_CHROMIUM}` };
  const browser = await timeTo200("@IMS-RTC-001");
  if ("skipped" in browser) return browser;
  const driver = await timeTo200("@IMS-REG-002");
  if ("skipped" in driver) return driver;
  return { browser, driver, ratio: browser.seconds / driver.seconds };
}

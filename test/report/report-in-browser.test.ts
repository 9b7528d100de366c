// The HTML report as an engineer uses it: generated from a run with a reference-core fault, served
// over HTTP, opened in a real browser (Debian's chromium driven by playwright-core). The failed test
// case shows its failure message (expected, received), the ladder diagram and the trace.
// Screenshots of the overview and of the test case go to reports/screenshots/.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { chromium } from "playwright-core";
import { javaAvailable, serveDirectory } from "../../src/report/allure-report.ts";

const PROJECT = resolve(import.meta.dirname, "../..");
const CHROMIUM = "/usr/bin/chromium";

function skipReason(): string | false {
  const missing = !existsSync(CHROMIUM) ? "chromium (Debian package chromium) is not installed" : !javaAvailable() ? "java (Debian package default-jre-headless) is not installed" : undefined;
  if (!missing) return false;
  if (process.env["CI"]) throw new Error(`${missing}, and CI must not skip this test`);
  return missing;
}

test("a failed test case shows its failure, ladder and trace in the served report", { skip: skipReason(), timeout: 180000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), "ims-interop-report-"));
  const run = spawnSync(process.execPath, [join(PROJECT, "bin/ims-interop.mjs"), "run", "--profile", "test/fixtures/profiles/embedded-fast.yaml", "--tags", "@IMS-REG-002 or @IMS-REG-005 or @IMS-CALL-011", "--fault", "no-service-route", "--reports", dir, "--report"], { cwd: PROJECT, encoding: "utf8", timeout: 150000 });
  assert.equal(run.status, 1, run.stdout + run.stderr);
  assert.match(run.stdout, /report: .*allure-report\/index\.html/);
  const { server, url } = await serveDirectory(join(dir, "allure-report"));
  const shots = join(PROJECT, "reports", "screenshots");
  await mkdir(shots, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"] });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(url);
    await page.getByText("test cases", { exact: false }).first().waitFor({ timeout: 30000 });
    await page.screenshot({ path: join(shots, "overview.png"), fullPage: true });
    // The failed test case, from the suites tree
    await page.goto(`${url}#suites`);
    await page.getByText("IMS-REG-002 Initial registration with SIP Digest").first().click();
    const body = page.locator(".test-result");
    await body.getByText("Requirement: register-2xx.service-route", { exact: false }).first().waitFor({ timeout: 20000 });
    const text = await body.innerText();
    assert.match(text, /Received: Service-Route: absent in SIP\/2\.0 200 OK/);
    assert.match(text, /Clause: +TS 24\.229 5\.4\.1\.2\.2/);
    assert.match(text, /Call log:/);
    for (const name of ["SIP ladder.html", "SIP ladder.svg", "SIP trace.txt", "SIP capture.pcap"]) assert.match(text, new RegExp(name.replace(".", "\\.")), `attachment ${name} listed`);
    // Open the trace and the ladder
    await body.getByText("SIP trace.txt").first().click();
    await body.getByText("REGISTER sip:ims.example.test SIP/2.0").first().waitFor({ timeout: 10000 });
    await body.getByText("SIP ladder.svg").first().click();
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(shots, "failed-test-case.png"), fullPage: true });
    const svgShown = await page.locator(".test-result img[src*='.svg'], .test-result object, .test-result iframe, .test-result svg").count();
    assert.ok(svgShown > 0, "the ladder diagram is displayed");
  } finally {
    await browser.close();
    server.close();
  }
});

// The HTML report as an engineer uses it: generated from a run with a reference-core fault, served
// over HTTP, opened in a real browser (Debian's chromium driven by playwright-core). The first
// screen names the SUT and shows the gate FAILED (report name, Environment, the certification
// summary's executor link); the failed test case shows its failure message (expected, received,
// "message #4 in the SIP ladder"), the ladder with that message as a red arrow and the requirement
// id beside it, and the trace; a test case the profile declares a known deviation shows it.
// Screenshots go to reports/screenshots/.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { chromium, type Page } from "playwright-core";
import { javaAvailable, serveDirectory } from "../../src/report/allure-report.ts";

const PROJECT = resolve(import.meta.dirname, "../..");
const CHROMIUM = "/usr/bin/chromium";
const DEVIATION = "Service-Route is added by the I-CSCF in release 2.3 (ticket CORE-4711)";

function skipReason(): string | false {
  const missing = !existsSync(CHROMIUM) ? "chromium (Debian package chromium) is not installed" : !javaAvailable() ? "java (Debian package default-jre-headless) is not installed" : undefined;
  if (!missing) return false;
  if (process.env["CI"]) throw new Error(`${missing}, and CI must not skip this test`);
  return missing;
}

/** Opens a test case from the suites tree: area, feature, test case (a group the tree keeps open is not clicked again). */
async function openTestCase(page: Page, url: string, area: string, feature: string, name: string): Promise<void> {
  await page.goto(`${url}#suites`);
  const group = page.getByText(area, { exact: true }).first();
  await group.waitFor({ timeout: 20000 });
  if (!(await page.getByText(feature, { exact: true }).first().isVisible())) await group.click();
  if (!(await page.getByText(name).first().isVisible())) await page.getByText(feature, { exact: true }).first().click();
  await page.getByText(name).first().click();
}

test("the served report: gate and SUT on the overview, the failing message marked, a known deviation shown", { skip: skipReason(), timeout: 180000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), "ims-interop-report-"));
  // The profile declares IMS-REG-005's failure under this fault a known deviation
  const profile = join(dir, "embedded-with-deviation.yaml");
  const base = await readFile(join(PROJECT, "test/fixtures/profiles/embedded-fast.yaml"), "utf8");
  assert.match(base, /^knownDeviations: \{\}/m);
  await writeFile(profile, base.replace(/^knownDeviations: \{\}.*$/m, `knownDeviations:\n  IMS-REG-005: "${DEVIATION}"`));
  const run = spawnSync(
    process.execPath,
    [join(PROJECT, "bin/ims-interop.mjs"), "run", "--profile", profile, "--tags", "@IMS-REG-002 or @IMS-REG-005 or @IMS-CALL-011", "--fault", "no-service-route", "--reports", dir, "--report"],
    { cwd: PROJECT, encoding: "utf8", timeout: 150000 },
  );
  assert.equal(run.status, 1, run.stdout + run.stderr);
  assert.match(run.stdout, /report: .*allure-report\/index\.html \(serve it with: ims-interop report --serve --reports /);
  const { server, url } = await serveDirectory(join(dir, "allure-report"));
  const shots = join(PROJECT, "reports", "screenshots");
  await mkdir(shots, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });

    // The first screen: the SUT's name and the gate in the title, the gate's reasons, the summary's link
    await page.goto(url);
    await page.getByText("test cases", { exact: false }).first().waitFor({ timeout: 30000 });
    const title = page.getByText("ims-interop: ims-interop reference-core 0.1.0 (Embedded reference core (fast timers, for the project's tests))", { exact: false }).first();
    await title.waitFor({ timeout: 10000 });
    assert.match(await title.innerText(), /gate FAILED/);
    assert.ok(await title.isVisible(), "the report's name is on the first screen");
    const overview = await page.locator("body").innerText();
    assert.match(overview, /Gate\s+FAILED: mandatory IMS-REG-002 is fail/);
    assert.match(overview, /SUT\s+ims-interop reference-core 0\.1\.0/);
    const summaryLink = page.locator("a[href='certification-summary.html']");
    assert.match(await summaryLink.innerText(), /Certification summary: gate FAILED/);
    assert.ok(await summaryLink.isVisible(), "the certification summary's link is on the first screen");
    await page.screenshot({ path: join(shots, "overview.png"), fullPage: true });

    // The certification summary page the overview links to
    const summary = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await summary.goto(`${url}certification-summary.html`);
    const summaryText = await summary.locator("body").innerText();
    assert.match(summaryText, /Gate: FAILED/);
    assert.match(summaryText, /mandatory IMS-REG-002 is fail/);
    assert.match(summaryText, new RegExp(`IMS-REG-005\\s+fail\\s+${DEVIATION.slice(0, 30).replace(/[.()]/g, "\\$&")}`));
    await summary.screenshot({ path: join(shots, "certification-summary.png"), fullPage: true });
    await summary.close();

    // The failed test case, from the suites tree (area, feature)
    await openTestCase(page, url, "Registration", "Registration and authentication", "IMS-REG-002 Initial registration with SIP Digest");
    const body = page.locator(".test-result");
    await body.getByText("Requirement: register-2xx.service-route", { exact: false }).first().waitFor({ timeout: 20000 });
    const text = await body.innerText();
    assert.match(text, /Received: Service-Route: absent in SIP\/2\.0 200 OK/);
    assert.match(text, /received by UE-B \(sip:bob@ims\.example\.test\), message #4 in the SIP ladder/);
    assert.match(text, /Clause: +TS 24\.229 5\.4\.1\.2\.2/);
    assert.match(text, /Call log:/);
    assert.match(text, /PICS: digest/);
    assert.match(text, /Vendor: ims-interop/);
    assert.match(text, /Profile: Embedded reference core/);
    await page.screenshot({ path: join(shots, "failed-test-case-message.png"), fullPage: true });
    for (const name of ["SIP ladder.html", "SIP ladder.svg", "SIP trace.txt", "SIP capture.pcap", "requirements checked.json", "SUT log.txt"])
      assert.match(text, new RegExp(name.replace(".", "\\.")), `attachment ${name} listed`);
    // Open the trace and the HTML ladder: the failing message is a red arrow with the requirement id beside it
    await body.getByText("SIP trace.txt").first().click();
    await body.getByText("REGISTER sip:ims.example.test SIP/2.0").first().waitFor({ timeout: 10000 });
    await body.getByText("SIP ladder.html").first().click();
    const frame = page.frameLocator(".test-result iframe").first();
    const failing = frame.locator("g.msg.failing").first();
    await failing.waitFor({ timeout: 10000 });
    assert.equal(await failing.getAttribute("id"), "msg-4");
    assert.equal(await failing.locator("line").first().getAttribute("stroke"), "#cc0000");
    const mark = failing.locator("text.mark");
    assert.equal(await mark.textContent(), "\u2717 register-2xx.service-route");
    await mark.scrollIntoViewIfNeeded();
    assert.ok(await mark.isVisible(), "the requirement id beside the red arrow is visible");
    const box = frame.locator("#failure");
    assert.match(await box.innerText(), /#4 200 OK \(REGISTER\) SUT \(reference-core 0\.1\.0\) → UE-B \(sip:bob@ims\.example\.test\): register-2xx\.service-route/);
    assert.equal(await box.locator("a").first().getAttribute("href"), "#message-4");
    // The participants as the failure names them
    assert.deepEqual(await frame.locator("text.participant-name").allTextContents(), ["UE-B", "SUT"]);
    await page.screenshot({ path: join(shots, "failed-test-case.png"), fullPage: true });
    await body.getByText("SIP ladder.svg").first().click();
    await page.waitForTimeout(500);
    const svgShown = await page.locator(".test-result img[src*='.svg'], .test-result object, .test-result svg").count();
    assert.ok(svgShown > 0, "the ladder diagram is displayed");

    // A declared known deviation: on the test page (parameter, description, tag), verdict unchanged
    await openTestCase(page, url, "Registration", "Registration and authentication", "IMS-REG-005 Re-registration before expiry");
    await body.getByText("Known deviation", { exact: false }).first().waitFor({ timeout: 20000 });
    const deviation = await body.innerText();
    assert.match(deviation, new RegExp(`Known deviation: ${DEVIATION.replace(/[.()]/g, "\\$&")}`));
    assert.match(deviation, /known deviation/);
    assert.match(deviation, /\[fail\] Requirement: register-2xx\.service-route/);
    assert.ok(await body.getByText(DEVIATION).first().isVisible(), "the deviation is visible on the test page");
    await page.screenshot({ path: join(shots, "known-deviation.png"), fullPage: true });
  } finally {
    await browser.close();
    server.close();
  }
});

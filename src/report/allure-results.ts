// The run's Allure results: allure-cucumberjs writes one result per scenario during the run; this
// module then gives each the verdict of the runner (fail -> failed; inconclusive and error ->
// broken, each recognisable by its category; not applicable -> skipped with the reason, written
// here since those test cases never ran), the labels and links of the test case, and the run's
// categories.json, environment.properties and executor.json.
//
// What an engineer sees first:
// - the overview: the gate (passed / FAILED and why) and the SUT in environment.properties (its
//   first rows), the report's name (allure-report.ts: "ims-interop: <vendor> <product> <version>
//   (<profile>) — gate FAILED"), and in CI the build with the gate;
// - a test page: the SUT, vendor, product, profile, PICS and a declared known deviation as
//   parameters (shown at the top of the page) and in the description; the tag "known deviation";
//   the suites grouped by area (parentSuite Registration, Call, Messaging, Robustness; suite the
//   feature); the references as links to the clause where the specification's HTML has anchors
//   (RFCs), else named with their clause ("TS 24.229 clause 5.1.1.2").
import { randomUUID } from "node:crypto";
import { readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Label, Link, Parameter, TestResult } from "allure-js-commons";
import { REQUIREMENTS } from "../conformance/catalogue.ts";
import type { Profile } from "../profile/profile.ts";
import type { RunResult, TestCaseResult } from "../runner/index.ts";
import type { Verdict } from "../runner/verdict.ts";
import type { GateVerdict } from "./certification-summary.ts";
import { escapeXml } from "./ladder-svg.ts";
import { maskSecrets, profileSecrets } from "./secrets.ts";
import { referenceName, referenceUrl } from "./references.ts";

/** The prefix of statusDetails.message, so that categories.json can tell the verdicts apart. */
export const VERDICT_PREFIX: Record<Verdict, string> = {
  pass: "",
  fail: "[fail] ",
  inconclusive: "[inconclusive] ",
  error: "[error] ",
  "not-applicable": "[not applicable] ",
};

const STATUS: Record<Verdict, TestResult["status"]> = {
  pass: "passed" as TestResult["status"],
  fail: "failed" as TestResult["status"],
  inconclusive: "broken" as TestResult["status"],
  error: "broken" as TestResult["status"],
  "not-applicable": "skipped" as TestResult["status"],
};

/** Regular-expression text matching `s` literally (Java regex, as Allure reads categories.json). */
function literal(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Failures grouped by the requirement they violated (one category per requirement of the catalogue,
 * whatever the message's wording), then other failed expectations, then the other verdicts.
 */
export const CATEGORIES = [
  ...REQUIREMENTS.map((r) => ({ name: `Requirement ${r.id} (${r.clause})`, matchedStatuses: ["failed"], messageRegex: `(?s)\\[fail\\] Requirement: ${literal(r.id)}:.*` })),
  { name: "SUT defects: other expectations (fail)", matchedStatuses: ["failed"], messageRegex: "(?s)\\[fail\\].*" },
  { name: "Test bed unreachable (error)", matchedStatuses: ["broken"], messageRegex: "(?s)\\[error\\].*(unreachable|no answer to OPTIONS|did not become ready).*" },
  { name: "Harness or test bed errors (error)", matchedStatuses: ["broken"], messageRegex: "(?s)\\[error\\].*" },
  { name: "Inconclusive: a precondition could not be established", matchedStatuses: ["broken"], messageRegex: "(?s)\\[inconclusive\\].*" },
  { name: "Not applicable (excluded by the profile's PICS)", matchedStatuses: ["skipped"], messageRegex: "(?s)\\[not applicable\\].*" },
];

/** The tag of a test case whose failure the profile declares (knownDeviations). */
export const KNOWN_DEVIATION_TAG = "known deviation";

const AREAS: Readonly<Record<string, string>> = { REG: "Registration", CALL: "Call", MSG: "Messaging", ROB: "Robustness" };

/** The area a test case belongs to: from its identifier (IMS-REG-001: Registration), else its feature file's folder. */
export function areaOf(tc: Pick<TestCaseResult["testCase"], "id" | "uri">): string {
  const code = /^IMS-([A-Z]+)-/.exec(tc.id)?.[1];
  if (code && AREAS[code]) return AREAS[code];
  const folder = /(?:^|\/)features\/([^/]+)\//.exec(tc.uri)?.[1];
  if (folder) return folder.charAt(0).toUpperCase() + folder.slice(1);
  return code ?? "Other";
}

/** "ims-interop reference-core 0.1.0": who made the SUT, what it is, which version. */
export function sutTitle(o: { readonly vendor: string; readonly product: string; readonly productVersion: string }): string {
  return [o.vendor, o.product, o.productVersion].filter((x) => x).join(" ");
}

/** The gate in one line: "passed" or "FAILED: mandatory IMS-REG-002 is fail; ...". */
export function gateLine(gate: Pick<GateVerdict, "passed" | "reasons">): string {
  return gate.passed ? "passed" : `FAILED: ${gate.reasons.join("; ") || "see summary.json"}`;
}

/** The report's name: "ims-interop: <vendor> <product> <version> (<profile>) — gate FAILED". */
export function reportName(o: { readonly vendor: string; readonly product: string; readonly productVersion: string; readonly profile: string; readonly gate: Pick<GateVerdict, "passed"> }): string {
  return `ims-interop: ${sutTitle(o)} (${o.profile}) \u2014 gate ${o.gate.passed ? "passed" : "FAILED"}`;
}

function picsOf(r: TestCaseResult): string {
  return r.testCase.picsTags.map((t) => t.replace(/^@?pics:/, "")).join(" & ") || "always";
}

/**
 * An interop run's pair (issue 15): its results go under parentSuite "X -> Y" and carry the pair as
 * a parameter (Allure takes results with one testCaseId and equal parameters for retries of one
 * test: without it, one pair's result would hide another's).
 */
export interface AllurePair {
  readonly label: string;
  readonly terminating: Profile;
}

function historyIdOf(r: TestCaseResult, run: RunResult, pair: AllurePair | undefined): string {
  return `${r.testCase.id}@${pair ? pair.label : run.profile.name}`;
}

function labelsFor(r: TestCaseResult, run: RunResult, pair?: AllurePair): Label[] {
  const tc = r.testCase;
  const p = run.profile;
  return [
    // Suites by area, then feature: Registration > Registration and authentication > IMS-REG-001 ...;
    // an interop pair's by the pair: "X -> Y" > Interoperability between networks > IMS-IOP-001 ...
    { name: "parentSuite", value: pair ? pair.label : areaOf(tc) },
    { name: "suite", value: tc.feature },
    { name: "AS_ID", value: tc.id },
    { name: "testCaseId", value: tc.id },
    { name: "level", value: tc.level },
    { name: "severity", value: tc.severity },
    { name: "pics", value: picsOf(r) },
    { name: "epic", value: "IMS conformance" },
    { name: "feature", value: tc.feature },
    { name: "story", value: tc.id },
    { name: "verdict", value: r.verdict },
    { name: "sut", value: run.sut },
    { name: "vendor", value: p.vendor },
    { name: "product", value: `${p.product} ${p.productVersion}` },
    { name: "profile", value: p.name },
    ...tc.tags.filter((t) => !t.startsWith("@pics:") && !t.startsWith("@ref=")).map((t) => ({ name: "tag", value: t.replace(/^@/, "") })),
    ...(r.knownDeviation !== undefined ? [{ name: "tag", value: KNOWN_DEVIATION_TAG }] : []),
  ] as Label[];
}

/** Shown at the top of the test page: what was tested, with which capabilities, and a declared deviation. */
function parametersFor(r: TestCaseResult, run: RunResult, pair?: AllurePair): Parameter[] {
  const p = run.profile;
  return [
    ...(pair
      ? [
          { name: "pair", value: pair.label },
          { name: "Terminating network", value: `${sutTitle(pair.terminating)} (${pair.terminating.ixit.domain})` },
        ]
      : []),
    ...(r.knownDeviation !== undefined ? [{ name: "Known deviation", value: r.knownDeviation }] : []),
    pair ? { name: "Originating network", value: `${sutTitle(p)} (${p.ixit.domain})` } : { name: "SUT", value: sutTitle(p) },
    { name: "Vendor", value: p.vendor },
    { name: "Product", value: `${p.product} ${p.productVersion}` },
    { name: "Profile", value: p.name },
    { name: "PICS", value: picsOf(r) },
    { name: "Level", value: r.testCase.level },
  ];
}

/**
 * The description (HTML): a declared known deviation first, then the SUT and the test case's PICS
 * and references. Allure sanitises it; every text is escaped here.
 */
function descriptionFor(r: TestCaseResult, run: RunResult): string {
  const p = run.profile;
  const out: string[] = [];
  if (r.knownDeviation !== undefined) {
    out.push(`<p><b>Known deviation</b> (declared in the profile ${escapeXml(p.file)}; the verdict ${escapeXml(r.verdict)} and the gate are unchanged): ${escapeXml(r.knownDeviation)}</p>`);
  }
  out.push(`<p><b>SUT</b>: ${escapeXml(sutTitle(p))} (vendor ${escapeXml(p.vendor)}, product ${escapeXml(p.product)}, version ${escapeXml(p.productVersion)}), profile ${escapeXml(p.name)}</p>`);
  out.push(`<p><b>PICS</b>: ${escapeXml(picsOf(r))}; <b>level</b>: ${escapeXml(r.testCase.level)}; <b>area</b>: ${escapeXml(areaOf(r.testCase))}</p>`);
  const refs = r.testCase.references.map((ref) => `<a href="${escapeXml(referenceUrl(ref))}">${escapeXml(referenceName(ref))}</a>`);
  if (refs.length) out.push(`<p><b>References</b>: ${refs.join(", ")}</p>`);
  return out.join("\n");
}

function linksFor(r: TestCaseResult): Link[] {
  return r.testCase.references.map((ref) => ({ name: referenceName(ref), url: referenceUrl(ref), type: "link" }));
}

/**
 * Rewrites the results allure-cucumberjs wrote, adds the not-applicable ones, and writes
 * categories, environment and executor. Every text written goes through the secrets mask.
 */
export async function finishAllureResults(resultsDir: string, run: RunResult, gateVerdict: GateVerdict, env: NodeJS.ProcessEnv = process.env, pair?: AllurePair): Promise<void> {
  const secrets = [...profileSecrets(run.profile), ...(pair ? profileSecrets(pair.terminating) : [])];
  const byId = new Map(run.results.map((r) => [r.testCase.id, r]));
  const seen = new Set<string>();
  const files = await readdir(resultsDir).catch(() => [] as string[]);
  const evidence = await moveHookAttachments(resultsDir, files);
  for (const file of files.filter((f) => f.endsWith("-result.json"))) {
    const path = join(resultsDir, file);
    const result = JSON.parse(await readFile(path, "utf8")) as TestResult;
    // The evidence attached by the After hook belongs to the test case itself, not to its tear-down
    result.attachments = [...(result.attachments ?? []), ...(evidence.get(result.uuid) ?? [])];
    const id = (result.labels ?? []).map((l) => /^@?(IMS-[A-Z]+-\d{3})$/.exec(l.value)?.[1]).find((x) => x) ?? /(IMS-[A-Z]+-\d{3})/.exec(result.name ?? "")?.[1];
    const r = id ? byId.get(id) : undefined;
    if (!r) continue;
    seen.add(r.testCase.id);
    const keep = (result.labels ?? []).filter((l) => !["tag", "severity", "feature", "story", "epic", "parentSuite", "suite", "subSuite"].includes(l.name));
    result.labels = [...keep, ...labelsFor(r, run, pair)];
    result.links = linksFor(r);
    result.parameters = parametersFor(r, run, pair);
    result.descriptionHtml = descriptionFor(r, run);
    result.name = `${r.testCase.id} ${r.testCase.name}`;
    result.testCaseId = r.testCase.id;
    result.historyId = historyIdOf(r, run, pair);
    result.status = STATUS[r.verdict];
    // A failed expectation is the SUT's failure: its step shows as failed, not broken
    if (r.verdict === "fail") markBrokenStepsFailed(result.steps ?? []);
    if (r.verdict !== "pass") result.statusDetails = { ...(result.statusDetails ?? {}), message: VERDICT_PREFIX[r.verdict] + (r.reason ?? "") };
    await writeFile(path, maskSecrets(JSON.stringify(result), secrets));
  }
  // Test cases that never ran (not applicable, or an error before the run) get a result of their own
  const now = Date.now();
  for (const r of run.results) {
    if (seen.has(r.testCase.id)) continue;
    const uuid = randomUUID();
    const result = {
      uuid,
      name: `${r.testCase.id} ${r.testCase.name}`,
      fullName: `${r.testCase.uri}:${r.testCase.line}`,
      testCaseId: r.testCase.id,
      historyId: historyIdOf(r, run, pair),
      status: STATUS[r.verdict],
      stage: "finished",
      statusDetails: { message: VERDICT_PREFIX[r.verdict] + (r.reason ?? "") },
      labels: labelsFor(r, run, pair),
      links: linksFor(r),
      steps: [],
      attachments: [],
      parameters: parametersFor(r, run, pair),
      descriptionHtml: descriptionFor(r, run),
      start: now,
      stop: now,
    };
    await writeFile(join(resultsDir, `${uuid}-result.json`), maskSecrets(JSON.stringify(result), secrets));
  }
  await writeFile(join(resultsDir, "categories.json"), JSON.stringify(CATEGORIES, null, 2));
  await writeFile(join(resultsDir, "environment.properties"), maskSecrets(environmentProperties(run.profile, run.sut, gateVerdict, run.results), secrets));
  const executor = executorInfo(env, { gate: gateVerdict, reportName: reportName({ ...run.profile, profile: run.profile.name, gate: gateVerdict }) });
  if (executor) await writeFile(join(resultsDir, "executor.json"), maskSecrets(JSON.stringify(executor, null, 2), secrets));
}

function markBrokenStepsFailed(steps: TestResult["steps"]): void {
  for (const step of steps) {
    if (step.status === ("broken" as TestResult["status"])) step.status = "failed" as TestResult["status"];
    markBrokenStepsFailed(step.steps ?? []);
  }
}

type Attachment = TestResult["attachments"][number];
interface Fixture {
  attachments?: Attachment[];
  steps?: Fixture[];
  name?: string;
}

/**
 * allure-cucumberjs files the attachments of After hooks under the container's tear-down, each in
 * a step of its own; this takes them out (rewriting the container) and returns them by test uuid.
 */
async function moveHookAttachments(resultsDir: string, files: readonly string[]): Promise<Map<string, Attachment[]>> {
  const out = new Map<string, Attachment[]>();
  const collect = (f: Fixture): Attachment[] => [...(f.attachments ?? []), ...(f.steps ?? []).flatMap(collect)];
  for (const file of files.filter((f) => f.endsWith("-container.json"))) {
    const path = join(resultsDir, file);
    const container = JSON.parse(await readFile(path, "utf8")) as { children?: string[]; afters?: Fixture[] };
    const found = (container.afters ?? []).flatMap(collect);
    if (found.length === 0) continue;
    for (const child of container.children ?? []) out.set(child, [...(out.get(child) ?? []), ...found]);
    for (const a of container.afters ?? []) {
      a.attachments = [];
      a.steps = [];
    }
    await writeFile(path, JSON.stringify(container));
  }
  return out;
}

/**
 * environment.properties, in the order the overview shows it (its first five rows without "show
 * all"): the gate, the SUT, the profile, vendor, product version; then the target, the known
 * deviations, PICS and the rest.
 */
export function environmentProperties(p: Profile, sut: string, gateVerdict?: GateVerdict, results: readonly TestCaseResult[] = []): string {
  const pics = Object.entries(p.pics)
    .filter(([, v]) => v)
    .map(([k]) => k)
    .join(", ");
  const deviations = results.filter((r) => r.knownDeviation !== undefined).map((r) => `${r.testCase.id} (${r.verdict})`);
  const lines: Record<string, string> = {
    ...(gateVerdict ? { Gate: gateLine(gateVerdict) } : {}),
    SUT: sutTitle(p),
    Profile: `${p.name} (${p.file})`,
    Vendor: p.vendor,
    Product: p.product,
    "Product.version": p.productVersion,
    Target: sut,
    "Target.kind": p.target.kind,
    ...(deviations.length ? { "Known.deviations": deviations.join(", ") } : {}),
    PICS: pics || "none",
    Domain: p.ixit.domain,
    Transports: p.ixit.transports.join(", "),
    Timers: `T1=${p.ixit.timers.t1} T2=${p.ixit.timers.t2} T4=${p.ixit.timers.t4}`,
    "Harness.version": harnessVersion,
    Node: process.version,
  };
  return (
    Object.entries(lines)
      .map(([k, v]) => propertyLine(k, v))
      .join("\n") + "\n"
  );
}

/** One line of a .properties file: the key without separators, the value on one line, backslashes doubled. */
export function propertyLine(key: string, value: string): string {
  return `${key.replace(/[ :=]/g, "_")}=${value.replace(/\\/g, "\\\\").replace(/\r?\n/g, " ")}`;
}

/**
 * The Gate row of environment.properties set to `gate` (added first when absent): after a merge the
 * results carry the first shard's environment, and the gate is the merged summary's.
 */
export function withGate(properties: string, gate: Pick<GateVerdict, "passed" | "reasons">): string {
  const lines = properties.split(/\r?\n/).filter((l) => l !== "" && !/^Gate\s*[=:]/.test(l));
  return [propertyLine("Gate", gateLine(gate)), ...lines].join("\n") + "\n";
}

let harnessVersion = "unknown";
export function setHarnessVersion(v: string): void {
  harnessVersion = v;
}

/**
 * executor.json from the usual CI variables (GitHub Actions, GitLab CI, Jenkins); none outside CI.
 * With `run`, the build's name carries the gate ("nightly #12 — gate FAILED") and the report's name.
 */
export function executorInfo(env: NodeJS.ProcessEnv, run?: { readonly gate: Pick<GateVerdict, "passed">; readonly reportName: string }): Record<string, string> | undefined {
  const ci = ciExecutor(env);
  if (!ci || !run) return ci;
  return { ...ci, buildName: `${ci["buildName"] ?? ""} \u2014 gate ${run.gate.passed ? "passed" : "FAILED"}`, reportName: run.reportName };
}

function ciExecutor(env: NodeJS.ProcessEnv): Record<string, string> | undefined {
  if (env["GITHUB_ACTIONS"] && env["GITHUB_RUN_ID"]) {
    const url = `${env["GITHUB_SERVER_URL"] ?? ""}/${env["GITHUB_REPOSITORY"] ?? ""}/actions/runs/${env["GITHUB_RUN_ID"]}`;
    return { name: "GitHub Actions", type: "github", buildName: `${env["GITHUB_WORKFLOW"] ?? "workflow"} #${env["GITHUB_RUN_NUMBER"] ?? env["GITHUB_RUN_ID"]}`, buildUrl: url, reportUrl: "" };
  }
  if (env["GITLAB_CI"]) return { name: "GitLab CI", type: "gitlab", buildName: `${env["CI_JOB_NAME"] ?? "job"} #${env["CI_JOB_ID"] ?? ""}`, buildUrl: env["CI_JOB_URL"] ?? "", reportUrl: "" };
  if (env["JENKINS_URL"] || env["BUILD_URL"])
    return { name: "Jenkins", type: "jenkins", buildName: `${env["JOB_NAME"] ?? "job"} #${env["BUILD_NUMBER"] ?? ""}`, buildUrl: env["BUILD_URL"] ?? "", reportUrl: "" };
  if (env["CI"] && env["BUILD_NAME"]) return { name: "CI", type: "ci", buildName: env["BUILD_NAME"], buildUrl: env["BUILD_URL"] ?? "", reportUrl: "" };
  return undefined;
}

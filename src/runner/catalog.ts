// Reads the feature files into test cases without running them (for `list`, applicability and
// the not-applicable verdicts), with Gherkin's own parser and pickle compiler.
import { readFile, readdir } from "node:fs/promises";
import { join, relative } from "node:path";
import { AstBuilder, GherkinClassicTokenMatcher, Parser, compile } from "@cucumber/gherkin";
import { type GherkinDocument, IdGenerator, type Pickle } from "@cucumber/messages";
import { type TestCase, testCaseFromTags } from "./test-case.ts";

async function featureFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const out: string[] = [];
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await featureFiles(p)));
    else if (e.name.endsWith(".feature")) out.push(p);
  }
  return out.sort();
}

export class CatalogError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`the suite has ${problems.length} problem(s):\n${problems.join("\n")}`);
    this.name = "CatalogError";
  }
}

/** Each feature file of `featuresDir` parsed, with its path relative to the project (the pickles' uri). */
async function* featureDocuments(featuresDir: string, projectDir: string, newId: () => string): AsyncGenerator<{ uri: string; doc: ReturnType<Parser<unknown>["parse"]> }> {
  for (const file of await featureFiles(featuresDir)) {
    const parser = new Parser(new AstBuilder(newId), new GherkinClassicTokenMatcher());
    yield { uri: relative(projectDir, file).replace(/\\/g, "/"), doc: parser.parse(await readFile(file, "utf8")) };
  }
}

/** Every scenario of `featuresDir` as a test case; duplicated identifiers and missing tags are errors. */
export async function loadCatalog(featuresDir: string, projectDir: string): Promise<TestCase[]> {
  const cases: TestCase[] = [];
  const problems: string[] = [];
  const newId = IdGenerator.incrementing();
  for await (const { uri, doc } of featureDocuments(featuresDir, projectDir, newId)) {
    if (!doc.feature) continue;
    const outlines = new Set<string>();
    for (const pickle of compile(doc, uri, newId)) {
      const line = lineOf(doc, pickle.astNodeIds[0]);
      // The examples of a scenario outline are one test case, named by the outline ("over <transport>")
      const outline = pickle.astNodeIds.length > 1 ? outlineName(doc, pickle.astNodeIds[0]) : undefined;
      if (outline !== undefined && outlines.has(`${line}`)) continue;
      if (outline !== undefined) outlines.add(`${line}`);
      const tc = testCaseFromTags(
        pickle.tags.map((t) => t.name),
        outline ?? pickle.name,
        doc.feature.name,
        uri,
        line,
      );
      if ("error" in tc) problems.push(tc.error);
      else cases.push(tc);
    }
  }
  const seen = new Map<string, TestCase>();
  for (const tc of cases) {
    const other = seen.get(tc.id);
    if (other) problems.push(`${tc.uri}:${tc.line}: identifier ${tc.id} is already used at ${other.uri}:${other.line}`);
    seen.set(tc.id, tc);
  }
  if (problems.length) throw new CatalogError(problems);
  return cases;
}

/** The pickles (a scenario, or each example of an outline) of one test case, with the Gherkin document they come from. */
export async function picklesOf(featuresDir: string, projectDir: string, id: string): Promise<{ pickles: Pickle[]; document: GherkinDocument }> {
  const newId = IdGenerator.incrementing();
  for await (const { uri, doc } of featureDocuments(featuresDir, projectDir, newId)) {
    const pickles = compile(doc, uri, newId).filter((p) => p.tags.some((t) => t.name === `@${id}`));
    if (pickles.length > 0) return { pickles, document: { ...doc, uri } };
  }
  throw new CatalogError([`no test case ${id} in ${relative(projectDir, featuresDir) || featuresDir}`]);
}

/** The scenario (or outline) an AST node id belongs to: the scenario itself, or one of its example rows. */
function scenarioOf(doc: ReturnType<Parser<unknown>["parse"]>, astNodeId: string | undefined) {
  for (const child of doc.feature?.children ?? []) {
    const scenario = child.scenario ?? child.rule?.children.find((c) => c.scenario?.id === astNodeId)?.scenario;
    if (!scenario) continue;
    if (scenario.id === astNodeId) return { scenario, line: scenario.location.line };
    for (const ex of scenario.examples) for (const row of ex.tableBody) if (row.id === astNodeId) return { scenario, line: row.location.line };
  }
  return undefined;
}

/** The name of the scenario outline a pickle comes from, as written (with its <placeholders>). */
function outlineName(doc: ReturnType<Parser<unknown>["parse"]>, astNodeId: string | undefined): string | undefined {
  const found = scenarioOf(doc, astNodeId);
  return found && found.scenario.examples.length > 0 ? found.scenario.name : undefined;
}

function lineOf(doc: ReturnType<Parser<unknown>["parse"]>, astNodeId: string | undefined): number {
  return scenarioOf(doc, astNodeId)?.line ?? 0;
}

// docs/requirements.md: the catalogue of requirements as a table (id, clause, the party it binds,
// the messages it constrains, the normative statement) with the test cases whose messages exercised
// each, as read from a run of the suite against the reference core.
import { REQUIREMENTS } from "../conformance/catalogue.ts";
import { type Constrained, describeApplicability } from "../conformance/requirement.ts";
import type { RunResult } from "../runner/index.ts";

/**
 * Requirement id -> the test cases that checked it at least once, in identifier order: from the run of
 * the network suite, and for the requirements that bind a UE, from the run of the terminal suite (the
 * only one that exercises them; the rest it checks depends on when a UE's background exchanges, a reg
 * event NOTIFY answered, fall inside a test case).
 */
export function exercisedBy(network: RunResult, terminal?: RunResult): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const bindsUe = new Set(REQUIREMENTS.filter((r) => r.constrains === "ue").map((r) => r.id));
  const add = (run: RunResult, keep: (id: string) => boolean): void => {
    for (const r of run.results) for (const q of r.requirements ?? []) if (q.checked > 0 && keep(q.id)) out.set(q.id, [...(out.get(q.id) ?? []), r.testCase.id]);
  };
  add(network, () => true);
  if (terminal) add(terminal, (id) => bindsUe.has(id));
  for (const ids of out.values()) ids.sort();
  return out;
}

/** Who a requirement binds, as the table says it. */
const BINDS: Readonly<Record<Constrained, string>> = { network: "network", ue: "UE under test", any: "any" };

const cell = (s: string): string => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function renderRequirementsDoc(exercised: ReadonlyMap<string, readonly string[]>): string {
  const groups = new Map<string, (typeof REQUIREMENTS)[number][]>();
  for (const r of REQUIREMENTS) {
    const area = r.id.split(".")[0];
    groups.set(area, [...(groups.get(area) ?? []), r]);
  }
  const lines = [
    "# Requirements",
    "",
    "Generated from `src/conformance/catalogue.ts` by `npm run requirements-doc`; `test/runner/run-suite.test.ts` fails when this file",
    "is out of date. Every message a simulated UE receives is checked against every requirement that applies to it, whatever",
    'the step asked (docs/architecture.md, "Requirements and verdicts"). The last column lists the test cases whose messages',
    "exercised the requirement in a run against the reference core (for the requirements that bind a UE, in a run of the terminal suite against the self-test UE); each requirement is proven by a test that feeds a violating",
    "message (`test/conformance/requirements/`).",
    "",
    'The "binds" column says which party a requirement constrains: `network` (the SUT network, judged on what a simulated UE',
    "receives), `UE under test` (a terminal under test, judged on what the harness's network receives from it) or `any` (a rule",
    "of RFC 3261 or its extensions that binds every UA and proxy alike, judged on both sides).",
    "",
    `${REQUIREMENTS.length} requirements.`,
    "",
  ];
  for (const [area, reqs] of groups) {
    lines.push(`## ${area}`, "", "| id | clause | binds | applies to | requirement | exercised by |", "|---|---|---|---|---|---|");
    for (const r of reqs) {
      const by = exercised.get(r.id) ?? [];
      lines.push(`| \`${r.id}\` | ${cell(r.clause)} | ${BINDS[r.constrains]} | ${cell(describeApplicability(r.appliesTo))} | ${cell(r.statement)} | ${by.length ? by.join(", ") : "none yet"} |`);
    }
    lines.push("");
  }
  return lines.join("\n");
}

// A test case as the suite declares it: one Gherkin scenario with its identifier, reference,
// level and PICS tags (design: "Test case").

export interface TestCase {
  /** Stable identifier from the tag, e.g. "IMS-REG-001". */
  readonly id: string;
  readonly name: string;
  readonly feature: string;
  /** Path of the feature file relative to the project, and the scenario's line. */
  readonly uri: string;
  readonly line: number;
  readonly level: "mandatory" | "optional";
  /** Specification references from `@ref=...` tags, e.g. "TS24.229-5.1.1.2". */
  readonly references: readonly string[];
  /** The `@pics:` tags, e.g. "pics:aka". */
  readonly picsTags: readonly string[];
  readonly severity: string;
  readonly tags: readonly string[];
}

const ID_TAG = /^@(IMS-[A-Z]+-\d{3})$/;

export function testCaseFromTags(tags: readonly string[], name: string, feature: string, uri: string, line: number): TestCase | { error: string } {
  const ids = tags.map((t) => ID_TAG.exec(t)?.[1]).filter((x): x is string => x !== undefined);
  if (ids.length !== 1) return { error: `${uri}:${line}: scenario "${name}" needs exactly one @IMS-AREA-NNN identifier tag (has ${ids.length})` };
  const mandatory = tags.includes("@mandatory");
  const optional = tags.includes("@optional");
  if (mandatory === optional) return { error: `${uri}:${line}: ${ids[0]} needs exactly one of @mandatory or @optional` };
  const references = tags.filter((t) => t.startsWith("@ref=")).map((t) => t.slice(5));
  if (references.length === 0) return { error: `${uri}:${line}: ${ids[0]} has no @ref= specification reference` };
  const severity = tags.find((t) => t.startsWith("@severity:"))?.slice(10) ?? (mandatory ? "critical" : "normal");
  return {
    id: ids[0],
    name,
    feature,
    uri,
    line,
    level: mandatory ? "mandatory" : "optional",
    references,
    picsTags: tags.filter((t) => t.startsWith("@pics:")).map((t) => t.slice(1)),
    severity,
    tags,
  };
}

// The requirements a test case checked, as its After hook attaches them and the runner reads them
// back from Cucumber's messages (the same path from every parallel worker).

export const REQUIREMENTS_MEDIA_TYPE = "application/vnd.ims-interop.requirements+json";

export interface CheckedRequirement {
  readonly id: string;
  readonly clause: string;
  /** Messages it was checked on. */
  readonly checked: number;
  /** Of those, how many violated it. */
  readonly violated: number;
}

/** Reads the attachment's body; anything unreadable is a bug of the harness and says so. */
export function parseRequirementsEvidence(body: string): CheckedRequirement[] {
  const parsed = JSON.parse(body) as { requirements?: CheckedRequirement[] };
  if (!Array.isArray(parsed.requirements)) throw new Error(`requirements evidence without a "requirements" list: ${body.slice(0, 80)}`);
  return parsed.requirements;
}

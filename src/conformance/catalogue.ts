// The catalogue: every requirement the monitor runs on received messages, by message kind.
// docs/requirements.md is generated from it (npm run requirements-doc) and checked by a test.
import type { Requirement } from "./requirement.ts";
import { END_OF_TEST_CASE_REQUIREMENTS } from "./requirements/end-of-test-case.ts";
import { MESSAGE_REQUIREMENTS } from "./requirements/message.ts";
import { RESPONSE_REQUIREMENTS } from "./requirements/response.ts";

export const REQUIREMENTS: readonly Requirement[] = [...MESSAGE_REQUIREMENTS, ...RESPONSE_REQUIREMENTS, ...END_OF_TEST_CASE_REQUIREMENTS];

const BY_ID = new Map(REQUIREMENTS.map((r) => [r.id, r]));

/** The requirement with this id; an unknown id is a bug of the harness. */
export function requirement(id: string): Requirement {
  const r = BY_ID.get(id);
  if (!r) throw new Error(`no requirement "${id}" in the catalogue`);
  return r;
}

// Loads a profile: YAML -> schema checks (./profile-schema.ts) -> the resolved Profile, or a
// ProfileError listing every problem with its line. Configuration is read here, once, at the edge.
import { readFile } from "node:fs/promises";
import { LineCounter, parseDocument } from "yaml";
import type { Profile } from "./profile.ts";
import { ProfileError, type ProfileProblem } from "./profile-error.ts";
import { readProfileDocument } from "./profile-schema.ts";

export type Environment = Readonly<Record<string, string | undefined>>;

/** Reads and validates a profile file; secrets come from `env` (process.env unless given). */
export async function loadProfile(file: string, env: Environment = process.env): Promise<Profile> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code ?? (cause as Error).message;
    throw new ProfileError([{ file, field: "(profile)", message: `expected a readable YAML file; found none (${reason})` }], { cause });
  }
  return validateProfileText(text, file, env);
}

/** Validates profile text as if read from `file`; throws a ProfileError holding every problem. */
export function validateProfileText(text: string, file: string, env: Environment = process.env): Profile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    // A document with syntax errors is not checked further: its shape is unreliable.
    const problems: ProfileProblem[] = doc.errors.map((e) => ({ file, line: lines.linePos(e.pos[0]).line, field: "(yaml)", message: `expected valid YAML; found ${yamlMessage(e.message)}` }));
    throw new ProfileError(problems);
  }
  const result = readProfileDocument(doc, lines, file, env);
  if (result.problems) throw new ProfileError(result.problems);
  return result.profile;
}

/** The first line of a YAML parser message, without a trailing period, first letter in lower case. */
function yamlMessage(message: string): string {
  const first = (message.split("\n")[0] ?? "").replace(/\.$/, "");
  return first.charAt(0).toLowerCase() + first.slice(1);
}

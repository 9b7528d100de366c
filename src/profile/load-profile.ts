// Loads a profile: YAML -> the JSON Schema (./profile-schema.ts, ./schema-problems.ts) and the checks
// it cannot express (./read-profile.ts) -> the resolved Profile, or a ProfileError listing every
// problem with its line. Configuration is read here, once, at the edge.
import { open } from "node:fs/promises";
import { LineCounter, parseDocument } from "yaml";
import { PROFILE_LIMITS, formatBytes } from "./limits.ts";
import type { Profile } from "./profile.ts";
import { ProfileError, type ProfileProblem } from "./profile-error.ts";
import { readProfile } from "./read-profile.ts";
import { Locator } from "./schema-problems.ts";

export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Reads and validates a profile file; secrets come from `env` (process.env unless given). A file
 * over PROFILE_LIMITS.fileBytes is refused before it is parsed (issue 10, gap 4).
 */
export async function loadProfile(file: string, env: Environment = process.env): Promise<Profile> {
  let read: { bytes: Buffer; size: number | undefined };
  try {
    read = await readAtMost(file, PROFILE_LIMITS.fileBytes);
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code ?? (cause as Error).message;
    throw new ProfileError([{ file, field: "(profile)", message: `expected a readable YAML file; found none (${reason})` }], { cause });
  }
  if (read.bytes.length > PROFILE_LIMITS.fileBytes) {
    const found = read.size === undefined ? `more than ${formatBytes(PROFILE_LIMITS.fileBytes)}` : formatBytes(read.size);
    throw new ProfileError([{ file, field: "(profile)", message: `expected a profile of at most ${formatBytes(PROFILE_LIMITS.fileBytes)}; found ${found}` }]);
  }
  return validateProfileText(read.bytes.toString("utf8"), file, env);
}

/**
 * The first `limit + 1` bytes of a file at most, and its size when it is a regular file: a larger
 * file, a device or a pipe is never read whole.
 */
async function readAtMost(file: string, limit: number): Promise<{ bytes: Buffer; size: number | undefined }> {
  const handle = await open(file, "r");
  try {
    const stat = await handle.stat();
    const buffer = Buffer.alloc(limit + 1);
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, null);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return { bytes: buffer.subarray(0, filled), size: stat.isFile() ? Math.max(stat.size, filled) : undefined };
  } finally {
    await handle.close();
  }
}

/**
 * Validates profile text as if read from `file`; throws a ProfileError holding every problem. The
 * size of the text is not limited here (loadProfile limits the file); its fields are.
 */
export function validateProfileText(text: string, file: string, env: Environment = process.env): Profile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    // A document with syntax errors is not checked further: its shape is unreliable.
    const problems: ProfileProblem[] = doc.errors.map((e) => ({ file, line: lines.linePos(e.pos[0]).line, field: "(yaml)", message: `expected valid YAML; found ${yamlMessage(e.message)}` }));
    throw new ProfileError(problems);
  }
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (e) {
    // An alias bomb: the yaml package refuses to expand it
    throw new ProfileError([{ file, line: 1, field: "(yaml)", message: `expected valid YAML; found ${yamlMessage((e as Error).message)}` }]);
  }
  const result = readProfile(new Locator(file, doc, lines, data), env);
  if (result.problems) throw new ProfileError(result.problems);
  return result.profile;
}

/**
 * The first line of a YAML parser message, without a trailing period, first letter in lower case;
 * cut at 200 characters, as it may quote the document (an unresolved tag, an alias name).
 */
function yamlMessage(message: string): string {
  let first = (message.split("\n")[0] ?? "").replace(/\.$/, "");
  if (first.length > 200) first = `${first.slice(0, 197)}...`;
  return first.charAt(0).toLowerCase() + first.slice(1);
}

// The `target:` section of a profile: how the SUT is reached (embedded, remote, process, container).
import { isScalar } from "yaml";
import { PROFILE_LIMITS } from "./limits.ts";
import { FAULT_NAMES, type FaultName, type TargetConfig } from "./profile.ts";
import { ENV_NAME } from "./secrets.ts";
import { type Checker, type Slot, checkLength, child, readEnum, readInteger, readKinded, readList, readMap, readString, reject } from "./yaml-checks.ts";

export const TARGET_KINDS = ["embedded", "remote", "process", "container"] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

/** The fields each target kind may hold. */
export const TARGET_FIELDS: Readonly<Record<TargetKind, readonly string[]>> = {
  embedded: ["kind", "faults"],
  remote: ["kind"],
  process: ["kind", "command", "args", "cwd", "env", "startTimeoutMs"],
  container: ["kind", "image", "build", "env", "startTimeoutMs"],
};

/** Defaults of startTimeoutMs: a process starts in seconds, a container may first be built. */
export const DEFAULT_START_TIMEOUT_MS: Readonly<Record<"process" | "container", number>> = { process: 30_000, container: 120_000 };

const MAX_TIMEOUT_MS = 3_600_000;
/** What is handed to the OS may be as long as a path (PROFILE_LIMITS.systemTextChars). */
const SYSTEM = { max: PROFILE_LIMITS.systemTextChars } as const;

/** Reads `target:`; `kind` is returned even when another field is wrong (the secrets depend on it). */
export function readTarget(ck: Checker, slot: Slot): { kind: TargetKind | undefined; target: TargetConfig | undefined } {
  const read = readKinded(ck, slot, `a mapping with kind: ${TARGET_KINDS.join(" | ")}`, "target", TARGET_FIELDS);
  if (!read?.kind) return { kind: undefined, target: undefined };
  const { view, kind } = read;
  switch (kind) {
    case "embedded": {
      const s = view.optional("faults");
      const faults = s ? readList<FaultName>(ck, s, "a list of fault names", PROFILE_LIMITS.faults, (item) => readEnum(ck, item, FAULT_NAMES)) : [];
      return { kind, target: faults && { kind, faults } };
    }
    case "remote":
      return { kind, target: { kind } };
    case "process": {
      const commandSlot = view.required("command", "the program that starts the SUT");
      const command = commandSlot && readString(ck, commandSlot, "the program that starts the SUT (a string)", SYSTEM);
      const argsSlot = view.optional("args");
      const args = argsSlot ? readList(ck, argsSlot, "a list of strings", PROFILE_LIMITS.args, (item) => readString(ck, item, "a string", SYSTEM)) : [];
      const cwdSlot = view.optional("cwd");
      const cwd = cwdSlot && readString(ck, cwdSlot, "a directory (a string)", SYSTEM);
      const env = readEnvMap(ck, view.optional("env"));
      const startTimeoutMs = readTimeout(ck, view.optional("startTimeoutMs"), DEFAULT_START_TIMEOUT_MS.process);
      if (command === undefined || args === undefined || (cwdSlot && cwd === undefined) || env === undefined || startTimeoutMs === undefined) return { kind, target: undefined };
      return { kind, target: cwd === undefined ? { kind, command, args, env, startTimeoutMs } : { kind, command, args, cwd, env, startTimeoutMs } };
    }
    case "container": {
      const imageSlot = view.optional("image");
      const buildSlot = view.optional("build");
      const image = imageSlot && readString(ck, imageSlot, "an image reference (a string)", SYSTEM);
      const build = buildSlot && readString(ck, buildSlot, "a folder holding a Dockerfile, e.g. docker/kamailio", SYSTEM);
      let ok = (!imageSlot || image !== undefined) && (!buildSlot || build !== undefined);
      if (!imageSlot && !buildSlot) {
        ck.report(view.line, child(view.path, "image"), "missing required field; expected image (an image reference) or build (a folder holding a Dockerfile, e.g. docker/kamailio)");
        ok = false;
      } else if (imageSlot && buildSlot) {
        ck.report(buildSlot.line, buildSlot.path, "expected either image or build, not both; found both");
        ok = false;
      }
      const env = readEnvMap(ck, view.optional("env"));
      const startTimeoutMs = readTimeout(ck, view.optional("startTimeoutMs"), DEFAULT_START_TIMEOUT_MS.container);
      if (!ok || env === undefined || startTimeoutMs === undefined) return { kind, target: undefined };
      return { kind, target: image !== undefined ? { kind, image, env, startTimeoutMs } : { kind, build: build as string, env, startTimeoutMs } };
    }
  }
}

function readTimeout(ck: Checker, slot: Slot | undefined, fallback: number): number | undefined {
  return slot ? readInteger(ck, slot, `a positive integer of milliseconds, at most ${MAX_TIMEOUT_MS}`, 1, MAX_TIMEOUT_MS) : fallback;
}

/** `env:` of a process or container: variable name -> value (numbers and booleans become text). */
function readEnvMap(ck: Checker, slot: Slot | undefined): Record<string, string> | undefined {
  if (!slot) return {};
  const view = readMap(ck, slot, "a mapping of environment variable names to values", { fields: null, maxEntries: PROFILE_LIMITS.envEntries });
  if (!view) return undefined;
  const env: Record<string, string> = {};
  let ok = true;
  for (const [name, s] of view.entries) {
    if (!ENV_NAME.test(name)) {
      ck.report(s.line, s.path, `expected an environment variable name (letters, digits and _, not starting with a digit) as the key; found ${JSON.stringify(name)}`);
      ok = false;
      continue;
    }
    const node = s.node;
    if (!isScalar(node) || node.value === null || typeof node.value === "object") {
      reject(ck, s, "a string");
      ok = false;
      continue;
    }
    const value = String(node.value);
    if (!checkLength(ck, s, value, "a value", PROFILE_LIMITS.systemTextChars)) {
      ok = false;
      continue;
    }
    env[name] = value;
  }
  return ok ? env : undefined;
}

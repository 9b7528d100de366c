// The image of a container target: `image:` as given, or `build:` a folder with a Dockerfile,
// built once per content: the tag carries a digest of the folder's files, so a second run with
// the same files finds the image and builds nothing.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, readdir } from "node:fs/promises";
import { basename, dirname, join, relative, resolve } from "node:path";
import { type ContainerRuntimeClient, GenericContainer, ImageName, getContainerRuntimeClient } from "testcontainers";
import { TargetUnavailableError } from "./target.ts";

export interface ContainerImage {
  /** The image reference the container runs. */
  readonly image: string;
  /** The folder it was built from, when built. */
  readonly context?: string;
  /** "built in 11.2 s", "found (built before)", "given". */
  readonly how: string;
}

/**
 * On engines with no registry for the Ryuk reaper image and none for the helper that finds the
 * host (no Docker Desktop), testcontainers needs these two; a value set by the user is kept.
 * The containers are removed by this harness itself (container-cleanup.ts), not by Ryuk.
 */
export function prepareTestcontainersEnv(): void {
  process.env["TESTCONTAINERS_RYUK_DISABLED"] ??= "true";
  process.env["TESTCONTAINERS_HOST_OVERRIDE"] ??= "localhost";
}

/** The engine's client, or a TargetUnavailableError that says how to get an engine. */
export async function containerRuntime(): Promise<ContainerRuntimeClient> {
  prepareTestcontainersEnv();
  try {
    return await getContainerRuntimeClient();
  } catch (e) {
    throw new TargetUnavailableError(`no Docker engine answers (${e instanceof Error ? e.message : String(e)}); start one (on Debian as root: scripts/prepare-docker.sh), see docs/containers.md`, {
      cause: e,
    });
  }
}

/**
 * The folder `build` names: `docker/<build>` of the project, else `<build>` relative to the project,
 * else relative to the profile's folder; the first one holding a Dockerfile.
 */
export function resolveBuildContext(build: string, projectDir: string, profileFile: string): string {
  const candidates = [resolve(projectDir, "docker", build), resolve(projectDir, build), resolve(dirname(resolve(profileFile)), build)];
  const found = candidates.find((dir) => existsSync(join(dir, "Dockerfile")));
  if (!found) {
    throw new TargetUnavailableError(`target.build "${build}": no Dockerfile in ${[...new Set(candidates)].join(", ")}`);
  }
  return found;
}

/** SHA-256 over every file of `dir` (relative path and content, in sorted order), hex. */
export async function contextDigest(dir: string): Promise<string> {
  const hash = createHash("sha256");
  const files = (await filesUnder(dir)).sort();
  for (const file of files) {
    hash.update(relative(dir, file)).update("\0");
    hash.update(await readFile(file)).update("\0");
  }
  return hash.digest("hex");
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/** `ims-interop/<folder name>:<first 12 hex digits of the digest>`. */
export function buildTag(context: string, digest: string): string {
  const name =
    basename(context)
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, "-")
      .replace(/^[^a-z0-9]+/, "") || "sut";
  return `ims-interop/${name}:${digest.slice(0, 12)}`;
}

// One build per tag at a time in this process (parallel starts of the same target share it).
const building = new Map<string, Promise<ContainerImage>>();

/** Builds `context` unless an image with its content tag exists. */
export async function ensureBuiltImage(client: ContainerRuntimeClient, context: string): Promise<ContainerImage> {
  const tag = buildTag(context, await contextDigest(context));
  if (await client.image.exists(ImageName.fromString(tag))) return { image: tag, context, how: "found (built before)" };
  let pending = building.get(tag);
  if (!pending) {
    pending = build(context, tag).finally(() => building.delete(tag));
    building.set(tag, pending);
  }
  return pending;
}

async function build(context: string, tag: string): Promise<ContainerImage> {
  const started = performance.now();
  try {
    // deleteOnExit false: the image is the cache of later runs
    await GenericContainer.fromDockerfile(context).build(tag, { deleteOnExit: false });
  } catch (e) {
    throw new TargetUnavailableError(
      `building the image ${tag} from ${context} failed (${e instanceof Error ? e.message : String(e)}); ` +
        `\`docker build ${context}\` shows the build output. A Dockerfile FROM debian:bookworm-slim needs that image or a registry (scripts/prepare-docker.sh makes it locally)`,
      { cause: e },
    );
  }
  return { image: tag, context, how: `built in ${((performance.now() - started) / 1000).toFixed(1)} s` };
}

/** `image:` of the profile: used when present; otherwise pulled, for at most `timeoutMs`. */
export async function ensureGivenImage(client: ContainerRuntimeClient, image: string, timeoutMs: number): Promise<ContainerImage> {
  const name = ImageName.fromString(image);
  if (await client.image.exists(name)) return { image, how: "given" };
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    // a pull that outlives the timeout only fills the image store: nothing to clean up
    await Promise.race([client.image.pull(name), timeout]);
  } catch (e) {
    throw new TargetUnavailableError(`the image ${image} is not present and could not be pulled (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  } finally {
    clearTimeout(timer);
  }
  return { image, how: `pulled in ${((performance.now() - started) / 1000).toFixed(1)} s` };
}

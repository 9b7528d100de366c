// Time from `ims-interop run --profile profiles/kamailio-container.yaml` to the first test case
// starting, with the image already built: process start, container start, OPTIONS readiness.
import { spawn, spawnSync } from "node:child_process";
import { join, resolve } from "node:path";

const PROJECT = resolve(import.meta.dirname, "..");
const ENV = { IMS_UE_A_PASSWORD: "bench-a", IMS_UE_B_PASSWORD: "bench-b", IMS_UE_C_PASSWORD: "bench-c", IMS_UE_W_PASSWORD: "bench-w", IMS_UE_V_PASSWORD: "bench-v" };

function run(args: string[]): Promise<{ firstTestCaseSeconds: number | undefined; code: number | null; out: string }> {
  return new Promise((done) => {
    const t0 = performance.now();
    let first: number | undefined;
    let out = "";
    const child = spawn(process.execPath, [join(PROJECT, "bin/ims-interop.mjs"), ...args], { cwd: PROJECT, env: { ...process.env, ...ENV } });
    child.stdout.on("data", (b: Buffer) => {
      out += b.toString();
      // The first verdict line: the first test case ran, so it started before
      if (first === undefined && /^ {2}(pass|FAIL|INCONC|ERROR) /m.test(out)) first = (performance.now() - t0) / 1000;
    });
    child.once("exit", (code) => done({ firstTestCaseSeconds: first, code, out }));
  });
}

export async function benchContainerStart(): Promise<{ warmupSeconds: number | undefined; firstTestCaseSeconds: number | undefined } | { skipped: string }> {
  if (spawnSync("docker", ["info"], { stdio: "ignore", timeout: 20000 }).status !== 0) return { skipped: "no Docker engine answers (scripts/prepare-docker.sh)" };
  const args = ["run", "--profile", "profiles/kamailio-container.yaml", "--tags", "@IMS-REG-002", "--reports", join(PROJECT, "reports", "bench-container")];
  // The first run builds the image if needed; the second is the figure, with the image built
  const warm = await run(args);
  if (warm.code !== 0) return { skipped: `the container run failed: ${warm.out.slice(-300)}` };
  const timed = await run(args);
  return { warmupSeconds: warm.firstTestCaseSeconds, firstTestCaseSeconds: timed.firstTestCaseSeconds };
}

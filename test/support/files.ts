// Every file under a folder, for tests that search a run's outputs.
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";

export async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of await readdir(dir)) {
    const p = join(dir, name);
    if ((await stat(p)).isDirectory()) out.push(...(await filesUnder(p)));
    else out.push(p);
  }
  return out;
}

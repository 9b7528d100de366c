// Writes schema/profile.schema.json, the JSON Schema of a profile, from its one definition in
// src/profile/profile-schema.ts. Run: npm run profile-schema (test/profile/profile-schema.test.ts
// fails when the committed file is out of date).
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { profileJsonSchema } from "../src/profile/profile-schema.ts";

const file = join(resolve(import.meta.dirname, ".."), "schema/profile.schema.json");
await mkdir(join(file, ".."), { recursive: true });
await writeFile(file, `${JSON.stringify(profileJsonSchema(), null, 2)}\n`);
process.stdout.write(`schema/profile.schema.json: written\n`);

// RFC 3261 8.1.1.4 Call-ID, 8.1.1.7 branch, 19.3 tags: unique per endpoint run and globally, cheap to make.
import { randomBytes } from "node:crypto";
import { MAGIC_COOKIE } from "./message/index.ts";

const runPrefix = randomBytes(6).toString("hex");
let counter = 0;

function next(): string {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return counter.toString(36);
}

export function newBranch(): string {
  return `${MAGIC_COOKIE}${runPrefix}${next()}`;
}

export function newTag(): string {
  return `${runPrefix.slice(0, 8)}${next()}`;
}

export function newCallId(host = "ims-interop"): string {
  return `${runPrefix}${next()}@${host}`;
}

// House rule 1: imports point down the layers only. This test reads every import of src/ and
// fails on one that points the wrong way, naming the file and the import.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, dirname } from "node:path";
import { test } from "node:test";

const SRC = resolve(import.meta.dirname, "../../src");
const STEPS = resolve(import.meta.dirname, "../../steps");

/** What the suite's steps may import from src/: everything but the command line (steps -> sip, media, profile, report ...). */
const STEPS_MAY_IMPORT: readonly string[] = ["sip/*", "media", "profile", "report", "runner", "conformance", "targets", "reference-core", "webrtc", "sms"];

/** What each folder may import (besides itself). Order of the SIP driver: transport -> message -> transaction -> dialog -> ue. */
const MAY_IMPORT: Record<string, readonly string[]> = {
  "sip/message": [],
  "sip/transport": [],
  "sip/auth": [],
  "sip/transaction": ["sip/message", "sip/clock", "sip/keyed-table"],
  "sip/endpoint": ["sip/message", "sip/transaction", "sip/transport", "sip/clock", "sip/deadline", "sip/failure", "sip/identifiers", "sip/waitable-queue"],
  "sip/dialog": ["sip/message", "sip/identifiers"],
  "sip/event": [],
  "sip/ue": ["sip/*", "media", "sms"],
  sip: ["sip/message", "sip/clock", "sip/deadline", "sip/failure", "sip/identifiers", "sip/waitable-queue"],
  media: [],
  sms: [],
  load: ["runner", "profile", "targets", "sip/*"],
  profile: ["sip/message", "sip/transport"],
  runner: ["profile", "targets", "sip/*"],
  targets: ["sip/*", "profile", "reference-core", "media"],
  "reference-core": ["sip/*", "media", "profile", "sms"],
  conformance: ["sip/*", "media", "sms"],
  report: ["sip/*", "profile", "runner", "conformance", "load"],
  webrtc: ["sip/transport", "targets"],
  cli: ["*"],
};

/** Packages a layer must never import (src/sip knows neither Cucumber nor Allure). */
const FORBIDDEN_PACKAGES: Record<string, RegExp> = {
  sip: /^(@cucumber\/|allure-|@playwright|playwright)/,
  media: /^(@cucumber\/|allure-)/,
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

function layerOf(file: string): string {
  const rel = relative(SRC, file).replace(/\\/g, "/");
  const parts = rel.split("/");
  if (parts[0] === "sip") return parts.length > 2 ? `sip/${parts[1]}` : "sip";
  return parts[0];
}

function moduleOf(target: string): string {
  const rel = relative(SRC, target).replace(/\\/g, "/").replace(/\.ts$/, "");
  const parts = rel.split("/");
  if (parts[0] === "sip") return `sip/${parts[1]}`;
  return parts[0];
}

function allowed(from: string, to: string): boolean {
  if (from === to) return true;
  const rules = MAY_IMPORT[from];
  if (!rules) return false;
  return rules.some((r) => r === "*" || r === to || (r.endsWith("/*") && to.startsWith(r.slice(0, -1))));
}

test("imports follow the layers of docs/architecture.md", () => {
  const violations: string[] = [];
  for (const file of files(SRC)) {
    const text = readFileSync(file, "utf8");
    const from = layerOf(file);
    for (const m of text.matchAll(/^\s*(?:import|export)\b\s*(?:[^'"]*?from\s+)?["']([^"']+)["']/gm)) {
      const spec = m[1];
      if (spec.startsWith(".")) {
        const to = moduleOf(resolve(dirname(file), spec));
        if (!allowed(from, to)) violations.push(`${relative(SRC, file)} imports ${spec} (${from} -> ${to})`);
      } else {
        const top = Object.entries(FORBIDDEN_PACKAGES).find(([layer]) => from === layer || from.startsWith(`${layer}/`));
        if (top && top[1].test(spec)) violations.push(`${relative(SRC, file)} imports the package ${spec}, which ${top[0]} must not know`);
      }
    }
  }
  assert.deepEqual(violations, []);
});

test("steps/ import src/ layers below the command line only, and support/ never imports a step file", () => {
  const violations: string[] = [];
  for (const file of files(STEPS)) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/^\s*(?:import|export)\b\s*(?:[^'"]*?from\s+)?["']([^"']+)["']/gm)) {
      const spec = m[1];
      if (!spec.startsWith(".")) continue;
      const target = resolve(dirname(file), spec);
      const rel = relative(STEPS, file);
      if (target.startsWith(SRC)) {
        const to = moduleOf(target);
        if (!STEPS_MAY_IMPORT.some((r) => r === to || (r.endsWith("/*") && to.startsWith(r.slice(0, -1))))) violations.push(`steps/${rel} imports ${spec} (steps -> ${to})`);
      } else if (rel.startsWith("support/") && target.endsWith(".steps.ts")) {
        violations.push(`steps/${rel} imports the step file ${spec}: support code serves steps, not the other way`);
      } else if (!target.startsWith(STEPS)) {
        violations.push(`steps/${rel} imports ${spec}, outside steps/ and src/`);
      }
    }
  }
  assert.deepEqual(violations, []);
});

#!/usr/bin/env node
// Runs the TypeScript command line through tsx's loader (Node 20.6 or newer).
import { register } from "tsx/esm/api";

register();
await import("../src/cli/main.ts");

export * from "./target.ts";
export * from "./preflight.ts";
export * from "./embedded-target.ts";
export * from "./remote-target.ts";
export * from "./process-target.ts";
export * from "./create-target.ts";
export * from "./container-target.ts";
export * from "./port-owner.ts";

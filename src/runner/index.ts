export * from "./verdict.ts";
export * from "./test-case.ts";
export * from "./catalog.ts";
export * from "./suite-parameters.ts";
export * from "./run-suite.ts";
export * from "./shard.ts";
export * from "./selection.ts";

export * from "./dialog.ts";
export * from "./reliable-provisional.ts";
export * from "./subscription-state.ts";

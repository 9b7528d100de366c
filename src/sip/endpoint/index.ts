export * from "./destination.ts";
export * from "./message-template.ts";
export * from "./inbox.ts";
export * from "./endpoint.ts";
export * from "./observer.ts";
export * from "./options-probe.ts";

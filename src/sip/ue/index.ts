export * from "./ue-credentials.ts";
export * from "./ue-context.ts";
export * from "./registration.ts";
export * from "./outgoing-call.ts";
export * from "./incoming-call.ts";
export * from "./subscription.ts";
export * from "./ims-ue.ts";
export * from "./automatic-request.ts";

// The profile layer: IXIT and PICS of one SUT, loaded and validated once at the edge.
export * from "./profile.ts";
export { ProfileError, formatProblem, type ProfileProblem } from "./profile-error.ts";
export { type Environment, loadProfile, validateProfileText } from "./load-profile.ts";
export { DEFAULT_LOCAL_HOST, DEFAULT_TIMERS, DEFAULT_TRANSPORTS, IXIT_FIELDS, PROFILE_FIELDS, REQUIRED_ROLES } from "./profile-schema.ts";
export { AKA_DEFAULTS, AUTH_FIELDS, DIGEST_ALGORITHMS, SUBSCRIBER_FIELDS } from "./subscriber-schema.ts";
export { DEFAULT_START_TIMEOUT_MS, TARGET_FIELDS, TARGET_KINDS, type TargetKind } from "./target-schema.ts";
export { PICS_TAG_PREFIX, type PicsExpr, type PicsParseError, type Applicability, applicability, evaluate, formatPicsExpr, isPicsParseError, isPicsTag, parsePicsTag, parsePicsExpression } from "./pics-expression.ts";
export { parallelProblem, poolOf, subscriberFor } from "./pools.ts";

// The profile layer: IXIT and PICS of one SUT, loaded and validated once at the edge.
export * from "./profile.ts";
export { ProfileError, formatProblem, type ProfileProblem } from "./profile-error.ts";
export { type Environment, loadProfile, validateProfileText } from "./load-profile.ts";
export {
  AKA_DEFAULTS,
  DEFAULT_LOCAL_HOST,
  DEFAULT_START_TIMEOUT_MS,
  DEFAULT_TIMERS,
  DEFAULT_TRANSPORTS,
  DIGEST_ALGORITHMS,
  REQUIRED_ROLES,
  TARGET_KINDS,
  type TargetKind,
  ProfileSchema,
  profileJsonSchema,
} from "./profile-schema.ts";
export {
  PICS_TAG_PREFIX,
  type PicsExpr,
  type PicsParseError,
  type Applicability,
  applicability,
  evaluate,
  formatPicsExpr,
  isPicsParseError,
  isPicsTag,
  parsePicsTag,
  parsePicsExpression,
} from "./pics-expression.ts";
export { parallelProblem, poolOf, subscriberFor } from "./pools.ts";
export { fillPattern, parseDurationMs, poolOfSlots } from "./load-section.ts";
export {
  THRESHOLD_DELAYS,
  THRESHOLD_DELAY_STATISTICS,
  THRESHOLD_FLOWS,
  THRESHOLD_OPERATORS,
  THRESHOLD_RATIOS,
  type Threshold,
  type ThresholdMetric,
  type ThresholdOperator,
  type ThresholdUnit,
  parseThreshold,
} from "./thresholds.ts";

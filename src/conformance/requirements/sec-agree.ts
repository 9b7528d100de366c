// Requirements for IMS-REG-012 security agreement (RFC 3329, TS 33.203 7, TS 24.229 5.1.1.2): filled in by issue 16.
import type { Requirement } from "../requirement.ts";

export const SEC_AGREE_REQUIREMENTS: readonly Requirement[] = [];

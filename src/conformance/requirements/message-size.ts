// Requirements for IMS-MSG-004 large requests over a congestion-controlled transport (RFC 3261 18.1.1, TS 24.229 4.2A): filled in by issue 16.
import type { Requirement } from "../requirement.ts";

export const MESSAGE_SIZE_REQUIREMENTS: readonly Requirement[] = [];

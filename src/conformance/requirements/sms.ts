// Requirements for IMS-MSG-002 SMS over IP (TS 24.341, TS 24.011, TS 23.040): filled in by issue 16.
import type { Requirement } from "../requirement.ts";

export const SMS_REQUIREMENTS: readonly Requirement[] = [];

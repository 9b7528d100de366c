// The catalogue: every requirement the monitor runs on received messages, by message kind.
// docs/requirements.md is generated from it (npm run requirements-doc) and checked by a test.
import type { Requirement } from "./requirement.ts";
import { END_OF_TEST_CASE_REQUIREMENTS } from "./requirements/end-of-test-case.ts";
import { IN_DIALOG_REQUIREMENTS } from "./requirements/in-dialog.ts";
import { INVITE_REQUIREMENTS } from "./requirements/invite.ts";
import { MESSAGE_REQUIREMENTS } from "./requirements/message.ts";
import { REG_EVENT_REQUIREMENTS } from "./requirements/reg-event.ts";
import { REGISTER_REQUIREMENTS } from "./requirements/register.ts";
import { REGISTRAR_STATE_REQUIREMENTS } from "./requirements/registrar-state.ts";
import { RESPONSE_REQUIREMENTS } from "./requirements/response.ts";
import { SDP_REQUIREMENTS } from "./requirements/sdp.ts";
import { UE_REGISTER_REQUIREMENTS } from "./requirements/ue-register.ts";
import { UE_REQUEST_REQUIREMENTS } from "./requirements/ue-request.ts";
import { SMS_REQUIREMENTS } from "./requirements/sms.ts";
import { SEC_AGREE_REQUIREMENTS } from "./requirements/sec-agree.ts";
import { MESSAGE_SIZE_REQUIREMENTS } from "./requirements/message-size.ts";

export const REQUIREMENTS: readonly Requirement[] = [
  ...MESSAGE_REQUIREMENTS,
  ...RESPONSE_REQUIREMENTS,
  ...REGISTER_REQUIREMENTS,
  ...REGISTRAR_STATE_REQUIREMENTS,
  ...REG_EVENT_REQUIREMENTS,
  ...INVITE_REQUIREMENTS,
  ...SDP_REQUIREMENTS,
  ...IN_DIALOG_REQUIREMENTS,
  ...END_OF_TEST_CASE_REQUIREMENTS,
  ...SMS_REQUIREMENTS,
  ...SEC_AGREE_REQUIREMENTS,
  ...MESSAGE_SIZE_REQUIREMENTS,
  // A UE under test, as the harness's network observes it
  ...UE_REGISTER_REQUIREMENTS,
  ...UE_REQUEST_REQUIREMENTS,
];

const BY_ID = new Map(REQUIREMENTS.map((r) => [r.id, r]));

/** The requirement with this id; an unknown id is a bug of the harness. */
export function requirement(id: string): Requirement {
  const r = BY_ID.get(id);
  if (!r) throw new Error(`no requirement "${id}" in the catalogue`);
  return r;
}

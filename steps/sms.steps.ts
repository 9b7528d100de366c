// Steps of features/messaging/sms.feature: SMS over IP (TS 24.341). The flows are the driver's
// (src/sip/ue/sms-over-ip.ts), the codec src/sms; every RP message a UE receives is judged by the
// requirements sms.* (src/conformance/requirements/sms.ts) whatever the step checks.
import { randomInt } from "node:crypto";
import { Then, When } from "@cucumber/cucumber";
import { InconclusiveError } from "../src/runner/verdict.ts";
import { type ReceivedSms, type SmsSubmission, sendDeliveryReport, submitSms, waitForSms } from "../src/sip/ue/index.ts";
import { type Alphabet, describeRp } from "../src/sms/index.ts";
import { expectStatus, expectThat, fail } from "./support/expect.ts";
import { type ImsWorld, later } from "./support/world.ts";

interface SmsState {
  submission?: SmsSubmission;
  delivered?: ReceivedSms;
}

const STATE = new WeakMap<ImsWorld, SmsState>();

function state(world: ImsWorld): SmsState {
  let s = STATE.get(world);
  if (!s) STATE.set(world, (s = {}));
  return s;
}

/** The alphabets as the scenarios name them (TS 23.038 4). */
const ALPHABETS: Readonly<Record<string, Alphabet>> = { "GSM 7-bit": "gsm7", UCS2: "ucs2", "8-bit": "8bit" };

/** The E.164 number of a role: the digits of its tel: URI (TP-DA and TP-OA are numbers, TS 23.040 9.1.2.5). */
function numberOf(world: ImsWorld, role: string): string {
  const tel = world.identitiesOf(role).find((i) => i.startsWith("tel:"));
  if (!tel) throw new InconclusiveError(`the profile lists no tel: URI among ${role}'s public identities: an SMS is addressed to a number (TS 23.040 9.1.2.5)`);
  return tel
    .slice(4)
    .split(";")[0]
    .replace(/[-.()]/g, "");
}

When("{role} submits the SMS {string} to {role} through the SMSC", async function (this: ImsWorld, sender: string, text: string, receiver: string) {
  const smsc = this.profile.ixit.sms?.smsc;
  if (!smsc) throw new InconclusiveError(`the profile ${this.profile.file} names no SMSC (ixit.sms.smsc): where to submit a short message (TS 24.341 5.3.1.2)`);
  const ue = await this.ue(sender);
  await this.ue(receiver);
  const submission = submitSms(ue, { smsc, destination: numberOf(this, receiver), text, reference: randomInt(256), deadline: this.deadline("MESSAGE with the SMS") });
  // The response is awaited by a later Then; marked handled now (later) in case the scenario ends before
  state(this).submission = { ...submission, response: later(submission.response) };
});

Then("the SMSC accepts {role}'s SMS with 202 Accepted", async function (this: ImsWorld, _sender: string) {
  const submission = state(this).submission;
  if (!submission) throw new Error("no SMS was submitted in this scenario");
  expectStatus(await submission.response, [202], "for the MESSAGE with the SMS (RP-DATA, SMS-SUBMIT) to the SMSC", "TS 24.341 5.3.3, B.5");
});

Then("{role} receives the submit report RP-ACK for its SMS", async function (this: ImsWorld, sender: string) {
  const submission = state(this).submission;
  if (!submission) throw new Error("no SMS was submitted in this scenario");
  const sms = await waitForSms(await this.ue(sender), this.deadline(`submit report at ${sender}`));
  const expected = `RP-ACK (network to MS) with RP-MR ${submission.reference}: the SC accepted the short message`;
  if (!sms.rp.ok) fail(expected, sms.received.message, "TS 24.011 7.3.3");
  expectThat(sms.rp.value.type === "RP-ACK", expected, describeRp(sms.rp.value), "TS 24.341 5.3.1.2, TS 24.011 7.3.3");
});

Then("{role} receives the SMS-DELIVER from {role} with the text {string} in {}", async function (this: ImsWorld, receiver: string, sender: string, text: string, alphabetName: string) {
  const alphabet = ALPHABETS[alphabetName];
  if (!alphabet) throw new Error(`unknown alphabet "${alphabetName}" (one of ${Object.keys(ALPHABETS).join(", ")})`);
  const sms = await waitForSms(await this.ue(receiver), this.deadline(`SMS-DELIVER at ${receiver}`));
  const expected = `RP-DATA with an SMS-DELIVER from ${numberOf(this, sender)}, ${alphabetName}: "${text}"`;
  const clause = "TS 24.341 5.3.2.3, TS 23.040 9.2.2.1";
  if (!sms.rp.ok) fail(expected, sms.received.message, clause);
  const rp = sms.rp.value;
  const tpdu = rp.tpdu?.ok ? rp.tpdu.value : undefined;
  if (rp.type !== "RP-DATA" || tpdu?.type !== "SMS-DELIVER") fail(expected, describeRp(rp), clause);
  const got = `SMS-DELIVER from ${tpdu.originator.value}, ${tpdu.userData.alphabet}: "${tpdu.userData.text}"`;
  expectThat(tpdu.userData.text === text && tpdu.userData.alphabet === alphabet && tpdu.originator.value === numberOf(this, sender), expected, got, clause);
  state(this).delivered = sms;
});

Then("{role}'s delivery report RP-ACK is accepted with 202 Accepted", async function (this: ImsWorld, receiver: string) {
  const delivered = state(this).delivered;
  if (!delivered) throw new Error(`${receiver} received no short message in this scenario`);
  const response = await sendDeliveryReport(await this.ue(receiver), delivered, this.deadline("MESSAGE with the delivery report"));
  expectStatus(response, [202], "for the MESSAGE with the delivery report (RP-ACK, SMS-DELIVER-REPORT)", "TS 24.341 5.3.2.4 (TS 34.229-5 A.14)");
});

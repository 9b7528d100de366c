// SMS over IP at the UE (TS 24.341 5.3.1, 5.3.2): a short message submitted in a MESSAGE to the SC's
// public service identity (an RP-DATA carrying an SMS-SUBMIT), the short messages and reports the
// network sends (MESSAGE with application/vnd.3gpp.sms, answered 200 by the UE's MESSAGE handling),
// and the delivery report (RP-ACK) sent back to the IP-SM-GW.
import type { Deadline } from "../deadline.ts";
import type { Received } from "../endpoint/index.ts";
import { type SipMessage, type SipResponse, formatUri } from "../message/index.ts";
import { type Alphabet, type Decoded, type RpMessage, SMS_CONTENT_TYPE, decodeRp, encodeDeliverReport, encodeRpAck, encodeRpDataFromMs, encodeSmsSubmit } from "../../sms/index.ts";
import type { ImsUe } from "./ims-ue.ts";

/** The SC address a simulated UE puts in RP-Destination Address (TS 24.011 7.3.1.2) unless told another: the IP-SM-GW routes by the PSI (TS 24.341 5.3.1.2). */
export const DEFAULT_SC_ADDRESS = "+15550000000";

export interface SmsSubmitOptions {
  /** The SC's public service identity: the Request-URI and To of the MESSAGE (TS 24.341 5.3.1.2). */
  readonly smsc: string;
  /** TP-DA: the recipient's number, "+15551230002" (TS 23.040 9.2.3.8). */
  readonly destination: string;
  readonly text: string;
  /** RP-Message Reference (TS 24.011 8.2.3); TP-MR takes the same value (TS 23.040 9.2.3.6). */
  readonly reference: number;
  /** Default: GSM 7-bit when the text allows it, UCS2 otherwise. */
  readonly alphabet?: Alphabet;
  readonly scAddress?: string;
  readonly deadline?: Deadline;
}

export interface SmsSubmission {
  readonly reference: number;
  /** The MESSAGE body as sent: RP-DATA (MS to network) with the SMS-SUBMIT. */
  readonly body: Buffer;
  /** The final response to the MESSAGE (TS 24.341: 202 from the IP-SM-GW). */
  readonly response: Promise<SipResponse>;
}

/** TS 24.341 5.3.1.2: submits a short message: MESSAGE to the SC's PSI, Content-Type application/vnd.3gpp.sms, body RP-DATA with SMS-SUBMIT. */
export function submitSms(ue: ImsUe, o: SmsSubmitOptions): SmsSubmission {
  const tpdu = encodeSmsSubmit({ messageReference: o.reference, destination: o.destination, text: o.text, ...(o.alphabet ? { alphabet: o.alphabet } : {}) });
  const body = encodeRpDataFromMs({ reference: o.reference, scAddress: o.scAddress ?? DEFAULT_SC_ADDRESS, tpdu });
  const response = ue.sendMessage(o.smsc, body, { contentType: SMS_CONTENT_TYPE, ...(o.deadline ? { deadline: o.deadline } : {}) });
  return { reference: o.reference, body, response };
}

/** Whether a message carries an RP message (TS 24.341 5.3: Content-Type application/vnd.3gpp.sms). */
export function carriesSms(m: SipMessage): boolean {
  return (m.header("content-type") ?? "").split(";")[0].trim().toLowerCase() === SMS_CONTENT_TYPE;
}

/** A MESSAGE with an RP message the UE received (and answered 200, TS 24.341 5.3.1.3, 5.3.2.3), with the RP message read from its body. */
export interface ReceivedSms {
  readonly received: Received;
  readonly rp: Decoded<RpMessage>;
}

/** The next MESSAGE carrying application/vnd.3gpp.sms the UE receives (other MESSAGEs stay queued). */
export async function waitForSms(ue: ImsUe, deadline?: Deadline): Promise<ReceivedSms> {
  const received = await ue.messages.next(
    (r) => carriesSms(r.message),
    deadline ?? ue.deadline(`SMS to ${ue.name}`),
    `a MESSAGE with Content-Type ${SMS_CONTENT_TYPE} for ${ue.name} (${ue.impu})`,
    "TS 24.341 5.3",
  );
  return { received, rp: decodeRp(received.message.body) };
}

/**
 * TS 24.341 5.3.2.4: the delivery report of a short message received: a MESSAGE to the IP-SM-GW
 * (the identity the short message's P-Asserted-Identity, else its From, named), In-Reply-To its
 * Call-ID, body RP-ACK (MS to network) with the RP-DATA's message reference (TS 24.011 7.3.3) and an
 * SMS-DELIVER-REPORT (TS 23.040 9.2.2.1a).
 */
export function sendDeliveryReport(ue: ImsUe, sms: ReceivedSms, deadline?: Deadline): Promise<SipResponse> {
  const m = sms.received.message;
  if (!sms.rp.ok || sms.rp.value.type !== "RP-DATA") throw new Error(`no RP-DATA to acknowledge in the MESSAGE (${sms.rp.ok ? sms.rp.value.type : sms.rp.reason})`);
  const asserted = m.hasHeader("p-asserted-identity") ? m.nameAddrs("p-asserted-identity")[0] : undefined;
  const gateway = formatUri((asserted ?? m.from).uri);
  const body = encodeRpAck({ direction: "ms-to-network", reference: sms.rp.value.reference, tpdu: encodeDeliverReport() });
  return ue.sendMessage(gateway, body, { contentType: SMS_CONTENT_TYPE, headers: { "In-Reply-To": m.callId }, ...(deadline ? { deadline } : {}) });
}

// The reference core's SMSC and IP-SM-GW (issue 16, IMS-MSG-002; TS 24.341 5.3.3, TS 23.204 6.3,
// 6.4): a MESSAGE to the SC's public service identity carrying RP-DATA (SMS-SUBMIT) is accepted with
// 202 (TS 24.341 B.5; TS 34.229-5 A.13 step 2), the submit report (RP-ACK, or RP-ERROR with its
// cause) goes back to the sender in a MESSAGE of its own, and the short message is delivered to
// the recipient that TP-DA names as RP-DATA (SMS-DELIVER) in a MESSAGE (TS 24.341 B.6); the
// recipient's delivery report (RP-ACK or RP-ERROR) is accepted with 202 too (TS 34.229-5 A.14 step 4).
import { type Destination, type Received } from "../sip/endpoint/index.ts";
import { newCallId, newTag } from "../sip/identifiers.ts";
import { SipRequest, createResponse, formatUri, isUriParseError, parseUri } from "../sip/message/index.ts";
import { RP_CAUSES, type RpMessage, SMS_CONTENT_TYPE, type SmsSubmit, decodeRp, encodeRpAck, encodeRpDataToMs, encodeRpError, encodeSmsDeliver, encodeSubmitReport } from "../sms/index.ts";
import { isWebSocket } from "./addressing.ts";
import type { CoreContext } from "./core-context.ts";
import { sameIdentity, type SubscriberRecord } from "./hss.ts";

export interface SmsGatewayOptions {
  /** The SC's public service identity (profile ixit.sms.smsc); default sip:smsc@<domain>. */
  readonly smsc?: string;
  /** The SC address the gateway puts in RP-Originator Address of RP-DATA to a UE (TS 24.011 7.3.1.1). */
  readonly scAddress?: string;
}

/** TS 24.011 8.2.5.4: the cause of the RP-ERROR the fault sms-rp-error sends. */
export const FAULT_RP_CAUSE = 38;
/** sms-corrupt-tpdu: TP-UDL of the SMS-DELIVER raised by this much beyond the user data it announces. */
export const CORRUPT_UDL_EXCESS = 20;

export class SmsGateway {
  readonly psi: string;
  private readonly scAddress: string;
  /** TS 24.011 8.2.3: the RP-Message Reference of the gateway's own RP-DATA, one per short message. */
  private nextReference = 0;

  constructor(
    private readonly ctx: CoreContext,
    options: SmsGatewayOptions = {},
  ) {
    this.psi = options.smsc ?? `sip:smsc@${ctx.addressing.domain}`;
    this.scAddress = options.scAddress ?? "+15550000000";
  }

  /** A MESSAGE addressed to the SC's public service identity (TS 24.341 5.3.1.2, 5.3.2.4). */
  handles(req: SipRequest): boolean {
    return req.method === "MESSAGE" && req.toTag === undefined && sameIdentity(req.uriText, this.psi);
  }

  receive(rec: Received, req: SipRequest): void {
    const { hss, bindings } = this.ctx;
    const sender = hss.byImpu(req.from.uri);
    // TS 24.229 5.2.6.3: only a registered user's request is served
    if (!sender || !bindings.isRegistered(sender)) return this.answer(rec, req, 403, `the originating identity ${formatUri(req.from.uri)} is not registered (TS 24.229 5.2.6.3)`);
    const type = (req.header("content-type") ?? "").split(";")[0].trim().toLowerCase();
    // RFC 3261 21.4.13: the SC takes RP messages only
    if (type !== SMS_CONTENT_TYPE) return this.answer(rec, req, 415, `Content-Type ${type || "(none)"} at the SMSC`, { Accept: SMS_CONTENT_TYPE });
    const rp = decodeRp(req.body);
    if (!rp.ok) return this.answer(rec, req, 400, `not an RP message: ${rp.reason}`);
    const m = rp.value;
    if (m.direction !== "ms-to-network") return this.answer(rec, req, 400, `${m.type} network-to-ms from a UE (TS 24.011 8.2.2)`);
    // TS 24.341 5.3.3 (B.5, B.6; TS 34.229-5 A.13, A.14): the IP-SM-GW accepts the MESSAGE with 202, the outcome follows in an RP message
    if (m.type === "RP-DATA" && this.ctx.faults.has("sms-200-instead-of-202")) {
      this.answer(rec, req, 200, "fault sms-200-instead-of-202: an SMS answered 200 instead of 202");
    } else this.answer(rec, req, 202, `${m.type} (RP-MR ${m.reference})`);
    if (m.type !== "RP-DATA") return; // a delivery report (RP-ACK, RP-ERROR) or RP-SMMA: nothing more to do
    this.submitted(req, sender, m);
  }

  /** TS 23.040 9.2.2.2 at the SC: the submit report to the sender, then the delivery to the recipient TP-DA names. */
  private submitted(req: SipRequest, sender: SubscriberRecord, m: RpMessage): void {
    const report = (cause: number | undefined, why: string): void => {
      const body =
        cause === undefined
          ? encodeRpAck({ direction: "network-to-ms", reference: m.reference, tpdu: encodeSubmitReport({ timestamp: new Date(this.ctx.clock.now()) }) })
          : encodeRpError({ direction: "network-to-ms", reference: m.reference, cause });
      this.ctx.log(`SMS from ${sender.defaultImpu} (RP-MR ${m.reference}): ${cause === undefined ? "RP-ACK" : `RP-ERROR cause ${cause} (${RP_CAUSES[cause] ?? "?"})`}: ${why}`);
      this.send(sender, body, `submit report (${cause === undefined ? "RP-ACK" : "RP-ERROR"})`, req.callId);
    };
    if (!m.tpdu?.ok) return report(96, `the TPDU does not decode: ${m.tpdu?.ok === false ? m.tpdu.reason : "none"}`);
    const tpdu = m.tpdu.value;
    if (tpdu.type !== "SMS-SUBMIT") return report(97, `${tpdu.type} in RP-DATA from the MS (TS 24.011 7.3.1.2)`);
    if (this.ctx.faults.has("sms-rp-error")) return report(FAULT_RP_CAUSE, "fault sms-rp-error");
    const recipient = tpdu.destination.kind === "international" ? this.ctx.hss.byImpu(`tel:${tpdu.destination.value}`) : undefined;
    if (!recipient) return report(1, `TP-DA ${tpdu.destination.value} is no subscriber's number`);
    report(undefined, `accepted for ${recipient.defaultImpu}`);
    this.deliver(sender, recipient, tpdu);
  }

  /** TS 24.341 5.3.3, B.6: RP-DATA (network to MS) with the SMS-DELIVER, to the recipient. */
  private deliver(sender: SubscriberRecord, recipient: SubscriberRecord, submit: SmsSubmit): void {
    // TP-OA: the sender's number (its tel URI), else its user name as an alphanumeric address (TS 23.040 9.1.2.5)
    const originator = sender.impus.find((i) => i.startsWith("tel:"))?.slice(4) ?? (/^sips?:([^@;]+)@/i.exec(sender.defaultImpu)?.[1] ?? "SMSC").slice(0, 11);
    const ud = submit.userData;
    let length = ud.length;
    if (this.ctx.faults.has("sms-corrupt-tpdu")) {
      length += CORRUPT_UDL_EXCESS;
      this.ctx.log(`fault sms-corrupt-tpdu: SMS-DELIVER for ${recipient.defaultImpu} with TP-UDL ${length} for ${ud.length} of user data`);
    }
    const tpdu = encodeSmsDeliver({
      originator,
      timestamp: new Date(this.ctx.clock.now()),
      protocolIdentifier: submit.protocolIdentifier,
      userData: { dataCoding: submit.dataCoding, length, octets: ud.octets, header: ud.header !== undefined },
    });
    const reference = this.nextReference++ & 0xff;
    this.send(recipient, encodeRpDataToMs({ reference, scAddress: this.scAddress, tpdu }), `SMS-DELIVER (RP-MR ${reference})`);
  }

  /**
   * A MESSAGE from the gateway to a subscriber's first registered contact (TS 24.341 B.6: From and
   * P-Asserted-Identity the gateway's identity; Request-Disposition: no-fork, so one contact).
   */
  private send(to: SubscriberRecord, body: Buffer, what: string, inReplyTo?: string): void {
    const { bindings, addressing, endpoint } = this.ctx;
    const binding = bindings.targets(to)[0];
    const uri = binding ? parseUri(binding.contact) : undefined;
    let destination: Destination | undefined;
    if (binding && uri && !isUriParseError(uri)) destination = isWebSocket(binding.flow.protocol) ? binding.flow : addressing.destination(uri, binding.protocol);
    if (!binding || !destination) {
      this.ctx.log(`${what} for ${to.defaultImpu}: not registered, not sent`);
      return;
    }
    const r = new SipRequest("MESSAGE", binding.contact);
    r.addHeader("Via", endpoint.via(destination.protocol));
    r.addHeader("Max-Forwards", 70);
    r.addHeader("From", `<${this.psi}>;tag=${newTag()}`);
    r.addHeader("To", `<${to.defaultImpu}>`);
    r.addHeader("Call-ID", newCallId());
    r.addHeader("CSeq", "1 MESSAGE");
    r.addHeader("P-Asserted-Identity", `<${this.psi}>`);
    r.addHeader("Request-Disposition", "no-fork");
    if (inReplyTo !== undefined) r.addHeader("In-Reply-To", inReplyTo);
    r.setBody(body, SMS_CONTENT_TYPE);
    endpoint.request(r, destination, { clause: "TS 24.341 5.3.1.3, 5.3.2.3" }).then(
      (response) => this.ctx.log(`${what} to ${to.defaultImpu}: ${response.status}`),
      (e: unknown) => this.ctx.log(`${what} to ${to.defaultImpu}: ${e instanceof Error ? e.message : String(e)}`),
    );
  }

  private answer(rec: Received, req: SipRequest, status: number, why: string, headers: Record<string, string> = {}): void {
    const r = createResponse(req, status, { toTag: newTag() });
    for (const [n, v] of Object.entries(headers)) r.addHeader(n, v);
    rec.transaction?.respond(r);
    this.ctx.log(`SMSC: ${req.method} ${req.uriText}: ${status} (${why})`);
  }
}

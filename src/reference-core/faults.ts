// The faults the reference core can be told to commit, so that a test case can be shown to fail
// with the symptom an engineer meets on a faulty core. This file is the one place that says what
// each fault does; the code that commits it asks `FaultSet.has` and calls the helpers below.
import type { SipMessage, SipRequest, SipResponse } from "../sip/message/index.ts";
import { type Sdp, isTelephoneEvent, mediaCodecs, parseSdp, serializeSdp } from "../media/index.ts";
import { FAULT_NAMES, type FaultName } from "../profile/profile.ts";

/** Where one-way-audio sends the caller's media: a loopback address and the discard port, where nobody listens. */
export const ONE_WAY_AUDIO = { host: "127.0.0.2", port: 9 } as const;

/** What each fault does, in the words a report shows next to the fault's name. */
export const FAULT_EFFECTS: Readonly<Record<FaultName, string>> = {
  "no-service-route": "the 200 (REGISTER) carries no Service-Route (TS 24.229 5.4.1.2.2 violated)",
  "wrong-p-associated-uri": "the 200 (REGISTER) lists sip:someone-else@<domain> in P-Associated-URI instead of the subscriber's identities (TS 24.229 5.4.1.2.2)",
  "drop-first-notify": "the first NOTIFY of every reg event subscription is not sent (RFC 6665 4.2.1 / TS 24.229 5.4.2.1.2 violated)",
  "no-100rel": "100rel is removed from Supported/Require of forwarded INVITEs, and Require: 100rel and RSeq from provisional responses relayed to the caller (RFC 3262 violated)",
  "cseq-mismatch-in-response": "responses relayed to the caller for INVITE, MESSAGE and BYE carry the request's CSeq number plus one (RFC 3261 8.2.6.2 violated)",
  "silent-after-401": "after a 401 the core never answers the next REGISTER of that Call-ID (the UE runs into Timer F)",
  "stale-nonce-loop": "every REGISTER with credentials, valid or not, gets a new 401 with stale=true (registration never completes)",
  "500-on-invite": "every initial INVITE is answered 500 Server Internal Error by the core",
  "garbage-to-message": "every MESSAGE is answered with bytes that are not a SIP message, instead of being routed",
  "wrong-call-id-in-register-200": "the 200 OK to every REGISTER carries Call-ID wrong-<the request's> (RFC 3261 8.2.6.2 violated); the client transaction still matches it by branch",
  "superstring-p-asserted-identity":
    "P-Asserted-Identity names sip:<user>@<domain>.invalid (a tel URI gets one more digit): another identity whose text starts with the caller's (TS 24.229 5.2.6.3.1 violated; a substring comparison would take it for the caller's)",
  "keep-bindings-on-deregister": "a REGISTER with expires 0 is answered 200 listing no binding, but the bindings stay (RFC 3261 10.3 violated: calls still fork to the removed contacts)",
  "reginfo-version-stuck": "every reginfo document of a subscription carries version 0 (RFC 3680 5.1 violated: versions increase by one), as Debian's Kamailio 5.6 does",
  "no-to-tag-on-cancel-200": "the 200 OK the core sends for a CANCEL carries no To tag (RFC 3261 8.2.6.2 violated)",
  "strip-record-route": "the core adds no Record-Route (RFC 3261 16.6 item 4 / TS 24.229 5.2.6.3 violated): dialogs are set up without the core in the route set",
  "strip-session-expires":
    "Session-Expires, and timer from Require, are removed from the 2xx responses to INVITE and UPDATE relayed to the caller (RFC 4028 8.2 / RFC 3261 16.7 violated): the caller never learns the session interval, and the callee waits for refreshes that do not come",
  "one-way-audio": `the SDP of every request the core forwards to the callee (the INVITE's offer, re-INVITE, UPDATE) has its audio connection moved to ${ONE_WAY_AUDIO.host} port ${ONE_WAY_AUDIO.port}, where nobody listens (a media anchor that loses the caller's address): the callee's RTP never reaches the caller`,
  "strip-telephone-event": "telephone-event (RFC 4733) is removed from the m= lines, rtpmap and fmtp of every SDP body the core relays: DTMF cannot be negotiated",
  "strip-p-early-media": "P-Early-Media is removed from the provisional responses relayed to the caller (RFC 5009 8: the network's authorization of early media is lost)",
  "wrong-hold-direction":
    "the SDP answer of a 2xx to a re-INVITE relayed to the caller says sendrecv where the callee answered recvonly (RFC 3264 6.1 violated: a sendonly offer, a hold, answered as if not held)",
  "ignore-ws-flow":
    "requests for a contact registered over WebSocket are sent to the Contact's own host and port, as for UDP, instead of down the WebSocket connection the client registered on (RFC 7118 5 violated): a browser's Contact (a host under .invalid) cannot be reached, so a call or MESSAGE to it never arrives and the caller gets 503",
  "drop-pai-at-boundary":
    "P-Asserted-Identity is removed from every request the core sends to another network of an interop run (TS 24.229 4.4 / 5.4.3.3 violated: the peer is within the trust domain, so the terminating UE learns no asserted caller)",
  "lose-record-route-across":
    "every Record-Route (the core's own included) is removed from the requests the core sends to another network (RFC 3261 16.6 item 4 violated at the boundary): the originating network leaves the dialog's route set, in-dialog requests bypass it",
  "reject-foreign-domain":
    "requests from the core's users to another network's domain are answered 404 by the core instead of being routed to that network's interconnect address (TS 24.229 5.4.3.2, TS 24.228 7.2 violated)",
  // Issue 16 (placeholders until each is implemented; the helper implementing it rewrites its line)
  "hang-on-torture":
    "after the first request whose Content-Length is larger than its datagram (RFC 4475 3.1.2.2 clerr) the core answers nothing, OPTIONS included, for 64*T1: a receive loop that blocks on the missing body",
  "accept-invalid-torture":
    "every request the core's parser or its RFC 3261 8.2 checks refuse (RFC 4475 3.1.2: badinv01, clerr, scalar02, badvers ...) is answered 200 OK instead of 400 Bad Request or 505 Version Not Supported",
  "sms-200-instead-of-202":
    "the SMSC answers a MESSAGE carrying a short message (RP-DATA with an SMS-SUBMIT) with 200 OK instead of 202 Accepted (TS 24.341 5.3.3, B.5 violated: the IP-SM-GW accepts the RP message, its outcome follows in the submit report)",
  "sms-rp-error":
    "the SMSC accepts every submitted short message with 202 and then sends the sender an RP-ERROR (cause 38, Network out of order) as its submit report, instead of an RP-ACK, and delivers nothing (TS 24.011 7.3.4): every SMS submission fails",
  "sms-corrupt-tpdu":
    "the SMS-DELIVER the SMSC sends the recipient announces 20 more units of user data in TP-UDL than its TP-UD holds (TS 23.040 9.2.3.16 violated): the recipient cannot decode the short message",
  "large-message-over-udp":
    "requests the core forwards to a contact registered over UDP go over UDP whatever their size, where a request over 1300 bytes (the path MTU unknown) must go over TCP to the contact's host and port (RFC 3261 18.1.1, TS 24.229 4.2A violated): a large MESSAGE reaches the callee as one big UDP datagram, fragmented on a real network",
  "no-security-server":
    "the 401 to a REGISTER that offers ipsec-3gpp in Security-Client (with Require: sec-agree) carries no Security-Server (RFC 3329 2.3.1 / TS 24.229 5.2.2 violated): the UE learns no SPIs, ports or algorithms of the P-CSCF and cannot set up the security associations, so its next REGISTER has nothing to put in Security-Verify",
};

/** The SDP body of `message`, parsed; undefined when it has none or it does not parse. */
function sdpOf(message: SipMessage): Sdp | undefined {
  if (!message.body.length || !(message.header("content-type") ?? "").toLowerCase().startsWith("application/sdp")) return undefined;
  const parsed = parseSdp(message.bodyText);
  return parsed.ok ? parsed.sdp : undefined;
}

/** one-way-audio: every audio stream's c= and port point where nobody listens. Returns whether the body changed. */
export function misdirectAudio(message: SipMessage): boolean {
  const sdp = sdpOf(message);
  if (!sdp) return false;
  let changed = false;
  for (const m of sdp.media) {
    if (m.media !== "audio" || m.port === 0) continue;
    m.port = ONE_WAY_AUDIO.port;
    m.connection = { netType: "IN", addrType: "IP4", address: ONE_WAY_AUDIO.host };
    m.attributes = m.attributes.filter((a) => a.name !== "rtcp");
    changed = true;
  }
  if (changed) message.setBody(serializeSdp(sdp), "application/sdp");
  return changed;
}

/** strip-telephone-event: telephone-event leaves every m= line with its rtpmap and fmtp. Returns whether the body changed. */
export function stripTelephoneEvent(message: SipMessage): boolean {
  const sdp = sdpOf(message);
  if (!sdp) return false;
  let changed = false;
  for (const m of sdp.media) {
    const te = new Set(
      mediaCodecs(m)
        .filter(isTelephoneEvent)
        .map((c) => String(c.payloadType)),
    );
    if (te.size === 0 || te.size === m.formats.length) continue;
    m.formats = m.formats.filter((f) => !te.has(f));
    m.attributes = m.attributes.filter((a) => !((a.name === "rtpmap" || a.name === "fmtp") && te.has((a.value ?? "").split(" ")[0] ?? "")));
    changed = true;
  }
  if (changed) message.setBody(serializeSdp(sdp), "application/sdp");
  return changed;
}

/** wrong-hold-direction: a recvonly answer becomes sendrecv. Returns whether the body changed. */
export function unholdAnswer(message: SipMessage): boolean {
  const sdp = sdpOf(message);
  if (!sdp) return false;
  let changed = false;
  for (const m of sdp.media)
    for (const a of m.attributes)
      if (a.name === "recvonly" && a.value === undefined) {
        a.name = "sendrecv";
        changed = true;
      }
  if (changed) message.setBody(serializeSdp(sdp), "application/sdp");
  return changed;
}

export function isFaultName(name: string): name is FaultName {
  return (FAULT_NAMES as readonly string[]).includes(name);
}

/** The faults in force; they can be switched on and off while the core runs. */
export class FaultSet {
  private readonly active = new Set<FaultName>();

  constructor(initial: readonly FaultName[] = []) {
    for (const f of initial) this.set(f, true);
  }

  get view(): ReadonlySet<FaultName> {
    return this.active;
  }

  has(name: FaultName): boolean {
    return this.active.has(name);
  }

  set(name: FaultName, on: boolean): void {
    if (!isFaultName(name)) throw new Error(`unknown fault "${String(name)}"; known faults: ${FAULT_NAMES.join(", ")}`);
    if (on) this.active.add(name);
    else this.active.delete(name);
  }
}

/** no-100rel on a forwarded INVITE: 100rel disappears from Supported and Require. */
export function strip100relFromRequest(request: SipRequest): void {
  for (const name of ["Supported", "Require"] as const) {
    const tags = request.headerValues(name);
    if (tags.length === 0) continue;
    const kept = tags.filter((t) => t.trim().toLowerCase() !== "100rel");
    if (kept.length === tags.length) continue;
    if (kept.length === 0) request.removeHeader(name);
    else request.setHeader(name, kept.join(", "));
  }
}

/** no-100rel on a provisional response relayed to the caller: Require: 100rel and RSeq disappear. */
export function strip100relFromProvisional(response: SipResponse): void {
  const tags = response.headerValues("require");
  const kept = tags.filter((t) => t.trim().toLowerCase() !== "100rel");
  if (kept.length !== tags.length) {
    if (kept.length === 0) response.removeHeader("Require");
    else response.setHeader("Require", kept.join(", "));
  }
  response.removeHeader("RSeq");
}

/** cseq-mismatch-in-response: the relayed response carries the CSeq number plus one. */
export function bumpCSeq(response: SipResponse): void {
  const cseq = response.cseq;
  response.setHeader("CSeq", `${cseq.seq + 1} ${cseq.method}`);
}

/** strip-session-expires: the relayed 2xx loses Session-Expires and the timer option tag of Require. */
export function stripSessionExpires(response: SipResponse): void {
  response.removeHeader("Session-Expires");
  const tags = response.headerValues("require");
  const kept = tags.filter((t) => t.trim().toLowerCase() !== "timer");
  if (kept.length === tags.length) return;
  if (kept.length === 0) response.removeHeader("Require");
  else response.setHeader("Require", kept.join(", "));
}

/** The methods whose relayed responses cseq-mismatch-in-response alters. */
export const CSEQ_MISMATCH_METHODS: ReadonlySet<string> = new Set(["INVITE", "MESSAGE", "BYE"]);

/** What the core sends for the garbage-to-message fault: a status line a parser must refuse, no headers. */
export const GARBAGE = Buffer.from("SIP/2.0 2OO OK-ish\r\nthis is not a SIP message\r\n\r\n");

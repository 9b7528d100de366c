// Synthetic traces for the report tests: real SIP texts built with the message layer, wrapped in
// TraceEntry objects as the simulated UEs would record them (the SUT is not traced).
import { SipRequest, createResponse, serializeMessage } from "../../src/sip/message/index.ts";
import type { TransportAddress, TransportProtocol } from "../../src/sip/transport/address.ts";
import type { TraceEntry } from "../../src/sip/transport/trace.ts";

export const UE_A: TransportAddress = { host: "127.0.0.1", port: 40123 };
export const UE_B: TransportAddress = { host: "127.0.0.1", port: 40456 };
export const SUT: TransportAddress = { host: "127.0.0.1", port: 5060 };
export const T0 = 1_700_000_000_123.25;

export interface RequestSpec {
  readonly method: string;
  readonly uri: string;
  readonly branch: string;
  readonly cseq: number;
  readonly callId: string;
  readonly from: string;
  readonly to: string;
  readonly sentBy: string;
  readonly transport?: string;
  readonly extra?: readonly [string, string][];
  readonly body?: string;
}

export function request(spec: RequestSpec): SipRequest {
  const r = new SipRequest(spec.method, spec.uri);
  r.addHeader("Via", `SIP/2.0/${spec.transport ?? "UDP"} ${spec.sentBy};branch=${spec.branch};rport`);
  r.addHeader("Max-Forwards", 70);
  r.addHeader("From", spec.from);
  r.addHeader("To", spec.to);
  r.addHeader("Call-ID", spec.callId);
  r.addHeader("CSeq", `${spec.cseq} ${spec.method}`);
  for (const [name, value] of spec.extra ?? []) r.addHeader(name, value);
  if (spec.body !== undefined) r.setBody(spec.body, "application/sdp");
  return r;
}

/** A trace entry at T0 + ms. */
export function entry(
  seq: number,
  ms: number,
  direction: "sent" | "received",
  local: TransportAddress,
  remote: TransportAddress,
  message: SipRequest | ReturnType<typeof createResponse> | Buffer,
  protocol: TransportProtocol = "udp",
  note?: string,
): TraceEntry {
  const bytes = Buffer.isBuffer(message) ? message : serializeMessage(message);
  const e: TraceEntry = { seq, time: T0 + ms, direction, protocol, local, remote, bytes };
  if (note !== undefined) e.note = note;
  return e;
}

/** REGISTER / 401 / REGISTER / 200 of UE-A at `local` to the SUT at `remote`. */
export function registerExchange(local: TransportAddress, remote: TransportAddress, protocol: TransportProtocol = "udp", note?: string): TraceEntry[] {
  const transport = protocol.toUpperCase();
  const common = {
    method: "REGISTER",
    uri: "sip:ims.example.net",
    callId: "reg-1@127.0.0.1",
    from: "<sip:alice@ims.example.net>;tag=fa1",
    to: "<sip:alice@ims.example.net>",
    sentBy: `127.0.0.1:${UE_A.port}`,
    transport,
  };
  const contact: [string, string] = ["Contact", `<sip:alice@127.0.0.1:${UE_A.port};transport=${protocol}>;+sip.instance="<urn:gsma:imei:35000000-000000-0>"`];
  const reg1 = request({ ...common, branch: "z9hG4bK-reg-1", cseq: 1, extra: [contact, ["Expires", "600000"]] });
  const c401 = createResponse(reg1, 401, { toTag: "t401" });
  c401.addHeader("WWW-Authenticate", 'Digest realm="ims.example.net", nonce="abc&def", algorithm=AKAv1-MD5, qop="auth"');
  const reg2 = request({
    ...common,
    branch: "z9hG4bK-reg-2",
    cseq: 2,
    extra: [
      contact,
      [
        "Authorization",
        'Digest username="alice@ims.example.net", realm="ims.example.net", nonce="abc&def", uri="sip:ims.example.net", response="0123456789abcdef0123456789abcdef", algorithm=AKAv1-MD5, qop=auth, nc=00000001, cnonce="c1"',
      ],
    ],
  });
  const ok = createResponse(reg2, 200, { toTag: "t200" });
  ok.addHeader("Contact", `<sip:alice@127.0.0.1:${UE_A.port}>;expires=600000`);
  return [
    entry(1, 0, "sent", local, remote, reg1, protocol, note),
    entry(2, 1.5, "received", local, remote, c401, protocol, note),
    entry(3, 3.25, "sent", local, remote, reg2, protocol, note),
    entry(4, 10.001, "received", local, remote, ok, protocol, note),
  ];
}

const SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

/**
 * REGISTER/401/REGISTER/200 of UE-A, then a call UE-A -> SUT -> UE-B: INVITE (sent twice: one
 * retransmission), 100, 180, 200, ACK, BYE, 200, each hop as the UE on that side records it.
 */
export function callFlow(): TraceEntry[] {
  const out = registerExchange(UE_A, SUT);
  const call = { callId: "call-1@127.0.0.1", from: "<sip:alice@ims.example.net>;tag=a1", to: "<sip:bob@ims.example.net>" };
  const inviteA = request({
    ...call,
    method: "INVITE",
    uri: "sip:bob@ims.example.net",
    branch: "z9hG4bK-inv-a",
    cseq: 1,
    sentBy: `127.0.0.1:${UE_A.port}`,
    extra: [
      ["Contact", `<sip:alice@127.0.0.1:${UE_A.port}>;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel"`],
      ["Subject", 'Tom & Jerry\'s "call" <test>'],
    ],
    body: SDP,
  });
  const inviteB = request({ ...call, method: "INVITE", uri: `sip:bob@127.0.0.1:${UE_B.port}`, branch: "z9hG4bK-inv-s", cseq: 1, sentBy: "127.0.0.1:5060", body: SDP });
  const trying = createResponse(inviteA, 100);
  const ringingB = createResponse(inviteB, 180, { toTag: "b1" });
  const ringingA = createResponse(inviteA, 180, { toTag: "b1" });
  const okB = createResponse(inviteB, 200, { toTag: "b1" });
  const okA = createResponse(inviteA, 200, { toTag: "b1" });
  const dialog = { ...call, to: "<sip:bob@ims.example.net>;tag=b1" };
  const ackA = request({ ...dialog, method: "ACK", uri: `sip:bob@127.0.0.1:${UE_B.port}`, branch: "z9hG4bK-ack-a", cseq: 1, sentBy: `127.0.0.1:${UE_A.port}` });
  const ackB = request({ ...dialog, method: "ACK", uri: `sip:bob@127.0.0.1:${UE_B.port}`, branch: "z9hG4bK-ack-s", cseq: 1, sentBy: "127.0.0.1:5060" });
  const byeA = request({ ...dialog, method: "BYE", uri: `sip:bob@127.0.0.1:${UE_B.port}`, branch: "z9hG4bK-bye-a", cseq: 2, sentBy: `127.0.0.1:${UE_A.port}` });
  const byeB = request({ ...dialog, method: "BYE", uri: `sip:bob@127.0.0.1:${UE_B.port}`, branch: "z9hG4bK-bye-s", cseq: 2, sentBy: "127.0.0.1:5060" });
  const byeOkB = createResponse(byeB, 200);
  const byeOkA = createResponse(byeA, 200);
  out.push(
    entry(5, 20, "sent", UE_A, SUT, inviteA),
    entry(6, 520, "sent", UE_A, SUT, inviteA), // RFC 3261 17.1.1.2: Timer A retransmission
    entry(7, 521, "received", UE_A, SUT, trying),
    entry(8, 522, "received", UE_B, SUT, inviteB),
    entry(9, 530, "sent", UE_B, SUT, ringingB),
    entry(10, 531, "received", UE_A, SUT, ringingA),
    entry(11, 1530, "sent", UE_B, SUT, okB),
    entry(12, 1531, "received", UE_A, SUT, okA),
    entry(13, 1540, "sent", UE_A, SUT, ackA),
    entry(14, 1541, "received", UE_B, SUT, ackB),
    entry(15, 3000, "sent", UE_A, SUT, byeA),
    entry(16, 3001, "received", UE_B, SUT, byeB),
    entry(17, 3002, "sent", UE_B, SUT, byeOkB),
    entry(18, 3003, "received", UE_A, SUT, byeOkA),
  );
  return out;
}

export const NAMES = new Map([
  ["127.0.0.1:40123", "UE-A"],
  ["127.0.0.1:40456", "UE-B"],
  ["127.0.0.1:5060", "SUT (P-CSCF)"],
]);

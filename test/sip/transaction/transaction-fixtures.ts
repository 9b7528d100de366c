// Shared builders for the transaction tests: an in-memory flow that records what is sent and when,
// requests and responses built with the message layer, and a recording transaction user.
import { type SipMessage, SipRequest, SipResponse, messageToString } from "../../../src/sip/message/index.ts";
import type { ClientTransactionUser, Flow, TimerSettings, TransactionContext } from "../../../src/sip/transaction/index.ts";
import { DEFAULT_TIMERS } from "../../../src/sip/transaction/index.ts";
import { FakeClock } from "../../support/fake-clock.ts";

export interface Sent {
  readonly at: number;
  readonly message: SipMessage;
}

export interface MemoryFlow extends Flow {
  readonly sent: Sent[];
}

export function memoryFlow(clock: FakeClock, reliable: boolean): MemoryFlow {
  const sent: Sent[] = [];
  return { sent, reliable, send: (m) => void sent.push({ at: clock.now(), message: m }) };
}

/** A fake clock, a flow over it and the context a transaction is built with. */
export function setup(reliable = false, timers: Partial<TimerSettings> = {}) {
  const clock = new FakeClock();
  const flow = memoryFlow(clock, reliable);
  const ctx: TransactionContext = { send: flow.send, reliable, timers: { ...DEFAULT_TIMERS, ...timers }, clock };
  return { clock, flow, sent: flow.sent, ctx };
}

/** Times at which messages of `method` (requests) or `status` (responses) were sent. */
export function timesOf(sent: readonly Sent[], what: string | number): number[] {
  return sent.filter((s) => (typeof what === "string" ? s.message.kind === "request" && s.message.method === what : s.message.kind === "response" && s.message.status === what)).map((s) => s.at);
}

export interface RequestOptions {
  branch?: string;
  /** Full top Via value; overrides `branch`. */
  via?: string;
  /** Further Via values below the top one. */
  lowerVias?: string[];
  seq?: number;
  uri?: string;
  fromTag?: string;
  toTag?: string;
  callId?: string;
  routes?: string[];
}

export const UAC_HOST = "192.0.2.10:5060";

export function buildRequest(method: string, o: RequestOptions = {}): SipRequest {
  const r = new SipRequest(method, o.uri ?? "sip:bob@example.com");
  r.addHeader("Via", o.via ?? `SIP/2.0/UDP ${UAC_HOST};branch=${o.branch ?? "z9hG4bK-tx-1"}`);
  for (const v of o.lowerVias ?? []) r.addHeader("Via", v);
  for (const route of o.routes ?? []) r.addHeader("Route", route);
  r.addHeader("Max-Forwards", 70);
  r.addHeader("From", `"Alice" <sip:alice@example.com>;tag=${o.fromTag ?? "from-1"}`);
  r.addHeader("To", `<sip:bob@example.com>${o.toTag ? `;tag=${o.toTag}` : ""}`);
  r.addHeader("Call-ID", o.callId ?? "call-1@192.0.2.10");
  r.addHeader("CSeq", `${o.seq ?? 1} ${method === "ACK" ? "INVITE" : method}`);
  if (method === "ACK") r.setHeader("CSeq", `${o.seq ?? 1} ACK`);
  return r;
}

/** A response to `request` as a UAS builds it (RFC 3261 8.2.6.2): Vias, From, Call-ID, CSeq copied; To tagged. */
export function buildResponse(request: SipRequest, status: number, reason: string, toTag: string | undefined = "to-1"): SipResponse {
  const r = new SipResponse(status, reason);
  for (const v of request.headerValues("via")) r.addHeader("Via", v);
  r.addHeader("From", request.header("from") ?? "");
  const to = request.header("to") ?? "";
  r.addHeader("To", toTag !== undefined && !/;tag=/.test(to) && status > 100 ? `${to};tag=${toTag}` : to);
  r.addHeader("Call-ID", request.callId);
  r.addHeader("CSeq", request.header("cseq") ?? "");
  return r;
}

export interface RecordedClientUser extends ClientTransactionUser {
  readonly responses: Array<{ at: number; status: number; response: SipMessage }>;
  readonly timeouts: number[];
  readonly transportErrors: Error[];
}

export function recordingUser(clock: FakeClock): RecordedClientUser {
  const responses: RecordedClientUser["responses"] = [];
  const timeouts: number[] = [];
  const transportErrors: Error[] = [];
  return {
    responses,
    timeouts,
    transportErrors,
    onResponse: (response) => void responses.push({ at: clock.now(), status: response.status, response }),
    onTimeout: () => void timeouts.push(clock.now()),
    onTransportError: (e) => void transportErrors.push(e),
  };
}

export function text(m: SipMessage): string {
  return messageToString(m);
}

// RFC 4028 session timers as data: the Session-Expires and Min-SE header fields (4, 5), the
// session interval a UAS puts in its 2xx (9), the request a UAC sends again after a 422 (7.4), and
// when each end acts on an established session (10). No clock here: src/sip/ue/session-timer.ts
// runs the timers, and the reference core reads the same header fields as a proxy (8).
import { HeaderError, type SipMessage, SipRequest, type SipResponse } from "../message/index.ts";

/** Which end of the transaction refreshes (RFC 4028 4: the refresher parameter). */
export type Refresher = "uac" | "uas";

/**
 * RFC 4028 4 and 5: the smallest session interval, and the Min-SE of a request without one. A value
 * below it is refused by a conforming element; the project's embedded profiles use one on purpose
 * (a deliberate deviation, for fast tests: see ixit.sessionTimer.expires).
 */
export const MIN_SE_FLOOR = 90;

/** RFC 4028 4: "1800 seconds (30 minutes) is RECOMMENDED as the value for the Session-Expires header field". */
export const RECOMMENDED_SESSION_EXPIRES = 1800;

/** RFC 4028 10: the other end gives up min(32 s, interval/3) before the session expires. */
const BYE_MARGIN_MAX_S = 32;

export interface SessionExpires {
  /** The session interval in seconds. */
  readonly seconds: number;
  /** Who refreshes, relative to the transaction the header field is in; absent: not chosen yet. */
  readonly refresher?: Refresher;
}

/** RFC 4028 4: delta-seconds = 1*DIGIT. */
function deltaSeconds(text: string, header: string): number {
  const t = text.trim();
  if (!/^\d{1,10}$/.test(t)) throw new HeaderError(header, `"${t}" is not delta-seconds (RFC 4028 ${header === "Min-SE" ? "5" : "4"})`);
  return Number(t);
}

/**
 * RFC 4028 4: Session-Expires = ("Session-Expires" / "x") HCOLON delta-seconds *(SEMI se-params),
 * se-params = refresher-param / generic-param, refresher-param = "refresher" EQUAL ("uas" / "uac").
 * Undefined when absent; a HeaderError when it does not follow the grammar.
 */
export function sessionExpiresOf(m: SipMessage): SessionExpires | undefined {
  const v = m.header("session-expires");
  if (v === undefined) return undefined;
  const [first = "", ...params] = v.split(";");
  const seconds = deltaSeconds(first, "Session-Expires");
  let refresher: Refresher | undefined;
  for (const p of params) {
    const eq = p.indexOf("=");
    const name = (eq < 0 ? p : p.slice(0, eq)).trim().toLowerCase();
    if (name !== "refresher") continue;
    const value = eq < 0 ? "" : p.slice(eq + 1).trim();
    // RFC 4028 4: the tokens are case-insensitive (RFC 3261 25.1)
    const lower = value.toLowerCase();
    if (lower !== "uac" && lower !== "uas") throw new HeaderError("Session-Expires", `refresher "${value}" is neither uac nor uas (RFC 4028 4)`);
    refresher = lower;
  }
  return refresher === undefined ? { seconds } : { seconds, refresher };
}

/** RFC 4028 5: Min-SE = "Min-SE" HCOLON delta-seconds *(SEMI generic-param); undefined when absent. */
export function minSEOf(m: SipMessage): number | undefined {
  const v = m.header("min-se");
  if (v === undefined) return undefined;
  return deltaSeconds(v.split(";")[0] ?? "", "Min-SE");
}

export function formatSessionExpires(se: SessionExpires): string {
  return se.refresher === undefined ? String(se.seconds) : `${se.seconds};refresher=${se.refresher}`;
}

/** Whether a message lists the option tag timer in Supported (or Require): it supports RFC 4028 (7.1). */
export function supportsTimer(m: SipMessage): boolean {
  return m.optionTags("supported").includes("timer") || m.optionTags("require").includes("timer");
}

/** Adds an option tag to Supported or Require unless it is listed already. */
export function addOptionTag(m: SipMessage, header: "Supported" | "Require", tag: string): void {
  const key = header === "Supported" ? "supported" : "require";
  if (m.optionTags(key).includes(tag)) return;
  const tags = m.headerValues(key);
  if (tags.length === 0) m.addHeader(header, tag);
  else m.setHeader(header, [...tags, tag].join(", "));
}

/**
 * RFC 4028 7.1, 7.4: the session timer headers of a session refresh request from a UA: Supported:
 * timer, Session-Expires (with the refresher when chosen) and Min-SE (when it has one).
 */
export function addRequestHeaders(r: SipRequest, se: SessionExpires, minSE: number | undefined): void {
  addOptionTag(r, "Supported", "timer");
  r.setHeader("Session-Expires", formatSessionExpires(se));
  if (minSE !== undefined) r.setHeader("Min-SE", minSE);
}

/** What the UAS decided for a session refresh request it accepts (RFC 4028 9). */
export interface UasSessionTimer {
  /** The Session-Expires of the 2xx. */
  readonly sessionExpires: SessionExpires;
  /** The 2xx carries Require: timer (the refresher is the UAC, which must understand it). */
  readonly requireTimer: boolean;
}

/**
 * RFC 4028 9: the session interval a UAS that supports session timers puts in its 2xx to a session
 * refresh request. The request's Session-Expires is kept (a UAS MAY reduce it but MUST NOT go below
 * Min-SE, and MUST NOT increase it: this one keeps it); a request that supports timer without asking
 * for an interval gets `expires` when given (not below Min-SE). The refresher the request chose stays;
 * otherwise the UAS chooses: "uac" when the UAC supports timer and `prefer` says so, else "uas"; a UAC
 * that does not support timer cannot refresh, so the UAS does. Undefined: no session timer.
 */
export function uasSessionTimer(request: SipRequest, options: { readonly prefer?: Refresher; readonly expires?: number } = {}): UasSessionTimer | undefined {
  const asked = sessionExpiresOf(request);
  const uacSupports = supportsTimer(request);
  let seconds: number;
  if (asked) seconds = asked.seconds;
  else if (uacSupports && options.expires !== undefined) seconds = Math.max(options.expires, minSEOf(request) ?? 0);
  else return undefined;
  let refresher: Refresher;
  if (!uacSupports) refresher = "uas";
  else refresher = asked?.refresher ?? options.prefer ?? "uac";
  return { sessionExpires: { seconds, refresher }, requireTimer: refresher === "uac" };
}

/** Whether this end refreshes: the refresher names an end of the transaction, and we are its UAC or UAS. */
export function weRefresh(refresher: Refresher | undefined, weAreUacOfTransaction: boolean): boolean {
  return refresher === (weAreUacOfTransaction ? "uac" : "uas");
}

/** RFC 4028 10: the refresher sends a session refresh request at half the session interval. */
export function refreshAfterMs(seconds: number): number {
  return (seconds * 1000) / 2;
}

/**
 * RFC 4028 10: "If no session refresh request is received before the session expires ... the UA
 * SHOULD send a BYE ... slightly before the session expires. The minimum of 32 seconds and one third
 * of the session interval is RECOMMENDED": the BYE goes interval - min(32 s, interval/3) after the
 * last refresh.
 */
export function byeAfterMs(seconds: number): number {
  return seconds * 1000 - Math.min(BYE_MARGIN_MAX_S * 1000, (seconds * 1000) / 3);
}

/** The largest Min-SE a UAC may retry with after 422 responses (RFC 4028 7.4); undefined when the 422 gives none it can use. */
export function minSEAfter422(response: SipResponse, current: SessionExpires | undefined, currentMinSE: number | undefined): number | undefined {
  let given: number | undefined;
  try {
    given = minSEOf(response);
  } catch {
    return undefined;
  }
  // RFC 4028 6: "The 422 response MUST contain a Min-SE header field"; one not above what was asked is no reason to retry
  if (given === undefined || (current !== undefined && given <= current.seconds)) return undefined;
  return Math.max(given, currentMinSE ?? 0);
}

/**
 * RFC 4028 7.4: the INVITE sent again after a 422: the same Call-ID, From and To, the next CSeq, a new
 * branch (`via`), Min-SE set to the largest of the 422s and Session-Expires raised to it (the refresher
 * as asked before). Undefined when the 422 gives no larger Min-SE to retry with.
 */
export function retryAfter422(request: SipRequest, response: SipResponse, via: string): SipRequest | undefined {
  const current = sessionExpiresOf(request);
  const minSE = minSEAfter422(response, current, minSEOf(request));
  if (minSE === undefined) return undefined;
  const retry = new SipRequest(request.method, request.uriText, request.version);
  for (const h of request.headers) retry.headers.push({ ...h });
  retry.body = request.body;
  retry.setHeader("Via", via);
  retry.setHeader("CSeq", `${request.cseq.seq + 1} ${request.method}`);
  addRequestHeaders(retry, current?.refresher === undefined ? { seconds: minSE } : { seconds: minSE, refresher: current.refresher }, minSE);
  return retry;
}

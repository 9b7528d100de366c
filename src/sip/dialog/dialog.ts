// RFC 3261 12: dialog state as data, created by the UAC (12.1.2) or the UAS (12.1.1), requests
// within it (12.2.1.1) and the checks on requests received within it (12.2.2).
import { SipRequest, type SipResponse, getParam, isSipUri, parseNameAddr, plainNameAddr, isNameAddrError, formatUri } from "../message/index.ts";

export type DialogState = "early" | "confirmed" | "terminated";

export interface DialogId {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
}

export function dialogKey(id: DialogId): string {
  return `${id.callId}|${id.localTag}|${id.remoteTag}`;
}

export class Dialog {
  state: DialogState;
  /** RFC 3261 12.1: the local sequence number, incremented for each new request (not ACK or CANCEL). */
  localSeq: number;
  remoteSeq: number | undefined;
  /** The Contact of the peer: the Request-URI of in-dialog requests (12.2.1.1). */
  remoteTarget: string;
  /** Route header values, in the order they are sent (12.1.1, 12.1.2). */
  routeSet: string[];
  /** RFC 3262 4: the highest RSeq acknowledged in this dialog. */
  lastRSeq: number | undefined;

  private constructor(
    readonly id: DialogId,
    /** Our From (UAC) or To (UAS) header value, with our tag. */
    readonly localHeader: string,
    /** The peer's header value, with its tag. */
    readonly remoteHeader: string,
    readonly secure: boolean,
    init: { state: DialogState; localSeq: number; remoteSeq?: number; remoteTarget: string; routeSet: string[] },
  ) {
    this.state = init.state;
    this.localSeq = init.localSeq;
    this.remoteSeq = init.remoteSeq;
    this.remoteTarget = init.remoteTarget;
    this.routeSet = init.routeSet;
    this.lastRSeq = undefined;
  }

  #key: string | undefined;

  /** dialogKey(id), made once: a dialog's id does not change (RFC 3261 12). */
  get key(): string {
    return (this.#key ??= dialogKey(this.id));
  }

  /** RFC 3261 12.1.2: UAC side, from a 1xx with a To tag (early) or a 2xx (confirmed). */
  static asUac(request: SipRequest, response: SipResponse): Dialog {
    const remoteTag = response.toTag;
    const localTag = request.fromTag;
    if (!remoteTag || !localTag) throw new Error(`a dialog needs both tags: From tag ${localTag ?? "missing"}, To tag ${remoteTag ?? "missing"} (RFC 3261 12.1.2)`);
    // RFC 3261 12.1.2: the route set is the Record-Route of the response, in reverse order
    const routeSet = response.headerValues("record-route").reverse();
    return new Dialog({ callId: request.callId, localTag, remoteTag }, request.header("from")!, response.header("to")!, isSips(request.uriText), {
      state: response.status < 200 ? "early" : "confirmed",
      localSeq: request.cseq.seq,
      remoteTarget: contactUri(response) ?? request.uriText,
      routeSet,
    });
  }

  /** RFC 3261 12.1.1: UAS side, from the request and the To tag we put in our response. */
  static asUas(request: SipRequest, localTag: string, state: DialogState = "early"): Dialog {
    const remoteTag = request.fromTag;
    if (!remoteTag) throw new Error("the request has no From tag (RFC 3261 8.1.1.3)");
    const to = request.header("to")!;
    return new Dialog(
      { callId: request.callId, localTag, remoteTag },
      /;\s*tag\s*=/i.test(to) ? to : `${to};tag=${localTag}`,
      request.header("from")!,
      isSips(request.uriText),
      // RFC 3261 12.1.1: the route set is the Record-Route of the request, in order; local CSeq starts empty
      { state, localSeq: Math.floor(Math.random() * 10000) + 1, remoteSeq: request.cseq.seq, remoteTarget: contactUri(request) ?? "", routeSet: request.headerValues("record-route") },
    );
  }

  /** RFC 3261 12.2.1.2 and 13.2.2.4: a 2xx confirms an early dialog and fixes its route set. */
  confirm(response: SipResponse): void {
    if (this.state === "early") {
      this.routeSet = response.headerValues("record-route").reverse();
      this.state = "confirmed";
    }
    this.refreshTarget(response);
  }

  /** RFC 3261 12.2.1.2, 12.2.2: a target refresh request or its 2xx replaces the remote target. */
  refreshTarget(message: SipRequest | SipResponse): void {
    const c = contactUri(message);
    if (c) this.remoteTarget = c;
  }

  /**
   * RFC 3261 12.2.1.1: a request within the dialog. ACK reuses the INVITE's CSeq number (13.2.2.4),
   * other methods take the next local sequence number.
   */
  createRequest(method: string, via: string, options: { cseq?: number } = {}): SipRequest {
    let seq: number;
    if (options.cseq !== undefined) seq = options.cseq;
    else if (method === "ACK" || method === "CANCEL") seq = this.localSeq;
    else seq = ++this.localSeq;
    const firstRoute = this.routeSet[0] !== undefined ? parseNameAddr(this.routeSet[0]) : undefined;
    let requestUri = this.remoteTarget;
    let routes = this.routeSet;
    if (firstRoute && !isNameAddrError(firstRoute) && isSipUri(firstRoute.uri) && !getParam(firstRoute.uri.params, "lr")) {
      // RFC 3261 12.2.1.1: strict routing: the first route becomes the Request-URI, the remote target the last Route
      requestUri = formatUri(firstRoute.uri);
      routes = [...this.routeSet.slice(1), `<${this.remoteTarget}>`];
    }
    const r = new SipRequest(method, requestUri);
    r.addHeader("Via", via);
    r.addHeader("Max-Forwards", 70);
    for (const route of routes) r.addHeader("Route", route);
    r.addHeader("From", this.localHeader);
    r.addHeader("To", this.remoteHeader);
    r.addHeader("Call-ID", this.id.callId);
    r.addHeader("CSeq", `${seq} ${method}`);
    return r;
  }

  /**
   * RFC 3261 12.2.2: a request within the dialog with a CSeq lower than the last one is rejected
   * with 500; otherwise the remote sequence number advances.
   */
  receiveRequest(request: SipRequest): { ok: true } | { ok: false; status: number; reason: string } {
    const seq = request.cseq.seq;
    if (request.method !== "ACK" && request.method !== "CANCEL") {
      if (this.remoteSeq !== undefined && seq < this.remoteSeq) {
        return { ok: false, status: 500, reason: `CSeq ${seq} is lower than ${this.remoteSeq} (RFC 3261 12.2.2)` };
      }
      this.remoteSeq = seq;
    }
    return { ok: true };
  }

  terminate(): void {
    this.state = "terminated";
  }
}

function contactUri(m: SipRequest | SipResponse): string | undefined {
  // A first line without a comma is the first value: read off its plain spelling if it has one
  const line = m.header("contact");
  const plain = line === undefined || line.includes(",") ? null : plainNameAddr(line);
  if (plain !== null) return plain.uri;
  const c = m.headerValues("contact")[0];
  if (c === undefined) return undefined;
  const na = parseNameAddr(c);
  return isNameAddrError(na) ? undefined : formatUri(na.uri);
}

function isSips(uri: string): boolean {
  // RFC 3261 19.1.4: the scheme is case-insensitive (compared without a lower-cased copy of the URI)
  return uri.length >= 5 && uri[4] === ":" && uri.slice(0, 4).toLowerCase() === "sips";
}

// RFC 3261 17.1.3 and 17.2.3: matching responses to client transactions and requests to server transactions.
import { MAGIC_COOKIE, type SipMessage, type SipRequest, viaBranch } from "../message/index.ts";

/** RFC 3261 17.1.3: the top Via branch and the CSeq method identify a client transaction. */
export function clientTransactionKey(branch: string, method: string): string {
  return `${branch}|${method}`;
}

export function responseKey(response: SipMessage): string | undefined {
  const branch = response.branch;
  if (branch === undefined) return undefined;
  return clientTransactionKey(branch, response.cseq.method);
}

/**
 * RFC 3261 17.2.3: with an RFC 3261 branch, branch + sent-by + method (ACK matches its INVITE);
 * otherwise the RFC 2543 rule on Request-URI, tags, Call-ID, CSeq and top Via.
 */
export function serverTransactionKey(request: SipRequest, methodOverride?: string): string {
  const via = request.topVia;
  const branch = viaBranch(via);
  let method = methodOverride ?? request.method;
  if (method === "ACK") method = "INVITE";
  const sentBy = `${via.host.toLowerCase()}:${via.port ?? ""}`;
  if (branch !== undefined && branch.startsWith(MAGIC_COOKIE)) return `${branch}|${sentBy}|${method}`;
  const cseq = request.cseq.seq;
  // RFC 3261 17.2.3: the ACK of a 2543 peer carries the To tag of our response; ignore To tags here
  return `2543|${request.uriText}|${request.fromTag ?? ""}|${request.callId}|${cseq}|${sentBy}|${branch ?? ""}|${method}`;
}

// Which networks an initial request's Record-Route passed through (issue 15, interop): RFC 3261
// 16.6 item 4, a proxy that wants to stay on the path of the dialog adds a Record-Route naming
// itself; TS 24.229 5.4.3.2/5.4.3.3, the S-CSCFs of both networks (and the I-CSCF/IBCF at the
// boundary, if they record-route) stay on the path of a call between networks.
import { type SipRequest, isNameAddrError, isSipUri, paramValue, parseNameAddr } from "../sip/message/index.ts";
import { unbracketHost } from "../sip/transport/address.ts";

/** A network of the pair and the addresses that are its own (P-CSCF, interconnect). */
export interface RoutedNetwork {
  readonly name: string;
  readonly addresses: readonly { readonly host: string; readonly port: number }[];
}

/** The networks of `networks` that no Record-Route value of `request` names (host and port, 5060 when absent). */
export function networksMissingFromRecordRoute(request: SipRequest, networks: readonly RoutedNetwork[]): RoutedNetwork[] {
  const named = new Set<string>();
  for (const value of request.headerValues("record-route")) {
    const na = parseNameAddr(value);
    if (isNameAddrError(na) || !isSipUri(na.uri)) continue;
    named.add(`${unbracketHost(paramValue(na.uri.params, "maddr") || na.uri.host).toLowerCase()}:${na.uri.port ?? 5060}`);
  }
  return networks.filter((n) => !n.addresses.some((a) => named.has(`${unbracketHost(a.host).toLowerCase()}:${a.port}`)));
}

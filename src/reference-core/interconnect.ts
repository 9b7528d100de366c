// The reference core's interconnection with other IMS networks (issue 15; TS 24.228 7.2: the
// originating S-CSCF routes to the terminating network's I-CSCF, which hands the request to the
// terminating S-CSCF). A peer is a foreign home domain and the address where that network takes
// requests (its I-CSCF or IBCF), over UDP. Peers are within the core's trust domain (TS 24.229 4.4):
// their P-Asserted-Identity is kept.
import type { Destination } from "../sip/endpoint/index.ts";
import { type Uri, isSipUri } from "../sip/message/index.ts";
import { unbracketHost } from "../sip/transport/address.ts";

export interface InterconnectPeer {
  /** The peer's home domain: Request-URIs with this host go to it. */
  readonly domain: string;
  /** Where the peer takes requests for its users (UDP). */
  readonly host: string;
  readonly port: number;
}

export class Interconnect {
  private peers: readonly InterconnectPeer[] = [];

  /** Replaces the peers (the interop runner sets them once every network of the run has started). */
  set(peers: readonly InterconnectPeer[]): void {
    this.peers = [...peers];
  }

  list(): readonly InterconnectPeer[] {
    return this.peers;
  }

  /** The peer whose domain a Request-URI names (TS 24.229 5.4.3.2: a terminating user of another network), if any. */
  peerFor(uri: Uri): InterconnectPeer | undefined {
    if (!isSipUri(uri)) return undefined;
    const host = unbracketHost(uri.host).toLowerCase();
    return this.peers.find((p) => p.domain.toLowerCase() === host);
  }

  /** The peer a request came from: its source is the peer's interconnect address (UDP). */
  peerAt(source: Destination): InterconnectPeer | undefined {
    if (source.protocol !== "udp") return undefined;
    const host = unbracketHost(source.host).toLowerCase();
    return this.peers.find((p) => unbracketHost(p.host).toLowerCase() === host && p.port === source.port);
  }

  /** Where requests for a peer's users go. */
  destination(peer: InterconnectPeer): Destination {
    return { protocol: "udp", host: peer.host, port: peer.port };
  }
}

import { addressKey } from "./address.ts";
import type { TransportAddress } from "./address.ts";

/**
 * Open connections of a connection-oriented transport, found by id (the connection a
 * request arrived on, RFC 3261 18.2.2) or by remote address (RFC 3261 18.1.1 / RFC 5923:
 * a message to a peer we already have a connection with reuses it).
 */
export class ConnectionTable<C extends { readonly id: string }> {
  private readonly byId = new Map<string, C>();
  private readonly byRemote = new Map<string, C>();
  private readonly keysOf = new Map<C, string[]>();

  get size(): number {
    return this.byId.size;
  }

  add(connection: C, remote: TransportAddress): void {
    this.byId.set(connection.id, connection);
    this.keysOf.set(connection, []);
    this.alias(connection, remote);
  }

  /** Also find `connection` by `remote` (e.g. the resolved address of a host name). */
  alias(connection: C, remote: TransportAddress): void {
    const keys = this.keysOf.get(connection);
    if (keys === undefined) return;
    const key = addressKey(remote);
    if (keys.includes(key)) return;
    keys.push(key);
    // The newest connection to an address wins.
    this.byRemote.set(key, connection);
  }

  get(id: string): C | undefined {
    return this.byId.get(id);
  }

  lookup(remote: TransportAddress): C | undefined {
    return this.byRemote.get(addressKey(remote));
  }

  remove(connection: C): void {
    const keys = this.keysOf.get(connection);
    if (keys === undefined) return;
    this.keysOf.delete(connection);
    this.byId.delete(connection.id);
    for (const key of keys) {
      if (this.byRemote.get(key) === connection) this.byRemote.delete(key);
    }
  }

  values(): C[] {
    return [...this.byId.values()];
  }
}

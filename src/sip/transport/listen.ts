// Listening on a host and port for the stream and WebSocket transports, with one way of reporting
// that it failed (address in use, no such address).
import type { EventEmitter } from "node:events";
import type { Server } from "node:net";
import type { TransportAddress, TransportProtocol } from "./address.ts";
import { TransportError, describeFailure } from "./transport.ts";

/**
 * Starts `server` listening on `at` and resolves with the bound address (the actual port when 0 was
 * asked). Errors are watched on `errors` (the server itself, or a wrapper that re-emits its errors).
 */
export function listen(server: Server, errors: EventEmitter, at: TransportAddress, protocol: TransportProtocol): Promise<TransportAddress> {
  return new Promise<TransportAddress>((resolve, reject) => {
    const onError = (cause: Error): void => {
      reject(new TransportError(describeFailure(`${protocol} listen on`, at, cause), { code: "bind", protocol, local: { host: at.host, port: at.port }, cause }));
    };
    errors.once("error", onError);
    server.listen({ host: at.host, port: at.port }, () => {
      errors.off("error", onError);
      const bound = server.address();
      resolve(bound !== null && typeof bound === "object" ? { host: bound.address, port: bound.port } : { host: at.host, port: at.port });
    });
  });
}

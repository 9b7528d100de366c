import { connect, createServer } from "node:net";
import { StreamTransport } from "./stream-transport.ts";
import type { StreamSocketFactory, StreamTransportOptions } from "./stream-transport.ts";

export type TcpTransportOptions = StreamTransportOptions;

/** Plain TCP sockets (RFC 3261 18). */
export const tcpSocketFactory: StreamSocketFactory = {
  protocol: "tcp",
  createServer: (onSocket) => createServer(onSocket),
  connect: (remote, localAddress) => ({
    socket: connect({ host: remote.host, port: remote.port, ...(localAddress === undefined ? {} : { localAddress }) }),
    readyEvent: "connect",
  }),
};

/** A TCP transport listening on host:port (resolves once listening). */
export function createTcpTransport(options: TcpTransportOptions): Promise<StreamTransport> {
  return StreamTransport.listen(tcpSocketFactory, options);
}

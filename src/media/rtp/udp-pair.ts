// RFC 3550 11: RTP on an even port and RTCP on the next (odd) one. With port 0 the operating
// system picks a free port and the pair is completed around it.
import { type Socket, createSocket } from "node:dgram";
import { isIPv6 } from "node:net";

export interface UdpPair {
  readonly rtp: Socket;
  readonly rtcp: Socket;
  readonly host: string;
  readonly rtpPort: number;
  readonly rtcpPort: number;
}

const ATTEMPTS = 64;

/** Binds RTP on `port` (even) and RTCP on port + 1 at `host`; port 0 or undefined picks a free even pair. */
export async function bindUdpPair(host: string, port: number | undefined, receiveBufferBytes: number): Promise<UdpPair> {
  if (port !== undefined && port !== 0) {
    if (!Number.isInteger(port) || port % 2 !== 0 || port < 2 || port > 65534) throw new RangeError(`RTP port ${port} is not an even port below 65535 (RFC 3550 11: RTP even, RTCP the next odd port)`);
    const rtp = await bind(host, port, receiveBufferBytes);
    try {
      return { rtp, rtcp: await bind(host, port + 1, receiveBufferBytes), host, rtpPort: port, rtcpPort: port + 1 };
    } catch (err) {
      await close(rtp);
      throw err;
    }
  }
  let lastError: unknown;
  for (let i = 0; i < ATTEMPTS; i++) {
    const first = await bind(host, 0, receiveBufferBytes);
    const p = first.address().port;
    // an even port becomes RTP and its odd neighbour is tried for RTCP; an odd one becomes RTCP and its even neighbour is tried for RTP
    const [rtpPort, rtcpPort] = p % 2 === 0 ? [p, p + 1] : [p - 1, p];
    if (rtpPort < 2 || rtcpPort > 65535) {
      await close(first);
      continue;
    }
    try {
      const second = await bind(host, p % 2 === 0 ? rtcpPort : rtpPort, receiveBufferBytes);
      return p % 2 === 0 ? { rtp: first, rtcp: second, host, rtpPort, rtcpPort } : { rtp: second, rtcp: first, host, rtpPort, rtcpPort };
    } catch (err) {
      lastError = err;
      await close(first);
    }
  }
  throw new Error(`no free even/odd UDP port pair on ${host} after ${ATTEMPTS} attempts: ${String(lastError)}`);
}

function bind(host: string, port: number, receiveBufferBytes: number): Promise<Socket> {
  const socket = createSocket({ type: isIPv6(host) ? "udp6" : "udp4", recvBufferSize: receiveBufferBytes });
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      try {
        socket.close();
      } catch {
        // a socket whose bind failed may already be closed; the bind error is what the caller gets
      }
      reject(err);
    };
    socket.once("error", onError);
    socket.bind(port, host, () => {
      socket.removeListener("error", onError);
      resolve(socket);
    });
  });
}

export function close(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve(); // already closed
    }
  });
}

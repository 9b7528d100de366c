import type { TransportAddress, TransportProtocol } from "./address.ts";
import { traceTime } from "./trace.ts";
import type { TraceSink } from "./trace.ts";
import { TransportError } from "./transport.ts";
import type { IncomingPacket } from "./transport.ts";

type PacketHandler = (packet: IncomingPacket) => void;
type ErrorHandler = (error: TransportError) => void;

/** Handler lists and trace reporting shared by every transport. */
export class TransportEvents {
  private readonly protocol: TransportProtocol;
  private readonly trace: TraceSink | null;
  private packetHandlers: PacketHandler[] = [];
  private errorHandlers: ErrorHandler[] = [];
  /** Set once the transport is closed: late socket errors are no longer reported. */
  muted = false;

  constructor(protocol: TransportProtocol, trace: TraceSink | null | undefined) {
    this.protocol = protocol;
    this.trace = trace ?? null;
  }

  onPacket(handler: PacketHandler): void {
    this.packetHandlers = [...this.packetHandlers, handler];
  }

  onError(handler: ErrorHandler): void {
    this.errorHandlers = [...this.errorHandlers, handler];
  }

  /** Traces a sent message. */
  sent(bytes: Buffer, local: TransportAddress, remote: TransportAddress, note?: string): void {
    if (this.trace === null) return;
    this.trace.record(
      note === undefined
        ? { time: traceTime(), direction: "sent", protocol: this.protocol, local, remote, bytes }
        : { time: traceTime(), direction: "sent", protocol: this.protocol, local, remote, bytes, note },
    );
  }

  /** Traces received bytes that are not delivered as a message (keep-alives). */
  receivedOther(bytes: Buffer, local: TransportAddress, remote: TransportAddress, note: string): void {
    if (this.trace === null) return;
    this.trace.record({ time: traceTime(), direction: "received", protocol: this.protocol, local, remote, bytes, note });
  }

  /** Traces a received message and hands it to the packet handlers. */
  received(packet: IncomingPacket): void {
    if (this.trace !== null) {
      const entry = {
        time: traceTime(),
        direction: "received" as const,
        protocol: packet.protocol,
        local: packet.local,
        remote: packet.remote,
        bytes: packet.bytes,
      };
      this.trace.record(packet.connectionId === undefined ? entry : { ...entry, note: packet.connectionId });
    }
    const handlers = this.packetHandlers;
    for (let i = 0; i < handlers.length; i++) {
      try {
        handlers[i](packet);
      } catch (cause) {
        this.error(
          new TransportError("packet handler threw", {
            code: "handler",
            protocol: this.protocol,
            remote: packet.remote,
            local: packet.local,
            ...(packet.connectionId === undefined ? {} : { connectionId: packet.connectionId }),
            cause,
          }),
        );
      }
    }
  }

  /** Reports an error to the error handlers; a throwing error handler is ignored. */
  error(error: TransportError): void {
    if (this.muted) return;
    for (const handler of this.errorHandlers) {
      try {
        handler(error);
      } catch {
        // An error handler's own failure has nowhere left to go.
      }
    }
  }
}

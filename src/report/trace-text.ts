// The readable text trace of a test case: every message with timestamp, direction, addresses and
// transport, then the message itself.
import { formatAddress } from "../sip/transport/address.ts";
import type { TraceEntry } from "../sip/transport/trace.ts";

export function formatTraceText(entries: readonly TraceEntry[]): string {
  const t0 = entries[0]?.time ?? 0;
  return entries
    .map((e) => {
      const arrow = e.direction === "sent" ? `${formatAddress(e.local)} -> ${formatAddress(e.remote)}` : `${formatAddress(e.local)} <- ${formatAddress(e.remote)}`;
      const head = `#${e.seq} +${((e.time - t0) / 1000).toFixed(3)} s ${e.direction.toUpperCase()} ${e.protocol.toUpperCase()} ${arrow} (${e.bytes.length} bytes)${e.note ? ` [${e.note}]` : ""}`;
      return `${head}\n${e.bytes.toString("utf8").replace(/\r\n/g, "\n").trimEnd()}\n`;
    })
    .join("\n");
}

// The readable text trace of a test case: every message with timestamp, direction, addresses and
// transport, then the message itself. Control characters from the SUT are written as escapes
// (\x1b, \r ...), so that the plain-text attachment hides nothing and drives no terminal. A message
// that made the test case fail says so at the end of its heading ("<<< FAILED: <requirement id>").
import { escapeControlCharacters, escapeControlCharactersInSipText } from "./control-characters.ts";
import { formatAddress } from "../sip/transport/address.ts";
import type { TraceEntry } from "../sip/transport/trace.ts";
import { type LadderMark, marksBySeq } from "./ladder-svg.ts";

export interface TraceTextOptions {
  /** The messages that made the test case fail: their heading says so. */
  readonly marks?: readonly LadderMark[];
}

export function formatTraceText(entries: readonly TraceEntry[], options: TraceTextOptions = {}): string {
  const t0 = entries[0]?.time ?? 0;
  const marks = marksBySeq(options.marks);
  return entries
    .map((e) => {
      const arrow = e.direction === "sent" ? `${formatAddress(e.local)} -> ${formatAddress(e.remote)}` : `${formatAddress(e.local)} <- ${formatAddress(e.remote)}`;
      const failed = marks.get(e.seq);
      const head =
        `#${e.seq} +${((e.time - t0) / 1000).toFixed(3)} s ${e.direction.toUpperCase()} ${e.protocol.toUpperCase()} ${arrow} (${e.bytes.length} bytes)${e.note ? ` [${escapeControlCharacters(e.note)}]` : ""}` +
        (failed ? ` <<< FAILED: ${escapeControlCharacters(failed.label)}` : "");
      return `${head}\n${escapeControlCharactersInSipText(e.bytes.toString("utf8")).trimEnd()}\n`;
    })
    .join("\n");
}

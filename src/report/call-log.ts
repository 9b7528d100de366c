// The call log under a failure: the last messages of the test case, one line each (time, who sent
// it to whom, start line, CSeq and Call-ID as sent), so the reader sees what led to it.
import { summarizeMessage } from "../sip/failure.ts";
import { parseMessage } from "../sip/message/index.ts";
import { formatAddress } from "../sip/transport/address.ts";
import type { TraceEntry } from "../sip/transport/trace.ts";

/** `names` maps "host:port" to a participant's name ("UE-A", "SUT"); other addresses are shown as they are. */
export function callLog(entries: readonly TraceEntry[], names: ReadonlyMap<string, string>, last = 12): string[] {
  const t0 = entries[0]?.time ?? 0;
  const name = (a: TraceEntry["local"]): string => names.get(`${a.host}:${a.port}`) ?? formatAddress(a);
  return entries.slice(-last).map((e) => {
    const [from, to] = e.direction === "sent" ? [e.local, e.remote] : [e.remote, e.local];
    const parsed = parseMessage(e.bytes);
    const what = parsed.ok ? summarizeMessage(parsed.message) : `unparsable: ${JSON.stringify(e.bytes.toString("utf8", 0, 60).split(/\r?\n/)[0])}`;
    return `+${((e.time - t0) / 1000).toFixed(3)} s ${name(from)} -> ${name(to)}: ${what}`;
  });
}

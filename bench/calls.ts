// Completed calls per second over UDP: the driver's UE (real transactions and dialogs) against
// `sipp -sn uas`, beside `sipp -sn uac` against the same kind of `sipp -sn uas`, in one run.
import { readFileSync } from "node:fs";
import { ImsUe } from "../src/sip/ue/index.ts";
import type { TraceEntry, TraceSink } from "../src/sip/transport/trace.ts";
import { startSipp } from "../test/support/sipp.ts";

const BUFFERS = ["-buff_size", "4194304"];
const SDP = "v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

export interface CallFigures {
  readonly calls: number;
  readonly seconds: number;
  readonly callsPerSecond: number;
  readonly failed: number;
  /** Requests the caller sent more than once, plus the answerer's retransmissions. */
  readonly retransmissions: number;
  /**
   * CPU time of the caller's process per completed call (user + system, all its threads), in µs:
   * less sensitive than calls/s to a shared machine's other tenants. Undefined where /proc is not.
   */
  readonly cpuMicrosPerCall?: number;
}

/** CPU time (µs) of the children this process has waited for, from /proc/self/stat (cutime + cstime). */
function childrenCpuMicros(): number | undefined {
  try {
    const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
    // Fields 16 and 17 of stat(5), counted from 1 with pid and comm before ") "; in clock ticks (USER_HZ, 100 on Linux)
    return (Number(fields[13]) + Number(fields[14])) * 10000;
  } catch {
    return undefined;
  }
}

/** Counts what the caller sent: 3 requests per call (INVITE, ACK, BYE) when nothing is retransmitted. */
class SentCounter implements TraceSink {
  sent = 0;
  record(e: Omit<TraceEntry, "seq">): void {
    if (e.direction === "sent") this.sent++;
  }
}

export async function benchDriverCalls(total: number, inFlight: number): Promise<CallFigures> {
  const uas = await startSipp({ scenario: "uas", transport: "udp", calls: total, extraArgs: BUFFERS, timeoutMs: 120000 });
  const counter = new SentCounter();
  const ue = await ImsUe.start({
    name: "bench",
    impi: "bench@ims.test",
    impu: "sip:bench@ims.test",
    domain: "ims.test",
    credentials: { kind: "digest", password: "unused" },
    pcscf: { protocol: "udp", host: "127.0.0.1", port: uas.port },
    protocol: "udp",
    trace: counter,
  });
  let started = 0;
  let failed = 0;
  const target = `sip:service@127.0.0.1:${uas.port}`;
  const one = async (): Promise<void> => {
    while (started < total) {
      started++;
      try {
        const call = ue.call(target, { sdp: SDP, reliable: false });
        const final = await call.waitForFinal();
        if (final.status !== 200) {
          failed++;
          continue;
        }
        if ((await call.bye()).status !== 200) failed++;
      } catch {
        failed++;
      }
    }
  };
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await Promise.all(Array.from({ length: inFlight }, one));
  const cpu = process.cpuUsage(cpu0);
  const seconds = (performance.now() - t0) / 1000;
  await ue.close();
  const sipp = await uas.done;
  const retransmissions = Math.max(0, counter.sent - 3 * total) + (sipp.retransmissions ?? 0);
  const calls = total - failed;
  return { calls, seconds, callsPerSecond: calls / seconds, failed: failed + sipp.failed, retransmissions, cpuMicrosPerCall: (cpu.user + cpu.system) / Math.max(1, calls) };
}

export async function benchSippCalls(total: number, inFlight: number): Promise<CallFigures> {
  const uas = await startSipp({ scenario: "uas", transport: "udp", calls: total, extraArgs: BUFFERS, timeoutMs: 120000 });
  const t0 = performance.now();
  // The caller is the only child that ends before the answerer: what it used is what the children's CPU time grows by
  const children0 = childrenCpuMicros();
  const uac = await startSipp({
    scenario: "uac",
    transport: "udp",
    remote: `127.0.0.1:${uas.port}`,
    calls: total,
    extraArgs: [...BUFFERS, "-r", "1000000", "-l", String(inFlight), "-d", "0"],
    timeoutMs: 120000,
  });
  const caller = await uac.done;
  const seconds = (performance.now() - t0) / 1000;
  const children1 = childrenCpuMicros();
  const answerer = await uas.done;
  return {
    calls: caller.successful,
    seconds,
    callsPerSecond: caller.successful / seconds,
    failed: caller.failed + answerer.failed,
    retransmissions: (caller.retransmissions ?? 0) + (answerer.retransmissions ?? 0),
    ...(children0 !== undefined && children1 !== undefined ? { cpuMicrosPerCall: (children1 - children0) / Math.max(1, caller.successful) } : {}),
  };
}

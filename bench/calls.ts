// Completed calls per second over UDP: the driver's UE (real transactions and dialogs) against
// `sipp -sn uas`, beside `sipp -sn uac` against the same kind of `sipp -sn uas`, in one run.
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
  await Promise.all(Array.from({ length: inFlight }, one));
  const seconds = (performance.now() - t0) / 1000;
  await ue.close();
  const sipp = await uas.done;
  const retransmissions = Math.max(0, counter.sent - 3 * total) + (sipp.retransmissions ?? 0);
  return { calls: total - failed, seconds, callsPerSecond: (total - failed) / seconds, failed: failed + sipp.failed, retransmissions };
}

export async function benchSippCalls(total: number, inFlight: number): Promise<CallFigures> {
  const uas = await startSipp({ scenario: "uas", transport: "udp", calls: total, extraArgs: BUFFERS, timeoutMs: 120000 });
  const t0 = performance.now();
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
  const answerer = await uas.done;
  return {
    calls: caller.successful,
    seconds,
    callsPerSecond: caller.successful / seconds,
    failed: caller.failed + answerer.failed,
    retransmissions: (caller.retransmissions ?? 0) + (answerer.retransmissions ?? 0),
  };
}

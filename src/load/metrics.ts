// The figures of a load run (issue 17): RFC 6076's SIP end-to-end performance metrics, recorded per
// flow, kept as HDR histograms (delays) and counters (ratios), per second as a time series, and
// serialisable so that the results of several processes or machines merge exactly: histograms are
// added, never averaged, counters summed, series summed second by second.
//
//   RRD  4.1 Registration Request Delay: REGISTER sent -> its 2xx (successful registrations)
//   IRA  4.2 Ineffective Registration Attempts: REGISTERs that got no final response or 408, 500,
//            503, 504 (the registrar or the network failed), in percent of all registration attempts
//   SRD  4.3 Session Request Delay: INVITE sent -> the first status-indicative response (any 1xx but
//            100, or a final response)
//   SDD  4.4 Session Disconnect Delay: BYE sent -> its final response
//   SDT  4.5 Session Duration Time: 200 to the INVITE -> the BYE
//   SER  4.6 Session Establishment Ratio: INVITEs answered 200 / (INVITEs - INVITEs answered 3xx)
//   SEER 4.7 Session Establishment Effectiveness Ratio: INVITEs answered 200, 480, 486, 600 or 603 /
//            (INVITEs - INVITEs answered 3xx)
//   ISA  4.8 Ineffective Session Attempts: INVITEs answered 408, 500, 503, 504 or not at all / INVITEs
//   SCR  4.9 Session Completion Ratio: sessions set up and released normally (200, then BYE answered
//            2xx) / INVITEs
// Delays are whole milliseconds (HDR histograms of 3 significant digits, 1 ms to 1 hour).
import hdr from "hdr-histogram-js";

/** The delay metrics of RFC 6076 this recorder keeps, each a histogram of milliseconds. */
export const DELAY_METRICS = ["rrd", "srd", "sdd", "sdt"] as const;
export type DelayMetric = (typeof DELAY_METRICS)[number];

const HISTOGRAM = { lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000, numberOfSignificantValueDigits: 3 } as const;
/** RFC 6076 4.7: the final responses that show the network did its part (the callee answered or refused). */
const EFFECTIVE: ReadonlySet<number> = new Set([200, 480, 486, 600, 603]);
/** RFC 6076 4.2, 4.8: the final responses that show the network failed. */
const INEFFECTIVE: ReadonlySet<number> = new Set([408, 500, 503, 504]);

/** The counters of a run; every ratio is computed from them. */
export interface LoadCounts {
  registrations: number;
  registrationsOk: number;
  registrationsIneffective: number;
  invites: number;
  invites200: number;
  invites3xx: number;
  invitesEffective: number;
  invitesIneffective: number;
  sessionsCompleted: number;
}

/** One second of the run (since its start): what began and what ended in it. Every field sums across shards. */
export interface LoadSecond {
  /** Flows started in this second. */
  started: number;
  /** Flows that ended in this second, passed and failed. */
  passed: number;
  failures: number;
  /** The most flows in flight at once during this second. */
  inFlight: number;
  registrations: number;
  invites: number;
  established: number;
  /** Sums and counts of RRD and SRD ending in this second (ms): a per-second mean that merges exactly. */
  rrdSum: number;
  rrdCount: number;
  srdSum: number;
  srdCount: number;
}

/** What a run (or a shard of one) recorded, as JSON: the unit that merges. */
export interface LoadResult {
  readonly format: "ims-interop-load/2";
  /** When the run started, ms since the epoch (merge: the earliest). */
  readonly startedAt: number;
  readonly counts: LoadCounts;
  /** Histograms of milliseconds, HdrHistogram's compressed base64 encoding. */
  readonly histograms: Readonly<Record<DelayMetric, string>>;
  /** Failed flows by the requirement (or expectation) that failed them, e.g. "response.cseq". */
  readonly failures: Readonly<Record<string, number>>;
  /** Index: the second since startedAt. */
  readonly series: readonly LoadSecond[];
}

/** A registration attempt: when its first REGISTER left, and when and how it ended (no status: no final response). */
export interface RegistrationSample {
  readonly sentAt: number;
  readonly endedAt?: number;
  readonly status?: number;
}

/** A session attempt as its caller saw it; absent fields did not happen. */
export interface SessionSample {
  readonly inviteAt: number;
  /** The first status-indicative response (any 1xx but 100, or the final one). */
  readonly firstResponseAt?: number;
  readonly finalStatus?: number;
  readonly answeredAt?: number;
  readonly byeAt?: number;
  readonly byeAnsweredAt?: number;
  readonly byeStatus?: number;
}

const ZERO_COUNTS = (): LoadCounts => ({
  registrations: 0,
  registrationsOk: 0,
  registrationsIneffective: 0,
  invites: 0,
  invites200: 0,
  invites3xx: 0,
  invitesEffective: 0,
  invitesIneffective: 0,
  sessionsCompleted: 0,
});

function newHistogram(): hdr.Histogram {
  return hdr.build(HISTOGRAM);
}

/** Records the flows of one process; `result()` gives what merges with the other processes'. */
export class LoadRecorder {
  private readonly counts = ZERO_COUNTS();
  private readonly histograms = Object.fromEntries(DELAY_METRICS.map((m) => [m, newHistogram()])) as Record<DelayMetric, hdr.Histogram>;
  private readonly failures = new Map<string, number>();
  private readonly series: LoadSecond[] = [];

  constructor(readonly startedAt: number) {}

  /** RFC 6076 4.1, 4.2. */
  registration(s: RegistrationSample): void {
    this.counts.registrations++;
    this.second(s.sentAt).registrations++;
    if (s.status !== undefined && s.status >= 200 && s.status < 300 && s.endedAt !== undefined) {
      this.counts.registrationsOk++;
      const ms = this.delay("rrd", s.endedAt - s.sentAt);
      const at = this.second(s.endedAt);
      at.rrdSum += ms;
      at.rrdCount++;
    } else if (s.status === undefined || INEFFECTIVE.has(s.status)) this.counts.registrationsIneffective++;
  }

  /** RFC 6076 4.3 to 4.9. */
  session(s: SessionSample): void {
    this.counts.invites++;
    this.second(s.inviteAt).invites++;
    if (s.firstResponseAt !== undefined) {
      const ms = this.delay("srd", s.firstResponseAt - s.inviteAt);
      const at = this.second(s.firstResponseAt);
      at.srdSum += ms;
      at.srdCount++;
    }
    const status = s.finalStatus;
    if (status === undefined || INEFFECTIVE.has(status)) this.counts.invitesIneffective++;
    if (status !== undefined && status >= 300 && status < 400) this.counts.invites3xx++;
    if (status !== undefined && EFFECTIVE.has(status)) this.counts.invitesEffective++;
    if (status === 200) {
      this.counts.invites200++;
      if (s.answeredAt !== undefined) this.second(s.answeredAt).established++;
    }
    if (s.answeredAt !== undefined && s.byeAt !== undefined) this.delay("sdt", s.byeAt - s.answeredAt);
    if (s.byeAt !== undefined && s.byeAnsweredAt !== undefined) this.delay("sdd", s.byeAnsweredAt - s.byeAt);
    if (status === 200 && s.byeStatus !== undefined && s.byeStatus >= 200 && s.byeStatus < 300) this.counts.sessionsCompleted++;
  }

  /** A flow that broke a requirement (or an expectation): counted under its identifier, in the second it happened. */
  failure(requirement: string, at: number): void {
    this.failures.set(requirement, (this.failures.get(requirement) ?? 0) + 1);
    this.second(at).failures++;
  }

  /** A flow started; `inFlight` counts it. */
  flowStarted(at: number, inFlight: number): void {
    const s = this.second(at);
    s.started++;
    s.inFlight = Math.max(s.inFlight, inFlight);
  }

  /** A flow that passed. */
  flowPassed(at: number): void {
    this.second(at).passed++;
  }

  /** The series so far (for the live screen): a copy. */
  seriesSoFar(): LoadSecond[] {
    return this.series.map((s) => ({ ...s }));
  }

  result(): LoadResult {
    return {
      format: "ims-interop-load/2",
      startedAt: this.startedAt,
      counts: { ...this.counts },
      histograms: Object.fromEntries(DELAY_METRICS.map((m) => [m, hdr.encodeIntoCompressedBase64(this.histograms[m])])) as Record<DelayMetric, string>,
      failures: Object.fromEntries([...this.failures].sort(([a], [b]) => a.localeCompare(b))),
      series: this.series.map((s) => ({ ...s })),
    };
  }

  private delay(metric: DelayMetric, ms: number): number {
    // A delay below 1 ms is recorded as 1 ms (the histogram's resolution); a clock step back as 1 ms too
    const v = Math.min(HISTOGRAM.highestTrackableValue, Math.max(1, Math.round(ms)));
    this.histograms[metric].recordValue(v);
    return v;
  }

  private second(at: number): LoadSecond {
    const i = Math.max(0, Math.floor((at - this.startedAt) / 1000));
    for (let k = this.series.length; k <= i; k++) this.series.push(emptySecond());
    return this.series[i];
  }
}

function emptySecond(): LoadSecond {
  return { started: 0, passed: 0, failures: 0, inFlight: 0, registrations: 0, invites: 0, established: 0, rrdSum: 0, rrdCount: 0, srdSum: 0, srdCount: 0 };
}

/** The results of several processes or machines as one: histograms added, counters and series summed (the series aligned on the earliest start). */
export function mergeLoadResults(results: readonly LoadResult[]): LoadResult {
  if (results.length === 0) throw new Error("no load result to merge");
  const startedAt = Math.min(...results.map((r) => r.startedAt));
  const counts = ZERO_COUNTS();
  const failures = new Map<string, number>();
  const series: LoadSecond[] = [];
  const histograms = Object.fromEntries(DELAY_METRICS.map((m) => [m, newHistogram()])) as Record<DelayMetric, hdr.Histogram>;
  for (const r of results) {
    for (const k of Object.keys(counts) as (keyof LoadCounts)[]) counts[k] += r.counts[k];
    for (const [id, n] of Object.entries(r.failures)) failures.set(id, (failures.get(id) ?? 0) + n);
    for (const m of DELAY_METRICS) histograms[m].add(hdr.decodeFromCompressedBase64(r.histograms[m]));
    const offset = Math.floor((r.startedAt - startedAt) / 1000);
    r.series.forEach((s, i) => {
      for (let k = series.length; k <= offset + i; k++) series.push(emptySecond());
      const into = series[offset + i];
      for (const k of Object.keys(into) as (keyof LoadSecond)[]) into[k] += s[k];
    });
  }
  return {
    format: "ims-interop-load/2",
    startedAt,
    counts,
    histograms: Object.fromEntries(DELAY_METRICS.map((m) => [m, hdr.encodeIntoCompressedBase64(histograms[m])])) as Record<DelayMetric, string>,
    failures: Object.fromEntries([...failures].sort(([a], [b]) => a.localeCompare(b))),
    series,
  };
}

/** A delay metric's figures in milliseconds (undefined where nothing was recorded). */
export interface DelayFigures {
  readonly count: number;
  readonly p50?: number;
  readonly p95?: number;
  readonly p99?: number;
  readonly max?: number;
}

export interface LoadFigures {
  readonly delays: Readonly<Record<DelayMetric, DelayFigures>>;
  /** Percentages, undefined where the denominator is zero. */
  readonly ira?: number;
  readonly ser?: number;
  readonly seer?: number;
  readonly isa?: number;
  readonly scr?: number;
}

/** RFC 6076's figures from a (merged) result. */
export function loadFigures(r: LoadResult): LoadFigures {
  const c = r.counts;
  const percent = (n: number, d: number): number | undefined => (d > 0 ? (100 * n) / d : undefined);
  const delays = Object.fromEntries(
    DELAY_METRICS.map((m) => {
      const h = hdr.decodeFromCompressedBase64(r.histograms[m]);
      const count = h.totalCount;
      return [m, count === 0 ? { count } : { count, p50: h.getValueAtPercentile(50), p95: h.getValueAtPercentile(95), p99: h.getValueAtPercentile(99), max: h.maxValue }];
    }),
  ) as Record<DelayMetric, DelayFigures>;
  const established = c.invites - c.invites3xx;
  return {
    delays,
    ...optional("ira", percent(c.registrationsIneffective, c.registrations)),
    ...optional("ser", percent(c.invites200, established)),
    ...optional("seer", percent(c.invitesEffective, established)),
    ...optional("isa", percent(c.invitesIneffective, c.invites)),
    ...optional("scr", percent(c.sessionsCompleted, c.invites)),
  };
}

function optional<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>);
}

// RFC 3261 17.1.1.1 and table 4: T1, T2, T4 and the timers derived from them.

export interface TimerSettings {
  /** RTT estimate, default 500 ms. */
  readonly t1: number;
  /** Maximum retransmit interval for non-INVITE requests and INVITE responses, default 4 s. */
  readonly t2: number;
  /** Maximum duration a message remains in the network, default 5 s. */
  readonly t4: number;
}

export const DEFAULT_TIMERS: TimerSettings = { t1: 500, t2: 4000, t4: 5000 };

/** 64*T1: Timers B, F, H, J, L, M and the default deadline of any wait for a response. */
export function transactionTimeout(t: TimerSettings): number {
  return 64 * t.t1;
}

/** RFC 3261 17.1.1.2: Timer D is at least 32 s for unreliable transports, 0 for reliable ones. */
export function timerD(t: TimerSettings, reliable: boolean): number {
  return reliable ? 0 : Math.max(32000, 64 * t.t1);
}

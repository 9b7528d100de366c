// Messages the endpoint received that no declared behaviour consumed, waiting for `expect`.
// RFC-agnostic bookkeeping: a message nobody consumes is reported at the end of a test case.
import { type Clock, systemClock } from "../clock.ts";
import { Deadline } from "../deadline.ts";
import { ExpectationError, summarizeMessage } from "../failure.ts";
import type { SipMessage } from "../message/index.ts";
import type { ServerTransaction } from "../transaction/index.ts";
import type { Destination } from "./destination.ts";
import { type MessageTemplate, describeTemplate, matchesTemplate } from "./message-template.ts";

export interface Received {
  readonly message: SipMessage;
  /** The server transaction of a new request; absent for responses and 2xx ACKs. */
  readonly transaction?: ServerTransaction;
  /** Where it came from: responses to it go back there (RFC 3261 18.2.2). */
  readonly source: Destination;
  readonly at: number;
}

interface Waiter {
  readonly template: MessageTemplate;
  readonly resolve: (r: Received) => void;
}

export class Inbox {
  private readonly queue: Received[] = [];
  private readonly waiters = new Set<Waiter>();

  constructor(private readonly clock: Clock = systemClock) {}

  push(r: Received): void {
    for (const w of this.waiters) {
      if (matchesTemplate(r.message, w.template)) {
        this.waiters.delete(w);
        w.resolve(r);
        return;
      }
    }
    this.queue.push(r);
  }

  /** Takes the first queued message matching the template, if any, without waiting. */
  take(template: MessageTemplate): Received | undefined {
    const i = this.queue.findIndex((r) => matchesTemplate(r.message, template));
    return i < 0 ? undefined : this.queue.splice(i, 1)[0];
  }

  /**
   * Waits for a message matching the template until the deadline. On timeout the error lists what
   * arrived instead (still queued) and the clause of the template.
   */
  expect(template: MessageTemplate, deadline: Deadline, callLog?: () => string[]): Promise<Received> {
    const found = this.take(template);
    if (found) return Promise.resolve(found);
    const started = this.clock.now();
    return new Promise<Received>((resolve, reject) => {
      const waiter: Waiter = {
        template,
        resolve: (r) => {
          this.clock.clearTimeout(timer);
          resolve(r);
        },
      };
      const timer = this.clock.setTimeout(() => {
        this.waiters.delete(waiter);
        const parts = {
          expected: describeTemplate(template),
          received: this.queue.map((r) => summarizeMessage(r.message)),
          timeout: { ms: this.clock.now() - started, budget: deadline.budget },
          ...(template.clause ? { clause: template.clause } : {}),
          ...(callLog ? { callLog: callLog() } : {}),
        };
        reject(new ExpectationError(parts));
      }, deadline.remaining());
      this.waiters.add(waiter);
    });
  }

  /** Messages received and never consumed: an After hook fails the test case on them. */
  unconsumed(): readonly Received[] {
    return this.queue;
  }

  clear(): void {
    this.queue.length = 0;
  }
}

export { Deadline };

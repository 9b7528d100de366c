// Messages the endpoint received that no declared behaviour consumed, waiting for `expect`.
// A message nobody consumes is reported at the end of a test case.
import { type Clock, systemClock } from "../clock.ts";
import type { Deadline } from "../deadline.ts";
import { summarizeMessage } from "../failure.ts";
import type { SipMessage } from "../message/index.ts";
import type { ServerTransaction } from "../transaction/index.ts";
import { WaitableQueue } from "../waitable-queue.ts";
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

export class Inbox {
  private readonly queue: WaitableQueue<Received>;

  constructor(clock: Clock = systemClock) {
    this.queue = new WaitableQueue<Received>((r) => summarizeMessage(r.message), clock);
  }

  push(r: Received): void {
    this.queue.push(r);
  }

  /** Takes the first queued message matching the template, if any, without waiting. */
  take(template: MessageTemplate): Received | undefined {
    return this.queue.take((r) => matchesTemplate(r.message, template));
  }

  /** Waits for a message matching the template; on timeout the error lists what arrived instead. */
  expect(template: MessageTemplate, deadline: Deadline): Promise<Received> {
    return this.queue.next((r) => matchesTemplate(r.message, template), deadline, describeTemplate(template), template.clause);
  }

  /** Keeps only what is not consumed yet (see WaitableQueue.forgetHistory). */
  forgetHistory(): void {
    this.queue.forgetHistory();
  }

  /** Messages received and never consumed: an After hook fails the test case on them. */
  unconsumed(): readonly Received[] {
    return this.queue.pending();
  }
}

// A request sent in a client transaction and awaited (SipEndpoint.request): the transaction user of
// RFC 3261 17.1 that settles once, on the final response, on Timer B/F (17.1.1.2, 17.1.2.2), on a
// transport error (17.1.4) or on the caller's deadline. One object rather than a closure per event.
import type { Clock, TimerHandle } from "../clock.ts";
import type { Deadline } from "../deadline.ts";
import { ExpectationError, summarizeMessage } from "../failure.ts";
import type { SipRequest, SipResponse } from "../message/index.ts";
import type { ClientTransactionUser, TimerSettings } from "../transaction/index.ts";
import { transactionTimeout } from "../transaction/index.ts";
import { type Destination, formatDestination } from "./destination.ts";

export interface PendingRequestOptions {
  readonly onProvisional?: (response: SipResponse) => void;
  /** Cited when no final response arrives. */
  readonly clause?: string;
}

function settledAlready(): void {}

function noProblems(): string[] {
  return [];
}

export class PendingRequest implements ClientTransactionUser {
  private provisional: SipResponse[] = [];
  private settled = false;
  private timer: TimerHandle | undefined;

  constructor(
    private readonly request: SipRequest,
    private readonly destination: Destination,
    private readonly options: PendingRequestOptions,
    private readonly clock: Clock,
    private readonly timers: TimerSettings,
    private readonly started: number,
    /** Unparsable or invalid messages from the destination since `started`: what "arrived" instead. */
    private problems: () => string[],
    private resolve: (response: SipResponse) => void,
    private reject: (error: Error) => void,
  ) {}

  onResponse(response: SipResponse): void {
    if (response.status < 200) {
      this.provisional.push(response);
      this.options.onProvisional?.(response);
    } else this.finish(response);
  }

  onTimeout(): void {
    const method = this.request.method;
    this.timedOut(`64*T1 = ${transactionTimeout(this.timers)} ms, Timer ${method === "INVITE" ? "B" : "F"}`, this.options.clause ?? `RFC 3261 ${method === "INVITE" ? "17.1.1.2" : "17.1.2.2"}`);
  }

  onTransportError(error: Error): void {
    if (this.settled) return;
    this.finish(new ExpectationError({ expected: this.expected(), received: [`transport error: ${error.message}`], clause: "RFC 3261 17.1.4" }));
  }

  /** Ends the wait at `deadline` when it comes before 64*T1; the transaction keeps running to absorb late responses. */
  until(deadline: Deadline | undefined): void {
    if (!deadline || deadline.at >= this.started + transactionTimeout(this.timers) || this.settled) return;
    this.timer = this.clock.setTimeout(() => this.timedOut(deadline.budget, this.options.clause), deadline.remaining());
  }

  /** No final response within `budget` (Timer B/F or the caller's deadline): what arrived instead is listed. */
  private timedOut(budget: string, clause: string | undefined): void {
    if (this.settled) return;
    this.finish(
      new ExpectationError({
        expected: this.expected(),
        received: this.received(),
        timeout: { ms: this.clock.now() - this.started, budget },
        ...(clause ? { clause } : {}),
      }),
    );
  }

  private finish(outcome: SipResponse | Error): void {
    if (this.settled) return;
    this.settled = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    const { resolve, reject } = this;
    // The transaction keeps its user until Timer K or M ends it (up to 64*T1): a settled one keeps nothing
    this.provisional = [];
    this.resolve = settledAlready;
    this.reject = settledAlready;
    this.problems = noProblems;
    if (outcome instanceof Error) reject(outcome);
    else resolve(outcome);
  }

  private expected(): string {
    return `a final response to ${this.request.method} ${this.request.uriText} sent to ${formatDestination(this.destination)}`;
  }

  private received(): string[] {
    return [...this.provisional.map((r) => summarizeMessage(r)), ...this.problems()];
  }
}

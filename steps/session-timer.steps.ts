// Steps of features/call/session-timer.feature: RFC 4028 session timers through the network. The
// simulated UEs play both ends (src/sip/ue/session-timer.ts); what is judged is the core between
// them: it carries Supported: timer, Session-Expires and Min-SE end to end, changes them only as a
// proxy may (RFC 4028 8.1, 8.2), carries the refresh and its 2xx, and the BYE that clears a session
// nobody refreshed (RFC 4028 10), which it does not send itself (8.3). The session interval is
// ixit.sessionTimer.expires (90 s by default; the embedded profiles' few seconds are a deliberate
// deviation from RFC 4028's floor, for fast tests).
import { Then, When } from "@cucumber/cucumber";
import type { Deadline } from "../src/sip/deadline.ts";
import { type SessionExpires, formatSessionExpires, minSEOf, sessionExpiresOf, supportsTimer } from "../src/sip/dialog/session-timer.ts";
import type { SipMessage } from "../src/sip/message/index.ts";
import type { IncomingCall, OutgoingCall } from "../src/sip/ue/index.ts";
import type { SessionTimer } from "../src/sip/ue/session-timer.ts";
import { MAX_SESSION_EXPIRES } from "../src/profile/profile-schema.ts";
import { InconclusiveError } from "../src/runner/verdict.ts";
import { expectStatus, expectThat, fail } from "./support/expect.ts";
import { incoming as incomingCall } from "./support/incoming.ts";
import { answerSdp, offerSdp } from "./support/media.ts";
import { type ImsWorld, later } from "./support/world.ts";

// SDP ports of this file's calls (only written in SDP), apart from call.steps.ts's 40000-59998
let mediaPort = 36000;
const nextPort = (): number => (mediaPort = mediaPort >= 39998 ? 36000 : mediaPort + 2);

/** The INVITE at `role`: a caller's INVITE rejected instead names RFC 4028 8.1 too (a 422 from the network). */
const incoming = (world: ImsWorld, role: string): Promise<IncomingCall> => incomingCall(world, role, "TS 24.229 5.4.3.2, RFC 4028 8.1");

/** Session-Expires of a message as received, or a failure naming what was there instead. */
function sessionExpires(m: SipMessage, expected: string, clause: string): SessionExpires {
  try {
    const se = sessionExpiresOf(m);
    if (se) return se;
  } catch (e) {
    fail(expected, `${m.header("session-expires") ?? ""}: ${e instanceof Error ? e.message : String(e)}`, "RFC 4028 4");
  }
  return fail(expected, m, clause);
}

/** A deadline at the session's expiry: the step's budget widened to reach it. */
function untilExpiry(world: ImsWorld, timer: SessionTimer, label: string): Deadline {
  const ms = timer.remainingMs();
  world.widenBudget(ms, `the session interval of ${timer.seconds} s`);
  return world.deadline(label, ms);
}

function sessionTimerOf(call: OutgoingCall | IncomingCall, role: string): SessionTimer {
  const t = call.sessionTimer;
  if (!t) throw new Error(`${role} has no session timer in this scenario`);
  return t;
}

When("{role} calls {role} with a session timer that {role} refreshes", async function (this: ImsWorld, caller: string, callee: string, refresher: string) {
  const ue = await this.ue(caller);
  const target = await this.impuOf(callee);
  const expires = this.profile.ixit.sessionTimer.expires;
  // RFC 4028 7.1: Supported: timer, Session-Expires with the refresher, and Min-SE equal to it, so that no proxy lowers it
  const sessionTimer = { expires, minSE: expires, refresher: refresher === caller ? ("uac" as const) : ("uas" as const) };
  this.outgoing.set(caller, ue.call(target, { sdp: offerSdp(nextPort(), false), sessionTimer }));
});

Then("{role} receives the INVITE with the session timer {role} asked for, not reduced below its Min-SE", async function (this: ImsWorld, callee: string, caller: string) {
  const inc = await incoming(this, callee);
  const sent = this.outgoingCall(caller).invite;
  const invite = inc.invite;
  const asked = sessionExpiresOf(sent)!;
  const askedMinSE = minSEOf(sent) ?? 0;
  const clause = "RFC 4028 8.1";
  expectThat(supportsTimer(invite), `Supported: timer, as ${caller} sent it: a proxy forwards the request's header fields (RFC 3261 16.6 item 1)`, invite, `${clause}, RFC 3261 16.6`);
  const se = sessionExpires(invite, `Session-Expires, which ${caller} sent as ${formatSessionExpires(asked)}`, `${clause}, RFC 3261 16.6`);
  let minSE: number | undefined;
  try {
    minSE = minSEOf(invite);
  } catch (e) {
    fail(`Min-SE: ${askedMinSE} or more`, e instanceof Error ? e.message : String(e), "RFC 4028 5");
  }
  expectThat(minSE !== undefined && minSE >= askedMinSE, `Min-SE: ${askedMinSE} or more: a proxy may raise Min-SE, never lower or remove it`, `Min-SE: ${invite.header("min-se") ?? "absent"}`, clause);
  expectThat(
    se.seconds <= asked.seconds && se.seconds >= (minSE ?? askedMinSE),
    `Session-Expires between the Min-SE (${minSE ?? askedMinSE}) and the ${asked.seconds} s ${caller} asked for: a proxy may reduce the interval, not below Min-SE, and not increase it`,
    `Session-Expires: ${invite.header("session-expires") ?? ""}`,
    clause,
  );
  expectThat(
    se.refresher === asked.refresher,
    `refresher=${asked.refresher ?? "(none)"} as ${caller} sent it: a proxy does not insert or modify the refresher parameter`,
    `Session-Expires: ${invite.header("session-expires") ?? ""}`,
    clause,
  );
});

When("{role} answers with the session timer, {role} refreshing", async function (this: ImsWorld, callee: string, refresher: string) {
  const inc = await incoming(this, callee);
  const caller = [...this.outgoing.keys()][0];
  // RFC 4028 9: the UAS keeps the interval and the refresher the INVITE chose, or chooses it
  const acked = inc.accept({ sdp: answerSdp(inc.invite.bodyText, nextPort()), sessionTimer: { refresher: refresher === caller ? "uac" : "uas" } });
  this.acks.set(callee, later(acked));
  if (!inc.sessionTimer) throw new Error(`${callee} accepted the call without a session timer: the INVITE asked for none`);
});

Then("{role} receives 200 OK for the INVITE with {role}'s session interval and {role} as the refresher", async function (this: ImsWorld, caller: string, callee: string, refresher: string) {
  const call = this.outgoingCall(caller);
  const final = await call.waitForFinal(this.deadline("final response to the INVITE"));
  expectStatus(final, [200], "OK for the INVITE", "RFC 3261 13.2.2.4");
  const inc = await incoming(this, callee);
  const theirs = sessionTimerOf(inc, callee);
  const sent: SessionExpires = { seconds: theirs.seconds, refresher: theirs.refresher ? "uas" : "uac" };
  // RFC 4028 8.2: a 2xx with Session-Expires needs no change, and 3: proxies observe the final interval but do not change it
  const clause = "RFC 4028 8.2, RFC 3261 16.7";
  const se = sessionExpires(final, `Session-Expires: ${formatSessionExpires(sent)} as ${callee} sent it in its 200`, clause);
  expectThat(
    se.seconds === sent.seconds && se.refresher === sent.refresher,
    `Session-Expires: ${formatSessionExpires(sent)} as ${callee} sent it in its 200`,
    `Session-Expires: ${final.header("session-expires") ?? ""}`,
    clause,
  );
  if (sent.refresher === "uac") {
    expectThat(final.optionTags("require").includes("timer"), `Require: timer, as ${callee} sent it: the UAC refreshes (RFC 4028 9)`, final, `RFC 4028 9, ${clause}`);
  }
  const ours = sessionTimerOf(call, caller);
  expectThat(ours.refresher === (refresher === caller), `${refresher} as the refresher`, `refresher=${se.refresher ?? "(none)"}`, "RFC 4028 7.2");
  if (ours.seconds > MAX_SESSION_EXPIRES) {
    throw new InconclusiveError(
      `the session interval is ${ours.seconds} s (${call.retriedAfter.length ? `the network answered ${call.retriedAfter.map((r) => `422 with Min-SE ${r.header("min-se") ?? "?"}`).join(", ")}` : "as negotiated"}), longer than this test case waits (${MAX_SESSION_EXPIRES} s): set ixit.sessionTimer.expires to the SUT's minimum`,
    );
  }
});

Then("{role} receives {role}'s session refresh before the session expires, and {role}'s refresh gets 200 OK", async function (this: ImsWorld, callee: string, caller: string, _again: string) {
  const inc = await incoming(this, callee);
  const theirs = sessionTimerOf(inc, callee);
  const ours = sessionTimerOf(this.outgoingCall(caller), caller);
  const deadline = untilExpiry(this, theirs, `a session refresh within the session interval of ${theirs.seconds} s`);
  // The refresh, or UE-B's own BYE at the end of the interval when none came (RFC 4028 10)
  const event = await theirs.events.next(
    (e) => e.kind === "refresh-received" || e.kind === "expired",
    deadline,
    `a session refresh (UPDATE or re-INVITE) from ${caller} before the session expires, ${theirs.seconds} s after it started`,
    "RFC 4028 10",
  );
  if (event.kind !== "refresh-received") {
    return fail(
      `a session refresh from ${caller} within ${theirs.seconds} s`,
      `none: ${callee} ended the session with BYE ${Math.round(event.at - theirs.startedAt)} ms after it started`,
      "RFC 4028 10",
    );
  }
  const refresh = event.request;
  sessionExpires(refresh, `Session-Expires on the refresh, as ${caller} sent it: a proxy forwards it`, "RFC 4028 8.1, RFC 3261 16.6");
  const outcome = await ours.events.next(
    (e) => e.kind === "refreshed" || e.kind === "refresh-failed",
    this.deadline(`the final response to ${caller}'s refresh`),
    `the final response to ${caller}'s ${refresh.method} refresh`,
    "RFC 4028 10",
  );
  if (outcome.kind !== "refreshed") {
    const failed = outcome.kind === "refresh-failed" ? outcome : undefined;
    return fail(`200 OK for ${caller}'s ${refresh.method} refresh`, failed?.response ?? failed?.error?.message ?? "no response", refresh.method === "UPDATE" ? "RFC 3311 5.2" : "RFC 3261 14.2");
  }
  expectStatus(outcome.response, [200], `OK for ${caller}'s ${outcome.request.method} refresh`, outcome.request.method === "UPDATE" ? "RFC 3311 5.2" : "RFC 3261 14.2");
  sessionExpires(outcome.response, `Session-Expires on the 200 to the refresh, as ${callee} sent it`, "RFC 4028 8.2, RFC 3261 16.7");
});

When("{role} stops refreshing the session", function (this: ImsWorld, role: string) {
  sessionTimerOf(this.outgoingCall(role), role).stopRefreshing();
});

Then("{role} ends the session before it expires: {role} receives the BYE and {role}'s BYE gets 200 OK", async function (this: ImsWorld, ender: string, receiver: string, _again: string) {
  const call = this.outgoingCall(receiver);
  const ours = sessionTimerOf(call, receiver);
  const inc = await incoming(this, ender);
  const theirs = sessionTimerOf(inc, ender);
  await call.requests.next(
    (r) => r.message.kind === "request" && r.message.method === "BYE",
    untilExpiry(this, ours, `BYE before the session expires`),
    `a BYE from ${ender} before the session expires (${ours.seconds} s after the last refresh): "If no session refresh request is received before the session expires, the UA SHOULD send a BYE"`,
    "RFC 4028 10",
  );
  // RFC 4028 8.3: a proxy drops a session's state at expiry, "Unlike the UA, it MUST NOT send a BYE"
  const byeAtCallee = inc.requests.history.find((r) => r.message.kind === "request" && r.message.method === "BYE");
  if (byeAtCallee) fail(`the BYE from ${ender} itself`, `${ender} received a BYE too: the network ended the session itself`, "RFC 4028 8.3");
  const expired = await theirs.next("expired", this.deadline(`the final response to ${ender}'s BYE`), `the final response to ${ender}'s BYE`, "RFC 3261 15.1.1");
  if (!expired.response) return fail(`200 OK for ${ender}'s BYE`, expired.error?.message ?? "no response", "RFC 3261 15.1.2");
  expectStatus(expired.response, [200], `OK for ${ender}'s BYE`, "RFC 3261 15.1.2");
});

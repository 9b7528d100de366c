// Steps of features/call: calls between simulated UEs through the network (TS 24.228 7, 8).
import { Given, Then, When } from "@cucumber/cucumber";
import { valueNaming } from "../src/conformance/identity.ts";
import { isReliableProvisional } from "../src/sip/dialog/index.ts";
import { InconclusiveError } from "../src/runner/verdict.ts";
import { expectStatus, expectThat } from "./support/expect.ts";
import { incoming } from "./support/incoming.ts";
import { answerSdp, offerSdp } from "./support/media.ts";
import { type ImsWorld, later } from "./support/world.ts";

let mediaPort = 40000;
const nextPort = (): number => (mediaPort = mediaPort >= 59998 ? 40000 : mediaPort + 2);

Given("{role} is registered", async function (this: ImsWorld, role: string) {
  await this.registered(role);
});

Given("{role} and {role} are registered", async function (this: ImsWorld, a: string, b: string) {
  await this.registered(a);
  await this.registered(b);
});

Given("{role} is registered from two devices", async function (this: ImsWorld, role: string) {
  await this.registered(role);
  await this.registered(`${role}2`);
});

When("{role} calls {role} without preconditions", async function (this: ImsWorld, caller: string, callee: string) {
  const ue = await this.ue(caller);
  const target = await this.impuOf(callee);
  this.outgoing.set(caller, ue.call(target, { sdp: offerSdp(nextPort(), false) }));
});

When("{role} calls {role} with preconditions", async function (this: ImsWorld, caller: string, callee: string) {
  const ue = await this.ue(caller);
  const target = await this.impuOf(callee);
  this.outgoing.set(caller, ue.call(target, { sdp: offerSdp(nextPort(), "none"), preconditions: true }));
});

When("{role} calls {role}'s tel URI", async function (this: ImsWorld, caller: string, callee: string) {
  const ue = await this.ue(caller);
  await this.ue(callee);
  const tel = this.identitiesOf(callee).find((i) => i.startsWith("tel:"));
  if (!tel) throw new InconclusiveError(`the profile lists no tel: URI among ${callee}'s public identities`);
  this.outgoing.set(caller, ue.call(tel, { sdp: offerSdp(nextPort(), false) }));
});

When("{role} calls a user who is not registered", async function (this: ImsWorld, caller: string) {
  const ue = await this.ue(caller);
  this.outgoing.set(caller, ue.call(this.profile.ixit.unregisteredImpu, { sdp: offerSdp(nextPort(), false) }));
});

When("{role} calls {role}", async function (this: ImsWorld, caller: string, callee: string) {
  const ue = await this.ue(caller);
  const target = this.subscriber(callee.replace(/\d+$/, "")).impus[0];
  this.outgoing.set(caller, ue.call(target, { sdp: offerSdp(nextPort(), false) }));
});

Given("{role} has called {role} and {role} has answered", async function (this: ImsWorld, caller: string, callee: string, _again: string) {
  try {
    const ue = await this.ue(caller);
    const call = ue.call((await this.ue(callee)).impu, { sdp: offerSdp(nextPort(), false), reliable: false });
    this.outgoing.set(caller, call);
    const inc = await incoming(this, callee);
    const ack = inc.accept({ sdp: answerSdp(inc.invite.bodyText, nextPort()) });
    const final = await call.waitForFinal(this.deadline("200 OK for the INVITE"));
    if (final.status !== 200) throw new Error(`the INVITE got ${final.startLine()}`);
    await ack;
  } catch (e) {
    throw new InconclusiveError(`precondition: the call from ${caller} to ${callee} could not be established: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
});

Then("{role} receives the INVITE with {role}'s identity in P-Asserted-Identity", async function (this: ImsWorld, callee: string, caller: string) {
  const inc = await incoming(this, callee);
  const pai = inc.invite.headerValues("p-asserted-identity");
  const ids = this.identitiesOf(caller);
  expectThat(valueNaming(pai, ids) !== undefined, `P-Asserted-Identity with one of ${ids.join(", ")}`, `P-Asserted-Identity: ${pai.join(", ") || "absent"}`, "TS 24.229 5.4.3.2, 5.2.6.3.3");
});

Then("the INVITE at {role} was record-routed by the network", async function (this: ImsWorld, callee: string) {
  const inc = await incoming(this, callee);
  expectThat(
    inc.invite.headerValues("record-route").length > 0,
    "Record-Route on the INVITE: the network stays on the path of in-dialog requests",
    inc.invite,
    "TS 24.229 5.2.6.3.3, RFC 3261 16.6 step 4",
  );
});

Then("{role} receives an INVITE that supports precondition and 100rel", async function (this: ImsWorld, callee: string) {
  const inc = await incoming(this, callee);
  const tags = [...inc.invite.optionTags("supported"), ...inc.invite.optionTags("require")];
  expectThat(
    tags.includes("precondition") && tags.includes("100rel"),
    "Supported or Require listing precondition and 100rel",
    `option tags: ${tags.join(", ") || "none"}`,
    "TS 24.229 5.1.3.1, RFC 3312 11",
  );
});

When("{role} rings and answers", async function (this: ImsWorld, callee: string) {
  const inc = await incoming(this, callee);
  await inc.provisional(180);
  // The callee answers once the caller has seen the ringing, as a person would: over UDP a proxy
  // with several workers may otherwise pass the 200 before the 180 (RFC 3261 18: no ordering)
  for (const call of this.outgoing.values())
    await call.responses.observe((r) => r.status === 180 || r.status >= 200, this.deadline("180 at the caller"), "180 Ringing at the caller", "RFC 3261 13.2.2.1");
  this.acks.set(callee, later(inc.accept({ sdp: answerSdp(inc.invite.bodyText, nextPort()) })));
});

When("{role} rings", async function (this: ImsWorld, callee: string) {
  await (await incoming(this, callee)).provisional(180);
});

When("{role} answers", async function (this: ImsWorld, callee: string) {
  const inc = await incoming(this, callee);
  this.acks.set(callee, later(inc.accept(inc.invite.body.length ? { sdp: answerSdp(inc.invite.bodyText, nextPort()) } : {})));
});

When("{role}'s first device answers", async function (this: ImsWorld, role: string) {
  const inc = await incoming(this, role);
  this.acks.set(role, later(inc.accept({ sdp: answerSdp(inc.invite.bodyText, nextPort()) })));
});

When("{role} answers with a reliable {int} carrying its SDP", async function (this: ImsWorld, callee: string, status: number) {
  const inc = await incoming(this, callee);
  this.pracks.set(callee, later(inc.provisional(status, { reliable: true, sdp: answerSdp(inc.invite.bodyText, nextPort()) })));
});

When("{role} answers with a reliable {int}", async function (this: ImsWorld, callee: string, status: number) {
  const inc = await incoming(this, callee);
  this.pracks.set(callee, later(inc.provisional(status, { reliable: true })));
});

When("both of {role}'s devices answer with a reliable {int}", async function (this: ImsWorld, role: string, status: number) {
  for (const device of [role, `${role}2`]) {
    const inc = await incoming(this, device);
    this.pracks.set(device, later(inc.provisional(status, { reliable: true, sdp: answerSdp(inc.invite.bodyText, nextPort()) })));
  }
});

When("{role} answers with {int}", async function (this: ImsWorld, callee: string, status: number) {
  (await incoming(this, callee)).reject(status);
});

Then("{role} receives {int} and then 200 OK for the INVITE", async function (this: ImsWorld, caller: string, status: number) {
  const call = this.outgoingCall(caller);
  const provisional = await call.waitForResponse(status, this.deadline(`${status} for the INVITE`), "RFC 3261 13.2.2.1");
  expectStatus(provisional, [status], "for the INVITE");
  const final = await call.waitForFinal(this.deadline("final response to the INVITE"));
  expectStatus(final, [200], "OK for the INVITE", "RFC 3261 13.2.2.4");
});

Then("{role} receives {int} OK for the INVITE", async function (this: ImsWorld, caller: string, status: number) {
  const call = this.outgoingCall(caller);
  expectStatus(await call.waitForFinal(this.deadline("final response to the INVITE")), [status], "OK for the INVITE", "RFC 3261 13.2.2.4");
});

Then("{role} receives {int} for the INVITE", async function (this: ImsWorld, caller: string, status: number) {
  const call = this.outgoingCall(caller);
  expectStatus(await call.waitForFinal(this.deadline("final response to the INVITE")), [status], "for the INVITE", "RFC 3261 16.7 step 6");
});

When("{role} receives {int}", async function (this: ImsWorld, caller: string, status: number) {
  const call = this.outgoingCall(caller);
  expectStatus(await call.waitForResponse(status, this.deadline(`${status} for the INVITE`)), [status], "for the INVITE");
});

Then("{role}'s call is rejected with {int} or {int}", async function (this: ImsWorld, caller: string, a: number, b: number) {
  const call = this.outgoingCall(caller);
  expectStatus(await call.waitForFinal(this.deadline("final response to the INVITE")), [a, b], "for the INVITE to a user who is not registered (not a timeout)", "TS 24.229 5.4.3.3");
});

Then("{role} receives the ACK", async function (this: ImsWorld, callee: string) {
  const ack = this.acks.get(callee);
  if (!ack) throw new Error(`${callee} has not answered`);
  await ack;
});

Then("{role} receives the ACK for its final response", async function (this: ImsWorld, callee: string) {
  await (await incoming(this, callee)).waitForRequest("ACK", this.deadline("ACK for the final response"), "RFC 3261 17.1.1.3");
});

Then("{role} receives a reliable {int} and its PRACK gets 200 OK", async function (this: ImsWorld, caller: string, status: number) {
  const call = this.outgoingCall(caller);
  const r = await call.waitForResponse(status, this.deadline(`${status} for the INVITE`));
  expectThat(isReliableProvisional(r) && r.header("rseq") !== undefined, `${status} with Require: 100rel and an RSeq`, r, "RFC 3262 3");
  const prack = await call.pracks.next((p) => p.provisional.status === status, this.deadline("PRACK exchange"), `PRACK for the reliable ${status}`, "RFC 3262 4");
  expectStatus(prack.response, [200], "OK for the PRACK", "RFC 3262 3");
  const callee = [...this.pracks.keys()][0];
  if (callee) await this.pracks.get(callee);
});

When("{role} sends an UPDATE saying its resources are reserved", function (this: ImsWorld, caller: string) {
  const call = this.outgoingCall(caller);
  this.updates.set(caller, later(call.update(offerSdp(nextPort(), "sendrecv"), this.deadline("UPDATE"))));
});

Then("{role} receives the UPDATE and {role} gets 200 OK for it", async function (this: ImsWorld, callee: string, caller: string) {
  const inc = await incoming(this, callee);
  const update = await inc.waitForRequest("UPDATE", this.deadline("UPDATE at the callee"), "RFC 3311 5.1");
  inc.answer(update, 200, answerSdp(update.message.bodyText, nextPort(), "sendrecv"));
  const response = await this.updates.get(caller)!;
  expectStatus(response, [200], "OK for the UPDATE", "RFC 3311 5.2");
});

When("{role} cancels the call", function (this: ImsWorld, caller: string) {
  this.cancels.set(caller, later(this.outgoingCall(caller).cancel(this.deadline("CANCEL"))));
});

Then("{role} receives 200 OK for the CANCEL and 487 for the INVITE", async function (this: ImsWorld, caller: string) {
  const call = this.outgoingCall(caller);
  expectStatus(await this.cancels.get(caller)!, [200], "OK for the CANCEL", "RFC 3261 9.2");
  expectStatus(await call.waitForFinal(this.deadline("487 for the INVITE")), [487], "Request Terminated for the INVITE", "RFC 3261 9.2");
});

Then("{role} sees the call cancelled", async function (this: ImsWorld, callee: string) {
  await (await incoming(this, callee)).waitForRequest("CANCEL", this.deadline("CANCEL at the callee"), "RFC 3261 9.2, 16.10");
});

Then("{role}'s second device sees the call cancelled", async function (this: ImsWorld, role: string) {
  await (await incoming(this, `${role}2`)).waitForRequest("CANCEL", this.deadline("CANCEL at the second device"), "RFC 3261 16.7 step 10");
});

When("{role} hangs up", async function (this: ImsWorld, role: string) {
  const out = this.outgoing.get(role);
  this.byes.set(role, later(out ? out.bye(this.deadline("BYE")) : (await incoming(this, role)).bye(this.deadline("BYE"))));
});

Then("{role} receives the BYE and {role}'s BYE gets 200 OK", async function (this: ImsWorld, receiver: string, sender: string) {
  const out = this.outgoing.get(receiver);
  if (out) await out.waitForRequest("BYE", this.deadline(`BYE at ${receiver}`));
  else await (await incoming(this, receiver)).waitForRequest("BYE", this.deadline(`BYE at ${receiver}`), "RFC 3261 15.1.2");
  expectStatus(await this.byes.get(sender)!, [200], "OK for the BYE", "RFC 3261 15.1.2");
});

Then("{role} has two early dialogs and PRACKs each {int} once", async function (this: ImsWorld, caller: string, status: number) {
  const call = this.outgoingCall(caller);
  const first = await call.pracks.next((p) => p.provisional.status === status, this.deadline("first PRACK"), `PRACK for the first reliable ${status}`, "RFC 3262 4");
  const second = await call.pracks.next(
    (p) => p.provisional.status === status && p.provisional.toTag !== first.provisional.toTag,
    this.deadline("second PRACK"),
    `PRACK for the reliable ${status} of the second early dialog`,
    "RFC 3261 13.2.2.4",
  );
  expectThat(call.dialogs.size === 2, "two early dialogs (two To tags)", `${call.dialogs.size} dialog(s)`, "RFC 3261 13.2.2.4");
  expectThat(call.pracks.history.length === 2, "one PRACK per reliable provisional response", `${call.pracks.history.length} PRACKs`, "RFC 3262 4");
  void second;
});

Then("{role}'s call is confirmed with {role}'s first device", async function (this: ImsWorld, caller: string, callee: string) {
  const call = this.outgoingCall(caller);
  const final = await call.waitForFinal(this.deadline("200 OK for the INVITE"));
  expectStatus(final, [200], "OK for the INVITE");
  const inc = await incoming(this, callee);
  expectThat(
    call.confirmed?.id.remoteTag === inc.localTag,
    `the dialog with ${callee}'s first device (To tag ${inc.localTag}) confirmed`,
    `confirmed To tag ${call.confirmed?.id.remoteTag ?? "none"}`,
    "RFC 3261 13.2.2.4",
  );
});

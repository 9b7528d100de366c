// Steps of the terminal suite (features/terminal): the harness plays the network against a UE under
// test and makes it act through the profile's upper tester. What the UE sends is judged by the
// requirements that bind a UE (src/conformance/requirements/ue-*.ts) whatever the step waits for;
// the steps say what the network waits for and let the driver (the harness's network, the peer
// UEs) do the rest.
import { Given, Then, When } from "@cucumber/cucumber";
import type { SentMessage } from "../src/targets/harness-network.ts";
import type { UpperTesterAction } from "../src/profile/profile.ts";
import { InconclusiveError, TestBedError } from "../src/runner/verdict.ts";
import type { ObservedMessage } from "../src/sip/endpoint/index.ts";
import type { SipMessage, SipRequest, SipResponse } from "../src/sip/message/index.ts";
import { UpperTesterError } from "../src/targets/upper-tester.ts";
import { isRegisterResponse, registerContacts, registersContact } from "../src/conformance/requirements/ue-register.ts";
import { grantsRegistration } from "../src/conformance/requirements/ue-request.ts";
import { expectStatus, expectThat, fail } from "./support/expect.ts";
import type { ImsWorld } from "./support/world.ts";
import { offerSdp } from "./support/media.ts";

/** Makes the UE under test act through the upper tester; a command that cannot be delivered is the test bed's error. */
async function act(world: ImsWorld, action: UpperTesterAction, params: { target?: string; text?: string } = {}): Promise<void> {
  const upper = world.bed.upperTester();
  if (!upper) throw new TestBedError("the UE under test is switched off: a step must switch it on first");
  const lacks = upper.lacks(action);
  if (lacks) throw new InconclusiveError(`${lacks}: the harness cannot make the UE under test ${action}`);
  try {
    await upper.act(action, params, world.deadline(`the upper tester's ${action}`));
  } catch (e) {
    if (e instanceof UpperTesterError) throw new TestBedError(e.message, { cause: e });
    throw e;
  }
}

const isRegister = (m: SipMessage): m is SipRequest => m.kind === "request" && m.method === "REGISTER";

/** Waits until the network has answered a REGISTER of the UE with a 2xx that registers it; returns that 2xx. */
async function registered(world: ImsWorld, after: number, what: string): Promise<SentMessage> {
  const net = world.bed.harnessNetwork;
  const ue = world.bed.ueUnderTest;
  // Any binding of the UE's identity with an expiration above 0 (its contact is not known to the steps)
  const facts = { name: ue.role, impu: ue.impus[0] ?? "", contact: "" };
  return net.toUe.observe(
    (s) => s.at >= after && isRegisterResponse(s.message, 200, 299) && grantsRegistration(s.message, facts),
    world.deadline(what),
    `a 2xx from the network to a REGISTER of the UE under test (${facts.impu})`,
    "TS 24.229 5.1.1.2",
  );
}

/** Switches the UE under test on; a UE that cannot be started is the test bed's error. */
async function switchOn(world: ImsWorld): Promise<void> {
  try {
    await world.bed.switchOn();
  } catch (e) {
    throw new TestBedError(`the UE under test could not be switched on: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

Given("the UE under test is switched on", async function (this: ImsWorld) {
  await switchOn(this);
});

Given("the UE under test is switched on and registered", async function (this: ImsWorld) {
  const since = Date.now();
  await switchOn(this);
  await act(this, "register");
  try {
    await registered(this, since, "registration of the UE under test (precondition)");
  } catch (e) {
    throw new InconclusiveError(`precondition: the UE under test did not register: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
});

Given("the UE under test has {word} credentials", function (this: ImsWorld, kind: string) {
  const want = kind.toLowerCase() === "aka" ? "aka" : "digest";
  const has = this.bed.ueUnderTest.auth.kind;
  if (has !== want) throw new InconclusiveError(`precondition: this test case needs a UE under test with ${kind} credentials; the profile gives UE-SUT ${has === "aka" ? "AKA" : "Digest"} ones`);
});

Given("the network grants registrations for at most {int} seconds", function (this: ImsWorld, seconds: number) {
  this.bed.harnessNetwork.core.grantExpiresAtMost(seconds);
});

When("the UE under test is made to register", async function (this: ImsWorld) {
  await act(this, "register");
});

When("the UE under test is made to de-register", async function (this: ImsWorld) {
  await act(this, "deregister");
});

When("the UE under test is made to call {role}", async function (this: ImsWorld, callee: string) {
  await act(this, "call", { target: await this.impuOf(callee) });
});

When("the UE under test is made to answer", async function (this: ImsWorld) {
  await act(this, "answer");
});

When("the UE under test is made to hang up", async function (this: ImsWorld) {
  await act(this, "hangup");
});

Then("the UE under test's first REGISTER is challenged with {word}", async function (this: ImsWorld, scheme: string) {
  const net = this.bed.harnessNetwork;
  await net.fromUe.observe((m) => isRegister(m.message), this.deadline("REGISTER from the UE under test"), "a REGISTER from the UE under test", "TS 24.229 5.1.1.2.1");
  const challenge = await net.toUe.observe((s) => isRegisterResponse(s.message, 401, 401), this.deadline("401 to the UE under test"), "the network's 401 to the REGISTER");
  const header = challenge.message.header("www-authenticate") ?? "";
  const aka = /algorithm\s*=\s*"?AKAv[12]-MD5/i.test(header);
  // The network challenges with the credentials the profile gives the UE: a harness fact, checked so that the test case says what it tested
  expectThat(scheme.toUpperCase() === "AKA" ? aka : !aka && /^\s*Digest\b/i.test(header), `a ${scheme} challenge`, `WWW-Authenticate: ${header}`, "TS 24.229 5.4.1.2.1");
});

Then("the UE under test answers the challenge and is registered", async function (this: ImsWorld) {
  const net = this.bed.harnessNetwork;
  const challenge = await net.toUe.observe((s) => isRegisterResponse(s.message, 401, 401), this.deadline("401 to the UE under test"), "the network's 401 to the REGISTER");
  const answer = await net.fromUe.observe(
    (m) => isRegister(m.message) && m.at >= challenge.at && m.message.header("authorization") !== undefined,
    this.deadline("the answer to the challenge"),
    "a REGISTER answering the network's 401 (with Authorization)",
    "TS 24.229 5.1.1.2.1, RFC 3261 22.2",
  );
  const final = await net.toUe.observe(
    (s) => s.at >= answer.at && isRegisterResponse(s.message, 200, 699) && s.message.header("call-id") === answer.message.header("call-id"),
    this.deadline("the network's final response"),
    "the network's final response to the answered REGISTER",
  );
  expectStatus(final.message as SipResponse, [200], "OK: the network accepted the UE under test's answer to the challenge", "TS 24.229 5.1.1.2.1 (RFC 7616 3.4.1, RFC 3310 3.2)");
});

Then("the UE under test re-registers before the {int} seconds are over", async function (this: ImsWorld, seconds: number) {
  const net = this.bed.harnessNetwork;
  const first = await registered(this, 0, "the first registration");
  const end = first.at + seconds * 1000;
  this.widenBudget(Math.max(0, end - Date.now()), `the granted ${seconds} s`);
  const refresh = await net.fromUe.observe(
    (m) => isRegister(m.message) && m.at > first.at && registersContact(m.message),
    this.deadline(`the re-registration within ${seconds} s`, Math.max(1, end - Date.now())),
    `a REGISTER refreshing the registration before the granted ${seconds} s run out`,
    "TS 24.229 5.1.1.4.1",
  );
  // The refresh must keep the registration: the network's 2xx to it, before the old one ran out
  const again = await registered(this, refresh.at, "the network's 2xx to the re-registration");
  expectThat(
    again.at <= end,
    `the re-registration completed before ${new Date(end).toISOString()} (the granted ${seconds} s)`,
    `its 2xx was sent at ${new Date(again.at).toISOString()}`,
    "TS 24.229 5.1.1.4.1",
  );
});

Then("the network receives the UE under test's de-registration and removes its binding", async function (this: ImsWorld) {
  const net = this.bed.harnessNetwork;
  const dereg = await net.fromUe.observe(
    (m: ObservedMessage) => isRegister(m.message) && registerContacts(m.message).length > 0 && !registersContact(m.message),
    this.deadline("de-REGISTER"),
    "a REGISTER with expiry 0 from the UE under test",
    "TS 24.229 5.1.1.6",
  );
  await net.toUe.observe((s) => s.at >= dereg.at && isRegisterResponse(s.message, 200, 299), this.deadline("200 to the de-REGISTER"), "the network's 2xx to the de-REGISTER");
  const impu = this.bed.ueUnderTest.impus[0] ?? "";
  expectThat(!net.core.isRegistered(impu), `no binding left for ${impu}`, "the network still holds a binding", "TS 24.229 5.1.1.6");
});

Given("the UE under test has subscribed to its reg event", async function (this: ImsWorld) {
  const net = this.bed.harnessNetwork;
  await net.fromUe
    .observe(
      (m) => m.message.kind === "request" && m.message.method === "SUBSCRIBE" && /^\s*reg\b/i.test(m.message.header("event") ?? ""),
      this.deadline("SUBSCRIBE to the reg event"),
      "a SUBSCRIBE for the reg event package from the UE under test",
      "TS 24.229 5.1.1.3",
    )
    .catch((e: unknown) => {
      throw new InconclusiveError(`precondition: the UE under test did not subscribe to its reg event: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    });
});

When("the network terminates the registration of the UE under test", async function (this: ImsWorld) {
  // TS 24.229 5.4.1.5: the S-CSCF's NOTIFY with the registration terminated (event "rejected": do not re-register)
  await this.bed.harnessNetwork.core.deregister(this.bed.ueUnderTest.impus[0] ?? "", "rejected");
});

Then("the UE under test does not use the terminated registration within {int} seconds", async function (this: ImsWorld, seconds: number) {
  // The requirements layer judges every request the UE sends meanwhile (ue-request.registered); the step gives it the time
  this.widenBudget(seconds * 1000, `${seconds} s`);
  await new Promise((r) => setTimeout(r, seconds * 1000));
});

When("{role} calls the UE under test requiring 100rel", async function (this: ImsWorld, caller: string) {
  const ue = await this.ue(caller);
  this.outgoing.set(caller, ue.call(await this.impuOf("UE-SUT"), { sdp: offerSdp(49170, false), reliable: "required" }));
});

When("UE-B's call is answered by the UE under test", async function (this: ImsWorld) {
  await act(this, "answer");
});

Then("the call lasts {int} seconds", async function (this: ImsWorld, seconds: number) {
  this.widenBudget(seconds * 1000, `${seconds} s`);
  await new Promise((r) => setTimeout(r, seconds * 1000));
});

Then("{role} receives the BYE of the UE under test", async function (this: ImsWorld, role: string) {
  const out = this.outgoing.get(role);
  if (out) await out.waitForRequest("BYE", this.deadline(`BYE at ${role}`));
  else {
    const inc = this.incoming.get(role);
    if (!inc) fail(`a call of ${role} with the UE under test`, "none in this test case");
    await inc.waitForRequest("BYE", this.deadline(`BYE at ${role}`), "RFC 3261 15.1.1");
  }
});

Then("{role}'s BYE is answered 200 by the UE under test", async function (this: ImsWorld, role: string) {
  const bye = this.byes.get(role);
  if (!bye) throw new Error(`${role} has not hung up`);
  expectStatus(await bye, [200], "OK for the BYE", "RFC 3261 15.1.2");
});

Then("where the profile claims p-preferred-identity, the UE under test's INVITE carries P-Preferred-Identity", function (this: ImsWorld) {
  if (!this.profile.pics["p-preferred-identity"]) return;
  const invite = this.bed.harnessNetwork.fromUe.history.find((m) => m.message.kind === "request" && m.message.method === "INVITE");
  // RFC 3325 9.2, TS 24.229 5.1.2A.1.1: that it names a registered identity is judged by ue-request.p-preferred-identity
  expectThat(invite?.message.header("p-preferred-identity") !== undefined, "P-Preferred-Identity on the INVITE: the profile claims the UE asserts its identity", invite?.message, "RFC 3325 9.2");
});

Then("{role}'s UPDATE is answered 200 by the UE under test", async function (this: ImsWorld, caller: string) {
  const update = this.updates.get(caller);
  if (!update) throw new Error(`${caller} has sent no UPDATE`);
  expectStatus(await update, [200], "OK for the UPDATE (RFC 3311 5.2), the UE's resources reserved too", "RFC 3312 5, RFC 3311 5.2");
});

Then("{role} receives the UE under test's answer to the MESSAGE", async function (this: ImsWorld, sender: string) {
  const m = this.messages.get(sender);
  if (!m) throw new Error(`${sender} has sent no MESSAGE`);
  expectStatus(await m, [200, 202], "for the MESSAGE (2xx)", "RFC 3428 7");
});

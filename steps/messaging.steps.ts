// Steps of features/messaging: page-mode MESSAGE (RFC 3428) through the network.
import { Then, When } from "@cucumber/cucumber";
import { valueNaming } from "../src/conformance/identity.ts";
import { expectStatus, expectThat, fail } from "./support/expect.ts";
import { type ImsWorld, later } from "./support/world.ts";

When("{role} sends the MESSAGE {string} to {role}", async function (this: ImsWorld, sender: string, text: string, receiver: string) {
  const ue = await this.ue(sender);
  const target = await this.impuOf(receiver);
  this.messages.set(sender, later(ue.sendMessage(target, text, { deadline: this.deadline("MESSAGE") })));
});

When("{role} sends the MESSAGE {string} to a user who is not registered", async function (this: ImsWorld, sender: string, text: string) {
  const ue = await this.ue(sender);
  this.messages.set(sender, later(ue.sendMessage(this.profile.ixit.unregisteredImpu, text, { deadline: this.deadline("MESSAGE") })));
});

Then("{role} receives the MESSAGE {string} with {role}'s identity in P-Asserted-Identity", async function (this: ImsWorld, receiver: string, text: string, sender: string) {
  const ue = await this.ue(receiver);
  // The wait also ends when the sender's MESSAGE gets an error response first: it will not come, and the report says why
  const sent = this.messages.get(sender);
  const rejected = sent?.then((r) =>
    r.status >= 300
      ? fail(`a MESSAGE for ${receiver} (${ue.impu})`, `${sender}'s MESSAGE was answered ${r.startLine()} by the network instead`, "RFC 3428 4, TS 24.229 5.4.3.2")
      : new Promise<never>(() => undefined),
  );
  rejected?.catch(() => undefined);
  const rec = await Promise.race([ue.waitForMessage(this.deadline(`MESSAGE at ${receiver}`)), ...(rejected ? [rejected] : [])]);
  const m = rec.message;
  expectThat(m.bodyText === text, `the MESSAGE body "${text}"`, `"${m.bodyText.slice(0, 80)}"`, "RFC 3428 4");
  const pai = m.headerValues("p-asserted-identity");
  const ids = this.identitiesOf(sender);
  expectThat(valueNaming(pai, ids) !== undefined, `P-Asserted-Identity with one of ${ids.join(", ")}`, `P-Asserted-Identity: ${pai.join(", ") || "absent"}`, "TS 24.229 5.2.6.3.1, 5.4.3.2");
});

Then("{role}'s MESSAGE gets 200 OK", async function (this: ImsWorld, sender: string) {
  expectStatus(await this.messages.get(sender)!, [200, 202], "for the MESSAGE", "RFC 3428 7");
});

Then("{role}'s MESSAGE is rejected with {int} or {int}", async function (this: ImsWorld, sender: string, a: number, b: number) {
  expectStatus(await this.messages.get(sender)!, [a, b], "for the MESSAGE to a user who is not registered (not a timeout)", "TS 24.229 5.4.3.3");
});

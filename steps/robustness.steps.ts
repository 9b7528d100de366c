// Steps of features/robustness: the network's transaction layer (RFC 3261 17.2) and its answers to
// requests it cannot serve (RFC 3261 8.2), driven at the message level.
import { Then, When } from "@cucumber/cucumber";
import { newCallId, newTag } from "../src/sip/identifiers.ts";
import { SipRequest, type SipResponse } from "../src/sip/message/index.ts";
import { expectStatus, expectThat, fail } from "./support/expect.ts";
import type { ImsWorld } from "./support/world.ts";

/** A request addressed to the network itself (Request-URI = the home domain), out of dialog. */
async function requestToNetwork(world: ImsWorld, role: string, method: string, headers: Record<string, string>): Promise<SipResponse> {
  const ue = await world.ue(role);
  const r = new SipRequest(method, `sip:${world.profile.ixit.domain}`);
  r.addHeader("Via", ue.via());
  r.addHeader("Max-Forwards", 70);
  r.addHeader("From", `<${ue.impu}>;tag=${newTag()}`);
  r.addHeader("To", `<sip:${world.profile.ixit.domain}>`);
  r.addHeader("Call-ID", newCallId());
  r.addHeader("CSeq", `1 ${method}`);
  for (const [n, v] of Object.entries(headers)) r.addHeader(n, v);
  return ue.endpoint.request(r, ue.outbound, { deadline: world.deadline(`${method} to the network`) });
}

When("{role} sends a MESSAGE to {role} and retransmits it unchanged", async function (this: ImsWorld, sender: string, receiver: string) {
  const ue = await this.ue(sender);
  const request = ue.buildMessage((await this.ue(receiver)).impu, "sent twice");
  // Both copies go out without a client transaction, so both answers land in the inbox
  await ue.endpoint.sendStateless(request, ue.outbound);
  await new Promise((r) => setTimeout(r, this.profile.ixit.timers.t1));
  await ue.endpoint.sendStateless(request, ue.outbound);
  this.retransmitted = request;
});

Then("{role} receives the same final response to both copies", async function (this: ImsWorld, sender: string) {
  const ue = await this.ue(sender);
  const request = this.retransmitted!;
  const template = {
    callId: request.callId,
    cseqMethod: "MESSAGE",
    where: (m: { kind: string; status?: number }) => m.kind === "response" && (m.status ?? 0) >= 200,
    description: `a final response to the MESSAGE (Call-ID ${request.callId})`,
    clause: "RFC 3261 17.2.2",
  };
  const first = (await ue.endpoint.inbox.expect(template, this.deadline("final response to the first copy"))).message as SipResponse;
  const second = (await ue.endpoint.inbox.expect({ ...template, description: "the same final response again, for the retransmitted copy" }, this.deadline("final response to the retransmission")))
    .message as SipResponse;
  expectStatus(first, [200, 202], "for the MESSAGE");
  expectThat(second.status === first.status && second.toTag === first.toTag, `the retransmission answered with the same ${first.status} (To tag ${first.toTag})`, second, "RFC 3261 17.2.2");
});

Then("{role} receives the MESSAGE once", async function (this: ImsWorld, receiver: string) {
  const ue = await this.ue(receiver);
  await ue.waitForMessage(this.deadline(`MESSAGE at ${receiver}`));
  // Give a duplicate time to arrive: two T1, well past the second copy
  const extra = await ue.messages.next(() => true, this.deadline("duplicate watch", 2 * this.profile.ixit.timers.t1), "no second copy").catch(() => undefined);
  if (extra) fail(`the MESSAGE delivered to ${receiver} once`, extra.message, "RFC 3261 17.2.2: the retransmission is absorbed by the server transaction");
});

When("{role} sends a request with the unknown method {string} to the network", async function (this: ImsWorld, role: string, method: string) {
  this.responses.set(role, await requestToNetwork(this, role, method, {}));
});

When("{role} sends an OPTIONS to the network that requires the extension {string}", async function (this: ImsWorld, role: string, tag: string) {
  this.responses.set(role, await requestToNetwork(this, role, "OPTIONS", { Require: tag, Accept: "application/sdp" }));
});

Then("{role} receives {int} with an Allow header", function (this: ImsWorld, role: string, status: number) {
  const r = this.responses.get(role)!;
  expectStatus(r, [status], "Method Not Allowed", "RFC 3261 8.2.1");
  expectThat(r.hasHeader("allow"), `${status} with an Allow header listing the supported methods`, r, "RFC 3261 8.2.1, 20.5");
});

Then("{role} receives {int} with Unsupported: {word}", function (this: ImsWorld, role: string, status: number, tag: string) {
  const r = this.responses.get(role)!;
  expectStatus(r, [status], "Bad Extension", "RFC 3261 8.2.2.3");
  expectThat(r.optionTags("unsupported").includes(tag.toLowerCase()), `Unsupported: ${tag}`, `Unsupported: ${r.header("unsupported") ?? "absent"}`, "RFC 3261 8.2.2.3");
});

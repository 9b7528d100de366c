// Steps of the WebRTC test cases (features/webrtc): a browser UE (sip.js in Chromium) registers and
// calls through the SUT's WebSocket listeners (RFC 7118). Its messages are judged from the trace of
// the harness's WebSocket tap, as every simulated UE's are.
import { Given, When, Then } from "@cucumber/cucumber";
import { InconclusiveError } from "../src/runner/verdict.ts";
import type { PageStats } from "../src/webrtc/index.ts";
import { expectThat, fail } from "./support/expect.ts";
import { signallingOnlyWebRtcAnswer } from "./support/media.ts";
import type { ImsWorld } from "./support/world.ts";
import { later } from "./support/world.ts";

When("{role} registers from a browser over {word}", async function (this: ImsWorld, role: string, transport: string) {
  const scheme = transport.toLowerCase() === "wss" ? "wss" : "ws";
  const ue = await this.browser(role, scheme);
  this.browserRegistrations.set(role, later(ue.register(this.deadline(`REGISTER from the browser of ${role}`).remaining())));
});

Then("{role}'s registration from the browser ends with 200 OK", async function (this: ImsWorld, role: string) {
  const status = await this.browserRegistrations.get(role);
  expectThat(status === 200, "200 OK for the browser's REGISTER (after its Digest challenge)", `the browser's registration ended with ${status ?? "nothing"}`, "RFC 7118 5, RFC 3261 10.3");
});

Given("{role} is registered from a browser over {word}", async function (this: ImsWorld, role: string, transport: string) {
  const ue = await this.browser(role, transport.toLowerCase() === "wss" ? "wss" : "ws");
  const status = await ue.register(this.deadline(`REGISTER from the browser of ${role} (precondition)`).remaining());
  if (status !== 200) throw new InconclusiveError(`precondition: ${role} could not register from the browser: its REGISTER ended with ${status}`);
});

When(/^(UE-[A-Z]\d?) calls (UE-[A-Z]\d?) from the browser(?: again)?$/, async function (this: ImsWorld, caller: string, callee: string) {
  const ue = this.browsers.get(caller);
  if (!ue) throw new Error(`${caller} has no browser in this scenario`);
  // A callee in a browser is reached at its subscriber's identity; a simulated UE, at the one it registered
  const target = this.browsers.has(callee) ? (this.subscriber(callee).impus[0] ?? "") : await this.impuOf(callee);
  this.browserCalls.set(caller, later(ue.call(target, this.deadline(`the browser call of ${caller}`).remaining())));
});

When("{role} answers the call in the browser", async function (this: ImsWorld, callee: string) {
  const ue = this.browsers.get(callee);
  if (!ue) throw new Error(`${callee} has no browser in this scenario`);
  // The INVITE will not come when the network already refused the call: say so at once
  const refused = [...this.browserCalls.entries()].map(([caller, status]) =>
    status.then((s): never => fail(`an INVITE for ${callee}'s browser`, `${caller}'s call was answered ${s} by the network instead`, "RFC 7118 5")),
  );
  for (const r of refused) r.catch(() => undefined);
  await Promise.race([ue.waitForIncomingCall(this.deadline(`INVITE at ${callee}'s browser`).remaining()), ...refused]);
  await ue.answer(this.deadline(`${callee}'s answer`).remaining());
});

Then("{role}'s browser call is established", async function (this: ImsWorld, caller: string) {
  const status = await this.browserCalls.get(caller);
  expectThat(status === 200, `200 OK for the INVITE of ${caller}'s browser`, `its call ended with ${status ?? "nothing"}`, "RFC 3261 13.2.2.4");
});

/** RFC 8829 (JSEP), W3C webrtc-stats: audio flowed into the browser: its peer connection connected, packets received and an audio level above zero. */
function flowing(s: PageStats): boolean {
  return s.connectionState === "connected" && s.packetsReceived >= 25 && (s.audioLevel ?? 0) > 0;
}

Then("audio flows both ways between the browsers of {role} and {role}", async function (this: ImsWorld, a: string, b: string) {
  const deadline = this.deadline("audio in both browsers");
  const browsers = [a, b].map((r) => [r, this.browsers.get(r)] as const);
  let last: string[];
  for (;;) {
    const stats = await Promise.all(browsers.map(async ([r, ue]) => [r, ue ? await ue.stats() : undefined] as const));
    last = stats.map(([r, s]) => `${r}: ${s ? `connection ${s.connectionState}, ${s.packetsReceived} packets received, audio level ${s.audioLevel ?? "none"}` : "no browser"}`);
    if (stats.every(([, s]) => s && flowing(s))) return;
    if (deadline.expired())
      fail("audio both ways: each browser's peer connection connected, at least 25 RTP packets received and an audio level above zero", last.join("; "), "RFC 8829 3, TS 24.371 5");
    await new Promise((r) => setTimeout(r, 200));
  }
});

When("{role} hangs up in the browser", async function (this: ImsWorld, role: string) {
  const ue = this.browsers.get(role);
  if (!ue) throw new Error(`${role} has no browser in this scenario`);
  await ue.hangup(this.deadline(`${role}'s BYE`).remaining());
});

Then("{role}'s browser call ends", async function (this: ImsWorld, role: string) {
  const ue = this.browsers.get(role);
  if (!ue) throw new Error(`${role} has no browser in this scenario`);
  const deadline = this.deadline(`the end of ${role}'s browser call`);
  let state = await ue.callState();
  while (state !== "Terminated" && !deadline.expired()) {
    await new Promise((r) => setTimeout(r, 100));
    state = await ue.callState();
  }
  expectThat(state === "Terminated", `${role}'s call terminated by the BYE (RFC 3261 15.1.2)`, `its sip.js session is ${state}`, "RFC 3261 15.1.2");
});

When("{role} answers the browser's call", async function (this: ImsWorld, callee: string) {
  const ue = await this.ue(callee);
  // A new INVITE each time (the call may be the second of the scenario)
  const call = await ue.waitForCall(this.deadline(`the browser's INVITE at ${callee}`));
  this.incoming.set(callee, call);
  expectThat(/^m=audio /m.test(call.invite.bodyText), "the browser's SDP offer with an audio stream, as the network delivered it", call.invite, "TS 24.229 5.1.3, RFC 3264 5");
  await call.provisional(180);
  this.acks.set(callee, later(call.accept({ sdp: signallingOnlyWebRtcAnswer(call.invite.bodyText, 49180) })));
});

Then("where the profile claims webrtc-gateway media is judged, otherwise the report says only signalling was", function (this: ImsWorld) {
  // TS 24.371: interworking ICE and DTLS-SRTP to RTP is the network's option (PICS webrtc-gateway)
  if (this.profile.pics["webrtc-gateway"])
    throw new InconclusiveError("the profile claims webrtc-gateway, but the harness does not judge interworked WebRTC media yet: only the signalling of this call was judged");
  this.attach(
    "Only the signalling of this call was judged: the profile does not claim webrtc-gateway (the network interworking the browser's ICE and DTLS-SRTP media to RTP, TS 24.371), so no media can flow between the browser and the IMS UE.",
    {
      mediaType: "text/plain",
      fileName: "media not judged.txt",
    },
  );
});

Then("{role} receives the browser's BYE", async function (this: ImsWorld, role: string) {
  const call = this.incoming.get(role);
  if (!call) throw new Error(`${role} has no call in this scenario`);
  await call.waitForRequest("BYE", this.deadline(`the browser's BYE at ${role}`), "RFC 3261 15.1.2");
});

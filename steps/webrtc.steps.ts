// Steps of the WebRTC test cases (features/webrtc): a browser UE (sip.js in Chromium) registers and
// calls through the SUT's WebSocket listeners (RFC 7118). Its messages are judged from the trace of
// the harness's WebSocket tap, as every simulated UE's are.
import { When, Then } from "@cucumber/cucumber";
import { expectThat } from "./support/expect.ts";
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

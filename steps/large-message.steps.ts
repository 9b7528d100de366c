// Steps of features/messaging/large-message.feature (IMS-MSG-004): a request over 1300 bytes goes
// over TCP, from the UE to the P-CSCF and from the network to a UE registered over UDP (RFC 3261
// 18.1.1, TS 24.229 4.2A). What the wire saw is read from the test case's trace.
import { createHash, randomBytes } from "node:crypto";
import { Given, Then, When } from "@cucumber/cucumber";
import { InconclusiveError } from "../src/runner/verdict.ts";
import { formatDestination } from "../src/sip/endpoint/index.ts";
import type { SipRequest } from "../src/sip/message/index.ts";
import type { TraceEntry } from "../src/sip/transport/trace.ts";
import { addressKey } from "../src/sip/transport/address.ts";
import { expectStatus, expectThat, fail } from "./support/expect.ts";
import { type ImsWorld, later } from "./support/world.ts";

const CLAUSE = "RFC 3261 18.1.1; TS 24.229 4.2A";

/** The large MESSAGE a role sent in this scenario: the request as sent and its body's SHA-256. */
interface LargeMessage {
  readonly request: SipRequest;
  readonly bodyBytes: number;
  readonly sha256: string;
}
const sentBy = new WeakMap<ImsWorld, Map<string, LargeMessage>>();

function largeMessageOf(world: ImsWorld, role: string): LargeMessage {
  const m = sentBy.get(world)?.get(role);
  if (!m) throw new Error(`${role} has sent no large MESSAGE in this scenario`);
  return m;
}

const sha256 = (b: Buffer): string => createHash("sha256").update(b).digest("hex");

/** Printable text of exactly `n` bytes (base64 of random bytes), so that any corruption shows in the hash. */
function textOf(n: number): string {
  return randomBytes(n).toString("base64").slice(0, n);
}

/** The trace entries of one message: sent or received, a request of that method or a response, with that Call-ID. */
function entriesOf(world: ImsWorld, direction: TraceEntry["direction"], startsWith: string, callId: string): TraceEntry[] {
  const marker = `\r\nCall-ID: ${callId}\r\n`;
  return world.trace.entries.filter((e) => e.direction === direction && e.bytes.toString("latin1", 0, startsWith.length) === startsWith && e.bytes.includes(marker));
}

function describeEntry(e: TraceEntry): string {
  return `${e.bytes.toString("latin1").split("\r\n")[0] ?? ""} (${e.bytes.length} bytes) over ${e.protocol.toUpperCase()} to ${e.remote.host}:${e.remote.port}`;
}

Given("{role} and {role} are registered over UDP", async function (this: ImsWorld, a: string, b: string) {
  if (this.protocol !== "udp") throw new InconclusiveError(`precondition: the UEs' transport is ${String(this.protocol).toUpperCase()}, where this test case needs UDP (tag @transport:udp)`);
  await this.registered(a);
  await this.registered(b);
});

When("{role} sends a MESSAGE of {int} bytes to {role}", async function (this: ImsWorld, sender: string, bytes: number, receiver: string) {
  const ue = await this.ue(sender);
  const body = textOf(bytes);
  const request = ue.buildMessage(await this.impuOf(receiver), body);
  const messages = sentBy.get(this) ?? new Map<string, LargeMessage>();
  messages.set(sender, { request, bodyBytes: bytes, sha256: sha256(Buffer.from(body)) });
  sentBy.set(this, messages);
  // The UE's endpoint picks the transport (RFC 3261 18.1.1): TCP for a request over 1300 bytes
  this.messages.set(sender, later(ue.endpoint.request(request, ue.outbound, { deadline: this.deadline("MESSAGE"), clause: "RFC 3428 4" })));
});

Then("{role}'s MESSAGE went over TCP to its P-CSCF", async function (this: ImsWorld, sender: string) {
  const ue = await this.ue(sender);
  const { request } = largeMessageOf(this, sender);
  const pcscf = ue.outbound;
  // A TCP connection is opened first: the MESSAGE is on the wire once it has its outcome (a response, or none by the deadline)
  await Promise.allSettled([this.messages.get(sender)]);
  const sent = entriesOf(this, "sent", "MESSAGE ", request.callId);
  const size = sent[0]?.bytes.length ?? 0;
  expectThat(sent.length > 0, `the MESSAGE ${request.callId} sent by ${sender}`, "nothing in the trace", CLAUSE);
  expectThat(
    sent.every((e) => e.protocol === "tcp" && addressKey(e.remote) === addressKey(pcscf)),
    `the MESSAGE (${size} bytes, over 1300) sent over TCP to the P-CSCF ${formatDestination({ ...pcscf, protocol: "tcp" })}`,
    sent.map(describeEntry).join("; "),
    CLAUSE,
  );
  // RFC 3261 18.1.1: "If this causes a change in the transport protocol from the one indicated in the top Via, the value in the top Via MUST be changed"
  const via = request.topVia;
  expectThat(via.transport.toUpperCase() === "TCP", "its top Via saying TCP", `Via: ${request.headerValues("via")[0] ?? ""}`, "RFC 3261 18.1.1");
});

Then("{role} receives it over TCP with the body intact", async function (this: ImsWorld, receiver: string) {
  const ue = await this.ue(receiver);
  const sender = [...(sentBy.get(this)?.keys() ?? [])][0];
  if (sender === undefined) throw new Error("no large MESSAGE was sent in this scenario");
  const sent = largeMessageOf(this, sender);
  // A MESSAGE the network refused never arrives: its final response ends the wait at once
  const refused = this.messages.get(sender)!.then(
    (r) => (r.status >= 300 ? r : new Promise<never>(() => undefined)),
    () => new Promise<never>(() => undefined),
  );
  const first = await Promise.race([later(ue.waitForMessage(this.deadline(`MESSAGE at ${receiver}`))), refused]);
  if (!("source" in first)) fail(`the MESSAGE of ${sender} (${sent.bodyBytes} bytes of body) delivered to ${receiver}`, `${sender}'s MESSAGE was answered ${first.startLine()}`, "RFC 3428 4");
  const rec = first;
  const body = rec.message.body;
  expectThat(
    rec.source.protocol === "tcp",
    `the MESSAGE (${sent.bodyBytes} bytes of body) delivered over TCP to ${receiver}'s contact, registered over UDP`,
    `${rec.message.startLine()} over ${rec.source.protocol.toUpperCase()} from ${rec.source.host}:${rec.source.port}`,
    CLAUSE,
  );
  expectThat(sha256(body) === sent.sha256, `the body ${sender} sent: ${sent.bodyBytes} bytes, SHA-256 ${sent.sha256}`, `${body.length} bytes, SHA-256 ${sha256(body)}`, "RFC 3428 4");
});

Then("{role}'s MESSAGE gets 200 OK on the same connection", async function (this: ImsWorld, sender: string) {
  const response = await this.messages.get(sender)!;
  expectStatus(response, [200, 202], "for the MESSAGE", "RFC 3428 7");
  const { request } = largeMessageOf(this, sender);
  const sent = entriesOf(this, "sent", "MESSAGE ", request.callId);
  const received = entriesOf(this, "received", "SIP/2.0 2", request.callId).filter((e) => sent.some((s) => addressKey(s.local) === addressKey(e.local)));
  const connection = sent[0]?.note;
  // RFC 3261 18.2.2: a response to a request that came over a connection goes back on that connection
  expectThat(
    received.some((e) => e.protocol === "tcp" && connection !== undefined && e.note === connection),
    `the ${response.status} on ${sender}'s TCP connection ${connection ?? "(none)"} that carried the MESSAGE`,
    received.map((e) => `${describeEntry(e)}${e.note ? ` on connection ${e.note}` : ""}`).join("; ") || "no such response in the trace",
    "RFC 3261 18.2.2",
  );
});

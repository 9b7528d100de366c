// Steps of features/registration: TS 24.229 5.1.1 as seen by the simulated UE.
import { Given, Then, When } from "@cucumber/cucumber";
import { parseAuthChallenges } from "../src/sip/auth/index.ts";
import { missingIdentities } from "../src/conformance/identity.ts";
import { waitForRegContact } from "../src/sip/ue/index.ts";
import { InconclusiveError } from "../src/runner/verdict.ts";
import { expectThat, fail } from "./support/expect.ts";
import type { ImsWorld } from "./support/world.ts";

const SUBJECT = "the UE";

Given("a UE with AKA credentials", async function (this: ImsWorld) {
  await this.startUe(SUBJECT, this.subscriberWith("aka"));
});

Given("a UE with Digest credentials", async function (this: ImsWorld) {
  await this.startUe(SUBJECT, this.subscriberWith("digest"));
});

Given("a UE with a wrong password or key", async function (this: ImsWorld) {
  const s = this.subscriber("UE-A");
  const creds = this.credentialsOf(s);
  const wrong = creds.kind === "digest" ? { ...creds, password: `${creds.password}-wrong` } : { ...creds, k: Buffer.from(creds.k.map((b) => b ^ 0xff)) };
  await this.startUe(SUBJECT, s, { credentials: wrong });
});

Given("a UE with an identity the network does not know", async function (this: ImsWorld) {
  const unknown = this.profile.ixit.unknownImpi;
  await this.startUe(SUBJECT, this.subscriber("UE-A"), { impi: unknown, impu: `sip:${unknown}`, credentials: { kind: "digest", password: "not-provisioned" } });
});

Given("a UE with AKA credentials whose sequence number is ahead of the network's", async function (this: ImsWorld) {
  const ue = await this.startUe(SUBJECT, this.subscriberWith("aka"));
  // RFC 3310 3.4, TS 33.102 6.3.3: SQNms above the network's SQN makes the USIM ask for resynchronisation
  ue.auth.setSqn(2n ** 47n);
});

Given("a UE with AKA credentials is registered", async function (this: ImsWorld) {
  await this.startUe(SUBJECT, this.subscriberWith("aka"));
  await this.registered(SUBJECT);
});

Given("{role} uses TCP", function (this: ImsWorld, role: string) {
  expectThat(this.protocol === "tcp", `${role} to use TCP (scenario tag @transport:tcp)`, `transport ${this.protocol}`);
});

When("{role} registers", async function (this: ImsWorld, role: string) {
  const ue = await this.ue(role);
  this.registrations.set(role, await ue.register({ expires: 3600, deadline: this.deadline("registration") }));
  this.lastRegistration = role;
});

When("{role} re-registers before its registration expires", async function (this: ImsWorld, role: string) {
  const ue = await this.ue(role);
  this.previousRegistration = this.registration(role);
  this.registrations.set(role, await ue.register({ expires: 3600, deadline: this.deadline("registration") }));
  this.lastRegistration = role;
});

When("the UE re-registers", async function (this: ImsWorld) {
  const ue = await this.ue(SUBJECT);
  this.registrations.set(SUBJECT, await ue.register({ expires: 3600, deadline: this.deadline("registration") }));
  this.lastRegistration = SUBJECT;
});

When("{role} de-registers", async function (this: ImsWorld, role: string) {
  const ue = await this.ue(role);
  this.registrations.set(role, await ue.deregister({ deadline: this.deadline("de-registration") }));
  this.lastRegistration = role;
});

Then("its first REGISTER carries an Authorization with an empty response", function (this: ImsWorld) {
  const first = this.lastOutcome().exchanges[0].request;
  expectThat(/response=""/.test(first.header("authorization") ?? ""), 'the initial REGISTER with Authorization: ... nonce="", response=""', first, "TS 24.229 5.1.1.2.1");
});

Then("the network challenges it with 401 and algorithm AKAv1-MD5 or AKAv2-MD5", function (this: ImsWorld) {
  const r = this.lastOutcome().exchanges[0].response;
  expectThat(r.status === 401, "401 Unauthorized to the initial REGISTER", r, "TS 24.229 5.4.1.2.1");
  const algorithms = r
    .headerValues("www-authenticate")
    .flatMap(parseAuthChallenges)
    .map((c) => (c.params["algorithm"] ?? "MD5").toUpperCase());
  expectThat(
    algorithms.some((a) => a === "AKAV1-MD5" || a === "AKAV2-MD5"),
    "WWW-Authenticate with algorithm=AKAv1-MD5 or AKAv2-MD5",
    `algorithms: ${algorithms.join(", ") || "none"}`,
    "RFC 3310 3.1",
  );
});

Then("the network challenges it with 401 and a Digest challenge with qop auth", function (this: ImsWorld) {
  const r = this.lastOutcome().exchanges[0].response;
  expectThat(r.status === 401, "401 Unauthorized to the initial REGISTER", r, "TS 24.229 5.4.1.2.1");
  const challenges = r.headerValues("www-authenticate").flatMap(parseAuthChallenges);
  const ok = challenges.some(
    (c) =>
      c.scheme.toLowerCase() === "digest" &&
      ["MD5", "SHA-256"].includes((c.params["algorithm"] ?? "MD5").toUpperCase()) &&
      (c.params["qop"] ?? "")
        .split(",")
        .map((q) => q.trim())
        .includes("auth"),
  );
  expectThat(ok, 'WWW-Authenticate: Digest with algorithm MD5 or SHA-256 and qop="auth"', r.header("www-authenticate") ?? "no WWW-Authenticate", "TS 24.229 5.1.1.2.3, RFC 7616 3.3");
});

Then("the registration ends with 200 OK", function (this: ImsWorld) {
  const o = this.lastOutcome();
  expectThat(o.final.status === 200, "the registration to end with 200 OK", `${o.exchanges.map((x) => x.response.status).join(" -> ")}: ${o.final.startLine()}`, "TS 24.229 5.4.1.2.2");
});

Then("the 200 OK carries a Service-Route", function (this: ImsWorld) {
  const o = this.lastOutcome();
  expectThat(o.final.headerValues("service-route").length > 0, "the 200 OK to REGISTER with a Service-Route header", o.final, "TS 24.229 5.4.1.2.2 (RFC 3608)");
});

Then("P-Associated-URI lists the public identities of the UE", function (this: ImsWorld) {
  const o = this.lastOutcome();
  const wanted = this.identitiesOf(this.lastRegistration ?? SUBJECT);
  const missing = missingIdentities(o.final.headerValues("p-associated-uri"), wanted);
  expectThat(
    missing.length === 0,
    `P-Associated-URI listing ${wanted.join(", ")}`,
    `P-Associated-URI: ${o.final.header("p-associated-uri") ?? "absent"} (missing ${missing.join(", ")})`,
    "TS 24.229 5.4.1.2.2, RFC 3455 4.1",
  );
});

Then("the registration is refused", function (this: ImsWorld) {
  const o = this.lastOutcome();
  const statuses = o.exchanges.map((x) => x.response.status);
  // TS 24.229 5.4.1.2.1: a wrong response is answered 403, or with a fresh challenge that the UE cannot answer either
  const refused = o.final.status === 403 || (o.final.status === 401 && o.exchanges.length > 1);
  expectThat(refused, "403 Forbidden (or a fresh 401) to the REGISTER with wrong credentials", statuses.join(" -> "), "TS 24.229 5.4.1.2.1");
});

Then("the registration is refused with {int} or {int}", function (this: ImsWorld, a: number, b: number) {
  const o = this.lastOutcome();
  expectThat(
    [a, b].includes(o.final.status),
    `${a} or ${b} to the REGISTER of an unknown identity`,
    `${o.exchanges.map((x) => x.response.status).join(" -> ")}: ${o.final.startLine()}`,
    "TS 24.229 5.4.1.2.1",
  );
});

Then("a MESSAGE from {role} to the UE gets {int} or {int}", async function (this: ImsWorld, from: string, a: number, b: number) {
  const sender = await this.ue(from);
  const target = this.ues.get(SUBJECT)!.impu;
  const r = await sender.sendMessage(target, "are you registered?", { deadline: this.deadline("MESSAGE to the refused UE") });
  expectThat([a, b].includes(r.status), `${a} or ${b}: no binding was created for the refused UE`, r, "TS 24.229 5.4.3.3");
});

Then("the re-REGISTER reuses the Call-ID with a higher CSeq", function (this: ImsWorld) {
  const before = this.previousRegistration!.exchanges.at(-1)!.request;
  const now = this.lastOutcome().exchanges[0].request;
  expectThat(
    now.callId === before.callId && now.cseq.seq > before.cseq.seq,
    `Call-ID ${before.callId} and a CSeq above ${before.cseq.seq}`,
    `Call-ID ${now.callId}, CSeq ${now.cseq.seq}`,
    "TS 24.229 5.1.1.4.1",
  );
});

Then("the 200 OK grants {role}'s contact a new expiry", function (this: ImsWorld, role: string) {
  const o = this.registration(role);
  expectThat((o.expires ?? 0) > 0, "the 200 OK listing the UE's Contact with expires > 0 (or Expires > 0)", o.final, "RFC 3261 10.3 item 8");
});

When("{role} subscribes to its reg event", async function (this: ImsWorld, role: string) {
  const ue = await this.ue(role);
  this.subscriptions.set(role, await ue.subscribeReg({ expires: 600, deadline: this.deadline("SUBSCRIBE to reg") }));
});

Given("{role} is subscribed to its reg event", async function (this: ImsWorld, role: string) {
  const ue = await this.registered(role);
  try {
    const sub = await ue.subscribeReg({ expires: 600, deadline: this.deadline("SUBSCRIBE to reg") });
    if (!sub.response || sub.response.status >= 300) throw new Error(`SUBSCRIBE got ${sub.response?.startLine()}`);
    await sub.waitForNotify(() => true, this.deadline("first NOTIFY", 16 * this.profile.ixit.timers.t1));
    this.subscriptions.set(role, sub);
  } catch (e) {
    throw new InconclusiveError(`precondition: ${role} could not subscribe to its reg event: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
});

Then("the SUBSCRIBE is routed by the Service-Route", function (this: ImsWorld) {
  const [role, sub] = [...this.subscriptions.entries()][0];
  const serviceRoute = this.registration(role).serviceRoute;
  const routes = sub.request.headerValues("route");
  const ok = serviceRoute.length > 0 && serviceRoute.every((sr) => routes.includes(sr));
  expectThat(ok, `Route headers carrying the Service-Route ${serviceRoute.join(", ") || "(none received at registration)"}`, `Route: ${routes.join(", ") || "none"}`, "TS 24.229 5.1.1.3, 5.1.2A.1.1");
});

Then("the subscription is accepted with a 2xx response", function (this: ImsWorld) {
  const sub = [...this.subscriptions.values()][0];
  expectThat(!!sub.response && sub.response.status >= 200 && sub.response.status < 300, "2xx to the SUBSCRIBE for the reg event", sub.response, "RFC 6665 4.2.1.1");
});

Then("{role} receives a NOTIFY with application\\/reginfo+xml", async function (this: ImsWorld, role: string) {
  const sub = this.subscriptions.get(role)!;
  // RFC 6665 4.2.1.2: the notifier sends a NOTIFY immediately after the 2xx
  const n = await sub.waitForNotify(
    (x) => /application\/reginfo\+xml/i.test(x.contentType ?? ""),
    this.deadline("NOTIFY after the 2xx to SUBSCRIBE", 16 * this.profile.ixit.timers.t1),
    "NOTIFY with Content-Type: application/reginfo+xml",
    "RFC 6665 4.2.1.2, RFC 3680 5.2",
  );
  this.notifications.set(role, n);
});

Then("the reginfo shows {role}'s contact as active", async function (this: ImsWorld, role: string) {
  const ue = await this.ue(role);
  // The first NOTIFY carries the state; a notifier that publishes asynchronously may follow it at
  // once with the updated one (RFC 6665 4.2.2), so the contact must be active within the deadline
  const deadline = this.deadline("NOTIFY showing the contact active", 16 * this.profile.ixit.timers.t1);
  await waitForRegContact(this.subscriptions.get(role)!, ue.contact, "active", deadline, "RFC 3680 5.3, TS 24.229 5.4.2.1.2", this.notifications.get(role));
});

When("the network de-registers {role}", async function (this: ImsWorld, role: string) {
  const ue = await this.ue(role);
  const network = this.suite.testBed.network;
  if (!network) throw new InconclusiveError("this SUT offers the harness no trigger for a network-initiated de-registration (TS 24.228 6.7): only the embedded reference core does");
  await network.deregister(ue.impu, "deactivated");
});

When("the network requires the UE to re-authenticate", async function (this: ImsWorld) {
  const ue = await this.ue(SUBJECT);
  const network = this.suite.testBed.network;
  if (!network) throw new InconclusiveError("this SUT offers the harness no trigger for a network-initiated re-authentication (TS 24.228 6.8): only the embedded reference core does");
  await network.requireReauthentication(ue.impu);
});

Then("{role} receives a NOTIFY with its contact terminated", async function (this: ImsWorld, role: string) {
  const ue = await this.ue(role);
  const n = await waitForRegContact(this.subscriptions.get(role)!, ue.contact, "terminated", this.deadline("NOTIFY with the contact terminated"), "TS 24.229 5.4.2.1.2, RFC 3680 5.3");
  this.notifications.set(role, n);
});

Then("the subscription is terminated", function (this: ImsWorld) {
  const [role] = [...this.subscriptions.keys()];
  const n = this.notifications.get(role)!;
  expectThat(
    n.state?.state === "terminated",
    "Subscription-State: terminated on the NOTIFY that ends the registration",
    `Subscription-State: ${n.request.header("subscription-state") ?? "absent"}`,
    "TS 24.229 5.4.2.1.2",
  );
});

Then("the network challenges the re-REGISTER with 401", function (this: ImsWorld) {
  const r = this.lastOutcome().exchanges[0].response;
  expectThat(r.status === 401, "401 with a new challenge to the re-REGISTER", r, "TS 24.228 6.8, TS 24.229 5.4.1.6");
});

Then("the UE answers the first challenge with an auts parameter", function (this: ImsWorld) {
  const o = this.lastOutcome();
  const second = o.exchanges[1]?.request;
  if (!second) fail("a second REGISTER answering the challenge", `${o.exchanges.length} REGISTER(s): ${o.exchanges.map((x) => x.response.status).join(" -> ")}`);
  expectThat(/auts="/.test(second.header("authorization") ?? ""), "the UE's Authorization with auts (synchronisation failure)", second, "RFC 3310 3.4");
});

Then("the network sends a fresh challenge", function (this: ImsWorld) {
  const o = this.lastOutcome();
  const first = o.exchanges[0].response;
  const second = o.exchanges[1]?.response;
  const nonce = (r: typeof first | undefined) => (r ? parseAuthChallenges(r.header("www-authenticate") ?? "")[0]?.params["nonce"] : undefined);
  expectThat(second?.status === 401 && nonce(second) !== nonce(first), "401 with a new nonce after the resynchronisation", second, "RFC 3310 3.4, TS 33.102 6.3.5");
});

Then("every response reached {role} on the TCP connection it opened", async function (this: ImsWorld, role: string) {
  await this.ue(role);
  const sut = this.suite.sut.pcscf;
  // Over TCP a trace entry's local address is the connection's, and its note names the connection
  const withSut = this.trace.entries.filter((e) => e.remote.port === sut.port && e.remote.host === sut.host);
  const received = withSut.filter((e) => e.direction === "received");
  const connections = new Set(withSut.map((e) => `${e.protocol} ${e.note ?? ""} local port ${e.local.port}`));
  expectThat(
    received.length > 0 && withSut.every((e) => e.protocol === "tcp") && connections.size === 1,
    "every response on the one TCP connection the UE opened",
    `${received.length} responses over ${connections.size} connection(s): ${[...connections].join("; ")}`,
    "RFC 3261 18.2.2",
  );
});

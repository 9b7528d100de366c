// The driver's UE level against Kamailio 5.6 run as a local process with the IMS-like
// configuration of docker/kamailio-ims/ (see its README.md), over UDP and TCP: Digest
// registration, calls with PRACK and UPDATE, CANCEL, tel URI aliases, MESSAGE, the reg event
// package and de-registration. Where Kamailio differs from an IMS core the test asserts what
// Kamailio does and says why in a comment (input for profiles/kamailio.yaml).
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, afterEach, before, describe, test } from "node:test";
import { parseReginfo } from "../../src/sip/event/reginfo.ts";
import { Deadline } from "../../src/sip/deadline.ts";
import { newCallId, newTag } from "../../src/sip/identifiers.ts";
import { SipRequest } from "../../src/sip/message/index.ts";
import { ImsUe, type Notification, Subscription, type UeConfig } from "../../src/sip/ue/index.ts";
import { type KamailioRun, kamailioSkip, startKamailio } from "../support/kamailio.ts";

const skip = kamailioSkip();
const DOMAIN = "ims.example.test";
const TRANSPORTS = ["udp", "tcp"] as const;
// The subscribers of docker/kamailio-ims/subscribers.cfg, with passwords made for this run
const USERS = {
  alice: { env: "IMS_UE_A_PASSWORD", password: randomBytes(8).toString("hex") },
  bob: { env: "IMS_UE_B_PASSWORD", password: randomBytes(8).toString("hex") },
  carol: { env: "IMS_UE_C_PASSWORD", password: randomBytes(8).toString("hex") },
} as const;
type User = keyof typeof USERS;

const SDP = ["v=0", "o=- 1 1 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0", "m=audio 49170 RTP/AVP 0", "a=rtpmap:0 PCMU/8000", ""].join("\r\n");
const PRECONDITION_SDP = SDP + ["a=curr:qos local none", "a=curr:qos remote none", "a=des:qos mandatory local sendrecv", "a=des:qos mandatory remote sendrecv", ""].join("\r\n");
const RESERVED_SDP =
  SDP.replace("o=- 1 1", "o=- 1 2") + ["a=curr:qos local sendrecv", "a=curr:qos remote none", "a=des:qos mandatory local sendrecv", "a=des:qos mandatory remote sendrecv", ""].join("\r\n");

/**
 * A NOTIFY whose reginfo lists `contact` in a registration of that state. pua_reginfo PUBLISHes
 * each registration change to presence asynchronously, after the 200 to the REGISTER, so the first
 * NOTIFY can still carry the state before it (an earlier test's binding); the next one follows.
 */
function reginfoWith(contact: string, registrationState: "active" | "terminated"): (n: Notification) => boolean {
  return (n) => n.body.includes(`<uri>${contact}</uri>`) && new RegExp(`<registration [^>]*state="${registrationState}"`).test(n.body);
}

function passwordEnv(): Record<string, string> {
  return Object.fromEntries(Object.values(USERS).map((u) => [u.env, u.password]));
}

for (const transport of TRANSPORTS) {
  describe(`the driver against Kamailio over ${transport.toUpperCase()}`, { skip }, () => {
    let kamailio: KamailioRun;
    const ues: ImsUe[] = [];
    const subscriptions: Subscription[] = [];

    before(async () => {
      kamailio = await startKamailio({ env: passwordEnv(), timeoutMs: 20000 });
    });

    after(async () => {
      // KAMAILIO_LOG_DIR keeps what Kamailio logged (every request, registration and reg state)
      if (kamailio && process.env.KAMAILIO_LOG_DIR) writeFileSync(join(process.env.KAMAILIO_LOG_DIR, `kamailio-${transport}.log`), kamailio.logs());
      await kamailio?.stop();
    });

    // Every UE leaves no subscription and no binding behind, so the next test starts clean
    // (Kamailio keeps a reg subscription after the de-registration, see the last test).
    afterEach(async () => {
      for (const s of subscriptions.splice(0)) {
        if (s.dialog && s.dialog.state !== "terminated") await s.unsubscribe().catch(() => undefined);
      }
      for (const u of ues.splice(0)) {
        if (u.registration.registered) await u.deregister().catch(() => undefined);
        await u.close();
      }
    });

    async function ue(user: User | "dave", extra: Partial<UeConfig> = {}): Promise<ImsUe> {
      const u = await ImsUe.start({
        name: `UE-${user}`,
        impi: `${user}@${DOMAIN}`,
        impu: `sip:${user}@${DOMAIN}`,
        domain: DOMAIN,
        credentials: { kind: "digest", password: user === "dave" ? "no-such-user" : USERS[user].password },
        pcscf: { protocol: transport, host: "127.0.0.1", port: kamailio.port },
        protocol: transport,
        ...extra,
      });
      ues.push(u);
      return u;
    }

    async function registered(user: User): Promise<ImsUe> {
      const u = await ue(user);
      const reg = await u.register({ expires: 600 });
      assert.equal(reg.final.status, 200, `${user} could not register: ${reg.final.status} ${reg.final.reason}`);
      return u;
    }

    test("registers with Digest MD5 qop=auth: 401 then 200 with Service-Route and P-Associated-URI", async () => {
      const u = await ue("alice");
      const reg = await u.register({ expires: 600 });
      assert.deepEqual(
        reg.exchanges.map((e) => e.response.status),
        [401, 200],
      );
      // TS 24.229 5.1.1.2.1: the initial REGISTER carries an Authorization with an empty response;
      // Kamailio does not reject it (its nonce check fails) and simply challenges.
      assert.match(reg.exchanges[0].request.header("authorization") ?? "", /nonce="", .*response=""/);
      const challenge = reg.exchanges[0].response.header("www-authenticate") ?? "";
      assert.match(challenge, /^Digest realm="ims\.example\.test", nonce="[^"]+", qop="auth", algorithm=MD5$/);
      assert.match(reg.exchanges[1].request.header("authorization") ?? "", /response="[0-9a-f]{32}".*qop=auth.*nc=00000001/);
      // RFC 3608: the registrar's Service-Route; RFC 3455 4.1: the implicit set, default identity first
      assert.deepEqual(reg.serviceRoute, [`<sip:orig@127.0.0.1:${kamailio.port};lr>`]);
      assert.deepEqual(reg.associatedUris, [`<sip:alice@${DOMAIN}>`, "<tel:+15551230001>"]);
      // RFC 3261 10.3 step 8: the 200 lists the binding with its expiry
      assert.equal(reg.expires, 600);
      assert.equal(reg.final.headerValues("contact").length, 1);
      assert.equal(u.registration.registered, true);
    });

    test("a REGISTER without any Authorization is challenged the same way", async () => {
      const u = await ue("bob");
      const reg = await u.register({ expires: 600, initialAuthorization: false });
      assert.deepEqual(
        reg.exchanges.map((e) => e.response.status),
        [401, 200],
      );
      assert.deepEqual(reg.associatedUris, [`<sip:bob@${DOMAIN}>`, "<tel:+15551230002>"]);
    });

    test("a wrong password gets 403 after the challenge, not a second challenge", async () => {
      const u = await ue("alice", { credentials: { kind: "digest", password: "not-the-password" } });
      const reg = await u.register({ expires: 600 });
      // auth's pv_www_authenticate returns -2 (invalid password); the configuration answers 403.
      // Kamailio's stock configuration would challenge again (401) instead.
      assert.deepEqual(
        reg.exchanges.map((e) => e.response.status),
        [401, 403],
      );
      assert.equal(u.registration.registered, false);
      assert.deepEqual(reg.associatedUris, []);
    });

    test("an unknown user gets 403 without a challenge", async () => {
      const u = await ue("dave");
      const reg = await u.register({ expires: 600 });
      // TS 29.228: an unknown identity fails the UAR and the I-CSCF answers 403; the configuration
      // checks its subscriber table before challenging, as an HSS lookup would.
      assert.deepEqual(
        reg.exchanges.map((e) => e.response.status),
        [403],
      );
      assert.equal(u.registration.registered, false);
    });

    test("echoes the Path of a REGISTER that supports path (RFC 3327 5.3)", async () => {
      const u = await ue("carol");
      const path = "<sip:term@pcscf.ims.example.test;lr>";
      const reg = await u.register({ expires: 600, headers: { Path: path } });
      assert.deepEqual(
        reg.exchanges.map((e) => e.response.status),
        [401, 200],
      );
      assert.deepEqual(reg.final.headerValues("path"), [path]);
      // RFC 3327 5.3: Supported: path is not added to the 200 by Kamailio's registrar.
      assert.equal(reg.final.header("supported"), undefined);
      assert.equal((await u.deregister()).final.status, 200);
    });

    test("answers 420 to a Path without Supported: path, yet keeps the binding and routes by its Path", async () => {
      const bob = await registered("bob");
      const alice = await ue("alice");
      const path = `<sip:term@127.0.0.1:${alice.endpoint.local(transport).port}${transport === "udp" ? "" : ";transport=tcp"};lr>`;
      const register = (cseq: number, authorization?: { header: string; value: string }): SipRequest => {
        const r = new SipRequest("REGISTER", `sip:${DOMAIN}`);
        r.addHeader("Via", alice.via());
        r.addHeader("Max-Forwards", 70);
        r.addHeader("From", `<sip:alice@${DOMAIN}>;tag=path420`);
        r.addHeader("To", `<sip:alice@${DOMAIN}>`);
        r.addHeader("Call-ID", callId);
        r.addHeader("CSeq", `${cseq} REGISTER`);
        r.addHeader("Contact", `<${alice.contact}>;expires=600`);
        r.addHeader("Path", path);
        if (authorization) r.addHeader(authorization.header, authorization.value);
        return r;
      };
      const callId = newCallId();
      const challenge = await alice.endpoint.request(register(1), alice.outbound);
      assert.equal(challenge.status, 401);
      const answer = alice.auth.answer(challenge, { method: "REGISTER", uri: `sip:${DOMAIN}` });
      assert.ok(!("error" in answer), "no answer to the challenge");
      const refused = await alice.endpoint.request(register(2, answer), alice.outbound);
      // registrar path_mode 2 (RFC 3327 5.3): 420 Bad Extension with Unsupported: path ...
      assert.equal(refused.status, 420);
      assert.equal(refused.header("unsupported"), "path");
      // ... but Kamailio checks Supported only while building the reply, after save() stored the
      // binding: the refused registration is live, and requests to alice follow its Path (5.4).
      const call = bob.call(`sip:alice@${DOMAIN}`, { sdp: SDP, reliable: false });
      const incoming = await alice.waitForCall();
      assert.deepEqual(incoming.invite.headerValues("route"), [path]);
      incoming.reject(486);
      assert.equal((await call.waitForFinal()).status, 486);
      assert.equal((await alice.deregister()).final.status, 200);
    });

    test("routes a call alice -> bob with P-Asserted-Identity and Record-Route, then BYE", async () => {
      const alice = await registered("alice");
      const bob = await registered("bob");
      const call = alice.call(`sip:bob@${DOMAIN}`, { sdp: SDP, reliable: false });
      const incoming = await bob.waitForCall();
      // RFC 3325 9.1 / TS 24.229 5.2.6.3: the network asserts the caller's default public identity
      assert.equal(incoming.invite.header("p-asserted-identity"), `<sip:alice@${DOMAIN}>`);
      assert.equal(incoming.invite.uriText, bob.contact);
      // RFC 3261 16.6 step 4: one Record-Route (rr adds the caller's From tag, and the transport
      // when it is not UDP)
      const rr = incoming.invite.headerValues("record-route");
      const transportParam = transport === "udp" ? "" : ";transport=tcp";
      assert.deepEqual(rr, [`<sip:127.0.0.1:${kamailio.port}${transportParam};lr;ftag=${call.invite.fromTag}>`]);
      // The Service-Route was consumed (RFC 3608 / RFC 3261 16.4): no Route reaches bob
      assert.equal(incoming.invite.header("route"), undefined);
      await incoming.provisional(180);
      await incoming.accept({ sdp: SDP });
      const final = await call.waitForFinal();
      assert.equal(final.status, 200);
      assert.deepEqual(final.headerValues("record-route"), rr);
      assert.equal((await call.bye()).status, 200);
      const bye = await incoming.waitForRequest("BYE");
      assert.equal(bye.message.kind === "request" && bye.message.uriText, bob.contact);
    });

    test("passes a reliable 183, its PRACK and an UPDATE through (RFC 3262, RFC 3311)", async () => {
      const alice = await registered("alice");
      const bob = await registered("bob");
      const call = alice.call(`sip:bob@${DOMAIN}`, { sdp: PRECONDITION_SDP, preconditions: true });
      const incoming = await bob.waitForCall();
      assert.deepEqual(incoming.invite.optionTags("supported"), ["100rel", "precondition"]);
      const prack = await incoming.provisional(183, { reliable: true, sdp: PRECONDITION_SDP });
      const exchange = await call.pracks.next(() => true, Deadline.after(10000, "PRACK exchange"), "PRACK exchange");
      assert.equal(exchange.response.status, 200);
      // RFC 3262 7.2: the 183 reached alice with its RSeq, and the PRACK reached bob with the RAck for it
      const rseq = exchange.provisional.header("rseq");
      assert.match(rseq ?? "", /^\d+$/);
      assert.equal(prack?.message.kind === "request" && prack.message.header("rack"), `${rseq} ${call.invite.cseq.seq} INVITE`);
      const pendingUpdate = call.update(RESERVED_SDP);
      const update = await incoming.waitForRequest("UPDATE");
      assert.match(update.message.bodyText, /a=curr:qos local sendrecv/);
      incoming.answer(update, 200, RESERVED_SDP);
      assert.equal((await pendingUpdate).status, 200);
      await incoming.accept({ sdp: SDP });
      assert.equal((await call.waitForFinal()).status, 200);
      assert.equal((await call.bye()).status, 200);
    });

    test("cancels a ringing call: 200 for CANCEL, 487 for INVITE (RFC 3261 9.1, 16.10)", async () => {
      const alice = await registered("alice");
      const bob = await registered("bob");
      const call = alice.call(`sip:bob@${DOMAIN}`, { sdp: SDP, reliable: false });
      const incoming = await bob.waitForCall();
      await incoming.provisional(180);
      await call.waitForResponse(180);
      assert.equal((await call.cancel()).status, 200);
      const cancel = await incoming.waitForRequest("CANCEL");
      assert.equal(cancel.message.kind === "request" && cancel.message.method, "CANCEL");
      assert.equal((await call.waitForFinal()).status, 487);
    });

    test("routes a call to the tel URI alias to its owner (RFC 3966)", async () => {
      const alice = await registered("alice");
      const bob = await registered("bob");
      const call = alice.call("tel:+15551230002", { sdp: SDP, reliable: false });
      const incoming = await bob.waitForCall();
      // The static tel -> owner table stands for ENUM / the HSS; the To header stays the tel URI
      assert.equal(incoming.invite.uriText, bob.contact);
      assert.equal(incoming.invite.header("to"), "<tel:+15551230002>");
      assert.equal(incoming.invite.header("p-asserted-identity"), `<sip:alice@${DOMAIN}>`);
      await incoming.accept({ sdp: SDP });
      assert.equal((await call.waitForFinal()).status, 200);
      // the callee ends the call: its BYE follows the Record-Route back to alice (RFC 3261 16.12)
      assert.equal((await incoming.bye()).status, 200);
      const bye = await call.waitForRequest("BYE");
      assert.equal(bye.message.kind === "request" && bye.message.uriText, alice.contact);
    });

    test("delivers a MESSAGE with P-Asserted-Identity (RFC 3428)", async () => {
      const alice = await registered("alice");
      const bob = await registered("bob");
      const response = await alice.sendMessage(`sip:bob@${DOMAIN}`, "hello bob");
      assert.equal(response.status, 200);
      const msg = await bob.waitForMessage();
      assert.equal(msg.message.bodyText, "hello bob");
      assert.equal(msg.message.header("p-asserted-identity"), `<sip:alice@${DOMAIN}>`);
    });

    test("follows a preloaded P-CSCF route and honours a P-Preferred-Identity of the implicit set", async () => {
      const alice = await ue("alice", { pcscfUri: `sip:127.0.0.1:${kamailio.port};lr` });
      assert.equal((await alice.register({ expires: 600 })).final.status, 200);
      const bob = await registered("bob");
      // Route: <sip:127.0.0.1:port;lr>, <sip:orig@127.0.0.1:port;lr>: Kamailio relays the request to
      // itself once and trusts its own P-Asserted-Identity on the second pass (RFC 3324 trust domain).
      const message = alice.sendMessage(`sip:bob@${DOMAIN}`, "as tel", { headers: { "P-Preferred-Identity": "<tel:+15551230001>" } });
      const received = await bob.waitForMessage();
      assert.equal((await message).status, 200);
      // RFC 3325 9.2 / TS 24.229 5.2.6.3: the preferred identity is in the set, so it is asserted
      assert.equal(received.message.header("p-asserted-identity"), "<tel:+15551230001>");
      assert.equal(received.message.header("p-preferred-identity"), undefined);
      assert.equal(received.message.header("route"), undefined);
      // a preferred identity outside the set is replaced by the default public identity
      const other = alice.sendMessage(`sip:bob@${DOMAIN}`, "as bob", { headers: { "P-Preferred-Identity": "<tel:+15551230002>" } });
      const second = await bob.waitForMessage();
      assert.equal((await other).status, 200);
      assert.equal(second.message.header("p-asserted-identity"), `<sip:alice@${DOMAIN}>`);
    });

    test("answers OPTIONS to itself with 200 and Allow (RFC 3261 11.2)", async () => {
      const u = await ue("alice");
      const options = new SipRequest("OPTIONS", `sip:127.0.0.1:${kamailio.port}`);
      options.addHeader("Via", u.via());
      options.addHeader("Max-Forwards", 70);
      options.addHeader("From", `<sip:alice@${DOMAIN}>;tag=${newTag()}`);
      options.addHeader("To", `<sip:127.0.0.1:${kamailio.port}>`);
      options.addHeader("Call-ID", newCallId());
      options.addHeader("CSeq", "1 OPTIONS");
      const response = await u.endpoint.request(options, u.outbound);
      assert.equal(response.status, 200);
      assert.equal(response.header("allow"), "INVITE, ACK, CANCEL, BYE, PRACK, UPDATE, MESSAGE, OPTIONS, REGISTER, SUBSCRIBE, NOTIFY");
      assert.equal(response.header("supported"), "path");
      assert.equal(response.header("accept"), "application/sdp, application/reginfo+xml");
    });

    test("answers 480 for a known user who is not registered and 404 for an unknown one", async () => {
      const alice = await registered("alice");
      // TS 24.229 5.4.3.3 without unregistered-state services: 480 Temporarily Unavailable
      const toCarol = alice.call(`sip:carol@${DOMAIN}`, { sdp: SDP, reliable: false });
      assert.equal((await toCarol.waitForFinal()).status, 480);
      const toDave = alice.call(`sip:dave@${DOMAIN}`, { sdp: SDP, reliable: false });
      assert.equal((await toDave.waitForFinal()).status, 404);
      const toTel = alice.call("tel:+15559999999", { sdp: SDP, reliable: false });
      assert.equal((await toTel.waitForFinal()).status, 404);
    });

    test("refuses a request from a UE that is not registered with 403", async () => {
      const bob = await registered("bob");
      const alice = await ue("alice");
      // No registration, so no binding of this UE to an identity: the configuration's stand-in for a
      // P-CSCF without a security association. Stock Kamailio would challenge with 407 instead.
      const response = await alice.sendMessage(`sip:bob@${DOMAIN}`, "who am I");
      assert.equal(response.status, 403);
      assert.equal(bob.messages.history.length, 0);
    });

    test("answers a reg event SUBSCRIBE and NOTIFYs the registration state (RFC 3680)", async () => {
      const alice = await registered("alice");
      const sub = await alice.subscribeReg({ expires: 600 });
      subscriptions.push(sub);
      assert.equal(sub.response?.status, 200);
      // below presence's max_expires (3600) the requested expiry is kept
      assert.equal(sub.response?.expires, 600);
      const notify = await sub.waitForNotify(reginfoWith(alice.contact, "active"));
      assert.equal(notify.contentType, "application/reginfo+xml");
      assert.equal(notify.request.header("event"), "reg");
      assert.equal(notify.state?.state, "active");
      const info = await parseReginfo(notify.body);
      assert.equal(info.state, "full");
      // RFC 3680 5: the version grows by one with each NOTIFY of a subscription; pua_reginfo writes 0
      assert.equal(info.version, 0);
      assert.equal(info.registrations.length, 1);
      const reg = info.registrations[0];
      assert.equal(reg.aor, `sip:alice@${DOMAIN}`);
      assert.equal(reg.state, "active");
      // Only the registered AoR: the tel alias of the implicit set gets no <registration> of its own
      // (TS 24.229 5.4.2.1.2 lists every public identity of the set).
      assert.equal(reg.contacts.length, 1);
      const contact = reg.contacts[0];
      assert.equal(contact.uri, alice.contact);
      assert.equal(contact.state, "active");
      // pua_reginfo reports a new binding as "created" (RFC 3680 5: "registered" is the event for a REGISTER)
      assert.equal(contact.event, "created");
      // the seconds left of the 600 granted, as pua_reginfo computed them when it PUBLISHed
      assert.ok(contact.expires !== undefined && contact.expires > 590 && contact.expires <= 600, `expires ${contact.expires}`);
    });

    test("refuses a reg event SUBSCRIBE for another user's registration with 403", async () => {
      await registered("alice");
      const bob = await registered("bob");
      // TS 24.229 5.4.2.1.1 also admits the P-CSCF and ASs as watchers; this core has neither, so only
      // the user itself may subscribe
      const s = new Subscription(bob, "reg", `sip:alice@${DOMAIN}`, 600);
      assert.equal((await s.start()).status, 403);
    });

    test("de-registers, NOTIFYs the terminated registration and then answers 480 for calls", async () => {
      const alice = await registered("alice");
      const bob = await registered("bob");
      // the UE's default expiry (600000 s, TS 24.229 5.1.1.3) is cut to presence's max_expires
      const sub = await alice.subscribeReg();
      subscriptions.push(sub);
      assert.equal(sub.response?.status, 200);
      assert.equal(sub.response?.expires, 3600);
      await sub.waitForNotify(reginfoWith(alice.contact, "active"));
      const dereg = await alice.deregister();
      // The driver answers with the nonce of the last challenge (nc=00000002) and Kamailio accepts
      // it: one_time_nonce and nonce_count are off, the nonce lives nonce_expire (300 s).
      assert.deepEqual(
        dereg.exchanges.map((e) => e.response.status),
        [200],
      );
      assert.match(dereg.exchanges[0].request.header("authorization") ?? "", /nc=00000002/);
      assert.equal(alice.registration.registered, false);
      // RFC 3261 10.3 step 8: no binding is left, so the 200 lists no Contact
      assert.deepEqual(dereg.final.headerValues("contact"), []);
      const notify = await sub.waitForNotify(reginfoWith(alice.contact, "terminated"));
      const info = await parseReginfo(notify.body);
      const reg = info.registrations[0];
      assert.equal(reg.state, "terminated");
      assert.equal(reg.contacts[0]?.state, "terminated");
      assert.equal(reg.contacts[0]?.event, "unregistered");
      // the removed contact keeps the seconds its binding had left, not 0
      const left = reg.contacts[0]?.expires;
      assert.ok(left !== undefined && left > 590 && left <= 600, `expires ${left}`);
      // TS 24.229 5.4.2.1.2 ends the subscription when the registration ends (Subscription-State:
      // terminated); Kamailio's presence keeps it active until it expires.
      assert.equal(notify.state?.state, "active");
      const call = bob.call(`sip:alice@${DOMAIN}`, { sdp: SDP, reliable: false });
      assert.equal((await call.waitForFinal()).status, 480);
    });
  });
}

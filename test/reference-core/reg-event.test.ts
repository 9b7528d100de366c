// The reg event package at the reference core (TS 24.229 5.4.2.1, RFC 3680, RFC 6665): the UE's
// SUBSCRIBE, the full NOTIFY, partial NOTIFYs on changes, unsubscribe, and the network-initiated
// deregistration of TS 24.228 6.7.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseReginfo } from "../../src/sip/event/reginfo.ts";
import { Subscription } from "../../src/sip/ue/index.ts";
import { Lab, SDP, TEL, impu } from "./core-fixture.ts";

describe("reg event subscription", () => {
  for (const protocol of ["udp", "tcp"] as const) {
    test(`SUBSCRIBE over ${protocol.toUpperCase()}: 200 with Expires and a To tag, then a full reginfo NOTIFY (version 0)`, async (t) => {
      const lab = await Lab.start(t);
      const ue = await lab.registered("alice", protocol);
      const sub = await ue.subscribeReg({ expires: 3600 });
      const ok = sub.response!;
      assert.equal(ok.status, 200);
      assert.equal(ok.header("expires"), "3600");
      assert.ok(ok.toTag);
      const n = await sub.waitForNotify();
      const notify = n.request;
      assert.equal(notify.header("event"), "reg");
      assert.equal(n.state?.state, "active");
      assert.ok(n.state?.expires !== undefined && n.state.expires > 3590 && n.state.expires <= 3600);
      assert.equal(n.contentType, "application/reginfo+xml");
      assert.equal(notify.header("from"), `<${impu("alice")}>;tag=${ok.toTag}`);
      assert.equal(notify.uriText, ue.contact);
      assert.match(notify.header("contact") ?? "", new RegExp(`^<sip:127\\.0\\.0\\.1:${lab.core.port}`));
      const info = await parseReginfo(n.body);
      assert.equal(info.version, 0);
      assert.equal(info.state, "full");
      assert.deepEqual(
        info.registrations.map((r) => [r.aor, r.state]),
        [
          [impu("alice"), "active"],
          [TEL.alice, "active"],
        ],
      );
      const c = info.registrations[0].contacts;
      assert.equal(c.length, 1);
      assert.equal(c[0].uri, ue.contact);
      assert.equal(c[0].state, "active");
      assert.equal(c[0].event, "registered");
    });
  }

  test("a re-registration gives a partial NOTIFY (version 1, refreshed); a deregistration one with the contact terminated (unregistered)", async (t) => {
    const lab = await Lab.start(t);
    const ue = await lab.registered("alice");
    const sub = await ue.subscribeReg();
    await sub.waitForNotify();
    assert.equal((await ue.register({ expires: 600 })).final.status, 200);
    const refreshed = await parseReginfo((await sub.waitForNotify()).body);
    assert.equal(refreshed.version, 1);
    assert.equal(refreshed.state, "partial");
    assert.equal(refreshed.registrations[0].contacts[0].event, "refreshed");
    assert.equal((await ue.deregister()).final.status, 200);
    const n = await sub.waitForNotify();
    const info = await parseReginfo(n.body);
    assert.equal(info.version, 2);
    assert.equal(info.registrations[0].state, "terminated");
    assert.equal(info.registrations[0].contacts[0].state, "terminated");
    assert.equal(info.registrations[0].contacts[0].event, "unregistered");
    // TS 24.229 5.4.2.1.2: all identities deregistered: the subscription ends too
    assert.equal(n.state?.state, "terminated");
  });

  test("SUBSCRIBE with Expires: 0 ends the subscription: 200 and a final NOTIFY terminated", async (t) => {
    const lab = await Lab.start(t);
    const ue = await lab.registered("bob", "tcp");
    const sub = await ue.subscribeReg();
    await sub.waitForNotify();
    const r = await sub.unsubscribe();
    assert.equal(r.status, 200);
    assert.equal(r.header("expires"), "0");
    const last = await sub.waitForNotify();
    assert.equal(last.state?.state, "terminated");
    assert.equal((await parseReginfo(last.body)).version, 1);
  });

  test("another subscriber may not watch alice's registration: 403", async (t) => {
    const lab = await Lab.start(t);
    await lab.registered("alice");
    const bob = await lab.registered("bob");
    const s = new Subscription(bob, "reg", impu("alice"), 600);
    const r = await s.start();
    assert.equal(r.status, 403);
  });
});

describe("network-initiated deregistration (TS 24.228 6.7)", () => {
  for (const event of ["deactivated", "rejected"] as const) {
    test(`deregister(impu, "${event}"): the UE's subscription sees terminated;reason=${event}, the binding is gone`, async (t) => {
      const lab = await Lab.start(t);
      const alice = await lab.registered("alice");
      const bob = await lab.registered("bob");
      const sub = await alice.subscribeReg();
      await sub.waitForNotify();
      await lab.core.deregister(TEL.alice, event);
      // resolved only after the NOTIFY was answered
      assert.ok(
        lab.core.log.some((l) => l.includes(`terminated;reason=${event}) to ${alice.contact}: 200`)),
        lab.core.log.join("\n"),
      );
      const n = sub.notifications.history.at(-1)!;
      assert.equal(n.state?.state, "terminated");
      assert.equal(n.state?.reason, event);
      const info = await parseReginfo(n.body);
      assert.deepEqual(
        info.registrations.map((r) => r.state),
        ["terminated", "terminated"],
      );
      assert.equal(info.registrations[0].contacts[0].event, event);
      assert.equal(info.registrations[0].contacts[0].state, "terminated");
      assert.equal(lab.core.isRegistered(impu("alice")), false);
      assert.equal((await bob.call(impu("alice"), { sdp: SDP }).waitForFinal()).status, 480);
    });
  }

  test("deregister of an identity without subscriptions resolves at once; an unknown identity is an error", async (t) => {
    const lab = await Lab.start(t);
    await lab.registered("carol");
    await lab.core.deregister(TEL.carol);
    assert.equal(lab.core.isRegistered(TEL.carol), false);
    await assert.rejects(lab.core.deregister("sip:nobody@ims.example.test"), /no subscriber has this public identity/);
  });
});

import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Deadline } from "../../../src/sip/deadline.ts";
import { type Received, SipEndpoint } from "../../../src/sip/endpoint/index.ts";
import { type Reginfo, buildReginfo, parseReginfo } from "../../../src/sip/event/reginfo.ts";
import { SipRequest } from "../../../src/sip/message/index.ts";
import type { TransportProtocol } from "../../../src/sip/transport/address.ts";
import type { ImsUe } from "../../../src/sip/ue/index.ts";
import { Resources, destinationOf, startUe, waitFor } from "./ue-support.ts";

const res = new Resources();
after(() => res.closeAll());

const FULL: Reginfo = {
  version: 0,
  state: "full",
  registrations: [
    {
      aor: "sip:alice@ims.test",
      id: "a1",
      state: "active",
      contacts: [{ id: "c1", state: "active", event: "registered", uri: "sip:alice@127.0.0.1:5060", expires: 600000 }],
    },
  ],
};

const PARTIAL: Reginfo = {
  version: 1,
  state: "partial",
  registrations: [
    {
      aor: "sip:alice@ims.test",
      id: "a1",
      state: "active",
      contacts: [
        { id: "c1", state: "active", event: "refreshed", uri: "sip:alice@127.0.0.1:5060", expires: 3600 },
        { id: "c2", state: "terminated", event: "expired", uri: "sip:alice@192.0.2.77:5060" },
      ],
    },
  ],
};

/** The notifier (S-CSCF) side of the reg event package, written with the message-level endpoint. */
class Notifier {
  readonly tag = "notifier-tag";
  private cseq = 0;
  constructor(
    readonly endpoint: SipEndpoint,
    readonly protocol: TransportProtocol,
    readonly subscribe: SipRequest,
  ) {}

  get contact(): string {
    const l = this.endpoint.local(this.protocol);
    return `sip:scscf@127.0.0.1:${l.port}${this.protocol === "udp" ? "" : ";transport=tcp"}`;
  }

  /** RFC 6665 4.2.2: NOTIFY in the subscription's dialog, to the subscriber's Contact. */
  notify(ue: ImsUe, state: string, body: string, seq = ++this.cseq) {
    const r = new SipRequest("NOTIFY", ue.contact);
    r.addHeader("Max-Forwards", 70);
    r.addHeader("From", `${this.subscribe.header("to")!};tag=${this.tag}`);
    r.addHeader("To", this.subscribe.header("from")!);
    r.addHeader("Call-ID", this.subscribe.callId);
    r.addHeader("CSeq", `${seq} NOTIFY`);
    r.addHeader("Contact", `<${this.contact}>`);
    r.addHeader("Event", "reg");
    r.addHeader("Subscription-State", state);
    r.setBody(body, "application/reginfo+xml");
    return this.endpoint.request(r, destinationOf(ue.endpoint, this.protocol), { deadline: waitFor("200 to NOTIFY") });
  }
}

async function setUp(protocol: TransportProtocol) {
  const scscf = res.add(await SipEndpoint.start({ listen: [{ protocol }] }));
  const ue = await startUe(res, "UE-A", "alice", protocol, destinationOf(scscf, protocol));
  const pending = ue.subscribeReg({ expires: 600, deadline: waitFor("2xx to SUBSCRIBE") });
  const sub: Received = await scscf.inbox.expect({ method: "SUBSCRIBE" }, waitFor("SUBSCRIBE"));
  const subscribe = sub.message as SipRequest;
  return { scscf, ue, pending, sub, subscribe, notifier: new Notifier(scscf, protocol, subscribe) };
}

for (const protocol of ["udp", "tcp"] as const) {
  describe(`reg event subscription over ${protocol.toUpperCase()} (RFC 6665, RFC 3680, TS 24.229 5.1.1.3)`, () => {
    test("a NOTIFY arriving BEFORE the 2xx of the SUBSCRIBE creates the dialog (RFC 6665 4.1.2.4); a second one follows the 2xx", async () => {
      const { scscf, ue, pending, sub, subscribe, notifier } = await setUp(protocol);
      assert.equal(subscribe.startLine(), "SUBSCRIBE sip:alice@ims.test SIP/2.0");
      assert.equal(subscribe.header("event"), "reg");
      assert.equal(subscribe.header("accept"), "application/reginfo+xml");
      assert.equal(subscribe.header("expires"), "600");
      assert.equal(subscribe.header("contact"), `<${ue.contact}>`);

      const r1 = await notifier.notify(ue, "active;expires=600", buildReginfo(FULL), 2);
      assert.equal(r1.status, 200);
      assert.equal(r1.toTag, subscribe.fromTag);
      // the dialog exists before the 2xx: a NOTIFY with a lower CSeq is already out of order (RFC 3261 12.2.2)
      const early = await notifier.notify(ue, "active;expires=600", buildReginfo(PARTIAL), 1);
      assert.equal(early.status, 500);
      scscf.reply(sub, 200, { toTag: notifier.tag, headers: { Expires: 600, Contact: `<${notifier.contact}>` } });
      const s = await pending;
      assert.equal(s.response?.status, 200);
      assert.ok(s.dialog);
      assert.equal(s.dialog.id.callId, subscribe.callId);
      assert.equal(s.dialog.id.localTag, subscribe.fromTag);
      assert.equal(s.dialog.id.remoteTag, notifier.tag);
      assert.equal(s.dialog.remoteTarget, notifier.contact);

      const n1 = await s.waitForNotify(undefined, waitFor("first NOTIFY"));
      assert.deepEqual(n1.state, { state: "active", expires: 600 });
      assert.equal(n1.contentType, "application/reginfo+xml");
      assert.deepEqual(await parseReginfo(n1.body), FULL);

      const r2 = await notifier.notify(ue, "active;expires=590", buildReginfo(PARTIAL), 3);
      assert.equal(r2.status, 200);
      const n2 = await s.waitForNotify(undefined, waitFor("second NOTIFY"));
      assert.deepEqual(n2.state, { state: "active", expires: 590 });
      assert.deepEqual(await parseReginfo(n2.body), PARTIAL);
      assert.equal(s.dialog.remoteSeq, 3);
      assert.equal(s.notifications.history.length, 2, "the out-of-order NOTIFY was not reported");
      assert.deepEqual(ue.endpoint.inbox.unconsumed(), []);
      assert.deepEqual(ue.endpoint.problems, []);
    });

    test("the usual order: 2xx, then NOTIFYs; an out-of-order NOTIFY gets 500; unsubscribe and the terminating NOTIFY end the dialog", async () => {
      const { scscf, ue, pending, sub, subscribe, notifier } = await setUp(protocol);
      scscf.reply(sub, 202, { toTag: notifier.tag, headers: { Expires: 600, Contact: `<${notifier.contact}>` } });
      const s = await pending;
      assert.equal(s.response?.status, 202);
      assert.equal(s.dialog?.remoteTarget, notifier.contact);
      assert.equal((await notifier.notify(ue, "active;expires=600", buildReginfo(FULL), 5)).status, 200);
      assert.deepEqual(await parseReginfo((await s.waitForNotify(undefined, waitFor("NOTIFY"))).body), FULL);

      // RFC 3261 12.2.2: a lower CSeq within the dialog is out of order
      const stale = await notifier.notify(ue, "active;expires=500", buildReginfo(PARTIAL), 4);
      assert.equal(stale.status, 500);
      assert.equal(s.notifications.pending().length, 0, "the out-of-order NOTIFY is not reported as a notification");

      const unsub = s.unsubscribe(waitFor("2xx to un-SUBSCRIBE"));
      const again = await scscf.inbox.expect({ method: "SUBSCRIBE" }, waitFor("un-SUBSCRIBE"));
      const un = again.message as SipRequest;
      assert.equal(un.uriText, notifier.contact, "in-dialog requests go to the notifier's Contact");
      assert.equal(un.header("expires"), "0");
      assert.equal(un.header("event"), "reg");
      assert.equal(un.toTag, notifier.tag);
      assert.equal(un.fromTag, subscribe.fromTag);
      assert.equal(un.callId, subscribe.callId);
      assert.equal(un.cseq.seq, 2, "RFC 3261 12.2.1.1: the next CSeq after the SUBSCRIBE's 1");
      scscf.reply(again, 200, { headers: { Expires: 0 } });
      assert.equal((await unsub).status, 200);
      const end = await notifier.notify(ue, "terminated;reason=timeout", buildReginfo({ ...FULL, version: 2, registrations: [] }), 6);
      assert.equal(end.status, 200);
      const last = await s.waitForNotify((n) => n.state?.state === "terminated", waitFor("terminating NOTIFY"));
      assert.deepEqual(last.state, { state: "terminated", reason: "timeout" });
      assert.equal(s.dialog?.state, "terminated");
      // the dialog is gone: a further NOTIFY gets 481 (RFC 3261 12.2.2)
      const late = await notifier.notify(ue, "active", buildReginfo(FULL), 7);
      assert.equal(late.status, 481);
    });

    test("the NOTIFY-created dialog continues the subscriber's CSeq from the SUBSCRIBE (RFC 3261 12.1.2)", async () => {
      const { scscf, ue, pending, sub, notifier } = await setUp(protocol);
      assert.equal((await notifier.notify(ue, "active;expires=600", buildReginfo(FULL))).status, 200);
      scscf.reply(sub, 200, { toTag: notifier.tag, headers: { Expires: 600, Contact: `<${notifier.contact}>` } });
      const s = await pending;
      const unsub = s.unsubscribe(Deadline.after(5000, "un-SUBSCRIBE"));
      const again = await scscf.inbox.expect({ method: "SUBSCRIBE" }, waitFor("un-SUBSCRIBE"));
      assert.equal((again.message as SipRequest).cseq.seq, 2);
      scscf.reply(again, 200);
      assert.equal((await unsub).status, 200);
    });
  });
}

// Proofs of the requirements on the reg event package (src/conformance/requirements/reg-event.ts).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type Received, proveViolation, violatedBy } from "../requirement-fixtures.ts";

/** UE-A's SUBSCRIBE to its own reg event (TS 24.229 5.1.1.3), with `event` and `expires` as given. */
function subscribe(event = "reg", expires = 600000): string {
  return [
    "SUBSCRIBE sip:alice@ims.example.test SIP/2.0",
    "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-sub-1;rport",
    "Max-Forwards: 70",
    "Route: <sip:orig@scscf.ims.example.test:6060;lr>",
    "From: <sip:alice@ims.example.test>;tag=ue-tag",
    "To: <sip:alice@ims.example.test>",
    "Call-ID: sub-call-1",
    "CSeq: 1 SUBSCRIBE",
    "Contact: <sip:alice@127.0.0.1:5070>",
    `Event: ${event}`,
    `Expires: ${expires}`,
    "Accept: application/reginfo+xml",
  ].join("\n");
}

const SUBSCRIBE = subscribe();

/** The notifier's response to the SUBSCRIBE, with `extra` lines. */
function subscribeResponse(extra: string[] = ["Expires: 600000"], status = "200 OK"): string {
  return [
    `SIP/2.0 ${status}`,
    "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-sub-1;rport=5070;received=127.0.0.1",
    "From: <sip:alice@ims.example.test>;tag=ue-tag",
    "To: <sip:alice@ims.example.test>;tag=scscf-tag",
    "Call-ID: sub-call-1",
    "CSeq: 1 SUBSCRIBE",
    "Contact: <sip:scscf.ims.example.test:6060>",
    ...extra,
  ].join("\n");
}

const CONTACT = '<contact id="c1" state="active" event="registered" expires="600000"><uri>sip:alice@127.0.0.1:5070</uri></contact>';

/** A reginfo document: the reginfo start tag's attributes and the registrations inside. */
function reginfo(attributes: string, registrations = `<registration aor="sip:alice@ims.example.test" id="r0" state="active">${CONTACT}</registration>`): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<reginfo ${attributes}>\n  ${registrations}\n</reginfo>\n`;
}

const NS = 'xmlns="urn:ietf:params:xml:ns:reginfo"';
const full = (version: number): string => reginfo(`${NS} version="${version}" state="full"`);
const partial = (version: number): string => reginfo(`${NS} version="${version}" state="partial"`);

interface NotifyOptions {
  readonly cseq?: number;
  readonly body?: string;
  /** Header lines replacing the defaults by name (a value of "" drops the header). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A NOTIFY of UE-A's reg subscription from the S-CSCF. */
function notify(o: NotifyOptions = {}): string {
  const cseq = o.cseq ?? 1;
  const headers: Record<string, string> = {
    Via: `SIP/2.0/UDP 192.0.2.1:6060;branch=z9hG4bK-notify-${cseq}`,
    "Max-Forwards": "70",
    From: "<sip:alice@ims.example.test>;tag=scscf-tag",
    To: "<sip:alice@ims.example.test>;tag=ue-tag",
    "Call-ID": "sub-call-1",
    CSeq: `${cseq} NOTIFY`,
    Contact: "<sip:scscf.ims.example.test:6060>",
    Event: "reg",
    "Subscription-State": "active;expires=600000",
    "Content-Type": "application/reginfo+xml",
    ...o.headers,
  };
  const lines = Object.entries(headers)
    .filter(([, v]) => v !== "")
    .map(([n, v]) => `${n}: ${v}`);
  return `NOTIFY sip:alice@127.0.0.1:5070 SIP/2.0\n${lines.join("\n")}\n\n${o.body ?? full(0)}`;
}

const SUBSCRIBED: Received = { message: subscribeResponse(), request: SUBSCRIBE };
const FIRST: Received = { message: notify() };
/** The subscription, its first NOTIFY (version 0, full), then `last`. */
const after = (last: Received): Received[] => [SUBSCRIBED, FIRST, last];

describe("requirements on the 2xx to SUBSCRIBE (RFC 6665 4.2.1.1)", () => {
  proveViolation("subscribe-2xx.expires", { good: [{ message: subscribeResponse(["Expires: 3600"]), request: SUBSCRIBE }], bad: [{ message: subscribeResponse([]), request: SUBSCRIBE }] });
  proveViolation("subscribe-2xx.expires", {
    note: "not delta-seconds",
    good: [{ message: subscribeResponse(["Expires: 0"]), request: subscribe("reg", 0) }],
    bad: [{ message: subscribeResponse(["Expires: 1h"]), request: SUBSCRIBE }],
  });
  proveViolation("subscribe-2xx.expires-not-longer", {
    good: [{ message: subscribeResponse(["Expires: 600000"]), request: SUBSCRIBE }],
    bad: [{ message: subscribeResponse(["Expires: 600001"]), request: SUBSCRIBE }],
  });
  proveViolation("subscribe-2xx.expires-not-longer", {
    note: "an unsubscribe is answered with 0",
    good: [{ message: subscribeResponse(["Expires: 0"]), request: subscribe("reg", 0) }],
    bad: [{ message: subscribeResponse(["Expires: 3600"]), request: subscribe("reg", 0) }],
  });
});

describe("requirements on NOTIFY (RFC 6665 4.2.2, 8.2.1)", () => {
  proveViolation("notify.event", { good: [SUBSCRIBED, { message: notify({ headers: { Event: "reg" } }) }], bad: [SUBSCRIBED, { message: notify({ headers: { Event: "presence" } }) }] });
  proveViolation("notify.event", { note: "absent", good: [SUBSCRIBED, { message: notify({ headers: { Event: "", o: "reg" } }) }], bad: [SUBSCRIBED, { message: notify({ headers: { Event: "" } }) }] });
  proveViolation("notify.event", {
    note: "the id parameter takes part in the match",
    good: [{ message: subscribeResponse(), request: subscribe("reg;id=7") }, { message: notify({ headers: { Event: "reg;id=7" } }) }],
    bad: [{ message: subscribeResponse(), request: subscribe("reg;id=7") }, { message: notify({ headers: { Event: "reg" } }) }],
  });
  proveViolation("notify.subscription-state", {
    good: [SUBSCRIBED, { message: notify({ headers: { "Subscription-State": "terminated;reason=deactivated" } }) }],
    bad: [SUBSCRIBED, { message: notify({ headers: { "Subscription-State": "" } }) }],
  });
  proveViolation("notify.subscription-state", {
    note: "an unknown value",
    good: [SUBSCRIBED, { message: notify({ headers: { "Subscription-State": "pending;expires=30" } }) }],
    bad: [SUBSCRIBED, { message: notify({ headers: { "Subscription-State": "registered;expires=30" } }) }],
  });
  proveViolation("notify.subscription-state-expires", {
    good: [SUBSCRIBED, { message: notify({ headers: { "Subscription-State": "Active ; Expires=3600" } }) }],
    bad: [SUBSCRIBED, { message: notify({ headers: { "Subscription-State": "active" } }) }],
  });
  proveViolation("notify.subscription-state-expires", {
    note: "pending",
    good: [SUBSCRIBED, { message: notify({ headers: { "Subscription-State": "terminated" } }) }],
    bad: [SUBSCRIBED, { message: notify({ headers: { "Subscription-State": "pending;retry-after=5" } }) }],
  });
});

describe("requirements on the reginfo of reg NOTIFYs (RFC 3680, TS 24.229 5.4.2.1.2)", () => {
  proveViolation("reginfo.content-type", {
    good: [SUBSCRIBED, { message: notify({ headers: { "Content-Type": "Application/Reginfo+XML; charset=UTF-8" } }) }],
    bad: [SUBSCRIBED, { message: notify({ headers: { "Content-Type": "application/xml" } }) }],
  });
  proveViolation("reginfo.content-type", {
    note: "absent, before the 2xx to SUBSCRIBE",
    good: [{ message: notify({ headers: { "Content-Type": "", c: "application/reginfo+xml" } }) }],
    bad: [{ message: notify({ headers: { "Content-Type": "" } }) }],
  });
  proveViolation("reginfo.well-formed", { good: [SUBSCRIBED, FIRST], bad: [SUBSCRIBED, { message: notify({ body: full(0).replace("</registration>", "") }) }] });
  proveViolation("reginfo.well-formed", {
    note: "no namespace",
    good: [
      SUBSCRIBED,
      {
        message: notify({
          body: full(0)
            .replace(NS, 'xmlns:r="urn:ietf:params:xml:ns:reginfo"')
            .replace(/<(\/?)(reginfo|registration|contact|uri)\b/g, "<$1r:$2"),
        }),
      },
    ],
    bad: [SUBSCRIBED, { message: notify({ body: full(0).replace(`${NS} `, "") }) }],
  });
  proveViolation("reginfo.well-formed", {
    note: "another root element",
    good: [SUBSCRIBED, FIRST],
    bad: [SUBSCRIBED, { message: notify({ body: '<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:alice@ims.example.test"/>' }) }],
  });
  proveViolation("reginfo.document-attributes", { good: [SUBSCRIBED, FIRST], bad: [SUBSCRIBED, { message: notify({ body: reginfo(`${NS} state="full"`) }) }] });
  proveViolation("reginfo.document-attributes", {
    note: "state neither full nor partial",
    good: after({ message: notify({ cseq: 2, body: partial(1) }) }),
    bad: after({ message: notify({ cseq: 2, body: reginfo(`${NS} version="1" state="changed"`) }) }),
  });
  proveViolation("reginfo.registration", {
    good: [
      SUBSCRIBED,
      {
        message: notify({
          body: reginfo(
            `${NS} version="0" state="full"`,
            `<registration aor="sip:alice@ims.example.test" id="r0" state="active">${CONTACT}</registration><registration aor="tel:+15551230001" id="r1" state="init"/>`,
          ),
        }),
      },
    ],
    bad: [
      SUBSCRIBED,
      {
        message: notify({
          body: reginfo(
            `${NS} version="0" state="full"`,
            `<registration aor="sip:alice@ims.example.test" id="r0" state="active">${CONTACT}</registration><registration aor="tel:+15551230001" state="registered"/>`,
          ),
        }),
      },
    ],
  });
  proveViolation("reginfo.contact", {
    good: [
      SUBSCRIBED,
      {
        message: notify({
          body: reginfo(
            `${NS} version="0" state="full"`,
            `<registration aor="sip:alice@ims.example.test" id="r0" state="active"><contact id="c1" state="active" event="shortened" expires="60"><uri>sip:alice@127.0.0.1:5070</uri></contact></registration>`,
          ),
        }),
      },
    ],
    bad: [
      SUBSCRIBED,
      {
        message: notify({
          body: reginfo(
            `${NS} version="0" state="full"`,
            `<registration aor="sip:alice@ims.example.test" id="r0" state="active"><contact id="c1" state="active" event="shortened"><uri>sip:alice@127.0.0.1:5070</uri></contact></registration>`,
          ),
        }),
      },
    ],
  });
  proveViolation("reginfo.contact", {
    note: "an event RFC 3680 does not define, a contact without uri",
    good: [SUBSCRIBED, FIRST],
    bad: [
      SUBSCRIBED,
      {
        message: notify({
          body: reginfo(
            `${NS} version="0" state="full"`,
            `<registration aor="sip:alice@ims.example.test" id="r0" state="active"><contact id="c1" state="active" event="added"><uri>sip:alice@127.0.0.1:5070</uri></contact><contact id="c2" state="terminated" event="expired"/></registration>`,
          ),
        }),
      },
    ],
  });
  proveViolation("reginfo.version", { good: after({ message: notify({ cseq: 2, body: partial(1) }) }), bad: after({ message: notify({ cseq: 2, body: partial(2) }) }) });
  proveViolation("reginfo.version", {
    note: "the same version in a new NOTIFY",
    good: after({ message: notify({ cseq: 2, body: full(1) }) }),
    bad: after({ message: notify({ cseq: 2, body: partial(0) }) }),
  });
  proveViolation("reginfo.version", {
    note: "a retransmission is not a new document; another subscription counts on its own",
    good: [
      SUBSCRIBED,
      FIRST,
      { message: notify(), retransmission: true },
      { message: notify({ body: full(0) }) },
      { message: notify({ headers: { "Call-ID": "sub-call-2" }, body: full(0) }) },
      { message: notify({ cseq: 2, body: partial(1) }) },
    ],
    bad: [
      SUBSCRIBED,
      FIRST,
      { message: notify(), retransmission: true },
      { message: notify({ headers: { "Call-ID": "sub-call-2" }, body: full(0) }) },
      { message: notify({ cseq: 2, body: partial(3) }) },
    ],
  });
  proveViolation("reginfo.first-full", { good: [SUBSCRIBED, { message: notify({ body: full(0) }) }], bad: [SUBSCRIBED, { message: notify({ body: partial(0) }) }] });
  proveViolation("reginfo.first-full", {
    note: "the NOTIFY arrives before the 2xx to SUBSCRIBE",
    good: [{ message: notify({ body: full(0) }) }, SUBSCRIBED],
    bad: [{ message: notify({ body: partial(0) }) }],
  });
  proveViolation("reginfo.subscribed-aor", {
    good: [
      SUBSCRIBED,
      {
        message: notify({
          body: reginfo(
            `${NS} version="0" state="full"`,
            `<registration aor="tel:+15551230001" id="r1" state="active">${CONTACT}</registration><registration aor="sip:alice@IMS.EXAMPLE.TEST" id="r0" state="active">${CONTACT}</registration>`,
          ),
        }),
      },
    ],
    bad: [SUBSCRIBED, { message: notify({ body: reginfo(`${NS} version="0" state="full"`, `<registration aor="sip:malice@ims.example.test" id="r0" state="active">${CONTACT}</registration>`) }) }],
  });

  test("no false positive: a terminated NOTIFY without body, and a partial NOTIFY that lists only the changed contact", () => {
    assert.deepEqual(violatedBy(after({ message: notify({ cseq: 2, headers: { "Subscription-State": "terminated;reason=noresource", "Content-Type": "" }, body: "" }) })), []);
    assert.deepEqual(
      violatedBy(
        after({
          message: notify({
            cseq: 2,
            body: reginfo(
              `${NS} version="1" state="partial"`,
              '<registration aor="tel:+15551230001" id="r1" state="terminated"><contact id="c1" state="terminated" event="unregistered"><uri>sip:alice@127.0.0.1:5070</uri></contact></registration>',
            ),
          }),
        }),
      ),
      [],
    );
  });
});

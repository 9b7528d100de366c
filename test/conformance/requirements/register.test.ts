// Proofs of the requirements on responses to REGISTER (src/conformance/requirements/register.ts).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { akaNonce } from "../../../src/sip/auth/index.ts";
import { proveViolation, violatedBy } from "../requirement-fixtures.ts";

const VIA = "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-reg-1;rport";
const VIA_BACK = "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-reg-1;rport=5070;received=127.0.0.1";

/** A REGISTER of UE-A with `contact` lines (none for a query) and an optional Expires header. */
function register(contact: string[] = ["Contact: <sip:alice@127.0.0.1:5070>;expires=600000"], expires: string | undefined = "Expires: 600000"): string {
  return [
    "REGISTER sip:ims.example.test SIP/2.0",
    VIA,
    "Max-Forwards: 70",
    'From: "Alice" <sip:alice@ims.example.test>;tag=ft1',
    'To: "Alice" <sip:alice@ims.example.test>',
    "Call-ID: reg-call-1",
    "CSeq: 2 REGISTER",
    ...contact,
    ...(expires ? [expires] : []),
    "Supported: path",
  ].join("\n");
}

const REGISTER = register();
const DEREGISTER = register(["Contact: <sip:alice@127.0.0.1:5070>;expires=0"], "Expires: 0");
const QUERY = register([], undefined);

/** A response to the REGISTER: status line, the copied headers, then `extra`. */
function response(status: string, extra: string[]): string {
  return [
    `SIP/2.0 ${status}`,
    VIA_BACK,
    'From: "Alice" <sip:alice@ims.example.test>;tag=ft1',
    'To: "Alice" <sip:alice@ims.example.test>;tag=reg-tt9',
    "Call-ID: reg-call-1",
    "CSeq: 2 REGISTER",
    ...extra,
  ].join("\n");
}

const SERVICE_ROUTE = "Service-Route: <sip:orig@scscf.ims.example.test:6060;lr>";
const PAU = "P-Associated-URI: <sip:alice@ims.example.test>, <tel:+15551230001>";

/** The 200 to a registration: the UE's binding, Service-Route, P-Associated-URI; `change` edits the lines. */
function ok(change: (lines: string[]) => string[] = (l) => l): string {
  return response("200 OK", change(["Contact: <sip:alice@127.0.0.1:5070>;expires=600000", "Expires: 600000", SERVICE_ROUTE, PAU]));
}

const replace =
  (prefix: string, ...lines: string[]) =>
  (l: string[]) =>
    l.flatMap((x) => (x.startsWith(prefix) ? lines : [x]));
const drop = (prefix: string) => replace(prefix);

const RAND = Buffer.alloc(16, 0x11);
const AUTN = Buffer.alloc(16, 0x22);

function unauthorized(challenge: string | undefined): string {
  return response("401 Unauthorized", challenge === undefined ? [] : [`WWW-Authenticate: ${challenge}`]);
}

const AKA_CHALLENGE = `Digest realm="ims.example.test", nonce="${akaNonce(RAND, AUTN)}", algorithm=AKAv1-MD5, qop="auth"`;
const DIGEST_CHALLENGE = 'Digest realm="ims.example.test", nonce="4f2a9c1d0e6b", algorithm=MD5, qop="auth"';

describe("requirements on the 2xx to REGISTER (RFC 3261 10.3, TS 24.229 5.4.1.2.2)", () => {
  proveViolation("register-2xx.contact-expires", {
    good: [{ message: ok(), request: REGISTER }],
    bad: [{ message: ok(replace("Contact", "Contact: <sip:alice@127.0.0.1:5070>")), request: REGISTER }],
  });
  proveViolation("register-2xx.contact-expires", {
    note: "a second binding without expires, on its own Contact line",
    good: [{ message: ok((l) => [...l, "Contact: <sip:alice@192.0.2.7:5080>;expires=1200"]), request: REGISTER }],
    bad: [{ message: ok((l) => [...l, "Contact: <sip:alice@192.0.2.7:5080>;q=0.5"]), request: REGISTER }],
  });
  proveViolation("register-2xx.contact-expires", {
    note: "Contact: * is no binding",
    good: [{ message: response("200 OK", []), request: QUERY }],
    bad: [{ message: response("200 OK", ["Contact: *"]), request: QUERY }],
  });

  proveViolation("register-2xx.contact-bound", {
    good: [{ message: ok(), request: REGISTER }],
    bad: [{ message: ok(replace("Contact", "Contact: <sip:alice@127.0.0.1:5999>;expires=600000")), request: REGISTER }],
  });
  proveViolation("register-2xx.contact-bound", {
    note: "listed with expires=0",
    good: [{ message: ok(replace("Contact", "Contact: <sip:alice@127.0.0.1:5070>;expires=3600")), request: REGISTER }],
    bad: [{ message: ok(replace("Contact", "Contact: <sip:alice@127.0.0.1:5070>;expires=0")), request: REGISTER }],
  });
  proveViolation("register-2xx.contact-bound", {
    note: "expiry from the Expires header; compact m: and EXPIRES= in the 200, two Contact lines",
    good: [
      {
        message: ok(replace("Contact", "m: <sip:alice@192.0.2.7:5080>;EXPIRES=90", "m: <sip:ALICE@127.0.0.1:5070;transport=udp>;Expires = 3600")),
        request: register(["Contact: <sip:ALICE@127.0.0.1:5070;transport=udp>"], "Expires: 3600"),
      },
    ],
    bad: [{ message: ok(replace("Contact", "m: <sip:alice@192.0.2.7:5080>;EXPIRES=90")), request: register(["Contact: <sip:ALICE@127.0.0.1:5070;transport=udp>"], "Expires: 3600") }],
  });
  proveViolation("register-2xx.contact-bound", {
    note: "user parts compare case-sensitively (RFC 3261 19.1.4)",
    good: [{ message: ok(replace("Contact", "Contact: <sip:alice@127.0.0.1:5070>;expires=600000")), request: REGISTER }],
    bad: [{ message: ok(replace("Contact", "Contact: <sip:ALICE@127.0.0.1:5070>;expires=600000")), request: REGISTER }],
  });

  proveViolation("register-2xx.contact-removed", {
    good: [{ message: response("200 OK", ["Expires: 0"]), request: DEREGISTER }],
    bad: [{ message: response("200 OK", ["Contact: <sip:alice@127.0.0.1:5070>;expires=3600"]), request: DEREGISTER }],
  });
  proveViolation("register-2xx.contact-removed", {
    note: "Contact: * with Expires: 0 removes every binding",
    good: [{ message: response("200 OK", []), request: register(["Contact: *"], "Expires: 0") }],
    bad: [{ message: response("200 OK", ["Contact: <sip:alice@192.0.2.7:5080>;expires=1200"]), request: register(["Contact: *"], "Expires: 0") }],
  });
  proveViolation("register-2xx.contact-removed", {
    note: "the removed contact shown with expires=0 is accepted; another binding may stay",
    good: [
      {
        message: response("200 OK", ["Contact: <sip:alice@127.0.0.1:5070>;expires=0", "Contact: <sip:alice@192.0.2.7:5080>;expires=1200"]),
        request: register(["Contact: <sip:alice@127.0.0.1:5070>"], "Expires: 0"),
      },
    ],
    bad: [{ message: response("200 OK", ["Contact: <sip:alice@127.0.0.1:5070>;expires=1200"]), request: register(["Contact: <sip:alice@127.0.0.1:5070>"], "Expires: 0") }],
  });

  proveViolation("register-2xx.p-associated-uri", {
    good: [{ message: ok(), request: REGISTER }],
    bad: [{ message: ok(replace("P-Associated-URI", "P-Associated-URI: <sip:someone-else@ims.example.test>")), request: REGISTER }],
  });
  proveViolation("register-2xx.p-associated-uri", { note: "absent", good: [{ message: ok(), request: REGISTER }], bad: [{ message: ok(drop("P-Associated-URI")), request: REGISTER }] });
  proveViolation("register-2xx.p-associated-uri", {
    note: "a URI containing the identity as a substring is another URI",
    good: [{ message: ok(replace("P-Associated-URI", "P-Associated-URI: <tel:+15551230001>", 'P-Associated-URI: "Alice" <sip:alice@IMS.Example.Test>;x=1')), request: REGISTER }],
    bad: [{ message: ok(replace("P-Associated-URI", "P-Associated-URI: <sip:malice@ims.example.test>, <sip:alice@ims.example.test.evil>")), request: REGISTER }],
  });
  proveViolation("register-2xx.p-associated-uri", {
    note: "addr-spec instead of name-addr (RFC 7315 4.1)",
    good: [{ message: ok(), request: REGISTER }],
    bad: [{ message: ok(replace("P-Associated-URI", "P-Associated-URI: sip:alice@ims.example.test")), request: REGISTER }],
  });

  proveViolation("register-2xx.service-route", { good: [{ message: ok(), request: REGISTER }], bad: [{ message: ok(drop("Service-Route")), request: REGISTER }] });
  proveViolation("register-2xx.service-route-syntax", {
    good: [{ message: ok((l) => [...l, "Service-Route: <sip:ibcf.ims.example.test;lr>"]), request: REGISTER }],
    bad: [{ message: ok(replace("Service-Route", "Service-Route: sip:orig@scscf.ims.example.test:6060;lr")), request: REGISTER }],
  });
  proveViolation("register-2xx.service-route-syntax", {
    note: "not a SIP URI",
    good: [{ message: ok(), request: REGISTER }],
    bad: [{ message: ok(replace("Service-Route", "Service-Route: <tel:+15550000000>")), request: REGISTER }],
  });
  proveViolation("service-route.only-register-2xx", {
    good: [{ message: unauthorized(DIGEST_CHALLENGE), request: REGISTER }],
    bad: [{ message: response("401 Unauthorized", [`WWW-Authenticate: ${DIGEST_CHALLENGE}`, SERVICE_ROUTE]), request: REGISTER }],
  });

  test("no false positive: a de-REGISTER's 200 lists no contact, and a query's 200 needs neither Service-Route nor P-Associated-URI", () => {
    assert.deepEqual(violatedBy([{ message: response("200 OK", []), request: DEREGISTER }]), []);
    assert.deepEqual(violatedBy([{ message: response("200 OK", ["Contact: <sip:alice@127.0.0.1:5070>;expires=512"]), request: QUERY }]), []);
    assert.deepEqual(violatedBy([{ message: response("200 OK", []), request: QUERY }]), []);
  });
});

describe("requirements on the 401 to REGISTER (RFC 3261 22, RFC 3310, TS 24.229 5.4.1.2.1)", () => {
  proveViolation("register-401.www-authenticate", { good: [{ message: unauthorized(AKA_CHALLENGE), request: REGISTER }], bad: [{ message: unauthorized(undefined), request: REGISTER }] });
  proveViolation("register-401.no-basic", {
    good: [{ message: unauthorized(DIGEST_CHALLENGE), request: REGISTER }],
    bad: [{ message: unauthorized('Basic realm="ims.example.test"'), request: REGISTER }],
  });
  proveViolation("register-401.digest-challenge", {
    good: [{ message: unauthorized(DIGEST_CHALLENGE), request: REGISTER }],
    bad: [{ message: unauthorized('Digest realm="ims.example.test", algorithm=MD5, qop="auth"'), request: REGISTER }],
  });
  proveViolation("register-401.digest-challenge", {
    note: "no realm; scheme and parameter names are case-insensitive",
    good: [{ message: unauthorized('digest REALM="ims.example.test", Nonce="4f2a", qop="auth"'), request: REGISTER }],
    bad: [{ message: unauthorized('Digest nonce="4f2a9c1d0e6b", algorithm=MD5'), request: REGISTER }],
  });
  proveViolation("register-401.aka-nonce", {
    good: [{ message: unauthorized(AKA_CHALLENGE), request: REGISTER }],
    bad: [{ message: unauthorized('Digest realm="ims.example.test", nonce="4f2a9c1d0e6b", algorithm=AKAv1-MD5, qop="auth"'), request: REGISTER }],
  });
  proveViolation("register-401.aka-nonce", {
    note: "base64 of RAND alone (16 octets); algorithm in lower case",
    good: [{ message: unauthorized(`Digest realm="ims.example.test", nonce="${akaNonce(RAND, AUTN, Buffer.from("sd"))}", algorithm=akav1-md5`), request: REGISTER }],
    bad: [{ message: unauthorized(`Digest realm="ims.example.test", nonce="${RAND.toString("base64")}", algorithm=akav1-md5`), request: REGISTER }],
  });
});

describe("requirements on the 423 to REGISTER (RFC 3261 10.3)", () => {
  const brief = register(["Contact: <sip:alice@127.0.0.1:5070>;expires=60"], undefined);
  proveViolation("register-423.min-expires", {
    good: [{ message: response("423 Interval Too Brief", ["Min-Expires: 600"]), request: brief }],
    bad: [{ message: response("423 Interval Too Brief", []), request: brief }],
  });
  proveViolation("register-423.too-brief", {
    good: [{ message: response("423 Interval Too Brief", ["Min-Expires: 600"]), request: brief }],
    bad: [{ message: response("423 Interval Too Brief", ["Min-Expires: 600"]), request: REGISTER }],
  });
  proveViolation("register-423.too-brief", {
    note: "the asked interval is not below Min-Expires",
    good: [{ message: response("423 Interval Too Brief", ["Min-Expires: 600"]), request: brief }],
    bad: [{ message: response("423 Interval Too Brief", ["Min-Expires: 30"]), request: brief }],
  });
});

// Proofs of the security agreement requirements (src/conformance/requirements/sec-agree.ts): each
// violating 401 shows exactly its requirement, the conforming one none.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { akaNonce } from "../../../src/sip/auth/index.ts";
import { proveViolation, violatedBy } from "../requirement-fixtures.ts";

const VIA = "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-reg-sa;rport";
const VIA_BACK = "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-reg-sa;rport=5070;received=127.0.0.1";

const OFFER = [
  "ipsec-3gpp;prot=esp;mod=trans;alg=hmac-sha-1-96;ealg=aes-cbc;spi-c=3929102;spi-s=3929103;port-c=5071;port-s=5070",
  "ipsec-3gpp;prot=esp;mod=trans;alg=hmac-sha-1-96;ealg=null;spi-c=3929102;spi-s=3929103;port-c=5071;port-s=5070",
].join(", ");

/** The initial REGISTER of UE-A offering ipsec-3gpp (TS 24.229 5.1.1.2.1); `extra` replaces the sec-agree lines. */
function register(extra: string[] = [`Security-Client: ${OFFER}`, "Require: sec-agree", "Proxy-Require: sec-agree"]): string {
  return [
    "REGISTER sip:ims.example.test SIP/2.0",
    VIA,
    "Max-Forwards: 70",
    "From: <sip:alice@ims.example.test>;tag=fsa1",
    "To: <sip:alice@ims.example.test>",
    "Call-ID: reg-sa-1",
    "CSeq: 1 REGISTER",
    "Contact: <sip:alice@127.0.0.1:5070>;expires=600000",
    "Expires: 600000",
    "Supported: path",
    ...extra,
    'Authorization: Digest username="alice@ims.example.test", realm="ims.example.test", uri="sip:ims.example.test", nonce="", response=""',
  ].join("\n");
}

const CHALLENGE = `WWW-Authenticate: Digest realm="ims.example.test", nonce="${akaNonce(Buffer.alloc(16, 0x11), Buffer.alloc(16, 0x22))}", algorithm=AKAv1-MD5, qop="auth"`;

/** The 401 to it, with `server` as its Security-Server lines (none when empty). */
function unauthorized(...server: string[]): string {
  return [
    "SIP/2.0 401 Unauthorized",
    VIA_BACK,
    "From: <sip:alice@ims.example.test>;tag=fsa1",
    "To: <sip:alice@ims.example.test>;tag=tsa9",
    "Call-ID: reg-sa-1",
    "CSeq: 1 REGISTER",
    CHALLENGE,
    ...server.map((s) => `Security-Server: ${s}`),
  ].join("\n");
}

const SERVER = "ipsec-3gpp;q=0.1;prot=esp;mod=trans;alg=hmac-sha-1-96;ealg=aes-cbc;spi-c=98765432;spi-s=98765433;port-c=5061;port-s=5060";
const REGISTER = register();

describe("requirements on the Security-Server of a 401 to REGISTER (RFC 3329 2.3.1, TS 33.203 7)", () => {
  proveViolation("register-401.security-server", {
    good: [{ message: unauthorized(SERVER), request: REGISTER }],
    bad: [{ message: unauthorized(), request: REGISTER }],
  });
  proveViolation("register-401.security-server", {
    note: "sec-agree in Proxy-Require only; two mechanisms on two lines accepted",
    good: [{ message: unauthorized("tls;q=0.2", SERVER), request: register([`Security-Client: ${OFFER}`, "Proxy-Require: sec-agree"]) }],
    bad: [{ message: unauthorized(), request: register([`Security-Client: ${OFFER}`, "Proxy-Require: sec-agree"]) }],
  });

  proveViolation("register-401.security-server-offered", {
    note: "an alg the client did not offer",
    good: [{ message: unauthorized(SERVER), request: REGISTER }],
    bad: [{ message: unauthorized(SERVER.replace("hmac-sha-1-96", "hmac-md5-96")), request: REGISTER }],
  });
  proveViolation("register-401.security-server-offered", {
    note: "an ealg the client did not offer; ealg absent means null, which it did",
    good: [{ message: unauthorized(SERVER.replace(";ealg=aes-cbc", "")), request: REGISTER }],
    bad: [{ message: unauthorized(SERVER.replace("ealg=aes-cbc", "ealg=des-ede3-cbc")), request: REGISTER }],
  });
  proveViolation("register-401.security-server-offered", {
    note: "a mechanism the client did not offer at all",
    good: [{ message: unauthorized("digest;q=0.5", SERVER), request: REGISTER }],
    bad: [{ message: unauthorized("tls;q=0.2"), request: REGISTER }],
  });

  proveViolation("security-server.ipsec-3gpp-parameters", {
    note: "spi-s missing",
    good: [{ message: unauthorized(SERVER), request: REGISTER }],
    bad: [{ message: unauthorized(SERVER.replace(";spi-s=98765433", "")), request: REGISTER }],
  });
  proveViolation("security-server.ipsec-3gpp-parameters", {
    note: "port-c out of range and an SPI above 2^32-1",
    good: [{ message: unauthorized(SERVER.replace("spi-c=98765432", "spi-c=4294967295")), request: REGISTER }],
    bad: [{ message: unauthorized(SERVER.replace("port-c=5061", "port-c=70000").replace("spi-c=98765432", "spi-c=4294967296")), request: REGISTER }],
  });

  test("no false positive: a 401 to a REGISTER without Security-Client needs no Security-Server", () => {
    assert.deepEqual(violatedBy([{ message: unauthorized(), request: register([]) }]), []);
  });
});

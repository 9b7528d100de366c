// Proofs of the requirements on the registrar's state as later responses show it (RFC 3261 10.3).
import { describe } from "node:test";
import { UE, proveViolation, type Received } from "../requirement-fixtures.ts";

function register(cseq: number, contact: string | undefined): string {
  return [
    "REGISTER sip:ims.example.test SIP/2.0",
    `Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-r${cseq};rport`,
    "Max-Forwards: 70",
    "From: <sip:alice@ims.example.test>;tag=f1",
    "To: <sip:alice@ims.example.test>",
    "Call-ID: reg-1",
    `CSeq: ${cseq} REGISTER`,
    ...(contact === undefined ? [] : [`Contact: ${contact}`]),
  ].join("\n");
}

function ok(cseq: number, contacts: string[]): string {
  return [
    "SIP/2.0 200 OK",
    `Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-r${cseq};rport=5070;received=127.0.0.1`,
    "From: <sip:alice@ims.example.test>;tag=f1",
    "To: <sip:alice@ims.example.test>;tag=t1",
    "Call-ID: reg-1",
    `CSeq: ${cseq} REGISTER`,
    // TS 24.229 5.4.1.2.2: what every 2xx to REGISTER of the S-CSCF carries
    "Service-Route: <sip:orig@scscf.ims.example.test;lr>",
    "P-Associated-URI: <sip:alice@ims.example.test>",
    ...contacts.map((c) => `Contact: ${c}`),
  ].join("\n");
}

const mine = `<${UE.contact}>`;
// Registered, then removed with expires 0: the 200 to the removal lists no binding for it
const removed: Received[] = [
  { request: register(1, `${mine};expires=3600`), message: ok(1, [`${mine};expires=3600`]) },
  { request: register(2, `${mine};expires=0`), message: ok(2, []) },
];

describe("requirements on the registrar's state (RFC 3261 10.3)", () => {
  proveViolation("registrar.binding-removed", {
    note: "a query after the removal still lists the contact",
    good: [...removed, { request: register(3, undefined), message: ok(3, []) }],
    bad: [...removed, { request: register(3, undefined), message: ok(3, [`${mine};expires=3597`]) }],
  });
  proveViolation("registrar.binding-removed", {
    note: "registering the contact again is no violation; another client's binding is none either",
    good: [...removed, { request: register(3, `${mine};expires=3600`), message: ok(3, [`${mine};expires=3600`, "<sip:alice@192.0.2.9:5060>;expires=100"]) }],
    bad: [...removed, { request: register(3, undefined), message: ok(3, ["<sip:alice@192.0.2.9:5060>;expires=100", `<${UE.contact};transport=udp>;expires=3597`]) }],
  });
});

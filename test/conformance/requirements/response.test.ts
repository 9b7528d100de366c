// Proofs of the requirements every response must meet (src/conformance/requirements/response.ts).
import { describe } from "node:test";
import { proveViolation } from "../requirement-fixtures.ts";

const REGISTER = `
REGISTER sip:ims.example.test SIP/2.0
Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-reg-1;rport
Max-Forwards: 70
From: <sip:alice@ims.example.test>;tag=ft1
To: <sip:alice@ims.example.test>
Call-ID: reg-call-1
CSeq: 2 REGISTER
Contact: <sip:alice@127.0.0.1:5070>;expires=3600
Expires: 3600
`;

/** A 401 to REGISTER with `change` applied to its lines: a response whose only defect is the change. */
function unauthorized(change: (lines: string[]) => string[] = (l) => l): string {
  const lines = [
    "SIP/2.0 401 Unauthorized",
    "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-reg-1;rport=5070;received=127.0.0.1",
    "From: <sip:alice@ims.example.test>;tag=ft1",
    "To: <sip:alice@ims.example.test>;tag=tt9",
    "Call-ID: reg-call-1",
    "CSeq: 2 REGISTER",
    'WWW-Authenticate: Digest realm="ims.example.test", nonce="abc", algorithm=MD5, qop="auth"',
  ];
  return change(lines).join("\n");
}

const replace = (prefix: string, line: string) => (lines: string[]) => lines.map((l) => (l.startsWith(prefix) ? line : l));

describe("requirements on every response (RFC 3261 8.2.6.2)", () => {
  proveViolation("response.call-id", { good: [{ message: unauthorized(), request: REGISTER }], bad: [{ message: unauthorized(replace("Call-ID", "Call-ID: wrong-reg-call-1")), request: REGISTER }] });
  proveViolation("response.cseq", { good: [{ message: unauthorized(), request: REGISTER }], bad: [{ message: unauthorized(replace("CSeq", "CSeq: 8 REGISTER")), request: REGISTER }] });
  proveViolation("response.cseq", { note: "method", good: [{ message: unauthorized(), request: REGISTER }], bad: [{ message: unauthorized(replace("CSeq", "CSeq: 2 INVITE")), request: REGISTER }] });
  proveViolation("response.from", {
    good: [{ message: unauthorized(), request: REGISTER }],
    bad: [{ message: unauthorized(replace("From", "From: <sip:alice@ims.example.test>;tag=other")), request: REGISTER }],
  });
  proveViolation("response.to", {
    good: [{ message: unauthorized(), request: REGISTER }],
    bad: [{ message: unauthorized(replace("To", "To: <sip:mallory@ims.example.test>;tag=tt9")), request: REGISTER }],
  });
  proveViolation("response.to-tag", { good: [{ message: unauthorized(), request: REGISTER }], bad: [{ message: unauthorized(replace("To", "To: <sip:alice@ims.example.test>")), request: REGISTER }] });
  proveViolation("response.via", {
    good: [{ message: unauthorized(), request: REGISTER }],
    bad: [{ message: unauthorized((l) => [l[0], "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-core-7", ...l.slice(1)]), request: REGISTER }],
  });
  proveViolation("response.via", {
    note: "branch",
    good: [{ message: unauthorized(), request: REGISTER }],
    bad: [{ message: unauthorized(replace("Via", "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-reg-2")), request: REGISTER }],
  });
});

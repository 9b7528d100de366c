// Requirements for IMS-REG-012 security agreement (RFC 3329, TS 33.203 7, TS 24.229 5.1.1.2 and
// 5.2.2), judged on what a simulated UE receives: the 401 to a REGISTER that offers ipsec-3gpp
// carries the P-CSCF's Security-Server, which lists a mechanism the UE can use, with the parameters
// of TS 33.203 7.1 well formed.
import { type SecurityMechanism, parseSecurityMechanisms, readIpsec3gpp, isIpsecError } from "../../sip/auth/index.ts";
import type { SipRequest, SipResponse } from "../../sip/message/index.ts";
import { quoteIn } from "../quote.ts";
import type { Observation, Requirement } from "../requirement.ts";

function pair(o: Observation): [SipResponse, SipRequest] {
  return [o.message as SipResponse, o.request!];
}

/** RFC 3329 2.3.1: a client-initiated agreement: Security-Client with sec-agree in Require (or Proxy-Require). */
function offersSecAgree(req: SipRequest): boolean {
  const tags = [...req.optionTags("require"), ...req.optionTags("proxy-require")];
  return req.hasHeader("security-client") && tags.includes("sec-agree");
}

const clientMechanisms = (req: SipRequest): SecurityMechanism[] => parseSecurityMechanisms(req.headerValues("security-client"));
const serverMechanisms = (r: SipResponse): SecurityMechanism[] => parseSecurityMechanisms(r.headerValues("security-server"));

/** TS 33.203 Annex H: an ipsec-3gpp mechanism without ealg uses null encryption. */
const ealgOf = (m: SecurityMechanism): string => (m.params["ealg"] ?? "null").toLowerCase();
const algOf = (m: SecurityMechanism): string => (m.params["alg"] ?? "").toLowerCase();

/** Whether the client can use this server mechanism: one it offered, for ipsec-3gpp with an alg and an ealg it offered. */
function usable(server: SecurityMechanism, offered: readonly SecurityMechanism[]): boolean {
  const same = offered.filter((c) => c.name === server.name);
  if (same.length === 0) return false;
  if (server.name !== "ipsec-3gpp") return true;
  return same.some((c) => algOf(c) === algOf(server)) && same.some((c) => ealgOf(c) === ealgOf(server));
}

export const SEC_AGREE_REQUIREMENTS: readonly Requirement[] = [
  // RFC 3329 2.3.1 (client initiated): the server answers a request carrying Security-Client and
  // sec-agree with its own list in Security-Server; TS 24.229 5.2.2 (the P-CSCF, IMS AKA; 5.2.2.2
  // in later releases) and TS 33.203 7.2: the P-CSCF adds Security-Server, with its SPIs, ports and
  // chosen algorithms, to the 401 (Unauthorized) it relays to the UE.
  {
    id: "register-401.security-server",
    clause: "RFC 3329 2.3.1, TS 24.229 5.2.2, TS 33.203 7.2",
    statement: "a 401 to a REGISTER that offers security mechanisms in Security-Client with sec-agree in Require carries a Security-Server header field",
    constrains: "network",
    appliesTo: { kind: "response", methods: ["REGISTER"], status: [401, 401] },
    when: (o) => offersSecAgree(o.request!),
    check: (o) => {
      const [r, q] = pair(o);
      if (serverMechanisms(r).length > 0) return undefined;
      const offered = clientMechanisms(q)
        .map((m) => `${m.name};alg=${algOf(m)};ealg=${ealgOf(m)}`)
        .join(", ");
      return { expected: `Security-Server: ipsec-3gpp;alg=...;ealg=...;spi-c=...;spi-s=...;port-c=...;port-s=... (the REGISTER offered ${offered})`, received: quoteIn(r, "security-server") };
    },
  },
  // RFC 3329 2.3.1: the client uses the mechanism of the server's list that both support; a list
  // with none of the client's leaves it nothing to use. TS 33.203 7.2: the P-CSCF chooses the
  // integrity and encryption algorithms from those the UE proposed in Security-Client.
  {
    id: "register-401.security-server-offered",
    clause: "RFC 3329 2.3.1, TS 33.203 7.2",
    statement: "the Security-Server of a 401 to a REGISTER with Security-Client lists a mechanism the client offered; for ipsec-3gpp with an alg and an ealg (null when absent) from the client's list",
    constrains: "network",
    appliesTo: { kind: "response", methods: ["REGISTER"], status: [401, 401] },
    when: (o) => o.request!.hasHeader("security-client") && (o.message as SipResponse).hasHeader("security-server"),
    check: (o) => {
      const [r, q] = pair(o);
      const offered = clientMechanisms(q);
      if (serverMechanisms(r).some((m) => usable(m, offered))) return undefined;
      const algs = [...new Set(offered.filter((m) => m.name === "ipsec-3gpp").map(algOf))].join(" or ");
      const ealgs = [...new Set(offered.filter((m) => m.name === "ipsec-3gpp").map(ealgOf))].join(" or ");
      const names = [...new Set(offered.map((m) => m.name))].join(", ");
      return { expected: `a mechanism of the Security-Client (${names}${algs ? `; ipsec-3gpp with alg ${algs} and ealg ${ealgs}` : ""})`, received: quoteIn(r, "security-server") };
    },
  },
  // TS 33.203 7.1 (and the syntax of Annex H, TS 24.229 7.2A.7): an ipsec-3gpp mechanism carries the
  // SA parameters: spi-c and spi-s (32-bit SPIs, RFC 4303 2.1), port-c and port-s (the protected
  // ports) and alg, the integrity algorithm; without them no SA can be set up.
  {
    id: "security-server.ipsec-3gpp-parameters",
    clause: "TS 33.203 7.1, TS 24.229 7.2A.7",
    statement: "every ipsec-3gpp mechanism of a Security-Server carries alg, spi-c and spi-s (32-bit numbers) and port-c and port-s (port numbers)",
    constrains: "network",
    appliesTo: { kind: "response", methods: ["REGISTER"] },
    when: (o) => (o.message as SipResponse).hasHeader("security-server"),
    check: (o) => {
      const [r] = pair(o);
      const bad = serverMechanisms(r)
        .filter((m) => m.name === "ipsec-3gpp")
        .map((m) => readIpsec3gpp(m))
        .filter(isIpsecError);
      if (bad.length === 0) return undefined;
      return {
        expected: "ipsec-3gpp;alg=<integrity>;spi-c=<0..2^32-1>;spi-s=<0..2^32-1>;port-c=<1..65535>;port-s=<1..65535>",
        received: `${quoteIn(r, "security-server")} (${bad.map((b) => b.error).join("; ")})`,
      };
    },
  },
];

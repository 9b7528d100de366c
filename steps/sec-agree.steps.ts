// Steps of features/registration/sec-agree.feature: the RFC 3329 security agreement of an IMS AKA
// registration (TS 24.229 5.1.1.2.1, 5.1.1.5.1; TS 33.203 7.1, 7.2) as the simulated UE sees it.
import { Given, Then } from "@cucumber/cucumber";
import { isIpsecError, parseSecurityMechanisms, readIpsec3gpp, sameMechanisms } from "../src/sip/auth/index.ts";
import type { RegisterExchange, SecurityAssociations } from "../src/sip/ue/index.ts";
import { expectThat, fail } from "./support/expect.ts";
import type { ImsWorld } from "./support/world.ts";

const SUBJECT = "the UE";

Given("a UE with AKA credentials that supports sec-agree", async function (this: ImsWorld) {
  await this.startUe(SUBJECT, this.subscriberWith("aka"), { secAgree: true });
});

/** The i-th REGISTER of the last registration and what answered it. */
function exchange(world: ImsWorld, i: number, what: string): RegisterExchange {
  const o = world.lastOutcome();
  const x = o.exchanges[i];
  if (!x) fail(what, `${o.exchanges.length} REGISTER(s): ${o.exchanges.map((e) => e.response.status).join(" -> ")}`);
  return x;
}

Then("its first REGISTER carries Security-Client with ipsec-3gpp and sec-agree in Require and Proxy-Require", function (this: ImsWorld) {
  const { request } = exchange(this, 0, "an initial REGISTER");
  const offered = parseSecurityMechanisms(request.headerValues("security-client")).filter((m) => m.name === "ipsec-3gpp");
  expectThat(
    offered.length > 0 && offered.every((m) => !isIpsecError(readIpsec3gpp(m))),
    "Security-Client: ipsec-3gpp;alg=...;ealg=...;spi-c=...;spi-s=...;port-c=...;port-s=...",
    request,
    "TS 24.229 5.1.1.2.1, TS 33.203 7.1",
  );
  const tags = (name: "require" | "proxy-require") => request.optionTags(name).includes("sec-agree");
  expectThat(tags("require") && tags("proxy-require"), "Require: sec-agree and Proxy-Require: sec-agree", request, "TS 24.229 5.1.1.2.1, RFC 3329 2.3.1");
});

Then("the network challenges it with 401 carrying Security-Server", function (this: ImsWorld) {
  const { response } = exchange(this, 0, "a 401 to the initial REGISTER");
  expectThat(response.status === 401, "401 Unauthorized to the initial REGISTER", response, "TS 24.229 5.4.1.2.1");
  expectThat(
    parseSecurityMechanisms(response.headerValues("security-server")).some((m) => m.name === "ipsec-3gpp" && !isIpsecError(readIpsec3gpp(m))),
    "Security-Server: ipsec-3gpp;alg=...;ealg=...;spi-c=...;spi-s=...;port-c=...;port-s=... in the 401",
    response,
    "RFC 3329 2.3.1, TS 24.229 5.2.2, TS 33.203 7.2",
  );
});

Then("its second REGISTER carries Security-Verify equal to that Security-Server and the same Security-Client", function (this: ImsWorld) {
  const first = exchange(this, 0, "an initial REGISTER");
  const { request } = exchange(this, 1, "a second REGISTER answering the 401");
  const server = first.response.headerValues("security-server");
  const verify = request.headerValues("security-verify");
  expectThat(
    sameMechanisms(parseSecurityMechanisms(verify), parseSecurityMechanisms(server)),
    `Security-Verify: ${server.join(", ")} (the 401's Security-Server, unchanged)`,
    `Security-Verify: ${verify.join(", ") || "absent"}`,
    "RFC 3329 2.3.1, TS 24.229 5.1.1.5.1",
  );
  const before = first.request.headerValues("security-client");
  const now = request.headerValues("security-client");
  expectThat(
    sameMechanisms(parseSecurityMechanisms(now), parseSecurityMechanisms(before)),
    `Security-Client: ${before.join(", ")} (as in the initial REGISTER)`,
    `Security-Client: ${now.join(", ") || "absent"}`,
    "RFC 3329 2.3.1, TS 24.229 5.1.1.5.1",
  );
});

/** The SA parameters and key fingerprints, as the report shows them (the keys themselves never). */
function describeAssociations(sa: SecurityAssociations): string {
  const side = (who: string, e: SecurityAssociations["ue"]) => `${who}: spi-c ${e.spiC}, spi-s ${e.spiS}, port-c ${e.portC}, port-s ${e.portS}`;
  return [
    `Security associations agreed (RFC 3329, TS 33.203 7.1): ${sa.mechanism}, integrity ${sa.alg}, encryption ${sa.ealg}`,
    side("UE", sa.ue),
    side("P-CSCF", sa.pcscf),
    `Security-Server mirrored in Security-Verify: ${sa.securityServer.join(", ")}`,
    `IK_ESP (TS 33.203 Annex I, from the AKA IK): ${sa.keys?.integrity ?? "not derived"}`,
    `CK_ESP (TS 33.203 Annex I, from the AKA CK): ${sa.keys?.encryption ?? "not derived"}`,
    "The keys are secrets derived from CK and IK: only 4 octets of their SHA-256 and their length are shown.",
    "No IPsec ESP was set up (no XFRM): the protected REGISTER went to the P-CSCF's ordinary port, a deliberate deviation from TS 33.203 7.4.",
  ].join("\n");
}

Then("the security associations' parameters and derived key fingerprints are in the report", function (this: ImsWorld) {
  const o = this.lastOutcome();
  const sa = o.securityAssociations;
  if (!sa) fail("security associations agreed from the 401's Security-Server", `Security-Server: ${o.exchanges[0]?.response.headerValues("security-server").join(", ") || "absent"}`, "RFC 3329 2.3.1");
  expectThat(sa.keys !== undefined, "IK_ESP and CK_ESP derived from the AKA challenge's IK and CK", "no accepted AKA challenge", "TS 33.203 7.1");
  this.attach(describeAssociations(sa), { mediaType: "text/plain", fileName: "security associations.txt" });
});

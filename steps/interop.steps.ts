// Steps of features/interop (issue 15): UE-A in the originating network X, UE-B in the terminating
// network Y of an interop run's pair; the calls and messages between them use the call and
// messaging steps (TS 24.228 7.2: S-CSCF to S-CSCF through the I-CSCF).
import { Given, Then } from "@cucumber/cucumber";
import { networksMissingFromRecordRoute } from "../src/conformance/route-set.ts";
import { expectThat } from "./support/expect.ts";
import { incoming } from "./support/incoming.ts";
import type { ImsWorld, InteropSide } from "./support/world.ts";

Given("{role} is registered in the {word} network", async function (this: ImsWorld, role: string, side: string) {
  if (side !== "originating" && side !== "terminating") throw new Error(`"${side} network": the interop steps know the originating and the terminating network`);
  const placed: InteropSide = side;
  this.placeIn(role, placed);
  await this.registered(role);
});

Then("the INVITE at {role} was record-routed by both networks", async function (this: ImsWorld, callee: string) {
  const inc = await incoming(this, callee);
  const networks = (["UE-A", callee] as const).map((role) => {
    const n = this.networkOf(role);
    const interconnect = n.profile.ixit.interconnect?.address;
    return { name: `network ${n.name ?? n.profile.name}`, addresses: [n.sut.pcscf, ...(interconnect ? [interconnect] : [])] };
  });
  const missing = networksMissingFromRecordRoute(inc.invite, networks);
  expectThat(
    missing.length === 0,
    `Record-Route values naming ${networks.map((n) => `${n.name} (${n.addresses.map((a) => `${a.host}:${a.port}`).join(" or ")})`).join(" and ")}: both networks stay on the path of in-dialog requests; none names ${missing.map((n) => n.name).join(", ")}`,
    inc.invite,
    "RFC 3261 16.6 item 4, TS 24.229 5.4.3.2, 5.4.3.3",
  );
});

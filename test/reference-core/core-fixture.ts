// A reference core with five provisioned subscribers and ImsUe clients around it, for the tests of
// src/reference-core. Alice: Digest MD5; Bob: Digest SHA-256; Carol: AKAv1; Dave: AKAv2; Erin:
// provisioned but never registered (480); nobody@ is not provisioned at all (404 / 403).
import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import type { FaultName, Subscriber } from "../../src/profile/profile.ts";
import { ReferenceCore, type ReferenceCoreOptions } from "../../src/reference-core/index.ts";
import { ImsUe, type UeConfig, type UeCredentials } from "../../src/sip/ue/index.ts";
import type { TransportProtocol } from "../../src/sip/transport/address.ts";

export const DOMAIN = "ims.example.test";
/** TS 35.208 4.3 Test Set 1 (Milenage). */
export const K = Buffer.from("465b5ce8b199b49faa5f0a2ee238a6bc", "hex");
export const OPC = Buffer.from("cd63cb71954a9f4e48a5994e37a02baf", "hex");
export const AMF = Buffer.from("b9b9", "hex");
export const PASSWORDS = { alice: "alice-Secret-4711", bob: "bob-Secret-0815", erin: "erin-Secret-1234" } as const;

export const SDP = ["v=0", "o=ue 1 1 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0", "m=audio 49170 RTP/AVP 0", "a=rtpmap:0 PCMU/8000", ""].join("\r\n");
export const SDP2 = SDP.replace("o=ue 1 1", "o=ue 1 2");

export type Role = "alice" | "bob" | "carol" | "dave" | "erin" | "nobody";

export function impu(role: Role): string {
  return `sip:${role}@${DOMAIN}`;
}

export const TEL: Record<"alice" | "bob" | "carol" | "dave" | "erin", string> = {
  alice: "tel:+15551230001",
  bob: "tel:+15551230002",
  carol: "tel:+15551230003",
  dave: "tel:+15551230004",
  erin: "tel:+15551230005",
};

function digest(password: string, algorithm: "MD5" | "SHA-256"): Subscriber["auth"] {
  return { kind: "digest", password, passwordEnv: "TEST_PASSWORD", algorithm };
}

function aka(version: 1 | 2): Subscriber["auth"] {
  return { kind: "aka", k: K, kEnv: "TEST_K", opc: OPC, opcEnv: "TEST_OPC", amf: AMF, sqn: 0x20n, version };
}

export function subscribers(): Subscriber[] {
  return [
    { role: "UE-A", impi: `alice@${DOMAIN}`, impus: [impu("alice"), TEL.alice], auth: digest(PASSWORDS.alice, "MD5") },
    { role: "UE-B", impi: `bob@${DOMAIN}`, impus: [impu("bob"), TEL.bob], auth: digest(PASSWORDS.bob, "SHA-256") },
    { role: "UE-C", impi: `carol@${DOMAIN}`, impus: [impu("carol"), TEL.carol], auth: aka(1) },
    { role: "UE-D", impi: `dave@${DOMAIN}`, impus: [impu("dave"), TEL.dave], auth: aka(2) },
    { role: "UE-E", impi: `erin@${DOMAIN}`, impus: [impu("erin"), TEL.erin], auth: digest(PASSWORDS.erin, "MD5") },
  ];
}

function credentials(role: Role): UeCredentials {
  switch (role) {
    case "alice":
    case "bob":
    case "erin":
      return { kind: "digest", password: PASSWORDS[role] };
    case "carol":
    case "dave":
      return { kind: "aka", k: K, opc: OPC };
    case "nobody":
      return { kind: "digest", password: "whatever" };
  }
}

export class Lab {
  private readonly ues: ImsUe[] = [];

  private constructor(readonly core: ReferenceCore) {}

  /** Starts a core (stopped with everything else when the test ends). */
  static async start(t: TestContext, options: { faults?: readonly FaultName[]; extra?: Partial<ReferenceCoreOptions> } = {}): Promise<Lab> {
    const core = await ReferenceCore.start({ domain: DOMAIN, subscribers: subscribers(), ...(options.faults ? { faults: options.faults } : {}), ...options.extra });
    const lab = new Lab(core);
    t.after(() => lab.close());
    return lab;
  }

  /** A UE of `role` whose P-CSCF is the core, over `protocol`. */
  async ue(role: Role, protocol: TransportProtocol = "udp", extra: Partial<UeConfig> = {}): Promise<ImsUe> {
    const u = await ImsUe.start({
      name: role,
      impi: `${role}@${DOMAIN}`,
      impu: impu(role),
      domain: DOMAIN,
      credentials: credentials(role),
      pcscf: { protocol, host: this.core.host, port: this.core.port },
      pcscfUri: this.core.pcscfUri,
      protocol,
      ...extra,
    });
    this.ues.push(u);
    return u;
  }

  /** A UE that registered successfully (the 200 is asserted). */
  async registered(role: Role, protocol: TransportProtocol = "udp"): Promise<ImsUe> {
    const u = await this.ue(role, protocol);
    const outcome = await u.register({ expires: 600 });
    assert.equal(outcome.final.status, 200, `${role} could not register: ${outcome.final.startLine()}; core log:\n${this.core.log.join("\n")}`);
    return u;
  }

  async close(): Promise<void> {
    await Promise.all(this.ues.map((u) => u.close()));
    await this.core.stop();
  }
}

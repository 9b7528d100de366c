// Shared pieces of the UE-level tests: starting simulated UEs that talk to each other directly, and a
// minimal registrar (S-CSCF and HSS in one) built on the message-level endpoint and the auth module.
import { randomBytes } from "node:crypto";
import { akaNonce, generateAuthVector, parseCredentials, resynchronise, sqnToBigInt, verifyDigest } from "../../../src/sip/auth/index.ts";
import { Deadline } from "../../../src/sip/deadline.ts";
import { type Destination, type Received, SipEndpoint } from "../../../src/sip/endpoint/index.ts";
import { newTag } from "../../../src/sip/identifiers.ts";
import { type SipRequest, formatUri, isNameAddrError, parseNameAddr } from "../../../src/sip/message/index.ts";
import type { TransportProtocol } from "../../../src/sip/transport/address.ts";
import { ImsUe, type UeConfig } from "../../../src/sip/ue/index.ts";

export const REALM = "ims.test";
/** TS 35.208 test set 1: K and OPc. */
export const K = Buffer.from("465b5ce8b199b49faa5f0a2ee238a6bc", "hex");
export const OPC = Buffer.from("cd63cb71954a9f4e48a5994e37a02baf", "hex");
const AMF = Buffer.from("8000", "hex");

/** Everything a test starts, closed in its `after`. */
export class Resources {
  private readonly closers: Array<() => Promise<void>> = [];
  add<T extends { close(): Promise<void> }>(r: T): T {
    this.closers.push(() => r.close());
    return r;
  }
  async closeAll(): Promise<void> {
    const all = this.closers.splice(0);
    await Promise.all(all.map((c) => c()));
  }
}

export function destinationOf(ep: SipEndpoint, protocol: TransportProtocol): Destination {
  const l = ep.local(protocol);
  return { protocol, host: l.host, port: l.port };
}

export function waitFor(label: string, ms = 5000): Deadline {
  return Deadline.after(ms, label);
}

export function startUe(res: Resources, name: string, user: string, protocol: TransportProtocol, pcscf: Destination, extra: Partial<UeConfig> = {}): Promise<ImsUe> {
  return ImsUe.start({
    name,
    impi: `${user}@${REALM}`,
    impu: `sip:${user}@${REALM}`,
    domain: REALM,
    credentials: { kind: "digest", password: `${user}-secret` },
    pcscf,
    protocol,
    ...extra,
  }).then((ue) => res.add(ue));
}

/** In direct tests each UE's "P-CSCF" is the other UE: the second one only exists after the first. */
export function pointAt(ue: ImsUe, destination: Destination): void {
  (ue as unknown as { outbound: Destination }).outbound = destination;
}

/** Two UEs whose requests go straight to each other. */
export async function uePair(res: Resources, protocol: TransportProtocol): Promise<{ a: ImsUe; b: ImsUe }> {
  const b = await startUe(res, "UE-B", "bob", protocol, { protocol, host: "127.0.0.1", port: 9 });
  const a = await startUe(res, "UE-A", "alice", protocol, destinationOf(b.endpoint, protocol));
  pointAt(b, destinationOf(a.endpoint, protocol));
  return { a, b };
}

export interface RegistrarSubscriber {
  readonly impi: string;
  readonly password?: string;
  /** AKA (RFC 3310 AKAv1-MD5) instead of Digest: K and OPc of TS 35.208 test set 1. */
  readonly aka?: boolean;
}

/**
 * A registrar enough for TS 24.229 5.1.1.2: challenges every REGISTER without valid credentials
 * (401 with Digest MD5 or AKAv1-MD5), verifies the answer with verifyDigest, resynchronises on
 * auts (TS 33.102 6.3.5), and answers 200 with Service-Route, P-Associated-URI and the binding.
 * MESSAGE is answered 200 and kept.
 */
export class TestRegistrar {
  readonly registers: SipRequest[] = [];
  /** What the registrar concluded on each REGISTER: "challenge", "ok", "resync", "auts-response-ok", "fail: ...". */
  readonly verdicts: string[] = [];
  /** SQNms values recovered from AUTS. */
  readonly resyncs: bigint[] = [];
  readonly messages: Received[] = [];
  /** SQN of the next AKA challenge (the HSS's counter). */
  sqn: bigint;
  private readonly issued = new Map<string, { rand?: Buffer; xres?: Buffer }>();

  private constructor(
    readonly endpoint: SipEndpoint,
    readonly protocol: TransportProtocol,
    private readonly subscriber: RegistrarSubscriber,
    sqn: bigint,
  ) {
    this.sqn = sqn;
    endpoint.onRequest((rec) => this.handle(rec));
  }

  static async start(res: Resources, protocol: TransportProtocol, subscriber: RegistrarSubscriber, options: { sqn?: bigint } = {}): Promise<TestRegistrar> {
    const ep = res.add(await SipEndpoint.start({ listen: [{ protocol }] }));
    return new TestRegistrar(ep, protocol, subscriber, options.sqn ?? 1n);
  }

  get destination(): Destination {
    return destinationOf(this.endpoint, this.protocol);
  }

  get serviceRoute(): string {
    const l = this.endpoint.local(this.protocol);
    return `<sip:orig@${l.host}:${l.port};lr>`;
  }

  readonly associatedUris = "<sip:alice@ims.test>, <tel:+15550001>";

  private handle(rec: Received): boolean {
    const m = rec.message;
    if (m.kind !== "request") return false;
    if (m.method === "REGISTER") {
      this.register(rec, m);
      return true;
    }
    if (m.method === "MESSAGE") {
      this.messages.push(rec);
      this.endpoint.reply(rec, 200, { toTag: newTag() });
      return true;
    }
    return false;
  }

  private register(rec: Received, r: SipRequest): void {
    this.registers.push(r);
    const auth = r.header("authorization");
    const cred = auth === undefined ? undefined : parseCredentials(auth);
    const nonce = cred?.params["nonce"];
    const issued = nonce ? this.issued.get(nonce) : undefined;
    if (!cred || !nonce || !issued) {
      this.challenge(rec);
      return;
    }
    this.issued.delete(nonce);
    const expected = { method: "REGISTER", nonce, realm: REALM, username: this.subscriber.impi, uri: r.uriText };
    if (this.subscriber.aka) {
      const auts = cred.params["auts"];
      if (auts !== undefined) {
        // RFC 3310 3.4: after a synchronisation failure the response is computed with an empty password
        const v = verifyDigest(cred.params, { ...expected, password: Buffer.alloc(0), algorithm: "AKAv1-MD5" });
        this.verdicts.push(v.ok ? "auts-response-ok" : `fail: ${v.reason}`);
        const rs = resynchronise({ k: K, opc: OPC, rand: issued.rand!, auts: Buffer.from(auts, "base64") });
        if (!rs.ok) {
          this.verdicts.push(`fail: ${rs.reason}`);
          this.endpoint.reply(rec, 403, { toTag: newTag() });
          return;
        }
        const ms = sqnToBigInt(rs.sqnMs);
        this.resyncs.push(ms);
        this.verdicts.push("resync");
        this.sqn = ms + 1n;
        this.challenge(rec);
        return;
      }
      const v = verifyDigest(cred.params, { ...expected, password: issued.xres!, algorithm: "AKAv1-MD5" });
      if (!v.ok) return this.refuse(rec, v.reason);
    } else {
      const v = verifyDigest(cred.params, { ...expected, password: this.subscriber.password ?? "", algorithm: "MD5" });
      if (!v.ok) return this.refuse(rec, v.reason);
    }
    this.verdicts.push("ok");
    this.accept(rec, r);
  }

  private refuse(rec: Received, reason: string): void {
    this.verdicts.push(`fail: ${reason}`);
    this.endpoint.reply(rec, 403, { toTag: newTag() });
  }

  private challenge(rec: Received): void {
    let header: string;
    let nonce: string;
    if (this.subscriber.aka) {
      const v = generateAuthVector({ k: K, opc: OPC, amf: AMF, sqn: this.sqn });
      this.sqn += 1n;
      nonce = akaNonce(v.rand, v.autn);
      this.issued.set(nonce, { rand: v.rand, xres: v.xres });
      header = `Digest realm="${REALM}", nonce="${nonce}", algorithm=AKAv1-MD5, qop="auth"`;
    } else {
      nonce = randomBytes(16).toString("hex");
      this.issued.set(nonce, {});
      header = `Digest realm="${REALM}", nonce="${nonce}", algorithm=MD5, qop="auth"`;
    }
    this.verdicts.push("challenge");
    this.endpoint.reply(rec, 401, { toTag: newTag(), headers: { "WWW-Authenticate": header } });
  }

  private accept(rec: Received, r: SipRequest): void {
    const expires = r.expires ?? 600000;
    const headers: Record<string, string> = { "Service-Route": this.serviceRoute, "P-Associated-URI": this.associatedUris };
    const contact = parseNameAddr(r.headerValues("contact")[0] ?? "");
    // RFC 3261 10.3 step 8: the 200 lists the current bindings with their expiry
    if (!isNameAddrError(contact) && expires > 0) headers["Contact"] = `<${formatUri(contact.uri)}>;expires=${expires}`;
    this.endpoint.reply(rec, 200, { toTag: newTag(), headers });
  }
}

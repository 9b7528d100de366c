// RFC 3680 5: the application/reginfo+xml document of the reg event package, read and written
// with xml2js. TS 24.229 5.1.1.3 and 5.4.2.1.2 use it for the UE's registration state.
import { Builder, parseStringPromise } from "xml2js";

export type RegistrationState = "init" | "active" | "terminated";
export type ContactEvent = "registered" | "created" | "refreshed" | "shortened" | "expired" | "deactivated" | "probation" | "unregistered" | "rejected";

export interface ReginfoContact {
  readonly id: string;
  readonly state: "active" | "terminated";
  readonly event: ContactEvent | string;
  readonly uri: string;
  readonly expires?: number;
}

export interface ReginfoRegistration {
  readonly aor: string;
  readonly id: string;
  readonly state: RegistrationState | string;
  readonly contacts: readonly ReginfoContact[];
}

export interface Reginfo {
  readonly version: number;
  readonly state: "full" | "partial" | string;
  readonly registrations: readonly ReginfoRegistration[];
}

type XmlNode = { $?: Record<string, string>; [child: string]: unknown };

function children(node: XmlNode, name: string): XmlNode[] {
  const v = node[name];
  return Array.isArray(v) ? (v as XmlNode[]) : [];
}

function text(node: XmlNode | string | undefined): string {
  if (node === undefined) return "";
  if (typeof node === "string") return node.trim();
  const t = node["_"];
  return typeof t === "string" ? t.trim() : "";
}

/** Parses a reginfo document; rejects with the XML parser's reason when it is not well formed. */
export async function parseReginfo(xml: string): Promise<Reginfo> {
  let doc: Record<string, XmlNode | string> | null;
  try {
    doc = (await parseStringPromise(xml, { explicitArray: true, tagNameProcessors: [stripPrefix] })) as Record<string, XmlNode | string> | null;
  } catch (e) {
    const reason = e instanceof Error ? e.message.replace(/\s*\n\s*/g, ", ") : String(e);
    throw new Error(`the reginfo body is not well-formed XML: ${reason} (RFC 3680 5.3)`, { cause: e });
  }
  // xml2js yields null for an empty document and a string for an element without attributes or children
  if (doc === null) throw new Error("the reginfo body is empty: no root element (RFC 3680 5.3)");
  const found = doc["reginfo"];
  if (found === undefined) throw new Error(`not a reginfo document: the root element is <${Object.keys(doc)[0] ?? "none"}> (RFC 3680 5.3)`);
  const root: XmlNode = typeof found === "string" ? {} : found;
  const attrs = root.$ ?? {};
  return {
    version: Number(attrs["version"] ?? "0"),
    state: attrs["state"] ?? "",
    registrations: children(root, "registration").map((r) => ({
      aor: r.$?.["aor"] ?? "",
      id: r.$?.["id"] ?? "",
      state: r.$?.["state"] ?? "",
      contacts: children(r, "contact").map((c) => {
        const uriNode = children(c, "uri")[0] ?? (c["uri"] as string[] | undefined)?.[0];
        const expires = c.$?.["expires"];
        const contact: ReginfoContact = { id: c.$?.["id"] ?? "", state: (c.$?.["state"] ?? "") as ReginfoContact["state"], event: c.$?.["event"] ?? "", uri: text(uriNode as XmlNode | string | undefined) };
        return expires !== undefined ? { ...contact, expires: Number(expires) } : contact;
      }),
    })),
  };
}

function stripPrefix(name: string): string {
  const i = name.indexOf(":");
  return i >= 0 ? name.slice(i + 1) : name;
}

/** Writes a reginfo document (RFC 3680 5.3). */
export function buildReginfo(info: Reginfo): string {
  const builder = new Builder({ xmldec: { version: "1.0", encoding: "UTF-8" }, renderOpts: { pretty: true, indent: "  ", newline: "\n" } });
  return builder.buildObject({
    reginfo: {
      $: { xmlns: "urn:ietf:params:xml:ns:reginfo", version: String(info.version), state: info.state },
      registration: info.registrations.map((r) => ({
        $: { aor: r.aor, id: r.id, state: r.state },
        contact: r.contacts.map((c) => ({ $: { id: c.id, state: c.state, event: c.event, ...(c.expires !== undefined ? { expires: String(c.expires) } : {}) }, uri: c.uri })),
      })),
    },
  });
}

// RFC 3680 5: the application/reginfo+xml document of the reg event package, read and written
// with xml2js. TS 24.229 5.1.1.3 and 5.4.2.1.2 use it for the UE's registration state.
import { Builder, parseString } from "xml2js";

export type RegistrationState = "init" | "active" | "terminated";
export type ContactEvent = "registered" | "created" | "refreshed" | "shortened" | "expired" | "deactivated" | "probation" | "unregistered" | "rejected";

export interface ReginfoContact {
  readonly id: string;
  readonly state: "active" | "terminated";
  readonly event: ContactEvent | (string & {});
  readonly uri: string;
  readonly expires?: number;
}

export interface ReginfoRegistration {
  readonly aor: string;
  readonly id: string;
  readonly state: RegistrationState | (string & {});
  readonly contacts: readonly ReginfoContact[];
}

export interface Reginfo {
  readonly version: number;
  readonly state: "full" | "partial" | (string & {});
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
export function parseReginfo(xml: string): Promise<Reginfo> {
  try {
    return Promise.resolve(parseReginfoSync(xml));
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
}

/** parseReginfo without the promise, for checks that must answer at once; throws what parseReginfo rejects with. */
export function parseReginfoSync(xml: string): Reginfo {
  return readReginfoSync(xml).reginfo;
}

/** A reginfo document as read, with what the Reginfo view leaves out: the root's namespace and version as written. */
export interface ReginfoReading {
  readonly reginfo: Reginfo;
  /** The namespace URI of the root element (RFC 3680 5.1: urn:ietf:params:xml:ns:reginfo), undefined when none is declared. */
  readonly namespace: string | undefined;
  /** The version attribute as written; undefined when absent (Reginfo then says version 0). */
  readonly versionText: string | undefined;
}

/**
 * Reads a reginfo document synchronously: xml2js's parseString calls its callback before it returns
 * unless the `async` option is set (sax parses the whole string in one write). Throws an Error with
 * the XML parser's reason when the document is not well formed, is empty or has another root.
 */
export function readReginfoSync(xml: string): ReginfoReading {
  let rootName: string | undefined;
  let answered = false;
  let doc: Record<string, XmlNode | string> | null = null;
  let error: unknown;
  // The root is the first tag name the processor sees; its prefix names the namespace declaration
  const remember = (name: string): string => {
    rootName ??= name;
    return stripPrefix(name);
  };
  // The callback only records: xml2js calls it again with an error when the callback itself throws
  try {
    parseString(xml, { explicitArray: true, tagNameProcessors: [remember] }, (err: Error | null, result: unknown) => {
      if (answered) return;
      answered = true;
      if (err) error = err;
      else doc = result as Record<string, XmlNode | string> | null;
    });
  } catch (e) {
    // sax rethrows an error met after the end of the document; the first answer stands
    if (!answered) {
      answered = true;
      error = e;
    }
  }
  if (!answered) throw new Error("xml2js did not parse the reginfo body synchronously");
  if (error !== undefined) {
    const reason = error instanceof Error ? error.message.replace(/\s*\n\s*/g, ", ") : JSON.stringify(error);
    throw new Error(`the reginfo body is not well-formed XML: ${reason} (RFC 3680 5.3)`, { cause: error });
  }
  // xml2js yields null for an empty document and a string for an element without attributes or children
  const parsed = doc as Record<string, XmlNode | string> | null;
  if (parsed === null) throw new Error("the reginfo body is empty: no root element (RFC 3680 5.3)");
  const found = parsed["reginfo"];
  if (found === undefined) throw new Error(`not a reginfo document: the root element is <${Object.keys(parsed)[0] ?? "none"}> (RFC 3680 5.3)`);
  const root: XmlNode = typeof found === "string" ? {} : found;
  const attrs = root.$ ?? {};
  const colon = rootName?.indexOf(":") ?? -1;
  const namespace = attrs[colon > 0 ? `xmlns:${rootName!.slice(0, colon)}` : "xmlns"];
  const reginfo: Reginfo = {
    version: Number(attrs["version"] ?? "0"),
    state: attrs["state"] ?? "",
    registrations: children(root, "registration").map((r) => ({
      aor: r.$?.["aor"] ?? "",
      id: r.$?.["id"] ?? "",
      state: r.$?.["state"] ?? "",
      contacts: children(r, "contact").map((c) => {
        const uriNode = children(c, "uri")[0] ?? (c["uri"] as string[] | undefined)?.[0];
        const expires = c.$?.["expires"];
        const contact: ReginfoContact = {
          id: c.$?.["id"] ?? "",
          state: (c.$?.["state"] ?? "") as ReginfoContact["state"],
          event: c.$?.["event"] ?? "",
          uri: text(uriNode),
        };
        return expires !== undefined ? { ...contact, expires: Number(expires) } : contact;
      }),
    })),
  };
  return { reginfo, namespace, versionText: attrs["version"] };
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

// RFC 3261 7: SIP messages. Headers are an ordered list that keeps the received text; typed views
// (Via, From, CSeq ...) are parsed on demand.
import { canonicalHeaderName, headerKey, isListHeader } from "./header-names.ts";
import { type NameAddr, isNameAddrError, parseNameAddr, plainNameAddr, tagOf } from "./name-addr.ts";
import { splitHeaderValues } from "./split-values.ts";
import { type Uri, formatUri, isUriParseError, parseUri } from "./uri.ts";
import { type Via, isViaError, parseVia, plainViaBranch, viaBranch } from "./via.ts";

export interface SipHeader {
  /** The name as received or as written by the caller (may be a compact form). */
  readonly name: string;
  /** Lower-case long name used for look-ups. */
  readonly key: string;
  /** The value with line folding undone and surrounding whitespace removed. */
  readonly value: string;
  /** The whole header line(s) exactly as received, when the message was parsed and the header left alone. */
  readonly raw?: string;
}

export interface CSeq {
  readonly seq: number;
  readonly method: string;
}

/** A header whose value could not be read as its grammar requires. */
export class HeaderError extends Error {
  constructor(
    readonly header: string,
    readonly reason: string,
  ) {
    super(`${header}: ${reason}`);
    this.name = "HeaderError";
  }
}

const EMPTY = Buffer.alloc(0);

const METHODS = new Map(["INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER", "PRACK", "UPDATE", "SUBSCRIBE", "NOTIFY", "MESSAGE", "INFO", "REFER", "PUBLISH"].map((m) => [m, m]));

/** The shared instance of a method name (RFC 3261 7.1, 20.16), else `method` itself: a message may be kept for 64*T1. */
export function internMethod(method: string): string {
  return METHODS.get(method) ?? method;
}

/** RFC 3261 20.16: CSeq = 1*DIGIT LWS Method. Throws HeaderError. */
function parseCSeq(v: string): CSeq {
  const m = /^(\d{1,10})\s+([A-Za-z0-9.!%*_+`'~-]+)$/.exec(v);
  if (!m) throw new HeaderError("CSeq", `"${v}" is not "sequence-number method" (RFC 3261 20.16)`);
  const seq = Number(m[1]);
  if (seq > 2 ** 31 - 1) throw new HeaderError("CSeq", `sequence number ${m[1]} exceeds 2**31-1 (RFC 3261 8.1.1.5)`);
  return { seq, method: internMethod(m[2]) };
}

/** parseCSeq of the plain spelling (digits, one SP, a known method), read without a regular expression; undefined otherwise. */
function plainCSeq(v: string): CSeq | undefined {
  let i = 0;
  let seq = 0;
  for (let c = v.charCodeAt(0); c >= 48 && c <= 57; c = v.charCodeAt(++i)) seq = seq * 10 + c - 48;
  if (i === 0 || i > 10 || seq > 2 ** 31 - 1 || v.charCodeAt(i) !== 32) return undefined;
  const method = METHODS.get(v.slice(i + 1));
  return method === undefined ? undefined : { seq, method };
}

abstract class SipMessageBase {
  readonly headers: SipHeader[] = [];
  body: Buffer = EMPTY;

  /** The first value of a header (whole line, not split at commas), or undefined. */
  header(name: string): string | undefined {
    const key = headerKey(name);
    for (const h of this.headers) if (h.key === key) return h.value;
    return undefined;
  }

  hasHeader(name: string): boolean {
    return this.header(name) !== undefined;
  }

  /** Every value of a header across all its lines; list headers are split at commas (RFC 3261 7.3.1). */
  headerValues(name: string): string[] {
    const key = headerKey(name);
    const out: string[] = [];
    const split = isListHeader(key);
    for (const h of this.headers) {
      if (h.key !== key) continue;
      if (split) for (const v of splitHeaderValues(h.value)) out.push(v);
      else out.push(h.value);
    }
    return out;
  }

  /** Appends a header line. */
  addHeader(name: string, value: string | number): this {
    this.headers.push({ name: canonicalHeaderName(name), key: headerKey(name), value: String(value) });
    return this;
  }

  /** Inserts a header line before the first line of the same header (topmost Via, Record-Route). */
  prependHeader(name: string, value: string | number): this {
    const key = headerKey(name);
    const h = { name: canonicalHeaderName(name), key, value: String(value) };
    const at = this.headers.findIndex((x) => x.key === key);
    if (at >= 0) this.headers.splice(at, 0, h);
    else this.headers.push(h);
    return this;
  }

  /** Replaces every line of a header with one line (kept at the position of the first), or appends it. */
  setHeader(name: string, value: string | number): this {
    const key = headerKey(name);
    const at = this.headers.findIndex((x) => x.key === key);
    const h = { name: canonicalHeaderName(name), key, value: String(value) };
    if (at < 0) {
      this.headers.push(h);
      return this;
    }
    this.removeHeader(name);
    this.headers.splice(at, 0, h);
    return this;
  }

  removeHeader(name: string): this {
    const key = headerKey(name);
    for (let i = this.headers.length - 1; i >= 0; i--) if (this.headers[i].key === key) this.headers.splice(i, 1);
    return this;
  }

  /** Removes the first value of a list header (the topmost Via or Route), keeping the other values. */
  removeFirstValue(name: string): string | undefined {
    const key = headerKey(name);
    const at = this.headers.findIndex((x) => x.key === key);
    if (at < 0) return undefined;
    const h = this.headers[at];
    const values = splitHeaderValues(h.value);
    const first = values.shift();
    if (values.length === 0) this.headers.splice(at, 1);
    else this.headers[at] = { name: h.name, key, value: values.join(", ") };
    return first;
  }

  // Typed views. They throw HeaderError; a message from the network is checked first (check.ts).
  // The values looked up on every message (branch, tags, CSeq) are kept with the header line they
  // were read from, so a replaced, removed or inserted line (headers is a public array) is read
  // afresh; plain fields, not parsed objects, so that a message kept for 64*T1 keeps little more.

  #viaLine: SipHeader | undefined;
  #branch: string | undefined;
  #fromLine: SipHeader | undefined;
  #fromTag: string | undefined;
  #toLine: SipHeader | undefined;
  #toTag: string | undefined;
  #cseqLine: SipHeader | undefined;
  #cseq: CSeq | undefined;

  /** The first line of a header, or undefined. */
  private firstLine(key: string): SipHeader | undefined {
    const headers = this.headers;
    for (let i = 0; i < headers.length; i++) if (headers[i].key === key) return headers[i];
    return undefined;
  }

  get callId(): string {
    return this.required("call-id");
  }

  get cseq(): CSeq {
    const line = this.firstLine("cseq");
    if (line === undefined) return this.missing("cseq");
    if (line === this.#cseqLine) return this.#cseq!;
    const cseq = plainCSeq(line.value) ?? parseCSeq(line.value);
    this.#cseqLine = line;
    this.#cseq = cseq;
    return cseq;
  }

  get from(): NameAddr {
    return this.nameAddr("from");
  }

  get to(): NameAddr {
    return this.nameAddr("to");
  }

  get fromTag(): string | undefined {
    const line = this.firstLine("from");
    if (line === undefined || line !== this.#fromLine) {
      this.#fromTag = this.tagIn(line, "from");
      this.#fromLine = line;
    }
    return this.#fromTag;
  }

  get toTag(): string | undefined {
    const line = this.firstLine("to");
    if (line === undefined || line !== this.#toLine) {
      this.#toTag = this.tagIn(line, "to");
      this.#toLine = line;
    }
    return this.#toTag;
  }

  /** The tag of the From or To line: read off its plain spelling, else parsed (throws as `from`/`to` do). */
  private tagIn(line: SipHeader | undefined, key: "from" | "to"): string | undefined {
    const plain = line === undefined ? null : plainNameAddr(line.value);
    return plain !== null ? plain.tag : tagOf(this.nameAddr(key));
  }

  get vias(): Via[] {
    return this.headerValues("via").map((v) => {
      const via = parseVia(v);
      if (isViaError(via)) throw new HeaderError("Via", via.error);
      return via;
    });
  }

  get topVia(): Via {
    // RFC 3261 7.3.1: the first value of the first Via line; the whole list is split only when that line is a list
    const line = this.firstLine("via");
    const first = line !== undefined && !line.value.includes(",") && line.value.trim() !== "" ? line.value.trim() : this.headerValues("via")[0];
    if (first === undefined) throw new HeaderError("Via", "missing (RFC 3261 8.1.1.7)");
    const via = parseVia(first);
    if (isViaError(via)) throw new HeaderError("Via", via.error);
    return via;
  }

  get branch(): string | undefined {
    const line = this.firstLine("via");
    if (line === undefined || line !== this.#viaLine) {
      const plain = line === undefined ? null : plainViaBranch(line.value);
      this.#branch = plain !== null ? plain : viaBranch(this.topVia);
      // An empty first line leaves the top Via to a later one: not kept
      this.#viaLine = line === undefined || line.value.trim() === "" ? undefined : line;
    }
    return this.#branch;
  }

  /** Values of a name-addr list header (Contact, Route, Record-Route, Path, Service-Route, P-Associated-URI ...). */
  nameAddrs(name: string): NameAddr[] {
    return this.headerValues(name)
      .filter((v) => v !== "*")
      .map((v) => {
        const na = parseNameAddr(v);
        if (isNameAddrError(na)) throw new HeaderError(canonicalHeaderName(name), na.error);
        return na;
      });
  }

  get contentType(): string | undefined {
    return this.header("content-type");
  }

  get expires(): number | undefined {
    const v = this.header("expires");
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v)) throw new HeaderError("Expires", `"${v}" is not delta-seconds (RFC 3261 20.19)`);
    return Number(v);
  }

  /** Option tags of Supported/Require/Proxy-Require/Unsupported, lower-cased. */
  optionTags(name: "supported" | "require" | "proxy-require" | "unsupported"): string[] {
    return this.headerValues(name).map((t) => t.toLowerCase());
  }

  get bodyText(): string {
    return this.body.toString("utf8");
  }

  setBody(body: string | Buffer, contentType?: string): this {
    this.body = typeof body === "string" ? Buffer.from(body, "utf8") : body;
    if (contentType !== undefined) this.setHeader("Content-Type", contentType);
    return this;
  }

  protected required(key: string): string {
    const v = this.header(key);
    if (v === undefined) throw new HeaderError(canonicalHeaderName(key), "missing (RFC 3261 8.1.1)");
    return v;
  }

  private nameAddr(key: string): NameAddr {
    const na = parseNameAddr(this.required(key));
    if (isNameAddrError(na)) throw new HeaderError(canonicalHeaderName(key), na.error);
    return na;
  }

  private missing(key: string): never {
    throw new HeaderError(canonicalHeaderName(key), "missing (RFC 3261 8.1.1)");
  }

  abstract startLine(): string;
}

export class SipRequest extends SipMessageBase {
  readonly kind = "request" as const;
  constructor(
    public method: string,
    /** The Request-URI as text, kept verbatim. */
    public uriText: string,
    public version = "SIP/2.0",
  ) {
    super();
  }

  get uri(): Uri {
    const u = parseUri(this.uriText);
    if (isUriParseError(u)) throw new HeaderError("Request-URI", u.error);
    return u;
  }

  set uri(u: Uri) {
    this.uriText = formatUri(u);
  }

  startLine(): string {
    return `${this.method} ${this.uriText} ${this.version}`;
  }
}

export class SipResponse extends SipMessageBase {
  readonly kind = "response" as const;
  constructor(
    public status: number,
    public reason: string,
    public version = "SIP/2.0",
  ) {
    super();
  }

  startLine(): string {
    return `${this.version} ${this.status} ${this.reason}`;
  }
}

export type SipMessage = SipRequest | SipResponse;

export function isRequest(m: SipMessage): m is SipRequest {
  return m.kind === "request";
}

export function isResponse(m: SipMessage): m is SipResponse {
  return m.kind === "response";
}

// RFC 3261 7.3.3 and the IANA SIP header registry: compact forms.
const COMPACT: Record<string, string> = {
  a: "accept-contact",
  b: "referred-by",
  c: "content-type",
  d: "request-disposition",
  e: "content-encoding",
  f: "from",
  i: "call-id",
  j: "reject-contact",
  k: "supported",
  l: "content-length",
  m: "contact",
  n: "identity-info",
  o: "event",
  r: "refer-to",
  s: "subject",
  t: "to",
  u: "allow-events",
  v: "via",
  x: "session-expires",
  y: "identity",
};

const CANONICAL: Record<string, string> = {
  "call-id": "Call-ID",
  cseq: "CSeq",
  "www-authenticate": "WWW-Authenticate",
  rseq: "RSeq",
  rack: "RAck",
  "mime-version": "MIME-Version",
  "p-asserted-identity": "P-Asserted-Identity",
  "p-associated-uri": "P-Associated-URI",
  "p-preferred-identity": "P-Preferred-Identity",
  "p-access-network-info": "P-Access-Network-Info",
  "p-charging-vector": "P-Charging-Vector",
  "p-charging-function-addresses": "P-Charging-Function-Addresses",
  "p-called-party-id": "P-Called-Party-ID",
  "p-visited-network-id": "P-Visited-Network-ID",
  "min-se": "Min-SE",
};

/** Header names as usually written, mapped to their keys: saves the lower-casing on the hot path. */
const KNOWN = new Map<string, string>(
  [
    "Via",
    "From",
    "To",
    "Call-ID",
    "CSeq",
    "Contact",
    "Max-Forwards",
    "Content-Length",
    "Content-Type",
    "Route",
    "Record-Route",
    "Supported",
    "Require",
    "Allow",
    "Expires",
    "User-Agent",
    "Server",
    "Authorization",
    "WWW-Authenticate",
    "RSeq",
    "RAck",
    "Event",
    "Subscription-State",
    "P-Asserted-Identity",
    "P-Associated-URI",
    "Service-Route",
    "Path",
  ].map((n) => [n, n.toLowerCase()]),
);

/** The known spellings themselves, so that a parsed message keeps one shared string rather than its own copy. */
const SPELLINGS = new Map<string, string>([...KNOWN.keys()].map((n) => [n, n]));

/** A header name we know by its spelling, and its key (headerKey). */
export interface KnownHeaderName {
  readonly name: string;
  readonly key: string;
}

/** The known spellings by length: found in a message's text without a copy of the name first. */
const BY_LENGTH: KnownHeaderName[][] = [];
for (const [name, key] of KNOWN) (BY_LENGTH[name.length] ??= []).push({ name, key });

/** The known header name spelled exactly as text[start, end), if it is one (the parser's look-up: no string made). */
export function knownHeaderAt(text: string, start: number, end: number): KnownHeaderName | undefined {
  const candidates = BY_LENGTH[end - start];
  if (candidates === undefined) return undefined;
  for (const known of candidates) if (text.startsWith(known.name, start)) return known;
  return undefined;
}

/** Whether `name` is a header name we know by this spelling (so it is a valid token). */
export function isKnownHeaderSpelling(name: string): boolean {
  return KNOWN.has(name);
}

/** The shared instance of a header name we know by this spelling, else `name` itself. */
export function internHeaderName(name: string): string {
  return SPELLINGS.get(name) ?? name;
}

/** Lower-case long name of a header, expanding compact forms (RFC 3261 7.3.3). */
export function headerKey(name: string): string {
  const known = KNOWN.get(name);
  if (known !== undefined) return known;
  const lower = name.toLowerCase();
  return lower.length === 1 ? (COMPACT[lower] ?? lower) : lower;
}

const spellings = new Map<string, string>();

/** Conventional spelling for a header name we write: "call-id" -> "Call-ID" (memoised: it is on the send path). */
export function canonicalHeaderName(name: string): string {
  const cached = spellings.get(name);
  if (cached !== undefined) return cached;
  const key = headerKey(name);
  const spelled = CANONICAL[key] ?? key.replace(/(^|-)([a-z])/g, (_m, sep: string, c: string) => sep + c.toUpperCase());
  if (spellings.size < 1000) spellings.set(name, spelled);
  return spelled;
}

/**
 * Headers whose value is not a comma-separated list: a comma inside them is data (RFC 3261 7.3.1
 * names WWW-Authenticate, Authorization, Proxy-Authenticate and Proxy-Authorization).
 */
const NOT_LISTS = new Set([
  "www-authenticate",
  "authorization",
  "proxy-authenticate",
  "proxy-authorization",
  "date",
  "subject",
  "call-id",
  "cseq",
  "content-length",
  "content-type",
  "from",
  "to",
  "max-forwards",
  "expires",
  "min-expires",
  "user-agent",
  "server",
  "organization",
  "timestamp",
  "retry-after",
  "rseq",
  "rack",
  "session-expires",
  "min-se",
  "event",
  "subscription-state",
]);

export function isListHeader(key: string): boolean {
  return !NOT_LISTS.has(key);
}

/** RFC 3261 20: headers that appear at most once; a second value is an error (RFC 4475 3.3.8). */
export const SINGLE_VALUED = new Set(["call-id", "cseq", "content-length", "content-type", "from", "to", "max-forwards", "expires", "min-expires", "rseq", "rack", "event", "subscription-state"]);

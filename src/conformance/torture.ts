// IMS-ROB-001: the 49 torture messages of RFC 4475 section 3 as a network under test must treat
// them. For each: its file (test/fixtures/rfc4475, the RFC's bit-exact archive), section, whether it
// is valid, what RFC 4475 says a receiver does with it (quoted, shortened), and the outcomes a
// conforming SUT may show when the harness sends it over UDP. `addressTortureMessage` points a
// message at the SUT (Request-URI and top Via only, the torture kept); `judgeTorture` turns the
// responses seen within a short wait into a verdict with expected, received and clause.
import { readFileSync } from "node:fs";
import { Deadline } from "../sip/deadline.ts";
import { type Destination, type SipEndpoint, optionsProbe } from "../sip/endpoint/index.ts";
import { type SipResponse, parseMessage } from "../sip/message/index.ts";
import type { SipTransport } from "../sip/transport/transport.ts";

/**
 * What a conforming SUT does with the message.
 * - process: a valid request; any processing (a final response, forwarding, a response still to come)
 *   but a refusal as malformed (400): "a parser must accept it".
 * - reject: the RFC says the element responds with one of `statuses`; silence is a failure.
 * - reject-or-process: the RFC calls rejecting (with `statuses`) reasonable and lets a liberal
 *   element process the message; every outcome but a dead SUT passes.
 * - drop: a response matching no transaction (RFC 3261 18.1.2, 16.7): discarded, nothing sent back.
 */
export type TortureExpectation =
  | { readonly kind: "process" }
  | { readonly kind: "reject"; readonly statuses: readonly number[] }
  | { readonly kind: "reject-or-process"; readonly statuses: readonly number[] }
  | { readonly kind: "drop" };

/**
 * How the Request-URI is pointed at the SUT: "ue-b" sip:<UE-B's user>@<domain> (the user is not the
 * torture), "host" only the host becomes the domain (the user part is the torture), "domain" the URI
 * becomes sip:<domain> (a REGISTER or a request for the network), "keep" untouched (the scheme is
 * the torture, or a response).
 */
export type TortureTarget = "ue-b" | "host" | "domain" | "keep";

export interface TortureMessage {
  /** The file name without .dat, as RFC 4475 names the message. */
  readonly name: string;
  /** RFC 4475 section: 3.1.1.x valid, 3.1.2.x invalid, 3.2 transaction layer, 3.3 application layer, 3.4 backward compatibility. */
  readonly section: string;
  readonly title: string;
  readonly valid: boolean;
  readonly kind: "request" | "response";
  /** What RFC 4475 says a receiver should do with it (its words, shortened). */
  readonly rfc: string;
  readonly expect: TortureExpectation;
  readonly target: TortureTarget;
  /** A further condition on the responses: a failure text, or undefined when they satisfy it. */
  readonly check?: (responses: readonly SipResponse[]) => string | undefined;
}

const processed = { kind: "process" } as const;
const drop = { kind: "drop" } as const;
const reject = (...statuses: number[]): TortureExpectation => ({ kind: "reject", statuses });
const liberal = (...statuses: number[]): TortureExpectation => ({ kind: "reject-or-process", statuses });

/** The CSeq method a response names, if it can be read. */
function cseqMethod(r: SipResponse): string | undefined {
  try {
    return r.cseq.method;
  } catch {
    return undefined;
  }
}

/** RFC 4475 section 3, in the RFC's order. */
export const TORTURE_MESSAGES: readonly TortureMessage[] = [
  // 3.1.1 Valid messages
  {
    name: "wsinv",
    section: "3.1.1.1",
    title: "A Short Tortuous INVITE",
    valid: true,
    kind: "request",
    rfc: "valid: parsers must accept it (folding, LWS, escaped quotes, unknown headers and parameters)",
    expect: processed,
    target: "ue-b",
  },
  {
    name: "intmeth",
    section: "3.1.1.2",
    title: "Wide Range of Valid Characters",
    valid: true,
    kind: "request",
    rfc: "valid: an unknown method and a wide range of characters in tokens, quoted strings and URIs",
    expect: processed,
    target: "host",
  },
  {
    name: "esc01",
    section: "3.1.1.3",
    title: "Valid Use of the % Escaping Mechanism",
    valid: true,
    kind: "request",
    rfc: "valid: a parser must accept it; % HEX HEX is equivalent to the character encoded",
    expect: processed,
    target: "host",
  },
  {
    name: "escnull",
    section: "3.1.1.4",
    title: "Escaped Nulls in URIs",
    valid: true,
    kind: "request",
    rfc: "well formed, parsers must accept it; unescaping must not shorten the user name",
    expect: processed,
    target: "domain",
  },
  {
    name: "esc02",
    section: "3.1.1.5",
    title: "Use of % When It Is Not an Escape",
    valid: true,
    kind: "request",
    rfc: "well formed; the method is unknown (not REGISTER): a proxy forwards or rejects it, an endpoint answers 501",
    expect: processed,
    target: "domain",
  },
  {
    name: "lwsdisp",
    section: "3.1.1.6",
    title: "Message with No LWS between Display Name and <",
    valid: true,
    kind: "request",
    rfc: "elements should accept this request as well formed",
    expect: processed,
    target: "ue-b",
  },
  {
    name: "longreq",
    section: "3.1.1.7",
    title: "Long Values in Header Fields",
    valid: true,
    kind: "request",
    rfc: "well formed: header fields with many values and very long values",
    expect: processed,
    target: "ue-b",
  },
  {
    name: "dblreq",
    section: "3.1.1.8",
    title: "Extra Trailing Octets in a UDP Datagram",
    valid: true,
    kind: "request",
    rfc: "handle the REGISTER normally and ignore the extra octets that look like an INVITE (RFC 3261 18.3)",
    expect: processed,
    target: "domain",
    check: (rs) => (rs.some((r) => cseqMethod(r) === "INVITE") ? "a response to the INVITE octets after the REGISTER's end: they are noise to discard (RFC 3261 18.3)" : undefined),
  },
  {
    name: "semiuri",
    section: "3.1.1.9",
    title: "Semicolon-Separated Parameters in URI User Part",
    valid: true,
    kind: "request",
    rfc: 'receiving elements accept it as well formed; the user part is "user;par=u@example.net"',
    expect: processed,
    target: "host",
  },
  {
    name: "transports",
    section: "3.1.1.10",
    title: "Varied and Unknown Transport Types",
    valid: true,
    kind: "request",
    rfc: "parsers must accept it; process it as if the later Via values said UDP",
    expect: processed,
    target: "ue-b",
  },
  {
    name: "mpart01",
    section: "3.1.1.11",
    title: "Multipart MIME Message",
    valid: true,
    kind: "request",
    rfc: "parsers must accept it as well formed; framing by Content-Length (the binary part has NULs)",
    expect: processed,
    target: "ue-b",
  },
  {
    name: "unreason",
    section: "3.1.1.12",
    title: "Unusual Reason Phrase",
    valid: true,
    kind: "response",
    rfc: "well formed response; it matches no transaction of the SUT, so it is discarded (RFC 3261 18.1.2)",
    expect: drop,
    target: "keep",
  },
  {
    name: "noreason",
    section: "3.1.1.13",
    title: "Empty Reason Phrase",
    valid: true,
    kind: "response",
    rfc: "well formed response; it matches no transaction of the SUT, so it is discarded (RFC 3261 18.1.2)",
    expect: drop,
    target: "keep",
  },
  // 3.1.2 Invalid messages
  {
    name: "badinv01",
    section: "3.1.2.1",
    title: "Extraneous Header Field Separators",
    valid: false,
    kind: "request",
    rfc: "an element receiving this request should respond with a 400 Bad Request error",
    expect: reject(400),
    target: "ue-b",
  },
  {
    name: "clerr",
    section: "3.1.2.2",
    title: "Content Length Larger Than Message",
    valid: false,
    kind: "request",
    rfc: "sent over UDP, the receiving element should respond with a 400 Bad Request error (RFC 3261 18.3)",
    expect: reject(400),
    target: "ue-b",
  },
  {
    name: "ncl",
    section: "3.1.2.3",
    title: "Negative Content-Length",
    valid: false,
    kind: "request",
    rfc: "an element receiving this message should respond with an error; over UDP the rest of the datagram is discarded",
    expect: reject(400),
    target: "ue-b",
  },
  {
    name: "scalar02",
    section: "3.1.2.4",
    title: "Request Scalar Fields with Overlarge Values",
    valid: false,
    kind: "request",
    rfc: "an element receiving this request should respond with a 400 Bad Request due to the CSeq error",
    expect: reject(400),
    target: "domain",
  },
  {
    name: "scalarlg",
    section: "3.1.2.5",
    title: "Response Scalar Fields with Overlarge Values",
    valid: false,
    kind: "response",
    rfc: "an element receiving this response will simply discard it",
    expect: drop,
    target: "keep",
  },
  {
    name: "quotbal",
    section: "3.1.2.6",
    title: "Unterminated Quoted String in Display Name",
    valid: false,
    kind: "request",
    rfc: "an element receiving this request should return a 400 Bad Request error",
    expect: reject(400),
    target: "ue-b",
  },
  {
    name: "ltgtruri",
    section: "3.1.2.7",
    title: "<> Enclosing Request-URI",
    valid: false,
    kind: "request",
    rfc: "reasonable always to reject with 400; a liberal element may ignore the brackets (and must not forward them)",
    expect: liberal(400),
    target: "ue-b",
  },
  {
    name: "lwsruri",
    section: "3.1.2.8",
    title: "Malformed SIP Request-URI (embedded LWS)",
    valid: false,
    kind: "request",
    rfc: "an element receiving this request should respond with a 400 Bad Request",
    expect: reject(400),
    target: "ue-b",
  },
  {
    name: "lwsstart",
    section: "3.1.2.9",
    title: "Multiple SP Separating Request-Line Elements",
    valid: false,
    kind: "request",
    rfc: "acceptable to reject as malformed; a liberal element may ignore the extra SP characters",
    expect: liberal(400),
    target: "ue-b",
  },
  {
    name: "trws",
    section: "3.1.2.10",
    title: "SP Characters at End of Request-Line",
    valid: false,
    kind: "request",
    rfc: "acceptable to reject as malformed; a liberal element may ignore the extra SP characters",
    expect: liberal(400),
    target: "ue-b",
  },
  {
    name: "escruri",
    section: "3.1.2.11",
    title: "Escaped Headers in SIP Request-URI",
    valid: false,
    kind: "request",
    rfc: "acceptable to reject with 400; a liberal element may ignore the escaped headers (and must not forward them)",
    expect: liberal(400),
    target: "ue-b",
  },
  {
    name: "baddate",
    section: "3.1.2.12",
    title: "Invalid Time Zone in Date Header Field",
    valid: false,
    kind: "request",
    rfc: "acceptable to reject as malformed (only if the Date matters to the element); a liberal element ignores it",
    expect: liberal(400),
    target: "ue-b",
  },
  {
    name: "regbadct",
    section: "3.1.2.13",
    title: "Failure to Enclose name-addr URI in <>",
    valid: false,
    kind: "request",
    rfc: "reasonable to respond with 400; a liberal element could infer the angle brackets",
    expect: liberal(400),
    target: "domain",
  },
  {
    name: "badaspec",
    section: "3.1.2.14",
    title: "Spaces within addr-spec",
    valid: false,
    kind: "request",
    rfc: "reasonable to reject with a 400 Bad Request; elements attempting to be liberal may ignore the spaces",
    expect: liberal(400),
    target: "ue-b",
  },
  {
    name: "baddn",
    section: "3.1.2.15",
    title: "Non-token Characters in Display Name",
    valid: false,
    kind: "request",
    rfc: "reasonable always to reject with 400; an element may be liberal and infer the missing quotes",
    expect: liberal(400),
    target: "ue-b",
  },
  {
    name: "badvers",
    section: "3.1.2.16",
    title: "Unknown Protocol Version",
    valid: false,
    kind: "request",
    rfc: "the element should respond to the request with a 505 Version Not Supported error",
    expect: reject(505),
    target: "ue-b",
  },
  {
    name: "mismatch01",
    section: "3.1.2.17",
    title: "Start Line and CSeq Method Mismatch",
    valid: false,
    kind: "request",
    rfc: "any element receiving this request will respond with a 400 Bad Request",
    expect: reject(400),
    target: "ue-b",
  },
  {
    name: "mismatch02",
    section: "3.1.2.18",
    title: "Unknown Method with CSeq Method Mismatch",
    valid: false,
    kind: "request",
    rfc: "respond with a 501 Not Implemented; a 400 Bad Request is also acceptable",
    expect: reject(501, 400),
    target: "ue-b",
  },
  {
    name: "bigcode",
    section: "3.1.2.19",
    title: "Overlarge Response Code",
    valid: false,
    kind: "response",
    rfc: "an element receiving this response should simply drop it",
    expect: drop,
    target: "keep",
  },
  // 3.2 Transaction layer semantics
  {
    name: "badbranch",
    section: "3.2.1",
    title: "Missing Transaction Identifier",
    valid: true,
    kind: "request",
    rfc: "a parser must not break; the element could reject with 400 or fall back to the RFC 2543 transaction identifier",
    expect: liberal(400),
    target: "ue-b",
  },
  // 3.3 Application-layer semantics
  {
    name: "insuf",
    section: "3.3.1",
    title: "Missing Required Header Fields",
    valid: false,
    kind: "request",
    rfc: "an element must not break because of the missing information; ideally it responds with a 400 Bad Request",
    expect: liberal(400),
    target: "ue-b",
  },
  {
    name: "unkscm",
    section: "3.3.2",
    title: "Request-URI with Unknown Scheme",
    valid: true,
    kind: "request",
    rfc: "an element receiving this request will reject it with a 416 Unsupported URI Scheme response",
    expect: reject(416),
    target: "keep",
  },
  {
    name: "novelsc",
    section: "3.3.3",
    title: "Request-URI with Known but Atypical Scheme",
    valid: true,
    kind: "request",
    rfc: "416 Unsupported URI Scheme if the element never accepts the scheme; 404 Not Found if it might accept some URIs of it",
    expect: reject(416, 404),
    target: "keep",
  },
  {
    name: "unksm2",
    section: "3.3.4",
    title: "Unknown URI Schemes in Header Fields",
    valid: true,
    kind: "request",
    rfc: "a registrar would reject this request with 400, since To must be a SIP or SIPS URI (RFC 3261 10.3 lets it challenge (401) or refuse (403, 404) first)",
    expect: reject(400, 401, 403, 404),
    target: "domain",
  },
  {
    name: "bext01",
    section: "3.3.5",
    title: "Proxy-Require and Require",
    valid: true,
    kind: "request",
    rfc: "any element will respond 420 Bad Extension, Unsupported listing the features of Require or Proxy-Require as its role says: the network's first element, a proxy (RFC 3261 16.3 item 4), lists Proxy-Require's",
    expect: reject(420),
    target: "ue-b",
    check: (rs) => {
      const r = rs.find((x) => x.status === 420);
      if (!r) return undefined;
      const tags = r.optionTags("unsupported");
      const proxy = ["noproxiessupportthis", "nordoanyproxiessupportthis"];
      return proxy.every((t) => tags.includes(t))
        ? undefined
        : `420 with Unsupported: ${r.header("unsupported") ?? "absent"}, not the tags of Proxy-Require: the network forwarded what its proxy must reject (RFC 3261 16.3 item 4)`;
    },
  },
  {
    name: "invut",
    section: "3.3.6",
    title: "Unknown Content-Type",
    valid: true,
    kind: "request",
    rfc: "a proxy processes it as any other INVITE; an endpoint rejects it with 415 Unsupported Media Type",
    expect: processed,
    target: "ue-b",
  },
  {
    name: "regaut01",
    section: "3.3.7",
    title: "Unknown Authorization Scheme",
    valid: true,
    kind: "request",
    rfc: "well formed: a registrar that cares about authentication rejects it with 401 and a challenge it understands",
    expect: processed,
    target: "domain",
  },
  {
    name: "multi01",
    section: "3.3.8",
    title: "Multiple Values in Single Value Required Fields",
    valid: false,
    kind: "request",
    rfc: "an element receiving this request would respond with a 400 Bad Request error",
    expect: reject(400),
    target: "ue-b",
  },
  {
    name: "mcl01",
    section: "3.3.9",
    title: "Multiple Content-Length Values",
    valid: false,
    kind: "request",
    rfc: "an element receiving this message should respond with an error; over UDP the rest of the datagram is discarded",
    expect: reject(400),
    target: "ue-b",
  },
  {
    name: "bcast",
    section: "3.3.10",
    title: "200 OK Response with Broadcast Via Header Field Value",
    valid: true,
    kind: "response",
    rfc: "well formed; an endpoint discards it, and proxies should drop it rather than forward it to the broadcast address",
    expect: drop,
    target: "keep",
  },
  {
    name: "zeromf",
    section: "3.3.11",
    title: "Max-Forwards of Zero",
    valid: true,
    kind: "request",
    rfc: "a proxy should not forward the request and should respond 483 (Too Many Hops); an endpoint processes it",
    expect: reject(483, 200),
    target: "ue-b",
  },
  {
    name: "cparam01",
    section: "3.3.12",
    title: "REGISTER with a Contact Header Parameter",
    valid: true,
    kind: "request",
    rfc: "this REGISTER should succeed (here its identity is unknown to the SUT and it carries no credentials)",
    expect: processed,
    target: "domain",
  },
  {
    name: "cparam02",
    section: "3.3.13",
    title: "REGISTER with a url-parameter",
    valid: true,
    kind: "request",
    rfc: "the register should succeed (here its identity is unknown to the SUT and it carries no credentials)",
    expect: processed,
    target: "domain",
  },
  {
    name: "regescrt",
    section: "3.3.14",
    title: "REGISTER with a URL Escaped Header",
    valid: true,
    kind: "request",
    rfc: "the register should succeed (here its identity is unknown to the SUT and it carries no credentials)",
    expect: processed,
    target: "domain",
  },
  {
    name: "sdp01",
    section: "3.3.15",
    title: "Unacceptable Accept Offering",
    valid: true,
    kind: "request",
    rfc: "the recipient could respond 406 Not Acceptable, or 400; a proxy forwards it",
    expect: liberal(406, 400),
    target: "ue-b",
  },
  // 3.4 Backward compatibility
  {
    name: "inv2543",
    section: "3.4.1",
    title: "INVITE with RFC 2543 Syntax",
    valid: true,
    kind: "request",
    rfc: "legal per RFC 2543: accepted by RFC 3261 elements that want to keep backwards compatibility",
    expect: liberal(400),
    target: "ue-b",
  },
];

/** Where the RFC's messages are: the bit-exact fixtures of the project. */
export const TORTURE_DIRECTORY = new URL("../../test/fixtures/rfc4475/", import.meta.url);

/** The octets of a message as RFC 4475 gives them. */
export function readTortureMessage(m: TortureMessage, directory: URL = TORTURE_DIRECTORY): Buffer {
  return readFileSync(new URL(`${m.name}.dat`, directory));
}

/** The message's label in a report: "RFC 4475 3.1.2.1 badinv01 (Extraneous Header Field Separators)". */
export function tortureLabel(m: TortureMessage): string {
  return `RFC 4475 ${m.section} ${m.name} (${m.title})`;
}

export interface TortureAddressing {
  /** Where the harness sends from: the top Via's sent-by, so that responses come back (RFC 3261 18.2.2). */
  readonly sender: { readonly host: string; readonly port: number };
  /** The SUT's home domain. */
  readonly domain: string;
  /** UE-B's user part (a registered subscriber). */
  readonly userB: string;
}

/**
 * The message pointed at the SUT: the Request-URI's host becomes the domain (and its user UE-B's
 * where the message's target says so), the top Via's transport UDP and sent-by the harness's address.
 * Nothing else changes: the body is untouched, so Content-Length keeps its meaning (right, or as
 * wrong as the RFC made it). Responses are sent as they are.
 */
export function addressTortureMessage(bytes: Buffer, m: TortureMessage, a: TortureAddressing): Buffer {
  if (m.kind === "response") return bytes;
  // latin1 maps every octet to one code unit and back: binary bodies and UTF-8 survive unchanged
  let text = bytes.toString("latin1");
  const lineEnd = text.indexOf("\r\n");
  let startLine = text.slice(0, lineEnd);
  startLine = retarget(startLine, m.target, a);
  text = startLine + text.slice(lineEnd);
  text = readdressTopVia(text, a.sender);
  return Buffer.from(text, "latin1");
}

function retarget(line: string, target: TortureTarget, a: TortureAddressing): string {
  switch (target) {
    case "keep":
      return line;
    case "ue-b":
      return line.replace(/sips?:[^@\s>;?]+@[^\s>;?:]+(:\d+)?/i, `sip:${a.userB}@${a.domain}`);
    case "domain":
      return line.replace(/sips?:[^\s>;?:@]+(:\d+)?/i, `sip:${a.domain}`);
    case "host": {
      // The user part may hold ";", "?", ":" and "@"-escapes: the host follows the last "@" of the URI
      const start = line.search(/sips?:/i);
      const end = line.indexOf(" ", start);
      const at = line.lastIndexOf("@", end);
      if (start < 0 || at < start) return line;
      const hostEnd = at + 1 + line.slice(at + 1).search(/[\s>;?:]/);
      return `${line.slice(0, at + 1)}${a.domain}${line.slice(hostEnd)}`;
    }
  }
}

/** The first Via value's transport and sent-by, wherever LWS and folding put them. */
function readdressTopVia(text: string, sender: TortureAddressing["sender"]): string {
  const header = /^(?:via|v)[ \t]*:/im.exec(text);
  if (!header) return text;
  const rest = text.slice(header.index);
  const host = sender.host.includes(":") ? `[${sender.host}]` : sender.host;
  const replaced = rest.replace(
    /(SIP[ \t\r\n]*\/[ \t\r\n]*[0-9.]+[ \t\r\n]*\/[ \t\r\n]*)([A-Za-z-]+)([ \t\r\n]+)([^;,\s]+)/i,
    (_all, proto: string, _transport: string, space: string) => `${proto}UDP${space}${host}:${sender.port}`,
  );
  return text.slice(0, header.index) + replaced;
}

/** The Call-IDs and the top Via branch of a message as sent: a response belongs to it when it carries one of them. */
export function tortureKeys(bytes: Buffer): { readonly callIds: readonly string[]; readonly branch?: string } {
  const text = bytes.toString("latin1");
  const callIds = [...text.matchAll(/^(?:call-id|i)[ \t]*:[ \t]*([^\r\n]*)/gim)].map((x) => (x[1] ?? "").trim()).filter((x) => x.length > 0);
  const header = /^(?:via|v)[ \t]*:/im.exec(text);
  // The first Via header line with its folded continuation lines, up to its first comma (its first value)
  const line = header ? (/^[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*/.exec(text.slice(header.index))?.[0] ?? "").split(",")[0] : undefined;
  const branch = line ? /;[ \t\r\n]*branch[ \t\r\n]*=[ \t\r\n]*([^;,\s]+)/i.exec(line)?.[1] : undefined;
  return branch ? { callIds, branch } : { callIds };
}

/** Whether a response (as octets: its Via or CSeq may be as malformed as the request's) answers the message sent with these keys. */
export function answers(response: Buffer, keys: ReturnType<typeof tortureKeys>): boolean {
  const own = tortureKeys(response);
  return own.callIds.some((c) => keys.callIds.includes(c)) || (keys.branch !== undefined && own.branch === keys.branch);
}

export interface TortureVerdict {
  readonly verdict: "pass" | "fail";
  /** One line: "400 Bad Request", "no response within 1000 ms", with why it passes or fails. */
  readonly summary: string;
  readonly expected: string;
  readonly received: string;
  readonly clause: string;
}

/** What the SUT was seen doing with the message within the wait. */
export interface TortureObservation {
  /** Responses that answer the message (final and provisional, in arrival order). */
  readonly responses: readonly SipResponse[];
  /** How long the harness waited for them. */
  readonly waitedMs: number;
}

/** Expected outcome in words, for the report. */
export function describeExpectation(e: TortureExpectation): string {
  switch (e.kind) {
    case "process":
      return "processed as a valid request: any response but 400 Bad Request (or none yet: forwarding)";
    case "reject":
      return `a final response ${e.statuses.join(" or ")}`;
    case "reject-or-process":
      return `${e.statuses.join(" or ")}, or processing by a liberal element`;
    case "drop":
      return "discarded: no response, no reaction";
  }
}

/** The verdict on one message from the responses that answered it within the wait. */
export function judgeTorture(m: TortureMessage, o: TortureObservation): TortureVerdict {
  const finals = o.responses.filter((r) => r.status >= 200);
  const received = o.responses.length > 0 ? [...new Set(o.responses.map((r) => `${r.status} ${r.reason}`.trim()))].join(", ") : `no response within ${o.waitedMs} ms`;
  const clause = `RFC 4475 ${m.section}: ${m.rfc}`;
  const expected = describeExpectation(m.expect);
  const verdict = (ok: boolean, why: string): TortureVerdict => ({ verdict: ok ? "pass" : "fail", summary: `${received}${why ? `: ${why}` : ""}`, expected, received, clause });
  const e = m.expect;
  let result: TortureVerdict;
  switch (e.kind) {
    case "drop":
      result = o.responses.length === 0 ? verdict(true, "discarded") : verdict(false, "a response to a response");
      break;
    case "process": {
      const refused = finals.find((r) => r.status === 400);
      result = refused ? verdict(false, "a valid message refused as malformed") : verdict(true, finals.length > 0 ? "processed" : "no final response yet (processing)");
      break;
    }
    case "reject": {
      const statuses = e.statuses;
      const wrong = finals.find((r) => !statuses.includes(r.status));
      if (finals.length === 0) result = verdict(false, "not answered");
      else if (wrong) result = verdict(false, `${wrong.status} where RFC 4475 says ${statuses.join(" or ")}`);
      else result = verdict(true, "rejected as RFC 4475 says");
      break;
    }
    case "reject-or-process":
      result = verdict(true, finals.some((r) => e.statuses.includes(r.status)) ? "rejected" : "processed (liberal)");
      break;
  }
  const extra = result.verdict === "pass" ? m.check?.(finals) : undefined;
  return extra ? { ...result, verdict: "fail", summary: `${received}: ${extra}` } : result;
}

/** One message's exchange: what was sent, and the verdict on what came back. */
export interface TortureOutcome {
  readonly message: TortureMessage;
  readonly sent: Buffer;
  readonly verdict: TortureVerdict;
}

export interface TortureRunOptions {
  /** Sends the OPTIONS probes. */
  readonly endpoint: SipEndpoint;
  /**
   * A new UDP transport for each message, which sends its raw octets and receives the answers as
   * octets (neither through the parser's checks nor a transaction: a 400 that copies the message's
   * malformed Via or CSeq is still seen). Each message comes from a port of its own, so that two
   * messages with the same branch (the RFC reuses z9hG4bKkdjuw) are never taken for retransmissions
   * of one another (RFC 3261 17.2.3 matches on branch and sent-by). Closed after its message.
   */
  readonly sender: () => Promise<SipTransport>;
  /** The SUT's P-CSCF, over UDP. */
  readonly sut: Destination;
  /** The domain and UE-B's user; the sender is each message's own. */
  readonly addressing: Omit<TortureAddressing, "sender">;
  /** The profile's T1: the waits are multiples of it. */
  readonly t1: number;
  readonly messages?: readonly TortureMessage[];
  readonly directory?: URL;
  /** Wraps each message's exchange (the steps make it an Allure step named with the verdict). */
  readonly around?: (m: TortureMessage, exchange: () => Promise<TortureOutcome>) => Promise<TortureOutcome>;
  /** After each message: whatever the SUT delivered to UE-B is answered, so that no call is left. */
  readonly afterEach?: (m: TortureMessage) => Promise<void>;
}

export interface TortureRun {
  readonly outcomes: readonly TortureOutcome[];
  /** The SUT stopped answering OPTIONS after this message: the run ended there. */
  readonly silentAfter?: { readonly message: TortureMessage; readonly detail: string };
}

/** The wait for the SUT's answer: longer where an answer is required, a T1 where silence is the expectation. */
export function tortureWaitMs(m: TortureMessage, t1: number): number {
  if (m.expect.kind === "drop") return t1;
  return m.expect.kind === "reject" ? 4 * t1 : 2 * t1;
}

/** The OPTIONS probe's wait: 8*T1, at least a second. */
export function probeWaitMs(t1: number): number {
  return Math.max(1000, 8 * t1);
}

/**
 * Sends every message in turn over UDP, judges the answers seen within its wait, and probes the SUT
 * with OPTIONS after each (RFC 3261 11): a SUT that no longer answers ends the run, named after the
 * message it last received.
 */
export async function runTorture(o: TortureRunOptions): Promise<TortureRun> {
  const outcomes: TortureOutcome[] = [];
  for (const m of o.messages ?? TORTURE_MESSAGES) {
    const exchange = async (): Promise<TortureOutcome> => {
      const sender = await o.sender();
      const arrived = new PacketQueue(sender);
      try {
        const sent = addressTortureMessage(readTortureMessage(m, o.directory), m, { ...o.addressing, sender: sender.local });
        const keys = tortureKeys(sent);
        await sender.send(sent, o.sut);
        const waitedMs = tortureWaitMs(m, o.t1);
        const responses = await collectAnswers(arrived, keys, m.expect.kind !== "drop", waitedMs);
        await acknowledge(sender, o.sut, sent, responses, o.addressing.domain);
        await o.afterEach?.(m);
        return { message: m, sent, verdict: judgeTorture(m, { responses, waitedMs }) };
      } finally {
        await sender.close();
      }
    };
    const outcome = await (o.around ? o.around(m, exchange) : exchange());
    outcomes.push(outcome);
    const alive = await probe(o.endpoint, o.sut, o.addressing.domain, probeWaitMs(o.t1));
    if (alive !== true) return { outcomes, silentAfter: { message: m, detail: alive } };
  }
  return { outcomes };
}

/** What a sender received, in order, for `collectAnswers` to wait on. */
class PacketQueue {
  private readonly packets: Buffer[] = [];
  private wake: (() => void) | undefined;

  constructor(transport: SipTransport) {
    transport.onPacket((p) => {
      this.packets.push(p.bytes);
      this.wake?.();
    });
  }

  /** The next packet, or undefined when none came by `at` (ms since the epoch). */
  async next(at: number): Promise<Buffer | undefined> {
    while (this.packets.length === 0) {
      const left = at - Date.now();
      if (left <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
    return this.packets.shift();
  }
}

/** The responses answering the message: until a final one (or, for a message that must stay unanswered, the whole wait). */
async function collectAnswers(arrived: PacketQueue, keys: ReturnType<typeof tortureKeys>, untilFinal: boolean, waitMs: number): Promise<SipResponse[]> {
  const at = Date.now() + waitMs;
  const out: SipResponse[] = [];
  for (;;) {
    const bytes = await arrived.next(at);
    if (!bytes) return out;
    const parsed = parseMessage(bytes);
    if (!parsed.ok || parsed.message.kind !== "response" || !answers(bytes, keys)) continue;
    out.push(parsed.message);
    if (untilFinal && parsed.message.status >= 200) return out;
  }
}

/** RFC 3261 17.1.1.3: a non-2xx final response to an INVITE gets its ACK (same branch), so that the SUT stops retransmitting it. */
async function acknowledge(sender: SipTransport, sut: Destination, sent: Buffer, responses: readonly SipResponse[], domain: string): Promise<void> {
  const final = responses.find((r) => r.status >= 300);
  if (!final) return;
  let via: string | undefined, from: string | undefined, to: string | undefined, callId: string | undefined, seq: number;
  try {
    if (final.cseq.method !== "INVITE") return;
    seq = final.cseq.seq;
    via = final.headerValues("via")[0];
    from = final.header("from");
    to = final.header("to");
    callId = final.header("call-id");
  } catch {
    return; // a response the harness cannot read needs no ACK it could build
  }
  if (!via || !from || !to || !callId) return;
  const token = sent.toString("latin1", 0, Math.max(0, sent.indexOf("\r\n"))).split(/\s+/)[1] ?? "";
  const ruri = /^sips?:[^\s<>]+$/i.test(token) ? token : `sip:${domain}`;
  const ack = `ACK ${ruri} SIP/2.0\r\nVia: ${via}\r\nMax-Forwards: 70\r\nFrom: ${from}\r\nTo: ${to}\r\nCall-ID: ${callId}\r\nCSeq: ${seq} ACK\r\nContent-Length: 0\r\n\r\n`;
  await sender.send(Buffer.from(ack, "latin1"), sut);
}

/** An OPTIONS to the network (RFC 3261 11): true when any response came, else what happened. */
async function probe(endpoint: SipEndpoint, sut: Destination, domain: string, waitMs: number): Promise<true | string> {
  const r = optionsProbe(domain);
  try {
    await endpoint.request(r, sut, { deadline: Deadline.after(waitMs, `the OPTIONS probe, ${waitMs} ms`) });
    return true;
  } catch {
    return `no answer to OPTIONS sip:${domain} within ${waitMs} ms`;
  }
}

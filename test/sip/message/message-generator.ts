// Generated well-formed SIP requests for the differential and fuzz tests: random method, URIs,
// users (with escapes), hosts (names, IPv4, IPv6), ports, parameters, display names (token and
// quoted with quoted-pairs), tags, branches, Call-IDs and CSeq numbers; header order, compact forms,
// comma-joined Vias and folded lines vary. Everything is drawn from the given seeded PRNG.
import type { Rng } from "./prng.ts";

const ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const LOWER = "abcdefghijklmnopqrstuvwxyz";
const TOKEN_EXTRA = "-.!%*_+`'~";
// RFC 3261 25.1 user: unreserved / escaped / user-unreserved (";" is left out: sip.js reads it as a parameter)
const USER_EXTRA = "-_.!~*'()&=+$,?/";
// RFC 3261 25.1 paramchar: param-unreserved / unreserved (no "%" unless escaped, no "`")
const PARAMCHAR = "-_.!~*'()[]/:&+$";
const WORD_EXTRA = "-.!%*_+`'~()<>:\\\"/[]?{}";

function token(r: Rng, min = 1, max = 10, extra = TOKEN_EXTRA): string {
  return r.string(ALNUM + (r.chance(0.3) ? extra : ""), r.int(min, max));
}

function domain(r: Rng): string {
  const labels = Array.from({ length: r.int(1, 3) }, () => {
    const l = r.string(LOWER + "0123456789", r.int(1, 8));
    return r.chance(0.2) && l.length > 2 ? `${l[0]}-${l.slice(1)}` : l;
  });
  return [...labels, r.string(LOWER, r.int(2, 5))].join(".");
}

function host(r: Rng): string {
  const kind = r.int(0, 9);
  if (kind < 6) return domain(r);
  if (kind < 9) return Array.from({ length: 4 }, () => r.int(0, 255)).join(".");
  const groups = Array.from({ length: r.int(1, 4) }, () => r.int(0, 0xffff).toString(16));
  return `[2001:db8::${groups.join(":")}]`;
}

function user(r: Rng): string {
  let s = "";
  const n = r.int(1, 12);
  for (let i = 0; i < n; i++) {
    if (r.chance(0.1)) {
      // an escaped printable ASCII character, either hex case
      const hex = r.int(0x20, 0x7e).toString(16);
      s += `%${r.chance(0.5) ? hex.toUpperCase() : hex}`;
    } else s += r.chance(0.15) ? r.pick([...USER_EXTRA]) : r.pick([...ALNUM]);
  }
  return r.chance(0.15) ? `+${r.int(1, 9)}${r.string("0123456789", r.int(5, 12))}` : s;
}

// Not generated, as sip.js 0.21.2 misreads them: maddr (its host replaces the URI host), ttl (kept
// apart from the URI parameters), method (a Request-URI's ;method= replaces the request method).
function uriParams(r: Rng): string {
  const params: string[] = [];
  if (r.chance(0.3)) params.push(`transport=${r.pick(["udp", "tcp", "TLS", "sctp", "ws", "Wss"])}`);
  if (r.chance(0.3)) params.push("lr");
  if (r.chance(0.15)) params.push(`user=${r.pick(["phone", "ip", "Phone"])}`);
  for (let i = r.int(0, 2); i > 0; i--) params.push(r.chance(0.3) ? `x-${token(r, 1, 6, PARAMCHAR)}` : `x-${token(r, 1, 6, PARAMCHAR)}=${token(r, 1, 8, PARAMCHAR)}`);
  return r
    .shuffle(params)
    .map((p) => `;${p}`)
    .join("");
}

interface GenUri {
  readonly text: string;
}

function sipUri(r: Rng, params = true): GenUri {
  const scheme = r.pick(["sip", "sip", "sip", "sips", "SIP"]);
  let s = `${scheme}:`;
  if (r.chance(0.85)) {
    s += user(r);
    if (r.chance(0.05)) s += `:${token(r, 1, 6, "")}`;
    s += "@";
  }
  s += host(r);
  if (r.chance(0.3)) s += `:${r.int(1, 65535)}`;
  return { text: s + (params ? uriParams(r) : "") };
}

function displayName(r: Rng): string {
  const kind = r.int(0, 3);
  if (kind === 0) return "";
  if (kind === 1) return Array.from({ length: r.int(1, 3) }, () => token(r, 1, 8)).join(" ") + " ";
  // quoted-string with quoted-pairs for " and \, other printable characters, UTF-8 and HTAB
  let s = "";
  for (let i = r.int(0, 14); i > 0; i--) {
    const k = r.int(0, 9);
    s += k === 0 ? '\\"' : k === 1 ? "\\\\" : k === 2 ? " " : k === 3 ? r.pick([..."<>,;:@?=&/()[]{}"]) : k === 4 ? r.pick(["é", "ü", "ж", "大", "\t"]) : r.pick([...ALNUM]);
  }
  return `"${s}"${r.chance(0.7) ? " " : ""}`;
}

/** LWS as allowed around SEMI, EQUAL, SLASH, COLON: nothing, spaces, or a fold. */
function lws(r: Rng): string {
  const k = r.int(0, 9);
  return k < 6 ? "" : k < 8 ? " ".repeat(r.int(1, 3)) : "\r\n ";
}

function nameAddr(r: Rng, tag: string | undefined): string {
  const u = sipUri(r);
  const dn = displayName(r);
  const headerParams: string[] = [];
  if (tag !== undefined) headerParams.push(`tag${lws(r)}=${lws(r)}${tag}`);
  if (r.chance(0.2)) headerParams.push(`x-hp=${token(r, 1, 5)}`);
  const params = r
    .shuffle(headerParams)
    .map((p) => `${lws(r)};${lws(r)}${p}`)
    .join("");
  // addr-spec only without a display name and when the URI has no ",", "?" or ";" (RFC 3261 20.10)
  if (dn === "" && !/[,;?]/.test(u.text) && r.chance(0.4)) return `${u.text}${params}`;
  return `${dn}<${u.text}>${params}`;
}

export interface GenVia {
  readonly text: string;
  readonly branch: string;
}

function via(r: Rng): GenVia {
  const transport = r.pick(["UDP", "TCP", "TLS", "SCTP", "WS", "WSS"]);
  const branch = `z9hG4bK${token(r, 4, 16)}`;
  let s = `SIP${lws(r)}/${lws(r)}2.0${lws(r)}/${lws(r)}${transport} ${host(r)}`;
  if (r.chance(0.5)) s += `:${r.int(1, 65535)}`;
  const params = [`branch${lws(r)}=${lws(r)}${branch}`];
  if (r.chance(0.3)) params.push(r.chance(0.5) ? "rport" : `rport=${r.int(1, 65535)}`);
  if (r.chance(0.2)) params.push(`received=${r.int(1, 223)}.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`);
  s += r
    .shuffle(params)
    .map((p) => `${lws(r)};${lws(r)}${p}`)
    .join("");
  return { text: s, branch };
}

export interface Generated {
  readonly text: string;
  readonly vias: readonly GenVia[];
  readonly fromTag: string;
  readonly toTag?: string;
  readonly callId: string;
  readonly seq: number;
  readonly method: string;
}

export function generateRequest(r: Rng): Generated {
  const method = r.chance(0.8) ? r.pick(["INVITE", "OPTIONS", "REGISTER", "BYE", "MESSAGE", "SUBSCRIBE", "NOTIFY", "INFO", "UPDATE", "PRACK", "REFER"]) : token(r, 1, 10).replace(/[^A-Za-z0-9]/g, "X");
  const ruri = sipUri(r);
  const vias = Array.from({ length: r.int(1, 4) }, () => via(r));
  const fromTag = token(r, 1, 12);
  const toTag = r.chance(0.4) ? token(r, 1, 12) : undefined;
  const callId = token(r, 4, 16, WORD_EXTRA) + (r.chance(0.5) ? `@${token(r, 1, 10, WORD_EXTRA)}` : "");
  const seq = r.int(0, 2 ** 31 - 1);
  const name = (long: string, compact: string | undefined): string => {
    const n = compact !== undefined && r.chance(0.3) ? compact : long;
    return n + (r.chance(0.1) ? " " : "") + ":" + (r.chance(0.1) ? "\r\n " : r.pick(["", " ", " ", "  "]));
  };
  const lines: string[] = [];
  // Via: separate lines, or several values joined by commas on one line
  let i = 0;
  while (i < vias.length) {
    const n = r.int(1, vias.length - i);
    lines.push(
      name("Via", "v") +
        vias
          .slice(i, i + n)
          .map((v) => v.text)
          .join(`${lws(r)},${lws(r)}`),
    );
    i += n;
  }
  const viaLines = lines.length;
  const others = [
    name("From", "f") + nameAddr(r, fromTag),
    name("To", "t") + nameAddr(r, toTag),
    name("Call-ID", "i") + callId,
    name("CSeq", undefined) + `${seq}${r.pick([" ", "  ", "\r\n ", "\t"])}${method}`,
    name("Max-Forwards", undefined) + String(r.int(0, 255)),
  ];
  if (r.chance(0.5)) others.push(name("Contact", "m") + `<${sipUri(r).text}>`);
  if (r.chance(0.3)) others.push(name("Subject", "s") + "a subject,\r\n folded");
  if (r.chance(0.3)) others.push(name("User-Agent", undefined) + "gen/1.0");
  let body = "";
  if (r.chance(0.3)) {
    body = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n";
    others.push(name("Content-Type", "c") + "application/sdp");
  }
  if (body !== "" || r.chance(0.7)) others.push(name("Content-Length", "l") + String(Buffer.byteLength(body)));
  // header order varies; Vias keep their relative order (RFC 3261 7.3.1)
  const shuffled = r.shuffle(others);
  const all: string[] = [];
  const at = r.int(0, shuffled.length);
  all.push(...shuffled.slice(0, at), ...lines.slice(0, viaLines), ...shuffled.slice(at));
  const text = `${method} ${ruri.text} SIP/2.0\r\n${all.map((l) => `${l}\r\n`).join("")}\r\n${body}`;
  return { text, vias, fromTag, ...(toTag === undefined ? {} : { toTag }), callId, seq, method };
}

// Differential test: our parser against the PEG grammar of sip.js 0.21.2 on generated well-formed
// requests. Both must read the same Request-URI, From/To URIs, tags and display names, Via branches
// and sent-by, Call-ID and CSeq. Where sip.js normalises (lower-cased parameter names and host, the
// decoded user part, display names with their quoted-pairs), the comparison applies the same rule to
// our side; our parser keeps the received text.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Core, Grammar, type NameAddrHeader, type URI } from "sip.js";
import { mulberry32, seedFrom } from "./prng.ts";
import { type Generated, generateRequest } from "./message-generator.ts";
import { type NameAddr, type SipUri, checkMessage, isRequest, isSipUri, parseMessage, unescapeUriPart, viaBranch } from "../../../src/sip/message/index.ts";

const COUNT = 300;
const SEED = seedFrom("SIP_DIFF_SEED", 0x4475);

const silent = { error: () => undefined, warn: () => undefined, log: () => undefined, debug: () => undefined };

/** sip.js keeps the quoted-pairs of a quoted display name; a token display name is as received. */
function sipjsDisplayName(h: NameAddrHeader): string | undefined {
  const d = h.displayName as string | undefined;
  return d === undefined || d === "" ? undefined : d.replace(/\\(.)/gs, "$1");
}

interface UriView {
  scheme: string;
  user: string | undefined;
  host: string;
  port: number | undefined;
  params: Record<string, string | null>;
}

/** Our URI in sip.js's normal form: user and password decoded, host and parameter names lower-cased. */
function ourUriView(u: SipUri): UriView {
  const params: Record<string, string | null> = {};
  for (const p of u.params) {
    const name = p.name.toLowerCase();
    params[name] = p.value === undefined ? null : name === "transport" || name === "user" ? p.value.toLowerCase() : p.value;
  }
  const user = u.user === undefined ? undefined : unescapeUriPart(u.user) + (u.password === undefined ? "" : `:${unescapeUriPart(u.password)}`);
  return { scheme: u.scheme, user, host: u.host.toLowerCase(), port: u.port, params };
}

function sipjsUriView(u: URI): UriView {
  const params: Record<string, string | null> = {};
  for (const [name, value] of Object.entries(u.parameters)) params[name] = value ?? null;
  return { scheme: u.scheme, user: u.user, host: u.host, port: u.port, params };
}

function ourNameAddr(na: NameAddr): { displayName: string | undefined; uri: UriView } {
  assert.ok(isSipUri(na.uri), `not a SIP URI: ${JSON.stringify(na.uri)}`);
  // sip.js does not tell an empty quoted display name ("") from none; we do, so compare both as none
  return { displayName: na.displayName === "" ? undefined : na.displayName, uri: ourUriView(na.uri) };
}

function compare(g: Generated): void {
  const ours = parseMessage(g.text);
  if (!ours.ok) assert.fail(`our parser refused it: ${ours.error.reason} (line ${ours.error.line})`);
  const m = ours.message;
  assert.ok(isRequest(m), "a request");
  const theirs = Core.Parser.parseMessage(g.text, silent as never) as Core.IncomingRequestMessage | undefined;
  assert.ok(theirs, "sip.js refused it");
  assert.deepEqual(checkMessage(m), [], "well-formed: no problems");

  assert.equal(m.method, theirs.method);
  assert.deepEqual(ourUriView(m.uri as SipUri), sipjsUriView(theirs.ruri!), "Request-URI");

  assert.deepEqual(ourNameAddr(m.from), { displayName: sipjsDisplayName(theirs.from), uri: sipjsUriView(theirs.from.uri) }, "From");
  assert.deepEqual(ourNameAddr(m.to), { displayName: sipjsDisplayName(theirs.to), uri: sipjsUriView(theirs.to.uri) }, "To");
  assert.equal(m.fromTag, theirs.fromTag);
  assert.equal(m.fromTag, g.fromTag);
  assert.equal(m.toTag, theirs.toTag ?? undefined);
  assert.equal(m.toTag, g.toTag);

  assert.equal(m.callId, theirs.callId);
  assert.equal(m.callId, g.callId);
  const cseq = Grammar.parse(theirs.getHeader("cseq")!, "CSeq") as { value: number; method: string };
  assert.deepEqual(m.cseq, { seq: cseq.value, method: cseq.method });
  assert.deepEqual(m.cseq, { seq: g.seq, method: g.method });

  // Vias: sip.js reads one via-parm at a time (its Via rule merges comma-joined values), so each
  // generated via-parm goes to it alone; ours must split the lines into the same list.
  const vias = m.vias;
  assert.equal(vias.length, g.vias.length, "Via count");
  g.vias.forEach((gv, i) => {
    const v = Grammar.parse(gv.text, "Via") as { host: string; port?: number; branch: string; transport: string } | -1;
    assert.notEqual(v, -1, `sip.js refused Via "${gv.text}"`);
    if (v === -1) return;
    const ours = vias[i];
    assert.deepEqual([ours.transport, ours.host, ours.port, viaBranch(ours)], [v.transport.toUpperCase(), v.host, v.port, v.branch], `Via ${i}`);
    assert.equal(viaBranch(ours), gv.branch);
  });
  assert.equal(m.branch, g.vias[0].branch);
  const firstViaLine = m.headers.find((h) => h.key === "via")!;
  if (!firstViaLine.value.includes(",")) {
    // a single via-parm on the first line: sip.js's top Via and branch are right, and must match
    assert.equal(m.branch, theirs.viaBranch);
    assert.equal(m.topVia.host, theirs.via.host);
    assert.equal(m.topVia.port, theirs.via.port);
  }
  assert.equal(m.body.toString("utf8"), theirs.body);
}

test(`parser agrees with sip.js ${"0.21.2"} on ${COUNT} generated requests`, (t) => {
  t.diagnostic(`seed ${SEED} (replay with SIP_DIFF_SEED=${SEED})`);
  const r = mulberry32(SEED);
  for (let n = 0; n < COUNT; n++) {
    const g = generateRequest(r);
    try {
      compare(g);
    } catch (e) {
      throw new Error(`message #${n} of seed ${SEED} (SIP_DIFF_SEED=${SEED}):\n${g.text}\n---\n${(e as Error).message}`, { cause: e });
    }
  }
});

test("the generator covers what it should (compact forms, folding, comma-joined Vias, IPv6, escapes)", () => {
  const r = mulberry32(SEED);
  const texts = Array.from({ length: COUNT }, () => generateRequest(r).text);
  const count = (re: RegExp): number => texts.filter((t) => re.test(t)).length;
  assert.ok(count(/\r\n[vftim] ?:/) > COUNT / 2, "compact header names");
  assert.ok(count(/\r\n [^\r]/) > COUNT / 2, "folded lines");
  assert.ok(count(/z9hG4bK[^\s,;]*[ \r\n]*,[ \r\n]*SIP/) > COUNT / 10, "comma-joined Vias");
  assert.ok(count(/\[2001:db8::/) > COUNT / 10, "IPv6 references");
  assert.ok(count(/%[0-9A-Fa-f]{2}/) > COUNT / 10, "escaped user parts");
  assert.ok(count(/"[^"\r\n]*\\"/) > COUNT / 10, "quoted-pairs in display names");
});

// RFC 4475: SIP torture test messages. The fixtures are the messages of RFC 4475 section 3, decoded
// per its section 2 (<allOneLine>, <hex>, <repeat>, CRLF line ends) and checked byte for byte against
// the RFC's Appendix A archive. Each valid message must parse and read as the RFC describes; each
// invalid one must be refused by the parser, reported by checkMessage, or (where the RFC lets an
// element accept it, or leaves it to the transaction or application layer) documented as tolerated.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import {
  type MessageProblem,
  type SipMessage,
  type SipUri,
  checkMessage,
  isSipUri,
  isRequest,
  isResponse,
  paramValue,
  parseMessage,
  parseUri,
  serializeMessage,
  unescapeUriPart,
  uriEquals,
  isUriParseError,
  viaBranch,
  viaRport,
} from "../../../src/sip/message/index.ts";

const FIXTURES = new URL("../../fixtures/rfc4475/", import.meta.url);

function load(name: string): Buffer {
  return readFileSync(new URL(`${name}.dat`, FIXTURES));
}

function parsed(name: string): SipMessage {
  const r = parseMessage(load(name));
  if (!r.ok) assert.fail(`${name}: parse failed at line ${r.error.line}: ${r.error.reason}`);
  return r.message;
}

function sipUri(u: unknown): SipUri {
  assert.ok(u && typeof u === "object" && isSipUri(u as SipUri), `not a SIP URI: ${JSON.stringify(u)}`);
  return u as SipUri;
}

function problemsText(p: readonly MessageProblem[]): string {
  return p.map((x) => `${x.header}: ${x.reason} [${x.status}]`).join("; ");
}

const SDP_LENGTH = 150;

interface ValidCase {
  readonly name: string;
  readonly section: string;
  /** Problems checkMessage may report that the RFC leaves to the application, as [header, reason]. */
  readonly appLevel?: readonly (readonly [string, RegExp])[];
  readonly verify: (m: SipMessage) => void;
}

// RFC 4475 3.1.1: valid messages, plus the messages of 3.2-3.4 that are well formed at this layer.
const VALID: readonly ValidCase[] = [
  {
    name: "wsinv",
    section: "3.1.1.1 A Short Tortuous INVITE",
    verify(m) {
      assert.ok(isRequest(m), "isRequest(m)");
      assert.equal(m.method, "INVITE");
      const ruri = sipUri(m.uri);
      assert.equal(ruri.user, "vivekg");
      assert.equal(ruri.host, "chair-dnrc.example.com");
      assert.deepEqual(ruri.params, [{ name: "unknownparam" }]);
      // folded To with LWS around ";" and "="
      assert.equal(m.to.displayName, undefined);
      assert.equal(sipUri(m.to.uri).user, "vivekg");
      assert.equal(m.toTag, "1918181833n");
      // escaped characters within quotes: "J Rosenberg \\\"" is J Rosenberg \"
      assert.equal(m.from.displayName, 'J Rosenberg \\"');
      assert.equal(sipUri(m.from.uri).user, "jdrosen");
      assert.equal(m.fromTag, "98asjd8");
      // integer fields with leading zeros
      assert.equal(m.header("max-forwards"), "0068");
      assert.deepEqual(m.cseq, { seq: 9, method: "INVITE" });
      assert.equal(m.callId, "wsinv.ndaksdj@192.0.2.1");
      // Via and v: mixed, one folded with LWS around "/", one comma-separated
      const vias = m.vias;
      assert.deepEqual(
        vias.map((v) => [v.protocolName, v.protocolVersion, v.transport, v.host, v.port, viaBranch(v)]),
        [
          ["SIP", "2.0", "UDP", "192.0.2.2", undefined, "390skdjuw"],
          ["SIP", "2.0", "TCP", "spindle.example.com", undefined, "z9hG4bK9ikj8"],
          ["SIP", "2.0", "UDP", "192.168.255.111", undefined, "z9hG4bK30239"],
        ],
      );
      assert.equal(m.branch, "390skdjuw");
      assert.equal(m.topVia.host, "192.0.2.2");
      // an empty Subject in compact form
      assert.equal(m.header("subject"), "");
      assert.ok(m.hasHeader("Subject"), 'm.hasHeader("Subject")');
      assert.equal(m.header("NewFangledHeader"), "newfangled value continued newfangled value");
      assert.equal(m.header("unknownheaderwithunusualvalue"), ";;,,;;,;");
      const route = m.nameAddrs("route");
      assert.equal(route.length, 1);
      assert.deepEqual(sipUri(route[0].uri).params, [{ name: "lr" }, { name: "unknownwith", value: "value" }, { name: "unknown-no-value" }]);
      const contact = m.nameAddrs("contact");
      assert.equal(contact.length, 1);
      assert.equal(contact[0].displayName, 'Quoted string ""');
      assert.equal(paramValue(contact[0].params, "newparam"), "newvalue");
      assert.equal(paramValue(contact[0].params, "secondparam"), "");
      assert.equal(paramValue(contact[0].params, "q"), "0.33");
      assert.equal(m.contentType, "application/sdp");
      assert.equal(m.body.length, SDP_LENGTH);
      assert.ok(m.bodyText.startsWith("v=0\r\n"), 'm.bodyText.startsWith("v=0\\r\\n")');
      assert.ok(m.bodyText.endsWith("a=rtpmap:31 LPC\r\n"), 'm.bodyText.endsWith("a=rtpmap:31 LPC\\r\\n")');
    },
  },
  {
    name: "intmeth",
    section: "3.1.1.2 Wide Range of Valid Characters",
    verify(m) {
      assert.ok(isRequest(m), "isRequest(m)");
      assert.equal(m.method, "!interesting-Method0123456789_*+`.%indeed'~");
      assert.notEqual(m.method, "INVITE");
      const ruri = sipUri(m.uri);
      assert.equal(ruri.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
      assert.equal(ruri.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
      assert.equal(ruri.host, "example.com");
      assert.deepEqual(ruri.params, []);
      assert.deepEqual(ruri.headers, []);
      assert.equal(m.topVia.transport, "TCP");
      assert.equal(m.branch, "z9hG4bK-.!%66*_+`'~");
      // quoted-pairs including a quoted NUL
      assert.equal(m.to.displayName, "BEL:\x07 NUL:\x00 DEL:\x7f");
      assert.equal(sipUri(m.to.uri).user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
      assert.equal(m.from.displayName, "token1~` token2'+_ token3*%!.-");
      assert.equal(sipUri(m.from.uri).user, "mundane");
      assert.equal(paramValue(m.from.params, "fromParam''~+*_!.-%"), "работающий");
      assert.equal(m.fromTag, "_token~1'+`*%!-.");
      assert.equal(m.callId, "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{");
      assert.deepEqual(m.cseq, { seq: 139122385, method: "!interesting-Method0123456789_*+`.%indeed'~" });
      assert.equal(m.header("max-forwards"), "255");
      // UTF8-NONASCII value beginning with U+FEFF: kept, not trimmed away as whitespace
      assert.equal(m.header("extensionHeader-!.%*+_`'~"), "\ufeff大停電");
      assert.equal(m.body.length, 0);
    },
  },
  {
    name: "esc01",
    section: "3.1.1.3 Valid Use of the % Escaping Mechanism",
    verify(m) {
      assert.ok(isRequest(m), "isRequest(m)");
      const ruri = sipUri(m.uri);
      assert.equal(ruri.user, "sips%3Auser%40example.com");
      assert.equal(unescapeUriPart(ruri.user), "sips:user@example.com");
      assert.equal(ruri.host, "example.net");
      assert.equal(unescapeUriPart(sipUri(m.to.uri).user!), "user");
      assert.ok(uriEquals(m.to.uri, parseUri("sip:user@example.com") as SipUri), 'uriEquals(m.to.uri, parseUri("sip:user@example.com") as SipUri)');
      assert.equal(unescapeUriPart(sipUri(m.from.uri).user!), "I have spaces");
      assert.equal(m.fromTag, "938");
      assert.equal(m.callId, "esc01.239409asdfakjkn23onasd0-3234"); // compact i:
      assert.equal(m.contentType, "application/sdp"); // compact C: (upper case)
      const contact = sipUri(m.nameAddrs("contact")[0].uri);
      assert.equal(unescapeUriPart(contact.user!), "caller");
      assert.deepEqual(
        contact.params.map((p) => [unescapeUriPart(p.name), p.value === undefined ? undefined : unescapeUriPart(p.value)]),
        [
          ["lr", undefined],
          // unescaping is never recursive: v%61lue%25%34%31 is value%41, not valueA (RFC 3986)
          ["name", "value%41"],
        ],
      );
      assert.ok(uriEquals(contact, parseUri("sip:caller@host5.example.net;lr;name=value%2541") as SipUri), 'uriEquals(contact, parseUri("sip:caller@host5.example.net;lr;name=value%2541") as SipUri)');
      assert.ok(!uriEquals(contact, parseUri("sip:caller@host5.example.net;lr;name=valueA") as SipUri), '!uriEquals(contact, parseUri("sip:caller@host5.example.net;lr;name=valueA") as SipUri)');
      assert.equal(m.body.length, SDP_LENGTH);
    },
  },
  {
    name: "escnull",
    section: "3.1.1.4 Escaped Nulls in URIs",
    verify(m) {
      assert.ok(isRequest(m), "isRequest(m)");
      assert.equal(m.method, "REGISTER");
      const aor = sipUri(m.to.uri);
      assert.equal(aor.user, "null-%00-null");
      // unescaping must not shorten the user name at the NUL
      assert.equal(unescapeUriPart(aor.user), "null-\u0000-null");
      assert.equal(unescapeUriPart(aor.user).length, 11);
      assert.equal(unescapeUriPart(sipUri(m.from.uri).user!), "null-\u0000-null");
      const contacts = m.nameAddrs("contact").map((c) => sipUri(c.uri));
      assert.deepEqual(
        contacts.map((c) => unescapeUriPart(c.user!)),
        ["\u0000", "\u0000\u0000"],
      );
      // two distinct contacts
      assert.ok(!uriEquals(contacts[0], contacts[1]), "!uriEquals(contacts[0]!, contacts[1]!)");
      assert.equal(m.header("l"), "0");
    },
  },
  {
    name: "esc02",
    section: "3.1.1.5 Use of % When It Is Not an Escape",
    verify(m) {
      assert.ok(isRequest(m), "isRequest(m)");
      // % is not an escape in a method: an unknown method, not REGISTER
      assert.equal(m.method, "RE%47IST%45R");
      assert.deepEqual(m.cseq, { seq: 29344, method: "RE%47IST%45R" });
      assert.equal(m.to.displayName, "%Z%45");
      assert.equal(m.from.displayName, "%Z%45");
      assert.equal(m.branch, "z9hG4bK209%fzsnel234");
      // two Contact values, not three: C%6Fntact is another header
      assert.deepEqual(
        m.nameAddrs("contact").map((c) => sipUri(c.uri).host),
        ["host1.example.com", "host3.example.com"],
      );
      assert.equal(m.header("C%6Fntact"), "<sip:alias2@host2.example.com>");
    },
  },
  {
    name: "lwsdisp",
    section: "3.1.1.6 Message with No LWS between Display Name and <",
    verify(m) {
      assert.equal(m.from.displayName, "caller");
      assert.equal(sipUri(m.from.uri).user, "caller");
      assert.equal(m.fromTag, "323");
    },
  },
  {
    name: "longreq",
    section: "3.1.1.7 Long Values in Header Fields",
    verify(m) {
      assert.ok(isRequest(m), "isRequest(m)");
      assert.equal(m.to.displayName, `I have a user name of ${"extreme".repeat(10)} proportion`);
      const to = sipUri(m.to.uri);
      assert.equal(to.port, 6000);
      assert.deepEqual(to.params, [
        { name: "unknownparam1", value: `very${"long".repeat(20)}value` },
        { name: `longparam${"name".repeat(25)}`, value: "shortvalue" },
        { name: `very${"long".repeat(25)}ParameterNameWithNoValue` },
      ]);
      const longName = "amazinglylongcallername".repeat(5);
      assert.equal(sipUri(m.from.uri).user, longName);
      assert.equal(m.fromTag, `12${"982".repeat(50)}424`);
      assert.equal(paramValue(m.from.params, `unknownheaderparam${"name".repeat(20)}`), `unknowheaderparam${"value".repeat(15)}`);
      assert.equal(paramValue(m.from.params, `unknownValueless${"paramname".repeat(10)}`), "");
      assert.equal(m.callId, `longreq.one${"really".repeat(20)}longcallid`);
      const vias = m.vias;
      assert.equal(vias.length, 34);
      assert.deepEqual(
        vias.slice(0, 33).map((v) => v.host),
        Array.from({ length: 33 }, (_x, i) => `sip${33 - i}.example.com`),
      );
      assert.equal(vias[33].host, "host.example.com");
      assert.equal(paramValue(vias[33].params, "received"), "192.0.2.5");
      assert.equal(viaBranch(vias[33]), `very${"long".repeat(50)}branchvalue`);
      assert.equal(m.branch, undefined); // the top Via has no branch
      assert.equal(m.header(`Unknown-${"Long".repeat(20)}-Name`), `unknown-${"long".repeat(20)}-value; unknown-${"long".repeat(20)}-parameter-name = unknown-${"long".repeat(20)}-parameter-value`);
      assert.equal(sipUri(m.nameAddrs("contact")[0].uri).user, longName);
      assert.equal(m.body.length, SDP_LENGTH);
    },
  },
  {
    name: "dblreq",
    section: "3.1.1.8 Extra Trailing Octets in a UDP Datagram",
    verify(m) {
      assert.ok(isRequest(m), "isRequest(m)");
      // Content-Length: 0 frames the REGISTER; the INVITE after it is noise (RFC 3261 18.3)
      assert.equal(m.method, "REGISTER");
      assert.equal(m.body.length, 0);
      assert.equal(m.callId, "dblreq.0ha0isndaksdj99sdfafnl3lk233412");
      assert.equal(m.headers.length, 8);
      assert.equal(m.header("to"), "sip:j.user@example.com");
      assert.equal(m.branch, "z9hG4bKkdjuw23492");
      // the serialized request does not carry the INVITE octets
      assert.ok(!serializeMessage(m).toString("latin1").includes("INVITE"), '!serializeMessage(m).toString("latin1").includes("INVITE")');
    },
  },
  {
    name: "semiuri",
    section: "3.1.1.9 Semicolon-Separated Parameters in URI User Part",
    verify(m) {
      assert.ok(isRequest(m), "isRequest(m)");
      const ruri = sipUri(m.uri);
      assert.equal(unescapeUriPart(ruri.user!), "user;par=u@example.net");
      assert.equal(ruri.host, "example.com");
      assert.deepEqual(ruri.params, []);
      // a folded Accept list
      assert.deepEqual(m.headerValues("accept"), ["application/sdp", "application/pkcs7-mime", "multipart/mixed", "multipart/signed", "message/sip", "message/sipfrag"]);
    },
  },
  {
    name: "transports",
    section: "3.1.1.10 Varied and Unknown Transport Types",
    verify(m) {
      assert.deepEqual(
        m.vias.map((v) => v.transport),
        ["UDP", "SCTP", "TLS", "UNKNOWN", "TCP"],
      );
      assert.deepEqual(
        m.vias.map((v) => v.host),
        ["t1.example.com", "t2.example.com", "t3.example.com", "t4.example.com", "t5.example.com"],
      );
      assert.equal(m.callId, "transports.kijh4akdnaqjkwendsasfdj"); // two spaces after the colon
    },
  },
  {
    name: "mpart01",
    section: "3.1.1.11 Multipart MIME Message",
    verify(m) {
      assert.ok(isRequest(m), "isRequest(m)");
      assert.equal(m.method, "MESSAGE");
      assert.equal(m.header("content-length"), "553");
      assert.equal(m.body.length, 553);
      assert.equal(m.contentType, "multipart/mixed;boundary=7a9cbec02ceef655");
      // the binary part contains NULs and bare LFs; framing is by Content-Length only
      assert.ok(m.body.includes(0), "m.body.includes(0)");
      assert.ok(m.body.subarray(-24).equals(Buffer.from("\r\n--7a9cbec02ceef655--\r\n")), 'm.body.subarray(-24).equals(Buffer.from("\\r\\n--7a9cbec02ceef655--\\r\\n"))');
      assert.equal(viaRport(m.topVia), "requested");
      assert.equal(m.topVia.port, 5070);
      assert.equal(m.callId, "3d9485ad0c49859b@Zmx1ZmZ5LW1hYy0xNi5sb2NhbA..");
    },
  },
  {
    name: "unreason",
    section: "3.1.1.12 Unusual Reason Phrase",
    verify(m) {
      assert.ok(isResponse(m), "isResponse(m)");
      assert.equal(m.status, 200);
      assert.equal(m.reason, "= 2**3 * 5**2 но сто девяносто девять - простое");
      assert.equal(m.toTag, "2229");
      assert.equal(m.body.length, 154);
    },
  },
  {
    name: "noreason",
    section: "3.1.1.13 Empty Reason Phrase",
    verify(m) {
      assert.ok(isResponse(m), "isResponse(m)");
      assert.equal(m.status, 100);
      assert.equal(m.reason, "");
      assert.equal(m.startLine(), "SIP/2.0 100 ");
    },
  },
  // 3.2: transaction layer
  {
    name: "badbranch",
    section: "3.2.1 Missing Transaction Identifier (tolerated here: the transaction layer decides)",
    verify(m) {
      // a parser must not break; the branch is the bare magic cookie
      assert.equal(m.branch, "z9hG4bK");
      assert.equal(m.topVia.host, "192.0.2.1");
    },
  },
  // 3.3: application layer
  {
    name: "unkscm",
    section: "3.3.2 Request-URI with Unknown Scheme (416 is the application's)",
    verify(m) {
      assert.ok(isRequest(m), "isRequest(m)");
      assert.deepEqual(m.uri, { scheme: "nobodyknowsthisscheme", text: "nobodyKnowsThisScheme:totallyopaquecontent" });
    },
  },
  {
    name: "novelsc",
    section: "3.3.3 Request-URI with Known but Atypical Scheme",
    verify(m) {
      assert.ok(isRequest(m), "isRequest(m)");
      assert.equal(m.uri.scheme, "soap.beep");
    },
  },
  {
    name: "unksm2",
    section: "3.3.4 Unknown URI Schemes in Header Fields",
    verify(m) {
      assert.equal(m.to.uri.scheme, "isbn");
      assert.equal(m.from.uri.scheme, "http");
      assert.equal(m.fromTag, "3234233");
      assert.equal(m.nameAddrs("contact")[0].uri.scheme, "name");
    },
  },
  {
    name: "bext01",
    section: "3.3.5 Proxy-Require and Require (420 is the application's)",
    verify(m) {
      assert.deepEqual(m.optionTags("require"), ["nothingsupportsthis", "nothingsupportsthiseither"]);
      assert.deepEqual(m.optionTags("proxy-require"), ["noproxiessupportthis", "nordoanyproxiessupportthis"]);
      assert.equal(m.topVia.transport, "TLS");
    },
  },
  {
    name: "invut",
    section: "3.3.6 Unknown Content-Type (415 is the application's)",
    verify(m) {
      assert.equal(m.contentType, "application/unknownformat");
      assert.equal(m.bodyText, '<audio>\r\n <pcmu port="443"/>\r\n</audio>\r\n');
    },
  },
  {
    name: "regaut01",
    section: "3.3.7 Unknown Authorization Scheme",
    verify(m) {
      assert.equal(m.header("authorization"), "NoOneKnowsThisScheme opaque-data=here");
      assert.equal(m.header("content-length"), "0");
    },
  },
  {
    name: "bcast",
    section: "3.3.10 200 OK Response with Broadcast Via Header Field Value",
    verify(m) {
      assert.ok(isResponse(m), "isResponse(m)");
      assert.deepEqual(
        m.vias.map((v) => v.host),
        ["192.0.2.198", "255.255.255.255"],
      );
    },
  },
  {
    name: "zeromf",
    section: "3.3.11 Max-Forwards of Zero (483 is a proxy's)",
    verify(m) {
      assert.equal(m.header("max-forwards"), "0");
    },
  },
  {
    name: "cparam01",
    section: "3.3.12 REGISTER with a Contact Header Parameter",
    verify(m) {
      const [c] = m.nameAddrs("contact");
      // in an addr-spec the parameters are header parameters, not URI parameters (RFC 3261 20.10)
      assert.deepEqual(sipUri(c.uri).params, []);
      assert.deepEqual(c.params, [{ name: "unknownparam" }]);
      assert.equal(sipUri(c.uri).user, "+19725552222");
    },
  },
  {
    name: "cparam02",
    section: "3.3.13 REGISTER with a url-parameter",
    verify(m) {
      const [c] = m.nameAddrs("contact");
      assert.deepEqual(sipUri(c.uri).params, [{ name: "unknownparam" }]);
      assert.deepEqual(c.params, []);
    },
  },
  {
    name: "regescrt",
    section: "3.3.14 REGISTER with a URL Escaped Header (the registrar rejects it)",
    verify(m) {
      const [c] = m.nameAddrs("contact");
      assert.deepEqual(sipUri(c.uri).headers, [{ name: "Route", value: "%3Csip:sip.example.com%3E" }]);
      assert.equal(unescapeUriPart(sipUri(c.uri).headers[0].value!), "<sip:sip.example.com>");
    },
  },
  {
    name: "sdp01",
    section: "3.3.15 Unacceptable Accept Offering (406 is the application's)",
    verify(m) {
      assert.equal(m.header("accept"), "text/nobodyKnowsThis");
      assert.equal(m.body.length, SDP_LENGTH);
    },
  },
  // 3.4: backward compatibility
  {
    name: "inv2543",
    section: "3.4.1 INVITE with RFC 2543 Syntax",
    // RFC 3261 8.1.1 makes Max-Forwards mandatory; an element keeping RFC 2543 compatibility accepts its absence
    appLevel: [["Max-Forwards", /missing/]],
    verify(m) {
      assert.equal(m.branch, undefined);
      assert.equal(m.fromTag, undefined);
      assert.equal(m.from.displayName, undefined);
      assert.equal(paramValue(sipUri(m.from.uri).params, "user"), "phone");
      // addr-spec To: ;user=phone is a header parameter of To, not a URI parameter
      assert.equal(sipUri(m.to.uri).user, "+16505552222");
      assert.equal(paramValue(m.to.params, "user"), "phone");
      assert.equal(m.header("content-length"), undefined);
      // no Content-Length: the body runs to the end of the datagram
      assert.equal(m.bodyText, "v=0\r\no=mhandley 29739 7272939 IN IP4 192.0.2.5\r\ns=-\r\nc=IN IP4 192.0.2.5\r\nt=0 0\r\nm=audio 49217 RTP/AVP 0\r\n");
      assert.equal(paramValue(sipUri(m.nameAddrs("record-route")[0].uri).params, "maddr"), "ss1.example.com");
    },
  },
];

type Outcome = { readonly parse: RegExp } | { readonly problems: readonly (readonly [string, RegExp, number?])[] } | { readonly tolerated: string; readonly verify?: (m: SipMessage) => void };

interface InvalidCase {
  readonly name: string;
  readonly section: string;
  readonly outcome: Outcome;
}

// RFC 4475 3.1.2 (invalid messages) and 3.3 messages that are errors in a request as received.
const INVALID: readonly InvalidCase[] = [
  {
    name: "badinv01",
    section: "3.1.2.1 Extraneous Header Field Separators",
    outcome: {
      problems: [
        ["Via", /malformed Via parameters/],
        ["Contact", /malformed parameters/],
      ],
    },
  },
  { name: "clerr", section: "3.1.2.2 Content Length Larger Than Message", outcome: { parse: /Content-Length 9999 exceeds/ } },
  { name: "ncl", section: "3.1.2.3 Negative Content-Length", outcome: { parse: /Content-Length "-999"/ } },
  {
    name: "scalar02",
    section: "3.1.2.4 Request Scalar Fields with Overlarge Values",
    outcome: {
      problems: [
        ["CSeq", /36893488147419103232/],
        ["Max-Forwards", /"300" is not 0 to 255/],
      ],
    },
  },
  { name: "scalarlg", section: "3.1.2.5 Response Scalar Fields with Overlarge Values", outcome: { problems: [["CSeq", /9292394834772304023312/]] } },
  { name: "quotbal", section: "3.1.2.6 Unterminated Quoted String in Display Name", outcome: { problems: [["To", /unterminated quoted display name/]] } },
  { name: "ltgtruri", section: "3.1.2.7 <> Enclosing Request-URI", outcome: { parse: /Request-URI "<sip:user@example.com>" is not an absolute URI/ } },
  { name: "lwsruri", section: "3.1.2.8 Malformed SIP Request-URI (embedded LWS)", outcome: { parse: /Request-Line .* more than three parts/ } },
  { name: "lwsstart", section: "3.1.2.9 Multiple SP Separating Request-Line Elements", outcome: { parse: /Request-Line .* more than three parts/ } },
  { name: "trws", section: "3.1.2.10 SP Characters at End of Request-Line", outcome: { parse: /Request-Line .* more than three parts/ } },
  { name: "escruri", section: "3.1.2.11 Escaped Headers in SIP Request-URI", outcome: { problems: [["Request-URI", /headers .* not allowed in a Request-URI/]] } },
  {
    name: "baddate",
    section: "3.1.2.12 Invalid Time Zone in Date Header Field",
    outcome: {
      tolerated: "RFC 4475: an element should not reject it unless the Date matters to its processing",
      verify: (m) => assert.equal(m.header("date"), "Fri, 01 Jan 2010 16:00:00 EST"),
    },
  },
  { name: "regbadct", section: "3.1.2.13 Failure to Enclose name-addr URI in <>", outcome: { problems: [["Contact", /not enclosed in <>/]] } },
  { name: "badaspec", section: "3.1.2.14 Spaces within addr-spec", outcome: { problems: [["To", /URI scheme " sip"/]] } },
  // The RFC's archive ends baddn after "l: 0" CRLF with no empty line; the display names are checked below with it added.
  { name: "baddn", section: "3.1.2.15 Non-token Characters in Display Name", outcome: { parse: /no empty line after the header fields/ } },
  { name: "badvers", section: "3.1.2.16 Unknown Protocol Version", outcome: { problems: [["Request-Line", /SIP\/7\.0|version/, 505]] } },
  { name: "mismatch01", section: "3.1.2.17 Start Line and CSeq Method Mismatch", outcome: { problems: [["CSeq", /method INVITE does not match .* OPTIONS/]] } },
  { name: "mismatch02", section: "3.1.2.18 Unknown Method with CSeq Method Mismatch", outcome: { problems: [["CSeq", /method INVITE does not match .* NEWMETHOD/]] } },
  { name: "bigcode", section: "3.1.2.19 Overlarge Response Code", outcome: { parse: /Status-Code/ } },
  {
    name: "insuf",
    section: "3.3.1 Missing Required Header Fields",
    outcome: {
      problems: [
        ["From", /missing/],
        ["To", /missing/],
        ["Call-ID", /missing/],
        ["Max-Forwards", /missing/],
      ],
    },
  },
  {
    name: "multi01",
    section: "3.3.8 Multiple Values in Single Value Required Fields",
    outcome: {
      problems: [
        ["Call-ID", /appears 2 times/],
        ["CSeq", /appears 2 times/],
        ["From", /appears 2 times/],
        ["To", /appears 2 times/],
        ["Max-Forwards", /appears 2 times/],
      ],
    },
  },
  { name: "mcl01", section: "3.3.9 Multiple Content-Length Values", outcome: { parse: /two different Content-Length values/ } },
];

describe("RFC 4475 fixtures", () => {
  test("every message of RFC 4475 section 3 is covered by exactly one case", () => {
    const files = readdirSync(FIXTURES)
      .filter((f) => f.endsWith(".dat"))
      .map((f) => f.slice(0, -4))
      .sort();
    const cases = [...VALID.map((c) => c.name), ...INVALID.map((c) => c.name)].sort();
    assert.equal(files.length, 49);
    assert.deepEqual(cases, files);
  });

  test("fixtures are bit-exact: CRLF line ends and the Content-Length the RFC gives", () => {
    const wsinv = load("wsinv");
    assert.equal(wsinv.length, 1001);
    const requestLine = Buffer.from("INVITE sip:vivekg@chair-dnrc.example.com;unknownparam SIP/2.0\r\n");
    assert.ok(wsinv.subarray(0, requestLine.length).equals(requestLine), "wsinv starts with its Request-Line and CRLF");
    assert.equal(load("longreq").length, 3515);
    assert.equal(load("mpart01").length, 1290);
    // intmeth carries a raw NUL, BEL and DEL inside the To display name
    assert.ok(
      load("intmeth").includes(Buffer.from('To: "BEL:\\\x07 NUL:\\\x00 DEL:\\\x7f" <', "latin1")),
      'load("intmeth").includes(Buffer.from(\'To: "BEL:\\\\\\x07 NUL:\\\\\\x00 DEL:\\\\\\x7f" <\', "latin1"))',
    );
  });
});

describe("RFC 4475 valid messages", () => {
  for (const c of VALID) {
    test(`${c.name} (${c.section})`, () => {
      const m = parsed(c.name);
      const problems = checkMessage(m);
      const expected = c.appLevel ?? [];
      assert.equal(problems.length, expected.length, `unexpected problems: ${problemsText(problems)}`);
      expected.forEach(([header, reason], i) => {
        assert.equal(problems[i].header, header);
        assert.match(problems[i].reason, reason);
      });
      c.verify(m);
    });
  }
});

describe("RFC 4475 invalid messages", () => {
  for (const c of INVALID) {
    test(`${c.name} (${c.section})`, () => {
      const r = parseMessage(load(c.name));
      const o = c.outcome;
      if ("parse" in o) {
        if (r.ok) assert.fail(`${c.name} parsed; expected a parse error ${o.parse}`);
        assert.match(r.error.reason, o.parse);
        assert.ok(r.error.position >= 0, "r.error.position >= 0");
        return;
      }
      if (!r.ok) assert.fail(`${c.name}: unexpected parse error: ${r.error.reason}`);
      const problems = checkMessage(r.message);
      if ("tolerated" in o) {
        assert.deepEqual(problems, [], `${c.name} is tolerated (${o.tolerated}) but checkMessage reports ${problemsText(problems)}`);
        o.verify?.(r.message);
        return;
      }
      assert.equal(problems.length, o.problems.length, `problems: ${problemsText(problems)}`);
      o.problems.forEach(([header, reason, status], i) => {
        assert.equal(problems[i].header, header, problemsText(problems));
        assert.match(problems[i].reason, reason);
        assert.equal(problems[i].status, status ?? 400);
      });
    });
  }

  test("baddn with its missing empty line added: the unquoted display names are reported", () => {
    const r = parseMessage(Buffer.concat([load("baddn"), Buffer.from("\r\n")]));
    if (!r.ok) assert.fail(r.error.reason);
    const problems = checkMessage(r.message);
    assert.deepEqual(
      problems.map((p) => p.header),
      ["From", "To"],
    );
    assert.match(problems[0].reason, /"Bell, Alexander" has characters that need quoting/);
    assert.match(problems[1].reason, /"Watson, Thomas" has characters that need quoting/);
  });

  test("ncl's other form: a Content-Length that is not a number", () => {
    const text = load("ncl").toString("latin1").replace("Content-Length: -999", "Content-Length: five");
    const r = parseMessage(Buffer.from(text, "latin1"));
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.error.reason, /Content-Length "five"/);
  });

  test("clerr over a stream is framed by the transport; over a datagram it is refused with the line count", () => {
    const r = parseMessage(load("clerr"));
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.match(r.error.reason, /Content-Length/);
      assert.equal(r.error.position, load("clerr").length);
    }
  });
});

describe("RFC 4475 messages survive serialization", () => {
  for (const c of VALID) {
    if (c.name === "dblreq") continue; // its trailing octets are discarded, tested above
    test(`${c.name}: serialize with contentLength "keep" gives the received bytes back`, () => {
      const input = load(c.name);
      const m = parsed(c.name);
      assert.ok(serializeMessage(m, { contentLength: "keep" }).equals(input), 'serializeMessage(m, { contentLength: "keep" }).equals(input)');
      const again = parseMessage(serializeMessage(m));
      if (!again.ok) assert.fail(again.error.reason);
      assert.equal(again.message.startLine(), m.startLine());
      assert.equal(again.message.headers.length, m.headers.length + (m.hasHeader("content-length") ? 0 : 1));
      assert.ok(again.message.body.equals(m.body), "again.message.body.equals(m.body)");
    });
  }
});

test("parseUri of every RFC 4475 Request-URI that parses is not an error or is a documented one", () => {
  // escruri is the only SIP Request-URI with headers; every other parsed SIP Request-URI has none
  for (const c of VALID) {
    const m = parsed(c.name);
    if (!isRequest(m)) continue;
    const u = parseUri(m.uriText);
    assert.ok(!isUriParseError(u), `${c.name}: ${JSON.stringify(u)}`);
    if (isSipUri(u)) assert.deepEqual(u.headers, [], c.name);
  }
});

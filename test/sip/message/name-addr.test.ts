import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { type NameAddr, formatNameAddr, isNameAddrError, parseNameAddr, plainNameAddr, tagOf } from "../../../src/sip/message/name-addr.ts";
import { mulberry32 } from "./prng.ts";
import { type SipUri, formatUri, parseUri } from "../../../src/sip/message/uri.ts";
import { parseMessage } from "../../../src/sip/message/parser.ts";

function na(text: string): NameAddr {
  const r = parseNameAddr(text);
  if (isNameAddrError(r)) assert.fail(`${text}: ${r.error}`);
  return r;
}

function error(text: string): string {
  const r = parseNameAddr(text);
  if (!isNameAddrError(r)) assert.fail(`${text} parsed as ${JSON.stringify(r)}`);
  return r.error;
}

describe("parseNameAddr (RFC 3261 20.10, 25.1)", () => {
  test("quoted display name with header parameters", () => {
    const v = na('"Bob" <sips:bob@biloxi.com> ;tag=a48s');
    assert.equal(v.displayName, "Bob");
    assert.equal(formatUri(v.uri), "sips:bob@biloxi.com");
    assert.deepEqual(v.params, [{ name: "tag", value: "a48s" }]);
    assert.equal(tagOf(v), "a48s");
  });

  test("quoted display names with escaped quotes and backslashes (quoted-pair)", () => {
    assert.equal(na('"Mr. \\"Big\\" Watson" <sip:w@example.org>').displayName, 'Mr. "Big" Watson');
    assert.equal(na('"back\\\\slash" <sip:w@example.org>').displayName, "back\\slash");
    assert.equal(na('"a <b> , c" <sip:w@example.org>').displayName, "a <b> , c");
    assert.equal(na('"" <sip:w@example.org>').displayName, "");
    assert.equal(formatUri(na('"x<sip:fake@evil>" <sip:real@example.org>').uri), "sip:real@example.org");
  });

  test("token display names: several tokens with LWS, no LWS before <", () => {
    assert.equal(na("Anonymous <sip:c8oqz84zk7z@privacy.org>;tag=hyh8").displayName, "Anonymous");
    assert.equal(na("A.  G.\tBell <sip:agb@bell-telephone.com>").displayName, "A. G. Bell");
    assert.equal(na("caller<sip:caller@example.com>;tag=323").displayName, "caller");
    assert.match(error("Bell, Alexander <sip:a.g.bell@example.com>"), /need quoting/);
    assert.match(error("Dr. Who? <sip:who@example.com>"), /need quoting/);
  });

  test("addr-spec: parameters after the URI belong to the header", () => {
    const v = na("sip:+12125551212@phone2net.com;tag=887s");
    assert.equal(v.displayName, undefined);
    assert.deepEqual((v.uri as SipUri).params, []);
    assert.deepEqual(v.params, [{ name: "tag", value: "887s" }]);
    const w = na("<sip:+12125551212@phone2net.com;tag=887s>");
    assert.deepEqual((w.uri as SipUri).params, [{ name: "tag", value: "887s" }]);
    assert.deepEqual(w.params, []);
    assert.equal(tagOf(w), undefined);
  });

  test("header parameters with LWS, flags and quoted values", () => {
    const v = na('<sip:alice@pc33.atlanta.com> ; expires = 3600 ; q=0.7;+sip.instance="<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>";reg-id=1;lr');
    assert.deepEqual(v.params, [
      { name: "expires", value: "3600" },
      { name: "q", value: "0.7" },
      { name: "+sip.instance", value: '"<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>"' },
      { name: "reg-id", value: "1" },
      { name: "lr" },
    ]);
  });

  test("a tag without a value reads as no tag", () => {
    assert.equal(tagOf(na("<sip:a@b.example>;tag")), undefined);
    assert.equal(tagOf(na("<sip:a@b.example>;TAG=Xy")), "Xy");
  });

  test("other schemes inside <>", () => {
    assert.deepEqual(na("<urn:service:sos>").uri, { scheme: "urn", text: "urn:service:sos" });
    assert.equal(na('"T" <tel:+1-201-555-0123>').uri.scheme, "tel");
  });

  test("malformed values are errors, never exceptions", () => {
    assert.match(error('"Mr. J. User <sip:j.user@example.com>'), /unterminated quoted display name/);
    assert.match(error('"Joe" x <sip:joe@example.org>'), /text after the quoted display name/);
    assert.match(error("<sip:joe@example.org"), /missing ">"/);
    assert.match(error('"Joe"'), /quoted display name without <URI>/);
    assert.match(error("< sip:t.watson@example.org >"), /invalid URI scheme/);
    assert.match(error("Watson sip:t.watson@example.org"), /contains whitespace/);
    assert.match(error("<sip:joe@example.org>;;;;"), /malformed parameters/);
    assert.match(error('<sip:joe@example.org>;x="open'), /malformed parameters/);
    assert.match(error("sip:user@example.com?Route=%3Csip:sip.example.com%3E"), /not enclosed in <>/);
    assert.match(error("<nota uri>"), /no scheme/);
  });
});

describe("formatNameAddr", () => {
  test("always writes <> and quotes the display name", () => {
    assert.equal(formatNameAddr(na("sip:a@b.example;tag=1")), "<sip:a@b.example>;tag=1");
    assert.equal(formatNameAddr(na('"Mr. \\"Big\\"" <sip:a@b.example>')), '"Mr. \\"Big\\"" <sip:a@b.example>');
    assert.equal(formatNameAddr(na("Alice <sip:a@b.example;lr>;tag=x;q")), '"Alice" <sip:a@b.example;lr>;tag=x;q');
    const uri = parseUri("sip:bob@biloxi.example");
    assert.equal(formatNameAddr({ displayName: 'a"b', uri: uri as SipUri, params: [{ name: "tag", value: "9" }] }), '"a\\"b" <sip:bob@biloxi.example>;tag=9');
  });

  test("parse(format(x)) gives x back", () => {
    for (const text of ['"Quoted string \\"\\"" <sip:jdrosen@example.com>;newparam=newvalue;secondparam;q=0.33', "<sips:[2001:db8::1]:5061;transport=tls>;expires=0"]) {
      const once = na(text);
      assert.deepEqual(na(formatNameAddr(once)), once);
    }
  });
});

describe("Contact: * is left to callers", () => {
  test("nameAddrs skips * and parseNameAddr refuses it", () => {
    const r = parseMessage("REGISTER sip:registrar.example.com SIP/2.0\r\nContact: *\r\nExpires: 0\r\n\r\n");
    if (!r.ok) assert.fail(r.error.reason);
    assert.equal(r.message.header("contact"), "*");
    assert.deepEqual(r.message.nameAddrs("contact"), []);
    assert.match(error("*"), /no scheme/);
  });
});

describe("plainNameAddr: the URI and tag of a plain name-addr without parsing it whole", () => {
  /** What parseNameAddr says: the URI as formatUri writes it and the tag, or undefined on an error. */
  function full(text: string): { uri: string; tag: string | undefined } | undefined {
    const na = parseNameAddr(text);
    return isNameAddrError(na) ? undefined : { uri: formatUri(na.uri), tag: tagOf(na) };
  }

  test("reads what parseNameAddr reads, for the plain forms", () => {
    const plain = [
      "<sip:bench@ims.test>;tag=a73kszlfl",
      "sipp <sip:sipp@127.0.0.1:5060>;tag=12345SIPpTag001",
      "Bob Smith <sips:bob.smith@biloxi.example.com>;TAG=Up;x",
      "<sip:service@127.0.0.1:5060;transport=udp;lr>",
      "<sip:+1-555%20(x)!~*'&=+$@h_1.example.>;tag=;tag=second",
      "<sip:h>;tag",
      "<sip:10.0.0.1:0>;expires=600;tag=t",
      "Alice <sip:a@b>;+sip.instance;tag=z",
    ];
    for (const text of plain) {
      const expected = full(text);
      assert.ok(expected, `${text} parses`);
      assert.deepEqual(plainNameAddr(text), expected, text);
    }
    assert.equal(plainNameAddr("<sip:h>;tag")?.tag, undefined, "a tag flag is no tag, as tagOf says");
  });

  test("leaves every other spelling to parseNameAddr (null), valid or not", () => {
    const others = [
      '"Quoted" <sip:a@b>;tag=1',
      "sip:a@b;tag=1",
      "<SIP:a@b>;tag=1",
      "<tel:+15555550100>;tag=1",
      "<sip:a@[2001:db8::1]>;tag=1",
      "<sip:a:secret@b>;tag=1",
      "<sip:a;b@c>;tag=1",
      "<sip:a@b?subject=x>;tag=1",
      "<sip:a@b:05060>;tag=1",
      "<sip:a@b:65536>;tag=1",
      "<sip:a@b:>;tag=1",
      "<sip:a@-b>;tag=1",
      "<sip:a@b.->;tag=1",
      "<sip:@b>;tag=1",
      "<sip:a@b> ;tag=1",
      "<sip:a@b>;tag=1 ",
      '<sip:a@b>;tag="x"',
      "<sip:a@b>;;tag=1",
      "<sip:a@b;=x>;tag=1",
      "<sip:a@b>;tag=1, <sip:c@d>",
      "Al\tice <sip:a@b>",
      "<sip:a@b",
      "",
    ];
    for (const text of others) assert.equal(plainNameAddr(text), null, text);
  });

  test("never disagrees with parseNameAddr on 20,000 generated values", () => {
    const rng = mulberry32(4242);
    const pieces = ["<", ">", "sip:", "sips:", "a", "B_", "1", "@", ":", "5060", "0", ";", "tag", "=", "x", ".", "-", " ", '"', ",", "%20", "[", "]", "?", "lr", "TAG"];
    let plainOnes = 0;
    for (let k = 0; k < 20_000; k++) {
      const text = rng.chance(0.5)
        ? `${rng.pick(["", "Al ", "x "])}<sip:${rng.pick(["", "u@", "u.v@"])}${rng.pick(["h", "h.example", "1.2.3.4", "h-"])}${rng.pick(["", ":5060", ":0", ":070"])}${rng.pick(["", ";lr", ";transport=tcp"])}>${rng.pick(["", ";tag=t1", ";Tag=T;tag=u", ";tag", ";x=1"])}`
        : Array.from({ length: rng.int(1, 12) }, () => rng.pick(pieces)).join("");
      const plain = plainNameAddr(text);
      if (plain === null) continue;
      plainOnes++;
      assert.deepEqual(plain, full(text), text);
    }
    assert.ok(plainOnes > 5000, `${plainOnes} plain values generated`);
  });

  test("a message's tags and a dialog's remote target are the same read either way", () => {
    const r = parseMessage(
      'SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: "Quoted" <sip:a@b>;tag=f1\r\nTo: <sip:c@d>;tag=t1\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n',
    );
    assert.ok(r.ok);
    assert.equal(r.message.fromTag, "f1", "quoted display name: parsed");
    assert.equal(r.message.toTag, "t1", "plain: read off");
  });
});

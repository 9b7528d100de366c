import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { type SipUri, type TelUri, type Uri, formatUri, isSipUri, isTelUri, isUriParseError, parseUri, telDigits, unescapeUriPart, uriEquals } from "../../../src/sip/message/uri.ts";

function uri(text: string): Uri {
  const u = parseUri(text);
  if (isUriParseError(u)) assert.fail(`${text}: ${u.error}`);
  return u;
}

function sip(text: string): SipUri {
  const u = uri(text);
  assert.equal(isSipUri(u), true, `${text} is not a SIP URI`);
  return u as SipUri;
}

/** The URI without keys whose value is undefined (the parser gives every SIP URI one object shape). */
function defined<T extends object>(u: T): Partial<T> {
  return Object.fromEntries(Object.entries(u).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function tel(text: string): TelUri {
  const u = uri(text);
  assert.equal(isTelUri(u), true, `${text} is not a tel URI`);
  return u as TelUri;
}

function error(text: string): string {
  const u = parseUri(text);
  if (!isUriParseError(u)) assert.fail(`${text} parsed as ${JSON.stringify(u)}`);
  return u.error;
}

describe("parseUri: sip and sips (RFC 3261 19.1)", () => {
  test("user, password, host, port, parameters and headers", () => {
    assert.deepEqual(defined(sip("sip:alice:secretword@atlanta.com;transport=tcp")), {
      scheme: "sip",
      user: "alice",
      password: "secretword",
      host: "atlanta.com",
      params: [{ name: "transport", value: "tcp" }],
      headers: [],
    });
    assert.deepEqual(defined(sip("sips:alice@atlanta.com?subject=project%20x&priority=urgent")), {
      scheme: "sips",
      user: "alice",
      host: "atlanta.com",
      params: [],
      headers: [
        { name: "subject", value: "project%20x" },
        { name: "priority", value: "urgent" },
      ],
    });
    assert.deepEqual(defined(sip("sip:+1-212-555-1212:1234@gateway.com;user=phone")), {
      scheme: "sip",
      user: "+1-212-555-1212",
      password: "1234",
      host: "gateway.com",
      params: [{ name: "user", value: "phone" }],
      headers: [],
    });
    assert.deepEqual(defined(sip("sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com")), {
      scheme: "sip",
      host: "atlanta.com",
      params: [{ name: "method", value: "REGISTER" }],
      headers: [{ name: "to", value: "alice%40atlanta.com" }],
    });
    assert.deepEqual(defined(sip("sip:alice;day=tuesday@atlanta.com")), { scheme: "sip", user: "alice;day=tuesday", host: "atlanta.com", params: [], headers: [] });
  });

  test("the scheme is case-insensitive and kept lower-case", () => {
    assert.equal(sip("SIP:bob@Biloxi.COM").scheme, "sip");
    assert.equal(sip("SIP:bob@Biloxi.COM").host, "Biloxi.COM");
    assert.equal(sip("SiPs:bob@biloxi.com").scheme, "sips");
  });

  test("ports", () => {
    assert.equal(sip("sip:bob@biloxi.com:5060").port, 5060);
    assert.equal(sip("sip:biloxi.com:0").port, 0);
    assert.equal(sip("sip:biloxi.com:65535").port, 65535);
    assert.equal(sip("sip:biloxi.com").port, undefined);
    assert.match(error("sip:biloxi.com:65536"), /invalid port "65536"/);
    assert.match(error("sip:biloxi.com:"), /invalid port ""/);
    assert.match(error("sip:biloxi.com:50x60"), /malformed URI parameters/);
  });

  test("IPv4 and IPv6 hosts", () => {
    assert.deepEqual(defined(sip("sip:192.0.2.4:5070;lr")), { scheme: "sip", host: "192.0.2.4", port: 5070, params: [{ name: "lr" }], headers: [] });
    assert.deepEqual(defined(sip("sip:[2001:db8::10]:5070;transport=tcp")), { scheme: "sip", host: "[2001:db8::10]", port: 5070, params: [{ name: "transport", value: "tcp" }], headers: [] });
    assert.equal(sip("sip:user@[::ffff:192.0.2.1]").host, "[::ffff:192.0.2.1]");
    assert.equal(sip("sips:[2001:DB8::1]").port, undefined);
    assert.match(error("sip:[2001:db8::1"), /unterminated IPv6 reference/);
    assert.match(error("sip:[2001:zz8::1]"), /invalid IPv6 reference/);
  });

  test("parameters: flags, values, LWS-free, order and case kept", () => {
    const u = sip("sip:carol@chicago.com;lr;Transport=TCP;maddr=239.255.255.1;ttl=15;x-Foo=Bar");
    assert.deepEqual(u.params, [{ name: "lr" }, { name: "Transport", value: "TCP" }, { name: "maddr", value: "239.255.255.1" }, { name: "ttl", value: "15" }, { name: "x-Foo", value: "Bar" }]);
  });

  test("malformed SIP URIs are errors, never exceptions", () => {
    assert.match(error("alice@atlanta.com"), /no scheme/);
    assert.match(error(":alice@atlanta.com"), /no scheme/);
    assert.match(error("s p:alice@atlanta.com"), /invalid URI scheme/);
    assert.match(error("sip:@atlanta.com"), /empty user part/);
    assert.match(error("sip:alice@"), /invalid host ""/);
    assert.match(error("sip:alice@atl anta.com"), /whitespace/);
    assert.match(error("sip:alice@atlanta..com!"), /invalid host/);
    assert.match(error("sip:alice@atlanta.com?subject"), /malformed URI header "subject"/);
    assert.match(error("sip:alice@atlanta.com;=x"), /malformed URI parameters/);
    assert.match(error('sip:"alice"@atlanta.com'), /quotes/);
  });

  test("other schemes are kept verbatim", () => {
    assert.deepEqual(uri("urn:service:sos"), { scheme: "urn", text: "urn:service:sos" });
    assert.deepEqual(uri("HTTP://www.example.com/a?b"), { scheme: "http", text: "HTTP://www.example.com/a?b" });
  });
});

describe("parseUri: tel (RFC 3966)", () => {
  test("global numbers keep their visual separators", () => {
    assert.deepEqual(tel("tel:+1-201-555-0123"), { scheme: "tel", number: "+1-201-555-0123", params: [] });
    assert.deepEqual(tel("tel:+358-555-1234567;postd=pp22"), { scheme: "tel", number: "+358-555-1234567", params: [{ name: "postd", value: "pp22" }] });
    assert.equal(telDigits("+1-(201)-555.0123"), "+12015550123");
  });

  test("local numbers need phone-context (RFC 3966 5.1.4)", () => {
    assert.deepEqual(tel("tel:7042;phone-context=example.com"), { scheme: "tel", number: "7042", params: [{ name: "phone-context", value: "example.com" }] });
    assert.deepEqual(tel("tel:863-1234;phone-context=+1-914-555"), { scheme: "tel", number: "863-1234", params: [{ name: "phone-context", value: "+1-914-555" }] });
    assert.equal(tel("tel:*21#;phone-context=example.com").number, "*21#");
    assert.match(error("tel:7042"), /without phone-context/);
  });

  test("invalid telephone-subscribers", () => {
    assert.match(error("tel:+"), /invalid telephone-subscriber/);
    assert.match(error("tel:+--"), /invalid telephone-subscriber/);
    assert.match(error("tel:+1x2"), /invalid telephone-subscriber/);
    assert.match(error("tel:;phone-context=example.com"), /invalid telephone-subscriber/);
  });

  test("a long invalid number is refused in linear time (no regex backtracking)", () => {
    assert.match(error(`tel:+${"1".repeat(200_000)}x`), /invalid telephone-subscriber/);
    assert.match(error(`tel:${"1".repeat(200_000)}g;phone-context=a`), /invalid telephone-subscriber/);
  });
});

describe("formatUri", () => {
  test("renders a parsed URI as received", () => {
    for (const text of [
      "sip:alice:secretword@atlanta.com;transport=tcp",
      "sips:alice@atlanta.com?subject=project%20x&priority=urgent",
      "sip:[2001:db8::10]:5070;lr",
      "sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com",
      "tel:+1-201-555-0123;ext=22",
      "urn:service:sos",
    ]) {
      assert.equal(formatUri(uri(text)), text);
    }
  });

  test("renders a constructed URI", () => {
    assert.equal(formatUri({ scheme: "sip", host: "example.com", port: 5060, params: [{ name: "lr" }], headers: [] }), "sip:example.com:5060;lr");
    assert.equal(formatUri({ scheme: "sips", user: "bob", host: "[::1]", params: [], headers: [{ name: "Subject", value: "x" }] }), "sips:bob@[::1]?Subject=x");
  });
});

describe("unescapeUriPart", () => {
  test("decodes %HH once, not recursively", () => {
    assert.equal(unescapeUriPart("%61lice"), "alice");
    assert.equal(unescapeUriPart("null-%00-null"), "null-\u0000-null");
    assert.equal(unescapeUriPart("value%2541"), "value%41");
    assert.equal(unescapeUriPart("100%"), "100%");
    assert.equal(unescapeUriPart("%zz"), "%zz");
  });
});

describe("uriEquals: RFC 3261 19.1.4", () => {
  const equal = (a: string, b: string): void => {
    assert.equal(uriEquals(uri(a), uri(b)), true, `${a} should equal ${b}`);
    assert.equal(uriEquals(uri(b), uri(a)), true, `${b} should equal ${a}`);
  };
  const differ = (a: string, b: string): void => {
    assert.equal(uriEquals(uri(a), uri(b)), false, `${a} should not equal ${b}`);
    assert.equal(uriEquals(uri(b), uri(a)), false, `${b} should not equal ${a}`);
  };

  test("the equivalent URIs of 19.1.4", () => {
    equal("sip:%61lice@atlanta.com;transport=TCP", "sip:alice@AtLanTa.CoM;Transport=tcp");
    equal("sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5");
    equal("sip:carol@chicago.com", "sip:carol@chicago.com;security=on");
    equal("sip:carol@chicago.com;newparam=5", "sip:carol@chicago.com;security=on");
    equal("sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com", "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com");
    equal("sip:alice@atlanta.com?subject=project%20x&priority=urgent", "sip:alice@atlanta.com?priority=urgent&subject=project%20x");
  });

  test("the non-equivalent URIs of 19.1.4", () => {
    differ("SIP:ALICE@AtLanTa.CoM;Transport=udp", "sip:alice@AtLanTa.CoM;Transport=UDP"); // different usernames
    differ("sip:bob@biloxi.com", "sip:bob@biloxi.com:5060"); // can resolve to different ports
    differ("sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp"); // can resolve to different transports
    differ("sip:bob@biloxi.com", "sip:bob@biloxi.com:6000;transport=tcp"); // different port and transport
    differ("sip:carol@chicago.com", "sip:carol@chicago.com?Subject=next%20meeting"); // different header component
    differ("sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4"); // even though that is what it resolves to
  });

  test("equality is not transitive (19.1.4)", () => {
    equal("sip:carol@chicago.com", "sip:carol@chicago.com;security=on");
    equal("sip:carol@chicago.com", "sip:carol@chicago.com;security=off");
    differ("sip:carol@chicago.com;security=on", "sip:carol@chicago.com;security=off");
  });

  test("user, ttl, method and maddr in one URI only never match", () => {
    differ("sip:bob@biloxi.com", "sip:bob@biloxi.com;user=phone");
    differ("sip:bob@biloxi.com", "sip:bob@biloxi.com;ttl=1");
    differ("sip:bob@biloxi.com", "sip:bob@biloxi.com;method=INVITE");
    differ("sip:bob@biloxi.com", "sip:bob@biloxi.com;maddr=239.255.255.1");
    equal("sip:bob@biloxi.com;user=phone;lr", "sip:bob@biloxi.com;USER=PHONE");
  });

  test("the rest of the rules", () => {
    differ("sip:alice@atlanta.com", "sips:alice@atlanta.com"); // scheme
    differ("sip:alice@atlanta.com", "sip:atlanta.com"); // user omitted in one
    differ("sip:alice:pw@atlanta.com", "sip:alice@atlanta.com"); // password omitted in one
    differ("sip:alice:pw@atlanta.com", "sip:alice:PW@atlanta.com"); // userinfo is case-sensitive
    equal("sip:alice:p%77@atlanta.com", "sip:alice:pw@atlanta.com");
    equal("sip:[2001:DB8::1]:5060", "sip:[2001:db8::1]:5060");
    // escaped parameter names and values compare unescaped
    equal("sip:h.example.com;n%61me=v%61lue", "sip:h.example.com;name=value");
    differ("sip:h.example.com;n%61me=x", "sip:h.example.com;name=y");
    // header names are case-insensitive, header values compare unescaped and exactly
    equal("sip:h.example.com?Subject=a%20b", "sip:h.example.com?subject=a b".replace(" ", "%20"));
    differ("sip:h.example.com?Subject=a", "sip:h.example.com?Subject=A");
    differ("sip:h.example.com?Route=a&Route=b", "sip:h.example.com?Route=a");
    equal("sip:h.example.com?Route=a&Route=b", "sip:h.example.com?Route=b&Route=a");
  });

  test("tel URIs compare digits without visual separators and parameters as a set (RFC 3966 4)", () => {
    equal("tel:+1-201-555-0123", "tel:+12015550123");
    equal("tel:+1(201)555.0123", "tel:+12015550123");
    differ("tel:+12015550123", "tel:+12015550124");
    equal("tel:7042;phone-context=example.com", "tel:7042;PHONE-CONTEXT=Example.COM");
    differ("tel:7042;phone-context=example.com", "tel:7042;phone-context=example.net");
    equal("tel:863-1234;phone-context=+1-914-555", "tel:8631234;phone-context=+1914555");
    differ("tel:+12015550123", "tel:+12015550123;ext=22");
    equal("tel:+12015550123;ext=2-2;isub=1", "tel:+12015550123;isub=1;ext=22");
  });

  test("different kinds of URIs never match; other schemes compare textually", () => {
    differ("sip:+12015550123@example.com;user=phone", "tel:+12015550123");
    equal("urn:service:sos", "urn:service:sos");
    differ("urn:service:sos", "urn:service:sos.police");
  });
});

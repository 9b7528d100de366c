import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { PICS_NAMES, type Pics, type PicsName } from "../../src/profile/profile.ts";
import { applicability, evaluate, formatPicsExpr, isPicsParseError, parsePicsExpression, parsePicsTag } from "../../src/profile/pics-expression.ts";

function pics(claimed: readonly PicsName[]): Pics {
  return Object.fromEntries(PICS_NAMES.map((n) => [n, claimed.includes(n)])) as Record<PicsName, boolean>;
}

function parse(tag: string) {
  const e = parsePicsTag(tag);
  if (isPicsParseError(e)) assert.fail(e.error);
  return e;
}

function error(tag: string): string {
  const e = parsePicsTag(tag);
  assert.ok(isPicsParseError(e), `expected ${tag} not to parse`);
  return e.error;
}

describe("parsePicsTag", () => {
  test("a single capability", () => {
    assert.deepEqual(parse("@pics:aka"), { op: "capability", name: "aka" });
    assert.deepEqual(parse("@pics:100rel"), { op: "capability", name: "100rel" });
  });

  test("& binds tighter than |, ! tighter than &", () => {
    assert.deepEqual(parse("@pics:aka&tcp|!websocket"), {
      op: "or",
      operands: [
        {
          op: "and",
          operands: [
            { op: "capability", name: "aka" },
            { op: "capability", name: "tcp" },
          ],
        },
        { op: "not", operand: { op: "capability", name: "websocket" } },
      ],
    });
  });

  test("spaces around operators are allowed", () => {
    assert.deepEqual(parsePicsExpression(" digest | aka "), parse("@pics:digest|aka"));
  });

  test("canonical text", () => {
    assert.equal(formatPicsExpr(parse("@pics:aka&tcp|!websocket")), "aka & tcp | !websocket");
    assert.equal(formatPicsExpr(parse("@pics:!!reg-event")), "!!reg-event");
  });

  test("errors name the problem and the known capabilities", () => {
    assert.equal(error("@pics:quic"), `tag "@pics:quic": unknown capability "quic" in PICS expression "quic"; expected one of ${PICS_NAMES.join(", ")}`);
    assert.equal(error("@pics:aka&"), 'tag "@pics:aka&": missing operand of "&" in PICS expression "aka&"');
    assert.equal(error("@pics:aka||tcp"), 'tag "@pics:aka||tcp": missing operand of "|" in PICS expression "aka||tcp"');
    assert.equal(error("@pics:!"), 'tag "@pics:!": missing capability after "!" in PICS expression "!"');
    assert.equal(error("@pics:"), 'tag "@pics:": empty PICS expression');
    assert.equal(error("@pics:(aka|digest)&tcp"), 'tag "@pics:(aka|digest)&tcp": parentheses are not supported in PICS expression "(aka|digest)&tcp" (& binds tighter than |)');
    assert.equal(error("@IMS-REG-001"), 'tag "@IMS-REG-001" is not a PICS tag (expected @pics:<expression>)');
  });
});

describe("evaluate", () => {
  const p = pics(["aka", "tcp"]);
  const cases: [string, boolean][] = [
    ["@pics:aka", true],
    ["@pics:digest", false],
    ["@pics:aka&tcp", true],
    ["@pics:aka&digest", false],
    ["@pics:digest|aka", true],
    ["@pics:digest|websocket", false],
    ["@pics:!websocket", true],
    ["@pics:!aka", false],
    ["@pics:digest&tcp|aka", true],
    ["@pics:digest|aka&!tcp", false],
  ];
  for (const [tag, expected] of cases) {
    test(`${tag} -> ${expected}`, () => assert.equal(evaluate(parse(tag), p), expected));
  }
});

describe("applicability", () => {
  test("no @pics tag: applicable", () => {
    assert.deepEqual(applicability(["@IMS-CALL-001", "@mandatory"], pics([])), { applicable: true });
  });

  test("a tag without its @ is read the same", () => {
    assert.deepEqual(parse("pics:aka&tcp"), parse("@pics:aka&tcp"));
    assert.deepEqual(applicability(["pics:aka"], pics([])), { applicable: false, reason: 'PICS "aka" not claimed by the profile: aka=false' });
  });

  test("claimed: applicable, without a reason", () => {
    assert.deepEqual(applicability(["@IMS-REG-011", "@pics:aka&tcp"], pics(["aka", "tcp"])), { applicable: true });
  });

  test("the reason names the capabilities that made the expression false", () => {
    assert.deepEqual(applicability(["@pics:aka&tcp"], pics(["tcp"])), { applicable: false, reason: 'PICS "aka & tcp" not claimed by the profile: aka=false' });
    assert.deepEqual(applicability(["@pics:aka&tcp"], pics([])), { applicable: false, reason: 'PICS "aka & tcp" not claimed by the profile: aka=false, tcp=false' });
    assert.deepEqual(applicability(["@pics:digest|aka"], pics(["tcp"])), { applicable: false, reason: 'PICS "digest | aka" not claimed by the profile: digest=false, aka=false' });
    assert.deepEqual(applicability(["@pics:!websocket"], pics(["websocket"])), { applicable: false, reason: 'PICS "!websocket" not claimed by the profile: websocket=true' });
    assert.deepEqual(applicability(["@pics:aka&!tcp|digest"], pics(["aka", "tcp"])), {
      applicable: false,
      reason: 'PICS "aka & !tcp | digest" not claimed by the profile: tcp=true, digest=false',
    });
  });

  test("several @pics tags are ANDed; each failing one is named", () => {
    assert.deepEqual(applicability(["@pics:aka", "@pics:tcp"], pics(["aka", "tcp"])), { applicable: true });
    assert.deepEqual(applicability(["@pics:aka", "@pics:tcp"], pics(["aka"])), { applicable: false, reason: 'PICS "tcp" not claimed by the profile: tcp=false' });
    assert.deepEqual(applicability(["@pics:aka", "@pics:reg-event"], pics([])), {
      applicable: false,
      reason: 'PICS "aka" not claimed by the profile: aka=false; PICS "reg-event" not claimed by the profile: reg-event=false',
    });
  });

  test("an invalid tag is an error of the suite, not a verdict", () => {
    assert.throws(() => applicability(["@pics:akka"], pics(["aka"])), {
      message: `invalid PICS tag: tag "@pics:akka": unknown capability "akka" in PICS expression "akka"; expected one of ${PICS_NAMES.join(", ")}`,
    });
  });
});

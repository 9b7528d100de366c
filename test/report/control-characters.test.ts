import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { escapeControlCharacters, escapeControlCharactersInSipText } from "../../src/report/control-characters.ts";

describe("escapeControlCharacters", () => {
  test("C0 controls but tab and line feed, DEL and C1 become visible escapes", () => {
    assert.equal(escapeControlCharacters("a\x1b[2Jb\x07c\x00d\x08e\x0cf\x0bg\rh\x01i\x7fj\x85k"), "a\\x1b[2Jb\\x07c\\0d\\be\\ff\\vg\\rh\\x01i\\x7fj\\x85k");
    assert.equal(escapeControlCharacters("tab\tand\nline"), "tab\tand\nline");
  });

  test("bidirectional overrides and isolates are shown (Trojan Source, CVE-2021-42574)", () => {
    assert.equal(escapeControlCharacters("x\u202ey\u2066z\u2069"), "x\\u202ey\\u2066z\\u2069");
  });

  test("printable text, including non-ASCII, is unchanged", () => {
    const text = "SIP/2.0 200 OK — Grüße, 你好 <sip:bob@ims.example.test>";
    assert.equal(escapeControlCharacters(text), text);
  });
});

describe("escapeControlCharactersInSipText", () => {
  test("CRLF becomes LF; a bare CR and other controls are shown", () => {
    assert.equal(escapeControlCharactersInSipText("SIP/2.0 486 Busy\x1b]0;x\x07\r\nX-A: 1\rhidden\r\n\r\n"), "SIP/2.0 486 Busy\\x1b]0;x\\x07\nX-A: 1\\rhidden\n\n");
  });
});

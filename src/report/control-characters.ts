// Text from the SUT (a reason phrase, a header, a body) printed to a terminal or written into a
// plain-text attachment: C0 and C1 control characters other than line feed and tab are shown as
// escapes (\x1b, \x07, \r ...), so an SUT's bytes can neither clear the screen, set the terminal's
// title nor hide a line. Carriage returns are shown too: a bare CR would overwrite a line.

// Everything in C0 but TAB (0x09) and LF (0x0a), DEL, C1 (0x80-0x9f), and the bidirectional
// overrides and isolates that reorder what a terminal shows (Trojan Source, CVE-2021-42574).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { "\r": "\\r", "\x1b": "\\x1b", "\x07": "\\x07", "\x08": "\\b", "\x0c": "\\f", "\x0b": "\\v", "\x00": "\\0" };

/** `text` with every control character written as a visible escape; line feeds and tabs kept. */
export function escapeControlCharacters(text: string): string {
  return text.replace(CONTROL, (c) => NAMED[c] ?? (c.charCodeAt(0) <= 0xff ? `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}` : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`));
}

/**
 * For SIP text with CRLF line ends (a trace, a message as the SUT sent it): CRLF becomes LF and
 * every other control character is escaped, so the text reads as lines and hides nothing.
 */
export function escapeControlCharactersInSipText(text: string): string {
  return escapeControlCharacters(text.replace(/\r\n/g, "\n"));
}

// Readers for the plain spellings of header values, which nearly every message uses: what a load
// reads of every message (branch, tags, Contact) is read without building the parsed value (issue
// 17). Each accepts only text that the full parser reads without error and to the same result;
// any other text is left to the full parser.

/** RFC 3261 25.1 token characters: alphanum and -.!%*_+`'~ */
export function isTokenChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45 || c === 46 || c === 33 || c === 37 || c === 42 || c === 95 || c === 43 || c === 96 || c === 39 || c === 126;
}

/** What scanPlainParams read: where the parameters end, and the value of the one asked for. */
export interface PlainParams {
  /** Index of the first character after the parameters; -1 when a parameter has no name. */
  readonly end: number;
  /** The first parameter of the name asked (case-insensitively): its value; undefined for a flag or an empty value; null when absent. */
  readonly value: string | undefined | null;
}

/**
 * Reads `;name` and `;name=value` parameters made of token characters only (no LWS, quotes or
 * other characters), from `start` up to the first character that starts no parameter: parameters
 * that parseParams reads alike. `name` is in lower case.
 */
export function scanPlainParams(text: string, start: number, name: string): PlainParams {
  const n = text.length;
  let i = start;
  let value: string | undefined | null = null;
  while (i < n && text.charCodeAt(i) === 59 /* ; */) {
    const nameStart = ++i;
    while (i < n && isTokenChar(text.charCodeAt(i))) i++;
    const nameEnd = i;
    if (nameEnd === nameStart) return { end: -1, value };
    let valueStart = i;
    if (text.charCodeAt(i) === 61 /* = */) {
      valueStart = ++i;
      while (i < n && isTokenChar(text.charCodeAt(i))) i++;
    }
    // RFC 3261 7.3.1: parameter names are case-insensitive; the first of the name is the one read
    if (value === null && nameEnd - nameStart === name.length && text.slice(nameStart, nameEnd).toLowerCase() === name) value = i > valueStart ? text.slice(valueStart, i) : undefined;
  }
  return { end: i, value };
}

/**
 * Reads the 1 to 5 digits of a port at `start` (the character after ":") as formatUri writes them
 * back: returns the index after them, or -1 when there are none, more than 5, a leading zero, or the
 * value exceeds 65535.
 */
export function scanPort(text: string, start: number): number {
  let i = start;
  let port = 0;
  for (let c = text.charCodeAt(i); c >= 48 && c <= 57; c = text.charCodeAt(++i)) port = port * 10 + c - 48;
  const digits = i - start;
  if (digits === 0 || digits > 5 || port > 65535 || (digits > 1 && text.charCodeAt(start) === 48)) return -1;
  return i;
}

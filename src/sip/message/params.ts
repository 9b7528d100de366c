// RFC 3261 25.1: generic-param = token [ EQUAL gen-value ]; gen-value = token / host / quoted-string

/** One `;name=value` parameter as received: the name keeps its case, the value its quoting. */
export interface Param {
  readonly name: string;
  /** Undefined for a flag parameter such as `;lr`. */
  readonly value?: string;
}

/** Finds a parameter by name, case-insensitively (RFC 3261 7.3.1: parameter names are case-insensitive). */
export function getParam(params: readonly Param[], name: string): Param | undefined {
  const lower = name.toLowerCase();
  for (const p of params) if (p.name.toLowerCase() === lower) return p;
  return undefined;
}

export function hasParam(params: readonly Param[], name: string): boolean {
  return getParam(params, name) !== undefined;
}

/** The value of a parameter without surrounding quotes; "" for a flag, undefined when absent. */
export function paramValue(params: readonly Param[], name: string): string | undefined {
  const p = getParam(params, name);
  if (!p) return undefined;
  return p.value === undefined ? "" : unquote(p.value);
}

/** Returns a copy with the parameter set (replaced in place when present, appended otherwise). */
export function withParam(params: readonly Param[], name: string, value?: string): Param[] {
  const lower = name.toLowerCase();
  let replaced = false;
  const out = params.map((p) => {
    if (p.name.toLowerCase() !== lower) return p;
    replaced = true;
    return value === undefined ? { name } : { name, value };
  });
  if (!replaced) out.push(value === undefined ? { name } : { name, value });
  return out;
}

export function withoutParam(params: readonly Param[], name: string): Param[] {
  const lower = name.toLowerCase();
  return params.filter((p) => p.name.toLowerCase() !== lower);
}

export function formatParams(params: readonly Param[], separator = ";"): string {
  let s = "";
  for (const p of params) s += p.value === undefined ? `${separator}${p.name}` : `${separator}${p.name}=${p.value}`;
  return s;
}

/**
 * Parses `;a=b;c;d="x;y"` starting at `start` up to `end`. Whitespace around `;` and `=` is
 * allowed (RFC 3261 25.1 SEMI and EQUAL include LWS). Returns undefined on an unterminated quote.
 */
export function parseParams(text: string, start = 0, end = text.length, separator = ";"): Param[] | undefined {
  const params: Param[] = [];
  let i = start;
  while (i < end) {
    while (i < end && isWsp(text.charCodeAt(i))) i++;
    if (i >= end) break;
    if (text[i] !== separator) return undefined;
    i++;
    while (i < end && isWsp(text.charCodeAt(i))) i++;
    let j = i;
    while (j < end && text[j] !== "=" && text[j] !== separator && !isWsp(text.charCodeAt(j))) j++;
    const name = text.slice(i, j);
    if (name === "") return undefined;
    i = j;
    while (i < end && isWsp(text.charCodeAt(i))) i++;
    if (i < end && text[i] === "=") {
      i++;
      while (i < end && isWsp(text.charCodeAt(i))) i++;
      if (text[i] === '"') {
        const close = findQuoteEnd(text, i);
        if (close < 0 || close >= end) return undefined;
        params.push({ name, value: text.slice(i, close + 1) });
        i = close + 1;
      } else {
        let k = i;
        while (k < end && text[k] !== separator && !isWsp(text.charCodeAt(k))) k++;
        params.push({ name, value: text.slice(i, k) });
        i = k;
      }
    } else {
      params.push({ name });
    }
  }
  return params;
}

/** Index of the closing quote of the quoted-string opening at `open`, honouring quoted-pair (RFC 3261 25.1); -1 if none. */
export function findQuoteEnd(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 92 /* \ */) i++;
    else if (c === 34 /* " */) return i;
  }
  return -1;
}

/** Removes surrounding quotes and resolves quoted-pairs; returns other text unchanged. */
export function unquote(value: string): string {
  if (value.length < 2 || value[0] !== '"' || value[value.length - 1] !== '"') return value;
  const inner = value.slice(1, -1);
  return inner.includes("\\") ? inner.replace(/\\(.)/gs, "$1") : inner;
}

export function quote(value: string): string {
  return `"${value.replace(/(["\\])/g, "\\$1")}"`;
}

export function isWsp(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 10;
}

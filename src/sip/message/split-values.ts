// RFC 3261 7.3.1: a header with a comma-separated list is equivalent to several header lines;
// commas inside quoted strings and inside <...> do not separate values.

/** Splits a header value at commas that are outside quoted strings and angle brackets; trims each part. */
export function splitHeaderValues(value: string): string[] {
  if (!value.includes(",")) {
    const t = value.trim();
    return t === "" ? [] : [t];
  }
  const parts: string[] = [];
  let depth = 0;
  let inQuote = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (inQuote) {
      if (c === 92) i++;
      else if (c === 34) inQuote = false;
    } else if (c === 34) inQuote = true;
    else if (c === 60) depth++;
    else if (c === 62 && depth > 0) depth--;
    else if (c === 44 && depth === 0) {
      const part = value.slice(start, i).trim();
      if (part !== "") parts.push(part);
      start = i + 1;
    }
  }
  const last = value.slice(start).trim();
  if (last !== "") parts.push(last);
  return parts;
}

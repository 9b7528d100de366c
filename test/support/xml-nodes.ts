// Reading xml2js's default object form in tests of generated SVG and HTML.

export interface XmlNode {
  $?: Record<string, string>;
  _?: string;
  [child: string]: unknown;
}

/** Every element with `name` anywhere below `node` (xml2js default object form). */
export function findAll(node: unknown, name: string, out: XmlNode[] = []): XmlNode[] {
  if (node === null || typeof node !== "object") return out;
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    if (key === "$" || key === "_") continue;
    for (const child of Array.isArray(value) ? value : [value]) {
      if (key === name && typeof child === "object" && child !== null) out.push(child as XmlNode);
      if (key === name && typeof child === "string") out.push({ _: child });
      findAll(child, name, out);
    }
  }
  return out;
}

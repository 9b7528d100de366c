// Specification references as links. The RFC Editor's HTML has an anchor per section, so an RFC
// reference goes to its clause: "RFC3261-17.1.1.2" -> https://www.rfc-editor.org/rfc/rfc3261.html#section-17.1.1.2.
// 3GPP specifications are Word documents behind one page per specification: the link goes to that
// page and its text names the clause, "TS 24.229 clause 5.1.1.2". A part number stays with the
// specification: "TS34.229-1-C.46" is "TS 34.229-1 clause C.46".

interface Reference {
  readonly kind: "rfc" | "ts" | "other";
  /** "RFC 3261", "TS 34.229-1". */
  readonly document: string;
  /** "17.1.1.2", "C.46"; absent for the whole document. */
  readonly clause?: string;
  readonly number?: string;
}

function parseReference(ref: string): Reference {
  const rfc = /^RFC\s*(\d+)(?:-(.+))?$/i.exec(ref);
  if (rfc) return { kind: "rfc", document: `RFC ${rfc[1]}`, number: rfc[1], ...(rfc[2] ? { clause: rfc[2] } : {}) };
  // TS24.229-5.1.1.2, TS34.229-1-C.46 (part 1), TS24.229 (the whole specification)
  const ts = /^TS\s*(\d{2})\.(\d{3})(?:-(\d+)(?=-))?(?:-(.+))?$/i.exec(ref);
  if (ts) return { kind: "ts", document: `TS ${ts[1]}.${ts[2]}${ts[3] ? `-${ts[3]}` : ""}`, number: `${ts[1]}${ts[2]}`, ...(ts[4] ? { clause: ts[4] } : {}) };
  return { kind: "other", document: ref };
}

/** Where a reference is read: the RFC's section, the 3GPP specification's page, or a search. */
export function referenceUrl(ref: string): string {
  const r = parseReference(ref);
  if (r.kind === "rfc") return `https://www.rfc-editor.org/rfc/rfc${r.number}.html${r.clause ? `#section-${r.clause}` : ""}`;
  if (r.kind === "ts") return `https://www.3gpp.org/DynaReport/${r.number}.htm`;
  return `https://www.etsi.org/standards-search#search=${encodeURIComponent(ref)}`;
}

/** How a link names a reference: "RFC 3261 section 17.1.1.2", "TS 24.229 clause 5.1.1.2", "RFC 3428". */
export function referenceName(ref: string): string {
  const r = parseReference(ref);
  if (!r.clause) return r.document;
  return `${r.document} ${r.kind === "rfc" ? "section" : "clause"} ${r.clause}`;
}

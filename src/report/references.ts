// Specification references as links: "TS24.229-5.1.1.2" -> the 3GPP specification page,
// "RFC3261-17.1.1.2" -> the RFC's section.

export function referenceUrl(ref: string): string {
  const rfc = /^RFC(\d+)(?:-(.+))?$/i.exec(ref);
  if (rfc) return `https://www.rfc-editor.org/rfc/rfc${rfc[1]}${rfc[2] ? `#section-${rfc[2]}` : ""}`;
  const ts = /^TS(\d{2})\.(\d{3})(?:-\d)?/i.exec(ref);
  if (ts) return `https://www.3gpp.org/DynaReport/${ts[1]}${ts[2]}.htm`;
  return `https://www.etsi.org/standards-search#search=${encodeURIComponent(ref)}`;
}

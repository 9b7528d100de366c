// Identities as URIs: P-Asserted-Identity, P-Associated-URI and contacts are compared as URIs
// (RFC 3261 19.1.4, RFC 3966 4 for tel), never as substrings of header text.
import { uriEquals, uriOfValue } from "../sip/message/index.ts";

/** Whether two header values (name-addr or URI) name the same identity. */
export function sameIdentity(a: string, b: string): boolean {
  const ua = uriOfValue(a);
  const ub = uriOfValue(b);
  return ua !== undefined && ub !== undefined && uriEquals(ua, ub);
}

/** The identities of `wanted` that no value of `listed` names. */
export function missingIdentities(listed: readonly string[], wanted: readonly string[]): string[] {
  return wanted.filter((w) => !listed.some((l) => sameIdentity(l, w)));
}

/** The first header value that names one of the identities, if any. */
export function valueNaming(values: readonly string[], identities: readonly string[]): string | undefined {
  return values.find((v) => identities.some((id) => sameIdentity(v, id)));
}

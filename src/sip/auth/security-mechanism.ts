// RFC 3329 2.2: the Security-Client, Security-Server and Security-Verify header fields, and the
// ipsec-3gpp mechanism's parameters (TS 33.203 7.1 and Annex H; TS 24.229 7.2A.7):
//   sec-mechanism = mechanism-name *(SEMI mech-parameters)
//   ipsec-3gpp parameters: alg, ealg, spi-c, spi-s, port-c, port-s (and prot, mod, q)
// Parsing never throws: a value that does not read as a mechanism keeps its text and says why.

/** One sec-mechanism of a Security-* header field, its parameter names in lower case. */
export interface SecurityMechanism {
  /** The mechanism-name, lower-cased: "ipsec-3gpp", "digest", "tls" ... */
  readonly name: string;
  readonly params: Readonly<Record<string, string>>;
  /** The mechanism as it was sent (trimmed). */
  readonly text: string;
}

/** The ipsec-3gpp parameters of TS 33.203 7.1, read and checked. */
export interface Ipsec3gppParameters {
  readonly alg: string;
  readonly ealg: string;
  readonly spiC: number;
  readonly spiS: number;
  readonly portC: number;
  readonly portS: number;
}

/** Splits at commas outside double quotes. */
function splitCommas(value: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (const ch of value) {
    if (ch === '"') quoted = !quoted;
    if (ch === "," && !quoted) {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out.map((s) => s.trim()).filter((s) => s.length > 0);
}

/** Every sec-mechanism of the header lines given (each line may list several, RFC 3329 2.2). */
export function parseSecurityMechanisms(lines: readonly string[]): SecurityMechanism[] {
  const out: SecurityMechanism[] = [];
  for (const line of lines)
    for (const text of splitCommas(line)) {
      const [name = "", ...rest] = text.split(";").map((s) => s.trim());
      const params: Record<string, string> = {};
      for (const p of rest) {
        if (!p) continue;
        const eq = p.indexOf("=");
        const key = (eq < 0 ? p : p.slice(0, eq)).trim().toLowerCase();
        const value = eq < 0 ? "" : p.slice(eq + 1).trim();
        params[key] = value.replace(/^"(.*)"$/, "$1");
      }
      out.push({ name: name.toLowerCase(), params, text });
    }
  return out;
}

const DECIMAL = /^\d{1,10}$/;

/** TS 33.203 7.1 / Annex H: the ipsec-3gpp parameters, or what is missing or malformed. */
export function readIpsec3gpp(m: SecurityMechanism): Ipsec3gppParameters | { readonly error: string } {
  if (m.name !== "ipsec-3gpp") return { error: `mechanism ${m.name || "(none)"} is not ipsec-3gpp` };
  const problems: string[] = [];
  const num = (key: string, max: number, min: number): number => {
    const v = m.params[key];
    if (v === undefined) {
      problems.push(`${key} missing`);
      return 0;
    }
    if (!DECIMAL.test(v) || Number(v) > max || Number(v) < min) {
      problems.push(`${key}=${v} is not a number in ${min}..${max}`);
      return 0;
    }
    return Number(v);
  };
  // spi-c, spi-s: 32-bit unsigned (RFC 4303 2.1); port-c, port-s: port numbers
  const spiC = num("spi-c", 0xffffffff, 0);
  const spiS = num("spi-s", 0xffffffff, 0);
  const portC = num("port-c", 65535, 1);
  const portS = num("port-s", 65535, 1);
  const alg = (m.params["alg"] ?? "").toLowerCase();
  if (!alg) problems.push("alg missing");
  // TS 33.203 Annex H: ealg absent means null encryption
  const ealg = (m.params["ealg"] ?? "null").toLowerCase();
  if (problems.length > 0) return { error: problems.join(", ") };
  return { alg, ealg, spiC, spiS, portC, portS };
}

export function isIpsecError(p: Ipsec3gppParameters | { readonly error: string }): p is { readonly error: string } {
  return "error" in p;
}

/** One ipsec-3gpp sec-mechanism, in the parameter order of TS 24.228's flows. */
export function formatIpsec3gpp(p: Ipsec3gppParameters, extra: Readonly<Record<string, string>> = {}): string {
  const params = [...Object.entries(extra).map(([k, v]) => `${k}=${v}`), `alg=${p.alg}`, `ealg=${p.ealg}`, `spi-c=${p.spiC}`, `spi-s=${p.spiS}`, `port-c=${p.portC}`, `port-s=${p.portS}`];
  return ["ipsec-3gpp", ...params].join(";");
}

/**
 * RFC 3329 2.3.1: Security-Verify must carry the Security-Server list unchanged; equality follows
 * SIP's header comparison (RFC 3261 7.3.1, 20): same mechanisms in the same order, same parameters
 * with the same values (names and tokens case-insensitively), whatever the whitespace or line split.
 */
export function sameMechanisms(a: readonly SecurityMechanism[], b: readonly SecurityMechanism[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((m, i) => {
    const n = b[i];
    if (!n || m.name !== n.name) return false;
    const ka = Object.keys(m.params).sort();
    const kb = Object.keys(n.params).sort();
    return ka.length === kb.length && ka.every((k, j) => k === kb[j] && (m.params[k] ?? "").toLowerCase() === (n.params[k] ?? "").toLowerCase());
  });
}

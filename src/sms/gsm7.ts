// The GSM 7-bit default alphabet and its extension table (TS 23.038 6.2.1, 6.2.1.1), and the packing
// of septets into octets (TS 23.038 6.1.2.1.1): septet n starts at bit 7*n (plus the fill bits that
// align it after a user data header, TS 23.040 9.2.3.24), least significant bit first.

/** TS 23.038 6.2.1: the 128 characters of the default alphabet, by septet value (0x1B is the escape to the extension table). */
const DEFAULT_ALPHABET = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

/** TS 23.038 6.2.1.1: the characters of the extension table reached by 0x1B, by septet value. */
const EXTENSION: ReadonlyMap<number, string> = new Map([
  [0x0a, "\f"],
  [0x14, "^"],
  [0x28, "{"],
  [0x29, "}"],
  [0x2f, "\\"],
  [0x3c, "["],
  [0x3d, "~"],
  [0x3e, "]"],
  [0x40, "|"],
  [0x65, "€"],
]);

export const ESCAPE = 0x1b;

const TO_SEPTET = new Map<string, number>([...DEFAULT_ALPHABET].map((c, i) => [c, i]));
const TO_EXTENSION = new Map<string, number>([...EXTENSION].map(([s, c]) => [c, s]));

/** The default alphabet as a string of 128 characters (for tests). */
export const GSM7_DEFAULT_ALPHABET = DEFAULT_ALPHABET;

/** TS 23.038 6.2.1: the septets of `text`, a character of the extension table as 0x1B and its value; undefined when a character has no GSM 7-bit form. */
export function encodeGsm7(text: string): number[] | undefined {
  const out: number[] = [];
  for (const c of text) {
    if (c === "\u001b") return undefined;
    const s = TO_SEPTET.get(c);
    if (s !== undefined) {
      out.push(s);
      continue;
    }
    const e = TO_EXTENSION.get(c);
    if (e === undefined) return undefined;
    out.push(ESCAPE, e);
  }
  return out;
}

/** Whether every character of `text` has a GSM 7-bit form (TS 23.038 6.2.1, 6.2.1.1). */
export function isGsm7(text: string): boolean {
  return encodeGsm7(text) !== undefined;
}

/**
 * TS 23.038 6.2.1: the text of septets. An escape followed by a value the extension table does not
 * define shows the default alphabet's character (6.2.1.1: "the default character shall be displayed").
 */
export function decodeGsm7(septets: readonly number[]): string {
  let out = "";
  for (let i = 0; i < septets.length; i++) {
    const s = septets[i] & 0x7f;
    if (s === ESCAPE && i + 1 < septets.length) {
      const next = septets[++i] & 0x7f;
      out += EXTENSION.get(next) ?? DEFAULT_ALPHABET[next];
    } else if (s === ESCAPE)
      out += " "; // a trailing escape: TS 23.038 6.2.1.1 NOTE 1, shown as a space
    else out += DEFAULT_ALPHABET[s];
  }
  return out;
}

/** TS 23.038 6.1.2.1.1: septets packed into octets, after `fillBits` zero bits (0..6, TS 23.040 9.2.3.24). */
export function packSeptets(septets: readonly number[], fillBits = 0): Buffer {
  const out = Buffer.alloc(Math.ceil((fillBits + septets.length * 7) / 8));
  septets.forEach((septet, i) => {
    const s = septet & 0x7f;
    const bit = fillBits + i * 7;
    const byte = bit >> 3;
    const shift = bit & 7;
    out[byte] |= (s << shift) & 0xff;
    if (shift > 1) out[byte + 1] |= s >> (8 - shift);
  });
  return out;
}

/** TS 23.038 6.1.2.1.1: `count` septets unpacked from octets after `fillBits` bits; undefined when the octets are too few. */
export function unpackSeptets(octets: Buffer, count: number, fillBits = 0): number[] | undefined {
  if (Math.ceil((fillBits + count * 7) / 8) > octets.length) return undefined;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const bit = fillBits + i * 7;
    const byte = bit >> 3;
    const shift = bit & 7;
    let s = octets[byte] >> shift;
    if (shift > 1) s |= octets[byte + 1] << (8 - shift);
    out.push(s & 0x7f);
  }
  return out;
}

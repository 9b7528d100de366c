// 3GPP TS 35.206: the MILENAGE algorithm set (f1, f1*, f2, f3, f4, f5, f5*) with the
// default constants c1..c5 and r1..r5 of TS 35.206 4.1, over AES-128 as the kernel E_K.
// Inputs and outputs are Buffers; error messages name the parameter, never its value.
import { createCipheriv } from "node:crypto";

/** TS 35.206 4.1: OUT1 = E_K[TEMP xor rot(IN1 xor OPc, r1) xor c1] xor OPc, split into f1 and f1*. */
export interface MilenageF1Output {
  /** f1: MAC-A (network authentication code), 64 bits. */
  macA: Buffer;
  /** f1*: MAC-S (resynchronisation authentication code), 64 bits. */
  macS: Buffer;
}

/** TS 35.206 4.1: the outputs that depend on RAND only. */
export interface MilenageF2345Output {
  /** f2: RES (XRES on the network side), 64 bits. */
  res: Buffer;
  /** f3: CK, 128 bits. */
  ck: Buffer;
  /** f4: IK, 128 bits. */
  ik: Buffer;
  /** f5: AK (anonymity key), 48 bits. */
  ak: Buffer;
  /** f5*: AK for resynchronisation, 48 bits. */
  akStar: Buffer;
}

// TS 35.206 4.1: r1 = 64, r2 = 0, r3 = 32, r4 = 64, r5 = 96 (bits);
// c1 = 0, c2 = ..01, c3 = ..02, c4 = ..04, c5 = ..08 (the last octet of a 128-bit value).
const R = [64, 0, 32, 64, 96] as const;
const C_LAST_OCTET = [0x00, 0x01, 0x02, 0x04, 0x08] as const;

/** TS 35.206 4.1: OPc = OP xor E_K[OP]. */
export function milenageOpc(k: Uint8Array, op: Uint8Array): Buffer {
  check("K", k, 16);
  check("OP", op, 16);
  return xor(encrypt(k, op), op);
}

/** f1 and f1* together (they are the two halves of OUT1). */
export function f1Both(k: Uint8Array, opc: Uint8Array, rand: Uint8Array, sqn: Uint8Array, amf: Uint8Array): MilenageF1Output {
  check("K", k, 16);
  check("OPc", opc, 16);
  check("RAND", rand, 16);
  check("SQN", sqn, 6);
  check("AMF", amf, 2);
  const temp = encrypt(k, xor(rand, opc));
  // IN1 = SQN || AMF || SQN || AMF
  const in1 = Buffer.concat([sqn, amf, sqn, amf]);
  const x = xor(temp, rotate(xor(in1, opc), R[0]));
  x[15] = (x[15] ?? 0) ^ C_LAST_OCTET[0];
  const out1 = xor(encrypt(k, x), opc);
  return { macA: out1.subarray(0, 8), macS: out1.subarray(8, 16) };
}

/** f1: MAC-A = OUT1[0..63]. */
export function f1(k: Uint8Array, opc: Uint8Array, rand: Uint8Array, sqn: Uint8Array, amf: Uint8Array): Buffer {
  return f1Both(k, opc, rand, sqn, amf).macA;
}

/** f1*: MAC-S = OUT1[64..127]. */
export function f1Star(k: Uint8Array, opc: Uint8Array, rand: Uint8Array, sqn: Uint8Array, amf: Uint8Array): Buffer {
  return f1Both(k, opc, rand, sqn, amf).macS;
}

/** f2, f3, f4, f5 and f5* (OUT2..OUT5) for one RAND. */
export function f2345(k: Uint8Array, opc: Uint8Array, rand: Uint8Array): MilenageF2345Output {
  check("K", k, 16);
  check("OPc", opc, 16);
  check("RAND", rand, 16);
  const temp = encrypt(k, xor(rand, opc));
  const tempXorOpc = xor(temp, opc);
  const out = (i: 1 | 2 | 3 | 4): Buffer => {
    // OUTi = E_K[rot(TEMP xor OPc, ri) xor ci] xor OPc
    const x = rotate(tempXorOpc, R[i]);
    x[15] = (x[15] ?? 0) ^ C_LAST_OCTET[i];
    return xor(encrypt(k, x), opc);
  };
  const out2 = out(1);
  const out3 = out(2);
  const out4 = out(3);
  const out5 = out(4);
  return {
    res: out2.subarray(8, 16), // f2 = OUT2[64..127]
    ak: out2.subarray(0, 6), // f5 = OUT2[0..47]
    ck: out3, // f3 = OUT3[0..127]
    ik: out4, // f4 = OUT4[0..127]
    akStar: out5.subarray(0, 6), // f5* = OUT5[0..47]
  };
}

export function f2(k: Uint8Array, opc: Uint8Array, rand: Uint8Array): Buffer {
  return f2345(k, opc, rand).res;
}

export function f3(k: Uint8Array, opc: Uint8Array, rand: Uint8Array): Buffer {
  return f2345(k, opc, rand).ck;
}

export function f4(k: Uint8Array, opc: Uint8Array, rand: Uint8Array): Buffer {
  return f2345(k, opc, rand).ik;
}

export function f5(k: Uint8Array, opc: Uint8Array, rand: Uint8Array): Buffer {
  return f2345(k, opc, rand).ak;
}

export function f5Star(k: Uint8Array, opc: Uint8Array, rand: Uint8Array): Buffer {
  return f2345(k, opc, rand).akStar;
}

/** The kernel E_K: one AES-128 block encryption (ECB, no padding). */
function encrypt(k: Uint8Array, block: Uint8Array): Buffer {
  const cipher = createCipheriv("aes-128-ecb", k, null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(block), cipher.final()]);
}

/** TS 35.206 4.1 rot(x, r): cyclic rotation of the 128-bit x by r bits towards the most significant bit. */
function rotate(x: Uint8Array, bits: number): Buffer {
  const n = bits / 8; // every ri of the default set is a whole number of octets
  const out = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) out[i] = x[(i + n) % 16] ?? 0;
  return out;
}

function xor(a: Uint8Array, b: Uint8Array): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] ?? 0) ^ (b[i] ?? 0);
  return out;
}

function check(name: string, value: Uint8Array, octets: number): void {
  if (!(value instanceof Uint8Array) || value.length !== octets) {
    throw new RangeError(`MILENAGE: ${name} must be ${octets} octets`);
  }
}

// The relay protocol between the MS and the network (TS 24.011 7.3, 8.2): RP-DATA each way, RP-ACK
// and RP-ERROR, the body of a SIP MESSAGE with Content-Type application/vnd.3gpp.sms (TS 24.341
// 5.3). RP-User-Data carries a TPDU (TS 23.040), decoded here with the direction of its RP message.
// Decoding never throws: a message that breaks a rule is a reason naming the element and the clause.
import { type Decoded, type Tpdu, decodeTpdu, digitsOf, semiOctets } from "./tpdu.ts";

/** TS 24.341 5.3, TS 24.011 annex: the media type of an RP message in a SIP body. */
export const SMS_CONTENT_TYPE = "application/vnd.3gpp.sms";

/** TS 24.011 8.2.2: RP-Message Type Indicator values. */
export const RP_MTI = {
  "RP-DATA ms-to-network": 0,
  "RP-DATA network-to-ms": 1,
  "RP-ACK ms-to-network": 2,
  "RP-ACK network-to-ms": 3,
  "RP-ERROR ms-to-network": 4,
  "RP-ERROR network-to-ms": 5,
  "RP-SMMA ms-to-network": 6,
} as const;

export type RpDirection = "ms-to-network" | "network-to-ms";
export type RpType = "RP-DATA" | "RP-ACK" | "RP-ERROR" | "RP-SMMA";

/** TS 24.011 8.2.5.4, table 8.4: RP-Cause values this harness names. */
export const RP_CAUSES: Readonly<Record<number, string>> = {
  1: "Unassigned (unallocated) number",
  8: "Operator determined barring",
  10: "Call barred",
  21: "Short message transfer rejected",
  22: "Memory capacity exceeded",
  27: "Destination out of order",
  28: "Unidentified subscriber",
  29: "Facility rejected",
  30: "Unknown subscriber",
  38: "Network out of order",
  41: "Temporary failure",
  42: "Congestion",
  47: "Resources unavailable, unspecified",
  50: "Requested facility not subscribed",
  69: "Requested facility not implemented",
  81: "Invalid short message transfer reference value",
  95: "Semantically incorrect message",
  96: "Invalid mandatory information",
  97: "Message type non-existent or not implemented",
  98: "Message not compatible with short message protocol state",
  99: "Information element non-existent or not implemented",
  111: "Protocol error, unspecified",
  127: "Interworking, unspecified",
};

/** TS 24.011 8.2.5.3: the IEI of RP-User-Data when it is optional (RP-ACK, RP-ERROR). */
const RP_USER_DATA_IEI = 0x41;
/** TS 24.011 8.2.5.3: RP-User-Data holds at most 233 octets of TPDU. */
export const MAX_RP_USER_DATA = 233;

/** An RP message as read: its type and direction, the message reference, and what its type carries. */
export interface RpMessage {
  readonly type: RpType;
  readonly direction: RpDirection;
  /** RP-Message Reference (8.2.3). */
  readonly reference: number;
  /** RP-DATA: RP-Originator Address (8.2.5.1): the SC address network-to-MS, empty MS-to-network. */
  readonly originatorAddress?: string;
  /** RP-DATA: RP-Destination Address (8.2.5.2): the SC address MS-to-network, empty network-to-MS. */
  readonly destinationAddress?: string;
  /** RP-ERROR: RP-Cause (8.2.5.4). */
  readonly cause?: number;
  /** RP-User-Data (8.2.5.3), when present: the TPDU's octets ... */
  readonly userData?: Buffer;
  /** ... and the TPDU read from them (TS 23.040), or why it could not be. */
  readonly tpdu?: Decoded<Tpdu>;
}

/** "RP-ERROR (cause 38, Network out of order)". */
export function describeRp(m: RpMessage): string {
  const cause = m.cause === undefined ? "" : `, cause ${m.cause}${RP_CAUSES[m.cause] ? ` ${RP_CAUSES[m.cause]}` : ""}`;
  const tpdu = m.tpdu ? (m.tpdu.ok ? `, ${m.tpdu.value.type}` : ", an undecodable TPDU") : "";
  return `${m.type} ${m.direction} (RP-MR ${m.reference}${cause}${tpdu})`;
}

// --- encoders ---

/** TS 24.011 8.2.5.1, 8.2.5.2: an RP address: its length in octets, type of number (+: international, ISDN), BCD digits; "" is length 0. */
export function encodeRpAddress(number: string): Buffer {
  if (number === "") return Buffer.from([0]);
  const international = number.startsWith("+");
  const digits = international ? number.slice(1) : number;
  if (!/^[0-9*#abc]{1,20}$/.test(digits)) throw new RangeError(`"${number}" is not an RP address of up to 20 digits (TS 24.011 8.2.5.1)`);
  const value = semiOctets(digits);
  return Buffer.concat([Buffer.from([value.length + 1, international ? 0x91 : 0x81]), value]);
}

function userDataLv(tpdu: Buffer): Buffer {
  if (tpdu.length > MAX_RP_USER_DATA) throw new RangeError(`a TPDU of ${tpdu.length} octets: RP-User-Data holds ${MAX_RP_USER_DATA} (TS 24.011 8.2.5.3)`);
  return Buffer.concat([Buffer.from([tpdu.length]), tpdu]);
}

/** TS 24.011 7.3.1.2: RP-DATA MS to network: RP-OA empty, RP-DA the SC's address, RP-User-Data (an SMS-SUBMIT). */
export function encodeRpDataFromMs(o: { readonly reference: number; readonly scAddress: string; readonly tpdu: Buffer }): Buffer {
  return Buffer.concat([Buffer.from([RP_MTI["RP-DATA ms-to-network"], o.reference & 0xff]), encodeRpAddress(""), encodeRpAddress(o.scAddress), userDataLv(o.tpdu)]);
}

/** TS 24.011 7.3.1.1: RP-DATA network to MS: RP-OA the SC's address, RP-DA empty, RP-User-Data (an SMS-DELIVER). */
export function encodeRpDataToMs(o: { readonly reference: number; readonly scAddress: string; readonly tpdu: Buffer }): Buffer {
  return Buffer.concat([Buffer.from([RP_MTI["RP-DATA network-to-ms"], o.reference & 0xff]), encodeRpAddress(o.scAddress), encodeRpAddress(""), userDataLv(o.tpdu)]);
}

/** TS 24.011 7.3.3: RP-ACK, optionally with RP-User-Data (IEI 0x41: an SMS-SUBMIT-REPORT or SMS-DELIVER-REPORT). */
export function encodeRpAck(o: { readonly direction: RpDirection; readonly reference: number; readonly tpdu?: Buffer }): Buffer {
  const mti = o.direction === "ms-to-network" ? RP_MTI["RP-ACK ms-to-network"] : RP_MTI["RP-ACK network-to-ms"];
  return Buffer.concat([Buffer.from([mti, o.reference & 0xff]), o.tpdu ? Buffer.concat([Buffer.from([RP_USER_DATA_IEI]), userDataLv(o.tpdu)]) : Buffer.alloc(0)]);
}

/** TS 24.011 7.3.4: RP-ERROR with RP-Cause (8.2.5.4, no diagnostic), optionally RP-User-Data (IEI 0x41). */
export function encodeRpError(o: { readonly direction: RpDirection; readonly reference: number; readonly cause: number; readonly tpdu?: Buffer }): Buffer {
  const mti = o.direction === "ms-to-network" ? RP_MTI["RP-ERROR ms-to-network"] : RP_MTI["RP-ERROR network-to-ms"];
  return Buffer.concat([Buffer.from([mti, o.reference & 0xff, 1, o.cause & 0x7f]), o.tpdu ? Buffer.concat([Buffer.from([RP_USER_DATA_IEI]), userDataLv(o.tpdu)]) : Buffer.alloc(0)]);
}

// --- decoder ---

const ok = <T>(value: T): Decoded<T> => ({ ok: true, value });
const bad = (reason: string): { readonly ok: false; readonly reason: string } => ({ ok: false, reason });

/** TS 24.011 8.2.5.1, 8.2.5.2: an RP address at `at`; the octets it took. */
function decodeRpAddress(b: Buffer, at: number, what: string): Decoded<{ value: string; size: number }> {
  const len = b[at];
  if (len === undefined) return bad(`${what} missing (TS 24.011 8.2.5)`);
  if (len === 0) return ok({ value: "", size: 1 });
  if (len > 11) return bad(`${what}: length ${len}, at most 11 octets (TS 24.011 8.2.5.1)`);
  const v = b.subarray(at + 1, at + 1 + len);
  if (v.length < len) return bad(`${what}: ${len} octets announced, the message ends first (TS 24.011 8.2.5)`);
  const toa = v[0];
  const octets = v.subarray(1);
  const count = octets.length * 2 - (octets.length > 0 && octets[octets.length - 1] >> 4 === 0x0f ? 1 : 0);
  const digits = digitsOf(octets, count, what);
  if (!digits.ok) return digits;
  return ok({ value: `${((toa >> 4) & 0x07) === 1 ? "+" : ""}${digits.value}`, size: 1 + len });
}

/** TS 24.011 8.2.5.3: a TPDU of RP-User-Data, length-value at `at`. */
function decodeUserData(b: Buffer, at: number, what: string): Decoded<{ value: Buffer; size: number }> {
  const len = b[at];
  if (len === undefined) return bad(`${what}: RP-User-Data missing (TS 24.011 8.2.5.3)`);
  if (len === 0) return bad(`${what}: RP-User-Data of length 0 holds no TPDU (TS 24.011 8.2.5.3)`);
  if (len > MAX_RP_USER_DATA) return bad(`${what}: RP-User-Data length ${len}, at most ${MAX_RP_USER_DATA} (TS 24.011 8.2.5.3)`);
  const v = b.subarray(at + 1, at + 1 + len);
  if (v.length < len) return bad(`${what}: RP-User-Data of ${len} octets announced, ${v.length} present (TS 24.011 8.2.5.3)`);
  return ok({ value: Buffer.from(v), size: 1 + len });
}

/**
 * TS 24.011 7.3, 8.2: the RP message of an application/vnd.3gpp.sms body. Its TPDU (RP-User-Data) is
 * read as `tpdu`; a TPDU that does not decode leaves the RP message decoded, with `tpdu.ok` false.
 */
export function decodeRp(b: Buffer): Decoded<RpMessage> {
  if (b.length < 2) return bad(`${b.length} octet${b.length === 1 ? "" : "s"}: an RP message has at least its type and reference (TS 24.011 7.3)`);
  const mti = b[0] & 0x07;
  if (b[0] & 0xf8) return bad(`octet 1 0x${b[0].toString(16).padStart(2, "0")}: the spare bits of RP-MTI are not 0 (TS 24.011 8.2.2)`);
  const reference = b[1];
  const direction: RpDirection = mti % 2 === 0 ? "ms-to-network" : "network-to-ms";
  switch (mti) {
    case 0:
    case 1: {
      const what = `RP-DATA ${direction}`;
      const oa = decodeRpAddress(b, 2, `${what} RP-Originator Address`);
      if (!oa.ok) return oa;
      const da = decodeRpAddress(b, 2 + oa.value.size, `${what} RP-Destination Address`);
      if (!da.ok) return da;
      // 7.3.1.1: the network sends the SC address as originator, no destination; 7.3.1.2 the other way round
      if (direction === "network-to-ms" && (oa.value.value === "" || da.value.value !== ""))
        return bad(`${what}: RP-Originator Address must hold the SC address and RP-Destination Address be empty (TS 24.011 7.3.1.1)`);
      if (direction === "ms-to-network" && (oa.value.value !== "" || da.value.value === ""))
        return bad(`${what}: RP-Originator Address must be empty and RP-Destination Address hold the SC address (TS 24.011 7.3.1.2)`);
      const at = 2 + oa.value.size + da.value.size;
      const ud = decodeUserData(b, at, what);
      if (!ud.ok) return ud;
      if (at + ud.value.size < b.length) return bad(`${what}: ${b.length - at - ud.value.size} octets after RP-User-Data (TS 24.011 7.3.1)`);
      const tpdu = decodeTpdu(ud.value.value, direction === "ms-to-network" ? "ms-to-sc" : "sc-to-ms");
      return ok({ type: "RP-DATA", direction, reference, originatorAddress: oa.value.value, destinationAddress: da.value.value, userData: ud.value.value, tpdu });
    }
    case 2:
    case 3:
    case 4:
    case 5: {
      const type = mti < 4 ? "RP-ACK" : "RP-ERROR";
      const what = `${type} ${direction}`;
      let at = 2;
      let cause: number | undefined;
      if (type === "RP-ERROR") {
        const len = b[at];
        if (len === undefined || len < 1 || len > 2) return bad(`${what}: RP-Cause ${len === undefined ? "missing" : `of length ${len}, 1 or 2 expected`} (TS 24.011 8.2.5.4)`);
        if (b.length < at + 1 + len) return bad(`${what}: RP-Cause of ${len} octets, the message ends first (TS 24.011 8.2.5.4)`);
        cause = b[at + 1] & 0x7f;
        at += 1 + len;
      }
      if (at === b.length) return ok({ type, direction, reference, ...(cause === undefined ? {} : { cause }) });
      if (b[at] !== RP_USER_DATA_IEI)
        return bad(`${what}: octet ${at + 1} 0x${b[at].toString(16).padStart(2, "0")} where RP-User-Data (IEI 0x41) or the end is expected (TS 24.011 7.3.${type === "RP-ACK" ? 3 : 4})`);
      const ud = decodeUserData(b, at + 1, what);
      if (!ud.ok) return ud;
      if (at + 1 + ud.value.size < b.length) return bad(`${what}: ${b.length - at - 1 - ud.value.size} octets after RP-User-Data (TS 24.011 7.3)`);
      const tpdu = decodeTpdu(ud.value.value, direction === "ms-to-network" ? "ms-to-sc" : "sc-to-ms", type === "RP-ERROR");
      return ok({ type, direction, reference, ...(cause === undefined ? {} : { cause }), userData: ud.value.value, tpdu });
    }
    case 6:
      if (b.length > 2) return bad(`RP-SMMA: ${b.length - 2} octets after the message reference (TS 24.011 7.3.2)`);
      return ok({ type: "RP-SMMA", direction, reference });
    default:
      return bad(`RP-MTI ${mti} is reserved (TS 24.011 8.2.2)`);
  }
}

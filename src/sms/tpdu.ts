// Transfer protocol data units of the short message transfer layer (TS 23.040 9.2): SMS-SUBMIT
// (9.2.2.2), SMS-DELIVER (9.2.2.1), their reports (9.2.2.1a, 9.2.2.2a) and SMS-STATUS-REPORT
// (9.2.2.3), with TP-DCS (TS 23.038 4) for the GSM 7-bit default alphabet, 8-bit data and UCS2,
// addresses (9.1.2.5) and TP-SCTS (9.2.3.11). Decoding never throws: a TPDU that breaks a rule is
// a reason naming the field and the clause. Encoding input that cannot be encoded throws RangeError.
import { decodeGsm7, encodeGsm7, packSeptets, unpackSeptets } from "./gsm7.ts";

export type Decoded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

const ok = <T>(value: T): Decoded<T> => ({ ok: true, value });
const bad = (reason: string): { readonly ok: false; readonly reason: string } => ({ ok: false, reason });

/** Which way a TPDU travels: the MTI means a different TPDU each way (TS 23.040 9.2.3.1). */
export type TpduDirection = "ms-to-sc" | "sc-to-ms";

/** TS 23.038 4: the character sets of TP-DCS this codec reads and writes. */
export type Alphabet = "gsm7" | "8bit" | "ucs2";

/** TS 23.040 9.2.3.16: the user data of at most 140 octets: 160 septets of GSM 7-bit text, 140 octets, or 70 UCS2 characters. */
export const MAX_USER_DATA_OCTETS = 140;
export const MAX_GSM7_SEPTETS = 160;

/** TS 23.040 9.1.2.5: an address: digits (a leading + for an international number, TON 001, NPI 0001 ISDN/E.164), or alphanumeric text (TON 101). */
export interface TpAddress {
  /** "+15551230002", "5551230002", or the text of an alphanumeric address. */
  readonly value: string;
  readonly kind: "international" | "unknown" | "national" | "alphanumeric";
}

/** TS 23.040 9.2.3.11: the service centre time stamp, local time and its offset from UTC in quarters of an hour. */
export interface ServiceCentreTimestamp {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly timezoneQuarters: number;
}

/** TS 23.040 9.2.3.16, 9.2.3.24: TP-UD as read through TP-DCS and TP-UDL. */
export interface UserData {
  readonly alphabet: Alphabet;
  /** The text (gsm7, ucs2); the octets as latin1 for 8-bit data. */
  readonly text: string;
  /** The user data header (TP-UDHI set), without its length octet. */
  readonly header?: Buffer;
  /** TP-UDL as sent: septets for gsm7, octets otherwise. */
  readonly length: number;
  /** TP-UD as sent. */
  readonly octets: Buffer;
}

export interface SmsSubmit {
  readonly type: "SMS-SUBMIT";
  /** TP-MR (9.2.3.6). */
  readonly messageReference: number;
  readonly rejectDuplicates: boolean;
  readonly statusReportRequest: boolean;
  readonly replyPath: boolean;
  readonly destination: TpAddress;
  readonly protocolIdentifier: number;
  readonly dataCoding: number;
  /** TP-VP as sent (0, 1 or 7 octets by TP-VPF, 9.2.3.3). */
  readonly validityPeriod: Buffer;
  readonly userData: UserData;
}

export interface SmsDeliver {
  readonly type: "SMS-DELIVER";
  /** TP-MMS (9.2.3.2): true when more messages are waiting (the bit is 0). */
  readonly moreMessagesToSend: boolean;
  readonly statusReportIndication: boolean;
  readonly replyPath: boolean;
  readonly originator: TpAddress;
  readonly protocolIdentifier: number;
  readonly dataCoding: number;
  readonly timestamp: ServiceCentreTimestamp;
  readonly userData: UserData;
}

/** TS 23.040 9.2.2.2a (in RP-ACK or, with TP-FCS, RP-ERROR). */
export interface SmsSubmitReport {
  readonly type: "SMS-SUBMIT-REPORT";
  readonly failureCause?: number;
  readonly timestamp: ServiceCentreTimestamp;
}

/** TS 23.040 9.2.2.1a (in RP-ACK or, with TP-FCS, RP-ERROR). */
export interface SmsDeliverReport {
  readonly type: "SMS-DELIVER-REPORT";
  readonly failureCause?: number;
}

/** TS 23.040 9.2.2.3. */
export interface SmsStatusReport {
  readonly type: "SMS-STATUS-REPORT";
  readonly messageReference: number;
  readonly recipient: TpAddress;
  readonly timestamp: ServiceCentreTimestamp;
  readonly dischargeTime: ServiceCentreTimestamp;
  readonly status: number;
}

export type Tpdu = SmsSubmit | SmsDeliver | SmsSubmitReport | SmsDeliverReport | SmsStatusReport;

// --- TP-DCS (TS 23.038 4) ---

/** TS 23.038 4: the general data coding group, uncompressed, no message class: 0x00 GSM 7-bit, 0x04 8-bit data, 0x08 UCS2. */
export function dataCodingFor(alphabet: Alphabet): number {
  return alphabet === "gsm7" ? 0x00 : alphabet === "8bit" ? 0x04 : 0x08;
}

/** TS 23.038 4: the alphabet a TP-DCS octet names; a reason for a compressed or reserved coding. */
export function alphabetOf(dcs: number): Decoded<Alphabet> {
  const group = dcs >> 4;
  const fromBits = (bits: number): Decoded<Alphabet> =>
    bits === 0 ? ok("gsm7") : bits === 1 ? ok("8bit") : bits === 2 ? ok("ucs2") : bad(`TP-DCS 0x${hex(dcs)}: character set 11 is reserved (TS 23.038 4)`);
  if (group <= 0x7) {
    // 00xx general data coding, 01xx the same with automatic deletion; bit 5 set: compressed (TS 23.038 3)
    if (dcs & 0x20) return bad(`TP-DCS 0x${hex(dcs)}: compressed user data (TS 23.038 3) is not decoded here`);
    return fromBits((dcs >> 2) & 0x03);
  }
  if (group === 0xc || group === 0xd) return ok("gsm7"); // message waiting indication groups
  if (group === 0xe) return ok("ucs2");
  if (group === 0xf) return ok(dcs & 0x04 ? "8bit" : "gsm7"); // data coding / message class
  return bad(`TP-DCS 0x${hex(dcs)}: coding group 10xx is reserved (TS 23.038 4)`);
}

// --- user data (TS 23.040 9.2.3.16, 9.2.3.24) ---

/** The alphabet a text needs: the GSM 7-bit default alphabet when every character has a form there, UCS2 otherwise. */
export function alphabetFor(text: string): "gsm7" | "ucs2" {
  return encodeGsm7(text) ? "gsm7" : "ucs2";
}

/** TP-UDL and TP-UD for `text` (no user data header). Throws RangeError when it does not fit one short message. */
export function encodeUserData(text: string, alphabet: Alphabet = alphabetFor(text)): { readonly length: number; readonly octets: Buffer } {
  if (alphabet === "gsm7") {
    const septets = encodeGsm7(text);
    if (!septets) throw new RangeError(`"${text}" has characters outside the GSM 7-bit default alphabet (TS 23.038 6.2.1)`);
    if (septets.length > MAX_GSM7_SEPTETS) throw new RangeError(`${septets.length} septets: a short message holds ${MAX_GSM7_SEPTETS} (TS 23.040 9.2.3.16)`);
    return { length: septets.length, octets: packSeptets(septets) };
  }
  const octets = alphabet === "ucs2" ? Buffer.from(text, "utf16le").swap16() : Buffer.from(text, "latin1");
  if (octets.length > MAX_USER_DATA_OCTETS) throw new RangeError(`${octets.length} octets: a short message holds ${MAX_USER_DATA_OCTETS} (TS 23.040 9.2.3.16)`);
  return { length: octets.length, octets };
}

/** TS 23.040 9.2.3.16, 9.2.3.24: TP-UD read from `rest` (which must hold exactly TP-UD) by TP-UDL, TP-DCS and TP-UDHI. */
function decodeUserData(rest: Buffer, length: number, dcs: number, udhi: boolean): Decoded<UserData> {
  const alphabet = alphabetOf(dcs);
  if (!alphabet.ok) return alphabet;
  const a = alphabet.value;
  const needed = a === "gsm7" ? Math.ceil((length * 7) / 8) : length;
  if (a === "gsm7" && length > MAX_GSM7_SEPTETS) return bad(`TP-UDL ${length} septets: at most ${MAX_GSM7_SEPTETS} (TS 23.040 9.2.3.16)`);
  if (needed > MAX_USER_DATA_OCTETS) return bad(`TP-UDL ${length}: TP-UD of ${needed} octets, at most ${MAX_USER_DATA_OCTETS} (TS 23.040 9.2.3.16)`);
  if (rest.length < needed) return bad(`TP-UDL ${length}${a === "gsm7" ? " septets" : ""} needs ${needed} octets of TP-UD, ${rest.length} present (TS 23.040 9.2.3.16)`);
  if (rest.length > needed) return bad(`${rest.length - needed} octets after the ${needed} of TP-UD that TP-UDL ${length} announces (TS 23.040 9.2.3.16)`);
  const octets = rest.subarray(0, needed);
  let header: Buffer | undefined;
  let headerOctets = 0;
  if (udhi) {
    const udhl = octets[0];
    if (udhl === undefined || udhl + 1 > needed) return bad(`TP-UDHI set but the user data header length ${udhl ?? "(absent)"} does not fit TP-UD (TS 23.040 9.2.3.24)`);
    header = octets.subarray(1, 1 + udhl);
    headerOctets = udhl + 1;
  }
  let text: string;
  if (a === "gsm7") {
    const headerSeptets = Math.ceil((headerOctets * 8) / 7);
    const septets = unpackSeptets(octets.subarray(headerOctets), length - headerSeptets, headerSeptets * 7 - headerOctets * 8);
    if (!septets) return bad(`TP-UD too short for TP-UDL ${length} (TS 23.040 9.2.3.16)`);
    text = decodeGsm7(septets);
  } else {
    const body = octets.subarray(headerOctets);
    if (a === "ucs2" && body.length % 2 !== 0) return bad(`UCS2 user data of ${body.length} octets: not a whole number of 16-bit characters (TS 23.038 6.2.3)`);
    text = a === "ucs2" ? Buffer.from(body).swap16().toString("utf16le") : body.toString("latin1");
  }
  return ok({ alphabet: a, text, length, octets: Buffer.from(octets), ...(header ? { header: Buffer.from(header) } : {}) });
}

// --- addresses (TS 23.040 9.1.2.5) ---

const DIGITS = "0123456789*#abc";

/** TS 23.040 9.1.2.5: "+15551230002" international (TON 001, NPI 0001), other digits unknown TON; semi-octets with filler 1111. */
export function encodeTpAddress(number: string): Buffer {
  const international = number.startsWith("+");
  const digits = international ? number.slice(1) : number;
  if (!/^[0-9*#abc]{1,20}$/.test(digits)) throw new RangeError(`"${number}" is not an address of up to 20 digits (TS 23.040 9.1.2.5)`);
  return Buffer.concat([Buffer.from([digits.length, international ? 0x91 : 0x81]), semiOctets(digits)]);
}

/** TS 23.040 9.1.2.5: an alphanumeric address (TON 101, NPI 0000): up to 11 GSM 7-bit characters, packed; its length counts semi-octets. */
export function encodeAlphanumericAddress(text: string): Buffer {
  const septets = encodeGsm7(text);
  if (!septets || septets.length === 0 || septets.length > 11) throw new RangeError(`"${text}" is not an alphanumeric address of 1 to 11 GSM 7-bit characters (TS 23.040 9.1.2.5)`);
  const value = packSeptets(septets);
  return Buffer.concat([Buffer.from([Math.ceil((septets.length * 7) / 4), 0xd0]), value]);
}

/** Digits as swapped semi-octets, the last octet padded with 1111 (TS 23.040 9.1.2.3). */
export function semiOctets(digits: string): Buffer {
  const out = Buffer.alloc(Math.ceil(digits.length / 2), 0xff);
  for (let i = 0; i < digits.length; i++) {
    const v = DIGITS.indexOf(digits[i]);
    out[i >> 1] = i % 2 === 0 ? (out[i >> 1] & 0xf0) | v : (out[i >> 1] & 0x0f) | (v << 4);
  }
  return out;
}

/** The digits of swapped semi-octets, `count` of them; a reason when one is not a digit value. */
export function digitsOf(octets: Buffer, count: number, what: string): Decoded<string> {
  let out = "";
  for (let i = 0; i < count; i++) {
    const o = octets[i >> 1];
    const v = i % 2 === 0 ? o & 0x0f : o >> 4;
    if (v > 0x0e) return bad(`${what}: semi-octet ${i + 1} is the filler 1111 inside the number (TS 23.040 9.1.2.3)`);
    out += DIGITS[v];
  }
  return ok(out);
}

/** TS 23.040 9.1.2.5: an address at `at`; the number of octets it took. */
function decodeTpAddress(b: Buffer, at: number, what: string): Decoded<{ address: TpAddress; size: number }> {
  const len = b[at];
  const toa = b[at + 1];
  if (len === undefined || toa === undefined) return bad(`${what}: the address ends the TPDU early (TS 23.040 9.1.2.5)`);
  if (len > 20) return bad(`${what}: address length ${len} semi-octets, at most 20 (TS 23.040 9.1.2.5)`);
  if ((toa & 0x80) === 0) return bad(`${what}: type-of-address 0x${hex(toa)} without bit 8 set (TS 23.040 9.1.2.5)`);
  const octets = Math.ceil(len / 2);
  const value = b.subarray(at + 2, at + 2 + octets);
  if (value.length < octets) return bad(`${what}: ${len} semi-octets announced, the TPDU ends first (TS 23.040 9.1.2.5)`);
  const ton = (toa >> 4) & 0x07;
  if (ton === 5) {
    const septets = unpackSeptets(value, Math.floor((len * 4) / 7));
    return ok({ address: { value: decodeGsm7(septets ?? []), kind: "alphanumeric" }, size: 2 + octets });
  }
  const digits = digitsOf(value, len, what);
  if (!digits.ok) return digits;
  const kind = ton === 1 ? "international" : ton === 2 ? "national" : "unknown";
  return ok({ address: { value: `${kind === "international" ? "+" : ""}${digits.value}`, kind }, size: 2 + octets });
}

// --- TP-SCTS (TS 23.040 9.2.3.11) ---

/** TS 23.040 9.2.3.11: the time stamp of `date` in UTC (time zone 0). */
export function encodeTimestamp(date: Date): Buffer {
  const fields = [date.getUTCFullYear() % 100, date.getUTCMonth() + 1, date.getUTCDate(), date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds(), 0];
  return Buffer.from(fields.map((v) => ((v % 10) << 4) | Math.floor(v / 10)));
}

function decodeTimestamp(b: Buffer, at: number, what: string): Decoded<ServiceCentreTimestamp> {
  const t = b.subarray(at, at + 7);
  if (t.length < 7) return bad(`${what}: 7 octets, the TPDU ends first (TS 23.040 9.2.3.11)`);
  const v: number[] = [];
  for (let i = 0; i < 7; i++) {
    const lo = i === 6 ? t[i] & 0x07 : t[i] & 0x0f;
    const hi = t[i] >> 4;
    if (lo > 9 || hi > 9) return bad(`${what}: octet ${i + 1} 0x${hex(t[i])} is not two decimal semi-octets (TS 23.040 9.2.3.11)`);
    v.push(lo * 10 + hi);
  }
  const [year, month, day, hour, minute, second, quarters] = v as [number, number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return bad(`${what}: ${v.slice(0, 6).join("/")} is not a date and time (TS 23.040 9.2.3.11)`);
  // two digits of year: 90..99 read as the 1990s (the earliest SMS), the rest as this century
  return ok({ year: year >= 90 ? 1900 + year : 2000 + year, month, day, hour, minute, second, timezoneQuarters: t[6] & 0x08 ? -quarters : quarters });
}

// --- encoders ---

export interface SubmitOptions {
  readonly messageReference: number;
  /** TP-DA: "+15551230002". */
  readonly destination: string;
  readonly text: string;
  /** Default: GSM 7-bit when the text allows it, else UCS2. */
  readonly alphabet?: Alphabet;
  readonly statusReportRequest?: boolean;
}

/** TS 23.040 9.2.2.2: SMS-SUBMIT without validity period (TP-VPF 00) or user data header. */
export function encodeSmsSubmit(o: SubmitOptions): Buffer {
  const alphabet = o.alphabet ?? alphabetFor(o.text);
  const ud = encodeUserData(o.text, alphabet);
  // TP-MTI 01 (bits 1-0), TP-RD 0, TP-VPF 00, TP-SRR (bit 5), TP-UDHI 0, TP-RP 0
  const first = 0x01 | (o.statusReportRequest ? 0x20 : 0);
  return Buffer.concat([Buffer.from([first, o.messageReference & 0xff]), encodeTpAddress(o.destination), Buffer.from([0x00, dataCodingFor(alphabet), ud.length]), ud.octets]);
}

export interface DeliverOptions {
  /** TP-OA: "+15551230001", or an alphanumeric address (9.1.2.5) when it is not digits. */
  readonly originator: string;
  readonly timestamp: Date;
  /** The text, or the user data of an SMS-SUBMIT passed on as it came (TP-DCS, TP-UDL, TP-UD, TP-UDHI). */
  readonly text?: string;
  readonly userData?: { readonly dataCoding: number; readonly length: number; readonly octets: Buffer; readonly header: boolean };
  readonly protocolIdentifier?: number;
  readonly alphabet?: Alphabet;
}

/** TS 23.040 9.2.2.1: SMS-DELIVER, TP-MMS 1 (no more messages waiting). */
export function encodeSmsDeliver(o: DeliverOptions): Buffer {
  let dcs: number;
  let ud: { length: number; octets: Buffer };
  let udhi = false;
  if (o.userData) {
    dcs = o.userData.dataCoding;
    ud = o.userData;
    udhi = o.userData.header;
  } else {
    const text = o.text ?? "";
    const alphabet = o.alphabet ?? alphabetFor(text);
    dcs = dataCodingFor(alphabet);
    ud = encodeUserData(text, alphabet);
  }
  // TP-MTI 00, TP-MMS 1 (bit 2: no more messages), TP-LP 0, TP-SRI 0, TP-UDHI (bit 6), TP-RP 0
  const first = 0x04 | (udhi ? 0x40 : 0);
  return Buffer.concat([
    Buffer.from([first]),
    /^\+?[0-9*#abc]{1,20}$/.test(o.originator) ? encodeTpAddress(o.originator) : encodeAlphanumericAddress(o.originator),
    Buffer.from([o.protocolIdentifier ?? 0, dcs]),
    encodeTimestamp(o.timestamp),
    Buffer.from([ud.length]),
    ud.octets,
  ]);
}

/** TS 23.040 9.2.2.2a: SMS-SUBMIT-REPORT for RP-ACK (no TP-FCS) or RP-ERROR (with it); TP-PI 0 (no optional parameter). */
export function encodeSubmitReport(o: { readonly timestamp: Date; readonly failureCause?: number }): Buffer {
  const fcs = o.failureCause === undefined ? [] : [o.failureCause & 0xff];
  return Buffer.concat([Buffer.from([0x01, ...fcs, 0x00]), encodeTimestamp(o.timestamp)]);
}

/** TS 23.040 9.2.2.1a: SMS-DELIVER-REPORT for RP-ACK (no TP-FCS) or RP-ERROR (with it); TP-PI 0. */
export function encodeDeliverReport(o: { readonly failureCause?: number } = {}): Buffer {
  return Buffer.from([0x00, ...(o.failureCause === undefined ? [] : [o.failureCause & 0xff]), 0x00]);
}

// --- decoder ---

/**
 * TS 23.040 9.2: the TPDU `b` travelling `direction`; `inError` for the RP-User-Data of an
 * RP-ERROR, whose reports carry TP-FCS (9.2.2.1a, 9.2.2.2a).
 */
export function decodeTpdu(b: Buffer, direction: TpduDirection, inError = false): Decoded<Tpdu> {
  if (b.length === 0) return bad("an empty TPDU (TS 23.040 9.2)");
  const mti = b[0] & 0x03;
  if (direction === "ms-to-sc") {
    if (mti === 0x01) return decodeSubmit(b);
    if (mti === 0x00) return decodeReport(b, "SMS-DELIVER-REPORT", inError);
    return bad(`TP-MTI ${mti.toString(2).padStart(2, "0")} from the MS: ${mti === 2 ? "SMS-COMMAND, not decoded here" : "reserved"} (TS 23.040 9.2.3.1)`);
  }
  if (mti === 0x00) return decodeDeliver(b);
  if (mti === 0x01) return decodeReport(b, "SMS-SUBMIT-REPORT", inError);
  if (mti === 0x02) return decodeStatusReport(b);
  return bad("TP-MTI 11 from the SC is reserved (TS 23.040 9.2.3.1)");
}

function decodeSubmit(b: Buffer): Decoded<SmsSubmit> {
  const first = b[0];
  if (b.length < 2) return bad("SMS-SUBMIT: no TP-MR (TS 23.040 9.2.2.2)");
  const da = decodeTpAddress(b, 2, "SMS-SUBMIT TP-DA");
  if (!da.ok) return da;
  let at = 2 + da.value.size;
  if (b.length < at + 3) return bad("SMS-SUBMIT: TP-PID, TP-DCS or TP-UDL missing (TS 23.040 9.2.2.2)");
  const pid = b[at];
  const dcs = b[at + 1];
  at += 2;
  const vpf = (first >> 3) & 0x03;
  const vpLength = vpf === 0 ? 0 : vpf === 2 ? 1 : 7;
  const vp = b.subarray(at, at + vpLength);
  if (vp.length < vpLength) return bad(`SMS-SUBMIT: TP-VPF ${vpf.toString(2).padStart(2, "0")} announces a TP-VP of ${vpLength} octets, the TPDU ends first (TS 23.040 9.2.3.3)`);
  at += vpLength;
  const udl = b[at];
  if (udl === undefined) return bad("SMS-SUBMIT: TP-UDL missing (TS 23.040 9.2.2.2)");
  const ud = decodeUserData(b.subarray(at + 1), udl, dcs, (first & 0x40) !== 0);
  if (!ud.ok) return bad(`SMS-SUBMIT: ${ud.reason}`);
  return ok({
    type: "SMS-SUBMIT",
    messageReference: b[1],
    rejectDuplicates: (first & 0x04) !== 0,
    statusReportRequest: (first & 0x20) !== 0,
    replyPath: (first & 0x80) !== 0,
    destination: da.value.address,
    protocolIdentifier: pid,
    dataCoding: dcs,
    validityPeriod: Buffer.from(vp),
    userData: ud.value,
  });
}

function decodeDeliver(b: Buffer): Decoded<SmsDeliver> {
  const first = b[0];
  const oa = decodeTpAddress(b, 1, "SMS-DELIVER TP-OA");
  if (!oa.ok) return oa;
  let at = 1 + oa.value.size;
  if (b.length < at + 2) return bad("SMS-DELIVER: TP-PID or TP-DCS missing (TS 23.040 9.2.2.1)");
  const pid = b[at];
  const dcs = b[at + 1];
  at += 2;
  const scts = decodeTimestamp(b, at, "SMS-DELIVER TP-SCTS");
  if (!scts.ok) return scts;
  at += 7;
  const udl = b[at];
  if (udl === undefined) return bad("SMS-DELIVER: TP-UDL missing (TS 23.040 9.2.2.1)");
  const ud = decodeUserData(b.subarray(at + 1), udl, dcs, (first & 0x40) !== 0);
  if (!ud.ok) return bad(`SMS-DELIVER: ${ud.reason}`);
  return ok({
    type: "SMS-DELIVER",
    moreMessagesToSend: (first & 0x04) === 0,
    statusReportIndication: (first & 0x20) !== 0,
    replyPath: (first & 0x80) !== 0,
    originator: oa.value.address,
    protocolIdentifier: pid,
    dataCoding: dcs,
    timestamp: scts.value,
    userData: ud.value,
  });
}

function decodeReport(b: Buffer, type: "SMS-SUBMIT-REPORT" | "SMS-DELIVER-REPORT", inError: boolean): Decoded<SmsSubmitReport | SmsDeliverReport> {
  const clause = type === "SMS-SUBMIT-REPORT" ? "9.2.2.2a" : "9.2.2.1a";
  let at = 1;
  let failureCause: number | undefined;
  if (inError) {
    failureCause = b[at++];
    if (failureCause === undefined) return bad(`${type} for RP-ERROR: TP-FCS missing (TS 23.040 ${clause})`);
  }
  const pi = b[at++];
  if (pi === undefined) return bad(`${type}: TP-PI missing (TS 23.040 ${clause})`);
  let timestamp: ServiceCentreTimestamp | undefined;
  if (type === "SMS-SUBMIT-REPORT") {
    const scts = decodeTimestamp(b, at, `${type} TP-SCTS`);
    if (!scts.ok) return scts;
    timestamp = scts.value;
    at += 7;
  }
  // TP-PI (9.2.3.27): bit 0 TP-PID, bit 1 TP-DCS, bit 2 TP-UDL follow
  let dcs = 0;
  if (pi & 0x01) at++;
  if (pi & 0x02) dcs = b[at++] ?? 0;
  if (pi & 0x04) {
    const udl = b[at];
    if (udl === undefined) return bad(`${type}: TP-PI announces TP-UDL, the TPDU ends first (TS 23.040 ${clause})`);
    const ud = decodeUserData(b.subarray(at + 1), udl, dcs, (b[0] & 0x40) !== 0);
    if (!ud.ok) return bad(`${type}: ${ud.reason}`);
  } else if (at > b.length) return bad(`${type}: TP-PI announces parameters the TPDU does not hold (TS 23.040 ${clause})`);
  else if (at < b.length) return bad(`${type}: ${b.length - at} octets after the parameters TP-PI announces (TS 23.040 ${clause})`);
  const cause = failureCause === undefined ? {} : { failureCause };
  return ok(type === "SMS-SUBMIT-REPORT" ? { type, timestamp: timestamp!, ...cause } : { type, ...cause });
}

function decodeStatusReport(b: Buffer): Decoded<SmsStatusReport> {
  if (b.length < 2) return bad("SMS-STATUS-REPORT: no TP-MR (TS 23.040 9.2.2.3)");
  const ra = decodeTpAddress(b, 2, "SMS-STATUS-REPORT TP-RA");
  if (!ra.ok) return ra;
  let at = 2 + ra.value.size;
  const scts = decodeTimestamp(b, at, "SMS-STATUS-REPORT TP-SCTS");
  if (!scts.ok) return scts;
  at += 7;
  const dt = decodeTimestamp(b, at, "SMS-STATUS-REPORT TP-DT");
  if (!dt.ok) return dt;
  at += 7;
  const st = b[at];
  if (st === undefined) return bad("SMS-STATUS-REPORT: TP-ST missing (TS 23.040 9.2.2.3)");
  return ok({ type: "SMS-STATUS-REPORT", messageReference: b[1], recipient: ra.value.address, timestamp: scts.value, dischargeTime: dt.value, status: st });
}

function hex(n: number): string {
  return n.toString(16).padStart(2, "0").toUpperCase();
}
